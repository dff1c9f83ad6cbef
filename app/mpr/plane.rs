//! Axial, coronal and sagittal planes of a [`Volume`], on the series' own grid, with
//! thick slabs (MIP, MinIP, average).
//!
//! Why on the grid: a plane whose every value is a stored pixel can be checked value
//! for value against any other reader of the same files, and says nothing the data
//! did not. So [`Sampling::Grid`] takes pixels as they are: axial N is the N-th slice
//! in slice order, coronal N is image row N of every slice (slices × columns), sagittal
//! N is image column N (slices × rows). The rows of coronal and sagittal planes run
//! from superior to inferior: the slices are ordered by the patient-coordinate z of
//! their Image Position (Patient), largest first. For an acquisition whose slices do
//! not advance in z (a sagittal or coronal acquisition: every slice at the same z)
//! "superior" has no meaning along the slice axis, and the rows follow the slice order
//! (a note says so); the same holds for images without a position.
//!
//! What a person looks at must not be distorted, so [`Sampling::Patient`] undoes a
//! gantry tilt (each slice shifted in its plane by its offset from the reference
//! slice, bilinear), and [`square_pixels`] resamples the rows axis linearly at the
//! slices' true positions to the columns' spacing: uneven gaps and the slice gap's
//! aspect ratio both disappear. `.npy` output keeps the grid; `.png` output does both.

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use super::volume::{SliceOrder, Volume};

/// Slack, mm, on the slab's half thickness (a neighbour exactly at its edge is in).
const SLAB_EDGE_MM: f64 = 1e-6;
/// A fractional pixel coordinate this close to a whole one is taken as whole.
const WHOLE_PIXEL: f64 = 1e-9;

/// The three planes, named by how an axial acquisition shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlaneKind {
    /// A slice of the series: rows × columns.
    Axial,
    /// One image row through every slice: slices × columns.
    Coronal,
    /// One image column through every slice: slices × rows.
    Sagittal,
}

impl PlaneKind {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Axial => "axial",
            Self::Coronal => "coronal",
            Self::Sagittal => "sagittal",
        }
    }

    /// How many planes of this kind `volume` has, and what they are.
    pub fn count(self, volume: &Volume) -> (usize, &'static str) {
        match self {
            Self::Axial => (volume.slices.len(), "slices"),
            Self::Coronal => (volume.rows, "image rows"),
            Self::Sagittal => (volume.cols, "image columns"),
        }
    }
}

/// How a thick slab's planes are combined per pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SlabMode {
    /// Maximum intensity projection.
    Mip,
    /// Minimum intensity projection.
    Minip,
    /// The mean.
    Avg,
}

/// A thick slab: the planes within half its thickness of the centre plane.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Slab {
    /// Its thickness along the plane's normal, mm.
    pub thickness_mm: f64,
    /// How its planes combine.
    pub mode: SlabMode,
}

/// Where a plane's samples come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// The stored pixels, no interpolation (a tilted stack stays sheared).
    Grid,
    /// Positions in the patient: a gantry tilt is undone by shifting each slice in its
    /// plane (bilinear); the same as `Grid` for an untilted stack.
    Patient,
}

/// Why a plane cannot be cut.
#[derive(Debug, Error, PartialEq)]
pub enum PlaneError {
    /// The plane index is past the volume.
    #[error(
        "{kind} index {index} is out of range: series {series} has {count} {what}, so 0..={last}",
        kind = kind.name(),
        last = count.saturating_sub(1)
    )]
    OutOfRange {
        /// The plane.
        kind: PlaneKind,
        /// The index asked for.
        index: usize,
        /// How many there are.
        count: usize,
        /// What they are (`slices`, `image rows`, `image columns`).
        what: &'static str,
        /// The Series Instance UID.
        series: String,
    },
    /// A slab thickness that is negative or not a number.
    #[error("the slab thickness must be a finite number of mm ≥ 0, not {0}")]
    BadSlab(f64),
}

/// A plane of modality values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plane {
    /// Which plane.
    pub kind: PlaneKind,
    /// Its index (slice, image row or image column, from 0).
    pub index: usize,
    /// Rows of the plane.
    pub rows: usize,
    /// Columns of the plane.
    pub cols: usize,
    /// Modality values, row-major; a padding pixel holds the padding's modality value.
    #[serde(skip)]
    pub values: Vec<f32>,
    /// True where every value gathered was padding (or outside the images).
    #[serde(skip)]
    pub padding: Vec<bool>,
    /// mm per row step, mm per column step (for coronal and sagittal planes on the
    /// grid the row step is the median slice gap).
    pub spacing_mm: [f64; 2],
    /// Each row's distance from the first row, mm (the slices' true positions).
    pub row_positions_mm: Vec<f64>,
    /// The slice each row comes from (coronal and sagittal; empty for axial).
    pub row_slices: Vec<usize>,
    /// The planes combined into the slab (slices for axial, image rows for coronal,
    /// image columns for sagittal); the plane alone without a slab.
    pub gathered: Vec<usize>,
    /// The slab, when one was asked for.
    pub slab: Option<Slab>,
    /// What was done to the values beyond taking pixels (tilt, resampling, order).
    pub notes: Vec<String>,
}

/// The planes within `slab_mm / 2` of plane `centre`, planes lying at
/// `positions_mm` (in any monotone order), in index order.
pub fn slab_neighbours(positions_mm: &[f64], centre: usize, slab_mm: f64) -> Vec<usize> {
    let Some(c) = positions_mm.get(centre) else {
        return Vec::new();
    };
    let half = slab_mm / 2.0 + SLAB_EDGE_MM;
    (0..positions_mm.len())
        .filter(|&k| k == centre || (positions_mm[k] - c).abs() <= half)
        .collect()
}

/// The slices from superior to inferior (largest patient z first), and a note when
/// the slices' z says nothing (no positions, or all at one z): then slice order.
pub fn superior_first(volume: &Volume) -> (Vec<usize>, Option<String>) {
    let n = volume.slices.len();
    let z = |k: usize| volume.slices[k].point_in_patient_mm.map(|p| p[2]);
    let ends = (n > 1).then(|| (z(0), z(n - 1)));
    match ends {
        Some((Some(first), Some(last))) if volume.check.order == SliceOrder::Position => {
            if first > last + 1e-6 {
                ((0..n).collect(), None)
            } else if last > first + 1e-6 {
                ((0..n).rev().collect(), None)
            } else {
                (
                    (0..n).collect(),
                    Some(
                        "the slices do not advance in patient z (not an axial acquisition): \
                         rows follow the slice order, not superior to inferior"
                            .to_owned(),
                    ),
                )
            }
        }
        Some(_) => (
            (0..n).collect(),
            Some("the images have no position: rows follow the slice order".to_owned()),
        ),
        None => ((0..n).collect(), None),
    }
}

/// Cuts plane `kind` number `index` of `volume`, optionally a thick `slab`.
///
/// # Errors
/// An index past the volume (the message gives the valid range), a bad slab.
pub fn cut(
    volume: &Volume,
    kind: PlaneKind,
    index: usize,
    slab: Option<Slab>,
    sampling: Sampling,
) -> Result<Plane, PlaneError> {
    let (count, what) = kind.count(volume);
    if index >= count {
        return Err(PlaneError::OutOfRange {
            kind,
            index,
            count,
            what,
            series: volume.series_uid.clone(),
        });
    }
    if let Some(s) = slab
        && !(s.thickness_mm.is_finite() && s.thickness_mm >= 0.0)
    {
        return Err(PlaneError::BadSlab(s.thickness_mm));
    }
    let thickness = slab.map_or(0.0, |s| s.thickness_mm);
    let mode = slab.map_or(SlabMode::Avg, |s| s.mode);
    let (row_mm, col_mm) = (volume.spacing.row_mm, volume.spacing.col_mm);
    let mut notes = Vec::new();
    let reference = match kind {
        PlaneKind::Axial => index,
        _ => volume.slices.len() / 2,
    };
    let shifts = match sampling {
        Sampling::Patient if volume.check.tilted => {
            let t = volume.check.tilt_rad.unwrap_or(0.0);
            notes.push(format!(
                "gantry tilt of {:.2}° undone: each slice shifted in its plane to its place \
                 in the patient (bilinear)",
                t.to_degrees()
            ));
            in_plane_shifts(volume, reference)
        }
        _ => vec![[0.0, 0.0]; volume.slices.len()],
    };
    let grid = |n: usize, step: f64| (0..n).map(|i| i as f64 * step).collect::<Vec<f64>>();
    let plane = match kind {
        PlaneKind::Axial => {
            let gathered = slab_neighbours(&volume.check.positions_mm, index, thickness);
            let values = combine(volume.rows, volume.cols, mode, |r, c, acc| {
                for &k in &gathered {
                    acc.push(sample_shifted(volume, k, r, c, shifts[k]));
                }
            });
            Plane {
                kind,
                index,
                rows: volume.rows,
                cols: volume.cols,
                values: values.0,
                padding: values.1,
                spacing_mm: [row_mm, col_mm],
                row_positions_mm: grid(volume.rows, row_mm),
                row_slices: Vec::new(),
                gathered,
                slab,
                notes,
            }
        }
        PlaneKind::Coronal | PlaneKind::Sagittal => {
            let (order, note) = superior_first(volume);
            notes.extend(note);
            let coronal = kind == PlaneKind::Coronal;
            let (across, step) = if coronal {
                (volume.cols, row_mm)
            } else {
                (volume.rows, col_mm)
            };
            let planes = if coronal { volume.rows } else { volume.cols };
            let gathered = slab_neighbours(&grid(planes, step), index, thickness);
            let values = combine(order.len(), across, mode, |j, u, acc| {
                let k = order[j];
                for &g in &gathered {
                    let (r, c) = if coronal { (g, u) } else { (u, g) };
                    acc.push(sample_shifted(volume, k, r, c, shifts[k]));
                }
            });
            let positions = &volume.check.positions_mm;
            let top = order.first().map_or(0.0, |&k| positions[k]);
            Plane {
                kind,
                index,
                rows: order.len(),
                cols: across,
                values: values.0,
                padding: values.1,
                spacing_mm: [volume.slice_gap_mm(), if coronal { col_mm } else { row_mm }],
                row_positions_mm: order.iter().map(|&k| (positions[k] - top).abs()).collect(),
                row_slices: order,
                gathered,
                slab,
                notes,
            }
        }
    };
    Ok(plane)
}

/// Per slice, the (row, column) shift in pixels of its origin from slice
/// `reference`'s, in the reference's in-plane axes: where slice k's pixel (r, c)
/// lies in the reference's frame is (r + shift[0], c + shift[1]).
fn in_plane_shifts(volume: &Volume, reference: usize) -> Vec<[f64; 2]> {
    let (Some(row_dir), Some(col_dir)) = (volume.row_direction(), volume.column_direction()) else {
        return vec![[0.0, 0.0]; volume.slices.len()];
    };
    let origin = volume.slices[reference].point_in_patient_mm;
    volume
        .slices
        .iter()
        .map(|s| match (s.point_in_patient_mm, origin) {
            (Some(p), Some(o)) => {
                let d = [p[0] - o[0], p[1] - o[1], p[2] - o[2]];
                let along = |u: [f64; 3]| d[0] * u[0] + d[1] * u[1] + d[2] * u[2];
                [
                    along(col_dir) / volume.spacing.row_mm,
                    along(row_dir) / volume.spacing.col_mm,
                ]
            }
            _ => [0.0, 0.0],
        })
        .collect()
}

/// Pixel (`row`, `col`) of the reference frame on slice `k` whose origin lies
/// `shift` (rows, columns) from the reference's: the stored pixel when there is no
/// shift, else [`sample`].
fn sample_shifted(
    volume: &Volume,
    k: usize,
    row: usize,
    col: usize,
    shift: [f64; 2],
) -> Option<(f32, bool)> {
    if shift == [0.0, 0.0] {
        Some(volume.value(k, row, col))
    } else {
        sample(volume, k, row as f64 - shift[0], col as f64 - shift[1])
    }
}

/// The value at fractional pixel (`row`, `col`) of slice `k` (bilinear; a stored
/// pixel exactly when both are whole) and whether its nearest pixel is padding;
/// `None` outside the image.
fn sample(volume: &Volume, k: usize, row: f64, col: f64) -> Option<(f32, bool)> {
    let last_row = volume.rows as f64 - 1.0;
    let last_col = volume.cols as f64 - 1.0;
    let inside = |x: f64, last: f64| x > -WHOLE_PIXEL && x < last + WHOLE_PIXEL;
    if !(inside(row, last_row) && inside(col, last_col)) {
        return None;
    }
    let (row, col) = (row.clamp(0.0, last_row), col.clamp(0.0, last_col));
    let whole = |x: f64| (x - x.round()).abs() < WHOLE_PIXEL;
    if whole(row) && whole(col) {
        return Some(volume.value(k, row.round() as usize, col.round() as usize));
    }
    let (r0, c0) = (row.floor() as usize, col.floor() as usize);
    let (r1, c1) = ((r0 + 1).min(volume.rows - 1), (c0 + 1).min(volume.cols - 1));
    let (fr, fc) = (row - r0 as f64, col - c0 as f64);
    let at = |r, c| volume.value(k, r, c);
    let corners = [
        (at(r0, c0), (1.0 - fr) * (1.0 - fc)),
        (at(r0, c1), (1.0 - fr) * fc),
        (at(r1, c0), fr * (1.0 - fc)),
        (at(r1, c1), fr * fc),
    ];
    let value: f64 = corners.iter().map(|((v, _), w)| f64::from(*v) * w).sum();
    let nearest = at(row.round() as usize, col.round() as usize);
    Some((value as f32, nearest.1))
}

/// A slab's pixel being combined.
struct Accumulator {
    mode: SlabMode,
    best: f32,
    sum: f64,
    count: usize,
    all_padding: bool,
}

impl Accumulator {
    fn new(mode: SlabMode) -> Self {
        Self {
            mode,
            best: f32::NAN,
            sum: 0.0,
            count: 0,
            all_padding: true,
        }
    }

    /// Adds a sample (`None`: outside the image, ignored).
    fn push(&mut self, sample: Option<(f32, bool)>) {
        let Some((v, padding)) = sample else {
            return;
        };
        self.all_padding &= padding;
        self.count += 1;
        self.sum += f64::from(v);
        self.best = match self.mode {
            SlabMode::Mip => self.best.max(v),
            SlabMode::Minip => self.best.min(v),
            SlabMode::Avg => v,
        };
    }

    /// The combined value and whether it is padding.
    fn finish(&self) -> (f32, bool) {
        match (self.count, self.mode) {
            (0, _) => (f32::NAN, true),
            (n, SlabMode::Avg) => ((self.sum / n as f64) as f32, self.all_padding),
            _ => (self.best, self.all_padding),
        }
    }
}

/// A `rows` × `cols` plane whose pixel (r, c) combines what `gather(r, c, acc)`
/// pushes; rows in parallel.
fn combine(
    rows: usize,
    cols: usize,
    mode: SlabMode,
    gather: impl Fn(usize, usize, &mut Accumulator) + Sync,
) -> (Vec<f32>, Vec<bool>) {
    let per_row: Vec<(Vec<f32>, Vec<bool>)> = (0..rows)
        .into_par_iter()
        .map(|r| {
            (0..cols)
                .map(|c| {
                    let mut acc = Accumulator::new(mode);
                    gather(r, c, &mut acc);
                    acc.finish()
                })
                .unzip()
        })
        .collect();
    let mut values = Vec::with_capacity(rows * cols);
    let mut padding = Vec::with_capacity(rows * cols);
    for (v, p) in per_row {
        values.extend(v);
        padding.extend(p);
    }
    (values, padding)
}

/// `plane` with its rows resampled linearly at their true positions to the column
/// spacing, so a pixel is as tall as it is wide in mm (uneven slice gaps become
/// even); unchanged (and no note) when its rows already are.
pub fn square_pixels(plane: &Plane) -> Plane {
    let target = plane.spacing_mm[1];
    let p = &plane.row_positions_mm;
    let already = p
        .windows(2)
        .all(|w| ((w[1] - w[0]) - target).abs() <= 1e-6 * target.max(1.0));
    if plane.rows < 2 || target.is_nan() || target <= 0.0 || already {
        return plane.clone();
    }
    let extent = p[p.len() - 1] - p[0];
    let rows = (extent / target + 1e-6).floor() as usize + 1;
    let cols = plane.cols;
    let mut values = Vec::with_capacity(rows * cols);
    let mut padding = Vec::with_capacity(rows * cols);
    let mut below = 0;
    for j in 0..rows {
        let t = p[0] + j as f64 * target;
        while below + 2 < p.len() && p[below + 1] < t {
            below += 1;
        }
        let (a, b) = (below, (below + 1).min(p.len() - 1));
        let span = p[b] - p[a];
        let w = if span > 0.0 {
            ((t - p[a]) / span).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let near = if w < 0.5 { a } else { b };
        for c in 0..cols {
            let (va, vb) = (plane.values[a * cols + c], plane.values[b * cols + c]);
            let v = if va.is_nan() || vb.is_nan() {
                plane.values[near * cols + c]
            } else {
                (f64::from(va) * (1.0 - w) + f64::from(vb) * w) as f32
            };
            values.push(v);
            padding.push(plane.padding[near * cols + c]);
        }
    }
    let gaps: Vec<f64> = p.windows(2).map(|w| w[1] - w[0]).collect();
    let (lo, hi) = gaps.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), g| {
        (lo.min(*g), hi.max(*g))
    });
    let mut notes = plane.notes.clone();
    notes.push(if hi - lo > 1e-6 * hi.max(1.0) {
        format!(
            "rows resampled linearly at the slices' true positions (uneven gaps {lo:.3} to \
             {hi:.3} mm) to an even {target:.3} mm, square pixels: {} rows to {rows}",
            plane.rows
        )
    } else {
        format!(
            "rows resampled linearly from {lo:.3} mm to {target:.3} mm so pixels are square: {} \
             rows to {rows}",
            plane.rows
        )
    });
    Plane {
        rows,
        values,
        padding,
        spacing_mm: [target, target],
        row_positions_mm: (0..rows).map(|j| j as f64 * target).collect(),
        row_slices: Vec::new(),
        notes,
        ..plane.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_20_mm_slab_on_a_5_mm_grid_takes_the_centre_and_two_each_side() {
        let z: Vec<f64> = (0..10).map(|k| -10.0 - 5.0 * k as f64).collect();
        assert_eq!(slab_neighbours(&z, 4, 20.0), vec![2, 3, 4, 5, 6]);
        // 19.9 mm: ±9.95 mm leaves out the planes 10 mm away.
        assert_eq!(slab_neighbours(&z, 4, 19.9), vec![3, 4, 5]);
        // No slab, or one thinner than a gap: the plane alone.
        assert_eq!(slab_neighbours(&z, 4, 0.0), vec![4]);
        assert_eq!(slab_neighbours(&z, 4, 9.0), vec![4]);
        // At the edge the slab is cut short.
        assert_eq!(slab_neighbours(&z, 0, 20.0), vec![0, 1, 2]);
    }

    #[test]
    fn slab_neighbours_use_the_true_uneven_positions() {
        // Gaps 1, 1, 3, 1 mm: ±2 mm of the slice at 2 mm reaches 0..4 mm only.
        let z = [0.0, 1.0, 2.0, 5.0, 6.0];
        assert_eq!(slab_neighbours(&z, 2, 4.0), vec![0, 1, 2]);
        assert_eq!(slab_neighbours(&z, 3, 2.0), vec![3, 4]);
    }

    #[test]
    fn a_1_4_mm_grid_and_a_7_mm_slab() {
        // ±3.5 mm on a 1.4 mm grid: 2 planes each side (2.8 mm), not 3 (4.2 mm).
        let rows: Vec<f64> = (0..20).map(|i| i as f64 * 1.4).collect();
        assert_eq!(slab_neighbours(&rows, 10, 7.0), vec![8, 9, 10, 11, 12]);
    }

    #[test]
    fn the_accumulator_combines_by_mode_and_keeps_padding() {
        let samples = [
            Some((3.0, false)),
            Some((-1.0, false)),
            None,
            Some((7.0, true)),
        ];
        let run = |mode| {
            let mut a = Accumulator::new(mode);
            samples.iter().for_each(|s| a.push(*s));
            a.finish()
        };
        assert_eq!(run(SlabMode::Mip), (7.0, false));
        assert_eq!(run(SlabMode::Minip), (-1.0, false));
        assert_eq!(run(SlabMode::Avg), (3.0, false));
        let mut pad = Accumulator::new(SlabMode::Mip);
        pad.push(Some((-3024.0, true)));
        assert_eq!(pad.finish(), (-3024.0, true));
        assert!(Accumulator::new(SlabMode::Avg).finish().1);
    }

    fn plane(rows: usize, positions: Vec<f64>, values: Vec<f32>) -> Plane {
        Plane {
            kind: PlaneKind::Coronal,
            index: 0,
            rows,
            cols: 1,
            padding: vec![false; values.len()],
            values,
            spacing_mm: [2.0, 1.0],
            row_positions_mm: positions,
            row_slices: Vec::new(),
            gathered: vec![0],
            slab: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn square_pixels_interpolate_at_the_true_positions() {
        // Rows at 0, 1, 3 mm (uneven) with values 0, 10, 30 → 1 mm rows 0, 10, 20, 30.
        let p = square_pixels(&plane(3, vec![0.0, 1.0, 3.0], vec![0.0, 10.0, 30.0]));
        assert_eq!(p.rows, 4);
        assert_eq!(p.values, vec![0.0, 10.0, 20.0, 30.0]);
        assert_eq!(p.spacing_mm, [1.0, 1.0]);
        assert!(p.notes[0].contains("uneven"), "{:?}", p.notes);
        // Even 2 mm gaps to 1 mm: one row between each pair, the mean.
        let q = square_pixels(&plane(2, vec![0.0, 2.0], vec![4.0, 8.0]));
        assert_eq!(q.values, vec![4.0, 6.0, 8.0]);
    }

    #[test]
    fn square_rows_are_left_alone() {
        let mut p = plane(3, vec![0.0, 1.0, 2.0], vec![1.0, 2.0, 3.0]);
        p.spacing_mm = [1.0, 1.0];
        assert_eq!(square_pixels(&p), p);
    }
}
