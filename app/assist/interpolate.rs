//! Outlines drawn on a few key frames fill the frames between: shape-based
//! interpolation (Raya and Udupa 1990; Herman, Zheng and Bucholtz 1992).
//!
//! Why signed distances rather than morphing vertices: two outlines have no natural
//! vertex correspondence (different counts, starting points, a lobe on one side only),
//! while a signed distance map has one value per pixel on both frames. Blending the
//! two maps and keeping where the blend is at most 0 moves the boundary smoothly from
//! one key to the other, lets shapes grow, shrink, shift and change topology, and
//! needs nothing but an exact distance transform (the one the agreement metrics use,
//! [`crate::agreement::surface`]), linear in the pixels.
//!
//! The proposals are ordinary shapes marked `source: "interpolated"` with the key
//! frames they came from; frames a reader drew on are keys and are never replaced.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::agreement::region::Region;
use crate::agreement::surface::{FAR, transform_2d};
use crate::annotate::shape::{Grade, ImageKey, Shape, ShapeImage, ShapeKind};
use crate::assist::contour;
use crate::measure::PixelSpacing;

/// The `source` of an interpolated shape.
pub const SOURCE: &str = "interpolated";

/// The signed distance map of `mask` (row-major, `rows × cols`) with `spacing` =
/// [row step, column step] in mm: negative inside, positive outside.
///
/// Convention: `d` is the Euclidean distance from a pixel's centre to the nearest
/// centre of a pixel of the other class, and `h` half the smaller pixel step; the map
/// holds `d − h` outside and `−(d − h)` inside. Along a row or column of square pixels
/// `d − h` is the distance from the centre to the boundary (the pixel edge between
/// the two classes), so blended maps move boundaries in proportion. Every inside
/// pixel holds at most `−h` and every outside one at least `h`, so `map ≤ 0` gives
/// the mask back exactly. A mask with no pixel of the other class holds `+∞` (empty)
/// or `−∞` (full) everywhere; a mask of the wrong length gives an empty map.
pub fn signed_distance(mask: &[bool], rows: usize, cols: usize, spacing: [f64; 2]) -> Vec<f64> {
    if mask.len() != rows * cols {
        return Vec::new();
    }
    let h = spacing[0].min(spacing[1]) / 2.0;
    let to_inside = distance_to(mask, true, rows, cols, spacing);
    let to_outside = distance_to(mask, false, rows, cols, spacing);
    mask.iter()
        .zip(to_inside.iter().zip(&to_outside))
        .map(|(&m, (&di, &dout))| if m { h - dout } else { di - h })
        .collect()
}

/// The distance from every pixel whose class is not `class` to the nearest pixel of
/// `class` (`+∞` when there is none; other pixels hold 0 or partial results).
fn distance_to(
    mask: &[bool],
    class: bool,
    rows: usize,
    cols: usize,
    spacing: [f64; 2],
) -> Vec<f64> {
    let mut grid: Vec<f64> = mask
        .iter()
        .map(|&m| if m == class { 0.0 } else { FAR })
        .collect();
    let wanted: Vec<bool> = mask.iter().map(|&m| m != class).collect();
    transform_2d(&mut grid, &wanted, rows, cols, spacing);
    grid.into_iter()
        .map(|d| if d >= FAR { f64::INFINITY } else { d.sqrt() })
        .collect()
}

/// The signed distance maps of two key masks over the box that holds both (plus a
/// one-pixel margin, so the distances there are those of the whole frame): outside
/// the box both maps are positive, so no blend is inside.
struct KeyPair {
    /// First row, first column, rows, columns of the box.
    frame: [usize; 4],
    a: Vec<f64>,
    b: Vec<f64>,
}

impl KeyPair {
    /// `None` when both masks are empty or either has the wrong length.
    fn new(a: &[bool], b: &[bool], rows: usize, cols: usize, spacing: [f64; 2]) -> Option<Self> {
        if a.len() != rows * cols || b.len() != rows * cols {
            return None;
        }
        let union: Vec<bool> = a.iter().zip(b).map(|(x, y)| *x || *y).collect();
        let [r0, c0, h, w] = contour::margin_box(&union, rows, cols)?;
        let crop = |m: &[bool]| -> Vec<bool> {
            (r0..r0 + h)
                .flat_map(|r| m[r * cols + c0..r * cols + c0 + w].iter().copied())
                .collect()
        };
        Some(Self {
            frame: [r0, c0, h, w],
            a: signed_distance(&crop(a), h, w, spacing),
            b: signed_distance(&crop(b), h, w, spacing),
        })
    }

    /// The blended mask at `t` on the whole `rows × cols` frame.
    fn at(&self, t: f64, rows: usize, cols: usize) -> Vec<bool> {
        let [r0, c0, _, w] = self.frame;
        let mut out = vec![false; rows * cols];
        for (i, (&sa, &sb)) in self.a.iter().zip(&self.b).enumerate() {
            let v = weighted(1.0 - t, sa) + weighted(t, sb);
            out[(r0 + i / w) * cols + c0 + i % w] = v <= 0.0;
        }
        out
    }
}

/// `w · s`, 0 when the weight is 0 (so an infinite map at weight 0 drops out).
fn weighted(w: f64, s: f64) -> f64 {
    if w == 0.0 { 0.0 } else { w * s }
}

/// The mask at fraction `t` between key masks `a` (`t` = 0) and `b` (`t` = 1), both
/// `rows × cols` with `spacing` = [row step, column step] in mm: the pixels where
/// `(1 − t) · sd_a + t · sd_b ≤ 0` ([`signed_distance`]).
///
/// Tie rule: a pixel whose blend is exactly 0 is inside. A key without pixels (or
/// with nothing else) has an infinite map: at any `t < 1` an empty `a` gives an empty
/// mask, and where an infinite map meets the opposite infinity the pixel is outside.
/// Masks of the wrong length give an empty mask.
pub fn between(
    a: &[bool],
    b: &[bool],
    rows: usize,
    cols: usize,
    spacing: [f64; 2],
    t: f64,
) -> Vec<bool> {
    match KeyPair::new(a, b, rows, cols, spacing) {
        Some(pair) => pair.at(t, rows, cols),
        None => vec![false; rows * cols],
    }
}

/// The masks of the slices strictly between consecutive key slices of one label in
/// one series. `keys` are (slice index, mask) in any order (a repeated slice keeps
/// its first mask), every mask `rows × cols` with `spacing` = [row step, column step]
/// in mm; `positions[i]` is slice `i`'s place along the slice normal in mm, when known.
///
/// A slice's fraction `t` comes from the positions when the slice and both keys have
/// one and it falls strictly between 0 and 1, else from the slice indices. No
/// interpolation crosses an empty key (a key with no pixel ends the structure: the
/// slices up to the next key get nothing). Results with no pixel are left out; the
/// rest come in slice order.
pub fn interpolate_series(
    keys: &[(usize, &[bool])],
    positions: &[Option<f64>],
    rows: usize,
    cols: usize,
    spacing: [f64; 2],
) -> Vec<(usize, Vec<bool>)> {
    let mut keys = keys.to_vec();
    keys.sort_by_key(|k| k.0);
    keys.dedup_by_key(|k| k.0);
    keys.par_windows(2)
        .flat_map_iter(|w| gap_masks(w[0], w[1], positions, rows, cols, spacing))
        .collect()
}

/// The non-empty masks of the slices strictly between keys `a` and `b`.
fn gap_masks(
    a: (usize, &[bool]),
    b: (usize, &[bool]),
    positions: &[Option<f64>],
    rows: usize,
    cols: usize,
    spacing: [f64; 2],
) -> Vec<(usize, Vec<bool>)> {
    if b.0 < a.0 + 2 || !a.1.contains(&true) || !b.1.contains(&true) {
        return Vec::new();
    }
    let Some(pair) = KeyPair::new(a.1, b.1, rows, cols, spacing) else {
        return Vec::new();
    };
    (a.0 + 1..b.0)
        .map(|s| (s, pair.at(fraction(positions, a.0, s, b.0), rows, cols)))
        .filter(|(_, m)| m.contains(&true))
        .collect()
}

/// Where slice `s` lies between key slices `a` and `b`, from 0 to 1 (see
/// [`interpolate_series`]).
fn fraction(positions: &[Option<f64>], a: usize, s: usize, b: usize) -> f64 {
    let at = |i: usize| {
        positions
            .get(i)
            .copied()
            .flatten()
            .filter(|p| p.is_finite())
    };
    let by_index = (s - a) as f64 / (b - a) as f64;
    match (at(a), at(s), at(b)) {
        (Some(pa), Some(ps), Some(pb)) => {
            let t = (ps - pa) / (pb - pa);
            if t > 0.0 && t < 1.0 { t } else { by_index }
        }
        _ => by_index,
    }
}

/// One slice of a series as [`interpolated_shapes`] sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameSlot {
    /// The frame, as shapes name it.
    pub image: ShapeImage,
    /// Rows of the frame.
    pub rows: u32,
    /// Columns of the frame.
    pub cols: u32,
    /// Its pixel spacing (distances in pixels when uncalibrated).
    pub spacing: PixelSpacing,
    /// Its place along the slice normal, mm, when known.
    pub position_mm: Option<f64>,
}

/// The interpolated shapes of a series: for each label and annotator among `keys`
/// (shapes on frames of `frames`, the series' slices in slice order), every slice
/// strictly between two consecutive slices holding such shapes gets the outlines of
/// the blended mask ([`interpolate_series`]).
///
/// Slices holding a shape of the label by the annotator are keys and get nothing; a
/// key's mask is the union of the pixels of those shapes that enclose an area, so a
/// slice holding only points of the label is an empty key, which no interpolation
/// crosses. Shapes on frames not in `frames` are ignored. A gap whose slices
/// differ in size is skipped; distances use the first key's spacing. Outlines come
/// from [`contour::rings`] (holes filled) simplified by half a pixel. Each shape is a
/// polygon of the key's label and annotator, grade none, `source` [`SOURCE`] and
/// `source_parameters` `{"key_frames": [first, last]}` (slice numbers from 1), with an
/// id `interpolated:<hash of series, frame, label, annotator>:<ring from 1>`, stable
/// across runs and never one [`crate::annotate::new_shape_id`] makes (it has no colon);
/// `created` and `modified` are empty for the caller to stamp.
pub fn interpolated_shapes(keys: &[&Shape], frames: &[FrameSlot]) -> Vec<Shape> {
    let slot_of: HashMap<ImageKey, usize> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| (f.image.key(), i))
        .collect();
    type Group<'a> = BTreeMap<usize, Vec<&'a Shape>>;
    let mut groups: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    for shape in keys {
        if let Some(&slot) = slot_of.get(&shape.image.key()) {
            let group = groups.entry((&shape.label, &shape.annotator)).or_default();
            group.entry(slot).or_default().push(shape);
        }
    }
    let gaps: Vec<_> = groups
        .values()
        .flat_map(|g| g.iter().zip(g.iter().skip(1)))
        .collect();
    gaps.par_iter()
        .flat_map_iter(|&((&first, a), (&last, b))| gap_shapes(a, b, first, last, frames))
        .collect()
}

/// The shapes of the slices strictly between key slices `first` (shapes `a`) and
/// `last` (shapes `b`), all of one label and annotator.
fn gap_shapes(
    a: &[&Shape],
    b: &[&Shape],
    first: usize,
    last: usize,
    frames: &[FrameSlot],
) -> Vec<Shape> {
    let (rows, cols) = (frames[first].rows, frames[first].cols);
    let same_size = frames[first..=last]
        .iter()
        .all(|f| (f.rows, f.cols) == (rows, cols));
    let (Some(model), true) = (a.first(), same_size) else {
        return Vec::new();
    };
    let positions: Vec<Option<f64>> = frames.iter().map(|f| f.position_mm).collect();
    let (mask_a, mask_b) = (key_mask(a, rows, cols), key_mask(b, rows, cols));
    let (spacing, (r, c)) = (frames[first].spacing, (rows as usize, cols as usize));
    let step = spacing_mm(&spacing);
    let masks = gap_masks((first, &mask_a), (last, &mask_b), &positions, r, c, step);
    let tolerance = step[0].min(step[1]) / 2.0;
    masks
        .into_iter()
        .flat_map(|(slice, mask)| {
            let rings = contour::rings(&mask, r, c, tolerance, &spacing);
            let image = &frames[slice].image;
            rings
                .into_iter()
                .enumerate()
                .map(move |(k, ring)| shape(model, image, ring, k, [first, last]))
        })
        .collect()
}

/// The union of the pixels of the area shapes of `shapes` on a `rows × cols` frame,
/// row-major.
fn key_mask(shapes: &[&Shape], rows: u32, cols: u32) -> Vec<bool> {
    shapes
        .iter()
        .filter(|s| s.kind.is_area())
        .fold(Region::default(), |acc, s| {
            acc.union(&Region::of_ring(&s.points, rows, cols))
        })
        .grid([0, 0, rows, cols])
}

/// [row step, column step] in mm, or [1, 1] (pixels) when uncalibrated.
fn spacing_mm(spacing: &PixelSpacing) -> [f64; 2] {
    if spacing.is_calibrated() {
        [spacing.row_mm, spacing.col_mm]
    } else {
        [1.0, 1.0]
    }
}

/// The interpolated polygon `ring` (ring `k` of its frame) on `image`, with the label
/// and annotator of `model`, from key slices `keys` (indices from 0).
fn shape(
    model: &Shape,
    image: &ShapeImage,
    ring: Vec<[f64; 2]>,
    k: usize,
    keys: [usize; 2],
) -> Shape {
    let mut parameters = serde_json::Map::new();
    parameters.insert(
        "key_frames".into(),
        serde_json::json!([keys[0] + 1, keys[1] + 1]),
    );
    Shape {
        id: format!("{SOURCE}:{}:{}", id_hash(model, image), k + 1),
        kind: ShapeKind::Polygon,
        label: model.label.clone(),
        image: image.clone(),
        points: ring,
        grade: Grade::None,
        score: None,
        source: Some(SOURCE.to_owned()),
        source_parameters: parameters,
        note: String::new(),
        annotator: model.annotator.clone(),
        created: String::new(),
        modified: String::new(),
    }
}

/// 16 hex digits of SHA-256 over the series, frame, label and annotator.
fn id_hash(model: &Shape, image: &ShapeImage) -> String {
    let mut h = Sha256::new();
    let frame = image.frame.to_string();
    for part in [
        &image.series_uid,
        &image.sop_uid,
        &frame,
        &model.label,
        &model.annotator,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_distance_in_one_row() {
        // Pixels 2..4 of 7 inside, 1 mm columns, 2 mm rows: h = 0.5.
        let m = [false, false, true, true, true, false, false];
        let sd = signed_distance(&m, 1, 7, [2.0, 1.0]);
        assert_eq!(sd, [1.5, 0.5, -0.5, -1.5, -0.5, 0.5, 1.5]);
        assert!(
            signed_distance(&[false; 3], 1, 3, [1.0, 1.0])
                .iter()
                .all(|d| *d == f64::INFINITY)
        );
        assert!(signed_distance(&[true; 2], 1, 3, [1.0, 1.0]).is_empty());
    }

    #[test]
    fn fractions_from_positions_or_indices() {
        let p = [Some(0.0), None, Some(3.0), Some(4.0)];
        assert_eq!(fraction(&p, 0, 2, 3), 0.75);
        assert_eq!(fraction(&p, 0, 1, 3), 1.0 / 3.0);
        let reversed = [Some(0.0), Some(5.0), Some(1.0)];
        assert_eq!(fraction(&reversed, 0, 1, 2), 0.5);
    }

    #[test]
    fn ends_give_the_keys_back_and_empty_keys_stop_interpolation() {
        let a = [false, true, true, false, false, false];
        let b = [false, false, false, false, true, true];
        assert_eq!(between(&a, &b, 2, 3, [1.0, 1.0], 0.0), a);
        assert_eq!(between(&a, &b, 2, 3, [1.0, 1.0], 1.0), b);
        let empty = [false; 6];
        let keys: [(usize, &[bool]); 3] = [(0, &a), (3, &empty), (6, &b)];
        assert!(interpolate_series(&keys, &[], 2, 3, [1.0, 1.0]).is_empty());
    }
}
