//! Grow from seeds on a frame (or a slab of frames) of a series, as one call for the
//! CLI and the viewer: strokes (polylines in image pixel coordinates) of two or more labels mark
//! their pixels, the frame's values go through a window to 0..1, the random walker
//! ([`super::seeds`]) labels every pixel, and each label's region (except the
//! background) becomes polygons marked `source: grow-from-seeds`.

use serde_json::json;
use thiserror::Error;

use super::contour::rings;
use super::seeds::{Grid, SeedsError, WalkerOptions, random_walker, unit_values};
use super::stack::{Stack, StackError};
use crate::annotate::new_shape_id;
use crate::annotate::shape::{Grade, Shape, ShapeKind};
use crate::annotate::slices::median_gap;
use crate::index::Series;

/// The label of strokes that mark what is *not* the finding: it competes, but makes
/// no shapes.
pub const BACKGROUND: &str = "background";

/// Why strokes did not segment.
#[derive(Debug, Error)]
pub enum StrokesError {
    /// The frame is not in the series.
    #[error("frame {frame} is not a frame of the series (1 to {frames})")]
    BadFrame {
        /// The frame asked for.
        frame: usize,
        /// The series' frames.
        frames: usize,
    },
    /// More labels than a seed map holds.
    #[error("at most 255 labels of strokes")]
    TooManyLabels,
    /// The frame could not be read.
    #[error("cannot read the frame: {0}")]
    Stack(#[from] StackError),
    /// The random walker refused.
    #[error("{0}")]
    Seeds(#[from] SeedsError),
}

/// One stroke: its label and its polyline, image pixel coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    /// The label (or [`BACKGROUND`]).
    pub label: String,
    /// The polyline's points.
    pub points: Vec<[f64; 2]>,
}

/// The pixels a polyline passes over, sampled every quarter pixel.
fn stroke_pixels(points: &[[f64; 2]], rows: usize, cols: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut mark = |x: f64, y: f64| {
        if x >= 0.0 && y >= 0.0 && (x as usize) < cols && (y as usize) < rows {
            out.push(y as usize * cols + x as usize);
        }
    };
    if let [only] = points {
        mark(only[0], only[1]);
    }
    for w in points.windows(2) {
        let ([x0, y0], [x1, y1]) = (w[0], w[1]);
        let steps = ((x1 - x0).abs().max((y1 - y0).abs()) * 4.0).ceil().max(1.0) as usize;
        for k in 0..=steps {
            let t = k as f64 / steps as f64;
            mark(x0 + t * (x1 - x0), y0 + t * (y1 - y0));
        }
    }
    out
}

/// The 1st and 99th percentile of the finite values: a window that keeps the frame's
/// contrast when none is given.
pub(crate) fn percentile_window(values: &[f32]) -> [f64; 2] {
    let mut v: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    v.sort_by(f32::total_cmp);
    let at = |q: f64| {
        v.get(((v.len().saturating_sub(1)) as f64 * q).round() as usize)
            .map_or(0.0, |&x| f64::from(x))
    };
    [at(0.01), at(0.99)]
}

/// Grows `strokes` on `frame` (from 1) of `series` and outlines every label's region
/// but the background's, as shapes by `annotator`; also the window used.
///
/// With `slab` > 0 the growth runs in 3-D through the `slab` frames on each side (as
/// far as the series goes), the strokes on `frame` seeding it, and every frame of the
/// slab gets its outlines. The step between frames is the median gap of their
/// positions (the row spacing when they have none).
///
/// # Errors
/// A frame off the series, a frame that does not decode, strokes of one label.
pub fn grow_from_strokes(
    series: &Series,
    frame: usize,
    slab: usize,
    strokes: &[Stroke],
    window: Option<[f64; 2]>,
    annotator: &str,
) -> Result<(Vec<Shape>, [f64; 2]), StrokesError> {
    let frames: usize = series
        .instances
        .iter()
        .map(|i| i.frames.max(1) as usize)
        .sum();
    if !(1..=frames).contains(&frame) {
        return Err(StrokesError::BadFrame { frame, frames });
    }
    // Frames first..=last, from 1.
    let (first, last) = (
        frame.saturating_sub(slab).max(1),
        frame.saturating_add(slab).min(frames),
    );
    let stack = Stack::load(series, |k| (first - 1..last).contains(&k))?;
    let slab_slices = &stack.slices[first - 1..last];
    let centre = &stack.slices[frame - 1];
    let window =
        window.unwrap_or_else(|| percentile_window(centre.values.as_deref().unwrap_or(&[])));
    let (rows, cols) = (stack.rows, stack.cols);
    let plane = rows * cols;
    let mut unit = Vec::with_capacity(plane * slab_slices.len());
    for slice in slab_slices {
        match slice.values.as_deref() {
            Some(v) => unit.extend(unit_values(v, window)),
            None => unit.extend(std::iter::repeat_n(0.0, plane)),
        }
    }
    let mut labels: Vec<&str> = Vec::new();
    let mut seeds = vec![0u8; plane * slab_slices.len()];
    let seeded = &mut seeds[(frame - first) * plane..(frame - first + 1) * plane];
    for stroke in strokes {
        let index = match labels.iter().position(|l| *l == stroke.label) {
            Some(i) => i,
            None => {
                labels.push(&stroke.label);
                labels.len() - 1
            }
        };
        let mark = u8::try_from(index + 1).map_err(|_| StrokesError::TooManyLabels)?;
        for i in stroke_pixels(&stroke.points, rows, cols) {
            seeded[i] = mark;
        }
    }
    let spacing = &stack.spacing;
    let (row_mm, col_mm) = if spacing.is_calibrated() {
        (spacing.row_mm, spacing.col_mm)
    } else {
        (1.0, 1.0)
    };
    let positions: Option<Vec<f64>> = slab_slices.iter().map(|s| s.position_mm).collect();
    let gap_mm = positions
        .as_deref()
        .and_then(median_gap)
        .map(f64::abs)
        .filter(|g| *g > 0.0)
        .unwrap_or(row_mm);
    let grid = Grid {
        values: &unit,
        shape: [slab_slices.len(), rows, cols],
        spacing: [gap_mm, row_mm, col_mm],
    };
    let labelled = random_walker(&grid, &seeds, &WalkerOptions::default())?;
    let mut parameters = serde_json::Map::new();
    parameters.insert("frame".into(), json!(frame));
    parameters.insert("slab".into(), json!(slab));
    parameters.insert("window".into(), json!(window));
    parameters.insert("labels".into(), json!(labels));
    let mut shapes = Vec::new();
    for (k, slice) in slab_slices.iter().enumerate() {
        let labelled = &labelled[k * plane..(k + 1) * plane];
        for (index, label) in labels.iter().enumerate().filter(|(_, l)| **l != BACKGROUND) {
            let mask: Vec<bool> = labelled
                .iter()
                .map(|&l| usize::from(l) == index + 1)
                .collect();
            for ring in rings(&mask, rows, cols, 0.5 * row_mm.min(col_mm), spacing) {
                shapes.push(Shape {
                    id: new_shape_id(annotator),
                    kind: ShapeKind::Polygon,
                    label: (*label).to_owned(),
                    image: slice.image.clone(),
                    points: ring,
                    grade: Grade::None,
                    score: None,
                    source: Some("grow-from-seeds".into()),
                    source_parameters: parameters.clone(),
                    note: String::new(),
                    annotator: annotator.to_owned(),
                    created: String::new(),
                    modified: String::new(),
                });
            }
        }
    }
    Ok((shapes, window))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_polyline_marks_every_pixel_it_crosses_and_nothing_off_the_frame() {
        let mut got = stroke_pixels(&[[0.5, 0.5], [3.5, 0.5], [3.5, 2.5], [9.0, 9.0]], 4, 5);
        got.sort_unstable();
        got.dedup();
        // Row 0: columns 0..=3; column 3: rows 0..=2; the last segment (slope 6.5/5.5)
        // enters row 3 at x ≈ 3.92, still column 3, then column 4 and leaves the frame.
        assert_eq!(got, vec![0, 1, 2, 3, 8, 13, 18, 19]);
    }

    #[test]
    fn the_default_window_is_the_1st_to_99th_percentile() {
        let v: Vec<f32> = (0..=100).map(|x| x as f32).collect();
        assert_eq!(percentile_window(&v), [1.0, 99.0]);
    }
}
