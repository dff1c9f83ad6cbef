//! Annotations: shapes drawn on frames (polygons, freehand traces, rectangles,
//! ellipses, points), their labels and attributes, the geometry done on them and the
//! files they are exported to.
//!
//! # Coordinates
//!
//! One convention everywhere, the viewer's ([`crate::measure`]): continuous **image
//! pixel coordinates**, `x` to the right along a row, `y` down a column; pixel
//! `(col, row)` covers `[col, col + 1) × [row, row + 1)`, so the top-left corner of the
//! image is `(0, 0)` and the centre of the top-left pixel is `(0.5, 0.5)`. This is
//! COCO's convention too, so COCO export writes the points unchanged. A pixel belongs to
//! a shape when its centre is inside the ring by the even-odd rule ([`raster`]), for
//! masks and for pixel statistics alike. Patient coordinates (mm, DICOM's patient
//! system) come from Image Position/Orientation (Patient), which give the *centre* of
//! the top-left pixel, hence the half-pixel shift in [`patient`].
//!
//! A shape is stored as an open ring (the first point is not repeated); a point
//! landmark has one point. Rectangles and ellipses are stored as polygons (their
//! kind says how they were drawn).

pub mod collection;
pub mod export;
pub mod files;
pub mod geometry;
pub mod labels;
pub mod lesion;
pub mod patient;
pub mod raster;
pub mod shape;
pub mod slices;

pub use collection::Annotations;
pub use labels::{Label, LabelSet, LabelSetError};
pub use lesion::{Lesion, lesions};
pub use shape::{Grade, ImageKey, Measurements, PixelStats, Shape, ShapeImage, ShapeKind};

/// A new shape id: unique across annotators and machines without coordination (the
/// annotator's name, the time in nanoseconds and a process-wide counter), so two
/// annotators' files merge without collisions.
pub fn new_shape_id(annotator: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let who: String = annotator
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    let who = if who.is_empty() {
        "anon".to_owned()
    } else {
        who
    };
    format!("{who}-{nanos:x}-{n:x}-{:x}", std::process::id())
}

/// The changes that give `shape` the outlines `rings` of a geometry edit (grow, shrink,
/// brush, eraser…): the first ring keeps the shape (its id and every other field), each
/// further ring is a new shape like it, and no ring at all deletes it. Used alike by the
/// viewer and the CLI, so an edit splits a shape the same way in both.
pub fn reshaped(shape: &Shape, rings: Vec<Vec<[f64; 2]>>) -> Vec<(String, Option<Shape>)> {
    let mut rings = rings.into_iter();
    let Some(first) = rings.next() else {
        return vec![(shape.id.clone(), None)];
    };
    let mut changes = vec![(
        shape.id.clone(),
        Some(Shape {
            points: first,
            ..shape.clone()
        }),
    )];
    for ring in rings {
        let id = new_shape_id(&shape.annotator);
        changes.push((
            id.clone(),
            Some(Shape {
                id,
                points: ring,
                created: String::new(),
                ..shape.clone()
            }),
        ));
    }
    changes
}
