//! Which pixels a ring covers: the one inclusion rule for masks and pixel statistics.
//!
//! **A pixel is inside when its centre is inside the ring by the even-odd rule.** The
//! centre of pixel `(col, row)` is `(col + 0.5, row + 0.5)` (see [`crate::annotate`]).
//! Ties are settled exactly as W. R. Franklin's PNPOLY settles them: an edge counts for
//! a scanline at `y` when one end has `y_end > y` and the other not, and it crosses to
//! the right of a centre at `x` when its crossing `x_edge > x`. So of two shapes sharing
//! an edge, a centre exactly on it belongs to one of them, never both or neither (for
//! a vertical edge: the shape on its right). A self-intersecting ring covers its
//! overlaps an even number of times as holes, as the rule says.

use std::ops::Range;

/// The pixels of one image row inside a ring: columns `cols` of row `row`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The row.
    pub row: u32,
    /// The columns, half-open.
    pub cols: Range<u32>,
}

/// True when `point` is inside `ring` by the rule of the module doc.
pub fn contains(ring: &[[f64; 2]], point: [f64; 2]) -> bool {
    let [x, y] = point;
    let mut inside = false;
    let n = ring.len();
    for i in 0..n {
        let [xi, yi] = ring[i];
        let [xj, yj] = ring[(i + n - 1) % n];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
    }
    inside
}

/// The pixels of a `rows × cols` image inside `ring`, row by row, as column spans.
/// A ring of fewer than 3 points or with a non-finite coordinate covers nothing.
pub fn spans(ring: &[[f64; 2]], rows: u32, cols: u32) -> Vec<Span> {
    let mut out = Vec::new();
    if ring.len() < 3 || ring.iter().flatten().any(|v| !v.is_finite()) {
        return out;
    }
    let (y_min, y_max) = ring
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p[1]), hi.max(p[1]))
        });
    // Rows whose centre r + 0.5 can lie in [y_min, y_max], clamped to the image.
    let first = ((y_min - 0.5).ceil().max(0.0)).min(f64::from(rows)) as u32;
    let end = ((y_max - 0.5).floor() + 1.0).clamp(0.0, f64::from(rows)) as u32;
    let n = ring.len();
    let mut crossings: Vec<f64> = Vec::new();
    for row in first..end {
        let y = f64::from(row) + 0.5;
        crossings.clear();
        for i in 0..n {
            let [xi, yi] = ring[i];
            let [xj, yj] = ring[(i + n - 1) % n];
            if (yi > y) != (yj > y) {
                crossings.push((xj - xi) * (y - yi) / (yj - yi) + xi);
            }
        }
        crossings.sort_by(f64::total_cmp);
        // A centre x is inside when an odd number of crossings lie strictly to its
        // right: x in [c[2k], c[2k+1]). Columns c with c + 0.5 in that interval.
        for pair in crossings.chunks_exact(2) {
            let c0 = column_at_or_after(pair[0], cols);
            let c1 = column_at_or_after(pair[1], cols);
            if c0 < c1 {
                out.push(Span { row, cols: c0..c1 });
            }
        }
    }
    out
}

/// The first column whose centre is at or right of `x`, clamped to `0..=cols`.
fn column_at_or_after(x: f64, cols: u32) -> u32 {
    (x - 0.5).ceil().clamp(0.0, f64::from(cols)) as u32
}

/// The binary mask of `ring` on a `rows × cols` image, row-major, `true` inside.
pub fn mask(ring: &[[f64; 2]], rows: u32, cols: u32) -> Vec<bool> {
    let mut out = vec![false; rows as usize * cols as usize];
    for span in spans(ring, rows, cols) {
        let start = span.row as usize * cols as usize;
        out[start + span.cols.start as usize..start + span.cols.end as usize].fill(true);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pixel of a small image by the point test: the truth the spans must equal.
    fn by_point_test(ring: &[[f64; 2]], rows: u32, cols: u32) -> Vec<bool> {
        (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (r, c)))
            .map(|(r, c)| contains(ring, [f64::from(c) + 0.5, f64::from(r) + 0.5]))
            .collect()
    }

    #[test]
    fn square_on_pixel_edges_covers_exactly_its_pixels() {
        // The square [1, 3] × [1, 3] covers pixels (1..3, 1..3): their centres 1.5 and 2.5.
        let ring = [[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0]];
        let m = mask(&ring, 4, 4);
        let inside: Vec<(usize, usize)> =
            (0..16).filter(|i| m[*i]).map(|i| (i % 4, i / 4)).collect();
        assert_eq!(inside, [(1, 1), (2, 1), (1, 2), (2, 2)]);
    }

    #[test]
    fn centre_on_a_shared_edge_goes_to_exactly_one_side() {
        // Two rectangles sharing the vertical edge x = 2.5, which passes through the
        // centres of column 2: the right one takes them.
        let left = [[0.0, 0.0], [2.5, 0.0], [2.5, 3.0], [0.0, 3.0]];
        let right = [[2.5, 0.0], [5.0, 0.0], [5.0, 3.0], [2.5, 3.0]];
        let (l, r) = (mask(&left, 3, 5), mask(&right, 3, 5));
        for row in 0..3 {
            assert!(!l[row * 5 + 2] && r[row * 5 + 2], "row {row}");
        }
        assert!(l.iter().zip(&r).all(|(a, b)| !(a & b)));
        assert_eq!(l.iter().chain(&r).filter(|b| **b).count(), 15);
    }

    #[test]
    fn bow_tie_and_triangle_by_hand() {
        // A triangle (0,0) (4,0) (0,4): centres with x + y < 4, i.e. c + r + 1 < 4.
        let tri = [[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]];
        let m = mask(&tri, 4, 4);
        let count = m.iter().filter(|b| **b).count();
        assert_eq!(count, 6); // (0,0) (1,0) (2,0) (0,1) (1,1) (0,2)
        // A bow tie: a left lobe (x < min(y, 4 - y)) and a right lobe
        // (x > max(y, 4 - y)) meeting at (2, 2); both are inside.
        let bow = [[0.0, 0.0], [4.0, 4.0], [4.0, 0.0], [0.0, 4.0]];
        let m = mask(&bow, 4, 4);
        assert_eq!(m, by_point_test(&bow, 4, 4));
        let at = |col: usize, row: usize| m[row * 4 + col];
        assert!(at(0, 1) && at(3, 1) && at(0, 2) && at(3, 2));
        assert!(!at(1, 0) && !at(2, 0) && !at(1, 3) && !at(2, 3));
    }

    #[test]
    fn spans_equal_the_point_test_on_awkward_rings() {
        let rings: [&[[f64; 2]]; 4] = [
            &[[0.5, 0.5], [6.5, 0.5], [6.5, 6.5], [0.5, 6.5]], // edges through centres
            &[[-3.0, -2.0], [9.0, 1.0], [2.0, 12.0]],          // clipped by the image
            &[[1.0, 1.0], [6.0, 1.0], [6.0, 6.0], [1.0, 6.0], [3.5, 3.5]], // spike
            &[[3.5, 0.0], [7.0, 3.5], [3.5, 7.0], [0.0, 3.5]], // diamond through centres
        ];
        for ring in rings {
            assert_eq!(mask(ring, 7, 7), by_point_test(ring, 7, 7), "{ring:?}");
        }
        assert!(spans(&[[0.0, 0.0], [1.0, f64::NAN], [2.0, 2.0]], 4, 4).is_empty());
    }
}
