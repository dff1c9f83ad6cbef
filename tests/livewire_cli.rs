//! `lightbox livewire`, black box, on a synthetic CT series written here: three
//! slices with a soft-tissue disc of a different radius each in noisy lung; four
//! anchors on the rim of the middle slice's disc make one polygon, stored on that
//! frame, marked `live-wire` with its parameters, whose pixels match the disc (Dice
//! against the exact pixel-centre mask). Bad arguments are refused, naming them.

mod common;

use std::path::Path;

use common::{CtSlice, Rng, lightbox, s, write_ct_slice};
use lightbox::agreement::region::Region;
use serde_json::Value;

const SIZE: usize = 128;
const SERIES: &str = "2.25.1515151515";
/// Each slice's disc radius, pixels, in slice order (positions 0, 5, 10 mm).
const RADII: [f64; 3] = [20.0, 30.0, 25.0];

/// Is the centre of pixel `(c, r)` in a disc of `radius` about (64, 64)?
fn in_disc(c: usize, r: usize, radius: f64) -> bool {
    (c as f64 + 0.5 - 64.0).hypot(r as f64 + 0.5 - 64.0) <= radius
}

fn sop(k: usize) -> String {
    format!("2.25.15151515{k}")
}

/// Writes slice `k` (0-based) of the series into `dir`: 60 HU in the disc, −800
/// outside, noise of about ±20 HU; 0.7 mm pixels.
fn write_slice(dir: &Path, k: usize, rng: &mut Rng) {
    let hu: Vec<i16> = (0..SIZE * SIZE)
        .map(|i| {
            let base = if in_disc(i % SIZE, i / SIZE, RADII[k]) {
                60.0
            } else {
                -800.0
            };
            (base + 40.0 * (rng.unit() - 0.5)).round() as i16
        })
        .collect();
    let sop = sop(k);
    let slice = CtSlice {
        study_uid: "2.25.1515",
        series_uid: SERIES,
        sop_uid: &sop,
        patient_id: "LW1",
        number: k + 1,
        size: SIZE,
        pixel_mm: 0.7,
        z_mm: 5.0 * k as f64,
        hu,
    };
    write_ct_slice(&dir.join(format!("IM{}.dcm", k + 1)), &slice);
}

#[test]
fn anchors_on_the_rim_outline_the_disc_of_their_frame() {
    let data = tempfile::tempdir().expect("temp dir");
    let root = data.path().join("series");
    std::fs::create_dir_all(&root).expect("mkdir");
    let mut rng = Rng(0x1515);
    // Written out of slice order: the frame counts along the positions.
    for k in [2, 0, 1] {
        write_slice(&root, k, &mut rng);
    }
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let livewire = |more: &[&str]| {
        let mut args = vec![
            "livewire",
            root_s,
            "--store",
            store_s,
            "--series",
            SERIES,
            "--label",
            "nodule",
            "--annotator",
            "scissors",
        ];
        args.extend_from_slice(more);
        lightbox(&args)
    };
    // Four points on the middle slice's rim (radius 30 about (64, 64)).
    let anchors: Vec<String> = [25.0f64, 115.0, 205.0, 295.0]
        .iter()
        .map(|d| {
            let t = d.to_radians();
            format!("{:.1},{:.1}", 64.0 + 30.0 * t.cos(), 64.0 + 30.0 * t.sin())
        })
        .collect();
    let anchors = anchors.join(";");
    let made = livewire(&["--frame", "2", "--anchors", &anchors, "--json"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    assert_eq!(
        (made["shape_count"].as_u64(), made["frame"].as_u64()),
        (Some(1), Some(2))
    );
    // The default window: the frame's 1st to 99th percentile, lung to soft tissue.
    let (lo, hi) = (
        made["window"][0].as_f64().expect("lo"),
        made["window"][1].as_f64().expect("hi"),
    );
    assert!(lo < -700.0 && hi > 40.0, "window {lo} to {hi}");

    let doc = common::exported_annotations(root_s, store_s, &out.path().join("export"));
    let shapes = doc["shapes"].as_array().expect("shapes");
    assert_eq!(shapes.len(), 1);
    let shape = &shapes[0];
    assert_eq!(shape["source"], "live-wire");
    assert_eq!(shape["kind"], "polygon");
    assert_eq!(shape["label"], "nodule");
    assert_eq!(shape["annotator"], "scissors");
    assert_eq!(shape["id"], made["id"]);
    assert_eq!(shape["sop_uid"], sop(1).as_str());
    assert_eq!(shape["frame"], 1);
    let parameters = &shape["source_parameters"];
    assert_eq!(parameters["anchors"].as_array().map(Vec::len), Some(4));
    assert_eq!(parameters["frame"], 2);
    assert!(
        parameters["tolerance_mm"].as_f64().is_some(),
        "{parameters}"
    );
    let ring: Vec<[f64; 2]> = serde_json::from_value(shape["points"].clone()).expect("points");
    let n = SIZE as u32;
    let got = Region::of_ring(&ring, n, n).grid([0, 0, n, n]);
    let truth: Vec<bool> = (0..SIZE * SIZE)
        .map(|i| in_disc(i % SIZE, i / SIZE, RADII[1]))
        .collect();
    let both = got.iter().zip(&truth).filter(|(g, t)| **g && **t).count();
    let total = got.iter().filter(|g| **g).count() + truth.iter().filter(|t| **t).count();
    let dice = 2.0 * both as f64 / total as f64;
    assert!(dice >= 0.9, "Dice {dice}");

    // A window given is the one used and recorded.
    let made = livewire(&[
        "--frame",
        "2",
        "--anchors",
        &anchors,
        "--window",
        "-900,200",
        "--json",
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    assert_eq!(made["window"], serde_json::json!([-900.0, 200.0]));

    // Refusals name the argument.
    for (args, want) in [
        (
            vec!["--frame", "2", "--anchors", "10,10;20,20"],
            "--anchors",
        ),
        (
            vec!["--frame", "2", "--anchors", "10,10;20;30,30"],
            "--anchors",
        ),
        (
            vec!["--frame", "2", "--anchors", "10,10;200,20;30,40"],
            "--anchors",
        ),
        (vec!["--frame", "4", "--anchors", &anchors], "--frame"),
        (
            vec!["--frame", "2", "--anchors", &anchors, "--window", "5,5"],
            "--window",
        ),
    ] {
        let out = livewire(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(want),
            "{args:?}: {err}"
        );
    }
    let err = livewire(&["--frame", "2", "--anchors", "10,10;200,20;30,40"]);
    let err = String::from_utf8_lossy(&err.stderr);
    assert!(err.contains("outside the frame"), "{err}");
    // Nothing was stored by the refusals: still the two shapes.
    let doc = common::exported_annotations(root_s, store_s, &out.path().join("again"));
    assert_eq!(doc["shapes"].as_array().map(Vec::len), Some(2));
}
