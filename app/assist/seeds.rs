//! Grow from seeds: strokes of two or more labels (a nodule and its background) grow
//! competitively over a frame or a slab, by the random walker (Grady 2006, "Random
//! walks for image segmentation"), as scikit-image's `random_walker` defines it.
//!
//! Neighbouring pixels (4 in a frame, 6 in a slab) are joined by an edge of weight
//! `exp(−β / (10 σ) · (Δv / step)²) + 1e-10`, σ the standard deviation of the values,
//! `step` the spacing along the edge. For each label, the probability that a walk
//! from an unmarked pixel reaches that label's seeds first solves `L_U x = −B x_M` on
//! the graph Laplacian; each pixel takes the label of highest probability (the lowest
//! on a tie). We solve with conjugate gradients preconditioned by the diagonal
//! (scikit-image's `cg_j`), matrix-free, to a relative residual of `1e-4` by
//! default (scikit-image's is `1e-3`); the tests find the labels of scikit-image's
//! exact (`bf`) solution.

use rayon::prelude::*;
use thiserror::Error;

/// Why seeds cannot grow.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SeedsError {
    /// Fewer than two labels among the seeds.
    #[error(
        "grow from seeds needs strokes of at least two labels (say, the finding and its background)"
    )]
    OneLabel,
    /// The seed map and the values differ in size.
    #[error("the seeds ({seeds}) and the values ({values}) differ in size")]
    Size {
        /// Seed map length.
        seeds: usize,
        /// Value count.
        values: usize,
    },
}

/// A frame or a slab: `shape` = [slices, rows, columns], values slice-major then
/// row-major, `spacing` = [slice, row, column] steps.
///
/// The weights depend on the values' scale as scikit-image's do (β = 130 suits
/// values in 0..1): map modality values through the display window to 0..1 first
/// ([`unit_values`]).
#[derive(Debug, Clone, Copy)]
pub struct Grid<'a> {
    /// The values (modality units); padding must be replaced before (NaN spreads).
    pub values: &'a [f32],
    /// [slices, rows, columns].
    pub shape: [usize; 3],
    /// [slice, row, column] steps (mm, or 1 for pixels).
    pub spacing: [f64; 3],
}

/// `values` mapped to 0..1 through the window `[lo, hi]` (clamped; NaN padding to
/// 0), the scale β = 130 is meant for.
pub fn unit_values(values: &[f32], [lo, hi]: [f64; 2]) -> Vec<f32> {
    let width = (hi - lo).max(f64::MIN_POSITIVE);
    values
        .iter()
        .map(|&v| {
            let u = ((f64::from(v) - lo) / width).clamp(0.0, 1.0);
            if u.is_nan() { 0.0 } else { u as f32 }
        })
        .collect()
}

/// The options of the random walker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WalkerOptions {
    /// How hard edges are to cross (scikit-image's default 130).
    pub beta: f64,
    /// The relative residual the solver stops at.
    pub tolerance: f64,
    /// The most iterations per label.
    pub max_iterations: usize,
}

impl Default for WalkerOptions {
    fn default() -> Self {
        Self {
            beta: 130.0,
            tolerance: 1e-4,
            max_iterations: 5000,
        }
    }
}

/// Each pixel's weights to its next neighbour along slices, rows and columns (0
/// where there is none).
struct Edges {
    next: [Vec<f64>; 3],
    stride: [usize; 3],
}

impl Edges {
    fn new(grid: &Grid<'_>, beta: f64) -> Self {
        let v = grid.values;
        let n = v.len();
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n.max(1) as f64;
        let var = v
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / n.max(1) as f64;
        let scale = -beta / (10.0 * var.sqrt().max(f64::MIN_POSITIVE));
        let [slices, rows, cols] = grid.shape;
        let stride = [rows * cols, cols, 1];
        let len = [slices, rows, cols];
        let next = std::array::from_fn(|axis| {
            (0..n)
                .map(|i| {
                    let along = i / stride[axis] % len[axis];
                    if along + 1 >= len[axis] {
                        return 0.0;
                    }
                    let d = (f64::from(v[i + stride[axis]]) - f64::from(v[i])) / grid.spacing[axis];
                    (scale * d * d).exp() + 1e-10
                })
                .collect()
        });
        Self { next, stride }
    }

    /// The neighbours of `i` with their weights.
    fn around(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        (0..3).flat_map(move |axis| {
            let s = self.stride[axis];
            let ahead = Some((i + s, self.next[axis][i])).filter(|(_, w)| *w > 0.0);
            let behind = i
                .checked_sub(s)
                .map(|j| (j, self.next[axis][j]))
                .filter(|(_, w)| *w > 0.0);
            ahead.into_iter().chain(behind)
        })
    }
}

/// The label of every pixel: `seeds` holds 0 for unmarked pixels and the label
/// (1, 2, …) of each seed; seeds keep theirs.
///
/// # Errors
/// Seeds of fewer than two labels, or of a size other than the values'.
pub fn random_walker(
    grid: &Grid<'_>,
    seeds: &[u8],
    options: &WalkerOptions,
) -> Result<Vec<u8>, SeedsError> {
    if seeds.len() != grid.values.len() {
        return Err(SeedsError::Size {
            seeds: seeds.len(),
            values: grid.values.len(),
        });
    }
    let mut labels: Vec<u8> = seeds.iter().copied().filter(|&l| l > 0).collect();
    labels.sort_unstable();
    labels.dedup();
    if labels.len() < 2 {
        return Err(SeedsError::OneLabel);
    }
    let edges = Edges::new(grid, options.beta);
    let unknown: Vec<usize> = (0..seeds.len()).filter(|&i| seeds[i] == 0).collect();
    let mut slot = vec![usize::MAX; seeds.len()];
    for (k, &i) in unknown.iter().enumerate() {
        slot[i] = k;
    }
    let degree: Vec<f64> = unknown
        .iter()
        .map(|&i| edges.around(i).map(|(_, w)| w).sum())
        .collect();
    let system = System {
        edges: &edges,
        unknown: &unknown,
        slot: &slot,
        degree: &degree,
    };
    // The probabilities of a pixel sum to 1: the last label's is what the others
    // leave, one system fewer to solve.
    let (last, solved) = labels.split_last().unwrap_or((&0, &[]));
    let mut probabilities: Vec<Vec<f64>> = solved
        .par_iter()
        .map(|&label| {
            let rhs: Vec<f64> = unknown
                .iter()
                .map(|&i| {
                    edges
                        .around(i)
                        .filter(|(j, _)| seeds[*j] == label)
                        .map(|(_, w)| w)
                        .sum()
                })
                .collect();
            system.solve(&rhs, options)
        })
        .collect();
    let rest: Vec<f64> = (0..unknown.len())
        .map(|k| 1.0 - probabilities.iter().map(|p| p[k]).sum::<f64>())
        .collect();
    probabilities.push(rest);
    debug_assert_eq!(labels.last(), Some(last));
    let mut out = seeds.to_vec();
    for (k, &i) in unknown.iter().enumerate() {
        let mut best = 0;
        for l in 1..labels.len() {
            if probabilities[l][k] > probabilities[best][k] {
                best = l;
            }
        }
        out[i] = labels[best];
    }
    Ok(out)
}

/// The linear system of the unmarked pixels: `A = D − W` restricted to them.
struct System<'a> {
    edges: &'a Edges,
    unknown: &'a [usize],
    slot: &'a [usize],
    degree: &'a [f64],
}

impl System<'_> {
    /// `A x`.
    fn apply(&self, x: &[f64], out: &mut [f64]) {
        out.par_iter_mut().enumerate().for_each(|(k, o)| {
            let i = self.unknown[k];
            let off: f64 = self
                .edges
                .around(i)
                .filter(|(j, _)| self.slot[*j] != usize::MAX)
                .map(|(j, w)| w * x[self.slot[j]])
                .sum();
            *o = self.degree[k] * x[k] - off;
        });
    }

    /// `A x = b` by conjugate gradients with the diagonal as preconditioner. The
    /// vector work runs in fixed chunks, so the sums, and the result, are the same
    /// on every run and machine.
    fn solve(&self, b: &[f64], options: &WalkerOptions) -> Vec<f64> {
        let n = b.len();
        let norm_b = dot(b, b).sqrt();
        let mut x = vec![0.0; n];
        if norm_b == 0.0 {
            return x;
        }
        let mut r = b.to_vec();
        let mut z: Vec<f64> = r.iter().zip(self.degree).map(|(r, d)| r / d).collect();
        let mut p = z.clone();
        let mut ap = vec![0.0; n];
        let mut rz = dot(&r, &z);
        for _ in 0..options.max_iterations {
            self.apply(&p, &mut ap);
            let alpha = rz / dot(&p, &ap);
            x.par_chunks_mut(CHUNK)
                .zip(r.par_chunks_mut(CHUNK))
                .zip(p.par_chunks(CHUNK).zip(ap.par_chunks(CHUNK)))
                .for_each(|((x, r), (p, ap))| {
                    for k in 0..x.len() {
                        x[k] += alpha * p[k];
                        r[k] -= alpha * ap[k];
                    }
                });
            if dot(&r, &r).sqrt() <= options.tolerance * norm_b {
                break;
            }
            z.par_chunks_mut(CHUNK)
                .zip(r.par_chunks(CHUNK).zip(self.degree.par_chunks(CHUNK)))
                .for_each(|(z, (r, d))| {
                    for k in 0..z.len() {
                        z[k] = r[k] / d[k];
                    }
                });
            let rz_next = dot(&r, &z);
            let beta = rz_next / rz;
            rz = rz_next;
            p.par_chunks_mut(CHUNK)
                .zip(z.par_chunks(CHUNK))
                .for_each(|(p, z)| {
                    for k in 0..p.len() {
                        p[k] = z[k] + beta * p[k];
                    }
                });
        }
        x
    }
}

/// The length of the chunks the solver's vector work is split into.
const CHUNK: usize = 8192;

/// `a · c`, summed chunk by chunk in a fixed order.
fn dot(a: &[f64], c: &[f64]) -> f64 {
    let partial: Vec<f64> = a
        .par_chunks(CHUNK)
        .zip(c.par_chunks(CHUNK))
        .map(|(a, c)| a.iter().zip(c).map(|(x, y)| x * y).sum::<f64>())
        .collect();
    partial.iter().sum()
}
