//! DICOM SR export (`annotate::files::dicom_sr`) against three independent readers, on
//! the sample release and its example annotations
//! (`sample-data/annotations/example.json`):
//!
//! - dciodvfy (dicom3tools) reports no error on any SR we write (its warnings are
//!   printed);
//! - dcmtk's `dsrdump` parses each SR and shows the TID 1500 tree;
//! - highdicom (`tests/dicom/check_sr.py`, venv "dicom" pinned by `tests/dicom/requirements.txt`)
//!   reads each SR with `highdicom.sr.srread`, and its TID 1410 groups
//!   (`get_planar_roi_measurement_groups`) equal our shapes: tracking identifier and
//!   UID, finding (the label's SNOMED CT code and category, or the private code of a
//!   label without codes), the SCOORD outline (closed) or point on the right image and frame,
//!   area, perimeter, long and short axis, mean and SD of the pixel values with their
//!   UCUM units, grade, note and annotator.
//!
//! The measurements are computed as the export does (`annotate::geometry::measure` with
//! each frame's modality values); without Python or PyPI on first use the test fails
//! with the fix.

mod common;

use std::collections::HashMap;
use std::process::Command;

use common::repo;
use lightbox::annotate::export::FrameValues;
use lightbox::annotate::files::{FrameInfos, dicom_sr, lightbox_json};
use lightbox::annotate::{Grade, Measurements};
use lightbox::index::{Index, ScanOptions};
use serde_json::{Value, json};

/// The sample release, scanned without touching any cache.
fn sample_index() -> Index {
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    Index::open(&repo().join("sample-data"), &options, &|_| {}).expect("scan sample-data")
}

/// `a` equals `b` within 1e-6 relative (1e-9 absolute near 0).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-3)
}

#[test]
fn sr_export_reads_back_in_dciodvfy_dsrdump_and_highdicom() {
    let index = sample_index();
    let frames = FrameInfos::from_index(&index);
    let file = lightbox_json::read(&repo().join("sample-data/annotations/example.json"))
        .expect("the example file");
    let (shapes, labels) = (file.shapes, file.labels);
    assert!(
        shapes
            .iter()
            .any(|s| labels.get(&s.label).is_some_and(|l| l.codes.is_some())),
        "some shape's label is coded"
    );
    assert!(
        shapes
            .iter()
            .any(|s| labels.get(&s.label).is_some_and(|l| l.codes.is_none())),
        "some shape's label is not"
    );
    // The measurements as the export computes them.
    let values = FrameValues::new(&index);
    let measured: HashMap<String, Option<Measurements>> = shapes
        .iter()
        .map(|s| (s.id.clone(), values.measure(s, &frames)))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("sr");
    let files = dicom_sr::write_dir(&out, &index, &labels, &shapes, |s| {
        measured.get(&s.id).cloned().flatten()
    })
    .expect("SR export");
    let series: std::collections::BTreeSet<&str> =
        shapes.iter().map(|s| s.image.series_uid.as_str()).collect();
    assert_eq!(files.len(), series.len(), "one SR per annotated series");
    for uid in &series {
        assert!(out.join(format!("{uid}.sr.dcm")).is_file(), "{uid}");
    }
    assert!(
        measured.values().flatten().any(|m| m.stats.is_some()),
        "some shape has pixel statistics"
    );

    // dciodvfy: no errors (warnings are printed, not failed).
    for f in &files {
        let out = common::python::run(
            Command::new("dciodvfy").arg(f),
            "dciodvfy",
            "install dicom3tools (dciodvfy)",
        );
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("Error")).collect();
        let warnings: Vec<&str> = text.lines().filter(|l| l.starts_with("Warning")).collect();
        println!("dciodvfy {}: {} warnings", f.display(), warnings.len());
        for w in &warnings {
            println!("  {w}");
        }
        assert!(errors.is_empty(), "dciodvfy {}:\n{text}", f.display());
    }

    // dsrdump: parses, and shows the report's structure.
    for f in &files {
        let out = common::python::run(
            Command::new("dsrdump").arg(f),
            "dsrdump",
            "install dcmtk (apt-get install dcmtk)",
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        common::python::require_success(&out, "dsrdump", "see dcmtk's message");
        for expected in [
            "Comprehensive SR Document",
            "Imaging Measurement Report",
            "Imaging Measurements",
            "Measurement Group",
            "Tracking Unique Identifier",
            "SCOORD",
        ] {
            assert!(text.contains(expected), "dsrdump lacks {expected}:\n{text}");
        }
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("E:"),
            "dsrdump errors: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // highdicom: each shape's group equals the shape.
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let read =
        common::python::reference_json("dicom", "dicom/check_sr.py", &json!({ "files": paths }));
    let mut groups: HashMap<String, Value> = HashMap::new();
    for f in read["files"].as_array().expect("files") {
        assert_eq!(f["title"]["value"], "126000", "{f}");
        assert_eq!(f["template"], "1500", "{f}");
        for g in f["groups"].as_array().expect("groups") {
            let id = g["tracking_id"].as_str().expect("tracking id").to_owned();
            assert!(
                groups.insert(id, g.clone()).is_none(),
                "one group per shape"
            );
        }
    }
    assert_eq!(groups.len(), shapes.len(), "a group for every shape");
    for f in read["files"].as_array().expect("files") {
        let observers: Vec<&str> = f["observers"]
            .as_array()
            .expect("observers")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        for g in f["groups"].as_array().expect("groups") {
            let who = g["observer"].as_str().expect("group observer");
            assert!(observers.contains(&who), "{who} among {observers:?}");
            let sop = g["sop_uid"].as_str().expect("sop");
            assert!(
                f["evidence"]
                    .as_array()
                    .expect("evidence")
                    .contains(&json!(sop)),
                "evidence lists {sop}"
            );
        }
    }
    for shape in &shapes {
        let g = &groups[&shape.id];
        let ctx = format!("shape {} ({}): {g}", shape.id, shape.label);
        assert_eq!(
            g["tracking_uid"].as_str(),
            Some(dicom_sr::tracking_uid(&shape.id).as_str()),
            "{ctx}"
        );
        // The finding: the label's SNOMED type code after its category, else the
        // private code of its name.
        match labels.get(&shape.label).and_then(|l| l.codes.as_ref()) {
            Some(codes) => {
                for (got, want) in [
                    (&g["finding"], &codes.kind),
                    (&g["finding_category"], &codes.category),
                ] {
                    assert_eq!(got["value"], want.value.as_str(), "{ctx}");
                    assert_eq!(got["scheme"], want.scheme.as_str(), "{ctx}");
                    assert_eq!(got["meaning"], want.meaning.as_str(), "{ctx}");
                }
                assert_eq!(codes.kind.scheme, "SCT", "{ctx}");
            }
            None => {
                assert_eq!(g["finding"]["value"], shape.label.as_str(), "{ctx}");
                assert_eq!(g["finding"]["scheme"], dicom_sr::PRIVATE_SCHEME, "{ctx}");
                assert_eq!(g["finding"]["meaning"], shape.label.as_str(), "{ctx}");
                assert!(g["finding_category"].is_null(), "{ctx}");
            }
        }
        assert_eq!(g["sop_uid"], shape.image.sop_uid.as_str(), "{ctx}");
        let multi = frames
            .get(&shape.image.sop_uid)
            .is_some_and(|f| f.is_multi_frame());
        if multi {
            assert_eq!(g["frames"], json!([shape.image.frame]), "{ctx}");
        }
        // The outline: our points (as FL), closed.
        let mut expected = shape.points.clone();
        if shape.kind.is_area() {
            assert_eq!(g["graphic_type"], "POLYLINE", "{ctx}");
            expected.push(shape.points[0]);
        } else {
            assert_eq!(g["graphic_type"], "POINT", "{ctx}");
        }
        let points: Vec<[f64; 2]> = serde_json::from_value(g["points"].clone()).expect("points");
        assert_eq!(points.len(), expected.len(), "{ctx}");
        for (p, q) in points.iter().zip(&expected) {
            for k in 0..2 {
                assert_eq!(p[k], f64::from(q[k] as f32), "{ctx}");
            }
        }
        // Measurements and units.
        let m = &g["measurements"];
        match &measured[&shape.id] {
            None => assert_eq!(m, &json!({}), "{ctx}"),
            Some(ours) => {
                let (len, area) = if ours.unit == "mm" {
                    ("mm", "mm2")
                } else {
                    ("{px}", "{px2}")
                };
                let mut want = vec![
                    ("42798000", ours.area, area),
                    ("131191004", ours.perimeter, len),
                    ("103339001", ours.longest_diameter, len),
                    ("103340004", ours.perpendicular, len),
                ];
                let ct = index
                    .studies()
                    .flat_map(|st| &st.series)
                    .find(|se| se.series_uid == shape.image.series_uid)
                    .and_then(|se| se.modality.as_deref())
                    == Some("CT");
                let value_unit = if ct { "[hnsf'U]" } else { "1" };
                if let Some(stats) = &ours.stats {
                    if let Some(mean) = stats.mean {
                        want.push(("373098007", mean, value_unit));
                    }
                    if let Some(sd) = stats.sd {
                        want.push(("386136009", sd, value_unit));
                    }
                }
                assert_eq!(m.as_object().map(|o| o.len()), Some(want.len()), "{ctx}");
                for (code, value, unit) in want {
                    let got = &m[code];
                    let v = got["value"].as_f64().expect("a value");
                    assert!(close(v, value), "{code}: {v} vs {value}; {ctx}");
                    assert_eq!(got["unit"]["value"], unit, "{code}; {ctx}");
                    assert_eq!(got["unit"]["scheme"], "UCUM", "{code}; {ctx}");
                }
            }
        }
        // Grade, note, annotator.
        // highdicom's get_qualitative_evaluations returns every CODE item but the
        // Finding, Finding Site and Measurement Method, so the Finding category
        // (which highdicom writes the same way) is among them: set it aside.
        let qualitative: Vec<&Value> = g["qualitative"]
            .as_array()
            .expect("qualitative")
            .iter()
            .filter(|q| q["name"]["value"] != "276214006")
            .collect();
        if shape.grade == Grade::None {
            assert!(qualitative.is_empty(), "{ctx}");
        } else {
            assert_eq!(qualitative.len(), 1, "{ctx}");
            assert_eq!(
                qualitative[0]["value"]["value"],
                shape.grade.as_str(),
                "{ctx}"
            );
        }
        if shape.note.trim().is_empty() {
            assert!(g["comment"].is_null(), "{ctx}");
        } else {
            assert_eq!(g["comment"], shape.note.as_str(), "{ctx}");
        }
        assert_eq!(g["observer"], shape.annotator.as_str(), "{ctx}");
    }
}

/// Our SR export imported back, black box: the example annotations imported into a
/// copy of the sample, exported with `--format dicom-sr`, each SR imported with
/// `lightbox annotations import` into a fresh store. Every shape comes back with its id
/// (the Tracking Identifier), its label (the coded finding matched to the label set's
/// codes, or the private code's name), image and frame, its vertices within 1e-3 px
/// (the SR holds them as float32), grade and note, as another annotator's shape,
/// `"<annotator> (DICOM SR)"`, marked `dicom-sr` with its Tracking UID. Area kinds come
/// back as polygons: the SR keeps the outline, not the tool that drew it.
#[test]
fn sr_export_imports_back_as_the_same_shapes() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let (drawn, read) = (out.path().join("a.sqlite"), out.path().join("b.sqlite"));
    let example = repo().join("sample-data/annotations/example.json");
    let root_s = common::s(&root);
    common::lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        common::s(&example),
        "--store",
        common::s(&drawn),
    ]);
    let sr_dir = out.path().join("sr");
    common::lightbox_ok(&[
        "annotations",
        "export",
        root_s,
        "--store",
        common::s(&drawn),
        "--format",
        "dicom-sr",
        "--out",
        common::s(&sr_dir),
    ]);
    let mut files: Vec<_> = std::fs::read_dir(&sr_dir)
        .expect("the SR folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() > 1, "{files:?}");
    for f in &files {
        common::lightbox_ok(&[
            "annotations",
            "import",
            root_s,
            common::s(f),
            "--store",
            common::s(&read),
        ]);
    }
    let back = common::exported_annotations(root_s, common::s(&read), &out.path().join("json"));
    let shapes = lightbox_json::read(&example).expect("the example").shapes;
    let got: HashMap<&str, &Value> = back["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .map(|s| (s["id"].as_str().expect("id"), s))
        .collect();
    assert_eq!(got.len(), shapes.len(), "one shape per shape");
    for shape in &shapes {
        let g = got
            .get(shape.id.as_str())
            .unwrap_or_else(|| panic!("{} came back", shape.id));
        let ctx = format!("shape {}: {g}", shape.id);
        let kind = if shape.kind.is_area() {
            "polygon"
        } else {
            "point"
        };
        assert_eq!(g["kind"], kind, "{ctx}");
        assert_eq!(g["label"], shape.label.as_str(), "{ctx}");
        assert_eq!(g["sop_uid"], shape.image.sop_uid.as_str(), "{ctx}");
        assert_eq!(g["series_uid"], shape.image.series_uid.as_str(), "{ctx}");
        assert_eq!(g["frame"], shape.image.frame, "{ctx}");
        assert_eq!(g["grade"], shape.grade.as_str(), "{ctx}");
        assert_eq!(g["note"], shape.note.as_str(), "{ctx}");
        assert_eq!(
            g["annotator"],
            format!("{} (DICOM SR)", shape.annotator),
            "{ctx}"
        );
        assert_eq!(g["source"], "dicom-sr", "{ctx}");
        assert_eq!(
            g["source_parameters"]["tracking_uid"],
            dicom_sr::tracking_uid(&shape.id).as_str(),
            "{ctx}"
        );
        let points: Vec<[f64; 2]> = serde_json::from_value(g["points"].clone()).expect("points");
        assert_eq!(points.len(), shape.points.len(), "{ctx}");
        for (p, q) in points.iter().zip(&shape.points) {
            assert!(
                (p[0] - q[0]).abs() < 1e-3 && (p[1] - q[1]).abs() < 1e-3,
                "{p:?} vs {q:?}; {ctx}"
            );
        }
    }
}
