//! Click-to-segment: the region connected to a seed whose values lie in an
//! intensity window, on the seed's frame (4-connected) or through the series
//! (6-connected), with each frame's holes filled.
//!
//! The default window comes from the values around the seed (their mean ± 2.5
//! standard deviations, at least ± 2 % of the frame's value range), so a click in a
//! nodule takes the nodule's HU and not the lung's; the caller shows it and lets the
//! reader widen it.
//!
//! A window that also takes a neighbour (a nodule touching a vessel, a kidney
//! touching the liver) makes the region leak. The **leak guard** stops it: nothing
//! farther than `max_radius_mm` from the seed joins, and the growth stops at
//! `max_voxels`; either way [`Grown::stopped`] says so, for a message that tells the
//! reader to narrow the window or draw by hand. Memory is two bits per voxel of the
//! frames searched, plus the stack.

use serde::Serialize;
use thiserror::Error;

use super::contour::fill_holes;

/// Why a region cannot be grown.
#[derive(Debug, Error, PartialEq)]
pub enum GrowError {
    /// The seed is off the frame or the series.
    #[error("the seed {0:?} is outside the series (slice, row, column)")]
    SeedOutside([usize; 3]),
    /// The seed's frame has no values (padding, or not loaded).
    #[error("the seed's frame has no values at the seed; click inside the image")]
    NoValue,
    /// The window does not hold the seed's own value.
    #[error("the seed's value {value} is outside the window {lo} to {hi}; widen the window")]
    SeedNotInWindow {
        /// The seed's value.
        value: f64,
        /// The window's low end.
        lo: f64,
        /// The window's high end.
        hi: f64,
    },
}

/// What the grower reads: the frames of a series in slice order.
#[derive(Debug, Clone)]
pub struct Volume<'a> {
    /// Rows of every frame.
    pub rows: usize,
    /// Columns of every frame.
    pub cols: usize,
    /// Each frame's values, row-major (NaN: padding); `None`: not loaded, the
    /// region does not enter it.
    pub slices: Vec<Option<&'a [f32]>>,
    /// Each frame's position along the slice normal, mm.
    pub z_mm: Vec<f64>,
    /// [row, column] spacing, mm.
    pub spacing_mm: [f64; 2],
}

/// How to grow.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GrowOptions {
    /// The intensity window, inclusive; `None`: from the values around the seed.
    pub window: Option<[f64; 2]>,
    /// Through the series (6-connected) instead of the seed's frame only.
    pub three_d: bool,
    /// Leak guard: nothing farther than this from the seed joins, mm.
    pub max_radius_mm: f64,
    /// Leak guard: the growth stops at this many voxels.
    pub max_voxels: u64,
}

impl Default for GrowOptions {
    fn default() -> Self {
        Self {
            window: None,
            three_d: false,
            max_radius_mm: 60.0,
            max_voxels: 5_000_000,
        }
    }
}

/// Why the growth stopped before it ran out of neighbours in the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// Voxels in the window lay beyond the radius limit, mm.
    Radius(f64),
    /// The region reached the size limit, voxels.
    Size(u64),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Radius(mm) => write!(
                f,
                "the region reached the {mm} mm limit around the seed and was cut there: it \
                 probably leaks into a neighbouring structure; narrow the window or draw it by hand"
            ),
            Stop::Size(n) => write!(
                f,
                "the region reached {n} voxels and growing stopped: it probably leaks; narrow the \
                 window or draw it by hand"
            ),
        }
    }
}

/// A grown region.
#[derive(Debug, Clone, PartialEq)]
pub struct Grown {
    /// The window used.
    pub window: [f64; 2],
    /// The frames the region touches, in slice order: (slice index, mask with its
    /// holes filled).
    pub slices: Vec<(usize, Vec<bool>)>,
    /// Voxels grown (before holes were filled).
    pub voxels: u64,
    /// Why it stopped early, if it did.
    pub stopped: Option<Stop>,
}

/// The default window at `seed` ([row, column]) of a frame: see the module doc.
/// `None` when the seed's neighbourhood is all padding.
pub fn default_window(
    values: &[f32],
    rows: usize,
    cols: usize,
    seed: [usize; 2],
) -> Option<[f64; 2]> {
    let [r0, c0] = seed;
    let around: Vec<f64> = (r0.saturating_sub(2)..(r0 + 3).min(rows))
        .flat_map(|r| (c0.saturating_sub(2)..(c0 + 3).min(cols)).map(move |c| r * cols + c))
        .filter_map(|i| values.get(i).map(|&v| f64::from(v)))
        .filter(|v| v.is_finite())
        .collect();
    if around.is_empty() {
        return None;
    }
    let n = around.len() as f64;
    let mean = around.iter().sum::<f64>() / n;
    let sd = (around.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let half = (2.5 * sd).max(0.02 * f64::from(hi - lo)).max(1e-6);
    Some([mean - half, mean + half])
}

/// A set of voxel indices.
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }

    fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
}

/// Grows the region of `seed` ([slice, row, column]) in `volume`.
///
/// # Errors
/// A seed off the volume, without a value, or outside the window.
pub fn grow(
    volume: &Volume<'_>,
    seed: [usize; 3],
    options: &GrowOptions,
) -> Result<Grown, GrowError> {
    let (rows, cols) = (volume.rows, volume.cols);
    let [sk, sr, sc] = seed;
    if sk >= volume.slices.len() || sr >= rows || sc >= cols {
        return Err(GrowError::SeedOutside(seed));
    }
    let seed_slice = volume.slices[sk].ok_or(GrowError::NoValue)?;
    let seed_value = seed_slice
        .get(sr * cols + sc)
        .map(|&v| f64::from(v))
        .filter(|v| v.is_finite())
        .ok_or(GrowError::NoValue)?;
    let window = match options.window {
        Some(w) => w,
        None => default_window(seed_slice, rows, cols, [sr, sc]).ok_or(GrowError::NoValue)?,
    };
    let [lo, hi] = window;
    if !(lo <= seed_value && seed_value <= hi) {
        return Err(GrowError::SeedNotInWindow {
            value: seed_value,
            lo,
            hi,
        });
    }
    // 2-D: the seed's frame alone, as a volume of one slice.
    let (first, last) = if options.three_d {
        (0, volume.slices.len() - 1)
    } else {
        (sk, sk)
    };
    let plane = rows * cols;
    let depth = last - first + 1;
    let (mut inside, mut seen) = (Bits::new(plane * depth), Bits::new(plane * depth));
    let [row_mm, col_mm] = volume.spacing_mm;
    let z = |k: usize| volume.z_mm.get(k).copied().unwrap_or(k as f64);
    let r2_max = options.max_radius_mm * options.max_radius_mm;
    let accept = |k: usize, r: usize, c: usize| -> Result<bool, ()> {
        let v = volume.slices[k].and_then(|s| s.get(r * cols + c)).copied();
        if !v.is_some_and(|v| lo <= f64::from(v) && f64::from(v) <= hi) {
            return Ok(false);
        }
        let (dr, dc, dz) = (
            (r as f64 - sr as f64) * row_mm,
            (c as f64 - sc as f64) * col_mm,
            z(k) - z(sk),
        );
        if dr * dr + dc * dc + dz * dz > r2_max {
            return Err(());
        }
        Ok(true)
    };
    let index = |k: usize, r: usize, c: usize| (k - first) * plane + r * cols + c;
    let mut stack = vec![(sk, sr, sc)];
    seen.set(index(sk, sr, sc));
    inside.set(index(sk, sr, sc));
    let (mut voxels, mut stopped) = (1u64, None);
    'grow: while let Some((k, r, c)) = stack.pop() {
        let mut next = [None; 6];
        next[0] = (r > 0).then(|| (k, r - 1, c));
        next[1] = (r + 1 < rows).then_some((k, r + 1, c));
        next[2] = (c > 0).then(|| (k, r, c - 1));
        next[3] = (c + 1 < cols).then_some((k, r, c + 1));
        if options.three_d {
            next[4] = (k > first).then(|| (k - 1, r, c));
            next[5] = (k < last).then_some((k + 1, r, c));
        }
        for (k, r, c) in next.into_iter().flatten() {
            let i = index(k, r, c);
            if seen.get(i) {
                continue;
            }
            seen.set(i);
            match accept(k, r, c) {
                Ok(true) => {
                    inside.set(i);
                    stack.push((k, r, c));
                    voxels += 1;
                    if voxels >= options.max_voxels {
                        stopped = Some(Stop::Size(voxels));
                        break 'grow;
                    }
                }
                Ok(false) => {}
                Err(()) => {
                    stopped.get_or_insert(Stop::Radius(options.max_radius_mm));
                }
            }
        }
    }
    let slices = (first..=last)
        .filter_map(|k| {
            let base = (k - first) * plane;
            let mut mask: Vec<bool> = (0..plane).map(|i| inside.get(base + i)).collect();
            mask.contains(&true).then(|| {
                fill_holes(&mut mask, rows, cols);
                (k, mask)
            })
        })
        .collect();
    Ok(Grown {
        window,
        slices,
        voxels,
        stopped,
    })
}
