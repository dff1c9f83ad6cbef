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
// Pixel-centre strokes, so their pixels are plain: row 121, columns 76 to 80; the
// border of the square of rows and columns 105..=137 by 60..=96.
const INSIDE: &str = "nodule:76.5,121.5;80.5,121.5";
const AROUND: &str = "background:60.5,105.5;96.5,105.5;96.5,137.5;60.5,137.5;60.5,105.5";

/// `lightbox seeds` on frame 14 of the chest series, through `slab` frames each side.
fn seeds(root: &str, store: &str, slab: usize, strokes: &[&str]) -> std::process::Output {
    let slab = slab.to_string();
    let mut args = vec![
        "seeds",
        root,
        "--store",
        store,
        "--series",
        SERIES,
        "--frame",
        "14",
        "--slab",
        &slab,
        "--annotator",
        "walker",
        "--json",
    ];
    for st in strokes {
        args.extend(["--stroke", st]);
    }
    lightbox(&args)
}

/// An element's value as dcmdump prints it (brackets trimmed).
fn dcm_tag(image: &std::path::Path, name: &str) -> String {
    let out = std::process::Command::new("dcmdump")
        .args(["-q", "+P", name])
        .arg(image)
        .output()
        .expect("dcmdump");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let value = text.split_whitespace().nth(2).unwrap_or_default();
    value.trim_matches(|c| c == '[' || c == ']').to_owned()
}

/// The seed pixels of [`INSIDE`] (1) and [`AROUND`] (2) on one frame.
fn seed_map(rows: usize, cols: usize) -> Vec<u8> {
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
    seed_map
}

/// Dice of a ring's pixels (our centre rule) with a mask.
fn dice(ring: &[[f64; 2]], want: &[bool], rows: usize, cols: usize) -> f64 {
    let got =
        Region::of_ring(ring, rows as u32, cols as u32).grid([0, 0, rows as u32, cols as u32]);
    let both = got.iter().zip(want).filter(|(a, b)| **a && **b).count() as f64;
    let (ng, nw) = (
        got.iter().filter(|x| **x).count(),
        want.iter().filter(|x| **x).count(),
    );
    2.0 * both / (ng + nw) as f64
}

#[test]
fn strokes_in_the_nodule_and_around_it_grow_what_scikit_image_grows() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let seeds = |strokes: &[&str]| seeds(root_s, store_s, 0, strokes);
    let made = seeds(&[INSIDE, AROUND]);
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
    let tag = |name: &str| dcm_tag(&image, name);
    let (rows, cols): (usize, usize) = (
        tag("Rows").parse().expect("Rows"),
        tag("Columns").parse().expect("Columns"),
    );
    let spacing: Vec<f64> = tag("PixelSpacing")
        .split('\\')
        .map(|v| v.parse().expect("a number"))
        .collect();
    let seed_map = seed_map(rows, cols);
    let reference = common::python::reference_json(
        "annotation",
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
    let nw = want.iter().filter(|x| **x).count();
    let dice = dice(&ring, &want, rows, cols);
    assert!(nw > 50 && dice > 0.95, "Dice {dice}: {nw} pixels wanted");

    // One label alone cannot compete.
    let alone = seeds(&[INSIDE]);
    let err = String::from_utf8_lossy(&alone.stderr);
    assert!(
        !alone.status.success() && err.contains("at least two labels"),
        "{err}"
    );
}

#[test]
fn a_slab_grows_in_3d_as_scikit_image_does() {
    // The same strokes on frame 14, through one frame each side: scikit-image's
    // random_walker on the three frames stacked, the slice step their position gap.
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let made = seeds(root_s, store_s, 1, &[INSIDE, AROUND]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    let window = [
        made["window"][0].as_f64().expect("lo"),
        made["window"][1].as_f64().expect("hi"),
    ];
    let doc = common::exported_annotations(root_s, store_s, &out.path().join("export"));
    let shapes: Vec<Value> = doc["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .filter(|sh| sh["annotator"] == "walker")
        .cloned()
        .collect();
    // The three frames, ordered along the series by their z as dcmtk reads it.
    let mut frames: Vec<(f64, String, std::path::PathBuf)> = Vec::new();
    for sh in &shapes {
        assert_eq!(sh["source_parameters"]["slab"], 1);
        let sop = sh["sop_uid"].as_str().expect("sop").to_owned();
        if frames.iter().any(|f| f.1 == sop) {
            continue;
        }
        let image = common::dicom_file_with_sop(&root.join("IMAGE"), &sop);
        let z: f64 = dcm_tag(&image, "ImagePositionPatient")
            .split('\\')
            .nth(2)
            .and_then(|v| v.parse().ok())
            .expect("z");
        frames.push((z, sop, image));
    }
    assert_eq!(frames.len(), 3, "outlines on frames 13, 14 and 15");
    frames.sort_by(|a, b| a.0.total_cmp(&b.0));
    let gap = ((frames[2].0 - frames[0].0) / 2.0).abs();
    let image = &frames[1].2;
    let (rows, cols): (usize, usize) = (
        dcm_tag(image, "Rows").parse().expect("Rows"),
        dcm_tag(image, "Columns").parse().expect("Columns"),
    );
    let spacing: Vec<f64> = dcm_tag(image, "PixelSpacing")
        .split('\\')
        .map(|v| v.parse().expect("a number"))
        .collect();
    let mut npys = Vec::new();
    for (k, (_, _, image)) in frames.iter().enumerate() {
        let npy = out.path().join(format!("frame{k}.npy"));
        lightbox_ok(&["decode", s(image), "--out", s(&npy)]);
        npys.push(s(&npy).to_owned());
    }
    let mut seed_volume = vec![0u8; 3 * rows * cols];
    seed_volume[rows * cols..2 * rows * cols].copy_from_slice(&seed_map(rows, cols));
    let reference = common::python::reference_json(
        "annotation",
        "assist/check_seeds.py",
        &json!({"cases": [{
            "shape": [3, rows, cols], "spacing": [gap, spacing[0], spacing[1]], "beta": 130.0,
            "npys": npys, "window": window, "seeds": seed_volume,
        }]}),
    );
    let labels: Vec<bool> = reference["labels"][0]
        .as_array()
        .expect("labels")
        .iter()
        .map(|v| v.as_u64() == Some(1))
        .collect();
    for (k, (_, sop, _)) in frames.iter().enumerate() {
        let want = &labels[k * rows * cols..(k + 1) * rows * cols];
        let nw = want.iter().filter(|x| **x).count();
        let on_frame: Vec<&Value> = shapes.iter().filter(|sh| sh["sop_uid"] == *sop).collect();
        assert_eq!(on_frame.len(), 1, "one outline on frame {k}");
        let ring: Vec<[f64; 2]> =
            serde_json::from_value(on_frame[0]["points"].clone()).expect("points");
        let d = dice(&ring, want, rows, cols);
        assert!(
            nw > 20 && d > 0.9,
            "frame {k}: Dice {d}, {nw} pixels wanted"
        );
    }
}
