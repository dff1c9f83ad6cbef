//! Importing a DICOM RT Structure Set (RTSTRUCT, PS3.3 A.19) as shapes of another
//! annotator, `"<Structure Set Label> (RTSTRUCT)"`, marked `source: rtstruct`.
//!
//! Radiotherapy planning systems and many research pipelines (rt-utils, plastimatch,
//! 3D Slicer's SlicerRT) draw their structures as RTSTRUCT, not as SEG, so reading it
//! is how their outlines reach a review. Unlike a SEG, an RTSTRUCT holds outlines in
//! **patient coordinates** (mm), so each contour must first be put on an image:
//!
//! - **Which image.** The contour's Contour Image Sequence names it when the writer
//!   filled it (and the release has that image); otherwise the plane is found from the
//!   geometry: the single-frame image of the ROI's Frame of Reference whose plane
//!   (Image Position/Orientation (Patient)) every point of the contour lies within half
//!   a slice gap of — the gap to its nearest neighbour in its series — the series the
//!   structure set references first, then the nearest plane. A contour on no image is
//!   left out and counted, per ROI, in the warnings.
//! - **Where on it.** Patient mm → image pixel coordinates by [`crate::annotate::patient::to_image_px`], the
//!   inverse of [`crate::annotate::patient::to_patient_mm`]: Image Position (Patient)
//!   is the centre of the top-left pixel, `(0.5, 0.5)` in our coordinates. So a
//!   contour along pixel edges (as our outlines and a SEG's traced masks are) covers by
//!   the centre rule ([`crate::annotate::raster`]) exactly the pixels it encloses; a
//!   contour through pixel centres (as rt-utils draws them, from OpenCV) leaves the
//!   centres on it to the rule's tie-break.
//! - **What shape.** `CLOSED_PLANAR` contours of one ROI on one plane are combined by
//!   the even-odd rule — a contour inside another is a hole, an island in a hole is
//!   inside again, as PS3.3 C.8.8.6.3 describes — and the region is cut into simple
//!   rings by [`crate::annotate::geometry::repair`] (a shape is one ring: a hole is
//!   opened by a cut, the pieces' masks add up to the region's). `POINT` contours
//!   become points. `OPEN_PLANAR` and `OPEN_NONPLANAR` contours are left out with a
//!   warning: every shape kind but a point is a closed ring.
//! - **Labels.** Each ROI is a label named by its ROI Name, with its ROI Display Color
//!   and, in its description, its RT ROI Interpreted Type.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::FilesError;
use super::dicom_derived::{items, refused};
use super::seg_import::{Imported, ImportedShape, annotator_name, file_parameters, imported_label};
use crate::annotate::geometry::repair;
use crate::annotate::labels::Label;
use crate::annotate::new_shape_id;
use crate::annotate::patient::to_image_px;
use crate::annotate::shape::{Grade, Shape, ShapeKind};
use crate::attrs::{first_item, floats, int, text};
use crate::index::instance::slice_normal;
use crate::index::{Index, Instance};

/// The provenance written on imported shapes.
pub const SOURCE: &str = "rtstruct";

/// How far (mm) a contour may lie off the plane of the only image of its series.
const SINGLE_SLICE_TOLERANCE_MM: f64 = 0.5;

/// Slack (mm) on the half slice gap, for points written to a few decimals.
const PLANE_SLACK_MM: f64 = 1e-3;

/// A contour's points on a plane (image pixel coordinates), and their largest distance
/// from it (mm).
type OnPlane = (Vec<[f64; 2]>, f64);

/// One image the contours can lie on: a single-frame image with Image Position and
/// Orientation (Patient) and Pixel Spacing.
struct Plane<'a> {
    instance: &'a Instance,
    position: [f64; 3],
    orientation: [f64; 6],
    spacing: [f64; 2],
    /// How far off its plane a contour may lie and still be on it, mm.
    tolerance: f64,
}

impl Plane<'_> {
    /// The contour's points on this plane, and their largest distance from it.
    fn map(&self, points: &[[f64; 3]]) -> Option<OnPlane> {
        let mut out = Vec::with_capacity(points.len());
        let mut off = 0f64;
        for p in points {
            let (q, d) = to_image_px(*p, self.position, self.orientation, self.spacing)?;
            out.push(q);
            off = off.max(d.abs());
        }
        Some((out, off))
    }
}

/// The planes of `index`, each with half the gap to its nearest neighbour in its
/// series (same orientation) as its tolerance.
fn planes(index: &Index) -> Vec<Plane<'_>> {
    let mut out: Vec<Plane<'_>> = index
        .instances()
        .filter(|i| i.frames <= 1)
        .filter_map(|instance| {
            let spacing = instance
                .pixel_spacing_mm
                .filter(|s| s[0] > 0.0 && s[1] > 0.0)?;
            Some(Plane {
                instance,
                position: instance.position_mm?,
                orientation: instance.orientation?,
                spacing,
                tolerance: instance
                    .slice_thickness_mm
                    .filter(|t| *t > 0.0)
                    .map_or(SINGLE_SLICE_TOLERANCE_MM, |t| t / 2.0),
            })
        })
        .collect();
    let mut by_series: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, p) in out.iter().enumerate() {
        by_series
            .entry(p.instance.series_uid.as_str())
            .or_default()
            .push(k);
    }
    let gaps: Vec<(usize, f64)> = by_series
        .values()
        .flat_map(|members| {
            members.iter().filter_map(|&k| {
                let me = &out[k];
                let normal = slice_normal(me.orientation)?;
                let along = |p: &Plane<'_>| (0..3).map(|i| p.position[i] * normal[i]).sum::<f64>();
                members
                    .iter()
                    .filter(|&&j| j != k)
                    .map(|&j| &out[j])
                    .filter(|o| {
                        o.orientation
                            .iter()
                            .zip(&me.orientation)
                            .all(|(a, b)| (a - b).abs() < 1e-4)
                    })
                    .map(|o| (along(o) - along(me)).abs())
                    .filter(|g| *g > 1e-4)
                    .min_by(f64::total_cmp)
                    .map(|g| (k, g / 2.0))
            })
        })
        .collect();
    for (k, half) in gaps {
        out[k].tolerance = half;
    }
    out
}

/// One ROI of the structure set.
struct Roi {
    name: String,
    frame_of_reference: Option<String>,
    colour: Option<[u8; 3]>,
    interpreted_type: Option<String>,
}

/// What became of one ROI's contours, for the warnings.
#[derive(Default)]
struct Tally {
    seen: usize,
    off_plane: usize,
    off_reference: usize,
    open: usize,
    other_type: BTreeMap<String, usize>,
    malformed: usize,
    empty: usize,
}

/// Reads the RT Structure Set at `path` as shapes on the images of `index`.
///
/// # Errors
/// As [`from_dataset`], and [`FilesError::Read`] when the file cannot be read.
pub fn read_rtstruct(path: &Path, index: &Index) -> Result<Imported, FilesError> {
    let file = crate::dicom_file::open(path, true).map_err(|e| refused(path, e.to_string()))?;
    from_dataset(&file.dataset, path, index)
}

/// The shapes and labels of the RT Structure Set `ds` (read from `path`) on the images
/// of `index`, with a warning per ROI for contours left out (see the module doc).
///
/// # Errors
/// [`FilesError::Read`] naming `path` when `ds` is not an RT Structure Set, has no
/// ROIs, or none of its contours lies on an image of the release.
pub fn from_dataset(
    ds: &InMemDicomObject,
    path: &Path,
    index: &Index,
) -> Result<Imported, FilesError> {
    let class = text(ds, tags::SOP_CLASS_UID).unwrap_or_default();
    if class != dicom_dictionary_std::uids::RT_STRUCTURE_SET_STORAGE {
        return Err(refused(
            path,
            format!("not an RT Structure Set (SOP Class {class})"),
        ));
    }
    let rois = rois(ds);
    if rois.is_empty() {
        return Err(refused(
            path,
            "an RT Structure Set without ROIs (no Structure Set ROI Sequence items)",
        ));
    }
    let who = [
        tags::STRUCTURE_SET_LABEL,
        tags::STRUCTURE_SET_NAME,
        tags::OPERATORS_NAME,
        tags::MANUFACTURER,
    ]
    .into_iter()
    .find_map(|t| text(ds, t))
    .unwrap_or_default();
    let annotator = annotator_name(&who, "RTSTRUCT");
    let sop_uid = text(ds, tags::SOP_INSTANCE_UID).unwrap_or_default();
    let planes = planes(index);
    let by_uid: HashMap<&str, usize> = planes
        .iter()
        .enumerate()
        .map(|(k, p)| (p.instance.sop_uid.as_str(), k))
        .collect();
    let referenced = referenced_series(ds);

    let mut shapes: Vec<Shape> = Vec::new();
    let mut labels: Vec<Label> = Vec::new();
    let mut warnings = Vec::new();
    let mut contours_seen = 0usize;
    for roi_contour in items(ds, tags::ROI_CONTOUR_SEQUENCE) {
        let Some(number) = int(roi_contour, tags::REFERENCED_ROI_NUMBER) else {
            warnings.push("an ROI Contour Sequence item names no ROI number; left out".into());
            continue;
        };
        let roi = rois.get(&number);
        let name = roi.map_or_else(|| format!("ROI {number}"), |r| r.name.clone());
        let mut tally = Tally::default();
        let geometry = Geometry {
            planes: &planes,
            by_uid: &by_uid,
            referenced: &referenced,
            frame_of_reference: roi.and_then(|r| r.frame_of_reference.as_deref()),
        };
        let (closed, points) =
            geometry.place(items(roi_contour, tags::CONTOUR_SEQUENCE), &mut tally);
        contours_seen += tally.seen;
        let mut parameters = file_parameters(path, &sop_uid);
        parameters.insert("roi_number".into(), number.into());
        let shape = |kind, points| ImportedShape {
            id: new_shape_id(&annotator),
            kind,
            label: name.clone(),
            points,
            grade: Grade::None,
            note: String::new(),
            annotator: annotator.clone(),
            source: SOURCE,
            parameters: parameters.clone(),
        };
        let before = shapes.len();
        for (k, rings) in closed {
            let region = repair(&even_odd_ring(&rings));
            if region.is_empty() {
                tally.empty += rings.len();
            }
            for ring in region {
                shapes.push(shape(ShapeKind::Polygon, ring).on(planes[k].instance, 1));
            }
        }
        for (k, p) in points {
            shapes.push(shape(ShapeKind::Point, vec![p]).on(planes[k].instance, 1));
        }
        warnings.extend(tally.warnings(number, &name));
        if shapes.len() > before && labels.iter().all(|l| l.name != name) {
            let description = match roi.and_then(|r| r.interpreted_type.as_deref()) {
                Some(t) => format!("added on import: an ROI ({t}) of a DICOM RT Structure Set"),
                None => "added on import: an ROI of a DICOM RT Structure Set".to_owned(),
            };
            labels.push(imported_label(
                &name,
                roi.and_then(|r| r.colour),
                &description,
                None,
            ));
        }
    }
    Imported::of(
        path,
        shapes,
        labels,
        warnings,
        || format!("none of its {} ROIs has a contour", rois.len()),
        &format!("{contours_seen} contours"),
    )
}

/// Where the contours of one ROI can go: the release's planes, by SOP Instance UID,
/// the series the structure set references, the ROI's Frame of Reference.
struct Geometry<'p, 'a> {
    planes: &'p [Plane<'a>],
    by_uid: &'p HashMap<&'a str, usize>,
    referenced: &'p [String],
    frame_of_reference: Option<&'p str>,
}

/// Closed contours in pixel coordinates per plane (index into the planes), in file
/// order; and points with their planes.
type Placed = (BTreeMap<usize, Vec<Vec<[f64; 2]>>>, Vec<(usize, [f64; 2])>);

impl Geometry<'_, '_> {
    /// Each contour of `contours` on its plane (see the module doc), what was left out
    /// counted in `tally`.
    fn place(&self, contours: &[InMemDicomObject], tally: &mut Tally) -> Placed {
        let mut closed: BTreeMap<usize, Vec<Vec<[f64; 2]>>> = BTreeMap::new();
        let mut points: Vec<(usize, [f64; 2])> = Vec::new();
        for contour in contours {
            tally.seen += 1;
            let kind = text(contour, tags::CONTOUR_GEOMETRIC_TYPE).unwrap_or_default();
            match kind.as_str() {
                "CLOSED_PLANAR" | "POINT" => {}
                "OPEN_PLANAR" | "OPEN_NONPLANAR" => {
                    tally.open += 1;
                    continue;
                }
                other => {
                    *tally.other_type.entry(other.to_owned()).or_default() += 1;
                    continue;
                }
            }
            let data = floats(contour, tags::CONTOUR_DATA).unwrap_or_default();
            if data.is_empty() || !data.len().is_multiple_of(3) {
                tally.malformed += 1;
                continue;
            }
            let xyz: Vec<[f64; 3]> = data.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
            let named = by_reference(contour, self.by_uid);
            let placed = match named {
                Some(k) => self.planes[k].map(&xyz).map(|m| (k, m)),
                None => by_geometry(&xyz, self.planes, self.frame_of_reference, self.referenced),
            };
            let Some((k, (mut ring, off))) = placed else {
                tally.off_plane += 1;
                continue;
            };
            if named.is_some() && off > self.planes[k].tolerance + PLANE_SLACK_MM {
                tally.off_reference += 1;
            }
            if kind == "POINT" {
                points.extend(ring.into_iter().map(|p| (k, p)));
                continue;
            }
            // Some writers close the ring by repeating its first point.
            if ring.len() > 1 && ring.first() == ring.last() {
                ring.pop();
            }
            closed.entry(k).or_default().push(ring);
        }
        (closed, points)
    }
}

impl Tally {
    /// One warning per kind of contour left out.
    fn warnings(&self, number: i64, name: &str) -> Vec<String> {
        let roi = format!("ROI {number} {name:?}");
        let mut out = Vec::new();
        if self.off_plane > 0 {
            out.push(format!(
                "{roi}: {} contour(s) lie on no image of this release (none names an image \
                 it has, nor lies within half a slice gap of one of its planes); left out",
                self.off_plane
            ));
        }
        if self.off_reference > 0 {
            out.push(format!(
                "{roi}: {} contour(s) lie farther than half a slice gap from the plane of \
                 the image they name; put on that image all the same",
                self.off_reference
            ));
        }
        if self.open > 0 {
            out.push(format!(
                "{roi}: {} open contour(s) (OPEN_PLANAR/OPEN_NONPLANAR) left out: a shape is \
                 a closed outline or a point",
                self.open
            ));
        }
        for (kind, n) in &self.other_type {
            out.push(format!(
                "{roi}: {n} contour(s) of Contour Geometric Type {kind:?} left out"
            ));
        }
        if self.malformed > 0 {
            out.push(format!(
                "{roi}: {} contour(s) whose Contour Data is not x\\y\\z triplets left out",
                self.malformed
            ));
        }
        if self.empty > 0 {
            out.push(format!(
                "{roi}: {} closed contour(s) enclose no area; left out",
                self.empty
            ));
        }
        out
    }
}

/// The ROIs of the Structure Set ROI Sequence by number, with their colour (ROI
/// Contour Sequence) and interpreted type (RT ROI Observations Sequence).
fn rois(ds: &InMemDicomObject) -> BTreeMap<i64, Roi> {
    let mut out: BTreeMap<i64, Roi> = items(ds, tags::STRUCTURE_SET_ROI_SEQUENCE)
        .iter()
        .filter_map(|item| {
            let number = int(item, tags::ROI_NUMBER)?;
            Some((
                number,
                Roi {
                    name: text(item, tags::ROI_NAME).unwrap_or_else(|| format!("ROI {number}")),
                    frame_of_reference: text(item, tags::REFERENCED_FRAME_OF_REFERENCE_UID),
                    colour: None,
                    interpreted_type: None,
                },
            ))
        })
        .collect();
    for item in items(ds, tags::ROI_CONTOUR_SEQUENCE) {
        let colour = floats(item, tags::ROI_DISPLAY_COLOR)
            .and_then(|v| <[f64; 3]>::try_from(v).ok())
            .map(|v| v.map(|c| c.clamp(0.0, 255.0) as u8));
        if let Some(roi) = int(item, tags::REFERENCED_ROI_NUMBER).and_then(|n| out.get_mut(&n)) {
            roi.colour = colour;
        }
    }
    for item in items(ds, tags::RTROI_OBSERVATIONS_SEQUENCE) {
        let kind = text(item, tags::RTROI_INTERPRETED_TYPE);
        if let Some(roi) = int(item, tags::REFERENCED_ROI_NUMBER).and_then(|n| out.get_mut(&n)) {
            roi.interpreted_type = kind;
        }
    }
    out
}

/// The Series Instance UIDs the structure set references (Referenced Frame of
/// Reference → RT Referenced Study → RT Referenced Series).
fn referenced_series(ds: &InMemDicomObject) -> Vec<String> {
    items(ds, tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE)
        .iter()
        .flat_map(|f| items(f, tags::RT_REFERENCED_STUDY_SEQUENCE))
        .flat_map(|s| items(s, tags::RT_REFERENCED_SERIES_SEQUENCE))
        .filter_map(|s| text(s, tags::SERIES_INSTANCE_UID))
        .collect()
}

/// The plane the contour's Contour Image Sequence names, when the release has it.
fn by_reference(contour: &InMemDicomObject, by_uid: &HashMap<&str, usize>) -> Option<usize> {
    let uid = first_item(contour, tags::CONTOUR_IMAGE_SEQUENCE)
        .and_then(|i| text(i, tags::REFERENCED_SOP_INSTANCE_UID))?;
    by_uid.get(uid.as_str()).copied()
}

/// The plane every point of `xyz` lies within its tolerance of, among the planes of
/// `frame_of_reference` (all planes when the ROI names none): one of a `referenced`
/// series first, then the nearest; with the points on it ([`Plane::map`]).
fn by_geometry(
    xyz: &[[f64; 3]],
    planes: &[Plane<'_>],
    frame_of_reference: Option<&str>,
    referenced: &[String],
) -> Option<(usize, OnPlane)> {
    planes
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            frame_of_reference
                .is_none_or(|f| p.instance.frame_of_reference_uid.as_deref() == Some(f))
        })
        .filter_map(|(k, p)| {
            let mapped = p.map(xyz)?;
            (mapped.1 <= p.tolerance + PLANE_SLACK_MM).then_some((k, mapped, p))
        })
        .min_by(|a, b| {
            let other = |p: &Plane<'_>| !referenced.contains(&p.instance.series_uid);
            other(a.2).cmp(&other(b.2)).then(a.1.1.total_cmp(&b.1.1))
        })
        .map(|(k, mapped, _)| (k, mapped))
}

/// One ring covering, by the even-odd rule, what the `rings` cover together by it:
/// each ring after the first is joined to the first's first point by a bridge run
/// both ways, which every scanline crosses twice or not at all, so it adds nothing.
fn even_odd_ring(rings: &[Vec<[f64; 2]>]) -> Vec<[f64; 2]> {
    let Some(first) = rings.first() else {
        return Vec::new();
    };
    let Some(&anchor) = first.first() else {
        return Vec::new();
    };
    let mut out = first.clone();
    for ring in &rings[1..] {
        let Some(&start) = ring.first() else {
            continue;
        };
        out.push(anchor);
        out.extend_from_slice(ring);
        out.push(start);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::raster::mask;

    #[test]
    fn nested_contours_are_holes_and_islands() {
        let square = |a: f64, b: f64| vec![[a, a], [b, a], [b, b], [a, b]];
        // 12 × 12 square, a hole 8 × 8, an island 4 × 4 in the hole (the hole drawn
        // the other way round, which the even-odd rule does not mind).
        let mut hole = square(2.0, 10.0);
        hole.reverse();
        let rings = vec![square(0.0, 12.0), hole, square(4.0, 8.0)];
        let ring = even_odd_ring(&rings);
        let want: Vec<bool> = (0..14 * 14)
            .map(|i| {
                let (c, r) = ((i % 14) as f64 + 0.5, (i / 14) as f64 + 0.5);
                let inside = |a: f64, b: f64| c > a && c < b && r > a && r < b;
                inside(0.0, 12.0) ^ inside(2.0, 10.0) ^ inside(4.0, 8.0)
            })
            .collect();
        assert_eq!(mask(&ring, 14, 14), want);
        // Cut into simple rings that do not overlap and cover the same pixels.
        let pieces = repair(&ring);
        assert!(pieces.len() >= 2, "{pieces:?}");
        let mut union = [0u8; 14 * 14];
        for piece in &pieces {
            for (u, m) in union.iter_mut().zip(mask(piece, 14, 14)) {
                *u += u8::from(m);
            }
        }
        assert!(union.iter().all(|n| *n <= 1), "pieces overlap");
        assert_eq!(union.iter().map(|n| *n == 1).collect::<Vec<_>>(), want);
        // Two disjoint contours stay two shapes.
        let apart = repair(&even_odd_ring(&[square(0.0, 2.0), square(5.0, 7.0)]));
        assert_eq!(apart.len(), 2, "{apart:?}");
        // One contour comes back as it is.
        assert_eq!(
            repair(&even_odd_ring(&[square(1.0, 3.0)])),
            vec![square(1.0, 3.0)]
        );
    }
}
