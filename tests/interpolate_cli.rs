//! `lightbox annotations interpolate`, black box, on a copy of the sample release: a
//! reader's rectangle on frames 10 and 16 of the chest CT fills frames 11 to 15 with
//! that rectangle (between two equal outlines, shape-based interpolation gives the
//! same outline); a second run changes nothing; a new key frame in the middle
//! replaces the proposal there, and the frames beside it blend the two sizes.

mod common;

use common::{lightbox_ok, s};
use lightbox::agreement::region::Region;
use serde_json::{Value, json};

const SERIES: &str = "2.25.58992966161156072126607366601187380746";

/// The chest series' instances in slice order, from `lightbox index --json`.
fn instances(root: &str) -> Vec<Value> {
    let out = lightbox_ok(&["index", root, "--json"]);
    let index: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    index["studies"]
        .as_array()
        .expect("studies")
        .iter()
        .flat_map(|st| st["series"].as_array().cloned().unwrap_or_default())
        .find(|se| se["series_uid"] == SERIES)
        .expect("the chest series")["instances"]
        .as_array()
        .expect("instances")
        .clone()
}

/// A rectangle by "reader" on `inst` (a template shape supplies the study UID).
fn rectangle(template: &Value, inst: &Value, id: &str, [x0, y0, x1, y1]: [f64; 4]) -> Value {
    let mut shape = template.clone();
    shape["id"] = id.into();
    shape["kind"] = "rectangle".into();
    shape["label"] = "nodule".into();
    shape["annotator"] = "reader".into();
    shape["sop_uid"] = inst["sop_uid"].clone();
    shape["file_name"] = inst["file_name"].clone();
    shape["points"] = json!([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]);
    shape["points_patient_mm"] = Value::Null;
    shape["measurements"] = Value::Null;
    shape
}

/// The project's shapes, through our export into `dir/name`.
fn exported(root: &str, store: &str, dir: &std::path::Path, name: &str) -> Vec<Value> {
    common::exported_annotations(root, store, &dir.join(name))["shapes"]
        .as_array()
        .expect("shapes")
        .clone()
}

/// The pixels of a shape's ring on a 512 × 512 frame.
fn pixels(shape: &Value) -> u64 {
    let ring: Vec<[f64; 2]> = serde_json::from_value(shape["points"].clone()).expect("points");
    Region::of_ring(&ring, 512, 512).area()
}

#[test]
fn frames_between_two_outlines_are_filled_and_refilled() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let insts = instances(root_s);
    let example: Value = common::example_annotations();
    let template = example["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|sh| sh["series_uid"] == SERIES)
        .expect("a shape on the chest series")
        .clone();
    let small = [100.0, 100.0, 130.0, 120.0];
    let import = |shapes: Vec<Value>, name: &str| {
        let mut doc = example.clone();
        doc["shapes"] = Value::Array(shapes);
        let file = out.path().join(name);
        std::fs::write(&file, doc.to_string()).expect("write");
        lightbox_ok(&[
            "annotations",
            "import",
            root_s,
            s(&file),
            "--store",
            store_s,
        ]);
    };
    import(
        vec![
            rectangle(&template, &insts[9], "k10", small),
            rectangle(&template, &insts[15], "k16", small),
        ],
        "keys.json",
    );
    let interpolate = || {
        let out = lightbox_ok(&[
            "annotations",
            "interpolate",
            root_s,
            "--store",
            store_s,
            "--series",
            SERIES,
            "--label",
            "nodule",
            "--annotator",
            "reader",
        ]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = interpolate();
    assert!(
        said.contains("interpolated 5 shape(s) of nodule by reader on frame(s) 11, 12, 13, 14, 15"),
        "{said}"
    );
    let shapes = exported(root_s, store_s, out.path(), "export1");
    let made: Vec<&Value> = shapes
        .iter()
        .filter(|s| s["source"] == "interpolated")
        .collect();
    assert_eq!(made.len(), 5);
    for (k, inst) in insts.iter().enumerate().take(15).skip(10) {
        let on: Vec<&&Value> = made
            .iter()
            .filter(|s| s["sop_uid"] == inst["sop_uid"])
            .collect();
        assert_eq!(on.len(), 1, "frame {}", k + 1);
        // The 30 × 20 rectangle again: 600 pixels.
        assert_eq!(pixels(on[0]), 600, "frame {}", k + 1);
        assert_eq!(on[0]["source_parameters"]["key_frames"], json!([10, 16]));
    }
    // Again: nothing changes.
    let said = interpolate();
    assert!(said.contains("5 shape(s)"), "{said}");
    assert_eq!(exported(root_s, store_s, out.path(), "export2"), shapes);

    // A larger key on frame 13 replaces the proposal there; 14 blends 13 and 16.
    import(
        vec![rectangle(
            &template,
            &insts[12],
            "k13",
            [90.0, 90.0, 150.0, 140.0],
        )],
        "middle.json",
    );
    let said = interpolate();
    assert!(said.contains("on frame(s) 11, 12, 14, 15"), "{said}");
    let shapes = exported(root_s, store_s, out.path(), "export3");
    let on = |k: usize| -> Vec<&Value> {
        shapes
            .iter()
            .filter(|s| s["sop_uid"] == insts[k - 1]["sop_uid"])
            .collect()
    };
    assert_eq!(on(13).len(), 1, "only the reader's key on frame 13");
    assert_eq!(on(13)[0]["id"], "k13");
    let (a14, a15) = (pixels(on(14)[0]), pixels(on(15)[0]));
    assert!(600 < a15 && a15 < a14 && a14 < 3000, "{a14} {a15}");
}
