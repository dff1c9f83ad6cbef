//! `lightbox annotations export --format dicom-seg`, black box, on a copy of the sample
//! release holding the example annotations: one Segmentation per annotated series,
//! which dicom3tools' `dciodvfy` finds no error in, and which highdicom reads back to
//! exactly our centre-rule masks (the union of each label's shapes on each frame),
//! with the label set's SNOMED codes where a label has them. `--format dicom-sr` writes
//! SRs that dciodvfy and dcmtk's dsrdump accept. Importing the SEGs back gives the same
//! masks, and a SEG written by highdicom imports to exactly the mask it holds.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{lightbox_ok, s};
use lightbox::annotate::raster::mask;
use serde_json::{Value, json};

/// dciodvfy's error lines for `file` (warnings are allowed).
fn dciodvfy_errors(file: &Path) -> Vec<String> {
    let out = common::python::run(
        std::process::Command::new("dciodvfy").arg(file),
        "dciodvfy",
        "install dicom3tools (Debian: apt-get install dicom3tools)",
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .filter(|l| l.starts_with("Error"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn segmentations_validate_and_read_back_as_our_masks() {
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let example = common::repo().join("sample-data/annotations/example.json");
    lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&example),
        "--store",
        store_s,
    ]);
    let seg_dir = out.path().join("seg");
    lightbox_ok(&[
        "annotations",
        "export",
        root_s,
        "--store",
        store_s,
        "--format",
        "dicom-seg",
        "--out",
        s(&seg_dir),
    ]);
    let files: Vec<PathBuf> = std::fs::read_dir(&seg_dir)
        .expect("the export folder")
        .map(|e| e.expect("entry").path())
        .collect();

    // The truth: the example's area shapes, rasterised by our centre rule and united
    // per series, label, image and frame.
    let index = lightbox::index::Index::open(&root, &Default::default(), &|_| {}).expect("scan");
    let size: BTreeMap<String, (u32, u32)> = index
        .instances()
        .map(|i| (i.sop_uid.clone(), (i.rows, i.cols)))
        .collect();
    let doc = common::example_annotations();
    let mut want: BTreeMap<(String, String, u32, String), BTreeSet<usize>> = BTreeMap::new();
    let mut series = BTreeSet::new();
    for shape in doc["shapes"].as_array().expect("shapes") {
        if !matches!(
            shape["kind"].as_str(),
            Some("polygon" | "freehand" | "rectangle" | "ellipse")
        ) {
            continue;
        }
        let sop = shape["sop_uid"].as_str().expect("sop").to_owned();
        let (rows, cols) = size[&sop];
        let ring: Vec<[f64; 2]> = serde_json::from_value(shape["points"].clone()).expect("points");
        let inside = mask(&ring, rows, cols);
        let key = (
            shape["series_uid"].as_str().expect("series").to_owned(),
            sop,
            shape["frame"].as_u64().expect("frame") as u32,
            shape["label"].as_str().expect("label").to_owned(),
        );
        series.insert(key.0.clone());
        want.entry(key).or_default().extend(
            inside
                .iter()
                .enumerate()
                .filter(|(_, v)| **v)
                .map(|(i, _)| i),
        );
    }
    let mut names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_owned()
        })
        .collect();
    names.sort();
    let mut expected: Vec<String> = series.iter().map(|s| format!("{s}.seg.dcm")).collect();
    expected.sort();
    assert_eq!(names, expected, "one SEG per annotated series");

    for f in &files {
        assert_eq!(
            dciodvfy_errors(f),
            Vec::<String>::new(),
            "dciodvfy on {}",
            f.display()
        );
    }

    let read = common::python::reference_json(
        "dicom",
        "dicom/check_seg.py",
        &json!({"files": files.iter().map(|f| s(f)).collect::<Vec<_>>()}),
    );
    let mut got: BTreeMap<(String, String, u32, String), BTreeSet<usize>> = BTreeMap::new();
    for (file, seg) in files.iter().zip(read.as_array().expect("one per file")) {
        let series_uid = file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".seg.dcm"))
            .expect("name")
            .to_owned();
        let labels: BTreeMap<u64, &Value> = seg["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .map(|s| (s["number"].as_u64().expect("number"), s))
            .collect();
        for segment in labels.values() {
            if segment["label"] == "nodule" {
                assert_eq!(segment["category"], json!(["SCT", "49755003"]));
                assert_eq!(segment["type"], json!(["SCT", "27925004"]));
            }
            assert_eq!(segment["algorithm"], "MANUAL");
        }
        for m in seg["masks"].as_array().expect("masks") {
            let label = labels[&m["segment"].as_u64().expect("segment")]["label"]
                .as_str()
                .expect("label")
                .to_owned();
            let key = (
                series_uid.clone(),
                m["sop_uid"].as_str().expect("sop").to_owned(),
                m["frame"].as_u64().expect("frame") as u32,
                label,
            );
            let pixels: BTreeSet<usize> = m["pixels"]
                .as_array()
                .expect("pixels")
                .iter()
                .map(|v| v.as_u64().expect("index") as usize)
                .collect();
            assert!(
                got.insert(key, pixels).is_none(),
                "one frame per segment and image"
            );
        }
    }
    assert_eq!(
        got.len(),
        want.len(),
        "frames only where a segment is present"
    );
    for (key, pixels) in &want {
        assert_eq!(
            got.get(key),
            Some(pixels),
            "{key:?}: highdicom's mask equals ours"
        );
    }
}

#[test]
fn a_segmentation_written_by_highdicom_imports_to_its_masks() {
    // highdicom writes a SEG of one chest CT slice: a disc and a bar of "lesion".
    let (_dir, root) = common::sample_copy();
    let out = tempfile::tempdir().expect("temp dir");
    let example = common::example_annotations();
    let nodule = example["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|sh| sh["file_name"] == "IM0014.dcm" && sh["kind"] == "ellipse")
        .expect("the nodule's slice");
    let source = common::dicom_file_with_sop(
        &root.join("IMAGE"),
        nodule["sop_uid"].as_str().expect("sop"),
    );
    let seg = out.path().join("highdicom.seg.dcm");
    let made = common::python::reference_json(
        "dicom",
        "dicom/make_seg.py",
        &json!({"source": s(&source), "out": s(&seg)}),
    );
    let want: BTreeSet<usize> = made["pixels"]
        .as_array()
        .expect("pixels")
        .iter()
        .map(|v| v.as_u64().expect("index") as usize)
        .collect();
    let store = out.path().join("review.lightbox.sqlite");
    lightbox_ok(&[
        "annotations",
        "import",
        s(&root),
        s(&seg),
        "--store",
        s(&store),
    ]);
    let doc = common::exported_annotations(s(&root), s(&store), &out.path().join("export"));
    let shapes = doc["shapes"].as_array().expect("shapes");
    assert_eq!(shapes.len(), 2, "the disc and the bar, apart");
    let mut got = BTreeSet::new();
    for shape in shapes {
        assert_eq!(shape["label"], "lesion");
        assert_eq!(shape["annotator"], "Independent Writer (DICOM SEG)");
        assert_eq!(shape["source"], "dicom-seg");
        let ring: Vec<[f64; 2]> = serde_json::from_value(shape["points"].clone()).expect("points");
        got.extend(
            mask(&ring, 256, 256)
                .iter()
                .enumerate()
                .filter(|(_, v)| **v)
                .map(|(i, _)| i),
        );
    }
    assert_eq!(
        got, want,
        "the imported outlines cover exactly highdicom's mask"
    );
    let labels = doc["labels"].as_array().expect("labels");
    let lesion = labels
        .iter()
        .find(|l| l["name"] == "lesion")
        .expect("the label added");
    assert_eq!(lesion["codes"]["type"]["value"], "52988006");
}
