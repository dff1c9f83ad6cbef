//! A [`Volume`] on an even, untilted voxel grid in patient space: what the GPU holds
//! as a 3-D texture and what every MPR view samples.
//!
//! Why a second grid: an oblique or reformatted view samples the volume at arbitrary
//! points, and a 3-D texture can only be indexed evenly. A stack whose slices are
//! evenly spaced and untilted already is such a grid and is used as stored. A stack
//! with uneven gaps (or missing slices) or a gantry tilt is resampled here, once, at
//! the slices' true positions (linear between the two slices around each grid plane,
//! bilinear in-plane for the tilt's shift), so no view is ever silently stretched or
//! sheared; [`VoxelGrid::notes`] says what was done, for the overlay.
//!
//! Why 16-bit: CT and MR modality values are integers, and 2 bytes a voxel lets a
//! 512 × 512 × 1,000 CT fit in 0.5 GB on the GPU. Values are kept as `u16` plus one
//! offset when every value is an integer and their range fits 65,535 (a resampled grid
//! of such values is rounded to the nearest integer); otherwise as `f32`.
//!
//! Padding and the outside of a tilted slice are filled with the volume's lowest value,
//! so they read as the darkest tissue in every window and never win a MIP.

use rayon::prelude::*;

use super::volume::Volume;

/// The grid's values: 2 bytes a voxel when they are integers of a small enough range.
#[derive(Debug, Clone, PartialEq)]
pub enum Texels {
    /// `value = texel + offset`, exact (`R16Uint` on the GPU).
    U16 {
        /// One texel per voxel, x fastest, then y, then z.
        texels: Vec<u16>,
        /// What texel 0 stands for, modality units.
        offset: f32,
    },
    /// Modality values as they are (`R32Float` on the GPU).
    F32(Vec<f32>),
}

impl Texels {
    /// Bytes a voxel takes.
    pub fn bytes_per_voxel(&self) -> usize {
        match self {
            Self::U16 { .. } => 2,
            Self::F32(_) => 4,
        }
    }
}

/// A volume on an even, untilted grid: voxel (x, y, z) has its centre at
/// `origin_mm + x·spacing_mm[0]·axes[0] + y·spacing_mm[1]·axes[1] + z·spacing_mm[2]·axes[2]`.
#[derive(Debug, Clone, PartialEq)]
pub struct VoxelGrid {
    /// Voxels along x (the image's columns), y (its rows) and z (the slices).
    pub dims: [usize; 3],
    /// mm between voxel centres along x, y and z.
    pub spacing_mm: [f64; 3],
    /// Patient position (mm) of voxel (0, 0, 0)'s centre: the first slice's Image
    /// Position (Patient), or the origin without one.
    pub origin_mm: [f64; 3],
    /// Unit vectors of x (the row direction), y (the column direction) and z (the
    /// direction the slices advance in), in patient coordinates.
    pub axes: [[f64; 3]; 3],
    /// The values.
    pub texels: Texels,
    /// What was done to the stack to make it a grid (empty when used as stored).
    pub notes: Vec<String>,
}

impl VoxelGrid {
    /// The grid of `volume`: its own voxels when evenly spaced and untilted, else
    /// resampled at the slices' true positions with the median gap.
    pub fn from_volume(volume: &Volume) -> Self {
        let axes = grid_axes(volume);
        let stats = source_stats(volume);
        // Padding reads as the lowest value (0 for an all-padding volume).
        let fill = if stats.0.is_finite() { stats.0 } else { 0.0 };
        let n = volume.slices.len();
        let positions = &volume.check.positions_mm;
        let first = positions.first().copied().unwrap_or(0.0);
        // Distance of each slice from the first, along the direction they advance in.
        let along: Vec<f64> = positions.iter().map(|p| (p - first).abs()).collect();
        let resample =
            volume.check.uneven || volume.check.tilted || !volume.check.missing.is_empty();
        let gap = volume.slice_gap_mm();
        let (depth, z_mm): (usize, Vec<f64>) = if resample && n > 1 {
            let span = along[n - 1];
            let depth = (span / gap).round() as usize + 1;
            (depth, (0..depth).map(|k| k as f64 * gap).collect())
        } else {
            (n, (0..n).map(|k| k as f64 * gap).collect())
        };
        let mut notes = Vec::new();
        if resample && n > 1 {
            if volume.check.uneven || !volume.check.missing.is_empty() {
                notes.push(format!(
                    "uneven slice gaps: resampled to {gap:.2} mm at the true positions"
                ));
            }
            if volume.check.tilted {
                let degrees = volume.check.tilt_rad.unwrap_or(0.0).to_degrees();
                notes.push(format!("gantry tilt {degrees:.1}°: slices shifted back"));
            }
        }
        let shifts = if resample {
            in_plane_shifts(volume, &axes)
        } else {
            vec![[0.0, 0.0]; n]
        };
        let plane = volume.rows * volume.cols;
        let texels = if resample && n > 1 {
            let mut out = vec![0.0f32; plane * depth];
            out.par_chunks_mut(plane).zip(&z_mm).for_each(|(dst, &z)| {
                resample_plane(volume, &along, &shifts, z, fill, dst);
            });
            // A resampled grid of integer data is rounded back to integers.
            to_texels(out, stats.2)
        } else {
            stored_texels(volume, stats, fill)
        };
        let origin_mm = volume
            .slices
            .first()
            .and_then(|s| s.point_in_patient_mm)
            .unwrap_or([0.0; 3]);
        Self {
            dims: [volume.cols, volume.rows, depth],
            spacing_mm: [volume.spacing.col_mm, volume.spacing.row_mm, gap],
            origin_mm,
            axes,
            texels,
            notes,
        }
    }

    /// The value of voxel (x, y, z), modality units.
    pub fn value(&self, x: usize, y: usize, z: usize) -> f32 {
        let i = (z * self.dims[1] + y) * self.dims[0] + x;
        match &self.texels {
            Texels::U16 { texels, offset } => f32::from(texels[i]) + offset,
            Texels::F32(values) => values[i],
        }
    }

    /// Voxel coordinates (voxel centres at whole numbers) of a patient point, mm.
    pub fn voxel_of(&self, point_mm: [f64; 3]) -> [f64; 3] {
        let d = sub(point_mm, self.origin_mm);
        std::array::from_fn(|k| dot(d, self.axes[k]) / self.spacing_mm[k])
    }

    /// The patient point, mm, at voxel coordinates `voxel`.
    pub fn point_of(&self, voxel: [f64; 3]) -> [f64; 3] {
        let mut p = self.origin_mm;
        for (k, axis) in self.axes.iter().enumerate() {
            let mm = voxel[k] * self.spacing_mm[k];
            for (p, a) in p.iter_mut().zip(axis) {
                *p += mm * a;
            }
        }
        p
    }

    /// A patient direction (mm) as a step in voxel coordinates.
    pub fn voxel_step(&self, direction_mm: [f64; 3]) -> [f64; 3] {
        std::array::from_fn(|k| dot(direction_mm, self.axes[k]) / self.spacing_mm[k])
    }

    /// The patient point, mm, at the centre of the grid.
    pub fn centre_mm(&self) -> [f64; 3] {
        self.point_of(std::array::from_fn(|k| (self.dims[k] as f64 - 1.0) / 2.0))
    }

    /// Bytes the values take.
    pub fn byte_len(&self) -> usize {
        self.dims.iter().product::<usize>() * self.texels.bytes_per_voxel()
    }
}

/// Dot product.
pub fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// `a − b`.
pub fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

/// x along the rows, y along the columns, z the way the slices advance (the normal,
/// turned round when the positions decrease); the patient axes without orientation.
fn grid_axes(volume: &Volume) -> [[f64; 3]; 3] {
    let (Some(row), Some(col), Some(normal)) = (
        volume.row_direction(),
        volume.column_direction(),
        volume.normal(),
    ) else {
        return [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    };
    let p = &volume.check.positions_mm;
    let sign = match (p.first(), p.last()) {
        (Some(a), Some(b)) if b < a => -1.0,
        _ => 1.0,
    };
    [row, col, normal.map(|v| v * sign)]
}

/// Per slice, where its pixel (0, 0) lies in the first slice's frame, in pixels
/// (x, y): the in-plane part of its offset from the first slice (a gantry tilt).
fn in_plane_shifts(volume: &Volume, axes: &[[f64; 3]; 3]) -> Vec<[f64; 2]> {
    let origin = volume.slices.first().and_then(|s| s.point_in_patient_mm);
    volume
        .slices
        .iter()
        .map(|s| match (s.point_in_patient_mm, origin) {
            (Some(p), Some(o)) => {
                let d = sub(p, o);
                [
                    dot(d, axes[0]) / volume.spacing.col_mm,
                    dot(d, axes[1]) / volume.spacing.row_mm,
                ]
            }
            _ => [0.0, 0.0],
        })
        .collect()
}

/// Fills `dst` (one grid plane, `z` mm from the first slice) from the two slices
/// around it: linear between them, each sampled bilinearly where the grid's pixel
/// lies in it after its shift; `fill` outside a slice.
fn resample_plane(
    volume: &Volume,
    along: &[f64],
    shifts: &[[f64; 2]],
    z: f64,
    fill: f32,
    dst: &mut [f32],
) {
    let n = along.len();
    let b = along.partition_point(|&p| p < z).clamp(1, n - 1);
    let a = b - 1;
    let span = along[b] - along[a];
    let t = if span > 0.0 {
        ((z - along[a]) / span).clamp(0.0, 1.0)
    } else {
        0.0
    };
    for (i, out) in dst.iter_mut().enumerate() {
        let (y, x) = ((i / volume.cols) as f64, (i % volume.cols) as f64);
        let va = bilinear(volume, a, x - shifts[a][0], y - shifts[a][1], fill);
        let vb = bilinear(volume, b, x - shifts[b][0], y - shifts[b][1], fill);
        *out = ((1.0 - t) * f64::from(va) + t * f64::from(vb)) as f32;
    }
}

/// Slice `k` at fractional pixel (x, y), bilinear, padding read as `fill`; `fill`
/// outside the image.
fn bilinear(volume: &Volume, k: usize, x: f64, y: f64, fill: f32) -> f32 {
    const EDGE: f64 = 1e-9;
    let (last_x, last_y) = (volume.cols as f64 - 1.0, volume.rows as f64 - 1.0);
    if x < -EDGE || y < -EDGE || x > last_x + EDGE || y > last_y + EDGE {
        return fill;
    }
    let (x, y) = (x.clamp(0.0, last_x), y.clamp(0.0, last_y));
    let (x0, y0) = (x.floor() as usize, y.floor() as usize);
    let (x1, y1) = ((x0 + 1).min(volume.cols - 1), (y0 + 1).min(volume.rows - 1));
    let (fx, fy) = (x - x0 as f64, y - y0 as f64);
    let values = &volume.slices[k].values;
    let at = |x: usize, y: usize| {
        let v = values[y * volume.cols + x];
        f64::from(if v.is_nan() { fill } else { v })
    };
    let v = at(x0, y0) * (1.0 - fx) * (1.0 - fy)
        + at(x1, y0) * fx * (1.0 - fy)
        + at(x0, y1) * (1.0 - fx) * fy
        + at(x1, y1) * fx * fy;
    v as f32
}

/// The lowest and highest value of the slices (padding left out) and whether every
/// value is an integer.
fn source_stats(volume: &Volume) -> (f32, f32, bool) {
    volume
        .slices
        .par_iter()
        .map(|s| {
            s.values.iter().filter(|v| !v.is_nan()).fold(
                (f32::INFINITY, f32::NEG_INFINITY, true),
                |(lo, hi, int), &v| (lo.min(v), hi.max(v), int && v.fract() == 0.0),
            )
        })
        .reduce(
            || (f32::INFINITY, f32::NEG_INFINITY, true),
            |a, b| (a.0.min(b.0), a.1.max(b.1), a.2 && b.2),
        )
}

/// The slices as they are (padding as `fill`), given their `source_stats`: 16-bit texels, written straight from
/// the slices in one parallel pass, when every value is an integer and their range
/// fits; else `f32`.
fn stored_texels(volume: &Volume, stats: (f32, f32, bool), fill: f32) -> Texels {
    let plane = volume.rows * volume.cols;
    let (lo, hi, integral) = stats;
    let (lo, hi) = (lo.min(fill), hi.max(fill));
    let fits = lo.is_finite() && hi.is_finite() && f64::from(hi) - f64::from(lo) <= 65_535.0;
    if integral && fits {
        let offset = lo;
        let mut texels = vec![0u16; plane * volume.slices.len()];
        texels
            .par_chunks_mut(plane)
            .zip(&volume.slices)
            .for_each(|(dst, s)| {
                for (t, v) in dst.iter_mut().zip(s.values.iter()) {
                    let v = if v.is_nan() { fill } else { *v };
                    *t = (v - offset) as u16;
                }
            });
        return Texels::U16 { texels, offset };
    }
    let mut values = vec![0.0f32; plane * volume.slices.len()];
    values
        .par_chunks_mut(plane)
        .zip(&volume.slices)
        .for_each(|(dst, s)| {
            for (d, v) in dst.iter_mut().zip(s.values.iter()) {
                *d = if v.is_nan() { fill } else { *v };
            }
        });
    Texels::F32(values)
}

/// `values` as 16-bit texels, rounded, when `integer_data` (they come from integers)
/// and their range fits; else as they are.
fn to_texels(values: Vec<f32>, integer_data: bool) -> Texels {
    let (lo, hi) = values
        .par_iter()
        .fold(
            || (f32::INFINITY, f32::NEG_INFINITY),
            |(lo, hi), &v| (lo.min(v), hi.max(v)),
        )
        .reduce(
            || (f32::INFINITY, f32::NEG_INFINITY),
            |a, b| (a.0.min(b.0), a.1.max(b.1)),
        );
    let fits = lo.is_finite() && hi.is_finite() && f64::from(hi) - f64::from(lo) <= 65_535.0;
    if !fits || !integer_data {
        return Texels::F32(values);
    }
    let offset = lo.round();
    let texels = values
        .par_iter()
        .map(|v| (v.round() - offset).clamp(0.0, 65_535.0) as u16)
        .collect();
    Texels::U16 { texels, offset }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_of_a_ct_range_take_two_bytes_and_keep_their_values() {
        let t = to_texels(vec![-1024.0, 0.0, 3071.0], true);
        assert_eq!(
            t,
            Texels::U16 {
                texels: vec![0, 1024, 4095],
                offset: -1024.0
            }
        );
        assert_eq!(t.bytes_per_voxel(), 2);
    }

    #[test]
    fn non_integer_data_or_a_wide_range_stay_f32() {
        assert_eq!(
            to_texels(vec![0.5, 1.0], false),
            Texels::F32(vec![0.5, 1.0])
        );
        assert_eq!(
            to_texels(vec![0.0, 70_000.0], true),
            Texels::F32(vec![0.0, 70_000.0])
        );
    }
}
