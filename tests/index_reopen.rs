//! Reopening a release from the cache's snapshot at once (issue 17), then checking it:
//! the cached index equals a scan's, the check finds exactly the files that changed and
//! ends with a fresh scan's index, and a missing, old or corrupt cache falls back.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::*;
use lightbox::index::{Index, ScanOptions};

fn options(cache: &Path) -> ScanOptions {
    ScanOptions {
        no_cache: false,
        cache_path: Some(cache.to_path_buf()),
    }
}

/// A scan without any cache: the truth to compare with.
fn fresh(path: &Path) -> Index {
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    Index::open(path, &options, &|_| {}).expect("scan")
}

/// Asserts that two indexes hold the same release (everything but how much came from
/// the cache).
fn assert_same(a: &Index, b: &Index) {
    assert_eq!(a.root, b.root);
    assert_eq!(a.scan_dir, b.scan_dir);
    assert_eq!(a.layout, b.layout);
    assert_eq!(a.files_scanned, b.files_scanned);
    assert_eq!(a.counts(), b.counts());
    assert_eq!(a.problems, b.problems);
    assert_eq!(a.skipped, b.skipped);
    let tree = |i: &Index| serde_json::to_value(&i.patients).expect("tree as JSON");
    assert!(tree(a) == tree(b), "the trees differ");
}

/// A 3-study release of 4-slice series written by `synth` under `dir`.
fn small_release(dir: &Path) -> PathBuf {
    let release = dir.join("rel");
    let options = lightbox::synth::SynthOptions {
        scale: Some((3, 4, 16)),
        seed: 3,
    };
    lightbox::synth::write_release(&release, &options).expect("synth");
    release
}

#[test]
fn the_cached_index_of_an_unchanged_release_equals_a_scan() {
    let (tmp, release) = sample_copy();
    let cache = tmp.path().join("cache.sqlite");
    // Nothing cached yet: no instant index, so the viewer scans.
    assert!(
        Index::open_cached(&release, &options(&cache))
            .unwrap()
            .is_none()
    );
    let first = Index::open(&release, &options(&cache), &|_| {}).unwrap();
    assert_eq!(first.files_from_cache, 0);

    let cached = Index::open_cached(&release, &options(&cache))
        .unwrap()
        .expect("a snapshot after the first scan");
    assert_same(&cached.index, &first);
    assert_same(&cached.index, &fresh(&release));
    assert!(!cached.index.problems.is_empty() && !cached.index.skipped.is_empty());
    assert_eq!(cached.index.files_from_cache, cached.index.files_scanned);
    assert_eq!(cached.check.files(), first.files_scanned);

    let checked = cached.check.run(&|_| {}).unwrap();
    assert!(checked.changes.is_empty(), "{:?}", checked.changes);
    assert!(
        checked.index.is_none(),
        "nothing changed: the cached index stands"
    );
    // `no_cache` never reads it.
    let no_cache = ScanOptions {
        no_cache: true,
        cache_path: Some(cache.clone()),
    };
    assert!(Index::open_cached(&release, &no_cache).unwrap().is_none());
}

#[test]
fn the_check_finds_exactly_the_changed_files_and_ends_with_a_scans_index() {
    let tmp = tempfile::tempdir().unwrap();
    let release = small_release(tmp.path());
    let cache = tmp.path().join("cache.sqlite");
    let first = Index::open(&release, &options(&cache), &|_| {}).unwrap();
    let files: Vec<PathBuf> = first.instances().map(|i| i.path.clone()).collect();
    assert_eq!(files.len(), 12);

    // Content changed (size), touched only (mtime), deleted, added.
    let grown = files[0].clone();
    let mut bytes = std::fs::read(&grown).unwrap();
    bytes.extend_from_slice(&[0, 0]);
    std::fs::write(&grown, bytes).unwrap();
    let touched = files[5].clone();
    let later = SystemTime::now() + Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&touched)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let deleted = files[7].clone();
    std::fs::remove_file(&deleted).unwrap();
    let added = deleted.with_file_name("notes.txt");
    std::fs::write(&added, "not DICOM").unwrap();

    let cached = Index::open_cached(&release, &options(&cache))
        .unwrap()
        .expect("cached");
    // The instant index is the release as last scanned.
    assert_same(&cached.index, &first);
    let checked = cached.check.run(&|_| {}).unwrap();
    let mut changed = vec![grown, touched];
    changed.sort();
    assert_eq!(checked.changes.changed, changed);
    assert_eq!(checked.changes.removed, vec![deleted]);
    assert_eq!(checked.changes.added, vec![added]);
    assert!(!checked.changes.problems_changed);
    assert_eq!(checked.changes.files(), 4);
    let updated = checked.index.expect("an updated index");
    assert_eq!(
        updated.files_from_cache,
        updated.files_scanned - 3,
        "only the changed and added files are reread"
    );
    assert_same(&updated, &fresh(&release));
    assert_eq!(updated.counts().instances, 11);

    // The cache now holds the updated release: the next reopen shows it, unchanged.
    let again = Index::open_cached(&release, &options(&cache))
        .unwrap()
        .expect("cached");
    assert_same(&again.index, &updated);
    assert!(again.check.run(&|_| {}).unwrap().changes.is_empty());
    // And a plain open (the CLI's) rereads nothing.
    let reopened = Index::open(&release, &options(&cache), &|_| {}).unwrap();
    assert_eq!(reopened.files_from_cache, reopened.files_scanned);
}

#[test]
fn the_check_reports_progress_up_to_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let release = small_release(tmp.path());
    let cache = tmp.path().join("cache.sqlite");
    let first = Index::open(&release, &options(&cache), &|_| {}).unwrap();
    let cached = Index::open_cached(&release, &options(&cache))
        .unwrap()
        .expect("cached");
    // Folders are stat-ed in parallel: the calls may come out of order.
    let most = std::sync::Mutex::new((0, 0));
    cached
        .check
        .run(&|p| {
            let mut m = most.lock().unwrap();
            *m = (m.0.max(p.done), m.1.max(p.total));
        })
        .unwrap();
    let n = first.files_scanned;
    assert_eq!(*most.lock().unwrap(), (n, n));
}

#[test]
fn a_corrupt_or_old_cache_falls_back_to_a_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let release = small_release(tmp.path());
    let truth = fresh(&release);

    // Not a database at all.
    let corrupt = tmp.path().join("corrupt.sqlite");
    std::fs::write(&corrupt, vec![0x5a; 8192]).unwrap();
    assert!(
        Index::open_cached(&release, &options(&corrupt))
            .unwrap()
            .is_none()
    );
    let scanned = Index::open(&release, &options(&corrupt), &|_| {}).unwrap();
    assert!(scanned.cache_warning.is_some());
    assert_same(&scanned, &truth);

    // A snapshot that does not decode.
    let cache = tmp.path().join("cache.sqlite");
    Index::open(&release, &options(&cache), &|_| {}).unwrap();
    let db = rusqlite::Connection::open(&cache).unwrap();
    db.execute("UPDATE snapshot SET tree = x'ff00ff'", [])
        .unwrap();
    assert!(
        Index::open_cached(&release, &options(&cache))
            .unwrap()
            .is_none()
    );
    // The rows still serve a plain open, which writes a good snapshot again.
    let reopened = Index::open(&release, &options(&cache), &|_| {}).unwrap();
    assert_eq!(reopened.files_from_cache, reopened.files_scanned);
    assert_same(&reopened, &truth);
    let cached = Index::open_cached(&release, &options(&cache))
        .unwrap()
        .expect("snapshot rewritten");
    assert_same(&cached.index, &truth);

    // A files part that does not decode: the check rereads every file, and
    // the cache is whole again.
    db.execute("UPDATE snapshot SET files = x'ff00ff'", [])
        .unwrap();
    let cached = Index::open_cached(&release, &options(&cache))
        .unwrap()
        .expect("the tree still decodes");
    let checked = cached.check.run(&|_| {}).unwrap();
    assert_eq!(checked.changes.added.len(), truth.files_scanned);
    assert_same(&checked.index.expect("rescanned"), &truth);
    let again = Index::open_cached(&release, &options(&cache))
        .unwrap()
        .expect("rewritten");
    assert!(again.check.run(&|_| {}).unwrap().changes.is_empty());

    // A cache of the previous version: rows only, no snapshot table.
    db.execute("DROP TABLE snapshot", []).unwrap();
    drop(db);
    assert!(
        Index::open_cached(&release, &options(&cache))
            .unwrap()
            .is_none()
    );
    let reopened = Index::open(&release, &options(&cache), &|_| {}).unwrap();
    assert_eq!(reopened.files_from_cache, reopened.files_scanned);
    assert!(
        Index::open_cached(&release, &options(&cache))
            .unwrap()
            .is_some()
    );

    // Not a folder: an error, as for a scan.
    assert!(Index::open_cached(&tmp.path().join("gone"), &options(&cache)).is_err());
}

#[test]
fn a_dicomdir_release_reopens_with_its_notes_and_problems() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("media");
    let folder = dir.join("DICOM/ST1/SE1");
    std::fs::create_dir_all(&folder).unwrap();
    let mut files = Vec::new();
    for i in 1..=4 {
        let file = folder.join(format!("IM{i}"));
        std::fs::copy(
            sample_images().join(format!("ST0006/SE0002/IM{i:04}.dcm")),
            &file,
        )
        .unwrap();
        files.push(file);
    }
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
            s(&dir),
            "+D",
            s(&dir.join("DICOMDIR")),
        ],
    );
    // Listed, then deleted: a problem the DICOMDIR gives, not a file's outcome.
    std::fs::remove_file(&files[1]).unwrap();
    let cache = tmp.path().join("cache.sqlite");
    let first = Index::open(&dir, &options(&cache), &|_| {}).unwrap();
    assert!(!first.problems.is_empty(), "the missing file is a problem");
    let cached = Index::open_cached(&dir, &options(&cache))
        .unwrap()
        .expect("cached");
    assert_same(&cached.index, &first);
    assert!(cached.check.run(&|_| {}).unwrap().changes.is_empty());
}
