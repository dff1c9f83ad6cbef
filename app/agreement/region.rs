//! A set of pixels of one frame kept as row spans, the form the one inclusion rule
//! ([`crate::annotate::raster`]) produces: unions and intersections without an image
//! sized buffer per shape, and a dense grid only over the region's bounding box.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::annotate::raster;

/// Pixels of a frame: for each row, sorted disjoint column ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Region {
    rows: BTreeMap<u32, Vec<Range<u32>>>,
}

impl Region {
    /// The pixels inside `ring` on a `rows × cols` frame (centre rule, even-odd).
    pub fn of_ring(ring: &[[f64; 2]], rows: u32, cols: u32) -> Self {
        let mut region = Self::default();
        for span in raster::spans(ring, rows, cols) {
            region.add(span.row, span.cols);
        }
        region
    }

    /// Adds the columns `cols` of `row`, merging with what is there.
    fn add(&mut self, row: u32, cols: Range<u32>) {
        if cols.is_empty() {
            return;
        }
        let spans = self.rows.entry(row).or_default();
        spans.push(cols);
        spans.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<u32>> = Vec::with_capacity(spans.len());
        for r in spans.drain(..) {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        *spans = merged;
    }

    /// The union of two regions.
    pub fn union(&self, other: &Self) -> Self {
        let mut out = self.clone();
        for (&row, spans) in &other.rows {
            for r in spans {
                out.add(row, r.clone());
            }
        }
        out
    }

    /// The number of pixels.
    pub fn area(&self) -> u64 {
        self.rows
            .values()
            .flatten()
            .map(|r| u64::from(r.end - r.start))
            .sum()
    }

    /// True when the region has no pixel.
    pub fn is_empty(&self) -> bool {
        self.rows.values().all(Vec::is_empty)
    }

    /// The number of pixels in both regions.
    pub fn intersection_area(&self, other: &Self) -> u64 {
        let mut n = 0;
        for (row, a) in &self.rows {
            let Some(b) = other.rows.get(row) else {
                continue;
            };
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                let lo = a[i].start.max(b[j].start);
                let hi = a[i].end.min(b[j].end);
                if lo < hi {
                    n += u64::from(hi - lo);
                }
                if a[i].end < b[j].end {
                    i += 1;
                } else {
                    j += 1;
                }
            }
        }
        n
    }

    /// Intersection over union; `None` when both are empty.
    pub fn iou(&self, other: &Self) -> Option<f64> {
        let inter = self.intersection_area(other);
        let union = self.area() + other.area() - inter;
        (union > 0).then(|| inter as f64 / union as f64)
    }

    /// The smallest box holding the region: first row, first column, rows, columns.
    pub fn bounds(&self) -> Option<[u32; 4]> {
        let first_row = *self.rows.iter().find(|(_, s)| !s.is_empty())?.0;
        let last_row = *self.rows.iter().rev().find(|(_, s)| !s.is_empty())?.0;
        let spans = self.rows.values().flatten();
        let first_col = spans.clone().map(|r| r.start).min()?;
        let end_col = spans.map(|r| r.end).max()?;
        Some([
            first_row,
            first_col,
            last_row - first_row + 1,
            end_col - first_col,
        ])
    }

    /// The region as a dense grid over `frame` (first row, first column, rows,
    /// columns), row-major, `true` inside.
    pub fn grid(&self, frame: [u32; 4]) -> Vec<bool> {
        let [row0, col0, rows, cols] = frame;
        let mut out = vec![false; rows as usize * cols as usize];
        for (&row, spans) in self.rows.range(row0..row0 + rows) {
            let base = (row - row0) as usize * cols as usize;
            for r in spans {
                let lo = r.start.max(col0).min(col0 + cols);
                let hi = r.end.max(col0).min(col0 + cols);
                out[base + (lo - col0) as usize..base + (hi - col0) as usize].fill(true);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, side: f64) -> Region {
        Region::of_ring(
            &[[x, y], [x + side, y], [x + side, y + side], [x, y + side]],
            64,
            64,
        )
    }

    #[test]
    fn areas_unions_and_intersections_count_pixels() {
        // 4×4 pixels at (2, 2) and at (4, 3): they share columns 4–5 of rows 3–5.
        let a = square(2.0, 2.0, 4.0);
        let b = square(4.0, 3.0, 4.0);
        assert_eq!((a.area(), b.area()), (16, 16));
        assert_eq!(a.intersection_area(&b), 6);
        assert_eq!(a.union(&b).area(), 26);
        assert_eq!(a.iou(&b), Some(6.0 / 26.0));
        assert_eq!(a.bounds(), Some([2, 2, 4, 4]));
        assert_eq!(a.union(&b).bounds(), Some([2, 2, 5, 6]));
        assert_eq!(Region::default().iou(&Region::default()), None);
    }

    #[test]
    fn the_grid_is_the_region_in_its_box() {
        let a = square(1.0, 1.0, 2.0);
        let g = a.grid([0, 0, 4, 4]);
        let inside: Vec<usize> = (0..16).filter(|&i| g[i]).collect();
        assert_eq!(inside, [5, 6, 9, 10]);
    }
}
