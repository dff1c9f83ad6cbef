//! `lightbox segment`, black box, on a copy of the sample release: a click in the
//! chest CT's nodule grows a region whose outline, rasterised by our centre rule,
//! matches a region grown apart from ours (scikit-image's 4-connected component of
//! the window on the frame's values, holes filled by scipy); the shapes are stored
//! with their provenance, 3-D reaches the neighbouring slices, and bad seeds are
//! refused with the reason.

mod common;

use common::{lightbox, lightbox_ok, s};
use lightbox::agreement::region::Region;
use serde_json::{Value, json};

const SERIES: &str = "2.25.58992966161156072126607366601187380746";
/// The nodule of dr.okafor's shapes in sample-data/annotations/example.json.
const SEED: &str = "78,121,14";

#[test]
fn a_click_in_the_nodule_grows_the_region_a_reference_grows() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let segment = |more: &[&str]| {
        let mut args = vec![
            "segment",
            root_s,
            "--store",
            store_s,
            "--series",
            SERIES,
            "--label",
            "nodule",
            "--annotator",
            "auto",
        ];
        args.extend_from_slice(more);
        lightbox(&args)
    };
    let made = segment(&["--seed", SEED, "--json"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    assert_eq!(
        (made["shape_count"].as_u64(), made["frames"].clone()),
        (Some(1), json!([14]))
    );
    let window = [
        made["window"][0].as_f64().expect("lo"),
        made["window"][1].as_f64().expect("hi"),
    ];
    // The soft-tissue nodule, not the lung around it.
    assert!(window[0] > -300.0 && window[1] < 300.0, "{window:?}");

    // The stored shape, through our export.
    let doc = common::exported_annotations(root_s, store_s, &out.path().join("export"));
    let shape = doc["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|sh| sh["annotator"] == "auto")
        .expect("the grown shape")
        .clone();
    assert_eq!(shape["source"], "region-grow");
    assert_eq!(shape["source_parameters"]["seed"], json!([78.0, 121.0, 14]));
    assert_eq!(shape["kind"], "polygon");
    assert_eq!(shape["label"], "nodule");

    // The reference region on the frame's values.
    let image =
        common::dicom_file_with_sop(&root.join("IMAGE"), shape["sop_uid"].as_str().expect("sop"));
    let npy = out.path().join("frame.npy");
    lightbox_ok(&["decode", s(&image), "--out", s(&npy)]);
    let reference = common::python::reference_json(
        "annotation",
        "assist/check_grow.py",
        &json!({"npy": s(&npy), "window": window, "seed_row_col": [121, 78]}),
    );
    let rows = reference["shape"][0].as_u64().expect("rows") as u32;
    let cols = reference["shape"][1].as_u64().expect("cols") as u32;
    let want: std::collections::BTreeSet<u64> = reference["indices"]
        .as_array()
        .expect("indices")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    let ring: Vec<[f64; 2]> = serde_json::from_value(shape["points"].clone()).expect("points");
    let ours = Region::of_ring(&ring, rows, cols);
    let got: std::collections::BTreeSet<u64> = ours
        .grid([0, 0, rows, cols])
        .iter()
        .enumerate()
        .filter(|(_, inside)| **inside)
        .map(|(i, _)| i as u64)
        .collect();
    let both = got.intersection(&want).count() as f64;
    let dice = 2.0 * both / (got.len() + want.len()) as f64;
    // The outline is simplified by half a pixel: a few border pixels may differ.
    assert!(
        want.len() > 50 && dice > 0.95,
        "Dice {dice}, {} vs {} pixels",
        got.len(),
        want.len()
    );

    // 3-D: the nodule's neighbouring slices too, one undoable command.
    let made = segment(&["--seed", SEED, "--3d", "--json"]);
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    let frames: Vec<u64> = made["frames"]
        .as_array()
        .expect("frames")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert!(frames.len() >= 2 && frames.contains(&14), "{frames:?}");

    // Seeds off the series or outside a window are refused with the reason.
    for (args, says) in [
        (vec!["--seed", "78,121,999"], "is not a frame of the series"),
        (vec!["--seed", "9999,121,14"], "off the"),
        (vec!["--seed", "78,121"], "must be 3 numbers"),
        (
            vec!["--seed", SEED, "--window", "500,600"],
            "widen the window",
        ),
    ] {
        let failed = segment(&args);
        let err = String::from_utf8_lossy(&failed.stderr);
        assert!(
            !failed.status.success() && err.contains(says),
            "{args:?}: {err}"
        );
    }
}
