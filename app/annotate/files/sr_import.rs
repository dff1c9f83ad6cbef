//! Importing a DICOM SR Measurement Report (DCMR TID 1500) as shapes of another
//! annotator, `"<observer> (DICOM SR)"`, marked `source: dicom-sr`: ours
//! ([`super::dicom_sr`]) back, and other tools' TID 1500 reports with image regions
//! (highdicom, OHIF, dcmqi).
//!
//! Why read SR back at all: an SR is what a PACS keeps of a reader's measurements
//! when the project store is gone, and what another site sends of theirs; reading it
//! makes their outlines shapes again, comparable by agreement like any reader's.
//!
//! - **Groups.** Every Measurement Group container (125007, DCM) in the content tree,
//!   wherever it is nested (TID 1410 and TID 1501 alike). Its Tracking Identifier is
//!   the shape id (so a re-import of an export names the same shapes, which the merge
//!   keeps apart from the reader's own by annotator), its Tracking Unique Identifier
//!   is kept in `source_parameters`.
//! - **Outlines.** Each 2-D SCOORD of the group — its Image Region, and those a NUM
//!   measurement was INFERRED FROM (TID 1501 and TID 300 style) — on the image its
//!   IMAGE child selects (Referenced SOP Instance UID, Referenced Frame Number). SCOORD
//!   image coordinates are ours (PS3.3 C.18.6.1.1: (0, 0) is the top-left corner of
//!   the top-left pixel), so points are taken as they are: `POLYLINE` closed (last
//!   point = first) → polygon (the repeated point dropped), `POINT` and `MULTIPOINT` →
//!   points, `CIRCLE` and `ELLIPSE` → ellipses of [`ELLIPSE_VERTICES`] vertices. An open
//!   `POLYLINE` (a line measurement), a 3-D SCOORD3D and a region by content-item
//!   reference are left out with a warning: every shape kind but a point is a closed
//!   ring on one image.
//! - **Label.** The Finding: our private code (`99LIGHTBOX`, value = label name) is the
//!   label itself; any other code is the label of the label set whose type code it is
//!   (and whose category the Finding category is, when given), else a new label named
//!   by the code's meaning, with the code (and category) as its codes.
//! - **Grade and note.** Our Suspicion grade qualitative evaluation and the group's
//!   Comment (121106, DCM), when present.
//! - **Who.** The group's Person Observer Name, else the document's first.

use std::collections::HashSet;
use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::FilesError;
use super::dicom_derived::{is_code, items, read_code, refused};
use super::dicom_sr::{
    COMMENT, FINDING, FINDING_CATEGORY, GRADE, GROUP, OBSERVER_NAME, PRIVATE_SCHEME, TRACKING_ID,
    TRACKING_UID, grade_code,
};
use super::seg_import::{
    ImagesByUid, Imported, ImportedShape, annotator_name, file_parameters, imported_label,
};
use crate::annotate::labels::{Code, Label, LabelCodes, LabelSet};
use crate::annotate::new_shape_id;
use crate::annotate::shape::{Grade, Shape, ShapeKind};
use crate::attrs::{first_item, floats, int, text};
use crate::index::{Index, Instance};

/// The provenance written on imported shapes.
pub const SOURCE: &str = "dicom-sr";

/// Vertices of the polygon an SR `CIRCLE` or `ELLIPSE` becomes (as the viewer draws
/// ellipses).
pub const ELLIPSE_VERTICES: usize = 64;

/// Reads the SR at `path` as shapes on the images of `index`, findings named by
/// `labels`.
///
/// # Errors
/// As [`from_dataset`], and [`FilesError::Read`] when the file cannot be read.
pub fn read_sr(path: &Path, index: &Index, labels: &LabelSet) -> Result<Imported, FilesError> {
    let file = crate::dicom_file::open(path, true).map_err(|e| refused(path, e.to_string()))?;
    from_dataset(&file.dataset, path, index, labels)
}

/// A content item, its value type and concept name.
struct Item<'a> {
    obj: &'a InMemDicomObject,
    value_type: String,
    name: Option<Code>,
}

impl<'a> Item<'a> {
    fn new(obj: &'a InMemDicomObject) -> Self {
        Item {
            obj,
            value_type: text(obj, tags::VALUE_TYPE).unwrap_or_default(),
            name: read_code(obj, tags::CONCEPT_NAME_CODE_SEQUENCE),
        }
    }

    /// True for an item named `name`.
    fn named(&self, name: (&str, &str, &str)) -> bool {
        is_code(self.name.as_ref(), name)
    }

    /// True for a `value_type` item named `name`.
    fn is(&self, value_type: &str, name: (&str, &str, &str)) -> bool {
        self.value_type == value_type && self.named(name)
    }

    /// The children of this item.
    fn children(&self) -> impl Iterator<Item = Item<'a>> {
        items(self.obj, tags::CONTENT_SEQUENCE)
            .iter()
            .map(Item::new)
    }
}

/// A region's shape kind, outlines, image and frame.
type Outlines<'i> = (ShapeKind, Vec<Vec<[f64; 2]>>, &'i Instance, u32);

/// What one measurement group says.
#[derive(Default)]
struct Group<'a> {
    tracking_id: Option<String>,
    tracking_uid: Option<String>,
    finding: Option<Code>,
    category: Option<Code>,
    observer: Option<String>,
    grade: Grade,
    note: String,
    regions: Vec<Item<'a>>,
}

/// The shapes and labels of the SR `ds` (read from `path`) on the images of `index`,
/// findings named by `labels` (see the module doc), with a warning for each region
/// left out.
///
/// # Errors
/// [`FilesError::Read`] naming `path` when `ds` holds no measurement group with a
/// region, or none of its regions became a shape.
pub fn from_dataset(
    ds: &InMemDicomObject,
    path: &Path,
    index: &Index,
    labels: &LabelSet,
) -> Result<Imported, FilesError> {
    let root = Item::new(ds);
    let document_observer = root
        .children()
        .find(|c| c.is("PNAME", OBSERVER_NAME))
        .and_then(|c| text(c.obj, tags::PERSON_NAME));
    let mut groups = Vec::new();
    collect_groups(&root, &mut groups);
    if groups.is_empty() {
        return Err(refused(
            path,
            "an SR without Measurement Groups (125007, DCM): not a TID 1500 Measurement \
             Report with image regions",
        ));
    }
    let sop_uid = text(ds, tags::SOP_INSTANCE_UID).unwrap_or_default();
    let mut shapes: Vec<Shape> = Vec::new();
    let mut used: Vec<Label> = Vec::new();
    let mut warnings = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    let mut regions = 0usize;
    let by_uid = ImagesByUid::new(index);
    for (g, group) in groups.iter().enumerate() {
        let what = match &group.tracking_id {
            Some(id) => format!("measurement group {} ({id:?})", g + 1),
            None => format!("measurement group {}", g + 1),
        };
        let observer = group.observer.as_ref().or(document_observer.as_ref());
        let annotator = annotator_name(observer.map_or("", String::as_str), "DICOM SR");
        let (label, new_label) = label_for(group.finding.as_ref(), group.category.as_ref(), labels);
        let mut made = 0;
        for region in &group.regions {
            regions += 1;
            let found = shape_of(region, &by_uid);
            let (kind, outlines, instance, frame) = match found {
                Ok(found) => found,
                Err(why) => {
                    warnings.push(format!("{what}: {why}; left out"));
                    continue;
                }
            };
            for points in outlines {
                made += 1;
                let base = group
                    .tracking_id
                    .clone()
                    .unwrap_or_else(|| new_shape_id(&annotator));
                let mut id = if made == 1 {
                    base.clone()
                } else {
                    format!("{base}-{made}")
                };
                let mut n = made;
                while !ids.insert(id.clone()) {
                    n += 1;
                    id = format!("{base}-{n}");
                }
                let mut parameters = file_parameters(path, &sop_uid);
                if let Some(uid) = &group.tracking_uid {
                    parameters.insert("tracking_uid".into(), uid.clone().into());
                }
                let shape = ImportedShape {
                    id,
                    kind,
                    label: label.clone(),
                    points,
                    grade: group.grade,
                    note: group.note.clone(),
                    annotator: annotator.clone(),
                    source: SOURCE,
                    parameters,
                };
                shapes.push(shape.on(instance, frame));
            }
        }
        if made > 0 && used.iter().all(|l| l.name != new_label.name) {
            used.push(new_label);
        }
    }
    // Every region left out is warned of: no warning, no region.
    Imported::of(
        path,
        shapes,
        used,
        warnings,
        || {
            format!(
                "none of its {} measurement groups has an image region (SCOORD)",
                groups.len()
            )
        },
        &format!("{regions} image regions"),
    )
}

/// Every Measurement Group under `item`, in document order.
fn collect_groups<'a>(item: &Item<'a>, out: &mut Vec<Group<'a>>) {
    for child in item.children() {
        if child.is("CONTAINER", GROUP) {
            out.push(read_group(&child));
        } else if child.value_type == "CONTAINER" {
            collect_groups(&child, out);
        }
    }
}

/// What a measurement group says (see the module doc).
fn read_group<'a>(group: &Item<'a>) -> Group<'a> {
    let mut out = Group::default();
    for c in group.children() {
        let code = || read_code(c.obj, tags::CONCEPT_CODE_SEQUENCE);
        match c.value_type.as_str() {
            "TEXT" if c.named(TRACKING_ID) => out.tracking_id = text(c.obj, tags::TEXT_VALUE),
            "TEXT" if c.named(COMMENT) => {
                out.note = text(c.obj, tags::TEXT_VALUE).unwrap_or_default();
            }
            "UIDREF" if c.named(TRACKING_UID) => out.tracking_uid = text(c.obj, tags::UID),
            "PNAME" if c.named(OBSERVER_NAME) => {
                out.observer = text(c.obj, tags::PERSON_NAME);
            }
            "CODE" if c.named(FINDING) => out.finding = code(),
            "CODE" if c.named(FINDING_CATEGORY) => out.category = code(),
            "CODE" if c.named(GRADE) => {
                out.grade = code()
                    .filter(|v| v.scheme == PRIVATE_SCHEME)
                    .and_then(|v| {
                        Grade::ALL
                            .into_iter()
                            .find(|g| grade_code(*g).is_some_and(|(value, _)| value == v.value))
                    })
                    .unwrap_or(Grade::None);
            }
            "SCOORD" | "SCOORD3D" => out.regions.push(c),
            // A measurement's outline, INFERRED FROM (TID 1501, TID 300).
            "NUM" => out.regions.extend(
                c.children()
                    .filter(|s| matches!(s.value_type.as_str(), "SCOORD" | "SCOORD3D")),
            ),
            _ => {}
        }
    }
    out
}

/// The label of a finding and the label to add for it (see the module doc).
fn label_for(
    finding: Option<&Code>,
    category: Option<&Code>,
    labels: &LabelSet,
) -> (String, Label) {
    let description = "added on import: a finding of a DICOM SR";
    let Some(finding) = finding else {
        let name = "finding";
        let label = labels
            .get(name)
            .cloned()
            .unwrap_or_else(|| imported_label(name, None, description, None));
        return (name.to_owned(), label);
    };
    if finding.scheme == PRIVATE_SCHEME {
        let label = labels
            .get(&finding.value)
            .cloned()
            .unwrap_or_else(|| imported_label(&finding.value, None, description, None));
        return (finding.value.clone(), label);
    }
    let same = |a: &Code, b: &Code| a.scheme == b.scheme && a.value == b.value;
    let coded = |l: &&Label, with_category: bool| {
        l.codes.as_ref().is_some_and(|c| {
            same(&c.kind, finding)
                && (!with_category || category.is_some_and(|k| same(&c.category, k)))
        })
    };
    let known = labels
        .labels
        .iter()
        .find(|l| coded(l, true))
        .or_else(|| labels.labels.iter().find(|l| coded(l, false)));
    if let Some(label) = known {
        return (label.name.clone(), label.clone());
    }
    let name = if finding.meaning.trim().is_empty() {
        format!("{} {}", finding.scheme, finding.value)
    } else {
        finding.meaning.trim().to_owned()
    };
    let codes = category.map(|c| LabelCodes {
        category: c.clone(),
        kind: finding.clone(),
    });
    (
        name.clone(),
        imported_label(&name, None, description, codes),
    )
}

/// A region's shape kind, outlines (one for all kinds but `MULTIPOINT`, a point each
/// for it) and image (frame from 1), or why it has none.
fn shape_of<'i>(region: &Item<'_>, by_uid: &ImagesByUid<'i>) -> Result<Outlines<'i>, String> {
    if region.value_type == "SCOORD3D" {
        return Err("a 3-D region (SCOORD3D), which shapes on an image cannot hold".into());
    }
    let graphic = text(region.obj, tags::GRAPHIC_TYPE).unwrap_or_default();
    let data = floats(region.obj, tags::GRAPHIC_DATA).unwrap_or_default();
    if data.is_empty() || !data.len().is_multiple_of(2) {
        return Err(format!(
            "a {graphic} region whose Graphic Data is not x\\y pairs"
        ));
    }
    let mut points: Vec<[f64; 2]> = data.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
    let image = region.children().find(|c| c.value_type == "IMAGE").ok_or(
        "a region selected from no IMAGE content item (by-reference regions are not read)",
    )?;
    let reference = first_item(image.obj, tags::REFERENCED_SOP_SEQUENCE)
        .ok_or("a region whose image has no Referenced SOP Sequence")?;
    let uid = text(reference, tags::REFERENCED_SOP_INSTANCE_UID)
        .ok_or("a region whose image has no Referenced SOP Instance UID")?;
    let frame = int(reference, tags::REFERENCED_FRAME_NUMBER)
        .and_then(|f| u32::try_from(f).ok())
        .filter(|f| *f >= 1)
        .unwrap_or(1);
    let instance = by_uid
        .get(&uid)
        .filter(|i| frame <= i.frames.max(1))
        .ok_or_else(|| {
            format!("a region on image {uid} frame {frame}, which this release lacks")
        })?;
    let kind = match graphic.as_str() {
        "POINT" | "MULTIPOINT" => ShapeKind::Point,
        "POLYLINE" => {
            if points.len() < 4 || points.first() != points.last() {
                return Err(format!(
                    "an open POLYLINE of {} points (a line, not an outline)",
                    points.len()
                ));
            }
            points.pop();
            ShapeKind::Polygon
        }
        "CIRCLE" if points.len() == 2 => {
            let [c, p] = [points[0], points[1]];
            let r = (p[0] - c[0]).hypot(p[1] - c[1]);
            points = ellipse(c, [r, 0.0], [0.0, r]);
            ShapeKind::Ellipse
        }
        "ELLIPSE" if points.len() == 4 => {
            let [a1, a2, b1, b2] = [points[0], points[1], points[2], points[3]];
            let centre = [(a1[0] + a2[0]) / 2.0, (a1[1] + a2[1]) / 2.0];
            let u = [(a2[0] - a1[0]) / 2.0, (a2[1] - a1[1]) / 2.0];
            let v = [(b2[0] - b1[0]) / 2.0, (b2[1] - b1[1]) / 2.0];
            points = ellipse(centre, u, v);
            ShapeKind::Ellipse
        }
        other => {
            return Err(format!(
                "a {other} region of {} points, which no shape kind holds",
                points.len()
            ));
        }
    };
    if points.iter().flatten().any(|v| !v.is_finite()) {
        return Err(format!(
            "a {graphic} region with a coordinate that is not a number"
        ));
    }
    let outlines = if kind == ShapeKind::Point {
        // MULTIPOINT: a point shape each.
        points.into_iter().map(|p| vec![p]).collect()
    } else {
        vec![points]
    };
    Ok((kind, outlines, instance, frame))
}

/// The polygon of [`ELLIPSE_VERTICES`] vertices of the ellipse about `centre` with
/// semi-axes `u` and `v` (vectors).
fn ellipse(centre: [f64; 2], u: [f64; 2], v: [f64; 2]) -> Vec<[f64; 2]> {
    (0..ELLIPSE_VERTICES)
        .map(|k| {
            let t = k as f64 / ELLIPSE_VERTICES as f64 * std::f64::consts::TAU;
            let (s, c) = t.sin_cos();
            [
                centre[0] + u[0] * c + v[0] * s,
                centre[1] + u[1] * c + v[1] * s,
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(value: &str, scheme: &str, meaning: &str) -> Code {
        Code {
            value: value.into(),
            scheme: scheme.into(),
            meaning: meaning.into(),
        }
    }

    #[test]
    fn findings_become_labels_of_the_label_set() {
        let set = LabelSet::default();
        let nodule = code("27925004", "SCT", "Nodule");
        let altered = code("49755003", "SCT", "Morphologically Altered Structure");
        assert_eq!(label_for(Some(&nodule), Some(&altered), &set).0, "nodule");
        assert_eq!(label_for(Some(&nodule), None, &set).0, "nodule");
        let (name, label) = label_for(
            Some(&code("landmark", PRIVATE_SCHEME, "landmark")),
            None,
            &set,
        );
        assert_eq!(
            (name.as_str(), label.colour.as_str()),
            ("landmark", "#f032e6")
        );
        // A code the set lacks: a new label named by its meaning, with its codes.
        let cyst = code("441457006", "SCT", "Cyst");
        let (name, label) = label_for(Some(&cyst), Some(&altered), &set);
        assert_eq!(name, "Cyst");
        assert_eq!(label.codes.map(|c| c.kind), Some(cyst));
    }

    #[test]
    fn circles_and_ellipses_become_polygons() {
        let e = ellipse([10.0, 20.0], [4.0, 0.0], [0.0, 2.0]);
        assert_eq!(e.len(), ELLIPSE_VERTICES);
        assert!((e[0][0] - 14.0).abs() < 1e-12 && (e[0][1] - 20.0).abs() < 1e-12);
        let quarter = e[ELLIPSE_VERTICES / 4];
        assert!((quarter[0] - 10.0).abs() < 1e-12 && (quarter[1] - 22.0).abs() < 1e-12);
    }
}
