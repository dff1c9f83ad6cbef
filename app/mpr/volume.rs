//! A series as a volume: its slices in order along the slice normal, their modality
//! values, the grid's geometry, and what is wrong with it as a volume.
//!
//! Why a check: a reformatted plane is only as true as the stack under it. A series
//! whose slices are unevenly spaced, tilted against their own plane (gantry tilt) or
//! missing a slice still *looks* like a volume when stacked row by row, and the plane
//! cut from it is then silently stretched or sheared. [`VolumeCheck`] measures each
//! of those from Image Position / Orientation (Patient) so the planes can be
//! resampled at the true positions (see [`super::plane`]) and the user told.
//!
//! The frames are read through [`crate::assist::stack::Stack`] (the index's slice
//! order, modality values as `f32`, padding as NaN). A 512 × 512 × 1000 CT is 1 GiB
//! of `f32`, one allocation per slice, shared (`Arc`) rather than copied.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::annotate::files::frames::FrameInfo;
use crate::annotate::shape::ShapeImage;
use crate::annotate::slices::{Unplaceable, median_gap, positions};
use crate::assist::stack::{Stack, StackError};
use crate::index::Series;
use crate::index::instance::slice_normal;
use crate::measure::PixelSpacing;

/// Largest angle, radians, between the slice normal and the direction the slices
/// advance in that is not called a gantry tilt.
pub const TILT_LIMIT_RAD: f64 = 0.01;
/// A gap differing from the median by more than this fraction of it (or by
/// [`UNEVEN_MIN_MM`], whichever is larger) makes the spacing uneven.
pub const UNEVEN_FRACTION: f64 = 0.01;
/// The smallest difference of gaps, mm, that counts as uneven (DS rounding stays under).
pub const UNEVEN_MIN_MM: f64 = 0.01;
/// A gap at least this many median gaps wide is reported as missing slices.
pub const MISSING_FACTOR: f64 = 1.5;
/// Largest difference of pixel spacings, mm, still taken as the same grid.
const SAME_SPACING_MM: f64 = 1e-4;

/// Why a series cannot be a volume.
#[derive(Debug, Error)]
pub enum VolumeError {
    /// Slices that do not stack: mixed size, orientation or spacing, two at one place.
    #[error("series {series} is not a volume: {reason}")]
    NotAVolume {
        /// The Series Instance UID.
        series: String,
        /// What differs, naming the files.
        reason: String,
    },
    /// Enhanced (multi-frame) images: the index has no per-frame positions.
    #[error(
        "series {series}: MPR of multi-frame (enhanced) images is not supported: {file} has \
         {frames} frames and the index reads no per-frame positions"
    )]
    MultiFrame {
        /// The Series Instance UID.
        series: String,
        /// The multi-frame file's name.
        file: String,
        /// Its Number of Frames.
        frames: u32,
    },
    /// Reading the frames failed.
    #[error("series {series}: {source}")]
    Frames {
        /// The Series Instance UID.
        series: String,
        /// Why.
        #[source]
        source: StackError,
    },
}

/// How the slices were put in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SliceOrder {
    /// Along the slice normal, from Image Position / Orientation (Patient).
    Position,
    /// By Instance Number (then file name): the images have no position.
    InstanceNumber,
}

/// The smallest, largest and median gap between neighbouring slices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GapStats {
    /// Smallest gap, mm.
    pub min_mm: f64,
    /// Largest gap, mm.
    pub max_mm: f64,
    /// Median gap, mm: the spacing a volume is taken to have.
    pub median_mm: f64,
}

/// A gap wide enough for slices to be missing from it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MissingSlices {
    /// The slice before the gap, from 0 in slice order.
    pub after_slice: usize,
    /// The gap, mm.
    pub gap_mm: f64,
    /// About how many slices of the median gap would fill it.
    pub missing: usize,
}

/// What a series is like as a volume: its order, gaps and tilt, and the warnings to
/// show for them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolumeCheck {
    /// How the slices were ordered.
    pub order: SliceOrder,
    /// Each slice's position along the slice normal, mm, in slice order (slice
    /// index × the assumed gap when the images have no position).
    pub positions_mm: Vec<f64>,
    /// The gaps between neighbours; `None` for a single slice.
    pub gaps: Option<GapStats>,
    /// True when the gaps differ (see [`UNEVEN_FRACTION`]).
    pub uneven: bool,
    /// Gaps of [`MISSING_FACTOR`] median gaps or more.
    pub missing: Vec<MissingSlices>,
    /// The angle, radians, between the slice normal and the direction from the first
    /// slice's position to the last one's; `None` without positions.
    pub tilt_rad: Option<f64>,
    /// True when `tilt_rad` exceeds [`TILT_LIMIT_RAD`] (gantry tilt).
    pub tilted: bool,
    /// One line per finding, for stderr, `--json` and an overlay.
    pub warnings: Vec<String>,
}

impl VolumeCheck {
    /// The check of slices at `positions_mm` along the normal (in slice order),
    /// ordered as `order`; with their Image Positions (Patient) and the slice
    /// `normal`, the tilt is measured too.
    pub fn measure(
        order: SliceOrder,
        positions_mm: Vec<f64>,
        points_in_patient_mm: Option<(&[[f64; 3]], [f64; 3])>,
    ) -> Self {
        let gap_list: Vec<f64> = positions_mm
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .collect();
        let mut sorted = positions_mm.clone();
        sorted.sort_by(f64::total_cmp);
        let gaps = median_gap(&sorted).map(|median_mm| GapStats {
            min_mm: gap_list.iter().copied().fold(f64::INFINITY, f64::min),
            max_mm: gap_list.iter().copied().fold(0.0, f64::max),
            median_mm,
        });
        let mut warnings = Vec::new();
        if order == SliceOrder::InstanceNumber {
            warnings.push(
                "the images have no Image Position/Orientation (Patient): slices are in \
                 Instance Number order and their gap is assumed, not measured"
                    .to_owned(),
            );
        }
        let uneven = gaps.is_some_and(|g| {
            let tolerance = (g.median_mm * UNEVEN_FRACTION).max(UNEVEN_MIN_MM);
            gap_list
                .iter()
                .any(|gap| (gap - g.median_mm).abs() > tolerance)
        });
        let missing: Vec<MissingSlices> = match gaps {
            Some(g) if g.median_mm > 0.0 => gap_list
                .iter()
                .enumerate()
                .filter(|(_, gap)| **gap >= MISSING_FACTOR * g.median_mm)
                .map(|(k, gap)| MissingSlices {
                    after_slice: k,
                    gap_mm: *gap,
                    missing: ((gap / g.median_mm).round() as usize)
                        .saturating_sub(1)
                        .max(1),
                })
                .collect(),
            _ => Vec::new(),
        };
        if let (true, Some(g)) = (uneven, gaps) {
            let listed: Vec<String> = gap_list.iter().map(|v| format!("{v:.3}")).collect();
            warnings.push(format!(
                "uneven slice spacing: gaps from {:.3} to {:.3} mm (median {:.3} mm); gaps in \
                 slice order: {} mm",
                g.min_mm,
                g.max_mm,
                g.median_mm,
                listed.join(", ")
            ));
        }
        for m in &missing {
            warnings.push(format!(
                "missing slices: a gap of {:.3} mm after slice {} (between {:.3} and {:.3} mm), \
                 about {} slice(s) missing",
                m.gap_mm,
                m.after_slice,
                positions_mm[m.after_slice],
                positions_mm[m.after_slice + 1],
                m.missing
            ));
        }
        let tilt_rad = points_in_patient_mm.and_then(|(points, normal)| {
            let (first, last) = (points.first()?, points.last()?);
            tilt_angle_rad(*first, *last, normal)
        });
        let tilted = tilt_rad.is_some_and(|t| t > TILT_LIMIT_RAD);
        if let (true, Some(t)) = (tilted, tilt_rad) {
            warnings.push(format!(
                "gantry tilt: the slices advance {:.2}° ({t:.4} rad) off their normal",
                t.to_degrees()
            ));
        }
        Self {
            order,
            positions_mm,
            gaps,
            uneven,
            missing,
            tilt_rad,
            tilted,
            warnings,
        }
    }
}

/// The angle, radians, between `normal` (unit) and the direction from `first` to
/// `last` (either sense); `None` when the two points coincide.
pub fn tilt_angle_rad(first: [f64; 3], last: [f64; 3], normal: [f64; 3]) -> Option<f64> {
    let d = [last[0] - first[0], last[1] - first[1], last[2] - first[2]];
    let along = dot(d, normal).abs();
    let c = cross(d, normal);
    let across = dot(c, c).sqrt();
    (along > 0.0 || across > 0.0).then(|| across.atan2(along))
}

/// One slice of a volume.
#[derive(Debug, Clone)]
pub struct VolumeSlice {
    /// The image (file and frame) it comes from.
    pub image: ShapeImage,
    /// The file.
    pub path: PathBuf,
    /// Image Position (Patient), mm: the centre of its top-left pixel.
    pub point_in_patient_mm: Option<[f64; 3]>,
    /// Modality values (HU for CT), row-major; NaN where the image has padding.
    pub values: Arc<[f32]>,
    /// The modality value the image's Pixel Padding Value stands for, when it has
    /// padding pixels: what the NaNs of `values` hold in modality units.
    pub padding_value: Option<f32>,
}

/// A series as a volume on its own grid.
#[derive(Debug, Clone)]
pub struct Volume {
    /// Series Instance UID.
    pub series_uid: String,
    /// Modality (of the first image).
    pub modality: Option<String>,
    /// Rows of every slice.
    pub rows: usize,
    /// Columns of every slice.
    pub cols: usize,
    /// Pixel Spacing (row spacing: mm between rows; column spacing: between columns).
    pub spacing: PixelSpacing,
    /// Image Orientation (Patient) of every slice (row, then column direction
    /// cosines), when known.
    pub orientation: Option<[f64; 6]>,
    /// The slices, in the index's slice order (along the normal).
    pub slices: Vec<VolumeSlice>,
    /// What the series is like as a volume.
    pub check: VolumeCheck,
}

impl Volume {
    /// Reads `series` as a volume: every frame decoded (in parallel), checked.
    ///
    /// # Errors
    /// Mixed sizes, orientations or spacings, two slices at one position, multi-frame
    /// images, a frame that does not decode, a colour image.
    pub fn load(series: &Series) -> Result<Self, VolumeError> {
        let uid = &series.series_uid;
        let not_a_volume = |reason: String| VolumeError::NotAVolume {
            series: uid.clone(),
            reason,
        };
        let first = series
            .instances
            .first()
            .ok_or_else(|| VolumeError::Frames {
                series: uid.clone(),
                source: StackError::Empty,
            })?;
        for inst in &series.instances {
            if (inst.rows, inst.cols) != (first.rows, first.cols) {
                return Err(not_a_volume(format!(
                    "{} is {}×{} pixels, {} is {}×{}",
                    first.file_name, first.cols, first.rows, inst.file_name, inst.cols, inst.rows
                )));
            }
            let (a, b) = (first.pixel_spacing(), inst.pixel_spacing());
            if (a.row_mm - b.row_mm).abs() > SAME_SPACING_MM
                || (a.col_mm - b.col_mm).abs() > SAME_SPACING_MM
            {
                return Err(not_a_volume(format!(
                    "{} has pixel spacing {}\\{} mm, {} has {}\\{} mm",
                    first.file_name, a.row_mm, a.col_mm, inst.file_name, b.row_mm, b.col_mm
                )));
            }
        }
        let infos: Vec<FrameInfo> = series
            .instances
            .iter()
            .map(FrameInfo::from_instance)
            .collect();
        let refs: Vec<&FrameInfo> = infos.iter().collect();
        let placed = match positions(&refs) {
            Ok(_) => true,
            Err(Unplaceable::NoPosition) => false,
            Err(Unplaceable::MultiFrame) => {
                let multi = series
                    .instances
                    .iter()
                    .find(|i| i.frames > 1)
                    .unwrap_or(first);
                return Err(VolumeError::MultiFrame {
                    series: uid.clone(),
                    file: multi.file_name.clone(),
                    frames: multi.frames,
                });
            }
            Err(Unplaceable::MixedOrientation) => {
                let other = series
                    .instances
                    .iter()
                    .find(|i| i.orientation != first.orientation)
                    .unwrap_or(first);
                return Err(not_a_volume(format!(
                    "the orientations differ: {} is {:?}, {} is {:?}",
                    first.file_name, first.orientation, other.file_name, other.orientation
                )));
            }
            Err(Unplaceable::SharedPosition) => {
                return Err(not_a_volume(shared_position(series)));
            }
        };
        let stack = Stack::load(series, |_| true).map_err(|source| VolumeError::Frames {
            series: uid.clone(),
            source,
        })?;
        let normal = first.normal();
        let check = if placed {
            let along: Vec<f64> = stack
                .slices
                .iter()
                .map(|s| s.position_mm.unwrap_or(f64::NAN))
                .collect();
            let known: Vec<[f64; 3]> = series
                .instances
                .iter()
                .filter_map(|i| i.position_mm)
                .collect();
            VolumeCheck::measure(
                SliceOrder::Position,
                along,
                normal.map(|n| (known.as_slice(), n)),
            )
        } else {
            let gap = first
                .slice_thickness_mm
                .filter(|t| t.is_finite() && *t > 0.0)
                .unwrap_or(1.0);
            let mut check =
                VolumeCheck::measure(SliceOrder::InstanceNumber, stack.positions_mm(gap), None);
            check.warnings.push(format!(
                "slice gap assumed {gap} mm ({})",
                if first.slice_thickness_mm.is_some() {
                    "Slice Thickness"
                } else {
                    "no Slice Thickness either"
                }
            ));
            check
        };
        let slices = volume_slices(series, stack)?;
        Ok(Self {
            series_uid: uid.clone(),
            modality: series.modality.clone(),
            rows: first.rows as usize,
            cols: first.cols as usize,
            spacing: first.pixel_spacing(),
            orientation: first.orientation,
            slices,
            check,
        })
    }

    /// Direction cosines of a row (the direction columns increase in), when known.
    pub fn row_direction(&self) -> Option<[f64; 3]> {
        self.orientation.map(|o| [o[0], o[1], o[2]])
    }

    /// Direction cosines of a column (the direction rows increase in), when known.
    pub fn column_direction(&self) -> Option<[f64; 3]> {
        self.orientation.map(|o| [o[3], o[4], o[5]])
    }

    /// The slice normal (row × column direction), when known.
    pub fn normal(&self) -> Option<[f64; 3]> {
        self.orientation.and_then(slice_normal)
    }

    /// The modality value of pixel (`row`, `col`) of slice `slice`, and whether it is
    /// padding (then the value is the padding's modality value, NaN when unknown).
    pub fn value(&self, slice: usize, row: usize, col: usize) -> (f32, bool) {
        let s = &self.slices[slice];
        let v = s.values[row * self.cols + col];
        if v.is_nan() {
            (s.padding_value.unwrap_or(f32::NAN), true)
        } else {
            (v, false)
        }
    }

    /// The median gap between slices, mm (the assumed gap without positions; 1 mm
    /// for a single slice).
    pub fn slice_gap_mm(&self) -> f64 {
        self.check
            .gaps
            .map(|g| g.median_mm)
            .filter(|g| *g > 0.0)
            .unwrap_or(1.0)
    }

    /// Bytes the values take.
    pub fn byte_len(&self) -> usize {
        self.slices.len() * self.rows * self.cols * std::mem::size_of::<f32>()
    }
}

/// The slices of `stack` with their files, positions and padding values: one frame
/// per image (multi-frame images are refused before), in `series.instances` order.
fn volume_slices(series: &Series, stack: Stack) -> Result<Vec<VolumeSlice>, VolumeError> {
    stack
        .slices
        .into_par_iter()
        .zip(series.instances.par_iter())
        .map(|(slice, inst)| {
            let values = slice.values.ok_or_else(|| VolumeError::Frames {
                series: series.series_uid.clone(),
                source: StackError::Decode {
                    file: slice.image.file_name.clone(),
                    frame: slice.image.frame,
                    reason: "the frame was not read".to_owned(),
                },
            })?;
            let padding_value = if values.iter().any(|v| v.is_nan()) {
                slice.padding_value
            } else {
                None
            };
            Ok(VolumeSlice {
                image: slice.image,
                path: inst.path.clone(),
                point_in_patient_mm: inst.position_mm,
                values,
                padding_value,
            })
        })
        .collect()
}

/// Which two files share a position along the normal (for the error).
fn shared_position(series: &Series) -> String {
    let along = |i: &crate::index::Instance| {
        let (p, n) = (i.position_mm?, i.normal()?);
        Some(dot(p, n))
    };
    for pair in series.instances.windows(2) {
        if let (Some(a), Some(b)) = (along(&pair[0]), along(&pair[1]))
            && (a - b).abs() < 1e-4
        {
            return format!(
                "{} and {} lie at the same position ({a:.3} mm along the normal)",
                pair[0].file_name, pair[1].file_name
            );
        }
    }
    "two images lie at the same position along the normal".to_owned()
}

/// The dot product.
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// The cross product.
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_gaps_are_not_uneven_and_nothing_is_missing() {
        let c = VolumeCheck::measure(SliceOrder::Position, vec![-10.0, -15.0, -20.0], None);
        let g = c.gaps.expect("gaps");
        assert_eq!((g.min_mm, g.max_mm, g.median_mm), (5.0, 5.0, 5.0));
        assert!(!c.uneven && c.missing.is_empty() && !c.tilted);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }

    #[test]
    fn uneven_gaps_and_a_missing_slice_by_hand() {
        // Gaps 2, 2, 4 (one slice missing), 2.5: median of [2, 2, 2.5, 4] is 2.25.
        let c = VolumeCheck::measure(SliceOrder::Position, vec![0.0, 2.0, 4.0, 8.0, 10.5], None);
        let g = c.gaps.expect("gaps");
        assert_eq!((g.min_mm, g.max_mm, g.median_mm), (2.0, 4.0, 2.25));
        assert!(c.uneven);
        assert_eq!(
            c.missing,
            vec![MissingSlices {
                after_slice: 2,
                gap_mm: 4.0,
                missing: 1
            }]
        );
        assert!(c.warnings.iter().any(|w| w.contains("uneven")));
        assert!(c.warnings.iter().any(|w| w.contains("after slice 2")));
    }

    #[test]
    fn a_gap_within_the_tolerance_is_even() {
        // 0.005 mm off a 5 mm gap: under UNEVEN_MIN_MM.
        let c = VolumeCheck::measure(SliceOrder::Position, vec![0.0, 5.0, 10.005], None);
        assert!(!c.uneven);
    }

    #[test]
    fn tilt_angle_by_hand() {
        // Slices advancing 10 mm in z and 10·tan(15°) in y with an axial normal: 15°.
        let t = 15f64.to_radians();
        let a = tilt_angle_rad(
            [0.0, 0.0, 0.0],
            [0.0, 10.0 * t.tan(), 10.0],
            [0.0, 0.0, 1.0],
        )
        .expect("angle");
        assert!((a - t).abs() < 1e-12, "{a}");
        // Descending slices are the same stack.
        let b = tilt_angle_rad([0.0, 0.0, 10.0], [0.0, 0.0, -5.0], [0.0, 0.0, 1.0]);
        assert_eq!(b, Some(0.0));
        assert_eq!(tilt_angle_rad([1.0; 3], [1.0; 3], [0.0, 0.0, 1.0]), None);
    }

    #[test]
    fn a_tilted_stack_is_reported() {
        let t = 0.2f64;
        let points: Vec<[f64; 3]> = (0..4)
            .map(|k| [0.0, k as f64 * 3.0 * t.tan(), k as f64 * 3.0])
            .collect();
        let along: Vec<f64> = points.iter().map(|p| p[2]).collect();
        let c = VolumeCheck::measure(
            SliceOrder::Position,
            along,
            Some((&points, [0.0, 0.0, 1.0])),
        );
        assert!(c.tilted && !c.uneven);
        assert!((c.tilt_rad.expect("tilt") - t).abs() < 1e-12);
        assert!(c.warnings.iter().any(|w| w.contains("gantry tilt")));
    }

    #[test]
    fn the_normal_is_row_cross_column() {
        // Axial: row +x, column +y → +z. Coronal (row +x, column −z) → +y.
        assert_eq!(
            slice_normal([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
            Some([0.0, 0.0, 1.0])
        );
        let n = slice_normal([1.0, 0.0, 0.0, 0.0, 0.0, -1.0]).expect("normal");
        assert!((n[1] - 1.0).abs() < 1e-12 && n[0].abs() < 1e-12 && n[2].abs() < 1e-12);
    }
}
