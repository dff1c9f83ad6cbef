//! Per-series 3-D agreement of two readers' masks: a lesion drawn on several slices is
//! one object, and a reader who misses its top slice, or stops a slice early, differs
//! in volume and surface in a way no per-frame score shows.
//!
//! A series' volume is every frame of it in the release, nobody's drawing needed (an
//! empty slice between two drawn ones is part of the object's surface). Slices are
//! ordered by their position along the slice normal, and the surface distances use
//! those real positions, so unevenly spaced slices are measured exactly; with even
//! spacing the numbers are MedPy's (`dc`, `jc`, `hd`, `hd95`, `assd` on the 3-D array
//! with `voxelspacing = (slice, row, column)`). Volumes in mm³ take the median slice
//! gap as every slice's thickness. Where the geometry cannot place the slices (no
//! positions, a multi-frame image, mixed orientations, a single slice) or the pixel
//! grids differ, voxel counts, Dice and Jaccard remain and the rest is `None`, with a
//! [`VolumeNote`] saying why.
//!
//! The distance work covers only the box holding both masks (in-plane bounds and the
//! slices that hold any mask): outside it no voxel is in either mask, so the borders
//! and distances are those of the whole volume.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use super::region::Region;
use super::surface::{self, Shape3, SurfaceDistances};
use crate::annotate::files::frames::{FrameInfo, FrameInfos};
use crate::annotate::slices::{self, Unplaceable};
use crate::measure::SpacingSource;

/// The two readers' masks of one frame and label (built per frame by the caller).
#[derive(Debug, Clone, Copy)]
pub struct FrameMasks<'a> {
    /// The image.
    pub sop_uid: &'a str,
    /// The frame, from 1.
    pub frame: u32,
    /// The label.
    pub label: &'a str,
    /// The reference reader's mask.
    pub reference: &'a Region,
    /// The test reader's mask.
    pub test: &'a Region,
}

/// Why a series has no distances or mm³ volumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeNote {
    /// The series has one slice: no slice spacing.
    SingleSlice,
    /// A multi-frame image: the index knows the position of its first frame only.
    MultiFrame,
    /// A slice without Image Position or Orientation (Patient).
    NoPosition,
    /// The slices' orientations differ.
    MixedOrientation,
    /// Two slices lie at the same position along the normal.
    SharedPosition,
    /// The slices differ in rows, columns or pixel spacing.
    MixedGrid,
    /// A slice has no pixel spacing.
    Uncalibrated,
}

/// The agreement on one series and label, in 3-D.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesAgreement {
    /// The series' study.
    pub study_uid: String,
    /// The series.
    pub series_uid: String,
    /// The label.
    pub label: String,
    /// Slices (frames) of the series in the release, drawn on or not.
    pub slices: usize,
    /// The median gap between consecutive slice positions, mm; `None` when the slices
    /// cannot be placed (see `note`).
    pub slice_spacing_mm: Option<f64>,
    /// Voxels of the reference's mask.
    pub reference_voxels: u64,
    /// Voxels of the test's mask.
    pub test_voxels: u64,
    /// The reference's volume: voxels × row × column × slice spacing, mm³.
    pub reference_mm3: Option<f64>,
    /// The test's volume, mm³.
    pub test_mm3: Option<f64>,
    /// Test minus reference, mm³.
    pub volume_difference_mm3: Option<f64>,
    /// The difference as a percentage of the reference; `None` when that is empty.
    pub volume_difference_pct: Option<f64>,
    /// 2|A∩B| / (|A| + |B|); 0 when both are empty.
    pub dice: f64,
    /// |A∩B| / |A∪B|; 0 when both are empty.
    pub jaccard: f64,
    /// Hausdorff distance, mm; `None` when a mask is empty or the geometry is unknown.
    pub hd_mm: Option<f64>,
    /// 95th percentile surface distance, mm.
    pub hd95_mm: Option<f64>,
    /// Average symmetric surface distance, mm.
    pub assd_mm: Option<f64>,
    /// True when every slice has a pixel spacing.
    pub calibrated: bool,
    /// Why distances or volumes are missing; `None` when the geometry is complete.
    pub note: Option<VolumeNote>,
}

/// Largest relative difference of pixel spacings still taken as the same.
const SAME_SPACING: f64 = 1e-6;

/// The 3-D agreement of every series and label either reader drew on in `masks`,
/// the series' slices taken from `frames` (masks of images or frames not there are
/// left out), ordered by study, series and label.
pub fn per_series(masks: &[FrameMasks<'_>], frames: &FrameInfos) -> Vec<SeriesAgreement> {
    let mut groups: BTreeMap<(&str, &str), Vec<&FrameMasks<'_>>> = BTreeMap::new();
    for m in masks {
        if let Some(info) = frames
            .get(m.sop_uid)
            .filter(|i| (1..=i.frames).contains(&m.frame))
        {
            groups
                .entry((info.series_uid.as_str(), m.label))
                .or_default()
                .push(m);
        }
    }
    let wanted: BTreeSet<&str> = groups.keys().map(|(series, _)| *series).collect();
    let mut members: BTreeMap<&str, Vec<&FrameInfo>> = BTreeMap::new();
    for info in frames
        .iter()
        .filter(|i| wanted.contains(i.series_uid.as_str()))
    {
        members.entry(&info.series_uid).or_default().push(info);
    }
    let volumes: HashMap<&str, Volume<'_>> = members
        .into_par_iter()
        .map(|(series, infos)| (series, Volume::of(infos)))
        .collect();
    let groups: Vec<_> = groups.into_iter().collect();
    let mut out: Vec<SeriesAgreement> = groups
        .par_iter()
        .filter_map(|((series, label), masks)| {
            Some(agreement(volumes.get(series)?, series, label, masks))
        })
        .collect();
    out.sort_by(|x, y| {
        (&x.study_uid, &x.series_uid, &x.label).cmp(&(&y.study_uid, &y.series_uid, &y.label))
    });
    out
}

/// A series' slices in order, and what its geometry allows.
struct Volume<'a> {
    /// The series' study.
    study_uid: &'a str,
    /// Slice number of each (image, frame).
    slice_of: HashMap<(&'a str, u32), usize>,
    /// Slices.
    slices: usize,
    /// Each slice's position along the normal, increasing; `None` when unknown.
    z: Option<Vec<f64>>,
    /// [row, column] spacing, mm, when every slice has the same grid and a spacing.
    spacing: Option<[f64; 2]>,
    /// Every slice has a pixel spacing.
    calibrated: bool,
    /// What is missing.
    note: Option<VolumeNote>,
}

impl<'a> Volume<'a> {
    /// The volume of a series' images.
    fn of(mut infos: Vec<&'a FrameInfo>) -> Self {
        infos.sort_by(|x, y| x.sop_uid.cmp(&y.sop_uid));
        let calibrated = infos
            .iter()
            .all(|i| i.spacing.source != SpacingSource::None);
        let grid = same_grid(&infos);
        let (order, z) = match positions(&infos) {
            Ok(at) => (at.iter().map(|p| (p.1, 1)).collect(), Ok(at)),
            Err(note) => {
                let every = infos
                    .iter()
                    .flat_map(|i| (1..=i.frames).map(|f| (i.sop_uid.as_str(), f)));
                (every.collect::<Vec<_>>(), Err(note))
            }
        };
        let note = (z.as_ref().err().copied())
            .or_else(|| grid.is_none().then_some(VolumeNote::MixedGrid))
            .or_else(|| (!calibrated).then_some(VolumeNote::Uncalibrated));
        Volume {
            study_uid: infos.first().map_or("", |i| i.study_uid.as_str()),
            slices: order.len(),
            slice_of: order
                .into_iter()
                .enumerate()
                .map(|(k, key)| (key, k))
                .collect(),
            z: z.ok().map(|at| at.into_iter().map(|p| p.0).collect()),
            spacing: grid.filter(|_| calibrated),
            calibrated,
            note,
        }
    }

    /// The median gap between consecutive slices, mm.
    fn slice_spacing(&self) -> Option<f64> {
        slices::median_gap(self.z.as_ref()?)
    }

    /// The slice positions and in-plane spacing distances need: `None` when the
    /// geometry is incomplete.
    fn metric(&self) -> Option<(&[f64], [f64; 2])> {
        self.z.as_deref().zip(self.spacing)
    }
}

/// Each image's position along the common slice normal, in increasing order; or why
/// the slices cannot be placed.
fn positions<'a>(infos: &[&'a FrameInfo]) -> Result<Vec<(f64, &'a str)>, VolumeNote> {
    if infos.iter().map(|i| i.frames).sum::<u32>() < 2 {
        return Err(VolumeNote::SingleSlice);
    }
    slices::positions(infos).map_err(|u| match u {
        Unplaceable::MultiFrame => VolumeNote::MultiFrame,
        Unplaceable::NoPosition => VolumeNote::NoPosition,
        Unplaceable::MixedOrientation => VolumeNote::MixedOrientation,
        Unplaceable::SharedPosition => VolumeNote::SharedPosition,
    })
}

/// The common [row, column] spacing when every image has the same rows, columns and
/// spacing.
fn same_grid(infos: &[&FrameInfo]) -> Option<[f64; 2]> {
    let first = infos.first()?;
    let close = |a: f64, b: f64| (a - b).abs() <= SAME_SPACING * a.abs().max(b.abs());
    infos
        .iter()
        .all(|i| {
            i.rows == first.rows
                && i.cols == first.cols
                && close(i.spacing.row_mm, first.spacing.row_mm)
                && close(i.spacing.col_mm, first.spacing.col_mm)
        })
        .then_some([first.spacing.row_mm, first.spacing.col_mm])
}

/// Both readers' masks of one slice, each the union of what was given for it.
type SliceMasks<'a> = (Cow<'a, Region>, Cow<'a, Region>);

/// The agreement of one label's `masks` on the series `volume`.
fn agreement(
    volume: &Volume<'_>,
    series: &str,
    label: &str,
    masks: &[&FrameMasks<'_>],
) -> SeriesAgreement {
    let by_slice = by_slice(volume, masks);
    let (mut a, mut b, mut inter) = (0u64, 0u64, 0u64);
    for (ra, rb) in by_slice.values() {
        a += ra.area();
        b += rb.area();
        inter += ra.intersection_area(rb);
    }
    let sum = (a + b) as f64;
    let union = sum - inter as f64;
    let distances = volume
        .metric()
        .and_then(|(z, spacing)| distances(&by_slice, z, spacing));
    let voxel_mm3 = volume
        .spacing
        .zip(volume.slice_spacing())
        .map(|([row, col], s)| row * col * s);
    let mm3 = |n: u64| voxel_mm3.map(|v| n as f64 * v);
    let difference = mm3(b).zip(mm3(a)).map(|(t, r)| t - r);
    SeriesAgreement {
        study_uid: volume.study_uid.to_owned(),
        series_uid: series.to_owned(),
        label: label.to_owned(),
        slices: volume.slices,
        slice_spacing_mm: volume.slice_spacing(),
        reference_voxels: a,
        test_voxels: b,
        reference_mm3: mm3(a),
        test_mm3: mm3(b),
        volume_difference_mm3: difference,
        volume_difference_pct: difference
            .zip(mm3(a).filter(|&r| r > 0.0))
            .map(|(d, r)| 100.0 * d / r),
        dice: if sum > 0.0 {
            2.0 * inter as f64 / sum
        } else {
            0.0
        },
        jaccard: if union > 0.0 {
            inter as f64 / union
        } else {
            0.0
        },
        hd_mm: distances.map(|d| d.hd),
        hd95_mm: distances.map(|d| d.hd95),
        assd_mm: distances.map(|d| d.assd),
        calibrated: volume.calibrated,
        note: volume.note,
    }
}

/// The masks by slice number, several given for one frame united.
fn by_slice<'a>(volume: &Volume<'_>, masks: &[&FrameMasks<'a>]) -> BTreeMap<usize, SliceMasks<'a>> {
    let mut out: BTreeMap<usize, SliceMasks<'a>> = BTreeMap::new();
    for m in masks {
        let Some(&k) = volume.slice_of.get(&(m.sop_uid, m.frame)) else {
            continue;
        };
        match out.get_mut(&k) {
            Some((a, b)) => {
                *a = Cow::Owned(a.union(m.reference));
                *b = Cow::Owned(b.union(m.test));
            }
            None => {
                out.insert(k, (Cow::Borrowed(m.reference), Cow::Borrowed(m.test)));
            }
        }
    }
    out
}

/// The surface distances of the masks over the box holding both, slices at `z`;
/// `None` when a mask is empty.
fn distances(
    by_slice: &BTreeMap<usize, SliceMasks<'_>>,
    z: &[f64],
    spacing: [f64; 2],
) -> Option<SurfaceDistances> {
    let bounds = |test: bool| {
        by_slice
            .iter()
            .filter_map(|(&k, m)| side(m, test).bounds().map(|b| (k, b)))
            .reduce(|(k0, x), (k1, y)| (k0.min(k1), merge(x, y)))
    };
    let (ka, box_a) = bounds(false)?;
    let (kb, box_b) = bounds(true)?;
    let frame = merge(box_a, box_b);
    let has_mask = |(_, m): &(&usize, &SliceMasks<'_>)| !m.0.is_empty() || !m.1.is_empty();
    let last = by_slice.iter().rev().find(has_mask).map(|(&k, _)| k)?;
    let first = ka.min(kb);
    let shape = Shape3 {
        slices: last - first + 1,
        rows: frame[2] as usize,
        cols: frame[3] as usize,
    };
    let empty = Region::default();
    let grid = |test: bool| -> Vec<bool> {
        let mut out = Vec::with_capacity(shape.slices * shape.rows * shape.cols);
        for k in first..=last {
            let region = by_slice.get(&k).map_or(&empty, |m| side(m, test));
            out.extend_from_slice(&region.grid(frame));
        }
        out
    };
    let z = z.get(first..=last)?;
    let z: Vec<f64> = z.iter().map(|p| p - z[0]).collect();
    surface::surface_distances_3d(&grid(false), &grid(true), shape, &z, spacing)
}

/// The box holding two boxes (first row, first column, rows, columns).
fn merge(x: [u32; 4], y: [u32; 4]) -> [u32; 4] {
    let (row0, col0) = (x[0].min(y[0]), x[1].min(y[1]));
    let row_end = (x[0] + x[2]).max(y[0] + y[2]);
    let col_end = (x[1] + x[3]).max(y[1] + y[3]);
    [row0, col0, row_end - row0, col_end - col0]
}

/// One reader's mask of a slice: the test's or the reference's.
fn side<'m>(m: &'m SliceMasks<'_>, test: bool) -> &'m Region {
    if test { &m.1 } else { &m.0 }
}
