//! A binary mask's outlines as rings, so that what a tool computes as pixels (a grown
//! region, an interpolated slice) becomes ordinary editable shapes.
//!
//! Why trace pixel edges rather than run marching squares: a ring along the edges of
//! a set of pixels covers exactly those pixels under the one inclusion rule
//! ([`crate::annotate::raster`]: a pixel is inside when its centre is), so the shape a
//! reader receives is the mask itself, not an approximation of it; only the optional
//! simplification afterwards moves the outline, and by a bounded distance.
//!
//! Conventions:
//!
//! - Foreground is **4-connected**: two pixels touching only at a corner belong to
//!   different components and get different rings. Each component gets one ring.
//! - **Holes are ignored**: a shape is one ring, so only the outer boundary is traced
//!   (the mask is first filled with [`fill_holes`]; a component lying in another's
//!   hole is covered by that one's ring). With holes filled, a component's outer
//!   boundary never touches itself, so every ring is simple.
//! - Rings are in image pixel coordinates, open, without collinear points (with no
//!   simplification, their corners are pixel corners, at integers), with a positive shoelace sum (clockwise on screen, as
//!   [`crate::annotate::geometry`] makes its rings), in the order of each component's
//!   first pixel in row-major order.

use crate::annotate::geometry::{GeometryError, SimplifyMethod, simplify};
use crate::measure::PixelSpacing;

/// The simplification used. [`simplify`] keeps either method's ring simple (never
/// crossing or touching itself); Ramer–Douglas–Peucker also bounds how far the
/// outline moves (no dropped vertex is farther than the tolerance from the result),
/// which Visvalingam–Whyatt does not.
pub const METHOD: SimplifyMethod = SimplifyMethod::RamerDouglasPeucker;

/// Sets every background pixel of `mask` (row-major, `rows × cols`) that is not
/// 4-connected to the frame's edge through background: the mask's holes are filled.
pub fn fill_holes(mask: &mut [bool], rows: usize, cols: usize) {
    if mask.len() != rows * cols {
        return;
    }
    // Background outside the box is connected to the frame's edge along its own row
    // or column, so only the box is flooded, from its border.
    let Some([r0, c0, h, w]) = margin_box(mask, rows, cols) else {
        return;
    };
    let at = |k: usize| (r0 + k / w) * cols + c0 + k % w;
    let mut outside = vec![false; h * w];
    let mut stack: Vec<usize> = Vec::new();
    let border = (0..w)
        .flat_map(|c| [c, (h - 1) * w + c])
        .chain((0..h).flat_map(|r| [r * w, r * w + w - 1]));
    for k in border {
        if !mask[at(k)] && !outside[k] {
            outside[k] = true;
            stack.push(k);
        }
    }
    while let Some(k) = stack.pop() {
        for j in neighbours(k, h, w).into_iter().flatten() {
            if !outside[j] && !mask[at(j)] {
                outside[j] = true;
                stack.push(j);
            }
        }
    }
    for (k, _) in outside.iter().enumerate().filter(|(_, o)| !**o) {
        mask[at(k)] = true;
    }
}

/// The box of the pixels of `mask` (`rows × cols`) grown by one pixel within the
/// frame, as first row, first column, rows, columns; `None` without pixels.
pub(crate) fn margin_box(mask: &[bool], rows: usize, cols: usize) -> Option<[usize; 4]> {
    let row = |r: usize| &mask[r * cols..(r + 1) * cols];
    let first = (0..rows).find(|&r| row(r).contains(&true))?;
    let last = (first..rows).rev().find(|&r| row(r).contains(&true))?;
    let (mut lo, mut hi) = (cols, 0);
    for r in first..=last {
        if let (Some(a), Some(b)) = (
            row(r).iter().position(|&x| x),
            row(r).iter().rposition(|&x| x),
        ) {
            (lo, hi) = (lo.min(a), hi.max(b));
        }
    }
    let (r0, c0) = (first.saturating_sub(1), lo.saturating_sub(1));
    let (r1, c1) = ((last + 1).min(rows - 1), (hi + 1).min(cols - 1));
    Some([r0, c0, r1 - r0 + 1, c1 - c0 + 1])
}

/// The 4-neighbours of pixel `i` that lie on the frame.
fn neighbours(i: usize, rows: usize, cols: usize) -> [Option<usize>; 4] {
    let (r, c) = (i / cols, i % cols);
    [
        (r > 0).then(|| i - cols),
        (r + 1 < rows).then(|| i + cols),
        (c > 0).then(|| i - 1),
        (c + 1 < cols).then(|| i + 1),
    ]
}

/// The outer outlines of `mask` (row-major, `rows × cols`, `true` inside), one ring
/// per 4-connected component of the mask with its holes filled (see the module doc),
/// simplified by [`simplify`] with [`METHOD`] when `tolerance_mm > 0` (in mm through
/// `spacing`, in pixels when it is uncalibrated).
///
/// Simplifying the traced ring itself would hardly work: its vertices alternate
/// between the outer and inner corners of every staircase step, and a diagonal
/// step's inner corner is √2/2 px from the line through the outer ones, above a
/// half-pixel tolerance. So before simplifying, each corner is cut through the
/// midpoints of its two pixel edges. That ring holds exactly the same pixel centres
/// (the triangle cut off or added at a corner is `u + v ≤ ½` in the corner's
/// quadrant, where the nearest pixel centre has `u + v = 1`), stays simple (the
/// triangles of different corners are disjoint), and lies within √2/4 px of the
/// traced one; the simplified ring is within the tolerance of it.
///
/// With a tolerance of 0, the union of the rings' pixels by the centre rule is exactly
/// the mask with its holes filled. A ring the simplification refuses for another
/// reason than a zero area is kept unsimplified; one refused for a zero area (which
/// pixel outlines cannot have) is dropped. A mask whose length is not `rows × cols`
/// has no rings.
pub fn rings(
    mask: &[bool],
    rows: usize,
    cols: usize,
    tolerance_mm: f64,
    spacing: &PixelSpacing,
) -> Vec<Vec<[f64; 2]>> {
    if mask.len() != rows * cols {
        return Vec::new();
    }
    let mut filled = mask.to_vec();
    fill_holes(&mut filled, rows, cols);
    let (labels, firsts) = components(&filled, rows, cols);
    firsts
        .iter()
        .enumerate()
        .filter_map(|(k, &first)| {
            let ring = trace(&labels, rows, cols, k as u32 + 1, first);
            simplified(ring, tolerance_mm, spacing)
        })
        .collect()
}

/// `ring` simplified, unchanged on a refusal, `None` when refused as zero-area.
fn simplified(
    ring: Vec<[f64; 2]>,
    tolerance_mm: f64,
    spacing: &PixelSpacing,
) -> Option<Vec<[f64; 2]>> {
    if tolerance_mm.is_nan() || tolerance_mm <= 0.0 {
        return Some(ring);
    }
    match simplify(&cut_corners(&ring), tolerance_mm, spacing, METHOD) {
        Ok(out) => Some(out),
        Err(GeometryError::ZeroArea) => None,
        Err(_) => Some(ring),
    }
}

/// A traced `ring` with each corner cut through the midpoints of the two pixel edges
/// that meet there (see [`rings`]): a one-pixel staircase becomes a straight line.
fn cut_corners(ring: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let n = ring.len();
    // Edges are axis-parallel, so the step from p to q over its length is a unit one.
    let unit = |p: [f64; 2], q: [f64; 2]| {
        let length = (q[0] - p[0]).abs() + (q[1] - p[1]).abs();
        [(q[0] - p[0]) / length, (q[1] - p[1]) / length]
    };
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(2 * n);
    for i in 0..n {
        let (prev, v, next) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
        let (d_in, d_out) = (unit(prev, v), unit(v, next));
        for p in [
            [v[0] - 0.5 * d_in[0], v[1] - 0.5 * d_in[1]],
            [v[0] + 0.5 * d_out[0], v[1] + 0.5 * d_out[1]],
        ] {
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// Labels of the 4-connected components (0 for background, 1.. in the order of each
/// component's first pixel in row-major order) and each component's first pixel.
fn components(mask: &[bool], rows: usize, cols: usize) -> (Vec<u32>, Vec<usize>) {
    let mut labels = vec![0u32; mask.len()];
    let mut firsts = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || labels[start] != 0 {
            continue;
        }
        firsts.push(start);
        let label = firsts.len() as u32;
        labels[start] = label;
        stack.push(start);
        while let Some(i) = stack.pop() {
            for j in neighbours(i, rows, cols).into_iter().flatten() {
                if mask[j] && labels[j] == 0 {
                    labels[j] = label;
                    stack.push(j);
                }
            }
        }
    }
    (labels, firsts)
}

/// The boundary of component `label`, from the top-left corner of its first pixel
/// `first` (whose pixels above and to the left are not in it), walked along pixel
/// edges with the component on the right (`y` down), keeping only the corners.
///
/// At each vertex the walk looks at the two pixels ahead: ahead-right outside → turn
/// right; both inside → turn left; else straight on. Turning right when only the
/// diagonal pixel ahead-left is inside keeps two pixels that touch at a corner apart,
/// which is 4-connectivity.
fn trace(labels: &[u32], rows: usize, cols: usize, label: u32, first: usize) -> Vec<[f64; 2]> {
    let inside = |x: i64, y: i64| {
        x >= 0
            && y >= 0
            && (x as usize) < cols
            && (y as usize) < rows
            && labels[y as usize * cols + x as usize] == label
    };
    let start = ((first % cols) as i64, (first / cols) as i64);
    let (mut x, mut y) = start;
    let (mut dx, mut dy) = (1i64, 0i64);
    let mut ring = vec![[start.0 as f64, start.1 as f64]];
    // Every boundary edge is walked once; the bound only guards against a bug.
    for _ in 0..4 * (labels.len() + 1) {
        x += dx;
        y += dy;
        // The pixels ahead of vertex (x, y): the right-hand normal of (dx, dy) is
        // (-dy, dx); a pixel's index is the floor of its centre.
        let ahead_right = inside(
            x + (dx - dy - 1).div_euclid(2),
            y + (dy + dx - 1).div_euclid(2),
        );
        let ahead_left = inside(
            x + (dx + dy - 1).div_euclid(2),
            y + (dy - dx - 1).div_euclid(2),
        );
        let (ndx, ndy) = match (ahead_right, ahead_left) {
            (false, _) => (-dy, dx),
            (true, true) => (dy, -dx),
            (true, false) => (dx, dy),
        };
        if (x, y) == start {
            break;
        }
        if (ndx, ndy) != (dx, dy) {
            ring.push([x as f64, y as f64]);
        }
        (dx, dy) = (ndx, ndy);
    }
    ring
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::region::Region;

    fn mask_of(rows: usize, text: &str) -> (Vec<bool>, usize) {
        let m: Vec<bool> = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c == '#')
            .collect();
        let cols = m.len() / rows;
        (m, cols)
    }

    fn covered(rings: &[Vec<[f64; 2]>], rows: usize, cols: usize) -> Vec<bool> {
        let region = rings.iter().fold(Region::default(), |acc, r| {
            acc.union(&Region::of_ring(r, rows as u32, cols as u32))
        });
        region.grid([0, 0, rows as u32, cols as u32])
    }

    #[test]
    fn a_single_pixel_and_a_square() {
        let (m, cols) = mask_of(3, "... .#. ...");
        let r = rings(&m, 3, cols, 0.0, &PixelSpacing::UNCALIBRATED);
        assert_eq!(r, [vec![[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 2.0]]]);
        let (m, cols) = mask_of(2, "## ##");
        let r = rings(&m, 2, cols, 0.0, &PixelSpacing::UNCALIBRATED);
        assert_eq!(r, [vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]]]);
    }

    #[test]
    fn diagonal_neighbours_are_separate_rings() {
        let (m, cols) = mask_of(3, "#.. .#. ..#");
        let r = rings(&m, 3, cols, 0.0, &PixelSpacing::UNCALIBRATED);
        assert_eq!(r.len(), 3);
        assert_eq!(r[1][0], [1.0, 1.0]);
        assert_eq!(covered(&r, 3, cols), m);
    }

    #[test]
    fn a_ring_with_a_corner_gap_is_one_simple_ring() {
        // The hole touches the outside only at a corner: it is 4-enclosed, so filled.
        let (m, cols) = mask_of(4, ".##. #.#. ###. ....");
        let r = rings(&m, 4, cols, 0.0, &PixelSpacing::UNCALIBRATED);
        assert_eq!(r.len(), 1);
        assert!(
            crate::annotate::geometry::problems(&r[0]).is_empty(),
            "{r:?}"
        );
        let mut filled = m.clone();
        fill_holes(&mut filled, 4, cols);
        assert!(filled[5]);
        assert_eq!(covered(&r, 4, cols), filled);
    }

    #[test]
    fn an_l_shape_keeps_only_corners_with_a_positive_orientation() {
        let (m, cols) = mask_of(3, "#.. #.. ###");
        let r = rings(&m, 3, cols, 0.0, &PixelSpacing::UNCALIBRATED);
        let want = [
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 2.0],
            [3.0, 2.0],
            [3.0, 3.0],
            [0.0, 3.0],
        ];
        assert_eq!(r, [want.to_vec()]);
        let n = want.len();
        let twice_area: f64 = (0..n)
            .map(|i| {
                let (p, q) = (want[i], want[(i + 1) % n]);
                p[0] * q[1] - q[0] * p[1]
            })
            .sum();
        assert_eq!(twice_area, 10.0);
    }

    #[test]
    fn a_wrong_sized_mask_has_no_rings() {
        assert!(rings(&[true; 5], 2, 2, 0.0, &PixelSpacing::UNCALIBRATED).is_empty());
    }
}
