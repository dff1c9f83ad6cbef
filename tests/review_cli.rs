//! Black-box tests of the review verbs: `decide`, `takeout`, `takeout --check`,
//! `decide --from`, on a fresh copy of the sample release.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{lightbox, lightbox_ok, s};

/// A fresh sample release (what `lightbox synth` writes) in a temp folder.
fn release() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("release");
    lightbox_ok(&["synth", "--out", s(&root)]);
    (dir, root)
}

/// A series: its UID and its images' SOP Instance UIDs.
type SeriesUids = (String, Vec<String>);

/// The release tree from `index --json`: studies → series → SOP UIDs.
fn tree(root: &Path) -> Vec<(String, Vec<SeriesUids>)> {
    let out = lightbox_ok(&["index", s(root), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("index json");
    json["studies"]
        .as_array()
        .expect("studies")
        .iter()
        .map(|st| {
            let series = st["series"]
                .as_array()
                .expect("series")
                .iter()
                .map(|se| {
                    let sops = se["instances"]
                        .as_array()
                        .expect("instances")
                        .iter()
                        .map(|i| i["sop_uid"].as_str().expect("sop").to_owned())
                        .collect();
                    (se["series_uid"].as_str().expect("uid").to_owned(), sops)
                })
                .collect();
            (st["study_uid"].as_str().expect("uid").to_owned(), series)
        })
        .collect()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().expect("metadata");
            (
                e.path().to_path_buf(),
                (
                    std::fs::read(e.path()).expect("read"),
                    meta.modified().expect("mtime"),
                ),
            )
        })
        .collect()
}

const LIST: &str = "TAKEOUT/2021010001_20210407_102537.csv";

#[test]
fn decide_takeout_check_and_import_round_trip_without_touching_the_images() {
    let (_dir, root) = release();
    let images_before = snapshot(&root.join("IMAGE"));
    let studies = tree(&root);
    // Study 0 whole; study 2's first series only (it has two); study 5 whole but one image.
    let (study0, _) = &studies[0];
    let (_, series2) = &studies[2];
    let (study5, series5) = &studies[5];
    let review_store = root.join("review.sqlite");
    let list_path = root.join(LIST);
    let fresh_store = root.join("fresh.sqlite");
    let store = ["--store", s(&review_store)];
    for (level, uid, decision) in [
        ("study", study0.as_str(), "keep"),
        ("series", series2[0].0.as_str(), "keep"),
        ("study", study5.as_str(), "keep"),
        ("image", series5[1].1[3].as_str(), "drop"),
    ] {
        let mut args = vec!["decide", s(&root), "--set", level, uid, decision];
        args.extend(store);
        lightbox_ok(&args);
    }

    // Undecided images are refused unless a policy says otherwise; nothing is written.
    let mut args = vec!["takeout", s(&root), "--project-code", "2021010001"];
    args.extend(store);
    let refused = lightbox(&args);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("undecided"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!root.join(LIST).exists());

    args.extend(["--undecided", "drop"]);
    let written = lightbox_ok(&args);
    let report = stdout(&written);
    // Rows: study 0 (1 row), study 2's first series (1 row), study 5's first series
    // (whole: 1 row) and 15 image rows for its second series (16 images, one dropped).
    assert!(
        report.contains("rows: 1 study, 2 series, 15 image"),
        "{report}"
    );
    let list = std::fs::read(root.join(LIST)).expect("list");
    let text = String::from_utf8(list.clone()).expect("ascii");
    assert!(text.starts_with("STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name\r\n"));
    assert_eq!(text.matches("\r\n").count(), 1 + 18);
    assert!(
        !text.contains(&series5[1].1[3]),
        "the dropped image has no row"
    );

    // Never overwritten silently.
    let again = lightbox(&args);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(std::fs::read(root.join(LIST)).expect("list"), list);

    // The list checks clean against the release.
    let check = lightbox_ok(&[
        "takeout",
        "--check",
        s(&root.join(LIST)),
        s(&root),
        "--project-code",
        "2021010001",
        "--store",
        s(&root.join("review.sqlite")),
    ]);
    assert!(stdout(&check).starts_with("ok:"), "{}", stdout(&check));

    // Importing the list into a fresh review and writing it again gives the same bytes.
    let fresh = ["--store", s(&fresh_store)];
    let mut import = vec!["decide", s(&root), "--from", s(&list_path)];
    import.extend(fresh);
    lightbox_ok(&import);
    let out2 = root.join("out2");
    let mut args2 = vec![
        "takeout",
        s(&root),
        "--project-code",
        "2021010001",
        "--out",
        s(&out2),
    ];
    args2.extend(fresh);
    lightbox_ok(&args2);
    assert_eq!(
        std::fs::read(out2.join("2021010001_20210407_102537.csv")).expect("list 2"),
        list
    );

    assert!(
        snapshot(&root.join("IMAGE")) == images_before,
        "the source DICOM files changed"
    );
}

#[test]
fn check_lists_each_bad_row_with_its_line() {
    let (_dir, root) = release();
    let studies = tree(&root);
    let bad = root.join("2021010001_20210407_102537.csv");
    std::fs::write(
        &bad,
        format!(
            "STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name\r\n{},,\r\n1.2.3.4,,\r\n{},{},NOPE.dcm\r\n",
            studies[0].0, studies[1].0, studies[1].1[0].0
        ),
    )
    .expect("write");
    let out = lightbox(&[
        "takeout",
        "--check",
        s(&bad),
        s(&root),
        "--store",
        s(&root.join("review.sqlite")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("line 3"), "{text}");
    assert!(text.contains("line 4"), "{text}");
    assert!(!text.contains("line 2:"), "{text}");
}
