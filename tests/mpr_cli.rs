//! `lightbox mpr`, black box. On the sample chest CT (32 slices of 256², 1.4 mm pixels,
//! 5 mm gap): an axial plane is `lightbox decode` of that slice, and axial, coronal and
//! sagittal planes and MIP / MinIP / average slabs equal what pydicom + numpy compute
//! apart from ours (`tests/mpr/reference.py`); the `.png` is that plane resampled to
//! square pixels through the file's window. Synthetic series with uneven gaps (one
//! slice missing) and with a gantry tilt are reported by `--json`, kept on the grid in
//! `.npy` and resampled (tilt undone) in `.png`; bad requests fail naming what is wrong.

mod common;

use std::path::{Path, PathBuf};

use common::{axial_series as series, lightbox, lightbox_ok, read_npy, read_png, s};
use serde_json::{Value, json};

const SERIES: &str = "2.25.58992966161156072126607366601187380746";

/// The arguments of `lightbox mpr ROOT --series UID --plane P --index N --out OUT [more]`.
fn mpr_args<'a>(
    root: &'a Path,
    series: &'a str,
    plane: &'a str,
    index: &'a str,
    out: &'a Path,
    more: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "mpr",
        s(root),
        "--series",
        series,
        "--plane",
        plane,
        "--index",
        index,
        "--out",
        s(out),
    ];
    args.extend_from_slice(more);
    args
}

/// `lightbox mpr ROOT --series UID --plane P --index N --out OUT [more] --json`, which
/// must succeed: its JSON, parsed, and its stderr.
fn mpr_run(
    root: &Path,
    series: &str,
    plane: &str,
    index: usize,
    more: &[&str],
    out: &Path,
) -> (Value, String) {
    let index = index.to_string();
    let mut args = mpr_args(root, series, plane, &index, out, more);
    args.push("--json");
    let run = lightbox_ok(&args);
    let json = serde_json::from_slice(&run.stdout).expect("mpr --json prints JSON");
    (json, String::from_utf8_lossy(&run.stderr).into_owned())
}

/// `lightbox mpr ROOT --series UID --plane P --index N --out OUT [more] --json`, parsed.
fn mpr(root: &Path, series: &str, plane: &str, index: usize, more: &[&str], out: &Path) -> Value {
    mpr_run(root, series, plane, index, more, out).0
}

/// DICOM's LINEAR window onto 0..255 (PS3.3 C.11.2.1.2.1), the test's own.
fn linear(x: f64, center: f64, width: f64) -> f64 {
    let (lo, hi) = (
        center - 0.5 - (width - 1.0) / 2.0,
        center - 0.5 + (width - 1.0) / 2.0,
    );
    if x <= lo {
        0.0
    } else if x > hi {
        255.0
    } else {
        ((x - (center - 0.5)) / (width - 1.0) + 0.5) * 255.0
    }
}

/// The largest absolute difference.
fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "sizes differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn sample_ct_planes_and_slabs_match_pydicom_and_numpy() {
    let root = common::repo().join("sample-data");
    let dir = tempfile::tempdir().expect("temp dir");
    // (plane, index, slab mm, mode)
    let cases: &[(&str, usize, Option<f64>, &str)] = &[
        ("axial", 5, None, "mip"),
        ("coronal", 128, None, "mip"),
        ("sagittal", 100, None, "mip"),
        ("axial", 10, Some(20.0), "avg"),
        ("axial", 0, Some(12.0), "mip"),
        ("coronal", 128, Some(10.0), "mip"),
        ("coronal", 60, Some(20.0), "avg"),
        ("sagittal", 100, Some(7.0), "minip"),
        ("sagittal", 250, Some(15.0), "mip"),
    ];
    let input = json!({
        "folder": common::sample_images().join("ST0002/SE0002"),
        "series": SERIES,
        "cases": cases.iter().map(|(plane, index, slab, mode)| json!({
            "plane": plane, "index": index, "slab_mm": slab, "mode": mode,
        })).collect::<Vec<_>>(),
    });
    let reference = common::python::reference_json("mpr", "mpr/reference.py", &input);
    let files: Vec<PathBuf> = reference["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| PathBuf::from(f.as_str().expect("path")))
        .collect();
    assert_eq!(files.len(), 32);
    let mut worst = 0.0f64;
    for (k, (plane, index, slab, mode)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("case{k}.npy"));
        let slab_text = slab.map(|v| v.to_string());
        let more: Vec<&str> = match &slab_text {
            Some(t) => vec!["--slab", t, "--mode", mode],
            None => Vec::new(),
        };
        let json = mpr(&root, SERIES, plane, *index, &more, &out);
        let ours = read_npy(&out);
        let truth = &reference["cases"][k];
        let shape: Vec<usize> = serde_json::from_value(truth["shape"].clone()).expect("shape");
        assert_eq!(ours.shape, shape, "{plane} {index}");
        assert_eq!(json["shape"], json!(shape));
        let values: Vec<f64> = serde_json::from_value(truth["values"].clone()).expect("values");
        let d = max_diff(&ours.values, &values);
        eprintln!("{plane} {index} slab {slab:?} {mode}: max |ours - numpy| = {d:e}");
        assert!(
            d <= 1e-3,
            "{plane} {index} slab {slab:?} {mode}: max diff {d}"
        );
        worst = worst.max(d);
        if slab.is_some() {
            assert_eq!(json["slab"]["planes"], truth["planes"], "{plane} {index}");
        }
        let spacing = match *plane {
            "axial" => [1.4, 1.4],
            _ => [5.0, 1.4],
        };
        assert_eq!(json["spacing_mm"], json!(spacing));
        assert_eq!(json["check"]["uneven"], json!(false));
        assert_eq!(json["check"]["tilted"], json!(false));
        assert_eq!(json["check"]["warnings"], json!([]));
        assert_eq!(json["notes"], json!([]), "{plane} {index}");
    }
    eprintln!("sample CT: worst max |ours - numpy| over all cases = {worst:e}");

    // Axial N is `lightbox decode` of the N-th slice, value for value.
    let out = dir.path().join("axial5.npy");
    mpr(&root, SERIES, "axial", 5, &[], &out);
    let decoded = common::decode(&files[5], 0, dir.path());
    assert_eq!(read_npy(&out).values, decoded.values);

    // The .png: the coronal plane's rows resampled from 5 mm to 1.4 mm at the slices'
    // positions, through the file's first window (40/400).
    let png = dir.path().join("coronal.png");
    let json = mpr(&root, SERIES, "coronal", 128, &[], &png);
    assert_eq!(json["window"]["center"], json!(40.0));
    assert_eq!(json["window"]["width"], json!(400.0));
    let (w, h, channels, pixels) = read_png(&png);
    // 31 gaps of 5 mm = 155 mm: rows at 0, 1.4, …, 154 mm.
    assert_eq!((w, h, channels), (256, 111, 1));
    let coronal: Vec<f64> =
        serde_json::from_value(reference["cases"][1]["values"].clone()).expect("values");
    let mut worst_png = 0.0f64;
    for j in 0..h as usize {
        let t = j as f64 * 1.4 / 5.0;
        let (a, f) = (t.floor() as usize, t - t.floor());
        let b = (a + 1).min(31);
        for c in 0..256 {
            let v = coronal[a * 256 + c] * (1.0 - f) + coronal[b * 256 + c] * f;
            let d = (linear(v, 40.0, 400.0) - f64::from(pixels[j * 256 + c])).abs();
            worst_png = worst_png.max(d);
        }
    }
    assert!(worst_png <= 1.0, "png differs by {worst_png} grey levels");
    let axial_png = dir.path().join("axial.png");
    mpr(&root, SERIES, "axial", 5, &["--preset", "lung"], &axial_png);
    assert_eq!(read_png(&axial_png).0, 256);
}

#[test]
fn uneven_gaps_and_a_missing_slice_are_reported_kept_in_npy_and_resampled_in_png() {
    let dir = tempfile::tempdir().expect("temp dir");
    let uid = "2.25.1701";
    // Gaps 2, 2, 4 (a slice missing), 2 mm; HU 100 k + column.
    let zs = [0.0, 2.0, 4.0, 8.0, 10.0];
    series(
        dir.path(),
        uid,
        8,
        &zs,
        |k| (0..64).map(|i| (100 * k + i % 8) as i16).collect(),
        |_| 0.0,
    );
    let npy = dir.path().join("out/coronal.npy");
    std::fs::create_dir_all(npy.parent().expect("dir")).expect("mkdir");
    let (json, stderr) = mpr_run(dir.path(), uid, "coronal", 3, &[], &npy);
    let check = &json["check"];
    assert_eq!(check["uneven"], json!(true));
    assert_eq!(
        check["gaps"],
        json!({"min_mm": 2.0, "max_mm": 4.0, "median_mm": 2.0})
    );
    assert_eq!(check["positions_mm"], json!([0.0, 2.0, 4.0, 8.0, 10.0]));
    assert_eq!(
        check["missing"],
        json!([{"after_slice": 2, "gap_mm": 4.0, "missing": 1}])
    );
    assert_eq!(check["tilted"], json!(false));
    assert!(stderr.contains("uneven slice spacing"), "{stderr}");
    assert!(stderr.contains("2.000, 2.000, 4.000, 2.000"), "{stderr}");
    // On the grid: one row per slice, superior (z = 10) first.
    let grid = read_npy(&npy);
    assert_eq!(grid.shape, vec![5, 8]);
    let expected: Vec<f64> = [4, 3, 2, 1, 0]
        .iter()
        .flat_map(|k| (0..8).map(move |c| f64::from(100 * k + c)))
        .collect();
    assert_eq!(grid.values, expected);
    assert_eq!(json["row_positions_mm"], json!([0.0, 2.0, 6.0, 8.0, 10.0]));

    // The .png: 1 mm rows at z = 10, 9, …, 0, HU linear between the true positions.
    let png = dir.path().join("out/coronal.png");
    let (json, _) = mpr_run(
        dir.path(),
        uid,
        "coronal",
        3,
        &["--window", "250,1000"],
        &png,
    );
    assert!(
        json["notes"].to_string().contains("uneven"),
        "{}",
        json["notes"]
    );
    let (w, h, _, pixels) = read_png(&png);
    assert_eq!((w, h), (8, 11));
    for j in 0..11 {
        let z = 10.0 - j as f64;
        let k = zs.iter().rposition(|p| *p <= z).expect("bracket").min(3);
        let f = (z - zs[k]) / (zs[k + 1] - zs[k]);
        for c in 0..8 {
            let hu =
                (100.0 * k as f64 + c as f64) * (1.0 - f) + (100.0 * (k + 1) as f64 + c as f64) * f;
            let want = linear(hu, 250.0, 1000.0);
            let got = f64::from(pixels[j * 8 + c]);
            assert!(
                (want - got).abs() <= 1.0,
                "row {j} col {c}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn a_gantry_tilt_is_reported_kept_in_npy_and_undone_in_png() {
    let dir = tempfile::tempdir().expect("temp dir");
    let uid = "2.25.1702";
    // Slices 2 mm apart along z, each 1 mm further in y: tilted atan(1/2) off the
    // normal. A line at patient y = 10 mm lies on image row 10 - k of slice k.
    let zs: Vec<f64> = (0..6).map(|k| 2.0 * k as f64).collect();
    series(
        dir.path(),
        uid,
        16,
        &zs,
        |k| {
            (0..256)
                .map(|i| if i / 16 == 10 - k { 1000 } else { 0 })
                .collect()
        },
        |k| k as f64,
    );
    let npy = dir.path().join("sagittal.npy");
    let (json, stderr) = mpr_run(dir.path(), uid, "sagittal", 3, &[], &npy);
    assert_eq!(json["check"]["tilted"], json!(true));
    let tilt = json["check"]["tilt_rad"].as_f64().expect("tilt");
    assert!((tilt - 0.5f64.atan()).abs() < 1e-9, "{tilt}");
    assert_eq!(json["check"]["uneven"], json!(false));
    assert!(stderr.contains("gantry tilt"), "{stderr}");
    // On the grid the line is sheared: superior (k = 5) first, at column 10 - k.
    let grid = read_npy(&npy);
    assert_eq!(grid.shape, vec![6, 16]);
    for j in 0..6 {
        let k = 5 - j;
        let row = &grid.values[j * 16..(j + 1) * 16];
        assert_eq!(row[10 - k], 1000.0, "row {j}");
        assert_eq!(row.iter().filter(|v| **v == 1000.0).count(), 1);
    }
    // The .png undoes the tilt: the line is one column (7: its place in the middle
    // slice's frame) on every 1 mm row.
    let png = dir.path().join("sagittal.png");
    let json = mpr(
        dir.path(),
        uid,
        "sagittal",
        3,
        &["--window", "500,1000"],
        &png,
    );
    assert!(
        json["notes"].to_string().contains("gantry tilt"),
        "{}",
        json["notes"]
    );
    let (w, h, _, pixels) = read_png(&png);
    assert_eq!((w, h), (16, 11));
    for j in 0..11 {
        let row = &pixels[j * 16..(j + 1) * 16];
        let bright: Vec<usize> = (0..16).filter(|&c| row[c] == 255).collect();
        assert_eq!(bright, vec![7], "row {j}: {row:?}");
    }
}

#[test]
fn bad_requests_fail_naming_the_series_and_the_range() {
    let root = common::repo().join("sample-data");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("x.npy");
    let fail = |args: &[&str]| {
        let run = lightbox(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&run.stderr).into_owned()
    };
    let e = fail(&mpr_args(&root, SERIES, "coronal", "256", &out, &[]));
    assert!(
        e.contains("0..=255") && e.contains(SERIES) && e.contains("sample-data"),
        "{e}"
    );
    let e = fail(&mpr_args(&root, SERIES, "axial", "32", &out, &[]));
    assert!(e.contains("32 slices") && e.contains("0..=31"), "{e}");
    let e = fail(&mpr_args(&root, "2.25.404", "axial", "0", &out, &[]));
    assert!(e.contains("2.25.404"), "{e}");
    let tif = dir.path().join("x.tif");
    let e = fail(&mpr_args(&root, SERIES, "axial", "0", &tif, &[]));
    assert!(e.contains(".npy or .png"), "{e}");

    // Mixed orientations: not a volume, named.
    let uid = "2.25.1703";
    series(
        dir.path(),
        uid,
        4,
        &[0.0, 1.0, 2.0],
        |_| vec![0; 16],
        |_| 0.0,
    );
    let odd = dir.path().join("IM0001.dcm");
    let mut obj = dicom_object::open_file(&odd).expect("reopen");
    obj.put(dicom_core::DataElement::new(
        dicom_dictionary_std::tags::IMAGE_ORIENTATION_PATIENT,
        dicom_core::VR::DS,
        dicom_core::PrimitiveValue::from("1\\0\\0\\0\\0\\-1"),
    ));
    obj.write_to_file(&odd).expect("rewrite");
    let e = fail(&mpr_args(dir.path(), uid, "axial", "0", &out, &[]));
    assert!(e.contains("is not a volume") && e.contains(uid), "{e}");
}
