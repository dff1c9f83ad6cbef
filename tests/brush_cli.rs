//! `lightbox annotations brush`, black box, on a copy of the sample release, against
//! shapely (tests/assist/check_brush.py): a stroke across a square adds its trail; an
//! eraser across a rectangle splits it in two, the second piece a new shape like the
//! first; a dab inside a square makes a hole, which is filled and counted; on a slice
//! whose Pixel Spacing is made 0.5 mm between rows and 1.0 mm between columns, a stroke
//! and a dab are round in mm. Each result is within 1 % (symmetric difference over the
//! reference's area) of shapely's, with as many pieces and holes. An eraser over all
//! of a shape deletes it, and bad arguments are named.

mod common;

use common::{lightbox, lightbox_ok, s};
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

/// A polygon by "reader" on `inst` (a template shape supplies the study UID).
fn polygon(template: &Value, inst: &Value, id: &str, ring: &[[f64; 2]]) -> Value {
    let mut shape = template.clone();
    shape["id"] = id.into();
    shape["kind"] = "polygon".into();
    shape["label"] = "nodule".into();
    shape["grade"] = "high".into();
    shape["annotator"] = "reader".into();
    shape["sop_uid"] = inst["sop_uid"].clone();
    shape["file_name"] = inst["file_name"].clone();
    shape["frame"] = 1.into();
    shape["points"] = json!(ring);
    shape["points_patient_mm"] = Value::Null;
    shape["measurements"] = Value::Null;
    shape
}

fn rect([x0, y0, x1, y1]: [f64; 4]) -> Vec<[f64; 2]> {
    vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
}

/// One brush case: a shape, where it is, the stroke, and what shapely should find.
struct Case {
    name: &'static str,
    id: &'static str,
    slice: usize,
    ring: Vec<[f64; 2]>,
    stroke: Vec<[f64; 2]>,
    radius: f64,
    erase: bool,
    /// `[row_mm, col_mm]` of the slice.
    spacing: [f64; 2],
    parts: u64,
    holes: u64,
}

fn stroke_arg(points: &[[f64; 2]]) -> String {
    points
        .iter()
        .map(|[x, y]| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(";")
}

#[test]
fn brush_and_eraser_agree_with_shapely_in_mm() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));

    // Slice 20 of the copy gets anisotropic pixels, before anything scans the copy:
    // 0.5 mm between rows (a step in y), 1.0 mm between columns (a step in x).
    let sample = common::repo().join("sample-data");
    let originals = instances(s(&sample));
    let rel = std::path::Path::new(originals[19]["path"].as_str().expect("path"))
        .strip_prefix(&sample)
        .expect("under sample-data")
        .to_path_buf();
    common::tool(
        "dcmodify",
        &["-nb", "-m", "(0028,0030)=0.5\\1.0", s(&root.join(rel))],
    );
    let insts = instances(root_s);
    let example: Value = common::example_annotations();
    let template = example["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|sh| sh["series_uid"] == SERIES)
        .expect("a shape on the chest series")
        .clone();

    let iso = [1.4, 1.4];
    let aniso = [0.5, 1.0];
    let cases = [
        Case {
            name: "a stroke across a square",
            id: "union",
            slice: 10,
            ring: rect([100.0, 100.0, 140.0, 140.0]),
            stroke: vec![[80.0, 120.0], [120.0, 118.0], [160.0, 125.0]],
            radius: 3.0,
            erase: false,
            spacing: iso,
            parts: 1,
            holes: 0,
        },
        Case {
            name: "an eraser across a rectangle",
            id: "split",
            slice: 12,
            ring: rect([60.0, 60.0, 140.0, 100.0]),
            stroke: vec![[100.0, 40.0], [101.0, 120.0]],
            radius: 4.0,
            erase: true,
            spacing: iso,
            parts: 2,
            holes: 0,
        },
        Case {
            name: "a dab inside a square",
            id: "hole",
            slice: 14,
            ring: rect([100.0, 100.0, 160.0, 160.0]),
            stroke: vec![[130.0, 130.0]],
            radius: 10.0,
            erase: true,
            spacing: iso,
            parts: 1,
            holes: 1,
        },
        Case {
            name: "a stroke on anisotropic pixels",
            id: "aniso-union",
            slice: 20,
            ring: rect([100.0, 100.0, 140.0, 140.0]),
            stroke: vec![[120.0, 140.0], [160.0, 180.0]],
            radius: 6.0,
            erase: false,
            spacing: aniso,
            parts: 1,
            holes: 0,
        },
        Case {
            // 25 mm tall and 60 mm wide: a dab of 15 mm cuts it through from top to
            // bottom (30 px of rows) but takes only 30 of its 60 columns.
            name: "a dab splitting on anisotropic pixels",
            id: "aniso-split",
            slice: 20,
            ring: rect([60.0, 150.0, 120.0, 200.0]),
            stroke: vec![[90.0, 175.0]],
            radius: 15.0,
            erase: true,
            spacing: aniso,
            parts: 2,
            holes: 0,
        },
    ];
    let mut shapes: Vec<Value> = cases
        .iter()
        .map(|c| polygon(&template, &insts[c.slice - 1], c.id, &c.ring))
        .collect();
    shapes.push(polygon(
        &template,
        &insts[15],
        "tiny",
        &rect([200.0, 200.0, 204.0, 204.0]),
    ));
    let mut doc = example.clone();
    doc["shapes"] = Value::Array(shapes);
    let file = out.path().join("shapes.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&file),
        "--store",
        store_s,
    ]);

    let brush = |id: &str, stroke: &str, radius: &str, erase: bool, json: bool| {
        let mut args = vec![
            "annotations",
            "brush",
            root_s,
            "--store",
            store_s,
            "--shape",
            id,
            "--stroke",
            stroke,
            "--radius-mm",
            radius,
        ];
        if erase {
            args.push("--erase");
        }
        if json {
            args.push("--json");
        }
        lightbox(&args)
    };

    // What each case reported.
    let mut said = Vec::new();
    for c in &cases {
        let o = brush(
            c.id,
            &stroke_arg(&c.stroke),
            &c.radius.to_string(),
            c.erase,
            true,
        );
        assert!(
            o.status.success(),
            "{}: {}",
            c.name,
            String::from_utf8_lossy(&o.stderr)
        );
        let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(v["unit"], "mm", "{}", c.name);
        assert_eq!(v["deleted"], false, "{}", c.name);
        if c.holes == 0 {
            // A filled hole may leave the outline as it was.
            assert_eq!(v["changed"], true, "{}", c.name);
        }
        assert_eq!(
            v["added"].as_array().expect("added").len() as u64 + 1,
            c.parts,
            "{}: {v}",
            c.name
        );
        assert_eq!(v["holes_filled"], c.holes, "{}: {v}", c.name);
        said.push(v);
    }

    // An eraser over all of a shape deletes it, and says so.
    let o = brush("tiny", "202,202", "10", true, false);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(text.contains("the shape is deleted"), "{text}");

    let exported = common::exported_annotations(root_s, store_s, &out.path().join("export"));
    let exported = exported["shapes"].as_array().expect("shapes");
    let by_id = |id: &str| exported.iter().find(|sh| sh["id"] == id);
    assert!(by_id("tiny").is_none(), "the erased shape is gone");

    let mut input = Vec::new();
    for (c, v) in cases.iter().zip(&said) {
        let first = by_id(c.id).unwrap_or_else(|| panic!("{}: the shape", c.name));
        let mut ours = vec![first["points"].clone()];
        for added in v["added"].as_array().expect("added") {
            let piece = by_id(added.as_str().expect("id")).expect("the new piece");
            for key in ["label", "grade", "annotator", "kind", "sop_uid", "frame"] {
                assert_eq!(piece[key], first[key], "{}: {key} of a piece", c.name);
            }
            ours.push(piece["points"].clone());
        }
        input.push(json!({
            "ring": c.ring, "stroke": c.stroke, "radius": c.radius, "erase": c.erase,
            "spacing": c.spacing, "ours": ours,
        }));
    }
    let reference = common::python::reference_json(
        "annotation",
        "assist/check_brush.py",
        &json!({ "cases": input }),
    );
    let results = reference["results"].as_array().expect("results");
    let mut worst = 0.0_f64;
    for (c, r) in cases.iter().zip(results) {
        let ratio = r["ratio"].as_f64().expect("ratio");
        eprintln!(
            "{}: symmetric difference {:.4} of {:.1} mm² ({:.3} %)",
            c.name,
            r["symdiff_area"].as_f64().expect("symdiff"),
            r["reference_area"].as_f64().expect("area"),
            100.0 * ratio
        );
        worst = worst.max(ratio);
        assert!(ratio <= 0.01, "{}: {r}", c.name);
        assert_eq!(r["reference_parts"], c.parts, "{}: {r}", c.name);
        assert_eq!(r["our_parts"], c.parts, "{}: {r}", c.name);
        assert_eq!(r["reference_holes"], c.holes, "{}: {r}", c.name);
        assert_eq!(r["ours_valid"], true, "{}: {r}", c.name);
    }
    eprintln!("worst ratio {:.5} %", 100.0 * worst);
}

#[test]
fn bad_arguments_are_named() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let example = common::example_annotations();
    let file = out.path().join("example.json");
    std::fs::write(&file, example.to_string()).expect("write");
    lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&file),
        "--store",
        store_s,
    ]);
    let polygon = example["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|sh| sh["kind"] == "polygon")
        .expect("a polygon");
    let id = polygon["id"].as_str().expect("id");
    let who = polygon["annotator"].as_str().expect("annotator");
    let fails = |extra: &[&str], shape: &str, stroke: &str, radius: &str, want: &str| {
        let mut args = vec![
            "annotations",
            "brush",
            root_s,
            "--store",
            store_s,
            "--shape",
            shape,
            "--stroke",
            stroke,
            "--radius-mm",
            radius,
        ];
        args.extend_from_slice(extra);
        let o = lightbox(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(err.contains(want), "{args:?}: {err}");
    };
    fails(&[], "no-such-shape", "10,10", "2", "--shape no-such-shape");
    fails(&[], id, "10,10;x,3", "2", "--stroke");
    fails(&[], id, "10,10;20", "2", "--stroke");
    fails(&[], id, "", "2", "--stroke");
    fails(&[], id, "10,10", "-2", "--radius-mm");
    fails(&[], id, "10,10", "0", "--radius-mm");
    fails(&[], id, "10,10", "NaN", "--radius-mm");
    fails(&["--annotator", "someone-else"], id, "10,10", "2", who);
    // Nothing was changed by the failures.
    let again = common::exported_annotations(root_s, store_s, &out.path().join("export"));
    let kept = again["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|sh| sh["id"] == id)
        .expect("the polygon");
    assert_eq!(kept["points"], polygon["points"]);
}
