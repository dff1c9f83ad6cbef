//! Our own annotation file: everything the project knows of its shapes, versioned.
//!
//! ```json
//! {
//!   "format": "lightbox-annotations",
//!   "version": 1,
//!   "release_id": "20210407_102537",
//!   "coordinates": "<the convention, in words>",
//!   "labels": [{ "name": "nodule", "colour": "#e6194b", "hotkey": "1", "description": "…" }],
//!   "shapes": [{
//!     "id": "…", "kind": "polygon", "label": "nodule",
//!     "study_uid": "…", "series_uid": "…", "sop_uid": "…", "file_name": "IM0014.dcm",
//!     "frame": 1,
//!     "points": [[78.5, 114.25], …],
//!     "points_patient_mm": [[-70.7, -17.8, -87.5], …] or null,
//!     "grade": "high", "score": 0.93 (optional), "note": "…", "annotator": "…",
//!     "source": "region-grow", "source_parameters": { … } (both optional),
//!     "created": "2021-04-12T09:14:03Z", "modified": "…",
//!     "measurements": { … } or null
//!   }],
//!   "lesions": [{
//!     "label": "nodule", "annotator": "…", "study_uid": "…", "series_uid": "…",
//!     "shape_ids": ["…", …], "frames": 3, "voxels": 300, "slice_thickness_mm": 2.5,
//!     "volume_mm3": 187.5 or null, "max_diameter_mm": 9.4 or null, "note": null
//!   }]
//! }
//! ```
//!
//! `points` are in image pixel coordinates ([`COORDINATES`]). `points_patient_mm`,
//! `measurements` and `lesions` are *derived*: written for readers that want them
//! (patient points, to 0.0001 mm, when the image has Image Position/Orientation
//! (Patient) and a Pixel Spacing, see [`FrameInfo::patient_mm`]; the lesions of
//! [`lesions`], a finding's outlines on consecutive slices with its volume and 3-D
//! diameter), ignored on reading and recomputed on writing. So
//! write → read → write gives the same bytes: shapes are sorted by (study, series,
//! SOP instance, frame, id), and floats are written in their shortest form that reads
//! back to the same number.
//!
//! Reading checks the format and version, the kinds and grades, at least 3 points for
//! an area and exactly 1 for a point, frames from 1, unique ids; a label that shapes
//! use but the file's label set lacks is added to it (grey, no hotkey), so importing
//! never loses a shape. Unknown fields are refused (they are typos in a hand-edited
//! file), as the JSON Schema `assets/schema/lightbox-annotations-v1.schema.json` does.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::frames::{FrameInfo, FrameInfos};
use super::{FilesError, check_shapes, sorted, to_json_text, write_file};
use crate::annotate::labels::{Label, LabelSet};
use crate::annotate::lesion::{Lesion, lesions};
use crate::annotate::shape::{Grade, Measurements, Shape, ShapeImage, ShapeKind};

/// The `format` of every file.
pub const FORMAT: &str = "lightbox-annotations";

/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// The coordinate convention, as written in every file's `coordinates`.
pub const COORDINATES: &str = "points are image pixel coordinates: x to the right along a row, y down a column, in pixels; pixel (col, row) covers [col, col+1) x [row, row+1), so the top-left corner of the image is (0, 0) and the centre of the top-left pixel is (0.5, 0.5) (COCO's convention); frame counts from 1; points_patient_mm are the same points in DICOM patient coordinates (mm)";

/// The JSON Schema (draft 2020-12) of this format, with a description of every field.
pub const SCHEMA: &str = include_str!("../../../assets/schema/lightbox-annotations-v1.schema.json");

/// The colour given to a label that shapes use but the file's label set lacks.
pub const ADDED_LABEL_COLOUR: &str = "#808080";

/// What a file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotationFile {
    /// The release the shapes were drawn on, when it was known.
    pub release_id: Option<String>,
    /// The label set (with any label the shapes use added).
    pub labels: LabelSet,
    /// The shapes, in file order.
    pub shapes: Vec<Shape>,
}

/// The document as written.
#[derive(Serialize)]
struct DocumentOut<'a> {
    format: &'static str,
    version: u32,
    release_id: Option<&'a str>,
    coordinates: &'static str,
    labels: &'a [Label],
    shapes: Vec<ShapeOut<'a>>,
    lesions: Vec<Lesion>,
}

#[derive(Serialize)]
struct ShapeOut<'a> {
    id: &'a str,
    kind: ShapeKind,
    label: &'a str,
    study_uid: &'a str,
    series_uid: &'a str,
    sop_uid: &'a str,
    file_name: &'a str,
    frame: u32,
    points: &'a [[f64; 2]],
    points_patient_mm: Option<Vec<[f64; 3]>>,
    grade: Grade,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    source_parameters: &'a serde_json::Map<String, serde_json::Value>,
    note: &'a str,
    annotator: &'a str,
    created: &'a str,
    modified: &'a str,
    measurements: Option<Measurements>,
}

/// The document as read (after `format` and `version` are checked).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentIn {
    #[allow(dead_code)]
    format: String,
    #[allow(dead_code)]
    version: u32,
    #[serde(default)]
    release_id: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    coordinates: Option<String>,
    labels: Vec<Label>,
    shapes: Vec<ShapeIn>,
    /// Derived: ignored.
    #[serde(default)]
    #[allow(dead_code)]
    lesions: serde::de::IgnoredAny,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShapeIn {
    id: String,
    kind: String,
    label: String,
    study_uid: String,
    series_uid: String,
    sop_uid: String,
    file_name: String,
    frame: u32,
    points: Vec<[f64; 2]>,
    /// Derived: ignored.
    #[serde(default)]
    #[allow(dead_code)]
    points_patient_mm: serde::de::IgnoredAny,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    score: Option<f64>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    source_parameters: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    annotator: String,
    #[serde(default)]
    created: String,
    #[serde(default)]
    modified: String,
    /// Derived: ignored.
    #[serde(default)]
    #[allow(dead_code)]
    measurements: serde::de::IgnoredAny,
}

/// Patient coordinates are written to 0.0001 mm: finer than any pixel, and free of
/// the float noise of the matrix product (`-62.902000000000015`).
fn round_mm(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// True when every number of `m` is finite (a non-finite one would be written as
/// `null` and break the schema).
fn measurements_finite(m: &Measurements) -> bool {
    let points = m
        .longest_diameter_points
        .iter()
        .chain(&m.perpendicular_points)
        .flatten();
    let stats = m.stats.iter().flat_map(|s| [s.mean, s.sd, s.min, s.max]);
    [m.area, m.perimeter, m.longest_diameter, m.perpendicular]
        .iter()
        .chain(points)
        .all(|v| v.is_finite())
        && stats.flatten().all(f64::is_finite)
}

/// The file's text: see the module doc. `measure` gives each shape's measurements
/// (or `None`); measurements with a non-finite number are left out (`null`). The
/// lesions are those [`lesions`] finds in `shapes` on `frames`.
pub fn to_text(
    path: &Path,
    release_id: Option<&str>,
    labels: &LabelSet,
    shapes: &[Shape],
    frames: &FrameInfos,
    measure: impl Fn(&Shape) -> Option<Measurements>,
) -> Result<String, FilesError> {
    check_shapes(shapes, path)?;
    let lesions = lesions(shapes, frames);
    let shapes = sorted(shapes)
        .into_iter()
        .map(|s| {
            let info: Option<&FrameInfo> = frames.get(&s.image.sop_uid);
            let points_patient_mm = info.and_then(|f| {
                s.points
                    .iter()
                    .map(|p| f.patient_mm(*p, s.image.frame).map(|q| q.map(round_mm)))
                    .collect::<Option<Vec<_>>>()
            });
            ShapeOut {
                id: &s.id,
                kind: s.kind,
                label: &s.label,
                study_uid: &s.image.study_uid,
                series_uid: &s.image.series_uid,
                sop_uid: &s.image.sop_uid,
                file_name: &s.image.file_name,
                frame: s.image.frame,
                points: &s.points,
                points_patient_mm,
                grade: s.grade,
                score: s.score,
                source: s.source.as_deref(),
                source_parameters: &s.source_parameters,
                note: &s.note,
                annotator: &s.annotator,
                created: &s.created,
                modified: &s.modified,
                measurements: measure(s).filter(measurements_finite),
            }
        })
        .collect();
    let doc = DocumentOut {
        format: FORMAT,
        version: VERSION,
        release_id,
        coordinates: COORDINATES,
        labels: &labels.labels,
        shapes,
        lesions,
    };
    to_json_text(&doc, path)
}

/// Writes the file at `path` (atomically): see the module doc and [`to_text`].
pub fn write(
    path: &Path,
    release_id: Option<&str>,
    labels: &LabelSet,
    shapes: &[Shape],
    frames: &FrameInfos,
    measure: impl Fn(&Shape) -> Option<Measurements>,
) -> Result<(), FilesError> {
    let text = to_text(path, release_id, labels, shapes, frames, measure)?;
    write_file(path, text.as_bytes())
}

/// Reads and checks the file at `path`: see the module doc.
pub fn read(path: &Path) -> Result<AnnotationFile, FilesError> {
    let text = std::fs::read_to_string(path).map_err(|source| FilesError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    from_text(&text, path)
}

/// Parses and checks a file's text; `path` is only named in errors.
pub fn from_text(text: &str, path: &Path) -> Result<AnnotationFile, FilesError> {
    let json_error = |e: serde_json::Error| FilesError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(json_error)?;
    match value.get("format") {
        Some(serde_json::Value::String(f)) if f == FORMAT => {}
        other => {
            return Err(FilesError::Format {
                path: path.to_path_buf(),
                found: other.map_or_else(|| "missing".to_owned(), ToString::to_string),
            });
        }
    }
    match value.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(VERSION)) => {}
        other => {
            return Err(FilesError::Version {
                path: path.to_path_buf(),
                found: other.map_or_else(|| "missing".to_owned(), ToString::to_string),
                supported: VERSION,
            });
        }
    }
    let doc: DocumentIn = serde_json::from_value(value).map_err(json_error)?;
    let shape_error = |id: &str, reason: String| FilesError::Shape {
        path: path.to_path_buf(),
        id: id.to_owned(),
        reason,
    };
    let mut shapes = Vec::with_capacity(doc.shapes.len());
    let mut ids = HashSet::new();
    for s in doc.shapes {
        let kind = ShapeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.kind)
            .ok_or_else(|| {
                shape_error(
                    &s.id,
                    format!(
                        "kind {:?} is not one of polygon, freehand, rectangle, ellipse, point",
                        s.kind
                    ),
                )
            })?;
        let grade = match &s.grade {
            None => Grade::None,
            Some(g) => Grade::ALL
                .into_iter()
                .find(|k| k.as_str() == g)
                .ok_or_else(|| {
                    shape_error(
                        &s.id,
                        format!("grade {g:?} is not one of none, low, medium, high"),
                    )
                })?,
        };
        if !ids.insert(s.id.clone()) {
            return Err(shape_error(
                &s.id,
                "another shape has the same id; ids must be unique".into(),
            ));
        }
        shapes.push(Shape {
            id: s.id,
            kind,
            label: s.label,
            image: ShapeImage {
                study_uid: s.study_uid,
                series_uid: s.series_uid,
                sop_uid: s.sop_uid,
                file_name: s.file_name,
                frame: s.frame,
            },
            points: s.points,
            grade,
            score: s.score,
            source: s.source,
            source_parameters: s.source_parameters,
            note: s.note,
            annotator: s.annotator,
            created: s.created,
            modified: s.modified,
        });
    }
    check_shapes(&shapes, path)?;
    let mut labels = LabelSet { labels: doc.labels };
    for shape in &shapes {
        if labels.get(&shape.label).is_none() {
            labels.labels.push(Label {
                name: shape.label.clone(),
                colour: ADDED_LABEL_COLOUR.into(),
                hotkey: String::new(),
                description: "added on import: used by shapes, missing from the file's labels"
                    .into(),
                codes: None,
            });
        }
    }
    if !labels.labels.is_empty() {
        labels.check().map_err(|source| FilesError::Labels {
            path: path.to_path_buf(),
            source,
        })?;
    }
    Ok(AnnotationFile {
        release_id: doc.release_id,
        labels,
        shapes,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{frames, shape};
    use super::*;
    use crate::annotate::shape::PixelStats;

    fn no_measure(_: &Shape) -> Option<Measurements> {
        None
    }

    fn fake_measure(s: &Shape) -> Option<Measurements> {
        s.kind.is_area().then(|| Measurements {
            unit: "mm".into(),
            area: 1.0 / 3.0,
            perimeter: 12.5,
            longest_diameter: 4.1,
            longest_diameter_points: [s.points[0], s.points[2]],
            perpendicular: 2.2,
            perpendicular_points: [s.points[1], s.points[3]],
            stats: Some(PixelStats {
                count: 9,
                mean: Some(25.0),
                sd: None,
                min: Some(-3.0),
                max: Some(f64::NAN),
            }),
        })
    }

    fn sample() -> Vec<Shape> {
        let mut shapes = vec![
            shape("s2", ShapeKind::Freehand, "nodule", "m", 2),
            shape("s1", ShapeKind::Polygon, "nodule", "a", 1),
            shape("s3", ShapeKind::Point, "landmark", "a", 1),
        ];
        shapes[0].points[1] = [0.1 + 0.2, 1.0 / 3.0];
        // A model's shape: the score is written, read back and kept.
        shapes[1].score = Some(0.875);
        // A proposal's provenance, likewise.
        shapes[1].source = Some("region-grow".into());
        shapes[1]
            .source_parameters
            .insert("window".into(), serde_json::json!([-100.0, 200.0]));
        shapes
    }

    #[test]
    fn write_read_write_gives_the_same_bytes() {
        let labels = LabelSet::default();
        let p = Path::new("t.json");
        let first =
            to_text(p, Some("r1"), &labels, &sample(), &frames(), no_measure).expect("first write");
        let back = from_text(&first, p).expect("reads back");
        assert_eq!(back.release_id.as_deref(), Some("r1"));
        assert_eq!(back.labels, labels);
        let mut want = sample();
        want.sort_by(|a, b| a.image.sop_uid.cmp(&b.image.sop_uid).then(a.id.cmp(&b.id)));
        assert_eq!(back.shapes, want);
        let second = to_text(
            p,
            Some("r1"),
            &back.labels,
            &back.shapes,
            &frames(),
            no_measure,
        )
        .expect("second write");
        assert_eq!(first, second);
    }

    #[test]
    fn derived_fields_are_written_and_ignored_on_reading() {
        let p = Path::new("t.json");
        let text = to_text(
            p,
            None,
            &LabelSet::default(),
            &sample(),
            &frames(),
            fake_measure,
        )
        .expect("writes");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        let shapes = v["shapes"].as_array().expect("shapes");
        // a (single frame, full geometry): patient points; m (frame 2): none.
        let s1 = &shapes[0];
        assert_eq!(s1["id"], "s1");
        assert_eq!(
            s1["points_patient_mm"][0],
            serde_json::json!([-99.25, -99.75, 20.0])
        );
        // The fake measurement has a NaN: left out rather than written as null inside.
        assert!(s1["measurements"].is_null());
        assert!(shapes[2]["points_patient_mm"].is_null());
        assert_eq!(s1["score"], 0.875);
        assert_eq!(s1["source"], "region-grow");
        assert_eq!(s1["source_parameters"]["window"][1], 200.0);
        assert!(
            shapes[2].get("score").is_none(),
            "a reader's shape has none"
        );
        assert_eq!(v["release_id"], serde_json::Value::Null);
        let back = from_text(&text, p).expect("reads");
        assert_eq!(back.shapes.len(), 3);
        let good = |s: &Shape| {
            fake_measure(s).map(|mut m| {
                m.stats = None;
                m
            })
        };
        let text =
            to_text(p, None, &LabelSet::default(), &sample(), &frames(), good).expect("writes");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(v["shapes"][0]["measurements"]["area"], 1.0 / 3.0);
        assert!(v["shapes"][1]["measurements"].is_null(), "a point");
        assert_eq!(from_text(&text, p).expect("reads").shapes.len(), 3);
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let p = Path::new("bad.json");
        let good = to_text(
            p,
            None,
            &LabelSet::default(),
            &sample(),
            &frames(),
            no_measure,
        )
        .expect("writes");
        let broken = |from: &str, to: &str| {
            assert!(good.contains(from), "{from}");
            from_text(&good.replacen(from, to, 1), p).expect_err(to)
        };
        assert!(matches!(
            broken("\"lightbox-annotations\"", "\"coco\""),
            FilesError::Format { .. }
        ));
        assert!(matches!(
            broken("\"version\": 1", "\"version\": 2"),
            FilesError::Version { .. }
        ));
        assert!(matches!(
            broken("\"kind\": \"polygon\"", "\"kind\": \"circle\""),
            FilesError::Shape { .. }
        ));
        assert!(matches!(
            broken("\"grade\": \"medium\"", "\"grade\": \"urgent\""),
            FilesError::Shape { .. }
        ));
        assert!(matches!(
            broken("\"frame\": 1", "\"frame\": 0"),
            FilesError::Shape { .. }
        ));
        assert!(matches!(
            broken("\"id\": \"s2\"", "\"id\": \"s1\""),
            FilesError::Shape { .. }
        ));
        assert!(matches!(
            broken("\"note\"", "\"note_typo\""),
            FilesError::Json { .. }
        ));
        assert!(matches!(
            broken("[3.5, 2.5]", "1e999"),
            FilesError::Json { .. }
        ));
        // A point with two points, an area with two.
        let e = broken("[3.5, 2.5]", "[3.5, 2.5], [4.0, 2.0]");
        assert!(e.to_string().contains("exactly 1 point"), "{e}");
        let mut v: serde_json::Value = serde_json::from_str(&good).expect("json");
        v["shapes"][0]["points"] = serde_json::json!([[1.0, 1.0], [2.0, 2.0]]);
        let e = from_text(&v.to_string(), p).expect_err("two points");
        assert!(e.to_string().contains("at least 3 points"), "{e}");
        assert!(e.to_string().ends_with("bad.json"), "{e}");
        assert!(matches!(from_text("{", p), Err(FilesError::Json { .. })));
    }

    #[test]
    fn labels_used_but_missing_are_added() {
        let p = Path::new("t.json");
        let mut shapes = sample();
        shapes[0].label = "cyst".into();
        let text = to_text(
            p,
            None,
            &LabelSet::default(),
            &shapes,
            &frames(),
            no_measure,
        )
        .expect("writes");
        let back = from_text(&text, p).expect("reads");
        let cyst = back.labels.get("cyst").expect("added");
        assert_eq!(cyst.colour, ADDED_LABEL_COLOUR);
        assert_eq!(
            back.labels.labels.len(),
            LabelSet::default().labels.len() + 1
        );
    }

    #[test]
    fn the_schema_names_what_the_code_writes() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        assert_eq!(schema["properties"]["format"]["const"], FORMAT);
        assert_eq!(schema["properties"]["version"]["const"], VERSION);
        let shape = &schema["$defs"]["shape"]["properties"];
        let names = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .expect("enum")
                .iter()
                .map(|s| s.as_str().expect("name").to_owned())
                .collect()
        };
        let kinds: Vec<&str> = ShapeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names(&shape["kind"]["enum"]), kinds);
        let grades: Vec<&str> = Grade::ALL.iter().map(|g| g.as_str()).collect();
        assert_eq!(names(&shape["grade"]["enum"]), grades);
        let text = shape["points"]["description"].as_str().expect("described");
        assert!(text.contains("centre of the top-left pixel is (0.5, 0.5)"));
        // Every field written is described (derived ones included).
        let written = to_text(
            Path::new("t.json"),
            None,
            &LabelSet::default(),
            &sample(),
            &frames(),
            no_measure,
        )
        .expect("writes");
        let v: serde_json::Value = serde_json::from_str(&written).expect("json");
        for key in v["shapes"][0].as_object().expect("shape").keys() {
            assert!(shape.get(key).is_some(), "{key} is not in the schema");
        }
        for key in v.as_object().expect("doc").keys() {
            assert!(schema["properties"].get(key).is_some(), "{key}");
        }
        let lesion = &schema["$defs"]["lesion"]["properties"];
        for key in v["lesions"][0].as_object().expect("lesion").keys() {
            let text = lesion[key]["description"].as_str();
            assert!(text.is_some_and(|t| !t.is_empty()), "lesion {key}");
        }
    }

    #[test]
    fn lesions_are_written_and_ignored_on_reading() {
        let p = Path::new("t.json");
        let labels = LabelSet::default();
        let text = to_text(p, None, &labels, &sample(), &frames(), no_measure).expect("writes");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        // s1 on a and s2 on frame 2 of m are two slices apart: two lesions; the point
        // is none. The series holds a multi-frame image: no volume, and s2 (frame 2)
        // no patient points.
        let lesions = v["lesions"].as_array().expect("lesions");
        assert_eq!(lesions.len(), 2, "{lesions:?}");
        let ids: Vec<&serde_json::Value> = lesions.iter().map(|l| &l["shape_ids"][0]).collect();
        assert_eq!(ids, ["s1", "s2"]);
        assert!(lesions[0]["volume_mm3"].is_null());
        assert!(
            lesions[0]["note"]
                .as_str()
                .expect("note")
                .contains("multi-frame")
        );
        // s1's farthest vertices (2, 1) and (5.5, 5): √(3.5² + 4²) px × 0.5 mm.
        assert_eq!(lesions[0]["max_diameter_mm"], 2.6575);
        assert!(lesions[1]["max_diameter_mm"].is_null());
        let mut edited = v.clone();
        edited["lesions"] = serde_json::json!([{ "anything": 1 }]);
        let back = from_text(&edited.to_string(), p).expect("lesions are ignored");
        let again = to_text(p, None, &back.labels, &back.shapes, &frames(), no_measure);
        assert_eq!(again.expect("writes"), text);
    }

    #[test]
    fn writing_refuses_invalid_shapes() {
        let mut shapes = sample();
        shapes[1].points[0][0] = f64::NAN;
        let e = to_text(
            Path::new("out.json"),
            None,
            &LabelSet::default(),
            &shapes,
            &frames(),
            no_measure,
        )
        .expect_err("NaN");
        assert!(matches!(e, FilesError::Shape { .. }), "{e}");
    }
}
