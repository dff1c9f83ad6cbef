//! Surface distances between two masks, as MedPy defines them
//! (`medpy.metric.binary.hd`, `hd95`, `assd`), in millimetres through the spacing: of
//! a frame (2-D), or of a series' slices (3-D, [`surface_distances_3d`]).
//!
//! The border of a mask is the mask minus its erosion by the 4-neighbourhood (a pixel
//! with a neighbour outside the mask, or at the edge of the image, is on the border).
//! From each border pixel of one mask, the distance to the nearest border pixel of
//! the other, both ways: `hd` is the largest, `hd95` the 95th percentile of the two
//! directions pooled (linear interpolation, as NumPy's default), `assd` the mean of
//! the two directions pooled (MedPy 0.5's definition; older MedPy averaged the two
//! directions' means, which differs when the borders differ in length). Distances come from an exact Euclidean distance
//! transform (Felzenszwalb and Huttenlocher, with the row and column spacing as
//! weights), so the cost is linear in the pixels of the masks' bounding box.
//!
//! In 3-D the border uses the 6-neighbourhood (MedPy's connectivity 1), and the
//! distance transform first measures along the slice axis at the slices' real
//! positions: for a set of voxels the nearest one along a line is simply the nearest
//! set voxel before or after, so two sweeps give that pass exactly even for unevenly
//! spaced slices, where a voxel array with one slice step (MedPy's) would not. The
//! in-plane passes are then the 2-D ones, slice by slice.

use rayon::prelude::*;

/// The three surface distances, in the unit of the spacing given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfaceDistances {
    /// Hausdorff distance: the largest of all border-to-border distances.
    pub hd: f64,
    /// 95th percentile of the distances of both directions pooled.
    pub hd95: f64,
    /// Average symmetric surface distance: the mean of both directions pooled.
    pub assd: f64,
}

/// A stand-in for infinity that keeps the parabola arithmetic finite.
pub(crate) const FAR: f64 = 1e20;

/// The surface distances between masks `a` and `b` on a `rows × cols` grid
/// (row-major), with `spacing` = [row step, column step]. `None` when either mask is
/// empty (no border, no distance).
pub fn surface_distances(
    a: &[bool],
    b: &[bool],
    rows: usize,
    cols: usize,
    spacing: [f64; 2],
) -> Option<SurfaceDistances> {
    let border_a = border(a, rows, cols);
    let border_b = border(b, rows, cols);
    if !border_a.iter().any(|&x| x) || !border_b.iter().any(|&x| x) {
        return None;
    }
    let a_to_b = directed(&border_a, &border_b, rows, cols, spacing);
    let b_to_a = directed(&border_b, &border_a, rows, cols, spacing);
    Some(pool(a_to_b, b_to_a))
}

/// `hd`, `hd95` and `assd` of the two directions' distances pooled (not both empty).
fn pool(a_to_b: Vec<f64>, b_to_a: Vec<f64>) -> SurfaceDistances {
    let mut pooled = a_to_b;
    pooled.extend(b_to_a);
    pooled.sort_by(f64::total_cmp);
    SurfaceDistances {
        hd: pooled.last().copied().unwrap_or(0.0),
        hd95: percentile(&pooled, 95.0),
        assd: pooled.iter().sum::<f64>() / pooled.len() as f64,
    }
}

/// The border of a mask: inside pixels with a 4-neighbour outside it or off the grid.
pub fn border(mask: &[bool], rows: usize, cols: usize) -> Vec<bool> {
    let at = |r: isize, c: isize| {
        r >= 0
            && c >= 0
            && (r as usize) < rows
            && (c as usize) < cols
            && mask[r as usize * cols + c as usize]
    };
    (0..rows * cols)
        .map(|i| {
            let (r, c) = ((i / cols) as isize, (i % cols) as isize);
            mask[i] && !(at(r - 1, c) && at(r + 1, c) && at(r, c - 1) && at(r, c + 1))
        })
        .collect()
}

/// For each pixel of `from`, the distance to the nearest pixel of `to`.
fn directed(from: &[bool], to: &[bool], rows: usize, cols: usize, spacing: [f64; 2]) -> Vec<f64> {
    let squared = squared_distance_to(to, from, rows, cols, spacing);
    from.iter()
        .zip(&squared)
        .filter(|(inside, _)| **inside)
        .map(|(_, d)| d.sqrt())
        .collect()
}

/// The squared Euclidean distance from every `wanted` pixel to the nearest `true`
/// pixel of `features` (other pixels hold partial results).
fn squared_distance_to(
    features: &[bool],
    wanted: &[bool],
    rows: usize,
    cols: usize,
    spacing: [f64; 2],
) -> Vec<f64> {
    let mut grid: Vec<f64> = features
        .iter()
        .map(|&f| if f { 0.0 } else { FAR })
        .collect();
    transform_2d(&mut grid, wanted, rows, cols, spacing);
    grid
}

/// `grid[p] = min over q of grid[q] + |p − q|²` on a `rows × cols` grid (row-major)
/// with `spacing` = [row step, column step], at least at the `wanted` pixels: columns
/// first (row spacing), then the rows that hold a wanted pixel (column spacing).
pub(crate) fn transform_2d(
    grid: &mut [f64],
    wanted: &[bool],
    rows: usize,
    cols: usize,
    spacing: [f64; 2],
) {
    let n = rows.max(cols);
    let (mut line, mut out) = (vec![0.0; n], vec![0.0; n]);
    let (mut v, mut z) = (vec![0usize; n], vec![0.0; n + 1]);
    let w_row = spacing[0] * spacing[0];
    for c in 0..cols {
        for r in 0..rows {
            line[r] = grid[r * cols + c];
        }
        transform_1d(&line[..rows], w_row, &mut out[..rows], &mut v, &mut z);
        for r in 0..rows {
            grid[r * cols + c] = out[r];
        }
    }
    let w_col = spacing[1] * spacing[1];
    for r in 0..rows {
        if !wanted[r * cols..(r + 1) * cols].contains(&true) {
            continue;
        }
        line[..cols].copy_from_slice(&grid[r * cols..(r + 1) * cols]);
        transform_1d(&line[..cols], w_col, &mut out[..cols], &mut v, &mut z);
        grid[r * cols..(r + 1) * cols].copy_from_slice(&out[..cols]);
    }
}

/// `out[p] = min over q of f[q] + w (p − q)²`: the lower envelope of parabolas
/// (Felzenszwalb and Huttenlocher 2012, "Distance transforms of sampled functions").
///
/// Only samples below [`FAR`] (a feature, or a distance found by an earlier pass)
/// enter the envelope: a [`FAR`] one never wins where any other exists, and border
/// pixels are few, so this skips most of the work of the first pass. A line with no
/// such sample stays [`FAR`].
fn transform_1d(f: &[f64], w: f64, out: &mut [f64], v: &mut [usize], z: &mut [f64]) {
    let meet = |q: usize, p: usize| {
        let (qf, pf) = (q as f64, p as f64);
        ((f[q] + w * qf * qf) - (f[p] + w * pf * pf)) / (2.0 * w * (qf - pf))
    };
    let mut near = f
        .iter()
        .enumerate()
        .filter(|(_, x)| **x < FAR)
        .map(|(q, _)| q);
    let Some(first) = near.next() else {
        out.copy_from_slice(f);
        return;
    };
    let mut k = 0;
    v[0] = first;
    z[0] = f64::NEG_INFINITY;
    z[1] = f64::INFINITY;
    for q in near {
        let mut s = meet(q, v[k]);
        while s <= z[k] {
            k -= 1;
            s = meet(q, v[k]);
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f64::INFINITY;
    }
    k = 0;
    for (p, o) in out.iter_mut().enumerate() {
        while z[k + 1] < p as f64 {
            k += 1;
        }
        let d = p as f64 - v[k] as f64;
        *o = w * d * d + f[v[k]];
    }
}

/// The size of a volume: slices, rows, columns (slice-major, then row-major).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape3 {
    /// Slices.
    pub slices: usize,
    /// Rows of each slice.
    pub rows: usize,
    /// Columns of each slice.
    pub cols: usize,
}

impl Shape3 {
    /// Voxels of one slice.
    fn plane(self) -> usize {
        self.rows * self.cols
    }

    /// Voxels of the volume.
    fn len(self) -> usize {
        self.slices * self.plane()
    }
}

/// The surface distances between masks `a` and `b` of a volume of size `shape`, its
/// slices at positions `z` (mm, increasing, one per slice), with in-plane `spacing` =
/// [row step, column step]: MedPy's with `voxelspacing = (slice step, row, column)`
/// when the slices are evenly spaced. `None` when either mask is empty, or `z` does
/// not have one position per slice.
pub fn surface_distances_3d(
    a: &[bool],
    b: &[bool],
    shape: Shape3,
    z: &[f64],
    spacing: [f64; 2],
) -> Option<SurfaceDistances> {
    if z.len() != shape.slices || a.len() != shape.len() || b.len() != shape.len() {
        return None;
    }
    let border_a = border_3d(a, shape);
    let border_b = border_3d(b, shape);
    if !border_a.iter().any(|&x| x) || !border_b.iter().any(|&x| x) {
        return None;
    }
    let a_to_b = directed_3d(&border_a, &border_b, shape, z, spacing);
    let b_to_a = directed_3d(&border_b, &border_a, shape, z, spacing);
    Some(pool(a_to_b, b_to_a))
}

/// The border of a 3-D mask: inside voxels with a 6-neighbour outside it or off the
/// volume (so a mask's voxels on the first or last slice are all border).
pub fn border_3d(mask: &[bool], shape: Shape3) -> Vec<bool> {
    let Shape3 { slices, rows, cols } = shape;
    let plane = shape.plane();
    let mut out = vec![false; shape.len()];
    out.par_chunks_mut(plane.max(1))
        .enumerate()
        .for_each(|(k, border)| {
            let inner_slice = k > 0 && k + 1 < slices;
            for r in 0..rows {
                let inner_row = inner_slice && r > 0 && r + 1 < rows;
                for c in 0..cols {
                    let i = k * plane + r * cols + c;
                    if !mask[i] {
                        continue;
                    }
                    let surrounded = inner_row
                        && c > 0
                        && c + 1 < cols
                        && mask[i - 1]
                        && mask[i + 1]
                        && mask[i - cols]
                        && mask[i + cols]
                        && mask[i - plane]
                        && mask[i + plane];
                    border[r * cols + c] = !surrounded;
                }
            }
        });
    out
}

/// For each voxel of `from`, the distance to the nearest voxel of `to`.
///
/// Each slice's in-plane squared distances to its own `to` voxels come first (an
/// exact 2-D transform; `to` is a thin border, so its first pass is cheap), then each
/// `from` voxel looks through the slices outward from its own, nearest position
/// first, and stops once the gap along the slices alone exceeds the best found. Only
/// the `from` voxels, a thin border too, are searched, so the cost is about one 2-D
/// transform per slice.
fn directed_3d(
    from: &[bool],
    to: &[bool],
    shape: Shape3,
    z: &[f64],
    spacing: [f64; 2],
) -> Vec<f64> {
    let plane = shape.plane().max(1);
    // The in-plane places any slice wants an answer at.
    let mut wanted = vec![false; plane];
    for slice in from.chunks(plane) {
        for (w, &f) in wanted.iter_mut().zip(slice) {
            *w |= f;
        }
    }
    let fields: Vec<Option<Vec<f64>>> = to
        .par_chunks(plane)
        .map(|features| {
            features
                .contains(&true)
                .then(|| squared_distance_to(features, &wanted, shape.rows, shape.cols, spacing))
        })
        .collect();
    // The slices that hold a `to` voxel, by position.
    let mut order: Vec<usize> = (0..fields.len()).filter(|&k| fields[k].is_some()).collect();
    order.sort_by(|&a, &b| z[a].total_cmp(&z[b]));
    let by_position: Vec<(f64, &[f64])> = order
        .iter()
        .filter_map(|&k| Some((z[k], fields[k].as_deref()?)))
        .collect();
    from.par_chunks(plane)
        .enumerate()
        .flat_map_iter(|(k, slice)| {
            let by_position = &by_position;
            let zk = z[k];
            // The first slice at or after this one's position.
            let start = by_position.partition_point(|(zj, _)| *zj < zk);
            slice
                .iter()
                .enumerate()
                .filter(|(_, f)| **f)
                .map(move |(i, _)| nearest_along_slices(by_position, start, zk, i).sqrt())
        })
        .collect()
}

/// The smallest `(z_j − zk)² + field_j[i]` over the slices `by_position` (sorted by
/// position `z_j`), searched outward from index `start`.
fn nearest_along_slices(by_position: &[(f64, &[f64])], start: usize, zk: f64, i: usize) -> f64 {
    let mut best = f64::INFINITY;
    let (mut up, mut down) = (start, start);
    loop {
        let after = by_position.get(up).map(|(zj, _)| (zj - zk) * (zj - zk));
        let before = down
            .checked_sub(1)
            .map(|j| (by_position[j].0 - zk) * (by_position[j].0 - zk));
        // The nearer side next; done when neither side can beat the best.
        let (dz2, j) = match (after, before) {
            (Some(a), Some(b)) if a <= b => (a, up),
            (Some(a), None) => (a, up),
            (_, Some(b)) => (b, down - 1),
            (None, None) => break,
        };
        if dz2 >= best {
            break;
        }
        best = best.min(dz2 + by_position[j].1[i]);
        if j == up {
            up += 1;
        } else {
            down -= 1;
        }
    }
    best
}

/// The `q`-th percentile of sorted values, interpolating linearly between the two
/// nearest ranks (NumPy's default).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `rows × cols` grid with the given pixels set.
    fn grid(rows: usize, cols: usize, set: &[(usize, usize)]) -> Vec<bool> {
        let mut g = vec![false; rows * cols];
        for &(r, c) in set {
            g[r * cols + c] = true;
        }
        g
    }

    /// A filled rectangle: rows `r`, columns `c`.
    fn rect(
        rows: usize,
        cols: usize,
        r: std::ops::Range<usize>,
        c: std::ops::Range<usize>,
    ) -> Vec<bool> {
        let mut g = vec![false; rows * cols];
        for y in r {
            for x in c.clone() {
                g[y * cols + x] = true;
            }
        }
        g
    }

    #[test]
    fn the_border_is_the_mask_minus_its_4_erosion() {
        // A 3×3 block: everything but the centre is border.
        let b = border(&rect(5, 5, 1..4, 1..4), 5, 5);
        let on: Vec<usize> = (0..25).filter(|&i| b[i]).collect();
        assert_eq!(on, [6, 7, 8, 11, 13, 16, 17, 18]);
    }

    #[test]
    fn single_pixels_are_their_own_border_and_distances_are_euclidean_in_mm() {
        // One pixel each, 3 rows and 4 columns apart, rows 2 mm and columns 0.5 mm.
        let a = grid(8, 8, &[(1, 1)]);
        let b = grid(8, 8, &[(4, 5)]);
        let d = surface_distances(&a, &b, 8, 8, [2.0, 0.5]).expect("both non-empty");
        let want = (36.0f64 + 4.0).sqrt();
        assert!((d.hd - want).abs() < 1e-12 && (d.hd95 - want).abs() < 1e-12);
        assert!((d.assd - want).abs() < 1e-12);
    }

    #[test]
    fn a_square_and_its_shifted_copy_by_hand() {
        // 4×4 squares, the second one pixel right. a's border has 12 pixels: column 1
        // (4 pixels) is 1 from b's border, so are (3,4) and (4,4) (inside b, next to
        // its column 5 and rows 2/5); the other 6 lie on b's border. The same the
        // other way by symmetry: 12 ones among 24 pooled distances, mean 0.5.
        let a = rect(8, 8, 2..6, 1..5);
        let b = rect(8, 8, 2..6, 2..6);
        let d = surface_distances(&a, &b, 8, 8, [1.0, 1.0]).expect("non-empty");
        assert_eq!(d.hd, 1.0);
        assert!((d.assd - 0.5).abs() < 1e-12);
        // 24 pooled distances, 12 of them 1: the 95th percentile is 1.
        assert_eq!(d.hd95, 1.0);
    }

    #[test]
    fn an_empty_mask_has_no_surface_distance() {
        let a = rect(4, 4, 0..2, 0..2);
        assert_eq!(surface_distances(&a, &[false; 16], 4, 4, [1.0, 1.0]), None);
    }

    #[test]
    fn the_3d_border_is_the_mask_minus_its_6_erosion() {
        // A 3×3×3 block in a 5×5×5 volume: all but its centre voxel is border; the
        // same block filling a 3×3×3 volume is all border but its centre too.
        let shape = Shape3 {
            slices: 5,
            rows: 5,
            cols: 5,
        };
        let mut block = vec![false; 125];
        for k in 1..4 {
            for r in 1..4 {
                for c in 1..4 {
                    block[k * 25 + r * 5 + c] = true;
                }
            }
        }
        let b = border_3d(&block, shape);
        let inner: Vec<usize> = (0..125).filter(|&i| block[i] && !b[i]).collect();
        assert_eq!(inner, [62]);
        assert_eq!(b.iter().filter(|&&x| x).count(), 26);
    }

    #[test]
    fn slices_are_measured_at_their_positions() {
        // One voxel each on the first and last of three slices at z = 0, 1 and 5 mm,
        // one row (2 mm) apart: √(25 + 4).
        let shape = Shape3 {
            slices: 3,
            rows: 2,
            cols: 1,
        };
        let a = [true, false, false, false, false, false];
        let b = [false, false, false, false, false, true];
        let d = surface_distances_3d(&a, &b, shape, &[0.0, 1.0, 5.0], [2.0, 0.5])
            .expect("both non-empty");
        let want = 29f64.sqrt();
        assert!((d.hd - want).abs() < 1e-12 && (d.assd - want).abs() < 1e-12);
        assert_eq!(
            surface_distances_3d(&a, &b, shape, &[0.0, 1.0], [1.0, 1.0]),
            None
        );
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4], 95) = 3.85
        assert!((percentile(&[1.0, 2.0, 3.0, 4.0], 95.0) - 3.85).abs() < 1e-12);
        assert_eq!(percentile(&[7.0], 95.0), 7.0);
    }
}
