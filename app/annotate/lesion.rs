//! Lesions: the outlines of one finding on several slices taken together, so that a
//! reader sees its volume (mm³) and its largest 3-D diameter, which no single frame's
//! measurements give (a nodule's longest axis is often oblique to every slice).
//!
//! # Rules
//!
//! * **Grouping.** The area shapes (polygon, freehand, rectangle, ellipse) of one
//!   label by one annotator on one series are joined when they lie on the same or on
//!   adjacent slices and their pixel masks overlap in-plane (share at least one pixel);
//!   a lesion is a connected group. So a slice left undrawn splits a lesion in two
//!   (fill it with interpolation to join them), two findings side by side on one slice
//!   stay two, and a lesion drawn on one frame is still a lesion. Masks are the centre
//!   rule of [`crate::annotate::raster`], through [`Region::of_ring`], the masks the
//!   agreement module scores.
//! * **Slice order.** A series' slices are its images ordered by Image Position
//!   (Patient) along the slice normal of Image Orientation (Patient), every image of
//!   the series in `frames` counted, drawn on or not. When that cannot be done (a
//!   multi-frame image, whose later frames' positions the index does not keep; an
//!   image without position or orientation; differing orientations; two images at one
//!   position) the slices are ordered by file name, then frame, for grouping only, and
//!   the lesion has no volume, with a `note` saying why.
//! * **Volume.** Σ over the lesion's slices of the pixels in the union of its masks on
//!   that slice × row mm × column mm × the slice thickness; the thickness is the
//!   median gap between consecutive slice positions of the series (robust to one
//!   missing slice, the agreement module's rule). It needs Pixel Spacing (Imager Pixel
//!   Spacing is at the detector) and at least two slices in the series.
//! * **Largest diameter.** The largest distance in patient mm
//!   ([`FrameInfo::patient_mm`]) between two vertices of the lesion's rings. Exact:
//!   the farthest pair of a set of polygons is a pair of their vertices (ellipses are
//!   stored as their ring's vertices, so the same holds for what is stored). Only each
//!   ring's convex hull vertices are compared, which gives the same answer faster.
//!
//! Volumes, thicknesses and diameters are rounded to 0.0001 (mm³, mm).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::agreement::region::Region;
use crate::annotate::files::frames::{FrameInfo, FrameInfos};
use crate::annotate::shape::Shape;
use crate::annotate::slices::{Unplaceable, median_gap, positions};
use crate::measure::SpacingSource;

/// One lesion: the shapes of one finding on consecutive slices, with its 3-D size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lesion {
    /// The label of its shapes.
    pub label: String,
    /// Who drew its shapes.
    pub annotator: String,
    /// Study Instance UID.
    pub study_uid: String,
    /// Series Instance UID.
    pub series_uid: String,
    /// Its shapes' ids, sorted.
    pub shape_ids: Vec<String>,
    /// Number of frames (slices) it is drawn on.
    pub frames: usize,
    /// Pixels inside its masks, summed over its slices (overlaps on a slice once).
    pub voxels: u64,
    /// The series' slice thickness used for the volume (median gap between
    /// consecutive slice positions), mm; `None` when the slices cannot be placed.
    pub slice_thickness_mm: Option<f64>,
    /// Voxels × row mm × column mm × slice thickness, mm³; `None` when the geometry
    /// does not allow it (see `note`).
    pub volume_mm3: Option<f64>,
    /// The largest 3-D distance between two vertices of its rings, patient mm; `None`
    /// when a frame has no patient geometry.
    pub max_diameter_mm: Option<f64>,
    /// Why the volume or diameter is missing; `None` when both are there.
    pub note: Option<String>,
}

/// Every lesion of `shapes` (see the module doc for the rules), ordered by study,
/// series, label, annotator and first shape id. Points are left out; an area shape
/// on an image missing from `frames` is a lesion of its own, without measurements.
pub fn lesions(shapes: &[Shape], frames: &FrameInfos) -> Vec<Lesion> {
    let mut series: HashMap<&str, Vec<&FrameInfo>> = HashMap::new();
    for info in frames.iter() {
        series.entry(&info.series_uid).or_default().push(info);
    }
    let slices: HashMap<&str, Slices<'_>> = series
        .into_iter()
        .map(|(uid, infos)| (uid, Slices::of(infos)))
        .collect();
    let mut groups: BTreeMap<GroupKey<'_>, Vec<&Shape>> = BTreeMap::new();
    for s in shapes
        .iter()
        .filter(|s| s.kind.is_area() && s.points.len() >= 3)
    {
        let key = (
            s.image.study_uid.as_str(),
            s.image.series_uid.as_str(),
            s.label.as_str(),
            s.annotator.as_str(),
        );
        groups.entry(key).or_default().push(s);
    }
    let mut out: Vec<Lesion> = groups
        .into_iter()
        .flat_map(|(key, shapes)| group_lesions(key, &shapes, slices.get(key.1), frames))
        .collect();
    out.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    out
}

/// Study, series, label, annotator.
type GroupKey<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The order lesions are listed in.
fn sort_key(l: &Lesion) -> (&str, &str, &str, &str, Option<&String>) {
    (
        &l.study_uid,
        &l.series_uid,
        &l.label,
        &l.annotator,
        l.shape_ids.first(),
    )
}

/// A series' slices in order and its slice thickness.
struct Slices<'a> {
    /// Slice number of each (image, frame).
    index: HashMap<(&'a str, u32), usize>,
    /// The median gap between consecutive slice positions, mm, or why there is none.
    thickness: Result<f64, &'static str>,
}

impl<'a> Slices<'a> {
    /// The slices of a series' images.
    fn of(mut infos: Vec<&'a FrameInfo>) -> Self {
        infos.sort_by(|x, y| (&x.file_name, &x.sop_uid).cmp(&(&y.file_name, &y.sop_uid)));
        let (order, thickness): (Vec<(&str, u32)>, _) = match positions(&infos).map_err(why) {
            Ok(at) => {
                let z: Vec<f64> = at.iter().map(|p| p.0).collect();
                let order = at.into_iter().map(|p| (p.1, 1)).collect();
                (order, median_gap(&z).ok_or("the series has one slice"))
            }
            Err(why) => {
                let every = infos
                    .iter()
                    .flat_map(|i| (1..=i.frames).map(|f| (i.sop_uid.as_str(), f)));
                (every.collect(), Err(why))
            }
        };
        let index = order.into_iter().enumerate().map(|(k, f)| (f, k)).collect();
        Slices { index, thickness }
    }
}

/// Why a series cannot be placed, in words for the lesion's note.
fn why(u: Unplaceable) -> &'static str {
    match u {
        Unplaceable::MultiFrame => {
            "a multi-frame image: the index keeps the position of its first frame only"
        }
        Unplaceable::NoPosition => {
            "an image of the series lacks Image Position or Orientation (Patient)"
        }
        Unplaceable::MixedOrientation => "the series' images differ in orientation",
        Unplaceable::SharedPosition => "two images of the series lie at the same position",
    }
}

/// An area shape placed on its series' slices, with its mask.
struct Placed<'a> {
    shape: &'a Shape,
    info: &'a FrameInfo,
    slice: usize,
    region: Region,
}

/// The lesions of one group (study, series, label, annotator).
fn group_lesions(
    key: GroupKey<'_>,
    shapes: &[&Shape],
    slices: Option<&Slices<'_>>,
    frames: &FrameInfos,
) -> Vec<Lesion> {
    let mut placed = Vec::with_capacity(shapes.len());
    let mut out = Vec::new();
    for &shape in shapes {
        match place(shape, slices, frames) {
            Some(p) => placed.push(p),
            None => out.push(unplaced(key, shape)),
        }
    }
    placed.sort_by(|a, b| (a.slice, &a.shape.id).cmp(&(b.slice, &b.shape.id)));
    let thickness = slices.map_or(Err(UNKNOWN_IMAGE), |s| s.thickness);
    for members in components(&placed) {
        let members: Vec<&Placed<'_>> = members.into_iter().map(|i| &placed[i]).collect();
        out.push(lesion(key, &members, thickness));
    }
    out
}

/// Why a shape has no slice.
const UNKNOWN_IMAGE: &str = "an image is not in the release: no size or geometry";

/// `shape` on its slice, when its image and frame are among the series'.
fn place<'a>(
    shape: &'a Shape,
    slices: Option<&Slices<'_>>,
    frames: &'a FrameInfos,
) -> Option<Placed<'a>> {
    let info = frames
        .get(&shape.image.sop_uid)
        .filter(|i| i.series_uid == shape.image.series_uid)?;
    let slice = *slices?
        .index
        .get(&(shape.image.sop_uid.as_str(), shape.image.frame))?;
    let region = Region::of_ring(&shape.points, info.rows, info.cols);
    Some(Placed {
        shape,
        info,
        slice,
        region,
    })
}

/// A lesion of one shape whose image is unknown.
fn unplaced(key: GroupKey<'_>, shape: &Shape) -> Lesion {
    let (study_uid, series_uid, label, annotator) = key;
    Lesion {
        label: label.to_owned(),
        annotator: annotator.to_owned(),
        study_uid: study_uid.to_owned(),
        series_uid: series_uid.to_owned(),
        shape_ids: vec![shape.id.clone()],
        frames: 1,
        voxels: 0,
        slice_thickness_mm: None,
        volume_mm3: None,
        max_diameter_mm: None,
        note: Some(UNKNOWN_IMAGE.to_owned()),
    }
}

/// The connected groups of `placed` (sorted by slice): shapes on the same or adjacent
/// slices whose masks share a pixel are connected. Each group's indices, increasing.
fn components(placed: &[Placed<'_>]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..placed.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, a) in placed.iter().enumerate() {
        let near = placed[i + 1..]
            .iter()
            .take_while(|b| b.slice <= a.slice + 1);
        for (j, b) in near.enumerate() {
            if a.region.intersection_area(&b.region) > 0 {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, i + 1 + j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..placed.len() {
        groups.entry(root(&mut parent, i)).or_default().push(i);
    }
    groups.into_values().collect()
}

/// The lesion of `members` (one connected group).
fn lesion(key: GroupKey<'_>, members: &[&Placed<'_>], thickness: Result<f64, &str>) -> Lesion {
    let (study_uid, series_uid, label, annotator) = key;
    let mut by_slice: BTreeMap<usize, (Region, &FrameInfo)> = BTreeMap::new();
    for p in members {
        let entry = by_slice
            .entry(p.slice)
            .or_insert_with(|| (Region::default(), p.info));
        entry.0 = entry.0.union(&p.region);
    }
    let voxels = by_slice.values().map(|(r, _)| r.area()).sum();
    let calibrated = members.iter().all(|p| in_patient_plane(p.info));
    let volume = match (thickness, calibrated) {
        (Err(why), _) => Err(why),
        (Ok(_), false) => Err(NO_PIXEL_SPACING),
        (Ok(t), true) => Ok(by_slice
            .values()
            .map(|(r, i)| r.area() as f64 * i.spacing.row_mm * i.spacing.col_mm * t)
            .sum::<f64>()),
    };
    let diameter = max_diameter(members);
    let note = volume.err().or_else(|| {
        diameter.is_none().then_some(
            "a frame has no patient geometry (Image Position, Orientation, Pixel Spacing)",
        )
    });
    let mut shape_ids: Vec<String> = members.iter().map(|p| p.shape.id.clone()).collect();
    shape_ids.sort();
    Lesion {
        label: label.to_owned(),
        annotator: annotator.to_owned(),
        study_uid: study_uid.to_owned(),
        series_uid: series_uid.to_owned(),
        shape_ids,
        frames: by_slice.len(),
        voxels,
        slice_thickness_mm: thickness.ok().and_then(round),
        volume_mm3: volume.ok().and_then(round),
        max_diameter_mm: diameter.and_then(round),
        note: note.map(str::to_owned),
    }
}

/// Why a lesion has no volume though its slices are placed.
const NO_PIXEL_SPACING: &str =
    "an image has no Pixel Spacing (Imager Pixel Spacing is at the detector)";

/// True when the image's spacing is Pixel Spacing, in the patient's plane.
fn in_patient_plane(info: &FrameInfo) -> bool {
    info.spacing.is_calibrated() && info.spacing.source == SpacingSource::PixelSpacing
}

/// Rounded to 0.0001; `None` when not finite.
fn round(v: f64) -> Option<f64> {
    v.is_finite().then(|| (v * 1e4).round() / 1e4)
}

/// The largest distance, patient mm, between two vertices of the members' rings
/// (their convex hulls' vertices, which hold the farthest pair); `None` when a vertex
/// has no patient position.
fn max_diameter(members: &[&Placed<'_>]) -> Option<f64> {
    let mut points: Vec<[f64; 3]> = Vec::new();
    for p in members {
        for v in hull(&p.shape.points) {
            points.push(p.info.patient_mm(v, p.shape.image.frame)?);
        }
    }
    let mut best: f64 = 0.0;
    for (i, a) in points.iter().enumerate() {
        for b in &points[i + 1..] {
            let d2 = (0..3).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>();
            best = best.max(d2);
        }
    }
    (!points.is_empty()).then(|| best.sqrt())
}

/// The vertices of the convex hull of `points` (Andrew's monotone chain). The map to
/// patient mm is affine, so these are the hull's vertices there too.
fn hull(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut p = points.to_vec();
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: [f64; 2], a: [f64; 2], b: [f64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let chain = |it: &mut dyn Iterator<Item = [f64; 2]>| {
        let mut out: Vec<[f64; 2]> = Vec::new();
        for q in it {
            while out.len() >= 2 && cross(out[out.len() - 2], out[out.len() - 1], q) <= 0.0 {
                out.pop();
            }
            out.push(q);
        }
        out.pop();
        out
    };
    let mut lower = chain(&mut p.iter().copied());
    lower.extend(chain(&mut p.iter().rev().copied()));
    lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hull_keeps_the_extreme_vertices() {
        let ring = [
            [0.0, 0.0],
            [2.0, 1.0],
            [4.0, 0.0],
            [3.0, 2.0],
            [4.0, 4.0],
            [0.0, 4.0],
            [1.0, 2.0],
        ];
        let mut h = hull(&ring);
        h.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
        assert_eq!(h, [[0.0, 0.0], [0.0, 4.0], [4.0, 0.0], [4.0, 4.0]]);
        assert_eq!(hull(&[[1.0, 1.0], [1.0, 1.0]]), [[1.0, 1.0]]);
    }
}
