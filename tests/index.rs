//! The index of the sample release: counts, order, problems, layouts, cache.

mod common;

use std::path::Path;

use common::*;
use lightbox::index::{Index, ScanOptions};
use lightbox::release::ReleaseLayout;

/// Scans `path` with a private cache file.
fn scan(path: &Path, cache: &Path) -> Index {
    let options = ScanOptions {
        no_cache: false,
        cache_path: Some(cache.to_path_buf()),
    };
    Index::open(path, &options, &|_| {}).expect("scan")
}

#[test]
fn sample_release_counts_problems_and_skips() {
    let tmp = tempfile::tempdir().unwrap();
    let index = scan(&repo().join("sample-data"), &tmp.path().join("c.sqlite"));
    assert_eq!(index.release_id(), Some("20210407_102537"));
    let c = index.counts();
    // 159 images + truncated IM0099.dcm + Thumbs.db + desktop.ini (the spec of `synth`).
    assert_eq!(c.files_scanned, 162);
    assert_eq!((c.studies, c.series, c.instances), (9, 11, 159));
    // 158 single-frame images + one 12-frame ultrasound clip.
    assert_eq!(c.frames, 158 + 12);
    assert_eq!(
        index.patients.len(),
        7,
        "8 patients, one of them only in the claims"
    );
    assert_eq!(index.problems.len(), 1);
    let p = &index.problems[0];
    assert!(p.path.ends_with("ST0009/SE0002/IM0099.dcm"), "{p:?}");
    assert!(p.error.contains("invalid DICOM"), "{}", p.error);
    let mut skipped: Vec<String> = index
        .skipped
        .iter()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    skipped.sort();
    assert_eq!(skipped, ["Thumbs.db", "desktop.ini"]);
    // Bare data set (no preamble, no meta) and files without extension are indexed.
    let cr = index
        .series()
        .find(|s| s.modality.as_deref() == Some("CR"))
        .unwrap();
    assert_eq!(cr.instances[0].transfer_syntax, "1.2.840.10008.1.2");
    let mr = index
        .series()
        .find(|s| s.description.as_deref() == Some("T1 AXIAL"))
        .unwrap();
    assert_eq!(mr.instances.len(), 16);
    assert!(mr.instances.iter().all(|i| !i.file_name.contains('.')));
}

#[test]
fn slices_follow_the_normal_and_the_scanner_numbering() {
    let tmp = tempfile::tempdir().unwrap();
    let index = scan(&sample_images(), &tmp.path().join("c.sqlite"));
    // The bone series is written with file names in reverse slice order.
    let bone = index
        .series()
        .find(|s| s.description.as_deref() == Some("CHEST 5mm BONE"))
        .unwrap();
    let numbers: Vec<i64> = bone.instances.iter().map(|i| i.number.unwrap()).collect();
    assert_eq!(numbers, (1..=16).collect::<Vec<_>>());
    assert_eq!(bone.instances[0].file_name, "IM0016.dcm");
    // Positions run head to foot (z falls by the 5 mm spacing).
    let z: Vec<f64> = bone
        .instances
        .iter()
        .map(|i| i.position_mm.unwrap()[2])
        .collect();
    assert!(
        z.windows(2).all(|w| (w[0] - w[1] - 5.0).abs() < 1e-6),
        "{z:?}"
    );
}

#[test]
fn position_order_wins_over_file_names_and_numbers() {
    use lightbox::index::tree::sort_instances;
    let tmp = tempfile::tempdir().unwrap();
    let index = scan(&sample_images(), &tmp.path().join("c.sqlite"));
    let series = index
        .series()
        .find(|s| s.description.as_deref() == Some("HEAD 5mm"))
        .unwrap();
    let mut shuffled = series.instances.clone();
    // Instance numbers removed and file order shuffled: positions alone decide.
    shuffled.reverse();
    shuffled.swap(2, 7);
    for i in &mut shuffled {
        i.number = None;
    }
    sort_instances(&mut shuffled);
    let z: Vec<f64> = shuffled.iter().map(|i| i.position_mm.unwrap()[2]).collect();
    assert!(
        z.windows(2).all(|w| w[0] < w[1]),
        "ascending along the normal without numbers: {z:?}"
    );
}

#[test]
fn layouts_root_release_folder_and_plain() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("c.sqlite");
    let root = scan(&repo().join("sample-data"), &c);
    assert!(matches!(root.layout, ReleaseLayout::Root { .. }));
    let rel = scan(&sample_images(), &c);
    assert!(matches!(rel.layout, ReleaseLayout::ReleaseFolder { .. }));
    let plain = scan(&sample_images().join("ST0001"), &c);
    assert_eq!(plain.layout, ReleaseLayout::Plain);
    assert_eq!(plain.release_id(), None);
    assert_eq!(plain.counts().series, 2);
}

#[test]
fn cache_reuses_unchanged_files_and_rescans_changed_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let release = tmp.path().join("rel");
    synth_release(&release, 3, 4, 32);
    let cache = tmp.path().join("cache.sqlite");
    let first = scan(&release, &cache);
    assert_eq!(first.files_from_cache, 0);
    let second = scan(&release, &cache);
    assert_eq!(
        second.files_from_cache, second.files_scanned,
        "nothing reparsed"
    );
    assert_eq!(second.counts(), first.counts());
    // Touch one file's content (size changes): only it is reparsed.
    let victim = second.instances().next().unwrap().path.clone();
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes.extend_from_slice(&[0, 0]);
    std::fs::write(&victim, bytes).unwrap();
    let third = scan(&release, &cache);
    assert_eq!(third.files_from_cache, third.files_scanned - 1);
    // --no-cache neither reads nor writes the cache.
    let unused = tmp.path().join("unused.sqlite");
    let options = ScanOptions {
        no_cache: true,
        cache_path: Some(unused.clone()),
    };
    let fresh = Index::open(&release, &options, &|_| {}).unwrap();
    assert_eq!(fresh.files_from_cache, 0);
    assert!(!unused.exists());
}

#[test]
fn index_json_has_the_documented_shape() {
    let out = lightbox_ok(&[
        "index",
        s(&repo().join("sample-data")),
        "--json",
        "--no-cache",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["release_id"], "20210407_102537");
    for key in [
        "files_scanned",
        "dicom_files",
        "studies",
        "series",
        "instances",
        "frames",
        "problems",
    ] {
        assert!(v["counts"][key].is_u64(), "counts.{key}");
    }
    let study = &v["studies"][0];
    for key in [
        "study_uid",
        "patient_id",
        "study_date",
        "modalities",
        "description",
        "series",
    ] {
        assert!(!study[key].is_null(), "studies[0].{key}");
    }
    let inst = &study["series"][0]["instances"][0];
    for key in [
        "path",
        "file_name",
        "sop_uid",
        "number",
        "frames",
        "rows",
        "cols",
        "transfer_syntax",
    ] {
        assert!(!inst[key].is_null(), "instances[0].{key}");
    }
    assert_eq!(
        v["problems"][0]["path"]
            .as_str()
            .map(|p| p.ends_with("IM0099.dcm")),
        Some(true)
    );
    assert!(out.stderr.is_empty(), "--json is silent on stderr");
}

#[test]
fn dicomdir_is_recognised_and_not_indexed_as_an_image() {
    let tmp = tempfile::tempdir().unwrap();
    let media = tmp.path().join("media");
    std::fs::create_dir_all(media.join("SE1")).unwrap();
    std::fs::copy(
        sample_images().join("ST0001/SE0002/IM0001.dcm"),
        media.join("SE1/IM0001"),
    )
    .unwrap();
    let out = std::process::Command::new("dcmmkdir")
        .current_dir(&media)
        .args(["--recurse", "+I", "SE1"])
        .output()
        .expect("dcmmkdir (dcmtk) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = scan(&media, &tmp.path().join("c.sqlite"));
    assert_eq!(index.counts().instances, 1);
    assert!(index.problems.is_empty(), "{:?}", index.problems);
    assert_eq!(index.skipped.len(), 1);
    assert!(index.skipped[0].path.ends_with("DICOMDIR"));
    assert!(index.skipped[0].reason.contains("DICOMDIR"));
}

#[test]
fn streaming_scan_hands_out_growing_partial_trees() {
    let tmp = tempfile::tempdir().unwrap();
    let release = tmp.path().join("rel");
    // 3 × 400 = 1,200 files: one partial tree after the first 1,024.
    synth_release(&release, 3, 400, 16);
    let partials = std::sync::Mutex::new(Vec::new());
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    let record = |i: Index| partials.lock().unwrap().push(i.counts().instances);
    let full = Index::open_streaming(&release, &options, &|_| {}, Some(&record)).unwrap();
    let partials = partials.into_inner().unwrap();
    assert_eq!(
        partials,
        vec![1024],
        "one partial index of the first 1,024 files"
    );
    assert_eq!(full.counts().instances, 1200);
    assert_eq!(
        full.counts(),
        Index::open(&release, &options, &|_| {}).unwrap().counts()
    );
}

/// Names that differ only by case (a file, and a folder) are problems naming both
/// paths: on Windows only one of each pair could exist. Both files stay indexed.
#[test]
fn names_that_differ_only_by_case_are_problems() {
    let tmp = tempfile::tempdir().unwrap();
    let src = sample_images().join("ST0001/SE0002");
    let root = tmp.path().join("release");
    for (from, to) in [
        ("IM0001.dcm", "A/IM1.dcm"),
        ("IM0002.dcm", "A/im1.DCM"),
        ("IM0003.dcm", "SE1/x.dcm"),
        ("IM0004.dcm", "se1/y.dcm"),
    ] {
        let dst = root.join(to);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(src.join(from), &dst).unwrap();
    }
    let index = scan(&root, &tmp.path().join("c.sqlite"));
    assert_eq!(index.counts().instances, 4, "not merged");
    let mut problems: Vec<(String, String)> = index
        .problems
        .iter()
        .map(|p| (p.path.display().to_string(), p.error.clone()))
        .collect();
    problems.sort();
    assert_eq!(problems.len(), 2, "{problems:?}");
    let root_s = std::path::absolute(&root).unwrap();
    assert_eq!(
        problems[0].0,
        root_s.join("A/im1.DCM").display().to_string()
    );
    assert!(
        problems[0]
            .1
            .contains(&root_s.join("A/IM1.dcm").display().to_string()),
        "{problems:?}"
    );
    assert_eq!(problems[1].0, root_s.join("se1").display().to_string());
    assert!(
        problems[1]
            .1
            .contains(&root_s.join("SE1").display().to_string()),
        "{problems:?}"
    );
}
