//! DICOMDIR media (issue 16): a folder holding a DICOMDIR (made by dcmtk's
//! `dcmmkdir`, 8.3 upper-case names without extension) is indexed exactly as a plain
//! walk of the same files, and every disagreement between the DICOMDIR and the
//! files is reported: listed but missing, on disk but unlisted, another SOP Instance
//! UID, a DICOMDIR that cannot be read.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use lightbox::index::{Index, Instance, ScanOptions};

/// Scans `path` without the cache.
fn scan(path: &Path) -> Index {
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    Index::open(path, &options, &|_| {}).expect("scan")
}

/// The instances of an index, in tree order.
fn instances(index: &Index) -> Vec<Instance> {
    index.instances().cloned().collect()
}

/// Seven sample images from two studies copied under `dir` as media files
/// (`DICOM/ST1/SE1/IM1`…, no extension), then a DICOMDIR written by `dcmmkdir`.
/// Returns the media files.
fn media(dir: &Path) -> Vec<PathBuf> {
    let picks = [
        ("ST0006/SE0002", "ST1/SE1", 4),
        ("ST0001/SE0002", "ST2/SE1", 3),
    ];
    let mut files = Vec::new();
    for (from, to, n) in picks {
        let folder = dir.join("DICOM").join(to);
        std::fs::create_dir_all(&folder).unwrap();
        for i in 1..=n {
            let file = folder.join(format!("IM{i}"));
            std::fs::copy(
                sample_images().join(from).join(format!("IM{i:04}.dcm")),
                &file,
            )
            .unwrap();
            files.push(file);
        }
    }
    make_dicomdir(dir);
    files
}

/// (Re)writes `dir/DICOMDIR` listing every file below `dir`.
fn make_dicomdir(dir: &Path) {
    let _ = std::fs::remove_file(dir.join("DICOMDIR"));
    let out = dir.join("DICOMDIR");
    tool(
        "dcmmkdir",
        &[
            "-q",
            "+r",
            "+I",
            "-Nxc",
            "-Nec",
            "-Nrc",
            "+id",
            s(dir),
            "+D",
            s(&out),
        ],
    );
}

/// `lightbox index PATH --json --no-cache`.
fn index_json(path: &Path) -> serde_json::Value {
    let out = lightbox_ok(&["index", s(path), "--json", "--no-cache"]);
    serde_json::from_slice(&out.stdout).expect("index --json is JSON")
}

#[test]
fn the_dicomdir_index_equals_the_plain_walk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("media");
    let files = media(&dir);
    let with = scan(&dir);
    assert!(with.problems.is_empty(), "{:?}", with.problems);
    assert!(with.warnings().is_empty(), "{:?}", with.warnings());
    let c = with.counts();
    assert_eq!((c.studies, c.series, c.instances), (2, 2, 7));
    assert_eq!(c.files_scanned, 8, "seven images and the DICOMDIR");
    assert_eq!(with.skipped.len(), 1, "{:?}", with.skipped);
    assert_eq!(with.skipped[0].path, dir.join("DICOMDIR"));
    assert!(
        with.skipped[0].reason.contains("DICOMDIR listing 7 files"),
        "{}",
        with.skipped[0].reason
    );
    let mut indexed: Vec<PathBuf> = with.instances().map(|i| i.path.clone()).collect();
    indexed.sort();
    let mut expected = files.clone();
    expected.sort();
    assert_eq!(indexed, expected);

    let json = index_json(&dir);
    assert_eq!(json["problems"], serde_json::json!([]));
    assert_eq!(json["warnings"], serde_json::json!([]));
    assert_eq!(json["counts"]["instances"], 7);

    std::fs::remove_file(dir.join("DICOMDIR")).unwrap();
    let plain = scan(&dir);
    assert_eq!(instances(&with), instances(&plain));
    assert_eq!(
        (with.patients.len(), with.counts().problems),
        (plain.patients.len(), plain.counts().problems)
    );
}

#[test]
fn lower_case_copies_of_upper_case_media_are_matched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("media");
    media(&dir);
    // A copy that came out lower case (the DICOMDIR still says DICOM\ST1\SE1\IM1).
    let lower = tmp.path().join("lower");
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&dir).unwrap();
        let rel = PathBuf::from(rel.to_string_lossy().to_lowercase());
        let to = lower.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    assert!(lower.join("dicomdir").is_file());
    let index = scan(&lower);
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert!(index.warnings().is_empty(), "{:?}", index.warnings());
    assert_eq!(index.counts().instances, 7);
    assert!(index.skipped[0].reason.contains("listing 7 files"));
}

#[test]
fn missing_unlisted_and_mismatched_files_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("media");
    let files = media(&dir);
    // Listed, then deleted.
    std::fs::remove_file(&files[1]).unwrap();
    // On disk, not listed: still indexed.
    let extra = dir.join("DICOM/ST1/SE1/IM9");
    std::fs::copy(sample_images().join("ST0006/SE0002/IM0009.dcm"), &extra).unwrap();
    // Listed as one image, holding another (its SOP Instance UID differs).
    std::fs::copy(sample_images().join("ST0001/SE0002/IM0005.dcm"), &files[4]).unwrap();

    let index = scan(&dir);
    assert_eq!(index.problems.len(), 1, "{:?}", index.problems);
    let missing = &index.problems[0];
    assert_eq!(missing.path, files[1]);
    assert!(
        missing.error.contains("listed in the DICOMDIR") && missing.error.contains("missing"),
        "{}",
        missing.error
    );
    let warnings = index.warnings();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    let unlisted = warnings
        .iter()
        .find(|w| w.path == extra)
        .expect("IM9 noted");
    assert!(
        unlisted.error.contains("not listed in the DICOMDIR"),
        "{}",
        unlisted.error
    );
    assert!(index.instances().any(|i| i.path == extra), "IM9 indexed");
    let other = warnings
        .iter()
        .find(|w| w.path == files[4])
        .expect("the swapped file noted");
    assert!(
        other.error.contains("lists SOP Instance UID"),
        "{}",
        other.error
    );
    assert_eq!(index.counts().instances, 7, "6 listed ones left + IM9");

    // The same through the CLI.
    let json = index_json(&dir);
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("DICOM/ST1/SE1/IM2")
    );
    let warnings = json["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w["path"].as_str().unwrap().ends_with("IM9")
                && w["error"]
                    .as_str()
                    .unwrap()
                    .contains("not listed in the DICOMDIR")),
        "{warnings:?}"
    );
}

#[test]
fn a_truncated_dicomdir_is_named_and_the_folder_walked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("media");
    media(&dir);
    let dicomdir = dir.join("DICOMDIR");
    let bytes = std::fs::read(&dicomdir).unwrap();
    let with = scan(&dir);

    std::fs::write(&dicomdir, &bytes[..bytes.len() / 2]).unwrap();
    let index = scan(&dir);
    assert_eq!(index.problems.len(), 1, "{:?}", index.problems);
    let p = &index.problems[0];
    assert_eq!(p.path, dicomdir);
    assert!(
        p.error.contains("cannot read DICOMDIR") && p.error.contains("walked instead"),
        "{}",
        p.error
    );
    assert!(index.warnings().is_empty(), "{:?}", index.warnings());
    assert_eq!(instances(&index), instances(&with));

    // Not DICOM at all: the same.
    std::fs::write(&dicomdir, b"garbage").unwrap();
    let index = scan(&dir);
    assert_eq!(index.problems.len(), 1, "{:?}", index.problems);
    assert!(index.problems[0].error.contains("DICOMDIR"));
    assert_eq!(instances(&index), instances(&with));
}

#[test]
fn a_dicomdir_at_the_release_root_finds_listed_files_outside_the_image_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("rel");
    media(&root);
    // The first image record is moved into IMAGE/<release>/ (its record edited,
    // which also leaves every record offset after it pointing nowhere);
    // the other six stay in DICOM/, outside the folder a release root scans.
    let dump = tool("dcmdump", &["+P", "0004,1500", s(&root.join("DICOMDIR"))]);
    let dump = String::from_utf8_lossy(&dump.stdout);
    let first = dump
        .lines()
        .find_map(|l| Some(l.split_once('[')?.1.split_once(']')?.0.to_owned()))
        .expect("a Referenced File ID");
    let from = first.split('\\').fold(root.clone(), |p, c| p.join(c));
    let image = root.join("IMAGE/20210407_102537/X");
    std::fs::create_dir_all(&image).unwrap();
    std::fs::rename(&from, image.join("IM1")).unwrap();
    edit_first_file_id(&root.join("DICOMDIR"), r"IMAGE\20210407_102537\X\IM1");

    let index = scan(&root);
    assert_eq!(index.release_id(), Some("20210407_102537"));
    assert_eq!(index.scan_dir, root.join("IMAGE/20210407_102537"));
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert!(index.warnings().is_empty(), "{:?}", index.warnings());
    assert_eq!(
        index.counts().instances,
        7,
        "one walked, six from the DICOMDIR"
    );
    assert!(index.instances().any(|i| i.path == image.join("IM1")));
}

/// Rewrites the Referenced File ID of the first record that has one (dicom-object
/// rewrites the lengths, so every record offset after it points nowhere).
fn edit_first_file_id(dicomdir: &Path, id: &str) {
    use dicom_core::{DataElement, PrimitiveValue, VR, value::Value};
    use dicom_dictionary_std::tags;
    let mut obj = dicom_object::open_file(dicomdir).expect("DICOMDIR opens");
    let seq = obj
        .get(tags::DIRECTORY_RECORD_SEQUENCE)
        .expect("records")
        .clone();
    let mut items = seq.items().expect("a sequence").to_vec();
    let first = items
        .iter_mut()
        .find(|i| i.get(tags::REFERENCED_FILE_ID).is_some())
        .expect("a file record");
    first.put(DataElement::new(
        tags::REFERENCED_FILE_ID,
        VR::CS,
        PrimitiveValue::Strs(id.split('\\').map(str::to_owned).collect()),
    ));
    obj.put(DataElement::new(
        tags::DIRECTORY_RECORD_SEQUENCE,
        VR::SQ,
        Value::from(dicom_core::value::DataSetSequence::from(items)),
    ));
    obj.write_to_file(dicomdir).expect("DICOMDIR written");
}

#[test]
fn several_media_in_subfolders_are_each_checked_against_their_own_dicomdir() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("discs");
    let cd1 = media(&dir.join("CD1"));
    let cd2 = media(&dir.join("CD2"));
    // The same images on two discs are duplicates; make CD2 hold other instances.
    for (i, file) in cd2.iter().enumerate() {
        std::fs::copy(
            sample_images().join(format!("ST0002/SE0002/IM{:04}.dcm", i + 1)),
            file,
        )
        .unwrap();
    }
    make_dicomdir(&dir.join("CD2"));
    std::fs::remove_file(&cd1[0]).unwrap();
    let index = scan(&dir);
    // CD1's DICOMDIR names its missing file; CD2's files are all listed by its own.
    assert_eq!(index.problems.len(), 1, "{:?}", index.problems);
    assert_eq!(index.problems[0].path, cd1[0]);
    assert!(index.warnings().is_empty(), "{:?}", index.warnings());
    assert_eq!(index.counts().instances, 13);
    let mut reasons: Vec<&str> = index.skipped.iter().map(|k| k.reason.as_str()).collect();
    reasons.sort();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .all(|r| r.contains("DICOMDIR listing 7 files")),
        "{reasons:?}"
    );
}
