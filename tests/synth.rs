//! `lightbox synth` reproduces the committed sample release byte for byte.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// Every file of the release under `dir` (relative path → bytes), `.gitkeep` aside, and
/// without what reviewing it writes beside it (`lightbox/` project stores, `TAKEOUT/`
/// lists), which a developer running the viewer on `sample-data/` leaves there, and the
/// committed example annotations (`annotations/`, kept by `tests/annotation_formats.rs`).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| {
            e.depth() != 1
                || !["lightbox", "TAKEOUT", "annotations"]
                    .contains(&e.file_name().to_string_lossy().as_ref())
        })
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file() && e.file_name() != ".gitkeep")
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The rows of the claims table of a SQLite file.
fn sqlite_rows(path: &Path) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("SELECT * FROM ADHOC_DATA").unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, String>(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn regenerated_sample_equals_the_committed_one() {
    let tmp = tempfile::tempdir().unwrap();
    lightbox_ok(&["synth", "--out", s(tmp.path())]);
    let committed = files(&repo().join("sample-data"));
    let fresh = files(tmp.path());
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>(),
        "same file list"
    );
    for (name, bytes) in &committed {
        if name.ends_with(".sqlite") {
            // SQLite pages may differ across library versions: compare the rows.
            assert_eq!(
                sqlite_rows(&repo().join("sample-data").join(name)),
                sqlite_rows(&tmp.path().join(name))
            );
        } else {
            assert!(
                bytes == &fresh[name],
                "{name} differs: run `lightbox synth --out sample-data` and commit"
            );
        }
    }
    assert!(tmp.path().join("TAKEOUT").is_dir());
}

#[test]
fn claims_csv_and_sqlite_hold_the_same_rows() {
    let data = repo().join("sample-data/DATA");
    let csv = std::fs::read_to_string(data.join("ADHOC_20210407_102537.csv")).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header.first(), Some(&"HOSP_ID"));
    assert_eq!(header.last(), Some(&"SeriesInstanceId"));
    let rows: Vec<Vec<String>> = lines[1..]
        .iter()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    assert_eq!(
        rows,
        sqlite_rows(&data.join("ADHOC_20210407_102537.sqlite"))
    );
    // One row per series with claims (10 of 11) plus the row whose study has no images.
    assert_eq!(rows.len(), 11);
}

#[test]
fn scale_mode_writes_n_studies_of_m_slices() {
    let tmp = tempfile::tempdir().unwrap();
    synth_release(tmp.path(), 2, 3, 64);
    let out = lightbox_ok(&["index", s(tmp.path()), "--json", "--no-cache"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["counts"]["studies"], 2);
    assert_eq!(v["counts"]["instances"], 6);
    assert_eq!(v["studies"][0]["series"][0]["instances"][0]["rows"], 64);
}
