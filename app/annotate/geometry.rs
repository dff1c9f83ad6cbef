//! Geometry on annotation rings: grow and shrink by a distance in millimetres, opening
//! and closing, simplification, validity checks and repair, and measurements.
//!
//! This is a module of its own because it is the one place that depends on the `geo`
//! crate (and, through it, `i_overlay` for buffers and boolean operations): every
//! function here takes and returns plain rings (`&[[f64; 2]]`, open: the first point
//! is not repeated) and the crate's own types, so no geometry library type leaks into
//! the rest of the annotation model, and `annotate` re-exports nothing from here.
//!
//! # Conventions
//!
//! - Rings are in **image pixel coordinates** (see [`crate::annotate`]): `x` right,
//!   `y` down, pixel `(col, row)` covering `[col, col + 1) × [row, row + 1)`.
//! - Distances and tolerances are in **millimetres**: the ring is taken to physical
//!   space first, `(x · col_mm, y · row_mm)` ([`PixelSpacing`]: `row_mm` is a step in
//!   `y`, `col_mm` a step in `x`), the operation is done there and the result brought
//!   back. So with anisotropic pixels a grow by `r` mm adds a circle of radius `r` mm,
//!   which is an ellipse in pixels. With an uncalibrated spacing
//!   ([`PixelSpacing::is_calibrated`] false) the same numbers are in **pixels**.
//! - What a ring covers is decided by the **even-odd rule**, as for masks
//!   ([`super::raster`]): a self-intersecting ring covers its overlaps an even number
//!   of times as holes. Operations on such a ring work on that region.
//! - Rings that come out ([`Morphed`], [`repair`]) have a consistent orientation: a
//!   positive shoelace sum `Σ (x_i · y_{i+1} − x_{i+1} · y_i)` in image coordinates,
//!   which, `y` pointing down, is **clockwise on screen**. They are open and have no
//!   repeated consecutive points.

use std::collections::HashMap;
use std::fmt;

use geo::algorithm::buffer::{BufferStyle, LineCap, LineJoin};
use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{
    Area, BooleanOps, Buffer, Contains, Coord, Line, LineString, MultiPolygon, Polygon, Rect,
    SimplifyIdx, SimplifyVwIdx, SimplifyVwPreserve,
};

use super::raster;
use super::shape::{Measurements, PixelStats};
use crate::measure::{FrameView, PixelSpacing, euclid, value_stats};

/// The largest distance, in pixels, between a round join's arc and the segments that
/// approximate it (within `i_overlay`'s own limits on a segment's angle, `π/100` to
/// `π/4`: a 10 px radius gets 50 to 100 segments per full turn, 100 px 100 to 200).
/// Small enough that a grown shape's area is within about 0.1 % of the exact one
/// for shapes of a few pixels and more (the arcs' vertices lie on the true arc).
pub const ARC_ERROR_PX: f64 = 0.02;

/// Bisection steps [`simplify`] takes at most when the result at the full tolerance
/// is not valid: the tolerance it settles on is within `tolerance / 2^24` of the
/// largest valid one it can find.
const BISECTION_STEPS: u32 = 24;

/// Cuts [`repair`] makes at most to open up the holes of one polygon.
const MAX_CUT_DEPTH: u32 = 64;

/// Why a geometry operation could not be done. Each message says what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    /// Fewer than 3 distinct points once repeated consecutive points are dropped.
    #[error(
        "the outline has {found} distinct points, and a shape needs at least 3: draw it again or add points"
    )]
    TooFewPoints {
        /// Distinct points found.
        found: usize,
    },
    /// A coordinate is NaN or infinite.
    #[error(
        "point {index} of the outline is not a finite number: delete that point or draw the shape again"
    )]
    NonFinite {
        /// Index of the first such point in the ring.
        index: usize,
    },
    /// The ring crosses or touches itself (see [`problems`]).
    #[error(
        "the outline crosses itself near ({:.1}, {:.1}) px: repair it first (it is split into simple shapes), or move the points so the edges no longer cross", at[0], at[1]
    )]
    SelfIntersecting {
        /// Where, in image pixel coordinates (the first crossing found).
        at: [f64; 2],
    },
    /// The ring encloses no area (all its points on one line, or overlaps cancelling).
    #[error("the outline encloses no area: draw a shape with some width")]
    ZeroArea,
    /// The grow/shrink distance is NaN or infinite.
    #[error("the distance {0} is not a finite number: enter a distance such as 2 or -1.5")]
    BadDistance(f64),
    /// The simplification tolerance is NaN, infinite or negative.
    #[error(
        "the tolerance {0} is not a finite number of at least 0: enter a tolerance such as 0.5"
    )]
    BadTolerance(f64),
}

/// What [`grow`], [`opening`] and [`closing`] give: the outer rings of the resulting
/// polygons, and how many holes were dropped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Morphed {
    /// Each resulting polygon's exterior, open, clockwise on screen (see the module
    /// doc). A shrink may split a shape into several rings, or leave none: an empty
    /// list means the shape vanished (the caller removes it and says so).
    pub rings: Vec<Vec<[f64; 2]>>,
    /// Holes in the result that were dropped (filled), since a shape is one ring.
    /// A polygon lying in such a hole is covered by the filled one and left out.
    pub holes_filled: usize,
}

/// The simplification algorithm of [`simplify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimplifyMethod {
    /// Ramer–Douglas–Peucker: keeps the vertices farther than the tolerance from the
    /// simplified outline, so no dropped vertex is farther than the tolerance from it.
    RamerDouglasPeucker,
    /// Visvalingam–Whyatt: repeatedly drops the vertex whose triangle with its two
    /// neighbours has the smallest area, while that area is below `tolerance²`.
    VisvalingamWhyatt,
}

/// One thing wrong with a ring, as [`problems`] reports it. Indices are into the ring
/// as given.
#[derive(Debug, Clone, PartialEq)]
pub enum RingProblem {
    /// Fewer than 3 distinct points (after dropping repeated consecutive ones).
    TooFewPoints {
        /// Distinct points found.
        found: usize,
    },
    /// A coordinate is NaN or infinite.
    NonFinite {
        /// Index of the point.
        index: usize,
    },
    /// A point equals the one before it (for index 0: the last point, i.e. a
    /// repeated closing point).
    RepeatedPoint {
        /// Index of the repeat.
        index: usize,
    },
    /// Two edges cross, touch, or (for neighbouring edges) run back over each other.
    SelfIntersection {
        /// The edges, each by the index of its first point (edge `i` runs from point
        /// `i` to the next distinct point).
        edges: [usize; 2],
        /// Where, in image pixel coordinates (for an overlap: its middle).
        at: [f64; 2],
    },
    /// The ring encloses no area by the even-odd rule.
    ZeroArea,
}

impl fmt::Display for RingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFewPoints { found } => {
                write!(f, "only {found} distinct points (at least 3 needed)")
            }
            Self::NonFinite { index } => write!(f, "point {index} is not a finite number"),
            Self::RepeatedPoint { index } => write!(f, "point {index} repeats the point before"),
            Self::SelfIntersection { edges, at } => write!(
                f,
                "edges {} and {} cross near ({:.1}, {:.1})",
                edges[0], edges[1], at[0], at[1]
            ),
            Self::ZeroArea => write!(f, "the outline encloses no area"),
        }
    }
}

/// Pixel → physical (mm, or px uncalibrated) scale factors.
#[derive(Debug, Clone, Copy)]
struct Scale {
    /// mm per column step (along `x`).
    sx: f64,
    /// mm per row step (along `y`).
    sy: f64,
    calibrated: bool,
}

impl Scale {
    fn of(spacing: &PixelSpacing) -> Self {
        if spacing.is_calibrated() {
            Self {
                sx: spacing.col_mm,
                sy: spacing.row_mm,
                calibrated: true,
            }
        } else {
            Self {
                sx: 1.0,
                sy: 1.0,
                calibrated: false,
            }
        }
    }

    fn to_mm(self, p: [f64; 2]) -> [f64; 2] {
        [p[0] * self.sx, p[1] * self.sy]
    }

    fn to_px(self, p: [f64; 2]) -> [f64; 2] {
        [p[0] / self.sx, p[1] / self.sy]
    }

    fn unit(self) -> &'static str {
        if self.calibrated { "mm" } else { "px" }
    }
}

fn coord(p: [f64; 2]) -> Coord<f64> {
    Coord { x: p[0], y: p[1] }
}

/// The ring as a closed geo polygon without holes.
fn polygon(ring: &[[f64; 2]]) -> Polygon<f64> {
    Polygon::new(
        LineString::new(ring.iter().map(|p| coord(*p)).collect()),
        vec![],
    )
}

/// A geo ring (closed) as an open ring without repeated consecutive points.
fn open_ring(ls: &LineString<f64>) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(ls.0.len());
    for c in &ls.0 {
        let p = [c.x, c.y];
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// Twice the signed area (shoelace sum): positive when clockwise on screen.
fn shoelace2(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    if n < 3 {
        return 0.0;
    }
    // Relative to the first point, for accuracy far from the origin.
    let [ox, oy] = ring[0];
    (1..n - 1)
        .map(|i| {
            let [ax, ay] = ring[i];
            let [bx, by] = ring[i + 1];
            (ax - ox) * (by - oy) - (bx - ox) * (ay - oy)
        })
        .sum()
}

/// True when a ring's area is zero up to rounding: below `1e-12` of its bounding
/// box's squared diagonal.
fn is_zero_area(ring: &[[f64; 2]], area2: f64) -> bool {
    let (lo, hi) = bounds(ring);
    let diag2 = (hi[0] - lo[0]).powi(2) + (hi[1] - lo[1]).powi(2);
    area2.abs() <= 1e-12 * diag2
}

fn bounds(ring: &[[f64; 2]]) -> ([f64; 2], [f64; 2]) {
    ring.iter().fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(lo, hi), p| {
            (
                [lo[0].min(p[0]), lo[1].min(p[1])],
                [hi[0].max(p[0]), hi[1].max(p[1])],
            )
        },
    )
}

/// Reverses `ring` unless it is clockwise on screen (positive shoelace sum).
fn orient(ring: &mut [[f64; 2]]) {
    if shoelace2(ring) < 0.0 {
        ring.reverse();
    }
}

/// The ring's finite points without repeated consecutive ones (a repeated closing
/// point included), with the index in `ring` of each point kept.
fn clean(ring: &[[f64; 2]]) -> Result<(Vec<[f64; 2]>, Vec<usize>), GeometryError> {
    if let Some(index) = ring
        .iter()
        .position(|p| !(p[0].is_finite() && p[1].is_finite()))
    {
        return Err(GeometryError::NonFinite { index });
    }
    let mut pts: Vec<[f64; 2]> = Vec::with_capacity(ring.len());
    let mut idx = Vec::with_capacity(ring.len());
    for (i, p) in ring.iter().enumerate() {
        if pts.last() != Some(p) {
            pts.push(*p);
            idx.push(i);
        }
    }
    while pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
        idx.pop();
    }
    if pts.len() < 3 {
        return Err(GeometryError::TooFewPoints { found: pts.len() });
    }
    Ok((pts, idx))
}

/// A place where a ring meets itself: edges `i` and `j` (indices of their first
/// points in the ring examined) at `at`.
#[derive(Debug, Clone, Copy)]
struct Crossing {
    edges: [usize; 2],
    at: [f64; 2],
}

/// Where the edges of `pts` (finite, no repeated consecutive points, at least 3)
/// cross, touch or overlap each other; only the first found when `first_only`.
///
/// Edges are swept in order of their smallest `x`, and only pairs whose bounding
/// boxes overlap are tested, with robust predicates: near `n log n` for ordinary
/// outlines, `n²` at worst.
fn crossings(pts: &[[f64; 2]], first_only: bool) -> Vec<Crossing> {
    let n = pts.len();
    let mut out = Vec::new();
    if n < 3 {
        return out;
    }
    let edge = |i: usize| (pts[i], pts[(i + 1) % n]);
    let boxes: Vec<([f64; 2], [f64; 2])> = (0..n)
        .map(|i| {
            let (a, b) = edge(i);
            (
                [a[0].min(b[0]), a[1].min(b[1])],
                [a[0].max(b[0]), a[1].max(b[1])],
            )
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| boxes[*a].0[0].total_cmp(&boxes[*b].0[0]));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if boxes[j].0[0] > boxes[i].1[0] {
                break;
            }
            if boxes[j].0[1] > boxes[i].1[1] || boxes[i].0[1] > boxes[j].1[1] {
                continue;
            }
            let (lo, hi) = (i.min(j), i.max(j));
            let found = if hi == lo + 1 || (lo == 0 && hi == n - 1) {
                // Neighbours share a point; they meet elsewhere only by doubling back.
                let (first, second) = if hi == lo + 1 { (lo, hi) } else { (hi, lo) };
                doubles_back(edge(first).0, edge(second).0, edge(second).1)
            } else {
                let (a, b) = edge(lo);
                let (c, d) = edge(hi);
                match line_intersection(
                    Line::new(coord(a), coord(b)),
                    Line::new(coord(c), coord(d)),
                ) {
                    Some(LineIntersection::SinglePoint { intersection, .. }) => {
                        Some([intersection.x, intersection.y])
                    }
                    Some(LineIntersection::Collinear { intersection }) => Some([
                        (intersection.start.x + intersection.end.x) / 2.0,
                        (intersection.start.y + intersection.end.y) / 2.0,
                    ]),
                    None => None,
                }
            };
            if let Some(at) = found {
                out.push(Crossing {
                    edges: [lo, hi],
                    at,
                });
                if first_only {
                    return out;
                }
            }
        }
    }
    out.sort_by_key(|c| c.edges);
    out
}

/// For consecutive edges `a → b → c`: the shared point `b` when the second runs back
/// along the first (a spike of zero width), else `None`.
fn doubles_back(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> Option<[f64; 2]> {
    let collinear = RobustKernel::orient2d(coord(a), coord(b), coord(c)) == Orientation::Collinear;
    let back = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) < 0.0;
    (collinear && back).then_some(b)
}

/// The region `pts` covers by the even-odd rule, as valid polygons (holes kept).
fn even_odd_region(pts: &[[f64; 2]]) -> MultiPolygon<f64> {
    polygon(pts).union(&MultiPolygon::new(vec![]))
}

/// The even-odd area of `pts` (no repeated consecutive points, at least 3), in the
/// square of their unit.
fn even_odd_area(pts: &[[f64; 2]]) -> f64 {
    if crossings(pts, true).is_empty() {
        shoelace2(pts).abs() / 2.0
    } else {
        even_odd_region(pts).unsigned_area()
    }
}

// ---------------------------------------------------------------------------------
// Grow, shrink, opening, closing

/// `i_overlay`'s round-join parameter (the longest segment over the radius) for an
/// arc error of at most `error` on a radius `radius`. `i_overlay` puts
/// `⌊turn / ratio⌋` segments on a join, so a segment spans less than `2 · ratio`, and
/// a segment spanning `θ` is `radius · (1 − cos(θ / 2))` from its arc.
fn join_ratio(radius: f64, error: f64) -> f64 {
    if radius.is_nan() || radius <= error {
        return std::f64::consts::FRAC_PI_4;
    }
    (1.0 - error / radius).acos()
}

/// `region` buffered by `distance` (negative: shrunk) with round joins.
fn buffer(region: &MultiPolygon<f64>, distance: f64, arc_error: f64) -> MultiPolygon<f64> {
    if distance == 0.0 || region.0.is_empty() {
        return region.clone();
    }
    let style = BufferStyle::new(distance)
        .line_join(LineJoin::Round(join_ratio(distance.abs(), arc_error)));
    region.buffer_with_style(style)
}

/// The even-odd region of `ring` in physical space, the scale, and the arc error
/// (in physical units) for its buffers.
fn physical_region(
    ring: &[[f64; 2]],
    spacing: &PixelSpacing,
) -> Result<(MultiPolygon<f64>, Scale, f64), GeometryError> {
    let (pts, idx) = clean(ring)?;
    let scale = Scale::of(spacing);
    let phys: Vec<[f64; 2]> = pts.iter().map(|p| scale.to_mm(*p)).collect();
    // Finite pixels can overflow in mm only for absurd coordinates (beyond ~1e307).
    if let Some(i) = phys
        .iter()
        .position(|p| !(p[0].is_finite() && p[1].is_finite()))
    {
        return Err(GeometryError::NonFinite { index: idx[i] });
    }
    let region = even_odd_region(&phys);
    if region.unsigned_area() == 0.0 {
        return Err(GeometryError::ZeroArea);
    }
    Ok((region, scale, ARC_ERROR_PX * scale.sx.min(scale.sy)))
}

/// The result polygons' exteriors back in pixel coordinates; holes counted.
fn morphed(result: MultiPolygon<f64>, scale: Scale) -> Morphed {
    let mut out = Morphed::default();
    for poly in &result {
        out.holes_filled += poly.interiors().len();
        let mut ring: Vec<[f64; 2]> = open_ring(poly.exterior())
            .into_iter()
            .map(|p| scale.to_px(p))
            .collect();
        ring.dedup();
        if ring.len() >= 3 && !is_zero_area(&ring, shoelace2(&ring)) {
            orient(&mut ring);
            out.rings.push(ring);
        }
    }
    if out.holes_filled > 0 && out.rings.len() > 1 {
        // An island in a hole (possible when a self-intersecting ring's overlaps nest)
        // is covered once the hole is filled: drop it, so no two rings overlap.
        out.rings
            .sort_by(|a, b| shoelace2(b).total_cmp(&shoelace2(a)));
        let mut kept: Vec<Polygon<f64>> = Vec::new();
        out.rings.retain(|ring| {
            let poly = polygon(ring);
            let inside = kept.iter().any(|k| k.contains(&poly));
            if !inside {
                kept.push(poly);
            }
            !inside
        });
    }
    out
}

fn check_distance(distance: f64) -> Result<f64, GeometryError> {
    if distance.is_finite() {
        Ok(distance)
    } else {
        Err(GeometryError::BadDistance(distance))
    }
}

/// Grows `ring` outwards by `distance_mm` (negative: shrinks it inwards): the points
/// within that distance of the shape are added (removed), corners rounded.
///
/// The work is done in physical space (module doc), so the distance is the same in
/// every direction in mm; with an uncalibrated `spacing` it is in pixels. Round joins
/// are approximated by segments at most [`ARC_ERROR_PX`] from the true arc. A
/// self-intersecting ring is taken as the region it covers by the even-odd rule.
///
/// A shrink may split the shape into several rings or remove it (empty `rings`); holes
/// in the result (a grow can close a notch into one) are dropped and counted.
///
/// # Errors
/// [`GeometryError::BadDistance`] for a non-finite distance;
/// [`GeometryError::NonFinite`], [`GeometryError::TooFewPoints`] or
/// [`GeometryError::ZeroArea`] for a ring that encloses nothing.
pub fn grow(
    ring: &[[f64; 2]],
    distance_mm: f64,
    spacing: &PixelSpacing,
) -> Result<Morphed, GeometryError> {
    let d = check_distance(distance_mm)?;
    let (region, scale, arc) = physical_region(ring, spacing)?;
    Ok(morphed(buffer(&region, d, arc), scale))
}

/// The quick fix after a proposal: a round brush of radius `radius_mm` swept along
/// `stroke` (image pixel points; one point is a dab) adds its trail to the shape's
/// region, or with `erase` cuts it out. The work is done in physical space, as for
/// [`grow`], so the brush is round in mm on anisotropic pixels; round ends and joins
/// are within [`ARC_ERROR_PX`] of the true arcs.
///
/// An erase may split the shape or remove it (empty `rings`); holes (an erase inside
/// the shape, a brush that closes a loop) are dropped and counted, since a shape is
/// one ring: the caller says so.
///
/// # Errors
/// [`GeometryError::BadDistance`] for a non-finite radius, and the errors of a ring
/// that encloses nothing.
pub fn brush(
    ring: &[[f64; 2]],
    stroke: &[[f64; 2]],
    radius_mm: f64,
    spacing: &PixelSpacing,
    erase: bool,
) -> Result<Morphed, GeometryError> {
    let radius = check_distance(radius_mm)?.abs();
    let (region, scale, arc) = physical_region(ring, spacing)?;
    let trail = trail_region(stroke, radius, scale, arc);
    let result = if erase {
        region.difference(&trail)
    } else {
        region.union(&trail)
    };
    Ok(morphed(result, scale))
}

/// A new shape's region painted by the brush on empty ground: the trail of a round
/// brush of radius `radius_mm` along `stroke`, as [`brush`] adds it.
///
/// # Errors
/// [`GeometryError::BadDistance`] for a non-finite radius.
pub fn brush_trail(
    stroke: &[[f64; 2]],
    radius_mm: f64,
    spacing: &PixelSpacing,
) -> Result<Morphed, GeometryError> {
    let radius = check_distance(radius_mm)?.abs();
    let scale = Scale::of(spacing);
    let arc = ARC_ERROR_PX * scale.sx.min(scale.sy);
    Ok(morphed(trail_region(stroke, radius, scale, arc), scale))
}

/// The region (mm) swept by a disc of `radius` (mm) along `stroke` (pixels).
fn trail_region(stroke: &[[f64; 2]], radius: f64, scale: Scale, arc: f64) -> MultiPolygon<f64> {
    let path: Vec<Coord<f64>> = stroke
        .iter()
        .map(|p| scale.to_mm(*p))
        .filter(|p| p[0].is_finite() && p[1].is_finite())
        .map(|[x, y]| Coord { x, y })
        .collect();
    let angle = join_ratio(radius, arc);
    let style = || {
        BufferStyle::new(radius)
            .line_join(LineJoin::Round(angle))
            .line_cap(LineCap::Round(angle))
    };
    match path.as_slice() {
        [] => MultiPolygon::new(Vec::new()),
        [only] => geo::Point(*only).buffer_with_style(style()),
        _ => LineString::new(path).buffer_with_style(style()),
    }
}

/// Morphological opening: shrinks by `distance_mm`, then grows the result back by the
/// same distance. Removes parts narrower than twice the distance (spikes, thin
/// bridges) and rounds convex corners; the rest is unchanged. The sign of the
/// distance is ignored. Units, errors and result as for [`grow`].
pub fn opening(
    ring: &[[f64; 2]],
    distance_mm: f64,
    spacing: &PixelSpacing,
) -> Result<Morphed, GeometryError> {
    let d = check_distance(distance_mm)?.abs();
    let (region, scale, arc) = physical_region(ring, spacing)?;
    let shrunk = buffer(&region, -d, arc);
    Ok(morphed(buffer(&shrunk, d, arc), scale))
}

/// Morphological closing: grows by `distance_mm`, then shrinks the result back by
/// the same distance. Fills notches and gaps narrower than twice the distance and
/// rounds concave corners; the rest is unchanged. The sign of the distance is
/// ignored. Units, errors and result as for [`grow`].
pub fn closing(
    ring: &[[f64; 2]],
    distance_mm: f64,
    spacing: &PixelSpacing,
) -> Result<Morphed, GeometryError> {
    let d = check_distance(distance_mm)?.abs();
    let (region, scale, arc) = physical_region(ring, spacing)?;
    let grown = buffer(&region, d, arc);
    Ok(morphed(buffer(&grown, -d, arc), scale))
}

// ---------------------------------------------------------------------------------
// Simplify

/// `ring` with fewer vertices, each kept vertex one of the input's (unchanged), by
/// `method` with a tolerance of `tolerance_mm` in physical space (pixels with an
/// uncalibrated `spacing`).
///
/// - [`SimplifyMethod::RamerDouglasPeucker`]: every dropped vertex is within the
///   tolerance of the result, so the Hausdorff distance between the two outlines is at
///   most the tolerance.
/// - [`SimplifyMethod::VisvalingamWhyatt`]: vertices are dropped while the triangle
///   they make with their neighbours has an area below `tolerance²`. A vertex at
///   distance `h` from the line through neighbours `L` apart makes a triangle of area
///   `L · h / 2`, so where the kept vertices are about `2 · tolerance` apart, vertices
///   within about the tolerance of the outline go, as with Ramer–Douglas–Peucker. It
///   is not a hard distance bound: along long straight runs, slightly farther bumps
///   may go too.
///
/// The result is never self-intersecting and keeps at least 3 vertices and some area:
/// when the method's result at the full tolerance is not, Visvalingam–Whyatt first
/// tries its topology-preserving variant, then either method bisects the tolerance
/// down (at most 24 steps) and keeps the result at the largest tolerance found valid;
/// at worst that is the input without its repeated points. A tolerance of 0 returns
/// the input without repeated consecutive points.
///
/// # Errors
/// [`GeometryError::BadTolerance`] for a negative or non-finite tolerance,
/// [`GeometryError::SelfIntersecting`] for an input that crosses itself (repair it
/// first), and the errors of a ring that encloses nothing.
pub fn simplify(
    ring: &[[f64; 2]],
    tolerance_mm: f64,
    spacing: &PixelSpacing,
    method: SimplifyMethod,
) -> Result<Vec<[f64; 2]>, GeometryError> {
    if !(tolerance_mm.is_finite() && tolerance_mm >= 0.0) {
        return Err(GeometryError::BadTolerance(tolerance_mm));
    }
    let (pts, _) = clean(ring)?;
    if let Some(c) = crossings(&pts, true).first() {
        return Err(GeometryError::SelfIntersecting { at: c.at });
    }
    if is_zero_area(&pts, shoelace2(&pts)) {
        return Err(GeometryError::ZeroArea);
    }
    if tolerance_mm == 0.0 {
        return Ok(pts);
    }
    let scale = Scale::of(spacing);
    let n = pts.len();
    // Closed, starting at the first point, in physical space.
    let closed = LineString::new(
        pts.iter()
            .chain(std::iter::once(&pts[0]))
            .map(|p| coord(scale.to_mm(*p)))
            .collect(),
    );
    let valid = |keep: &[usize]| -> bool {
        if keep.len() < 3 {
            return false;
        }
        let ring: Vec<[f64; 2]> = keep.iter().map(|i| pts[*i]).collect();
        !is_zero_area(&ring, shoelace2(&ring)) && crossings(&ring, true).is_empty()
    };
    // Indices into `closed` → indices into `pts` (the closing point is point 0).
    let to_ring = |idx: Vec<usize>| -> Vec<usize> {
        let mut out: Vec<usize> = idx.into_iter().map(|i| i % n).collect();
        out.dedup();
        while out.len() > 1 && out.first() == out.last() {
            out.pop();
        }
        out
    };
    let plain = |t: f64| -> Vec<usize> {
        to_ring(match method {
            SimplifyMethod::RamerDouglasPeucker => closed.simplify_idx(t),
            SimplifyMethod::VisvalingamWhyatt => closed.simplify_vw_idx(t * t),
        })
    };
    let keep = plain(tolerance_mm);
    if valid(&keep) {
        return Ok(keep.into_iter().map(|i| pts[i]).collect());
    }
    if method == SimplifyMethod::VisvalingamWhyatt {
        // Its output is a subset of the input's coordinates: find them by their bits.
        let index: HashMap<[u64; 2], usize> = closed.0[..n]
            .iter()
            .enumerate()
            .map(|(i, c)| ([c.x.to_bits(), c.y.to_bits()], i))
            .collect();
        let preserved =
            Polygon::new(closed.clone(), vec![]).simplify_vw_preserve(tolerance_mm * tolerance_mm);
        let keep: Option<Vec<usize>> = preserved
            .exterior()
            .0
            .iter()
            .map(|c| index.get(&[c.x.to_bits(), c.y.to_bits()]).copied())
            .collect();
        if let Some(keep) = keep.map(to_ring)
            && valid(&keep)
        {
            return Ok(keep.into_iter().map(|i| pts[i]).collect());
        }
    }
    let (mut lo, mut hi) = (0.0, tolerance_mm);
    let mut best: Vec<usize> = (0..n).collect();
    for _ in 0..BISECTION_STEPS {
        let mid = (lo + hi) / 2.0;
        let keep = plain(mid);
        if valid(&keep) {
            best = keep;
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(best.into_iter().map(|i| pts[i]).collect())
}

// ---------------------------------------------------------------------------------
// Validity and repair

/// Everything wrong with `ring` as an outline: fewer than 3 distinct points,
/// non-finite coordinates, repeated consecutive points (a repeated closing point
/// included), self-intersections (crossing, touching, or an edge running back over
/// the one before) with where they are, and a zero even-odd area. Empty for a valid
/// ring: a simple polygon with some area.
///
/// Self-intersections are found on the ring without its repeated points, by a sweep
/// with exact orientation tests; every pair of edges that meet is reported once, in
/// order of their indices.
pub fn problems(ring: &[[f64; 2]]) -> Vec<RingProblem> {
    let mut out: Vec<RingProblem> = ring
        .iter()
        .enumerate()
        .filter(|(_, p)| !(p[0].is_finite() && p[1].is_finite()))
        .map(|(index, _)| RingProblem::NonFinite { index })
        .collect();
    let n = ring.len();
    if n >= 2 {
        out.extend(
            (0..n)
                .filter(|i| ring[*i] == ring[(i + n - 1) % n])
                .map(|index| RingProblem::RepeatedPoint { index }),
        );
    }
    if !out.is_empty()
        && out
            .iter()
            .any(|p| matches!(p, RingProblem::NonFinite { .. }))
    {
        return out;
    }
    let (pts, idx) = match clean(ring) {
        Ok(v) => v,
        Err(GeometryError::TooFewPoints { found }) => {
            out.push(RingProblem::TooFewPoints { found });
            return out;
        }
        Err(_) => return out,
    };
    let found = crossings(&pts, false);
    let self_intersecting = !found.is_empty();
    out.extend(found.into_iter().map(|c| RingProblem::SelfIntersection {
        edges: [idx[c.edges[0]], idx[c.edges[1]]],
        at: c.at,
    }));
    let zero = if self_intersecting {
        even_odd_region(&pts).unsigned_area() == 0.0
    } else {
        is_zero_area(&pts, shoelace2(&pts))
    };
    if zero {
        out.push(RingProblem::ZeroArea);
    }
    out
}

/// Simple rings covering exactly what `ring` covers by the even-odd rule: a
/// self-intersecting ring is split at its crossings (a bow tie becomes two triangles),
/// parts that cancel out are dropped, and a hole the overlaps make is opened by
/// cutting the surrounding part with a vertical line through the hole (so the pieces
/// are simple rings, not polygons with holes). The pieces do not overlap and their
/// union's mask ([`raster::mask`]) is the ring's mask, up to pixel centres within
/// about `1e-7` of the size of the shape from an edge (the boolean operations snap
/// new points to a fine grid; points of the input are snapped back exactly).
///
/// A valid ring comes back unchanged (less repeated points) as the only ring; one with
/// no area, too few points or a non-finite coordinate gives no rings. The rings that
/// come out of a split are clockwise on screen (module doc).
pub fn repair(ring: &[[f64; 2]]) -> Vec<Vec<[f64; 2]>> {
    let Ok((pts, _)) = clean(ring) else {
        return Vec::new();
    };
    if crossings(&pts, true).is_empty() {
        return if is_zero_area(&pts, shoelace2(&pts)) {
            Vec::new()
        } else {
            vec![pts]
        };
    }
    let mut cuts = Vec::new();
    let pieces: Vec<Polygon<f64>> = even_odd_region(&pts)
        .into_iter()
        .flat_map(|poly| cut_holes(poly, 0, &mut cuts))
        .collect();
    let snap = Snapper::new(&pts, &cuts);
    let mut out = Vec::new();
    for piece in pieces {
        let mut ring: Vec<[f64; 2]> = open_ring(piece.exterior())
            .into_iter()
            .map(|p| snap.snap(p))
            .collect();
        ring.dedup();
        while ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        if ring.len() >= 3 && !is_zero_area(&ring, shoelace2(&ring)) {
            orient(&mut ring);
            out.push(ring);
        }
    }
    out
}

/// Splits `poly` into pieces without holes covering the same region: each hole is
/// opened by cutting the polygon along a vertical line through the hole's interior.
/// The `x` of each cut is added to `cuts`.
fn cut_holes(poly: Polygon<f64>, depth: u32, cuts: &mut Vec<f64>) -> Vec<Polygon<f64>> {
    let Some(hole) = poly.interiors().first() else {
        return vec![poly];
    };
    if depth >= MAX_CUT_DEPTH {
        return vec![Polygon::new(poly.exterior().clone(), vec![])];
    }
    let (hole_x0, hole_x1) = hole
        .0
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
            (lo.min(c.x), hi.max(c.x))
        });
    let cut = cut_line(hole_x0, hole_x1);
    cuts.push(cut);
    let ext: Vec<[f64; 2]> = poly.exterior().0.iter().map(|c| [c.x, c.y]).collect();
    let (lo, hi) = bounds(&ext);
    let (y0, y1) = (lo[1] - 1.0, hi[1] + 1.0);
    let left = Rect::new(coord([lo[0] - 1.0, y0]), coord([cut, y1])).to_polygon();
    let right = Rect::new(coord([cut, y0]), coord([hi[0] + 1.0, y1])).to_polygon();
    let mut out = Vec::new();
    for half in [left, right] {
        for piece in poly.intersection(&half) {
            out.extend(cut_holes(piece, depth + 1, cuts));
        }
    }
    out
}

/// An `x` strictly inside `(x0, x1)` as far as can be from pixel centres (`k + 0.5`):
/// an integer when there is one, so the cut never passes near a centre and the
/// pieces' masks add up to the whole's.
fn cut_line(x0: f64, x1: f64) -> f64 {
    let k = x0.floor() + 1.0;
    if k < x1 {
        return k;
    }
    // (x0, x1) lies within (k - 1, k): the inner point farthest from the centre.
    let centre = k - 0.5;
    let (a, b) = (x0 + (x1 - x0) * 0.25, x1 - (x1 - x0) * 0.25);
    if (a - centre).abs() >= (b - centre).abs() {
        a
    } else {
        b
    }
}

/// Moves coordinates back onto the values they came from: boolean operations snap
/// points to a grid of about `2⁻³⁰` of the shape's size, so each `x` within `eps` of
/// an input vertex's `x` or of a cut line becomes that value, and each `y` likewise.
/// Input vertices come back exactly, and so do points on axis-parallel edges and on
/// cuts.
struct Snapper {
    xs: Vec<f64>,
    ys: Vec<f64>,
    eps: f64,
}

impl Snapper {
    fn new(pts: &[[f64; 2]], cuts: &[f64]) -> Self {
        let (lo, hi) = bounds(pts);
        let extent = (hi[0] - lo[0]).max(hi[1] - lo[1]);
        let sorted = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        Self {
            xs: sorted(
                pts.iter()
                    .map(|p| p[0])
                    .chain(cuts.iter().copied())
                    .collect(),
            ),
            ys: sorted(pts.iter().map(|p| p[1]).collect()),
            eps: extent * (-22f64).exp2(),
        }
    }

    fn snap(&self, p: [f64; 2]) -> [f64; 2] {
        let nearest = |values: &[f64], v: f64| {
            let k = values.partition_point(|q| *q < v);
            [k.checked_sub(1), Some(k)]
                .into_iter()
                .flatten()
                .filter_map(|i| values.get(i).copied())
                .filter(|q| (q - v).abs() <= self.eps)
                .min_by(|a, b| (a - v).abs().total_cmp(&(b - v).abs()))
                .unwrap_or(v)
        };
        [nearest(&self.xs, p[0]), nearest(&self.ys, p[1])]
    }
}

// ---------------------------------------------------------------------------------
// Measurements

/// What `ring` measures ([`Measurements`]), in mm with a calibrated `spacing`, else in
/// px; with `frame`, the statistics of its pixels too.
///
/// - `area`: the even-odd area (for a simple ring, the shoelace area) in unit².
/// - `perimeter`: the length of the ring as drawn, closing edge included.
/// - `longest_diameter`: the largest distance between two vertices in physical space
///   (rotating calipers on the convex hull: `O(n log n)`), with its end points.
/// - `perpendicular`: the longest segment inside the shape (even-odd) perpendicular,
///   in physical space, to the longest diameter (RECIST's short axis), with its end
///   points. Along the diameter's direction, the length of each inside segment of the
///   perpendicular lines changes linearly between the positions where a vertex (or a
///   self-crossing) projects, so the longest is found exactly by evaluating the
///   segments of each such interval at both of its ends. A sweep keeps the edges
///   that span the current interval: `O(n log n + Σ k log k)` for `n` vertices and
///   `k` edges crossed per interval (a few for ordinary outlines).
///   When the ring has no area it is 0, at the diameter's first end.
/// - `stats`: over the pixels whose centre is inside ([`raster::spans`], the mask's
///   rule), excluding padding and non-finite values: count, mean, sample SD, min, max.
///
/// End points are in image pixel coordinates. `None` for a ring of fewer than 3
/// distinct points, with a non-finite coordinate, or whose measures overflow.
pub fn measure(
    ring: &[[f64; 2]],
    spacing: &PixelSpacing,
    frame: Option<&FrameView<'_>>,
) -> Option<Measurements> {
    let (pts, _) = clean(ring).ok()?;
    let scale = Scale::of(spacing);
    let phys: Vec<[f64; 2]> = pts.iter().map(|p| scale.to_mm(*p)).collect();
    let area = even_odd_area(&phys);
    let n = phys.len();
    let perimeter: f64 = (0..n)
        .map(|i| {
            let (a, b) = (phys[i], phys[(i + 1) % n]);
            euclid(b[0] - a[0], b[1] - a[1])
        })
        .sum();
    let (i, j, diameter) = longest_diameter(&phys);
    let (perpendicular, [p, q]) = perpendicular(&phys, phys[i], phys[j]);
    let stats = frame.map(|f| pixel_stats(&pts, f));
    let out = Measurements {
        unit: scale.unit().to_owned(),
        area,
        perimeter,
        longest_diameter: diameter,
        longest_diameter_points: [pts[i], pts[j]],
        perpendicular,
        perpendicular_points: [scale.to_px(p), scale.to_px(q)],
        stats,
    };
    let finite = [area, perimeter, diameter, perpendicular]
        .iter()
        .chain(out.perpendicular_points.iter().flatten())
        .all(|v| v.is_finite());
    finite.then_some(out)
}

/// Indices of the convex hull's vertices (Andrew's monotone chain), counter-clockwise
/// in a y-up frame; duplicates and collinear points left out.
fn convex_hull(pts: &[[f64; 2]]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..pts.len()).collect();
    idx.sort_by(|a, b| {
        pts[*a][0]
            .total_cmp(&pts[*b][0])
            .then(pts[*a][1].total_cmp(&pts[*b][1]))
    });
    idx.dedup_by(|a, b| pts[*a] == pts[*b]);
    if idx.len() < 3 {
        return idx;
    }
    let turns_left = |o: usize, a: usize, b: usize| {
        RobustKernel::orient2d(coord(pts[o]), coord(pts[a]), coord(pts[b]))
            == Orientation::CounterClockwise
    };
    let mut hull: Vec<usize> = Vec::with_capacity(2 * idx.len());
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &usize>> = if pass == 0 {
            Box::new(idx.iter())
        } else {
            Box::new(idx.iter().rev())
        };
        for &k in iter {
            while hull.len() >= start + 2
                && !turns_left(hull[hull.len() - 2], hull[hull.len() - 1], k)
            {
                hull.pop();
            }
            hull.push(k);
        }
        hull.pop();
    }
    hull
}

/// The two vertices farthest apart (indices into `pts`, smaller first) and their
/// distance: rotating calipers over the convex hull, `O(n log n)`.
fn longest_diameter(pts: &[[f64; 2]]) -> (usize, usize, f64) {
    let hull = convex_hull(pts);
    let m = hull.len();
    let d2 = |a: usize, b: usize| (pts[a][0] - pts[b][0]).powi(2) + (pts[a][1] - pts[b][1]).powi(2);
    let mut best = (0, 0, 0.0f64);
    let mut consider = |a: usize, b: usize| {
        let d = d2(a, b);
        if d > best.2 {
            best = (a.min(b), a.max(b), d);
        }
    };
    if m <= 3 {
        for (k, &a) in hull.iter().enumerate() {
            for &b in &hull[k + 1..] {
                consider(a, b);
            }
        }
    } else {
        // Twice the area of triangle (a, b, c): the distance of c from line ab.
        let height = |a: usize, b: usize, c: usize| {
            let (p, q, r) = (pts[a], pts[b], pts[c]);
            ((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])).abs()
        };
        let mut j = 1;
        for i in 0..m {
            let (a, b) = (hull[i], hull[(i + 1) % m]);
            // The vertex farthest from edge ab, moving forward only.
            while height(a, b, hull[(j + 1) % m]) > height(a, b, hull[j]) {
                j = (j + 1) % m;
            }
            // With an edge parallel to ab both of its ends are antipodal to it.
            let (c, d) = (hull[j], hull[(j + 1) % m]);
            for (x, y) in [(a, c), (b, c), (a, d), (b, d)] {
                consider(x, y);
            }
        }
    }
    (best.0, best.1, best.2.sqrt())
}

/// The longest segment inside `pts` (even-odd) perpendicular to `a → b`, as its length
/// and end points (module-doc units). See [`measure`] for the method.
fn perpendicular(pts: &[[f64; 2]], a: [f64; 2], b: [f64; 2]) -> (f64, [[f64; 2]; 2]) {
    let len = euclid(b[0] - a[0], b[1] - a[1]);
    if len.is_nan() || len <= 0.0 {
        return (0.0, [a, a]);
    }
    let u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
    let v = [-u[1], u[0]];
    // (s, t): along the diameter from a, and across it.
    let st: Vec<[f64; 2]> = pts
        .iter()
        .map(|p| {
            let d = [p[0] - a[0], p[1] - a[1]];
            [d[0] * u[0] + d[1] * u[1], d[0] * v[0] + d[1] * v[1]]
        })
        .collect();
    let n = st.len();
    let mut stops: Vec<f64> = st.iter().map(|p| p[0]).collect();
    // Where the ring crosses itself the pairing of crossings changes too.
    for c in crossings(pts, false) {
        let d = [c.at[0] - a[0], c.at[1] - a[1]];
        stops.push(d[0] * u[0] + d[1] * u[1]);
    }
    stops.sort_by(f64::total_cmp);
    stops.dedup();
    // An edge's t where the line s = const meets it (the edge spans that s).
    let t_at = |e: usize, s: f64| {
        let (p, q) = (st[e], st[(e + 1) % n]);
        p[1] + (q[1] - p[1]) * (s - p[0]) / (q[0] - p[0])
    };
    // Sweep the intervals in order, keeping the edges whose s-range covers the
    // current one: each edge enters and leaves once.
    let mut by_start: Vec<usize> = (0..n).filter(|e| st[*e][0] != st[(e + 1) % n][0]).collect();
    let s_range = |e: usize| {
        let (p, q) = (st[e][0], st[(e + 1) % n][0]);
        (p.min(q), p.max(q))
    };
    by_start.sort_by(|x, y| s_range(*x).0.total_cmp(&s_range(*y).0));
    let mut next = 0;
    let mut active: Vec<usize> = Vec::new();
    let mut best = (0.0f64, [0.0, 0.0, 0.0]); // (length, [s, t0, t1])
    let mut edges: Vec<(f64, usize)> = Vec::new();
    for w in stops.windows(2) {
        let (s0, s1) = (w[0], w[1]);
        let mid = s0 / 2.0 + s1 / 2.0;
        while next < by_start.len() && s_range(by_start[next]).0 < mid {
            active.push(by_start[next]);
            next += 1;
        }
        active.retain(|e| s_range(*e).1 > mid);
        edges.clear();
        edges.extend(active.iter().map(|e| (t_at(*e, mid), *e)));
        edges.sort_by(|x, y| x.0.total_cmp(&y.0));
        for pair in edges.chunks_exact(2) {
            for s in [s0, s1] {
                let (t0, t1) = (t_at(pair[0].1, s), t_at(pair[1].1, s));
                let l = (t1 - t0).abs();
                if l > best.0 {
                    best = (l, [s, t0, t1]);
                }
            }
        }
    }
    let [s, t0, t1] = best.1;
    let point = |t: f64| [a[0] + s * u[0] + t * v[0], a[1] + s * u[1] + t * v[1]];
    if best.0 > 0.0 {
        (best.0, [point(t0), point(t1)])
    } else {
        (0.0, [a, a])
    }
}

/// Statistics of the frame's pixels inside `pts` by the mask's rule.
fn pixel_stats(pts: &[[f64; 2]], frame: &FrameView<'_>) -> PixelStats {
    let spans = raster::spans(pts, frame.rows, frame.cols);
    let s = value_stats(frame, |f| {
        for span in &spans {
            for col in span.cols.clone() {
                if let Some(i) = frame.index(col, span.row) {
                    f(i);
                }
            }
        }
    });
    PixelStats {
        count: s.count,
        mean: s.mean,
        sd: s.sd_sample,
        min: s.min,
        max: s.max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brush_adds_its_round_trail_and_an_eraser_cuts_it_out() {
        // A 20 × 20 px square at 1 mm pixels and a stroke 10 px long, radius 3 mm,
        // from the middle of its right edge outwards. Outside the square the trail is
        // the 10 × 6 rectangle from x = 20 to 30 and the far half-disc: 60 + π·9/2 ≈
        // 74.14 mm²; the near cap lies inside the square.
        let sq = [[0.0, 0.0], [20.0, 0.0], [20.0, 20.0], [0.0, 20.0]];
        let mm = PixelSpacing {
            row_mm: 1.0,
            col_mm: 1.0,
            source: SpacingSource::PixelSpacing,
        };
        let stroke = [[20.0, 10.0], [30.0, 10.0]];
        let added = brush(&sq, &stroke, 3.0, &mm, false).expect("brush");
        assert_eq!(added.rings.len(), 1);
        let area = shoelace2(&added.rings[0]).abs() / 2.0;
        let want = 400.0 + 60.0 + std::f64::consts::PI * 9.0 / 2.0;
        assert!((area - want).abs() < 0.3, "{area} vs {want}");
        // Erasing across the whole square splits it in two 20 × 7 parts.
        let across = [[-5.0, 10.0], [25.0, 10.0]];
        let cut = brush(&sq, &across, 3.0, &mm, true).expect("erase");
        assert_eq!(cut.rings.len(), 2);
        for ring in &cut.rings {
            let a = shoelace2(ring).abs() / 2.0;
            assert!((a - 140.0).abs() < 1e-6, "{a}");
        }
        // A dab inside is a hole: dropped and counted.
        let dab = brush(&sq, &[[10.0, 10.0]], 2.0, &mm, true).expect("dab");
        assert_eq!((dab.rings.len(), dab.holes_filled), (1, 1));
        // On 0.5 × 1 mm pixels the brush is round in mm: 2 mm is 4 columns, 2 rows.
        let aniso = PixelSpacing {
            row_mm: 1.0,
            col_mm: 0.5,
            source: SpacingSource::PixelSpacing,
        };
        let far = brush(&sq, &[[40.0, 10.0]], 2.0, &aniso, false).expect("brush");
        let disc = far
            .rings
            .iter()
            .find(|r| r.iter().all(|p| p[0] > 30.0))
            .expect("the dab apart");
        let width = disc.iter().map(|p| p[0]).fold(f64::MIN, f64::max)
            - disc.iter().map(|p| p[0]).fold(f64::MAX, f64::min);
        let height = disc.iter().map(|p| p[1]).fold(f64::MIN, f64::max)
            - disc.iter().map(|p| p[1]).fold(f64::MAX, f64::min);
        assert!(
            (width - 8.0).abs() < 0.05 && (height - 4.0).abs() < 0.05,
            "{width} {height}"
        );
        assert!(brush(&sq, &stroke, f64::NAN, &mm, false).is_err());
    }

    #[test]
    fn a_brush_on_empty_ground_is_its_trail() {
        // A stroke 10 px long at 1 mm pixels, radius 3 mm: a 10 × 6 rectangle and two
        // half-discs, 60 + 9π ≈ 88.27 mm². A dab on 0.5 × 1 mm pixels is 4 columns by
        // 2 rows across per mm of radius.
        let mm = spacing(1.0, 1.0);
        let trail = brush_trail(&[[20.0, 10.0], [30.0, 10.0]], 3.0, &mm).expect("trail");
        assert_eq!(trail.rings.len(), 1);
        let want = 60.0 + 9.0 * std::f64::consts::PI;
        let area = area_px(&trail.rings[0]);
        assert!((area - want).abs() < 0.3, "{area} vs {want}");
        let dab = brush_trail(&[[10.0, 10.0]], 2.0, &spacing(1.0, 0.5)).expect("dab");
        let xs = dab.rings[0].iter().map(|p| p[0]);
        let width = xs.clone().fold(f64::MIN, f64::max) - xs.fold(f64::MAX, f64::min);
        assert!((width - 8.0).abs() < 0.05, "{width}");
        assert!(
            brush_trail(&[], 2.0, &mm)
                .expect("nothing")
                .rings
                .is_empty()
        );
        assert!(brush_trail(&[[1.0, 1.0]], f64::INFINITY, &mm).is_err());
    }
    use crate::measure::SpacingSource;

    fn spacing(row_mm: f64, col_mm: f64) -> PixelSpacing {
        PixelSpacing {
            row_mm,
            col_mm,
            source: SpacingSource::PixelSpacing,
        }
    }

    const PX: PixelSpacing = PixelSpacing::UNCALIBRATED;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
    }

    fn area_px(ring: &[[f64; 2]]) -> f64 {
        shoelace2(ring).abs() / 2.0
    }

    /// The rings' union mask, and whether any pixel is in two of them.
    fn union_mask(rings: &[Vec<[f64; 2]>], rows: u32, cols: u32) -> (Vec<bool>, bool) {
        let mut out = vec![false; (rows * cols) as usize];
        let mut overlap = false;
        for r in rings {
            for (o, m) in out.iter_mut().zip(raster::mask(r, rows, cols)) {
                overlap |= *o && m;
                *o |= m;
            }
        }
        (out, overlap)
    }

    /// Points along the closed ring, `per_edge` per edge.
    fn densify(ring: &[[f64; 2]], per_edge: usize) -> Vec<[f64; 2]> {
        let n = ring.len();
        (0..n)
            .flat_map(|i| {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                (0..per_edge).map(move |k| {
                    let t = k as f64 / per_edge as f64;
                    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
                })
            })
            .collect()
    }

    fn point_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
        let d = [b[0] - a[0], b[1] - a[1]];
        let l2 = d[0] * d[0] + d[1] * d[1];
        let t = if l2 > 0.0 {
            (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / l2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        euclid(p[0] - a[0] - t * d[0], p[1] - a[1] - t * d[1])
    }

    /// The Hausdorff distance between two closed outlines (densely sampled).
    fn hausdorff(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
        let one_way = |from: &[[f64; 2]], to: &[[f64; 2]]| {
            densify(from, 20)
                .iter()
                .map(|p| {
                    (0..to.len())
                        .map(|i| point_segment(*p, to[i], to[(i + 1) % to.len()]))
                        .fold(f64::INFINITY, f64::min)
                })
                .fold(0.0, f64::max)
        };
        one_way(a, b).max(one_way(b, a))
    }

    fn in_mm(ring: &[[f64; 2]], s: &PixelSpacing) -> Vec<[f64; 2]> {
        ring.iter()
            .map(|p| [p[0] * s.col_mm, p[1] * s.row_mm])
            .collect()
    }

    #[test]
    fn square_with_half_mm_pixels_by_hand() {
        // 10 × 10 px at 0.5 mm: a 5 mm square. Area 25 mm², perimeter 20 mm, both
        // diagonals 5√2 = √50 mm: the longest diameter is one, the longest chord
        // perpendicular to it the other.
        let ring = rect(2.0, 3.0, 12.0, 13.0);
        let m = measure(&ring, &spacing(0.5, 0.5), None).expect("measures");
        assert_eq!(m.unit, "mm");
        assert!(close(m.area, 25.0, 1e-12), "{}", m.area);
        assert!(close(m.perimeter, 20.0, 1e-12), "{}", m.perimeter);
        assert!(close(m.longest_diameter, 50f64.sqrt(), 1e-12));
        assert!(
            close(m.perpendicular, 50f64.sqrt(), 1e-9),
            "{}",
            m.perpendicular
        );
        let corners = |pts: [[f64; 2]; 2]| {
            let mut v: Vec<[i64; 2]> = pts
                .iter()
                .map(|p| [(p[0] * 1e6).round() as i64, (p[1] * 1e6).round() as i64])
                .collect();
            v.sort_unstable();
            v
        };
        let diag_a = corners([[2.0, 3.0], [12.0, 13.0]]);
        let diag_b = corners([[12.0, 3.0], [2.0, 13.0]]);
        let d = corners(m.longest_diameter_points);
        let p = corners(m.perpendicular_points);
        assert!(
            (d == diag_a && p == diag_b) || (d == diag_b && p == diag_a),
            "{m:?}"
        );
        assert_eq!(m.stats, None);
    }

    #[test]
    fn anisotropic_rectangle_by_hand() {
        // 10 px wide at 0.3 mm, 6 px tall at 0.7 mm: 3 mm × 4.2 mm. Area 12.6 mm²,
        // perimeter 14.4 mm, diagonal d = √(9 + 17.64) = √26.64 mm. Lines perpendicular
        // to a diagonal cross the two long sides in the middle part, at an angle whose
        // cosine is h / d, so the longest perpendicular chord is w · d / h.
        let s = spacing(0.7, 0.3);
        let ring = rect(1.0, 1.0, 11.0, 7.0);
        let m = measure(&ring, &s, None).expect("measures");
        let d = 26.64f64.sqrt();
        assert_eq!(m.unit, "mm");
        assert!(close(m.area, 12.6, 1e-12), "{}", m.area);
        assert!(close(m.perimeter, 14.4, 1e-12));
        assert!(close(m.longest_diameter, d, 1e-12));
        assert!(close(m.perpendicular, 3.0 * d / 4.2, 1e-9), "{m:?}");
        // Perpendicular in mm, not in pixels, and the chord's ends on the boundary.
        let [a, b] = in_mm(&m.longest_diameter_points, &s)[..] else {
            unreachable!()
        };
        let [p, q] = in_mm(&m.perpendicular_points, &s)[..] else {
            unreachable!()
        };
        let dot = (b[0] - a[0]) * (q[0] - p[0]) + (b[1] - a[1]) * (q[1] - p[1]);
        assert!(dot.abs() < 1e-9, "{dot}");
        for [x, y] in m.perpendicular_points {
            let on_side = close(x, 1.0, 1e-9) || close(x, 11.0, 1e-9);
            let on_top = close(y, 1.0, 1e-9) || close(y, 7.0, 1e-9);
            assert!(on_side || on_top, "({x}, {y})");
        }
        // Uncalibrated: the same numbers in pixels.
        let m = measure(&ring, &PX, None).expect("measures");
        assert_eq!(m.unit, "px");
        assert!(close(m.area, 60.0, 1e-12) && close(m.perimeter, 32.0, 1e-12));
        assert!(close(m.longest_diameter, 136f64.sqrt(), 1e-12));
    }

    #[test]
    fn perpendicular_of_a_diamond_and_an_l_shape() {
        // A rhombus with diagonals 8 (x) and 4 (y): the diameter is the long
        // diagonal, the perpendicular the short one, through the middle.
        let m = measure(&[[0.0, 2.0], [4.0, 0.0], [8.0, 2.0], [4.0, 4.0]], &PX, None)
            .expect("measures");
        assert!(close(m.longest_diameter, 8.0, 1e-12) && close(m.perpendicular, 4.0, 1e-12));
        let mut xs: Vec<f64> = m.perpendicular_points.iter().map(|p| p[0]).collect();
        xs.dedup();
        assert_eq!(xs, [4.0]);
        // An L (concave): chords perpendicular to the diameter must stay inside, so
        // the one through the notch's corner stops at the notch.
        let l = [
            [0.0, 0.0],
            [2.0, 0.0],
            [2.0, 8.0],
            [8.0, 8.0],
            [8.0, 10.0],
            [0.0, 10.0],
        ];
        let m = measure(&l, &PX, None).expect("measures");
        let [p, q] = m.perpendicular_points;
        for k in 1..100 {
            let t = f64::from(k) / 100.0;
            let x = [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
            assert!(
                raster::contains(&l, x) || on_boundary(&l, x),
                "{x:?} of {m:?}"
            );
        }
    }

    #[test]
    fn perpendicular_beats_every_sampled_chord_and_lies_inside() {
        let mut seed = 0x0bad_cafe_f00d_1234u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let s = spacing(0.6, 1.1);
        for case in 0..60 {
            let n = 3 + (next() * 25.0) as usize;
            let ring: Vec<[f64; 2]> = if case % 3 == 2 {
                // Random points: mostly self-intersecting.
                (0..n).map(|_| [next() * 30.0, next() * 30.0]).collect()
            } else {
                (0..n)
                    .map(|k| {
                        let a = std::f64::consts::TAU * (k as f64 + 0.9 * next()) / n as f64;
                        let r = 3.0 + 12.0 * next();
                        [15.0 + r * a.cos(), 15.0 + r * a.sin()]
                    })
                    .collect()
            };
            let Some(m) = measure(&ring, &s, None) else {
                continue;
            };
            // In mm: our chord is perpendicular to the diameter and inside.
            let phys = in_mm(&ring, &s);
            let [a, b] = in_mm(&m.longest_diameter_points, &s)[..] else {
                unreachable!()
            };
            let [p, q] = in_mm(&m.perpendicular_points, &s)[..] else {
                unreachable!()
            };
            let u = [
                (b[0] - a[0]) / m.longest_diameter,
                (b[1] - a[1]) / m.longest_diameter,
            ];
            assert!(((q[0] - p[0]) * u[0] + (q[1] - p[1]) * u[1]).abs() < 1e-9);
            assert!(close(
                (q[0] - p[0]).hypot(q[1] - p[1]),
                m.perpendicular,
                1e-9
            ));
            for k in 1..50 {
                let t = f64::from(k) / 50.0;
                let x = [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
                assert!(
                    raster::contains(&phys, x) || on_boundary(&phys, x),
                    "case {case}"
                );
            }
            // No chord on 4000 sampled perpendicular lines is longer.
            let v = [-u[1], u[0]];
            let st: Vec<[f64; 2]> = phys
                .iter()
                .map(|p| {
                    let d = [p[0] - a[0], p[1] - a[1]];
                    [d[0] * u[0] + d[1] * u[1], d[0] * v[0] + d[1] * v[1]]
                })
                .collect();
            let nn = st.len();
            for k in 0..4000 {
                let sv = m.longest_diameter * (f64::from(k) + 0.5) / 4000.0;
                let mut ts: Vec<f64> = (0..nn)
                    .filter_map(|e| {
                        let (p, q) = (st[e], st[(e + 1) % nn]);
                        ((p[0] > sv) != (q[0] > sv))
                            .then(|| p[1] + (q[1] - p[1]) * (sv - p[0]) / (q[0] - p[0]))
                    })
                    .collect();
                ts.sort_by(f64::total_cmp);
                for pair in ts.chunks_exact(2) {
                    assert!(
                        pair[1] - pair[0] <= m.perpendicular + 1e-9,
                        "case {case} at {sv}"
                    );
                }
            }
        }
    }

    fn on_boundary(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
        (0..ring.len()).any(|i| point_segment(p, ring[i], ring[(i + 1) % ring.len()]) < 1e-9)
    }

    #[test]
    fn rotating_calipers_equal_brute_force() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut sets: Vec<Vec<[f64; 2]>> = vec![
            rect(0.0, 0.0, 3.0, 1.0),
            circle(0.0, 0.0, 5.0, 1000),
            vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]],
        ];
        for _ in 0..300 {
            let n = 3 + (next() * 40.0) as usize;
            // Some on a coarse grid, for ties and collinear points.
            let coarse = next() < 0.3;
            sets.push(
                (0..n)
                    .map(|_| {
                        let (x, y) = (next() * 10.0, next() * 6.0);
                        if coarse {
                            [x.round(), y.round()]
                        } else {
                            [x, y]
                        }
                    })
                    .collect(),
            );
        }
        for pts in sets {
            let (i, j, d) = longest_diameter(&pts);
            let brute = (0..pts.len())
                .flat_map(|a| (0..pts.len()).map(move |b| (a, b)))
                .map(|(a, b)| (pts[a][0] - pts[b][0]).powi(2) + (pts[a][1] - pts[b][1]).powi(2))
                .fold(0.0, f64::max)
                .sqrt();
            assert_eq!(d, brute, "{pts:?}");
            assert!(close(
                d,
                (pts[i][0] - pts[j][0]).hypot(pts[i][1] - pts[j][1]),
                1e-12
            ));
        }
    }

    #[test]
    fn grow_square_is_the_minkowski_sum_in_mm() {
        // A square of side a grown by r: a² + 4ar + πr².
        let s = spacing(0.5, 0.5);
        let (a, r) = (5.0, 1.0);
        let g = grow(&rect(0.0, 0.0, 10.0, 10.0), r, &s).expect("grows");
        assert_eq!((g.rings.len(), g.holes_filled), (1, 0));
        let want = a * a + 4.0 * a * r + std::f64::consts::PI * r * r;
        let got = area_px(&g.rings[0]) * 0.25;
        assert!((got / want - 1.0).abs() < 0.005, "{got} vs {want}");
        assert!(shoelace2(&g.rings[0]) > 0.0, "clockwise on screen");
        assert!(problems(&g.rings[0]).is_empty());
        // Anisotropic: 10 px × 0.4 mm by 8 px × 0.5 mm is a 4 mm square; 1 mm more
        // on every side is 2.5 columns and 2 rows.
        let s = spacing(0.5, 0.4);
        let g = grow(&rect(0.0, 0.0, 10.0, 8.0), 1.0, &s).expect("grows");
        let (lo, hi) = bounds(&g.rings[0]);
        for (got, want) in [(lo[0], -2.5), (hi[0], 12.5), (lo[1], -2.0), (hi[1], 10.0)] {
            assert!(close(got, want, 1e-6), "{lo:?} {hi:?}");
        }
        let want = 16.0 + 16.0 + std::f64::consts::PI;
        let got = area_px(&g.rings[0]) * 0.2;
        assert!((got / want - 1.0).abs() < 0.005, "{got} vs {want}");
        // Every vertex of a round corner is 1 mm from the square's corner, to within
        // the arc error (in mm).
        for p in &g.rings[0] {
            let (dx, dy) = ((p[0] - 10.0) * 0.4, (p[1] - 8.0) * 0.5);
            if dx > 1e-9 && dy > 1e-9 {
                let dist = dx.hypot(dy);
                assert!(
                    (1.0 - ARC_ERROR_PX * 0.4 - 1e-6..=1.0 + 1e-6).contains(&dist),
                    "{dist}"
                );
            }
        }
    }

    #[test]
    fn shrinking_past_half_the_side_removes_the_shape() {
        let sq = rect(0.0, 0.0, 10.0, 10.0);
        let g = grow(&sq, -4.0, &PX).expect("shrinks");
        assert_eq!(g.rings.len(), 1);
        assert!(close(area_px(&g.rings[0]), 4.0, 1e-6), "{g:?}");
        assert_eq!(
            grow(&sq, -5.01, &PX).expect("shrinks").rings,
            Vec::<Vec<[f64; 2]>>::new()
        );
        // In mm: a 5 mm square (0.5 mm pixels) shrunk by 2.6 mm is gone.
        assert!(
            grow(&sq, -2.6, &spacing(0.5, 0.5))
                .expect("shrinks")
                .rings
                .is_empty()
        );
    }

    fn dumbbell() -> Vec<[f64; 2]> {
        // Two 10 × 10 squares, 6 apart, joined by a bar 2 tall.
        vec![
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 4.0],
            [16.0, 4.0],
            [16.0, 0.0],
            [26.0, 0.0],
            [26.0, 10.0],
            [16.0, 10.0],
            [16.0, 6.0],
            [10.0, 6.0],
            [10.0, 10.0],
            [0.0, 10.0],
        ]
    }

    #[test]
    fn shrinking_a_dumbbell_splits_it_in_two() {
        let g = grow(&dumbbell(), -1.5, &PX).expect("shrinks");
        assert_eq!(g.rings.len(), 2, "{g:?}");
        for r in &g.rings {
            assert!(close(area_px(r), 49.0, 0.5), "{}", area_px(r));
            assert!(problems(r).is_empty());
        }
        // Opening by the same distance removes the bar and keeps both squares.
        let o = opening(&dumbbell(), 1.5, &PX).expect("opens");
        assert_eq!(o.rings.len(), 2);
        assert!(o.rings.iter().all(|r| !raster::contains(r, [13.0, 5.0])));
    }

    #[test]
    fn opening_removes_a_thin_spike() {
        // A 20 × 20 square with a spike 1 px wide and 10 px long on its right side.
        let ring = [
            [0.0, 0.0],
            [20.0, 0.0],
            [20.0, 9.5],
            [30.0, 10.0],
            [20.0, 10.5],
            [20.0, 20.0],
            [0.0, 20.0],
        ];
        let o = opening(&ring, 1.5, &PX).expect("opens");
        assert_eq!((o.rings.len(), o.holes_filled), (1, 0));
        // Gone but for the tip a disc of radius 1.5 can push into the spike's base,
        // 1 px wide: 1.5 − √(1.5² − 0.5²) ≈ 0.086 px (a little less as it tapers).
        let (_, hi) = bounds(&o.rings[0]);
        let bump = 1.5 - 2f64.sqrt();
        assert!(
            hi[0] > 20.0 && hi[0] <= 20.0 + bump + 1e-6,
            "the spike is gone: {hi:?}"
        );
        // The square loses only its rounded convex corners: 4 · (1 − π/4) · r².
        let want = 400.0 + 5.0 - 4.0 * (1.0 - std::f64::consts::FRAC_PI_4) * 2.25;
        let got = area_px(&o.rings[0]);
        assert!(
            close(got, want - 5.0, 0.02 * 2.25 * 4.0),
            "{got} vs {}",
            want - 5.0
        );
    }

    #[test]
    fn closing_fills_a_narrow_notch_and_counts_filled_holes() {
        // A 20 × 20 square with a notch 1 px wide and 10 px deep from the top.
        let ring = [
            [0.0, 0.0],
            [9.5, 0.0],
            [9.5, 10.0],
            [10.5, 10.0],
            [10.5, 0.0],
            [20.0, 0.0],
            [20.0, 20.0],
            [0.0, 20.0],
        ];
        let c = closing(&ring, 1.5, &PX).expect("closes");
        assert_eq!((c.rings.len(), c.holes_filled), (1, 0));
        assert!(raster::contains(&c.rings[0], [10.0, 5.0]));
        // Exact but for the arcs of the intermediate grow (inscribed, so a little in).
        assert!(
            close(area_px(&c.rings[0]), 400.0, 0.1),
            "{}",
            area_px(&c.rings[0])
        );
        // A square ring with a slit 1 px wide: growing by 1 closes the slit, and the
        // hole inside is filled and counted.
        let c_shape = [
            [0.0, 0.0],
            [9.5, 0.0],
            [9.5, 4.0],
            [4.0, 4.0],
            [4.0, 16.0],
            [16.0, 16.0],
            [16.0, 4.0],
            [10.5, 4.0],
            [10.5, 0.0],
            [20.0, 0.0],
            [20.0, 20.0],
            [0.0, 20.0],
        ];
        let g = grow(&c_shape, 1.0, &PX).expect("grows");
        assert_eq!((g.rings.len(), g.holes_filled), (1, 1), "{g:?}");
        assert!(raster::contains(&g.rings[0], [10.0, 10.0]));
    }

    fn circle(cx: f64, cy: f64, r: f64, n: usize) -> Vec<[f64; 2]> {
        (0..n)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                [cx + r * a.cos(), cy + r * a.sin()]
            })
            .collect()
    }

    #[test]
    fn simplify_a_dense_circle_within_the_tolerance() {
        let s = spacing(0.5, 0.5);
        let ring = circle(30.0, 30.0, 20.0, 720);
        for method in [
            SimplifyMethod::RamerDouglasPeucker,
            SimplifyMethod::VisvalingamWhyatt,
        ] {
            for tol in [0.05, 0.2, 1.0] {
                let out = simplify(&ring, tol, &s, method).expect("simplifies");
                assert!(
                    out.len() >= 3 && out.len() < ring.len() / 4,
                    "{method:?} {tol}: {}",
                    out.len()
                );
                assert!(
                    out.iter().all(|p| ring.contains(p)),
                    "vertices are the input's"
                );
                assert!(problems(&out).is_empty());
                let h = hausdorff(&in_mm(&ring, &s), &in_mm(&out, &s));
                assert!(h <= tol + 1e-9, "{method:?} {tol}: Hausdorff {h}");
            }
        }
        // Zero tolerance: unchanged but for repeated points.
        let mut dup = ring.clone();
        dup.insert(5, dup[4]);
        let out = simplify(&dup, 0.0, &s, SimplifyMethod::RamerDouglasPeucker).expect("ok");
        assert_eq!(out, ring);
    }

    #[test]
    fn simplify_stays_valid_where_plain_rdp_crosses_itself() {
        // A long thin shape: the lower side bulges out by 0.9 (under the tolerance, so
        // RDP drops it and the side becomes straight), the upper side dips in a V
        // deeper than the tolerance (kept) that reaches below the straightened side.
        let ring = [
            [0.0, 0.5],
            [50.0, -0.4],
            [100.0, 0.5],
            [60.0, 2.0],
            [50.0, 0.0],
            [40.0, 2.0],
        ];
        assert!(problems(&ring).is_empty());
        let closed = LineString::new(ring.iter().chain(&ring[..1]).map(|p| coord(*p)).collect());
        let plain = open_ring(&geo::Simplify::simplify(&closed, 1.0));
        assert!(
            !crossings(&plain, true).is_empty(),
            "plain RDP crosses: {plain:?}"
        );
        for method in [
            SimplifyMethod::RamerDouglasPeucker,
            SimplifyMethod::VisvalingamWhyatt,
        ] {
            let out = simplify(&ring, 1.0, &PX, method).expect("simplifies");
            assert!(problems(&out).is_empty(), "{method:?}: {out:?}");
        }
        // A spiral band: two arms 0.6 apart with inward zigzags that both methods
        // want to drop at tolerance 1.
        let mut outer = Vec::new();
        let mut inner = Vec::new();
        for k in 0..=400 {
            let a = k as f64 * 0.03;
            let r = 5.0 + a * 2.0;
            let zig = if k % 2 == 0 { 0.25 } else { -0.25 };
            outer.push([
                50.0 + (r + 0.3 + zig) * a.cos(),
                50.0 + (r + 0.3 + zig) * a.sin(),
            ]);
            inner.push([
                50.0 + (r - 0.3 - zig) * a.cos(),
                50.0 + (r - 0.3 - zig) * a.sin(),
            ]);
        }
        inner.reverse();
        let spiral: Vec<[f64; 2]> = outer.into_iter().chain(inner).collect();
        assert!(problems(&spiral).is_empty());
        for method in [
            SimplifyMethod::RamerDouglasPeucker,
            SimplifyMethod::VisvalingamWhyatt,
        ] {
            for tol in [0.3, 1.0, 3.0] {
                let out = simplify(&spiral, tol, &PX, method).expect("simplifies");
                assert!(problems(&out).is_empty(), "{method:?} {tol}");
                assert!(out.len() >= 3);
            }
        }
    }

    #[test]
    fn simplify_keeps_random_spiky_rings_valid() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for case in 0..150 {
            let n = 8 + (next() * 60.0) as usize;
            let ring: Vec<[f64; 2]> = (0..n)
                .map(|k| {
                    let a = std::f64::consts::TAU * (k as f64 + 0.8 * next()) / n as f64;
                    let r = 2.0 + 18.0 * next();
                    [25.0 + r * a.cos(), 25.0 + r * a.sin()]
                })
                .collect();
            if !problems(&ring).is_empty() {
                continue;
            }
            let tol = 0.2 + 6.0 * next();
            for method in [
                SimplifyMethod::RamerDouglasPeucker,
                SimplifyMethod::VisvalingamWhyatt,
            ] {
                let out = simplify(&ring, tol, &spacing(0.7, 0.4), method).expect("simplifies");
                assert!(problems(&out).is_empty(), "case {case} {method:?} {tol}");
            }
        }
    }

    #[test]
    fn repair_splits_a_bow_tie_into_two_triangles_with_the_same_mask() {
        let bow = [[0.3, 0.2], [7.7, 7.9], [7.6, 0.1], [0.2, 7.8]];
        assert!(matches!(
            problems(&bow)[..],
            [RingProblem::SelfIntersection { edges: [0, 2], .. }]
        ));
        let rings = repair(&bow);
        assert_eq!(rings.len(), 2, "{rings:?}");
        for r in &rings {
            assert_eq!(r.len(), 3);
            assert!(problems(r).is_empty(), "{r:?}");
            assert!(shoelace2(r) > 0.0);
        }
        let (union, overlap) = union_mask(&rings, 9, 9);
        assert!(!overlap);
        assert_eq!(union, raster::mask(&bow, 9, 9));
        // The input's vertices come back exactly.
        for p in bow {
            assert!(rings.iter().flatten().any(|q| *q == p), "{p:?}");
        }
        // The crossing point is new, on the boolean operations' grid (~1e-9 here).
        let want = even_odd_area(&bow);
        let got: f64 = rings.iter().map(|r| area_px(r)).sum();
        assert!(close(got, want, 1e-7), "{got} vs {want}");
    }

    #[test]
    fn repair_opens_a_hole_made_by_overlap() {
        // A square whose ring runs in along a bridge, around an inner square the same
        // way, and back: by even-odd the inner square is a hole.
        let key = [
            [0.2, 0.3],
            [10.1, 0.3],
            [10.1, 10.2],
            [0.2, 10.2],
            [0.2, 5.1],
            [3.3, 5.1],
            [3.3, 3.2],
            [7.4, 3.2],
            [7.4, 7.3],
            [3.3, 7.3],
            [3.3, 5.1],
            [0.2, 5.1],
        ];
        assert!(!problems(&key).is_empty());
        let rings = repair(&key);
        assert!(rings.len() >= 2, "{rings:?}");
        for r in &rings {
            assert!(problems(r).is_empty(), "{r:?}");
        }
        let (union, overlap) = union_mask(&rings, 12, 12);
        assert!(!overlap);
        assert_eq!(union, raster::mask(&key, 12, 12));
        let got: f64 = rings.iter().map(|r| area_px(r)).sum();
        assert!(close(got, 9.9 * 9.9 - 4.1 * 4.1, 1e-9), "{got}");
        // A valid ring is returned as it is; a ring with no area gives nothing.
        let sq = rect(1.0, 1.0, 3.0, 3.0);
        assert_eq!(repair(&sq), vec![sq.clone()]);
        assert!(repair(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]).is_empty());
        assert!(repair(&[[0.0, 0.0], [1.0, f64::NAN], [2.0, 0.0]]).is_empty());
    }

    /// A square, a hole in it, an island in the hole: one ring, by the even-odd rule
    /// (zero-width bridges join the three squares, run along both ways).
    fn nested() -> Vec<[f64; 2]> {
        vec![
            [0.0, 0.0],
            [12.0, 0.0],
            [12.0, 12.0],
            [0.0, 12.0],
            [0.0, 6.0],
            [2.0, 6.0],
            [2.0, 2.0],
            [10.0, 2.0],
            [10.0, 10.0],
            [2.0, 10.0],
            [2.0, 6.0],
            [4.0, 6.0],
            [4.0, 4.0],
            [8.0, 4.0],
            [8.0, 8.0],
            [4.0, 8.0],
            [4.0, 6.0],
            [2.0, 6.0],
            [0.0, 6.0],
        ]
    }

    #[test]
    fn an_island_in_a_hole_is_repaired_apart_and_grown_over() {
        let ring = nested();
        assert!(close(even_odd_area(&ring), 144.0 - 64.0 + 16.0, 1e-9));
        let rings = repair(&ring);
        let (union, overlap) = union_mask(&rings, 13, 13);
        assert!(!overlap);
        assert_eq!(union, raster::mask(&ring, 13, 13));
        assert!(rings.iter().all(|r| problems(r).is_empty()), "{rings:?}");
        // Growing keeps the hole (then fills it): the island inside goes with it.
        let g = grow(&ring, 0.25, &PX).expect("grows");
        assert_eq!((g.rings.len(), g.holes_filled), (1, 1), "{g:?}");
        assert!(close(area_px(&g.rings[0]), 12.5 * 12.5, 0.1));
    }

    #[test]
    fn problems_by_hand() {
        assert_eq!(problems(&rect(0.0, 0.0, 2.0, 1.0)), []);
        assert_eq!(
            problems(&[[0.0, 0.0], [1.0, 0.0]]),
            [RingProblem::TooFewPoints { found: 2 }]
        );
        assert_eq!(
            problems(&[[0.0, 0.0], [1.0, f64::INFINITY], [1.0, 1.0]]),
            [RingProblem::NonFinite { index: 1 }]
        );
        // A repeated point and a repeated closing point: still a valid square else.
        assert_eq!(
            problems(&[
                [0.0, 0.0],
                [2.0, 0.0],
                [2.0, 0.0],
                [2.0, 2.0],
                [0.0, 2.0],
                [0.0, 0.0]
            ]),
            [
                RingProblem::RepeatedPoint { index: 0 },
                RingProblem::RepeatedPoint { index: 2 }
            ]
        );
        // A bow tie crosses at (2, 2), edges 0 and 2.
        assert_eq!(
            problems(&[[0.0, 0.0], [4.0, 4.0], [4.0, 0.0], [0.0, 4.0]]),
            [RingProblem::SelfIntersection {
                edges: [0, 2],
                at: [2.0, 2.0]
            }]
        );
        // A vertex touching another edge; a spike running back over its edge.
        let touch = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [2.0, 0.0], [0.0, 4.0]];
        assert!(
            problems(&touch)
                .iter()
                .any(|p| matches!(p, RingProblem::SelfIntersection { at: [2.0, 0.0], .. }))
        );
        let spike = [[0.0, 0.0], [4.0, 0.0], [6.0, 0.0], [5.0, 0.0], [4.0, 4.0]];
        assert!(
            problems(&spike)
                .iter()
                .any(|p| matches!(p, RingProblem::SelfIntersection { at: [6.0, 0.0], .. }))
        );
        assert_eq!(
            problems(&[[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]]),
            [
                RingProblem::SelfIntersection {
                    edges: [0, 2],
                    at: [0.0, 0.0]
                },
                RingProblem::SelfIntersection {
                    edges: [1, 2],
                    at: [3.0, 3.0]
                },
                RingProblem::ZeroArea
            ]
        );
        assert_eq!(
            RingProblem::SelfIntersection {
                edges: [0, 2],
                at: [2.0, 2.0]
            }
            .to_string(),
            "edges 0 and 2 cross near (2.0, 2.0)"
        );
    }

    #[test]
    fn errors_say_what_to_do() {
        let sq = rect(0.0, 0.0, 4.0, 4.0);
        let bow = [[0.0, 0.0], [4.0, 4.0], [4.0, 0.0], [0.0, 4.0]];
        assert!(matches!(
            grow(&sq, f64::NAN, &PX),
            Err(GeometryError::BadDistance(_))
        ));
        assert!(matches!(
            grow(&sq, f64::INFINITY, &PX),
            Err(GeometryError::BadDistance(_))
        ));
        assert!(matches!(
            simplify(&sq, -1.0, &PX, SimplifyMethod::RamerDouglasPeucker),
            Err(GeometryError::BadTolerance(_))
        ));
        let e = simplify(&bow, 1.0, &PX, SimplifyMethod::VisvalingamWhyatt).expect_err("crosses");
        assert_eq!(e, GeometryError::SelfIntersecting { at: [2.0, 2.0] });
        assert!(e.to_string().contains("repair it first"), "{e}");
        let e = grow(&[[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]], 1.0, &PX).expect_err("two points");
        assert_eq!(e, GeometryError::TooFewPoints { found: 2 });
        assert!(e.to_string().contains("draw it again"));
        assert_eq!(
            opening(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], 1.0, &PX),
            Err(GeometryError::ZeroArea)
        );
        assert_eq!(
            closing(&[[0.0, 0.0], [f64::NAN, 1.0], [2.0, 2.0]], 1.0, &PX),
            Err(GeometryError::NonFinite { index: 1 })
        );
        // A self-intersecting ring grows as its even-odd region: two triangles.
        let g = grow(&bow, 0.1, &PX).expect("grows");
        assert_eq!(g.rings.len(), 1, "the grown lobes merge at the crossing");
        assert!(measure(&[[0.0, 0.0], [1.0, 0.0]], &PX, None).is_none());
    }

    #[test]
    fn stats_by_hand_exclude_padding_and_non_finite_values() {
        // 4 × 4 frame; the square [1, 3] × [1, 3] covers pixels (1..3, 1..3):
        // indices 5, 6, 9, 10. Index 6 is NaN and index 10 padding, so the
        // statistics are over 5 and 9: mean 7, sample SD √((4 + 4) / 1) = √8.
        let mut values: Vec<f64> = (0..16).map(f64::from).collect();
        values[6] = f64::NAN;
        let mut padding = vec![false; 16];
        padding[10] = true;
        let frame = FrameView {
            rows: 4,
            cols: 4,
            values: &values,
            padding: &padding,
        };
        let m = measure(&rect(1.0, 1.0, 3.0, 3.0), &PX, Some(&frame)).expect("measures");
        let s = m.stats.expect("stats");
        assert_eq!(s.count, 2);
        assert_eq!((s.mean, s.min, s.max), (Some(7.0), Some(5.0), Some(9.0)));
        assert!(close(s.sd.expect("sd"), 8f64.sqrt(), 1e-12));
        // A shape partly outside the frame counts only the pixels in it: on a 2 × 2
        // frame, the triangle x + y < 4 covers all four centres, and x + y < 2.9
        // (from a triangle sticking out top-left) the centres of indices 0, 1, 2:
        // values 1, 2, 4, mean 7/3.
        let small = FrameView {
            rows: 2,
            cols: 2,
            values: &[1.0, 2.0, 4.0, 8.0],
            padding: &[],
        };
        let m =
            measure(&[[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]], &PX, Some(&small)).expect("measures");
        let s = m.stats.expect("stats");
        assert_eq!(s.count, 4);
        let m = measure(&[[-1.0, -1.0], [3.9, -1.0], [-1.0, 3.9]], &PX, Some(&small))
            .expect("measures");
        let s = m.stats.expect("stats");
        let mean = 7.0 / 3.0;
        let ss: f64 = [1.0f64, 2.0, 4.0].iter().map(|v| (v - mean).powi(2)).sum();
        assert_eq!(s.count, 3);
        assert!(close(s.mean.expect("mean"), mean, 1e-12));
        assert!(close(s.sd.expect("sd"), (ss / 2.0).sqrt(), 1e-12));
    }
}
