//! `lightbox annotations import|export`, black box, on a copy of the sample release:
//! the shipped example goes into the project store and comes back out unchanged; a
//! second import changes nothing; a second annotator's file is kept apart; every
//! format writes its files; the release itself is never written to.

mod common;

use std::path::Path;

use common::{lightbox, lightbox_ok, repo, s};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The shapes of one of our JSON files, without the derived fields (patient points
/// and measurements are recomputed on export).
fn shapes_of(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("exported JSON");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for shape in doc["shapes"].as_array_mut().expect("shapes") {
        let shape = shape.as_object_mut().expect("object");
        shape.remove("points_patient_mm");
        shape.remove("measurements");
    }
    doc["shapes"].take()
}

#[test]
fn import_export_round_trip_merge_and_every_format() {
    let (_dir, root) = common::sample_copy();
    let example = repo().join("sample-data/annotations/example.json");
    let out = tempfile::tempdir().expect("temp dir");
    let store = out.path().join("review.lightbox.sqlite");
    let (root_s, store_s) = (s(&root), s(&store));
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = walkdir::WalkDir::new(root.join("IMAGE"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();

    let first = lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&example),
        "--store",
        store_s,
    ]);
    assert!(
        stdout(&first).contains("10 added, 0 updated, 0 unchanged"),
        "{}",
        stdout(&first)
    );
    let again = lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&example),
        "--store",
        store_s,
    ]);
    assert!(
        stdout(&again).contains("0 added, 0 updated, 10 unchanged"),
        "{}",
        stdout(&again)
    );

    // Export, import into a fresh store, export again: the same shapes, the same bytes.
    let json1 = out.path().join("json1");
    lightbox_ok(&[
        "annotations",
        "export",
        root_s,
        "--store",
        store_s,
        "--format",
        "lightbox",
        "--out",
        s(&json1),
    ]);
    let file1 = json1.join("20210407_102537.annotations.json");
    assert_eq!(shapes_of(&file1), shapes_of(&example));
    let text1 = std::fs::read_to_string(&file1).expect("export");
    assert!(
        text1.contains("\"stats\": {"),
        "pixel statistics are exported"
    );
    let store2 = out.path().join("second.lightbox.sqlite");
    lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&file1),
        "--store",
        s(&store2),
    ]);
    let json2 = out.path().join("json2");
    lightbox_ok(&[
        "annotations",
        "export",
        root_s,
        "--store",
        s(&store2),
        "--format",
        "lightbox",
        "--out",
        s(&json2),
    ]);
    let text2 =
        std::fs::read_to_string(json2.join("20210407_102537.annotations.json")).expect("export");
    assert_eq!(text1, text2, "export → import → export is the identity");

    // A second annotator's file with an id already taken: kept apart, not overwritten.
    let mut other: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&example).expect("example")).expect("JSON");
    let shape = &mut other["shapes"][0];
    shape["annotator"] = "dr.second".into();
    shape["note"] = "second read".into();
    other["shapes"] = serde_json::Value::Array(vec![shape.clone()]);
    let other_path = out.path().join("second-reader.json");
    std::fs::write(
        &other_path,
        serde_json::to_string_pretty(&other).expect("JSON"),
    )
    .expect("write");
    let merged = lightbox_ok(&[
        "annotations",
        "import",
        root_s,
        s(&other_path),
        "--store",
        store_s,
    ]);
    assert!(
        stdout(&merged).contains("1 kept apart under new ids"),
        "{}",
        stdout(&merged)
    );
    let json3 = out.path().join("json3");
    lightbox_ok(&[
        "annotations",
        "export",
        root_s,
        "--store",
        store_s,
        "--out",
        s(&json3),
    ]);
    let shapes3 = shapes_of(&json3.join("20210407_102537.annotations.json"));
    let shapes3 = shapes3.as_array().expect("shapes");
    assert_eq!(shapes3.len(), 11);
    assert!(
        shapes3
            .iter()
            .any(|s| s["annotator"] == "dr.second" && s["note"] == "second read")
    );

    // Every other format writes files.
    for (format, suffix) in [
        ("coco", ".coco.json"),
        ("labelme", ".json"),
        ("masks", ".png"),
    ] {
        let dir = out.path().join(format);
        let o = lightbox_ok(&[
            "annotations",
            "export",
            root_s,
            "--store",
            store_s,
            "--format",
            format,
            "--out",
            s(&dir),
        ]);
        let files: Vec<_> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
            .collect();
        assert!(!files.is_empty(), "{format}: {}", stdout(&o));
    }

    // A file that is not ours is refused with its path, and nothing is imported.
    let bad = out.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": \"something-else\"}").expect("write");
    let refused = lightbox(&["annotations", "import", root_s, s(&bad), "--store", store_s]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("bad.json"), "{err}");

    for (path, bytes) in before {
        assert_eq!(
            std::fs::read(&path).expect("read"),
            bytes,
            "{} unchanged",
            path.display()
        );
    }
}
