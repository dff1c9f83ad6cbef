//! Live-wire (intelligent scissors, Mortensen & Barrett 1995, "Intelligent scissors
//! for image composition"): a polygon whose segments snap to edges between the
//! reader's clicks. Each segment is the cheapest 8-connected path between two anchor
//! pixels over a cost that is low on the edges of the *displayed* values (the
//! modality values through the viewer's window, 0..1), so it follows what the reader
//! sees.
//!
//! # The cost
//!
//! Precomputed once per frame by [`LiveWire::new`]. The displayed values (NaN padding
//! as 0, black as shown) are smoothed by a Gaussian of σ = 1 pixel along each axis;
//! then, in physical units through the pixel spacing, the gradient `G` by central
//! differences and the Laplacian by the 5-point stencil. A step from pixel `p` to its
//! neighbour `q` costs
//!
//! `length(p, q) · (w_Z f_Z(q) + w_G f_G(q) + w_D f_D(p, q) + ε · d(q))`
//!
//! - `f_G = 1 − G / max G` (gradient magnitude, [`WEIGHT_GRADIENT`] = 0.43);
//! - `f_Z = 0` on a zero crossing of the Laplacian (a pixel whose Laplacian has the
//!   other sign than a 4-neighbour's and is the nearer to zero of the two), else 1
//!   ([`WEIGHT_ZERO_CROSSING`] = 0.43);
//! - `f_D = 2 / (3π) · (acos(D(p) · L) + acos(L · D(q)))`, gradient direction:
//!   `D` the unit vector across the gradient, `L` the unit step, pointed so that
//!   `D(p) · L ≥ 0`; it makes a sharp turn across an edge costly
//!   ([`WEIGHT_DIRECTION`] = 0.14; where there is no gradient, `D = 0` and the term is
//!   the constant 2/3);
//! - `d(q)` the distance of `q` from the straight line between the two anchors and
//!   ε = [`STRAIGHTNESS`] = 1e-4: a tie-break too small to win against any edge, which
//!   makes the path on a featureless stretch the straight line rather than one of the
//!   many 8-connected paths of equal length.
//!
//! The weights are Mortensen and Barrett's. Lengths and distances are in units of the
//! finer of the two pixel spacings, so a diagonal step on anisotropic pixels costs
//! its physical length (uncalibrated pixels count as square).
//!
//! # The search
//!
//! Dijkstra from one anchor to the next, over the pixels of the box around the two
//! grown by [`margin_px`] (at least 32 pixels, half their distance), clamped to the
//! frame: a click-to-click segment looks at a few ten thousand pixels whatever the
//! frame's size. Ties go to the lower pixel index and neighbours are relaxed in a
//! fixed order, so the path is the same on every run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde_json::json;
use thiserror::Error;

use super::stack::{Stack, StackError};
use super::strokes::percentile_window;
use crate::annotate::geometry::{GeometryError, SimplifyMethod, repair, simplify};
use crate::annotate::new_shape_id;
use crate::annotate::shape::{Grade, Shape, ShapeKind};
use crate::index::Series;
use crate::measure::PixelSpacing;

/// Modality values through a window `[lo, hi]` to the displayed 0..1 (clamped, NaN
/// padding to 0): what [`LiveWire::new`] reads. The same mapping the random walker
/// reads ([`super::seeds`]).
pub use super::seeds::unit_values;

/// Weight of the Laplacian zero-crossing term `f_Z` (see the module doc).
pub const WEIGHT_ZERO_CROSSING: f64 = 0.43;
/// Weight of the gradient magnitude term `f_G`.
pub const WEIGHT_GRADIENT: f64 = 0.43;
/// Weight of the gradient direction term `f_D`.
pub const WEIGHT_DIRECTION: f64 = 0.14;
/// Weight of the distance from the straight line between the anchors: a tie-break.
pub const STRAIGHTNESS: f64 = 1e-4;
/// The smallest margin around the anchors' box the search looks in, pixels.
pub const MIN_MARGIN_PX: f64 = 32.0;
/// How far [`LiveWire::wire_polygon`] simplifies its ring (Ramer–Douglas–Peucker,
/// never self-intersecting), pixels of the finer spacing.
pub const TOLERANCE_PX: f64 = 0.5;
/// What a live-wire shape's `source` says.
pub const SOURCE: &str = "live-wire";

/// Why a live-wire cannot be drawn.
#[derive(Debug, Error)]
pub enum LiveWireError {
    /// The values are not `cols × rows`.
    #[error("the frame's values ({values}) are not {cols} × {rows}")]
    Size {
        /// Values given.
        values: usize,
        /// Columns.
        cols: usize,
        /// Rows.
        rows: usize,
    },
    /// An anchor lies off the frame (or is not a number).
    #[error(
        "the anchor ({:.1}, {:.1}) is outside the frame of {cols} × {rows} pixels; click inside the image",
        point[0], point[1]
    )]
    Outside {
        /// The anchor, image pixel coordinates (x, y).
        point: [f64; 2],
        /// Columns.
        cols: usize,
        /// Rows.
        rows: usize,
    },
    /// A polygon needs three anchors.
    #[error("a live-wire polygon needs at least 3 anchors, not {0}")]
    TooFewAnchors(usize),
    /// The window has no width.
    #[error("the window {:?} needs a low end below its high end", .0)]
    BadWindow([f64; 2]),
    /// The frame is not in the series.
    #[error("frame {frame} is not a frame of the series (1 to {frames})")]
    BadFrame {
        /// The frame asked for.
        frame: usize,
        /// The series' frames.
        frames: usize,
    },
    /// The joined paths make no outline (the anchors on one line, the wire running
    /// back over itself).
    #[error("the live-wire makes no outline: {0}")]
    Outline(#[from] GeometryError),
    /// The frame could not be read.
    #[error("cannot read the frame: {0}")]
    Stack(#[from] StackError),
}

/// A frame's live-wire cost map, ready to answer paths between pixels.
#[derive(Debug, Clone)]
pub struct LiveWire {
    cols: usize,
    rows: usize,
    spacing: PixelSpacing,
    /// mm per column and per row step, over the finer of the two ([x, y]).
    step: [f64; 2],
    /// `w_Z f_Z + w_G f_G` of each pixel.
    local: Vec<f32>,
    /// `D` of each pixel, [x, y] in physical units; zero without a gradient.
    across: Vec<[f32; 2]>,
}

/// The margin around the box of two anchors `distance_px` apart that a path is
/// searched in: the larger of [`MIN_MARGIN_PX`] and half the distance, pixels.
pub fn margin_px(distance_px: f64) -> usize {
    MIN_MARGIN_PX.max(0.5 * distance_px).ceil() as usize
}

/// The Gaussian of σ = 1 pixel, radius 2, normalised.
fn gaussian() -> [f32; 5] {
    let w = [-2.0f32, -1.0, 0.0, 1.0, 2.0].map(|k| (-0.5 * k * k).exp());
    let sum: f32 = w.iter().sum();
    w.map(|x| x / sum)
}

/// `values` (`cols × rows`) smoothed along rows then columns, edges replicated.
fn smoothed(values: &[f32], cols: usize, rows: usize) -> Vec<f32> {
    let g = gaussian();
    let at = |i: usize, k: usize, n: usize| (i + k).saturating_sub(2).min(n - 1);
    let mut across = vec![0.0f32; values.len()];
    for r in 0..rows {
        let row = &values[r * cols..(r + 1) * cols];
        for c in 0..cols {
            across[r * cols + c] = (0..5).map(|k| g[k] * row[at(c, k, cols)]).sum();
        }
    }
    let mut out = vec![0.0f32; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[r * cols + c] = (0..5)
                .map(|k| g[k] * across[at(r, k, rows) * cols + c])
                .sum();
        }
    }
    out
}

impl LiveWire {
    /// The cost map of a frame of `cols × rows` displayed `values` (row-major, 0..1,
    /// NaN for padding; see [`unit_values`]) with pixel `spacing` (uncalibrated:
    /// square pixels). About 5 ms for 512 × 512 (release).
    ///
    /// # Errors
    /// [`LiveWireError::Size`] when `values` is not `cols × rows` or empty.
    pub fn new(
        values: &[f32],
        cols: usize,
        rows: usize,
        spacing: &PixelSpacing,
    ) -> Result<Self, LiveWireError> {
        if cols == 0 || rows == 0 || cols.checked_mul(rows) != Some(values.len()) {
            return Err(LiveWireError::Size {
                values: values.len(),
                cols,
                rows,
            });
        }
        let (col_mm, row_mm) = if spacing.is_calibrated() {
            (spacing.col_mm, spacing.row_mm)
        } else {
            (1.0, 1.0)
        };
        let finer = col_mm.min(row_mm);
        let step = [col_mm / finer, row_mm / finer];
        let clean: Vec<f32> = values
            .iter()
            .map(|&v| if v.is_finite() { v } else { 0.0 })
            .collect();
        let s = smoothed(&clean, cols, rows);
        let n = s.len();
        let (sx, sy) = (step[0] as f32, step[1] as f32);
        let at = |r: usize, c: usize| s[r * cols + c];
        let mut gradient = vec![[0.0f32; 2]; n];
        let mut laplacian = vec![0.0f32; n];
        for r in 0..rows {
            let (up, down) = (r.saturating_sub(1), (r + 1).min(rows - 1));
            for c in 0..cols {
                let (left, right) = (c.saturating_sub(1), (c + 1).min(cols - 1));
                let v = at(r, c);
                let gx = (at(r, right) - at(r, left)) / ((right - left).max(1) as f32 * sx);
                let gy = (at(down, c) - at(up, c)) / ((down - up).max(1) as f32 * sy);
                gradient[r * cols + c] = [gx, gy];
                laplacian[r * cols + c] = (at(r, right) + at(r, left) - 2.0 * v) / (sx * sx)
                    + (at(down, c) + at(up, c) - 2.0 * v) / (sy * sy);
            }
        }
        let magnitude: Vec<f32> = gradient.iter().map(|[x, y]| x.hypot(*y)).collect();
        let max = magnitude.iter().copied().fold(0.0f32, f32::max);
        let tiny = max * 1e-6;
        let mut local = vec![0.0f32; n];
        let mut across = vec![[0.0f32; 2]; n];
        for i in 0..n {
            let (r, c) = (i / cols, i % cols);
            let l = laplacian[i];
            let crosses = [
                (r > 0).then(|| i - cols),
                (r + 1 < rows).then(|| i + cols),
                (c > 0).then(|| i - 1),
                (c + 1 < cols).then(|| i + 1),
            ]
            .into_iter()
            .flatten()
            .any(|j| l * laplacian[j] < 0.0 && l.abs() <= laplacian[j].abs());
            let f_z = if crosses { 0.0 } else { 1.0 };
            let f_g = if max > 0.0 {
                1.0 - magnitude[i] / max
            } else {
                1.0
            };
            local[i] = (WEIGHT_ZERO_CROSSING * f_z + WEIGHT_GRADIENT * f64::from(f_g)) as f32;
            let [gx, gy] = gradient[i];
            if magnitude[i] > tiny {
                across[i] = [gy / magnitude[i], -gx / magnitude[i]];
            }
        }
        Ok(Self {
            cols,
            rows,
            spacing: *spacing,
            step,
            local,
            across,
        })
    }

    /// Columns of the frame.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Rows of the frame.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The pixel `[column, row]` of a point in image pixel coordinates (x, y).
    ///
    /// # Errors
    /// [`LiveWireError::Outside`] for a point off the frame or not finite.
    pub fn pixel_of(&self, point: [f64; 2]) -> Result<[usize; 2], LiveWireError> {
        let [x, y] = point;
        if x.is_finite()
            && y.is_finite()
            && x >= 0.0
            && y >= 0.0
            && x < self.cols as f64
            && y < self.rows as f64
        {
            Ok([x as usize, y as usize])
        } else {
            Err(LiveWireError::Outside {
                point,
                cols: self.cols,
                rows: self.rows,
            })
        }
    }

    /// The cheapest path from pixel `from` to pixel `to` (each `[column, row]`), both
    /// included, as pixel centres in image pixel coordinates (`[c + 0.5, r + 0.5]`),
    /// searched in the box of the two grown by [`margin_px`] (module doc).
    ///
    /// # Errors
    /// [`LiveWireError::Outside`] for a pixel off the frame.
    pub fn path(&self, from: [usize; 2], to: [usize; 2]) -> Result<Vec<[f64; 2]>, LiveWireError> {
        for p in [from, to] {
            if p[0] >= self.cols || p[1] >= self.rows {
                return Err(LiveWireError::Outside {
                    point: [p[0] as f64, p[1] as f64],
                    cols: self.cols,
                    rows: self.rows,
                });
            }
        }
        Ok(self
            .search(from, to)
            .into_iter()
            .map(|[c, r]| [c as f64 + 0.5, r as f64 + 0.5])
            .collect())
    }

    /// The open wire through `anchors` (image pixel coordinates) in order: the paths
    /// between consecutive anchors joined, each junction once. What the viewer draws
    /// while the reader is still placing anchors.
    ///
    /// # Errors
    /// [`LiveWireError::Outside`] for an anchor off the frame.
    pub fn wire(&self, anchors: &[[f64; 2]]) -> Result<Vec<[f64; 2]>, LiveWireError> {
        let pixels = anchors
            .iter()
            .map(|&a| self.pixel_of(a))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out: Vec<[f64; 2]> = Vec::new();
        if let [only] = pixels.as_slice() {
            out.push([only[0] as f64 + 0.5, only[1] as f64 + 0.5]);
        }
        for w in pixels.windows(2) {
            let path = self.path(w[0], w[1])?;
            let skip = usize::from(!out.is_empty());
            out.extend(path.into_iter().skip(skip));
        }
        Ok(out)
    }

    /// The closed outline joining `anchors` (image pixel coordinates, at least 3) in
    /// order, the last back to the first, by [`Self::path`]s: the wire's spikes (where
    /// it runs back over itself) removed, a self-crossing wire split into simple rings
    /// of which the largest is kept, then simplified by [`TOLERANCE_PX`]
    /// (Ramer–Douglas–Peucker, never self-intersecting). Vertices are pixel centres.
    ///
    /// # Errors
    /// Fewer than 3 anchors, an anchor off the frame, or a wire that encloses nothing.
    pub fn wire_polygon(&self, anchors: &[[f64; 2]]) -> Result<Vec<[f64; 2]>, LiveWireError> {
        if anchors.len() < 3 {
            return Err(LiveWireError::TooFewAnchors(anchors.len()));
        }
        let mut closed = anchors.to_vec();
        closed.push(anchors[0]);
        let ring = without_spikes(self.wire(&closed)?);
        let largest = repair(&ring)
            .into_iter()
            .map(|r| (shoelace(&r).abs(), r))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, r)| r)
            .ok_or(GeometryError::ZeroArea)?;
        Ok(simplify(
            &largest,
            self.tolerance_mm(),
            &self.spacing,
            SimplifyMethod::RamerDouglasPeucker,
        )?)
    }

    /// [`TOLERANCE_PX`] in mm through the spacing (pixels when uncalibrated), as
    /// [`simplify`] takes it.
    pub fn tolerance_mm(&self) -> f64 {
        if self.spacing.is_calibrated() {
            TOLERANCE_PX * self.spacing.row_mm.min(self.spacing.col_mm)
        } else {
            TOLERANCE_PX
        }
    }

    /// Dijkstra from `from` to `to` (`[column, row]`, on the frame) in their box.
    fn search(&self, from: [usize; 2], to: [usize; 2]) -> Vec<[usize; 2]> {
        if from == to {
            return vec![from];
        }
        let distance = ((from[0] as f64 - to[0] as f64).powi(2)
            + (from[1] as f64 - to[1] as f64).powi(2))
        .sqrt();
        let m = margin_px(distance);
        let c0 = from[0].min(to[0]).saturating_sub(m);
        let r0 = from[1].min(to[1]).saturating_sub(m);
        let c1 = (from[0].max(to[0]) + m).min(self.cols - 1);
        let r1 = (from[1].max(to[1]) + m).min(self.rows - 1);
        let (w, h) = (c1 - c0 + 1, r1 - r0 + 1);
        let index = |[c, r]: [usize; 2]| (r - r0) * w + (c - c0);
        let (start, goal) = (index(from), index(to));
        // The straight line between the anchors, in step units, for the tie-break.
        let [sx, sy] = self.step;
        let (ax, ay) = (from[0] as f64 * sx, from[1] as f64 * sy);
        let (bx, by) = (to[0] as f64 * sx - ax, to[1] as f64 * sy - ay);
        let chord = bx.hypot(by);
        let off_line = |c: usize, r: usize| {
            let (px, py) = (c as f64 * sx - ax, r as f64 * sy - ay);
            (px * by - py * bx).abs() / chord
        };
        let steps: [(isize, isize, f64, [f64; 2]); 8] = [
            (-1, -1),
            (0, -1),
            (1, -1),
            (-1, 0),
            (1, 0),
            (-1, 1),
            (0, 1),
            (1, 1),
        ]
        .map(|(dx, dy)| {
            let (lx, ly) = (dx as f64 * sx, dy as f64 * sy);
            let length = lx.hypot(ly);
            (dx, dy, length, [lx / length, ly / length])
        });
        let n = w * h;
        let mut cost = vec![f64::INFINITY; n];
        let mut previous = vec![u32::MAX; n];
        let mut done = vec![false; n];
        let mut heap = BinaryHeap::new();
        cost[start] = 0.0;
        // Costs are finite and ≥ 0, so their bits order as they do.
        heap.push(Reverse((0.0f64.to_bits(), start as u32)));
        while let Some(Reverse((_, k))) = heap.pop() {
            let k = k as usize;
            if done[k] {
                continue;
            }
            done[k] = true;
            if k == goal {
                break;
            }
            let (c, r) = (c0 + k % w, r0 + k / w);
            let p = r * self.cols + c;
            let dp = self.across[p];
            for &(dx, dy, length, unit) in &steps {
                let (nc, nr) = (c as isize + dx, r as isize + dy);
                if nc < c0 as isize || nr < r0 as isize || nc > c1 as isize || nr > r1 as isize {
                    continue;
                }
                let (nc, nr) = (nc as usize, nr as usize);
                let j = (nr - r0) * w + (nc - c0);
                if done[j] {
                    continue;
                }
                let q = nr * self.cols + nc;
                let dq = self.across[q];
                let mut along = f64::from(dp[0]) * unit[0] + f64::from(dp[1]) * unit[1];
                let mut towards = f64::from(dq[0]) * unit[0] + f64::from(dq[1]) * unit[1];
                if along < 0.0 {
                    along = -along;
                    towards = -towards;
                }
                let f_d = (along.clamp(-1.0, 1.0).acos() + towards.clamp(-1.0, 1.0).acos())
                    * (2.0 / (3.0 * std::f64::consts::PI));
                let step = length
                    * (f64::from(self.local[q])
                        + WEIGHT_DIRECTION * f_d
                        + STRAIGHTNESS * off_line(nc, nr));
                let total = cost[k] + step;
                if total < cost[j] {
                    cost[j] = total;
                    previous[j] = k as u32;
                    heap.push(Reverse((total.to_bits(), j as u32)));
                }
            }
        }
        let mut out = vec![to];
        let mut k = goal;
        while k != start {
            k = previous[k] as usize;
            out.push([c0 + k % w, r0 + k / w]);
        }
        out.reverse();
        out
    }
}

/// A closed wire (its first point repeated last) as a ring without repeated points
/// or spikes: wherever it runs back over the points it came by, both ways are
/// dropped, across the seam too.
fn without_spikes(wire: Vec<[f64; 2]>) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(wire.len());
    for p in wire {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 && out[out.len() - 2] == p {
            out.pop();
            continue;
        }
        out.push(p);
    }
    let mut start = 0;
    loop {
        let ring = &out[start..];
        let n = ring.len();
        // The seam repeats the first point, or the wire came back along a tail.
        if n >= 2 && ring[0] == ring[n - 1] || n >= 3 && ring[n - 2] == ring[0] {
            out.pop();
        } else if n >= 3 && ring[1] == ring[n - 1] {
            start += 1;
        } else {
            break;
        }
    }
    out.split_off(start)
}

/// Twice the signed area of a ring.
fn shoelace(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            p[0] * q[1] - q[0] * p[1]
        })
        .sum()
}

/// What [`live_wire_shape`] made.
#[derive(Debug, Clone)]
pub struct LiveWireShape {
    /// The polygon, marked [`SOURCE`].
    pub shape: Shape,
    /// The window the frame was read through, modality units.
    pub window: [f64; 2],
}

/// The provenance of a live-wire shape (its `source_parameters`): the frame (from 1
/// along the series), the window of the displayed values, the anchors and the
/// simplification tolerance. The CLI and the viewer record the same.
pub fn source_parameters(
    frame: usize,
    window: [f64; 2],
    anchors: &[[f64; 2]],
    tolerance_mm: f64,
) -> serde_json::Map<String, serde_json::Value> {
    let mut parameters = serde_json::Map::new();
    parameters.insert("frame".into(), json!(frame));
    parameters.insert("window".into(), json!(window));
    parameters.insert("anchors".into(), json!(anchors));
    parameters.insert("tolerance_mm".into(), json!(tolerance_mm));
    parameters
}

/// The live-wire polygon through `anchors` (image pixel coordinates, at least 3) on
/// `frame` (from 1, in slice order) of `series`, read through `window` (modality
/// units; default: the frame's 1st to 99th percentile), as a shape of `label` by
/// `annotator` marked [`SOURCE`] with its frame, window, anchors and tolerance.
///
/// # Errors
/// A frame off the series or that does not decode, a window without width, fewer
/// than 3 anchors, an anchor off the frame, a wire that encloses nothing.
pub fn live_wire_shape(
    series: &Series,
    frame: usize,
    anchors: &[[f64; 2]],
    window: Option<[f64; 2]>,
    label: &str,
    annotator: &str,
) -> Result<LiveWireShape, LiveWireError> {
    if anchors.len() < 3 {
        return Err(LiveWireError::TooFewAnchors(anchors.len()));
    }
    if let Some([lo, hi]) = window
        && !(lo.is_finite() && hi.is_finite() && lo < hi)
    {
        return Err(LiveWireError::BadWindow([lo, hi]));
    }
    let frames: usize = series
        .instances
        .iter()
        .map(|i| i.frames.max(1) as usize)
        .sum();
    if !(1..=frames).contains(&frame) {
        return Err(LiveWireError::BadFrame { frame, frames });
    }
    let stack = Stack::load(series, |k| k == frame - 1)?;
    let slice = &stack.slices[frame - 1];
    let values = slice.values.as_deref().unwrap_or(&[]);
    let window = window.unwrap_or_else(|| percentile_window(values));
    let wire = LiveWire::new(
        &unit_values(values, window),
        stack.cols,
        stack.rows,
        &stack.spacing,
    )?;
    let points = wire.wire_polygon(anchors)?;
    let parameters = source_parameters(frame, window, anchors, wire.tolerance_mm());
    Ok(LiveWireShape {
        shape: Shape {
            id: new_shape_id(annotator),
            kind: ShapeKind::Polygon,
            label: label.to_owned(),
            image: slice.image.clone(),
            points,
            grade: Grade::None,
            score: None,
            source: Some(SOURCE.into()),
            source_parameters: parameters,
            note: String::new(),
            annotator: annotator.to_owned(),
            created: String::new(),
            modified: String::new(),
        },
        window,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spikes_are_cut_across_the_seam_too() {
        let wire = vec![
            [0.0, 0.0],
            [1.0, 0.0],
            [2.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 1.0],
            [-1.0, 1.0],
            [0.0, 1.0],
            [0.0, 0.0],
        ];
        assert_eq!(
            without_spikes(wire),
            vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
        );
        // A tail leaving from the first point and coming back to it.
        let tail = vec![
            [5.0, 5.0],
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 0.0],
            [5.0, 5.0],
        ];
        assert_eq!(
            without_spikes(tail),
            vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]
        );
    }

    #[test]
    fn the_margin_is_at_least_32_pixels_and_half_the_distance() {
        assert_eq!(margin_px(10.0), 32);
        assert_eq!(margin_px(100.0), 50);
    }

    #[test]
    fn a_wrong_size_is_refused() {
        let e = LiveWire::new(&[0.0; 5], 2, 2, &PixelSpacing::UNCALIBRATED);
        assert!(matches!(e, Err(LiveWireError::Size { values: 5, .. })));
    }
}
