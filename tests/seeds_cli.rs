//! `lightbox seeds`, black box, on a copy of the sample release: a stroke in the chest
//! CT's nodule and a square of background around it grow by the random walker; the
//! stored outline, rasterised by our centre rule, matches scikit-image's exact
//! `random_walker` on the frame's values through the same window with the same seed
//! pixels. Strokes of one label are refused with the reason.

mod common;

use common::{lightbox, lightbox_ok, s};
use lightbox::agreement::region::Region;
use serde_json::{Value, json};

const SERIES: &str = "2.25.58992966161156072126607366601187380746";

#[test]
fn strokes_in_the_nodule_and_around_it_grow_what_scikit_image_grows() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let seeds = |strokes: &[&str]| {
        let mut args = vec![
            "seeds",
            root_s,
            "--store",
            store_s,
            "--series",
            SERIES,
            "--frame",
            "14",
            "--annotator",
            "walker",
            "--json",
        ];
        for st in strokes {
            args.extend(["--stroke", st]);
        }
        lightbox(&args)
    };
    // Pixel-centre strokes, so their pixels are plain: row 121, columns 76 to 80; the
    // border of the square of rows and columns 105..=137 by 60..=96.
    let (inside, around) = (
        "nodule:76.5,121.5;80.5,121.5",
        "background:60.5,105.5;96.5,105.5;96.5,137.5;60.5,137.5;60.5,105.5",
    );
    let made = seeds(&[inside, around]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    assert_eq!(made["shape_count"], 1);
    let window = [
        made["window"][0].as_f64().expect("lo"),
        made["window"][1].as_f64().expect("hi"),
    ];
    let doc = common::exported_annotations(root_s, store_s, &out.path().join("export"));
    let shape = doc["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|sh| sh["annotator"] == "walker")
        .expect("the grown shape")
        .clone();
    assert_eq!(shape["source"], "grow-from-seeds");
    assert_eq!(shape["label"], "nodule");

    // The reference on the same frame's values.
    let image =
        common::dicom_file_with_sop(&root.join("IMAGE"), shape["sop_uid"].as_str().expect("sop"));
    let npy = out.path().join("frame.npy");
    lightbox_ok(&["decode", s(&image), "--out", s(&npy)]);
    // The frame's size and spacing as dcmtk reads them.
    let tag = |name: &str| -> String {
        let out = std::process::Command::new("dcmdump")
            .args(["-q", "+P", name])
            .arg(&image)
            .output()
            .expect("dcmdump");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let value = text.split_whitespace().nth(2).unwrap_or_default();
        value.trim_matches(|c| c == '[' || c == ']').to_owned()
    };
    let (rows, cols): (usize, usize) = (
        tag("Rows").parse().expect("Rows"),
        tag("Columns").parse().expect("Columns"),
    );
    let spacing: Vec<f64> = tag("PixelSpacing")
        .split('\\')
        .map(|v| v.parse().expect("a number"))
        .collect();
    let mut seed_map = vec![0u8; rows * cols];
    for c in 76..=80 {
        seed_map[121 * cols + c] = 1;
    }
    for i in 60..=96 {
        seed_map[105 * cols + i] = 2;
        seed_map[137 * cols + i] = 2;
    }
    for r in 105..=137 {
        seed_map[r * cols + 60] = 2;
        seed_map[r * cols + 96] = 2;
    }
    let reference = common::python::reference_json(
        "annotation",
        &["annotation/requirements.txt"],
        "assist/check_seeds.py",
        &json!({"cases": [{
            "shape": [1, rows, cols], "spacing": [1.0, spacing[0], spacing[1]], "beta": 130.0,
            "npy": s(&npy), "window": window, "seeds": seed_map,
        }]}),
    );
    let want: Vec<bool> = reference["labels"][0]
        .as_array()
        .expect("labels")
        .iter()
        .map(|v| v.as_u64() == Some(1))
        .collect();
    let ring: Vec<[f64; 2]> = serde_json::from_value(shape["points"].clone()).expect("points");
    let got =
        Region::of_ring(&ring, rows as u32, cols as u32).grid([0, 0, rows as u32, cols as u32]);
    let both = got.iter().zip(&want).filter(|(a, b)| **a && **b).count() as f64;
    let (ng, nw) = (
        got.iter().filter(|x| **x).count(),
        want.iter().filter(|x| **x).count(),
    );
    let dice = 2.0 * both / (ng + nw) as f64;
    assert!(nw > 50 && dice > 0.95, "Dice {dice}: {ng} vs {nw} pixels");

    // One label alone cannot compete.
    let alone = seeds(&[inside]);
    let err = String::from_utf8_lossy(&alone.stderr);
    assert!(
        !alone.status.success() && err.contains("at least two labels"),
        "{err}"
    );
}
