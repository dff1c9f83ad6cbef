//! Click-to-segment as one call, for the CLI's `segment` and the viewer's tool: read
//! the frames the growth needs, grow from the seed ([`super::grow`]), and turn each
//! frame's region into polygons ([`super::contour`]) marked `source: region-grow`
//! with the parameters, ready to be stored as one undoable command.

use serde::Serialize;
use serde_json::json;
use thiserror::Error;

use super::contour::rings;
use super::grow::{GrowError, GrowOptions, Stop, Volume, grow};
use super::stack::{Stack, StackError};
use crate::annotate::new_shape_id;
use crate::annotate::shape::{Grade, Shape, ShapeKind};
use crate::index::Series;

/// Why a click did not segment.
#[derive(Debug, Error)]
pub enum SegmentError {
    /// The seed is not on the series.
    #[error("{0}")]
    BadSeed(String),
    /// The frames could not be read.
    #[error("cannot read the series: {0}")]
    Stack(#[from] StackError),
    /// The region could not be grown.
    #[error("cannot grow a region there: {0}")]
    Grow(#[from] GrowError),
}

/// A click to segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRequest {
    /// Image pixel coordinates of the seed (x right, y down).
    pub point_in_image: [f64; 2],
    /// The seed's frame, from 1 along the series' slice order.
    pub frame: usize,
    /// The window, 2-D or 3-D, the leak guard.
    pub options: GrowOptions,
    /// The shapes' label.
    pub label: String,
    /// Who the shapes are by.
    pub annotator: String,
}

/// What a click made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segmented {
    /// The shapes, one per outline, ids new.
    #[serde(skip)]
    pub shapes: Vec<Shape>,
    /// How many shapes.
    pub shape_count: usize,
    /// The frames they are on, from 1.
    pub frames: Vec<usize>,
    /// The window used.
    pub window: [f64; 2],
    /// Voxels grown.
    pub voxels: u64,
    /// Why the growth stopped early (the leak guard), as a message.
    pub stopped: Option<String>,
}

/// Grows the region the click asks for on `series` and outlines it.
///
/// # Errors
/// A seed off the series, frames that do not decode, a seed outside the window.
pub fn segment(series: &Series, request: &SegmentRequest) -> Result<Segmented, SegmentError> {
    let frames: usize = series
        .instances
        .iter()
        .map(|i| i.frames.max(1) as usize)
        .sum();
    if !(1..=frames).contains(&request.frame) {
        return Err(SegmentError::BadSeed(format!(
            "frame {} is not a frame of the series (1 to {frames})",
            request.frame
        )));
    }
    let seed_slice = request.frame - 1;
    let three_d = request.options.three_d;
    let stack = Stack::load(series, |k| three_d || k == seed_slice)?;
    let [x, y] = request.point_in_image;
    if !(x >= 0.0 && y >= 0.0 && (x as usize) < stack.cols && (y as usize) < stack.rows) {
        return Err(SegmentError::BadSeed(format!(
            "the seed {x},{y} is off the {}×{} image",
            stack.cols, stack.rows
        )));
    }
    let spacing_mm = if stack.spacing.is_calibrated() {
        [stack.spacing.row_mm, stack.spacing.col_mm]
    } else {
        [1.0, 1.0]
    };
    let volume = Volume {
        rows: stack.rows,
        cols: stack.cols,
        slices: stack.slices.iter().map(|s| s.values.as_deref()).collect(),
        z_mm: stack.positions_mm(spacing_mm[0]),
        spacing_mm,
    };
    let grown = grow(
        &volume,
        [seed_slice, y as usize, x as usize],
        &request.options,
    )?;
    let shapes = outlines(&grown.slices, &stack, request, grown.window);
    Ok(Segmented {
        shape_count: shapes.len(),
        frames: grown.slices.iter().map(|(k, _)| k + 1).collect(),
        window: grown.window,
        voxels: grown.voxels,
        stopped: grown.stopped.as_ref().map(Stop::to_string),
        shapes,
    })
}

/// Each frame's region as polygons, simplified by half a pixel.
fn outlines(
    slices: &[(usize, Vec<bool>)],
    stack: &Stack,
    request: &SegmentRequest,
    window: [f64; 2],
) -> Vec<Shape> {
    let spacing = &stack.spacing;
    let pixel_mm = if spacing.is_calibrated() {
        spacing.row_mm.min(spacing.col_mm)
    } else {
        1.0
    };
    let o = &request.options;
    let mut parameters = serde_json::Map::new();
    parameters.insert(
        "seed".into(),
        json!([
            request.point_in_image[0],
            request.point_in_image[1],
            request.frame
        ]),
    );
    parameters.insert("window".into(), json!(window));
    parameters.insert("three_d".into(), json!(o.three_d));
    parameters.insert("max_radius_mm".into(), json!(o.max_radius_mm));
    let mut out = Vec::new();
    for (k, mask) in slices {
        for ring in rings(mask, stack.rows, stack.cols, 0.5 * pixel_mm, spacing) {
            out.push(Shape {
                id: new_shape_id(&request.annotator),
                kind: ShapeKind::Polygon,
                label: request.label.clone(),
                image: stack.slices[*k].image.clone(),
                points: ring,
                grade: Grade::None,
                score: None,
                source: Some("region-grow".into()),
                source_parameters: parameters.clone(),
                note: String::new(),
                annotator: request.annotator.clone(),
                created: String::new(),
                modified: String::new(),
            });
        }
    }
    out
}
