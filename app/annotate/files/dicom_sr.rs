//! DICOM Structured Report export: one Comprehensive SR per annotated series,
//! `<series UID>.sr.dcm`, a Measurement Report (DCMR TID 1500) as highdicom
//! (`highdicom.sr.MeasurementReport`) builds and reads it.
//!
//! - **Document.** Root container "Imaging Measurement Report" (126000, DCM): the
//!   language (en-US), each annotator of the series as a person observer (TID 1002),
//!   the procedure reported (LOINC "CT unspecified body region" for CT, else
//!   "Imaging" (363679005, SCT)), then "Imaging Measurements" holding one group per
//!   shape. The patient and study are the source's ([`super::dicom_derived`]); the
//!   Current Requested Procedure Evidence Sequence lists every image a shape is on.
//! - **One measurement group per shape** (TID 1410, Planar ROI Measurements and
//!   Qualitative Evaluations), in file order: the shape id as Tracking Identifier and a
//!   UID derived from it as Tracking Unique Identifier (`2.25.` and the id's UUID when
//!   it is one, else a 128-bit FNV-1a hash of it, so re-exports keep the UID); the
//!   annotator as Person Observer Name; the label as the Finding: the label's type code
//!   from the label set ([`crate::annotate::LabelCodes`], SNOMED CT in the default
//!   set) after its category as Finding category (276214006, SCT), as highdicom
//!   writes them, so a PACS or an AI pipeline reads a coded finding; a label without
//!   codes falls back to the private scheme `99LIGHTBOX` (code value = the label's
//!   name, in Long Code Value when over 16 characters); the outline as Image Region
//!   (SCOORD `POLYLINE`, closed by
//!   repeating its first point, or `POINT`) selected from the image (and frame of a
//!   multi-frame image); the measurements of [`super::super::Measurements`] as NUM items
//!   — Area (42798000, SCT), Perimeter (131191004, SCT), Long axis (103339001, SCT),
//!   Short axis (103340004, SCT), Mean (373098007, SCT) and Standard Deviation
//!   (386136009, SCT) of the pixels inside — in UCUM units (`mm2` and `mm`, `{px2}` and
//!   `{px}` without a calibrated spacing; `[hnsf'U]` for CT pixel values, else `1`);
//!   the grade (unless none) as a qualitative evaluation "Suspicion grade" coded
//!   `low`/`medium`/`high` in `99LIGHTBOX`; the note (unless empty) as a Comment
//!   (121106, DCM).
//!
//! Coordinates need no conversion: SCOORD's image coordinates put (0, 0) at the
//! top-left corner of the top-left pixel (PS3.3 C.18.6.1.1), as ours do (see
//! [`crate::annotate`]). Values are written both as Numeric Value (DS, at most 16
//! characters) and Floating Point Value (FD, exact).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;

use super::dicom_derived::{
    code_item, derived_header, item, new_uid, put_seq, read_source, truncate, write_part10,
};
use super::{FilesError, check_shapes, create_dir, sorted};
use crate::annotate::labels::LabelSet;
use crate::annotate::shape::{Grade, Measurements, Shape};
use crate::index::{Index, Instance, Series};
use crate::synth::dicom_out::Dataset;

/// The private coding scheme of our labels and grades.
pub const PRIVATE_SCHEME: &str = "99LIGHTBOX";

/// A shape and the image it is on.
type Member<'a> = (&'a Shape, &'a Instance);

/// Series Number of the SR series we write.
const SERIES_NUMBER: i64 = 9902;

/// A coded concept: value, scheme, meaning.
pub(crate) type Code<'a> = (&'a str, &'a str, &'a str);

const REPORT: Code<'static> = ("126000", "DCM", "Imaging Measurement Report");
const LANGUAGE: Code<'static> = ("121049", "DCM", "Language of Content Item and Descendants");
const EN_US: Code<'static> = ("en-US", "RFC5646", "English (United States)");
const OBSERVER_TYPE: Code<'static> = ("121005", "DCM", "Observer Type");
const PERSON: Code<'static> = ("121006", "DCM", "Person");
pub(crate) const OBSERVER_NAME: Code<'static> = ("121008", "DCM", "Person Observer Name");
const PROCEDURE: Code<'static> = ("121058", "DCM", "Procedure reported");
const CT_PROCEDURE: Code<'static> = ("25045-6", "LN", "CT unspecified body region");
const IMAGING_PROCEDURE: Code<'static> = ("363679005", "SCT", "Imaging");
pub(crate) const MEASUREMENTS: Code<'static> = ("126010", "DCM", "Imaging Measurements");
pub(crate) const GROUP: Code<'static> = ("125007", "DCM", "Measurement Group");
pub(crate) const TRACKING_ID: Code<'static> = ("112039", "DCM", "Tracking Identifier");
pub(crate) const TRACKING_UID: Code<'static> = ("112040", "DCM", "Tracking Unique Identifier");
pub(crate) const FINDING: Code<'static> = ("121071", "DCM", "Finding");
/// TID 1501/1410 "Finding category" (highdicom's `finding_category`).
pub(crate) const FINDING_CATEGORY: Code<'static> = ("276214006", "SCT", "Finding category");
pub(crate) const IMAGE_REGION: Code<'static> = ("111030", "DCM", "Image Region");
const SOURCE: Code<'static> = ("260753009", "SCT", "Source");
const AREA: Code<'static> = ("42798000", "SCT", "Area");
const PERIMETER: Code<'static> = ("131191004", "SCT", "Perimeter");
const LONG_AXIS: Code<'static> = ("103339001", "SCT", "Long axis");
const SHORT_AXIS: Code<'static> = ("103340004", "SCT", "Short axis");
const MEAN: Code<'static> = ("373098007", "SCT", "Mean");
const SD: Code<'static> = ("386136009", "SCT", "Standard Deviation");
pub(crate) const COMMENT: Code<'static> = ("121106", "DCM", "Comment");
pub(crate) const GRADE: Code<'static> = ("suspicion", PRIVATE_SCHEME, "Suspicion grade");

/// Writes one Comprehensive SR Measurement Report per series with shapes among
/// `shapes` into `out_dir` (created if needed), named `<series UID>.sr.dcm`, and
/// returns the files in series order. `measure` gives each shape's measurements
/// (`None`: the group has no NUM items, as for points); `labels` the codes of each
/// shape's finding (a label it lacks, or one without codes, gets the private code).
/// The patient and study are read from the first annotated image of each series.
///
/// # Errors
/// [`FilesError::Shape`] for a shape breaking the shared rules,
/// [`FilesError::UnknownImage`] for a shape on an image `index` lacks,
/// [`FilesError::Read`] when a source image cannot be read,
/// [`FilesError::Write`] when a file cannot be written.
pub fn write_dir(
    out_dir: &Path,
    index: &Index,
    labels: &LabelSet,
    shapes: &[Shape],
    measure: impl Fn(&Shape) -> Option<Measurements>,
) -> Result<Vec<PathBuf>, FilesError> {
    check_shapes(shapes, out_dir)?;
    let mut images: BTreeMap<&str, (&Series, &Instance)> = BTreeMap::new();
    for series in index.studies().flat_map(|st| &st.series) {
        for inst in &series.instances {
            images.insert(&inst.sop_uid, (series, inst));
        }
    }
    let mut by_series: BTreeMap<&str, (&Series, Vec<Member>)> = BTreeMap::new();
    for shape in sorted(shapes) {
        let Some(&(series, inst)) = images.get(shape.image.sop_uid.as_str()) else {
            return Err(FilesError::UnknownImage {
                path: out_dir.to_owned(),
                id: shape.id.clone(),
                sop_uid: shape.image.sop_uid.clone(),
                frame: shape.image.frame,
            });
        };
        if shape.image.frame > inst.frames.max(1) {
            return Err(FilesError::UnknownImage {
                path: out_dir.to_owned(),
                id: shape.id.clone(),
                sop_uid: shape.image.sop_uid.clone(),
                frame: shape.image.frame,
            });
        }
        by_series
            .entry(&series.series_uid)
            .or_insert_with(|| (series, Vec::new()))
            .1
            .push((shape, inst));
    }
    create_dir(out_dir)?;
    let mut written = Vec::with_capacity(by_series.len());
    for (series_uid, (series, members)) in by_series {
        let path = out_dir.join(format!("{}.sr.dcm", super::safe_name(series_uid)));
        written.push(write_series(&path, series, &members, labels, &measure)?);
    }
    Ok(written)
}

/// Writes the report of one series' shapes.
fn write_series(
    path: &Path,
    series: &Series,
    members: &[(&Shape, &Instance)],
    labels: &LabelSet,
    measure: &impl Fn(&Shape) -> Option<Measurements>,
) -> Result<PathBuf, FilesError> {
    let Some(&(_, first)) = members.first() else {
        return Ok(path.to_owned());
    };
    let source = read_source(&first.path)?;
    let mut ds = derived_header(&source, "SR", SERIES_NUMBER, "Lightbox measurement report");
    // Not part of the SR IODs.
    for tag in [
        tags::FRAME_OF_REFERENCE_UID,
        tags::POSITION_REFERENCE_INDICATOR,
        tags::BODY_PART_EXAMINED,
    ] {
        ds.0.remove_element(tag);
    }
    let ct = series.modality.as_deref() == Some("CT");

    // SR Document Series and General modules.
    put_seq(
        &mut ds.0,
        tags::REFERENCED_PERFORMED_PROCEDURE_STEP_SEQUENCE,
        Vec::new(),
    );
    put_seq(
        &mut ds.0,
        tags::PERFORMED_PROCEDURE_CODE_SEQUENCE,
        Vec::new(),
    );
    ds.text(tags::COMPLETION_FLAG, VR::CS, "PARTIAL")
        .text(tags::VERIFICATION_FLAG, VR::CS, "UNVERIFIED")
        .text(tags::PRELIMINARY_FLAG, VR::CS, "PRELIMINARY");
    put_seq(
        &mut ds.0,
        tags::CURRENT_REQUESTED_PROCEDURE_EVIDENCE_SEQUENCE,
        evidence(&source, series, members),
    );

    // SR Document Content: the root container.
    ds.text(tags::VALUE_TYPE, VR::CS, "CONTAINER").text(
        tags::CONTINUITY_OF_CONTENT,
        VR::CS,
        "SEPARATE",
    );
    put_seq(
        &mut ds.0,
        tags::CONCEPT_NAME_CODE_SEQUENCE,
        vec![code_item(REPORT)],
    );
    put_seq(
        &mut ds.0,
        tags::CONTENT_TEMPLATE_SEQUENCE,
        vec![template("1500")],
    );
    let mut root = vec![content_code("HAS CONCEPT MOD", LANGUAGE, EN_US)];
    let annotators: BTreeSet<&str> = members
        .iter()
        .map(|(s, _)| s.annotator.trim())
        .filter(|a| !a.is_empty())
        .collect();
    for who in annotators {
        root.push(content_code("HAS OBS CONTEXT", OBSERVER_TYPE, PERSON));
        root.push(content_pname(who));
    }
    let procedure = if ct { CT_PROCEDURE } else { IMAGING_PROCEDURE };
    root.push(content_code("HAS CONCEPT MOD", PROCEDURE, procedure));
    let groups = members
        .iter()
        .map(|(shape, inst)| group(shape, inst, labels, ct, measure(shape).as_ref()))
        .collect();
    root.push(container("CONTAINS", MEASUREMENTS, None, groups));
    put_seq(&mut ds.0, tags::CONTENT_SEQUENCE, root);

    write_part10(ds, uids::COMPREHENSIVE_SR_STORAGE, &new_uid(), path)
}

/// The Current Requested Procedure Evidence Sequence: the study, the series and each
/// image a shape is on (once).
fn evidence(
    source: &InMemDicomObject,
    series: &Series,
    members: &[(&Shape, &Instance)],
) -> Vec<InMemDicomObject> {
    let study_uid = source
        .element(tags::STUDY_INSTANCE_UID)
        .ok()
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
        .unwrap_or_else(|| {
            members
                .first()
                .map(|(s, _)| s.image.study_uid.clone())
                .unwrap_or_default()
        });
    let mut seen = BTreeSet::new();
    let sops: Vec<InMemDicomObject> = members
        .iter()
        .filter(|(_, inst)| seen.insert(inst.sop_uid.as_str()))
        .map(|(_, inst)| {
            item(|d| {
                d.text(tags::REFERENCED_SOP_CLASS_UID, VR::UI, &inst.sop_class_uid)
                    .text(tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, &inst.sop_uid);
            })
        })
        .collect();
    let mut series_item = item(|d| {
        d.text(tags::SERIES_INSTANCE_UID, VR::UI, &series.series_uid);
    });
    put_seq(&mut series_item, tags::REFERENCED_SOP_SEQUENCE, sops);
    let mut study = item(|d| {
        d.text(tags::STUDY_INSTANCE_UID, VR::UI, &study_uid);
    });
    put_seq(
        &mut study,
        tags::REFERENCED_SERIES_SEQUENCE,
        vec![series_item],
    );
    vec![study]
}

/// The measurement group (TID 1410) of one shape.
fn group(
    shape: &Shape,
    inst: &Instance,
    labels: &LabelSet,
    ct: bool,
    m: Option<&Measurements>,
) -> InMemDicomObject {
    let mut items = vec![
        content_text("HAS OBS CONTEXT", TRACKING_ID, &shape.id),
        content_uid("HAS OBS CONTEXT", TRACKING_UID, &tracking_uid(&shape.id)),
    ];
    if !shape.annotator.trim().is_empty() {
        items.push(content_pname(shape.annotator.trim()));
    }
    match labels.get(&shape.label).and_then(|l| l.codes.as_ref()) {
        Some(codes) => {
            let (category, kind) = (&codes.category, &codes.kind);
            items.push(content_code(
                "CONTAINS",
                FINDING_CATEGORY,
                (&category.value, &category.scheme, &category.meaning),
            ));
            items.push(content_code(
                "CONTAINS",
                FINDING,
                (&kind.value, &kind.scheme, &kind.meaning),
            ));
        }
        None => items.push(content_code(
            "CONTAINS",
            FINDING,
            (&shape.label, PRIVATE_SCHEME, &shape.label),
        )),
    }
    items.push(region(shape, inst));
    if let Some(m) = m {
        let calibrated = m.unit == "mm";
        let (len, area): (Code, Code) = if calibrated {
            (
                ("mm", "UCUM", "millimeter"),
                ("mm2", "UCUM", "square millimeter"),
            )
        } else {
            (("{px}", "UCUM", "pixel"), ("{px2}", "UCUM", "square pixel"))
        };
        items.push(content_num(AREA, m.area, area));
        items.push(content_num(PERIMETER, m.perimeter, len));
        items.push(content_num(LONG_AXIS, m.longest_diameter, len));
        items.push(content_num(SHORT_AXIS, m.perpendicular, len));
        let value_unit = if ct {
            ("[hnsf'U]", "UCUM", "Hounsfield unit")
        } else {
            ("1", "UCUM", "no units")
        };
        if let Some(stats) = &m.stats {
            if let Some(mean) = stats.mean.filter(|v| v.is_finite()) {
                items.push(content_num(MEAN, mean, value_unit));
            }
            if let Some(sd) = stats.sd.filter(|v| v.is_finite()) {
                items.push(content_num(SD, sd, value_unit));
            }
        }
    }
    if let Some((value, meaning)) = grade_code(shape.grade) {
        items.push(content_code(
            "CONTAINS",
            GRADE,
            (value, PRIVATE_SCHEME, meaning),
        ));
    }
    if !shape.note.trim().is_empty() {
        items.push(content_text("CONTAINS", COMMENT, &shape.note));
    }
    container("CONTAINS", GROUP, Some("1410"), items)
}

/// The grade's code value and meaning, `None` when not graded.
pub(crate) fn grade_code(grade: Grade) -> Option<(&'static str, &'static str)> {
    match grade {
        Grade::None => None,
        Grade::Low => Some(("low", "Low")),
        Grade::Medium => Some(("medium", "Medium")),
        Grade::High => Some(("high", "High")),
    }
}

/// The SCOORD Image Region of a shape, selected from its image (and frame).
fn region(shape: &Shape, inst: &Instance) -> InMemDicomObject {
    let mut points = shape.points.clone();
    let graphic_type = if shape.kind.is_area() {
        if let Some(&first) = points.first() {
            points.push(first);
        }
        "POLYLINE"
    } else {
        "POINT"
    };
    let data: Vec<f32> = points
        .iter()
        .flat_map(|p| [p[0] as f32, p[1] as f32])
        .collect();
    let mut reference = item(|d| {
        d.text(tags::REFERENCED_SOP_CLASS_UID, VR::UI, &inst.sop_class_uid)
            .text(tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, &inst.sop_uid);
        if inst.frames > 1 {
            d.is(tags::REFERENCED_FRAME_NUMBER, i64::from(shape.image.frame));
        }
    });
    let mut image = item(|d| {
        d.text(tags::RELATIONSHIP_TYPE, VR::CS, "SELECTED FROM")
            .text(tags::VALUE_TYPE, VR::CS, "IMAGE");
    });
    put_seq(
        &mut image,
        tags::CONCEPT_NAME_CODE_SEQUENCE,
        vec![code_item(SOURCE)],
    );
    put_seq(
        &mut image,
        tags::REFERENCED_SOP_SEQUENCE,
        vec![std::mem::replace(
            &mut reference,
            InMemDicomObject::new_empty(),
        )],
    );
    let mut scoord = item(|d| {
        d.text(tags::RELATIONSHIP_TYPE, VR::CS, "CONTAINS")
            .text(tags::VALUE_TYPE, VR::CS, "SCOORD")
            .text(tags::GRAPHIC_TYPE, VR::CS, graphic_type);
    });
    scoord.put(DataElement::new(
        tags::GRAPHIC_DATA,
        VR::FL,
        PrimitiveValue::F32(data.into()),
    ));
    put_seq(
        &mut scoord,
        tags::CONCEPT_NAME_CODE_SEQUENCE,
        vec![code_item(IMAGE_REGION)],
    );
    put_seq(&mut scoord, tags::CONTENT_SEQUENCE, vec![image]);
    scoord
}

/// The Tracking Unique Identifier of shape `id`: `2.25.` and the UUID as an integer
/// when `id` is a UUID, else a 128-bit FNV-1a hash of it; the same for the same id.
pub fn tracking_uid(id: &str) -> String {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    let uuid_shaped = id.len() == 36
        && hex.len() == 32
        && id.chars().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let n = if uuid_shaped {
        u128::from_str_radix(&hex, 16).ok()
    } else {
        None
    };
    let n = n.unwrap_or_else(|| {
        let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
        for b in id.bytes() {
            h ^= u128::from(b);
            h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
        }
        h
    });
    // 0 would be "2.25.0", valid but suspicious; no UUID or hash is 0 in practice.
    format!("2.25.{}", n.max(1))
}

/// The Content Template Sequence naming DCMR template `id`.
fn template(id: &str) -> InMemDicomObject {
    item(|d| {
        d.text(tags::MAPPING_RESOURCE, VR::CS, "DCMR")
            .text(tags::TEMPLATE_IDENTIFIER, VR::CS, id);
    })
}

/// A content item of `value_type` named `name`, filled by `fill`.
fn content(
    relationship: &str,
    value_type: &str,
    name: Code,
    fill: impl FnOnce(&mut Dataset),
) -> InMemDicomObject {
    let mut out = item(|d| {
        d.text(tags::RELATIONSHIP_TYPE, VR::CS, relationship).text(
            tags::VALUE_TYPE,
            VR::CS,
            value_type,
        );
        fill(d);
    });
    put_seq(
        &mut out,
        tags::CONCEPT_NAME_CODE_SEQUENCE,
        vec![code_item(name)],
    );
    out
}

/// A CODE content item.
fn content_code(relationship: &str, name: Code, value: Code) -> InMemDicomObject {
    let mut out = content(relationship, "CODE", name, |_| {});
    put_seq(
        &mut out,
        tags::CONCEPT_CODE_SEQUENCE,
        vec![code_item(value)],
    );
    out
}

/// A TEXT content item.
fn content_text(relationship: &str, name: Code, text: &str) -> InMemDicomObject {
    content(relationship, "TEXT", name, |d| {
        d.text(tags::TEXT_VALUE, VR::UT, text);
    })
}

/// A UIDREF content item.
fn content_uid(relationship: &str, name: Code, uid: &str) -> InMemDicomObject {
    content(relationship, "UIDREF", name, |d| {
        d.text(tags::UID, VR::UI, uid);
    })
}

/// A Person Observer Name (TID 1003) content item.
fn content_pname(who: &str) -> InMemDicomObject {
    content("HAS OBS CONTEXT", "PNAME", OBSERVER_NAME, |d| {
        d.text(tags::PERSON_NAME, VR::PN, &truncate(who, 64));
    })
}

/// A NUM content item: `value` in `unit`.
fn content_num(name: Code, value: f64, unit: Code) -> InMemDicomObject {
    let mut measured = item(|d| {
        d.text(tags::NUMERIC_VALUE, VR::DS, &decimal_string(value));
    });
    measured.put(DataElement::new(
        tags::FLOATING_POINT_VALUE,
        VR::FD,
        PrimitiveValue::F64(vec![value].into()),
    ));
    put_seq(
        &mut measured,
        tags::MEASUREMENT_UNITS_CODE_SEQUENCE,
        vec![code_item(unit)],
    );
    let mut out = content("CONTAINS", "NUM", name, |_| {});
    put_seq(&mut out, tags::MEASURED_VALUE_SEQUENCE, vec![measured]);
    out
}

/// A CONTAINER content item holding `children`.
fn container(
    relationship: &str,
    name: Code,
    template_id: Option<&str>,
    children: Vec<InMemDicomObject>,
) -> InMemDicomObject {
    let mut out = content(relationship, "CONTAINER", name, |d| {
        d.text(tags::CONTINUITY_OF_CONTENT, VR::CS, "CONTINUOUS");
    });
    if let Some(id) = template_id {
        put_seq(
            &mut out,
            tags::CONTENT_TEMPLATE_SEQUENCE,
            vec![template(id)],
        );
    }
    put_seq(&mut out, tags::CONTENT_SEQUENCE, children);
    out
}

/// `v` as a Decimal String of at most 16 characters, as precise as fits.
pub fn decimal_string(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let plain = format!("{v}");
    if plain.len() <= 16 {
        return plain;
    }
    let fixed = (0..=15usize)
        .rev()
        .map(|digits| format!("{v:.digits$}"))
        .find(|s| s.len() <= 16);
    let sci = (0..=15usize)
        .rev()
        .map(|digits| format!("{v:.digits$e}"))
        .find(|s| s.len() <= 16);
    let error = |s: &String| s.parse::<f64>().map_or(f64::INFINITY, |b| (b - v).abs());
    [fixed, sci]
        .into_iter()
        .flatten()
        .min_by(|a, b| error(a).total_cmp(&error(b)))
        .unwrap_or_else(|| "0".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_uids_are_stable_valid_and_distinct() {
        let uuid = "3bcc1c71-e38a-4b58-abbc-ef46bbed5db5";
        assert_eq!(
            tracking_uid(uuid),
            format!("2.25.{}", 0x3bcc1c71_e38a_4b58_abbc_ef46bbed5db5_u128)
        );
        let a = tracking_uid("dr.chen-1234-0-5");
        assert_eq!(a, tracking_uid("dr.chen-1234-0-5"));
        assert_ne!(a, tracking_uid("dr.chen-1234-0-6"));
        for u in [tracking_uid(uuid), a] {
            assert!(u.len() <= 64 && u.starts_with("2.25."), "{u}");
            assert!(!u[5..].starts_with('0'), "{u}");
        }
    }

    #[test]
    fn decimal_strings_fit_and_keep_precision() {
        for v in [
            0.0,
            1.5,
            -10.25,
            123.456_789_012_345_67,
            1e-9,
            3.0e21,
            -0.000_123_456_789_123,
        ] {
            let s = decimal_string(v);
            assert!(s.len() <= 16, "{s}");
            let back: f64 = s.parse().expect("parses");
            assert!((back - v).abs() <= v.abs() * 1e-9, "{v} -> {s}");
        }
    }
}
