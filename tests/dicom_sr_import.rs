//! `lightbox annotations import` of a TID 1500 Measurement Report that another tool
//! wrote, black box: highdicom (`tests/dicom/make_sr.py`, venv "dicom") writes a
//! Comprehensive SR on one chest CT slice with a closed POLYLINE, a CIRCLE and a POINT,
//! their findings SNOMED CT codes (one the label set has, one it lacks). Each becomes a
//! shape on that slice with the Tracking Identifier as id, the observer as annotator,
//! the coded finding as the label set's label (or a new label with the code), and the
//! coordinates as highdicom wrote them. Our own SR's round trip is in
//! `tests/dicom_sr_export.rs`.

mod common;

use std::collections::BTreeMap;

use common::{lightbox_ok, s};
use serde_json::{Value, json};

#[test]
fn a_measurement_report_written_by_highdicom_imports_as_shapes() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let source = root.join("IMAGE/20210407_102537/ST0002/SE0002/IM0014.dcm");
    let sr = out.path().join("highdicom.sr.dcm");
    let made = common::python::reference_json(
        "dicom",
        "dicom/make_sr.py",
        &json!({"source": s(&source), "out": s(&sr)}),
    );
    let store = out.path().join("review.lightbox.sqlite");
    let said = lightbox_ok(&[
        "annotations",
        "import",
        s(&root),
        s(&sr),
        "--store",
        s(&store),
    ]);
    let said = String::from_utf8_lossy(&said.stdout).into_owned();
    assert!(
        said.contains("3 added") && said.contains("; 1 new labels"),
        "{said}"
    );
    let doc = common::exported_annotations(s(&root), s(&store), &out.path().join("export"));
    let shapes: BTreeMap<&str, &Value> = doc["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .map(|sh| (sh["id"].as_str().expect("id"), sh))
        .collect();
    assert_eq!(
        shapes.keys().copied().collect::<Vec<_>>(),
        ["cyst-b", "nodule-a", "spot-c"]
    );
    for shape in shapes.values() {
        assert_eq!(shape["sop_uid"], made["sop_uid"], "{shape}");
        assert_eq!(shape["frame"], 1, "{shape}");
        assert_eq!(
            shape["annotator"], "Independent Reader (DICOM SR)",
            "{shape}"
        );
        assert_eq!(shape["source"], "dicom-sr", "{shape}");
        assert_eq!(shape["grade"], "none", "{shape}");
    }
    let points = |id: &str| -> Vec<[f64; 2]> {
        serde_json::from_value(shapes[id]["points"].clone()).expect("points")
    };

    // The closed POLYLINE: the rectangle, its repeated first point dropped.
    assert_eq!(shapes["nodule-a"]["kind"], "polygon");
    assert_eq!(shapes["nodule-a"]["label"], "nodule");
    assert_eq!(
        points("nodule-a"),
        [[40.0, 50.0], [50.0, 50.0], [50.0, 56.0], [40.0, 56.0]]
    );
    // The CIRCLE: an ellipse whose vertices lie on it; a new label with its codes.
    assert_eq!(shapes["cyst-b"]["kind"], "ellipse");
    assert_eq!(shapes["cyst-b"]["label"], "Cyst");
    let circle = points("cyst-b");
    assert!(circle.len() >= 32, "{circle:?}");
    for p in &circle {
        let r = (p[0] - 100.5).hypot(p[1] - 90.5);
        assert!((r - 8.0).abs() < 1e-3, "{p:?} at {r}");
    }
    // The POINT, Nodule without a category: still the label set's nodule.
    assert_eq!(shapes["spot-c"]["kind"], "point");
    assert_eq!(shapes["spot-c"]["label"], "nodule");
    assert_eq!(points("spot-c"), [[12.25, 200.75]]);

    let labels = doc["labels"].as_array().expect("labels");
    let cyst = labels
        .iter()
        .find(|l| l["name"] == "Cyst")
        .expect("the Cyst label added");
    assert_eq!(cyst["codes"]["type"]["value"], "441457006");
    assert_eq!(cyst["codes"]["category"]["value"], "49755003");
}
