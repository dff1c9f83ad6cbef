//! The project store: round trips, the append-only audit log, release checks, schema
//! versions, where the file goes, "Save as", and that a whole review session leaves
//! the release's files exactly as they were.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use lightbox::index::{Index, ScanOptions};
use lightbox::pixel::DicomImage;
use lightbox::release::ReleaseLayout;
use lightbox::review::{Decision, DecisionRecord, ImageRef, Level, ReleaseImages, Target};
use lightbox::store::{
    self, Change, CommandKind, ImagesChanged, ProjectStore, StoreCommand, StoreError, StoreNotice,
};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

const RELEASE: &str = "20210407_102537";

/// Image `i` of a hand-made release: two studies, two series each, `i` in 0..n.
fn image(i: usize) -> ImageRef {
    ImageRef {
        study_uid: format!("1.2.826.1.{}", i % 2),
        series_uid: format!("1.2.826.1.{}.{}", i % 2, i % 4),
        sop_uid: format!("1.2.826.9.{i}"),
        file_name: format!("IM{i:04}.dcm"),
        bytes: 1000 + i as u64,
        modality: Some("CT".into()),
        body_part: None,
    }
}

fn release(id: &str, n: usize) -> ReleaseImages {
    ReleaseImages::new(Some(id.into()), (0..n).map(image).collect())
}

fn target(level: Level, uid: &str) -> Target {
    Target {
        level,
        uid: uid.into(),
    }
}

fn record(decision: Decision, reason: &str) -> DecisionRecord {
    DecisionRecord {
        decision,
        reason: reason.into(),
        reviewer: "ana".into(),
        time: "2026-11-21T09:30:00Z".into(),
    }
}

fn set(t: &Target, decision: Decision, reason: &str) -> Change {
    Change {
        target: t.clone(),
        new: Some(record(decision, reason)),
    }
}

fn open(path: &Path, images: &ReleaseImages, reviewer: &str) -> (ProjectStore, Vec<StoreNotice>) {
    ProjectStore::open_or_create(path, images, reviewer).expect("store opens")
}

/// (kind, label, level, uid, old, new, reason) of every audit entry.
type AuditLine = (
    CommandKind,
    String,
    Level,
    String,
    Option<Decision>,
    Option<Decision>,
    String,
);

fn audit_lines(store: &ProjectStore) -> Vec<AuditLine> {
    let all = store.audit(0, u64::MAX).expect("audit reads");
    all.into_iter()
        .map(|e| {
            (
                e.kind,
                e.label,
                e.target.level,
                e.target.uid,
                e.old,
                e.new,
                e.reason,
            )
        })
        .collect()
}

#[test]
fn decisions_and_audit_survive_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("r.lightbox.sqlite");
    let images = release(RELEASE, 8);
    let study = target(Level::Study, "1.2.826.1.0");
    let series = target(Level::Series, "1.2.826.1.1.1");
    let img = target(Level::Image, "1.2.826.9.5");
    {
        let (mut store, notices) = open(&path, &images, "ana");
        assert!(notices.is_empty(), "{notices:?}");
        store
            .apply(&StoreCommand::new(
                "keep study",
                vec![set(&study, Decision::Keep, "tumour")],
            ))
            .expect("apply");
        store
            .apply(&StoreCommand::new(
                "bulk",
                vec![
                    set(&series, Decision::Drop, "motion"),
                    set(&img, Decision::Undecided, ""),
                ],
            ))
            .expect("apply");
        store
            .apply(&StoreCommand::new(
                "clear study",
                vec![Change {
                    target: study.clone(),
                    new: None,
                }],
            ))
            .expect("apply");
        let empty = store
            .apply(&StoreCommand::new("nothing", vec![]))
            .expect("an empty command is a no-op");
        assert!(empty.changes.is_empty());
    }
    let (store, notices) = open(&path, &images, "ben");
    assert!(notices.is_empty(), "{notices:?}");
    let expected: BTreeMap<Target, DecisionRecord> = [
        (series.clone(), record(Decision::Drop, "motion")),
        (img.clone(), record(Decision::Undecided, "")),
    ]
    .into_iter()
    .collect();
    assert_eq!(store.decisions().expect("decisions"), expected);

    let s = |x: &str| x.to_owned();
    use Decision::*;
    assert_eq!(
        audit_lines(&store),
        vec![
            (
                CommandKind::Do,
                s("keep study"),
                Level::Study,
                s("1.2.826.1.0"),
                None,
                Some(Keep),
                s("tumour")
            ),
            (
                CommandKind::Do,
                s("bulk"),
                Level::Series,
                s("1.2.826.1.1.1"),
                None,
                Some(Drop),
                s("motion")
            ),
            (
                CommandKind::Do,
                s("bulk"),
                Level::Image,
                s("1.2.826.9.5"),
                None,
                Some(Undecided),
                s("")
            ),
            (
                CommandKind::Do,
                s("clear study"),
                Level::Study,
                s("1.2.826.1.0"),
                Some(Keep),
                None,
                s("")
            ),
        ]
    );
    let entries = store.audit(0, 10).expect("audit");
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    let commands: Vec<i64> = entries.iter().map(|e| e.command_id).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert_eq!(commands, [1, 2, 2, 3], "the empty command wrote nothing");
    for e in &entries {
        assert_eq!(e.reviewer, "ana");
        assert!(e.time.len() == 20 && e.time.ends_with('Z'), "{}", e.time);
    }
    assert_eq!(store.audit(2, 1).expect("page")[0].seq, 3);
    assert_eq!(store.audit_len().expect("len"), 4);
    assert_eq!(store.reviewers().expect("reviewers"), ["ana", "ben"]);
}

#[test]
fn undo_and_redo_are_commands_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("u.lightbox.sqlite");
    let (mut store, _) = open(&path, &release(RELEASE, 4), "ana");
    let series = target(Level::Series, "1.2.826.1.0.0");
    store
        .apply(&StoreCommand::new(
            "keep",
            vec![set(&series, Decision::Keep, "a")],
        ))
        .expect("apply");
    let before = store.decisions().expect("decisions");
    let undo = store
        .apply(&StoreCommand::new(
            "drop twice",
            vec![
                set(&series, Decision::Drop, "b"),
                set(&series, Decision::Drop, "c"),
            ],
        ))
        .expect("apply");
    let after = store.decisions().expect("decisions");
    let redo = store.apply(&undo).expect("undo");
    assert_eq!(store.decisions().expect("decisions"), before);
    store.apply(&redo).expect("redo");
    assert_eq!(store.decisions().expect("decisions"), after);
    let kinds: Vec<(CommandKind, String)> = audit_lines(&store)
        .into_iter()
        .map(|l| (l.0, l.1))
        .collect();
    let k = |kind, label: &str| (kind, label.to_owned());
    assert_eq!(
        kinds,
        [
            k(CommandKind::Do, "keep"),
            k(CommandKind::Do, "drop twice"),
            k(CommandKind::Do, "drop twice"),
            k(CommandKind::Undo, "drop twice"),
            k(CommandKind::Undo, "drop twice"),
            k(CommandKind::Redo, "drop twice"),
            k(CommandKind::Redo, "drop twice"),
        ]
    );
}

#[test]
fn audit_log_refuses_update_and_delete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("a.lightbox.sqlite");
    let (mut store, _) = open(&path, &release(RELEASE, 4), "ana");
    let t = target(Level::Image, "1.2.826.9.1");
    store
        .apply(&StoreCommand::new(
            "drop",
            vec![set(&t, Decision::Drop, "dup")],
        ))
        .expect("apply");
    let conn = Connection::open(&path).expect("second connection");
    for sql in [
        "UPDATE audit SET reason = 'forged'",
        "DELETE FROM audit",
        "UPDATE commands SET reviewer = 'mallory'",
        "DELETE FROM commands",
    ] {
        let err = conn.execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let lines = audit_lines(&store);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].6, "dup");
    assert_eq!(store.audit(0, 1).expect("audit")[0].reviewer, "ana");
}

#[test]
fn store_of_another_release_is_refused_with_both_ids() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("o.lightbox.sqlite");
    drop(open(&path, &release(RELEASE, 4), "ana"));
    let err = ProjectStore::open_or_create(&path, &release("20220101_000001", 4), "ana")
        .expect_err("another release");
    assert!(matches!(err, StoreError::OtherRelease { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot open the project store: it was made for release 20210407_102537, \
             this is release 20220101_000001: {}",
            path.display()
        )
    );
    let unnamed = ReleaseImages::new(None, (0..4).map(image).collect());
    let err = ProjectStore::open_or_create(&path, &unnamed, "ana").expect_err("no id");
    assert!(
        err.to_string()
            .contains("made for release 20210407_102537, this is a folder without a release id"),
        "{err}"
    );
}

#[test]
fn changed_images_are_counted_and_accepted_only_on_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("c.lightbox.sqlite");
    let original = release(RELEASE, 10);
    let t = target(Level::Image, "1.2.826.9.3");
    {
        let (mut store, _) = open(&path, &original, "ana");
        store
            .apply(&StoreCommand::new(
                "keep",
                vec![set(&t, Decision::Keep, "")],
            ))
            .expect("apply");
    }
    // Re-delivered: image 9 gone, 10 and 11 new, 2 re-encoded (size), 4 renamed.
    let mut images: Vec<ImageRef> = (0..12).filter(|&i| i != 9).map(image).collect();
    images[2].bytes += 1;
    images[4].file_name = "RENAMED.dcm".into();
    let redelivered = ReleaseImages::new(Some(RELEASE.into()), images);
    let expected = StoreNotice::ImagesChanged(ImagesChanged {
        added: 2,
        removed: 1,
        changed: 2,
    });
    let (store, notices) = open(&path, &redelivered, "ana");
    assert_eq!(notices, [expected]);
    drop(store);
    let (mut store, notices) = open(&path, &redelivered, "ana");
    assert_eq!(notices, [expected], "not accepted yet: still reported");
    store.accept_images(&redelivered).expect("accept");
    drop(store);
    let (store, notices) = open(&path, &redelivered, "ana");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(
        store.decisions().expect("decisions").len(),
        1,
        "decisions kept"
    );
    drop(store);
    let (_, notices) = open(&path, &original, "ana");
    assert_eq!(
        notices,
        [StoreNotice::ImagesChanged(ImagesChanged {
            added: 1,
            removed: 2,
            changed: 2
        })]
    );
}

#[test]
fn newer_schema_and_foreign_files_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("n.lightbox.sqlite");
    let images = release(RELEASE, 2);
    drop(open(&path, &images, "ana"));
    let supported = store::schema::current_version();
    let newer = supported + 1;
    Connection::open(&path)
        .and_then(|c| c.pragma_update(None, "user_version", newer))
        .expect("bump version");
    let err = ProjectStore::open_or_create(&path, &images, "ana").expect_err("newer");
    assert!(
        matches!(err, StoreError::NewerSchema { found, supported: s, .. } if found == newer && s == supported),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "cannot open the project store: it was written by a newer Lightbox (schema version \
             {newer}, this version reads up to {supported}); update Lightbox: {}",
            path.display()
        )
    );

    let foreign = dir.path().join("claims.sqlite");
    Connection::open(&foreign)
        .and_then(|c| c.execute_batch("CREATE TABLE claims (x)"))
        .expect("foreign db");
    let err = ProjectStore::open_or_create(&foreign, &images, "ana").expect_err("foreign");
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "x".repeat(4096)).expect("write");
    let err = ProjectStore::open_or_create(&text, &images, "ana").expect_err("not sqlite");
    assert!(
        err.to_string().ends_with(&format!(": {}", text.display())),
        "{err}"
    );
}

/// Restores a folder's permissions when the test ends, even on panic.
#[cfg(unix)]
struct RestoreMode<'a>(&'a Path);

#[cfg(unix)]
impl Drop for RestoreMode<'_> {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[cfg(unix)]
#[test]
fn read_only_release_folder_falls_back_to_the_data_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("nas");
    std::fs::create_dir_all(root.join("IMAGE").join(RELEASE)).expect("mkdir");
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let _restore = RestoreMode(&root);
    if std::fs::write(root.join("try"), b"x").is_ok() {
        eprintln!("skipped: this user can write a 0555 folder (root?), so nothing falls back");
        return;
    }
    let layout = ReleaseLayout::Root {
        release_id: RELEASE.into(),
        image_dir: root.join("IMAGE").join(RELEASE),
        data_dir: None,
    };
    let data = dir.path().join("data/projects");
    let location = store::choose(&root, &layout, &data);
    assert_eq!(location.path, data.join("20210407_102537.lightbox.sqlite"));
    let fallback = location.fallback.expect("fell back");
    assert_eq!(fallback.folder, root.join("lightbox"));
    let (mut store, _) = open(&location.path, &release(RELEASE, 2), "ana");
    let t = target(Level::Study, "1.2.826.1.0");
    store
        .apply(&StoreCommand::new(
            "keep",
            vec![set(&t, Decision::Keep, "")],
        ))
        .expect("apply");
    assert!(location.path.is_file());
    let in_root: Vec<_> = std::fs::read_dir(&root)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        in_root,
        ["IMAGE"],
        "nothing written into the read-only folder"
    );
}

/// The store file and its WAL companions that exist.
fn store_files(path: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", path.display())))
        .filter(|p| p.exists())
        .collect()
}

#[test]
fn save_as_moves_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("lightbox/r.lightbox.sqlite");
    let new = dir.path().join("elsewhere/deeper/r.lightbox.sqlite");
    let images = release(RELEASE, 4);
    let (mut store, _) = open(&old, &images, "ana");
    let a = target(Level::Image, "1.2.826.9.0");
    let b = target(Level::Image, "1.2.826.9.1");
    store
        .apply(&StoreCommand::new("a", vec![set(&a, Decision::Keep, "")]))
        .expect("apply");
    assert!(!store_files(&old).is_empty());

    let occupied = dir.path().join("occupied.sqlite");
    std::fs::write(&occupied, b"mine").expect("write");
    let err = store.save_as(&occupied).expect_err("refuses to overwrite");
    assert!(matches!(err, StoreError::TargetExists { .. }), "{err}");
    assert_eq!(std::fs::read(&occupied).expect("read"), b"mine");
    assert_eq!(store.path(), old);

    store.save_as(&new).expect("save as");
    assert_eq!(store.path(), new);
    assert_eq!(
        store_files(&old),
        Vec::<PathBuf>::new(),
        "old file and -wal/-shm removed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(new.parent().expect("parent"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    store
        .apply(&StoreCommand::new("b", vec![set(&b, Decision::Drop, "")]))
        .expect("apply after the move");
    drop(store);
    let (store, notices) = open(&new, &images, "ana");
    assert!(notices.is_empty(), "{notices:?}");
    let decided: Vec<Target> = store.decisions().expect("decisions").into_keys().collect();
    assert_eq!(decided, [a, b]);
    assert_eq!(store.audit_len().expect("len"), 2);
}

/// Content hash, size and mtime of every file under `dir`, and every folder (with `None`).
type Snapshot = BTreeMap<PathBuf, Option<(String, u64, SystemTime)>>;

fn snapshot(dir: &Path) -> Snapshot {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| {
            let e = e.expect("walk");
            let meta = e.metadata().expect("metadata");
            let fact = meta.is_file().then(|| {
                let bytes = std::fs::read(e.path()).expect("read");
                let hash: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                (hash, meta.len(), meta.modified().expect("mtime"))
            });
            (e.path().to_path_buf(), fact)
        })
        .collect()
}

#[test]
fn a_full_session_never_writes_the_release() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("nas");
    lightbox::synth::write_release(
        &root,
        &lightbox::synth::SynthOptions {
            scale: None,
            seed: 1,
        },
    )
    .expect("synth release");
    let image_dir = root.join("IMAGE");
    let data_dir = root.join("DATA");
    let (images_before, data_before) = (snapshot(&image_dir), snapshot(&data_dir));
    assert!(
        images_before.values().flatten().count() > 100,
        "the sample release is there"
    );

    let options = ScanOptions {
        no_cache: false,
        cache_path: Some(dir.path().join("cache/index.sqlite")),
    };
    let index = Index::open(&root, &options, &|_| {}).expect("index");
    let mut frames = 0;
    for instance in index.instances() {
        let image = DicomImage::open(&instance.path).expect("open for decoding");
        for frame in 0..instance.frames {
            image.decode_frame(frame).expect("decode");
            frames += 1;
        }
    }
    assert!(
        frames > index.instances().count(),
        "multi-frame images decoded too"
    );

    let location = store::choose(&index.root, &index.layout, &dir.path().join("data"));
    assert_eq!(
        location.path,
        root.join("lightbox/20210407_102537.lightbox.sqlite")
    );
    let images = ReleaseImages::from_index(&index);
    let (mut store, notices) = open(&location.path, &images, "ana");
    assert!(notices.is_empty(), "{notices:?}");
    let first = &images.images[0];
    let last = &images.images[images.images.len() - 1];
    let changes = vec![
        set(
            &target(Level::Study, &first.study_uid),
            Decision::Keep,
            "index case",
        ),
        set(
            &target(Level::Series, &last.series_uid),
            Decision::Drop,
            "scout",
        ),
        set(&target(Level::Image, &last.sop_uid), Decision::Keep, ""),
    ];
    let undo = store
        .apply(&StoreCommand::new("session", changes))
        .expect("apply");
    store.apply(&undo).expect("undo");
    drop(store);
    let (store, notices) = open(&location.path, &images, "ben");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(store.audit_len().expect("len"), 6);
    drop(store);
    // Rescanning (what the next session does) must not see the store either.
    let again = Index::open(&root, &options, &|_| {}).expect("rescan");
    assert_eq!(again.counts(), index.counts());

    assert_eq!(snapshot(&image_dir), images_before, "IMAGE/ untouched");
    assert_eq!(snapshot(&data_dir), data_before, "DATA/ untouched");
}
