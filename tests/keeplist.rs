//! The TAKEOUT keep-list end to end, through the library: rows for every level mix
//! against hand-written files, refusals that write nothing, the checker's findings on
//! a deliberately bad list, and decide → takeout → import as the identity.

use std::path::{Path, PathBuf};

use lightbox::index::{Index, ScanOptions};
use lightbox::review::decisions_csv::{import_decisions_csv, write_decisions_csv};
use lightbox::review::effective::Effective;
use lightbox::review::explicit::{Change, Decisions};
use lightbox::review::import::{ImportError, import_keep_list};
use lightbox::review::keeplist_check::check_keep_list;
use lightbox::review::takeout::{
    KeepListError, KeepListReport, Refusal, UndecidedPolicy, write_keep_list,
};
use lightbox::review::{Decision, ImageRef, Level, ReleaseImages, Target};

const CODE: &str = "2021010001";
const RELEASE: &str = "20210407_102537";
const LIST_NAME: &str = "2021010001_20210407_102537.csv";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/keeplist")
        .join(name)
}

fn image(study: &str, series: &str, number: u64) -> ImageRef {
    ImageRef {
        study_uid: study.into(),
        series_uid: series.into(),
        sop_uid: format!("{series}.{number}"),
        file_name: format!("IM{number:04}.dcm"),
        bytes: 100 * number,
        modality: Some("CT".into()),
        body_part: Some("CHEST".into()),
    }
}

/// The hand-made release every expected file is written for (14 images):
///
/// | study | series | files |
/// |---|---|---|
/// | 1.2.840.1 | 1.2.840.1.1 | IM0001, IM0002 |
/// | 1.2.840.1 | 1.2.840.1.2 | IM0001 |
/// | 1.2.840.10 | 1.2.840.10.1 | IM0001 |
/// | 1.2.840.2 | 1.2.840.2.1 | IM0001..IM0003 |
/// | 1.2.840.2 | 1.2.840.2.2 | IM0001, IM0002 |
/// | 1.2.840.2 | 1.2.840.2.3 | IM0001 |
/// | 1.2.840.3 | 1.2.840.3.1 | IM0001..IM0004 |
///
/// SOP UID = series UID + `.n` for IMn; IMn has 100·n bytes. `1.2.840.10` sorts
/// between `1.2.840.1` and `1.2.840.2` (byte order, as the list is sorted).
fn release() -> ReleaseImages {
    let mut images = Vec::new();
    for (study, series, count) in [
        ("1.2.840.1", "1.2.840.1.1", 2),
        ("1.2.840.1", "1.2.840.1.2", 1),
        ("1.2.840.10", "1.2.840.10.1", 1),
        ("1.2.840.2", "1.2.840.2.1", 3),
        ("1.2.840.2", "1.2.840.2.2", 2),
        ("1.2.840.2", "1.2.840.2.3", 1),
        ("1.2.840.3", "1.2.840.3.1", 4),
    ] {
        images.extend((1..=count).map(|n| image(study, series, n)));
    }
    ReleaseImages::new(Some(RELEASE.into()), images)
}

fn change(level: Level, uid: &str, decision: Decision) -> Change {
    Change {
        target: Target {
            level,
            uid: uid.into(),
        },
        decision,
        reason: String::new(),
    }
}

fn decisions(changes: &[Change]) -> Decisions {
    let mut decisions = Decisions::new();
    decisions.apply(changes, "tester", "2026-11-21T09:30:00Z");
    decisions
}

use Decision::{Drop as D, Keep as K, Undecided as U};
use Level::{Image as I, Series as Se, Study as St};

/// The four cases of the issue and a mixed one, with the policy each needs.
fn cases() -> Vec<(&'static str, Vec<Change>, UndecidedPolicy)> {
    let all_studies = |decision| {
        ["1.2.840.1", "1.2.840.10", "1.2.840.2", "1.2.840.3"]
            .map(|uid| change(St, uid, decision))
            .to_vec()
    };
    let with = |mut base: Vec<Change>, more: &[Change]| {
        base.extend_from_slice(more);
        base
    };
    vec![
        (
            "whole_study",
            with(all_studies(D), &[change(St, "1.2.840.1", K)]),
            UndecidedPolicy::Refuse,
        ),
        (
            "one_series",
            with(all_studies(D), &[change(Se, "1.2.840.2.2", K)]),
            UndecidedPolicy::Refuse,
        ),
        (
            "single_images",
            with(
                all_studies(D),
                &[
                    change(I, "1.2.840.2.1.2", K),
                    change(I, "1.2.840.3.1.1", K),
                    change(I, "1.2.840.3.1.4", K),
                ],
            ),
            UndecidedPolicy::Refuse,
        ),
        (
            "study_one_image_dropped",
            with(
                all_studies(D),
                &[change(St, "1.2.840.2", K), change(I, "1.2.840.2.1.2", D)],
            ),
            UndecidedPolicy::Refuse,
        ),
        ("mixed", mixed(), UndecidedPolicy::Drop),
    ]
}

/// Study 1 kept image by image, study 10 kept through its only series, study 2
/// dropped but two series kept (one with an explicit Undecided image), study 3 kept
/// but its series explicitly Undecided except one image.
fn mixed() -> Vec<Change> {
    vec![
        change(I, "1.2.840.1.1.1", K),
        change(I, "1.2.840.1.1.2", K),
        change(I, "1.2.840.1.2.1", K),
        change(Se, "1.2.840.10.1", K),
        change(St, "1.2.840.2", D),
        change(Se, "1.2.840.2.1", K),
        change(I, "1.2.840.2.1.3", U),
        change(Se, "1.2.840.2.3", K),
        change(St, "1.2.840.3", K),
        change(Se, "1.2.840.3.1", U),
        change(I, "1.2.840.3.1.2", K),
    ]
}

fn write(
    dir: &Path,
    release: &ReleaseImages,
    changes: &[Change],
    policy: UndecidedPolicy,
    overwrite: bool,
) -> Result<KeepListReport, KeepListError> {
    let effective = Effective::compute(release, &decisions(changes));
    write_keep_list(dir, CODE, release, &effective, policy, overwrite)
}

fn refusals(result: Result<KeepListReport, KeepListError>) -> Vec<Refusal> {
    match result {
        Err(KeepListError::Refused { reasons, .. }) => reasons,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_level_mix_matches_its_hand_written_list_byte_for_byte() {
    let release = release();
    for (name, changes, policy) in cases() {
        let dir = tempfile::tempdir().expect("tmp");
        let report = write(dir.path(), &release, &changes, policy, false)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.path, dir.path().join(LIST_NAME), "{name}");
        let written = std::fs::read(&report.path).expect("written");
        let expected = std::fs::read(data(&format!("{name}.csv"))).expect("expected file");
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&expected),
            "{name}"
        );
        assert_eq!(written, expected, "{name}");
        assert_eq!(
            files_in(dir.path()),
            [LIST_NAME],
            "{name}: no temp file left"
        );
    }
}

#[test]
fn the_report_counts_rows_images_and_bytes_of_the_written_list() {
    let dir = tempfile::tempdir().expect("tmp");
    let report = write(
        dir.path(),
        &release(),
        &mixed(),
        UndecidedPolicy::Drop,
        false,
    )
    .expect("mixed is written");
    // Counted by hand from the table in `release()` and the decisions in `mixed()`.
    assert_eq!(
        report,
        KeepListReport {
            path: dir.path().join(LIST_NAME),
            study_rows: 2,
            series_rows: 1,
            image_rows: 3,
            kept_images: 8,
            kept_bytes: 1100,
            dropped_images: 6,
            dropped_bytes: 1400,
            undecided_dropped_images: 4,
        }
    );
}

#[test]
fn undecided_images_are_refused_unless_the_policy_drops_them() {
    let dir = tempfile::tempdir().expect("tmp");
    let reasons = refusals(write(
        dir.path(),
        &release(),
        &mixed(),
        UndecidedPolicy::Refuse,
        false,
    ));
    assert_eq!(reasons, [Refusal::Undecided { images: 4 }]);
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
    // Nothing decided at all: every image is undecided.
    let reasons = refusals(write(
        dir.path(),
        &release(),
        &[],
        UndecidedPolicy::Refuse,
        false,
    ));
    assert_eq!(reasons, [Refusal::Undecided { images: 14 }]);
    assert!(!dir.path().join(LIST_NAME).exists());
}

#[test]
fn bad_names_a_bad_code_and_an_unknown_release_are_all_listed_and_nothing_is_written() {
    let mut images = vec![
        image("1.2.840.5", "1.2.840.5.01", 1),
        image("1.2.840.5", "1.2.840.5.2", 3),
    ];
    for name in ["IM 0001.dcm", "影像.dcm"] {
        let mut bad = image("1.2.840.5", "1.2.840.5.2", 9);
        bad.sop_uid = format!("1.2.840.5.2.{}", name.len());
        bad.file_name = name.into();
        images.push(bad);
    }
    let release = ReleaseImages::new(None, images);
    let changes = [
        change(Se, "1.2.840.5.01", K),
        change(I, "1.2.840.5.2.11", K),
        change(I, "1.2.840.5.2.10", K),
        change(I, "1.2.840.5.2.3", D),
    ];
    let dir = tempfile::tempdir().expect("tmp");
    let effective = Effective::compute(&release, &decisions(&changes));
    let result = write_keep_list(
        dir.path(),
        "2021_01",
        &release,
        &effective,
        UndecidedPolicy::Refuse,
        false,
    );
    let message = result
        .as_ref()
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(
        message.starts_with("refusing to write the keep-list: "),
        "{message}"
    );
    assert!(
        message.ends_with("2021_01_.csv"),
        "the path comes last: {message}"
    );
    let name = |what, value: &str| Refusal::InvalidName {
        what,
        value: value.into(),
    };
    assert_eq!(
        refusals(result),
        [
            Refusal::ProjectCode("2021_01".into()),
            Refusal::ReleaseIdUnknown,
            name("series UID", "1.2.840.5.01"),
            name("file name", "IM 0001.dcm"),
            name("file name", "影像.dcm"),
        ]
    );
    assert_eq!(files_in(dir.path()), Vec::<String>::new());

    // Names that no row carries do not matter: the whole study is one study row.
    let release = ReleaseImages::new(Some(RELEASE.into()), release.images);
    let report = write(
        dir.path(),
        &release,
        &[change(St, "1.2.840.5", K)],
        UndecidedPolicy::Refuse,
        false,
    )
    .expect("study row only");
    assert_eq!((report.study_rows, report.kept_images), (1, 4));
}

#[test]
fn file_names_shared_inside_a_series_refuse_image_rows() {
    let mut twin = image("1.2.840.6", "1.2.840.6.1", 1);
    twin.sop_uid = "1.2.840.6.1.99".into();
    let release = ReleaseImages::new(
        Some(RELEASE.into()),
        vec![
            image("1.2.840.6", "1.2.840.6.1", 1),
            twin,
            image("1.2.840.6", "1.2.840.6.1", 2),
        ],
    );
    let dir = tempfile::tempdir().expect("tmp");
    let keep_one = [change(St, "1.2.840.6", D), change(I, "1.2.840.6.1.1", K)];
    let reasons = refusals(write(
        dir.path(),
        &release,
        &keep_one,
        UndecidedPolicy::Refuse,
        false,
    ));
    assert_eq!(
        reasons,
        [Refusal::AmbiguousFileName {
            series: "1.2.840.6.1".into(),
            file: "IM0001.dcm".into(),
        }]
    );
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
    // The whole series needs no file names.
    let keep_all = [change(Se, "1.2.840.6.1", K)];
    let report = write(
        dir.path(),
        &release,
        &keep_all,
        UndecidedPolicy::Refuse,
        false,
    )
    .expect("a study row");
    assert_eq!(report.kept_images, 3);
}

#[test]
fn an_existing_list_is_replaced_only_when_asked() {
    let release = release();
    let dir = tempfile::tempdir().expect("tmp");
    let [(_, first, _), (_, second, _), ..] = &cases()[..] else {
        panic!("cases");
    };
    write(dir.path(), &release, first, UndecidedPolicy::Refuse, false).expect("first");
    let path = dir.path().join(LIST_NAME);
    let reasons = refusals(write(
        dir.path(),
        &release,
        second,
        UndecidedPolicy::Refuse,
        false,
    ));
    assert_eq!(reasons, [Refusal::Exists]);
    assert_eq!(
        std::fs::read(&path).expect("kept"),
        std::fs::read(data("whole_study.csv")).expect("expected")
    );
    write(dir.path(), &release, second, UndecidedPolicy::Refuse, true).expect("overwrite");
    assert_eq!(
        std::fs::read(&path).expect("replaced"),
        std::fs::read(data("one_series.csv")).expect("expected")
    );
    assert_eq!(files_in(dir.path()), [LIST_NAME]);
}

#[test]
fn the_checker_finds_every_bad_row_with_its_line() {
    let bytes = std::fs::read(data("bad_list.csv")).expect("bad list");
    let expected = std::fs::read_to_string(data("bad_list.expected")).expect("findings");
    let found: Vec<String> = check_keep_list(
        &bytes,
        &release(),
        Some(CODE),
        "2021010001-20210407_102537.csv",
    )
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(found, expected.lines().collect::<Vec<_>>());
}

#[test]
fn the_hand_written_lists_pass_the_checker() {
    for (name, _, _) in cases() {
        let bytes = std::fs::read(data(&format!("{name}.csv"))).expect("expected file");
        assert_eq!(
            check_keep_list(&bytes, &release(), Some(CODE), LIST_NAME),
            [],
            "{name}"
        );
    }
}

#[test]
fn a_list_with_unknown_rows_is_not_imported() {
    let error = import_keep_list(&data("bad_list.csv"), &release()).expect_err("bad rows");
    let ImportError::Invalid { problems, path } = &error else {
        panic!("{error}");
    };
    let lines: Vec<Option<usize>> = problems.iter().map(|p| p.line).collect();
    let blocking = [7, 8, 9, 10, 11, 13, 14, 16, 17, 18].map(Some);
    assert_eq!(lines, blocking);
    assert_eq!(path, &data("bad_list.csv"));
    assert!(error.to_string().ends_with("bad_list.csv"), "{error}");
}

/// Decide → takeout → import into an empty review → effective decisions: every
/// image comes back as decided, undecided ones as Drop (what the list says).
fn assert_round_trip(
    name: &str,
    release: &ReleaseImages,
    changes: &[Change],
    policy: UndecidedPolicy,
) {
    let dir = tempfile::tempdir().expect("tmp");
    let before = Effective::compute(release, &decisions(changes));
    let report = write_keep_list(dir.path(), CODE, release, &before, policy, false)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let imported =
        import_keep_list(&report.path, release).unwrap_or_else(|e| panic!("{name}: {e}"));
    let after = Effective::compute(release, &decisions(&imported));
    let expected: Vec<Decision> = before
        .images()
        .iter()
        .map(|&d| if d == Decision::Keep { K } else { D })
        .collect();
    assert_eq!(after.images(), &expected[..], "{name}");
    if policy == UndecidedPolicy::Refuse {
        assert_eq!(after.images(), before.images(), "{name}: fully decided");
    }
    // The imported review writes the very same list again.
    let again = tempfile::tempdir().expect("tmp");
    let second = write_keep_list(
        again.path(),
        CODE,
        release,
        &after,
        UndecidedPolicy::Refuse,
        false,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        std::fs::read(&second.path).expect("second"),
        std::fs::read(&report.path).expect("first"),
        "{name}"
    );
}

#[test]
fn decide_takeout_import_is_the_identity() {
    let release = release();
    for (name, changes, policy) in cases() {
        assert_round_trip(name, &release, &changes, policy);
    }
    assert_round_trip(
        "nothing kept",
        &release,
        &[change(St, "1.2.840.1", D)],
        UndecidedPolicy::Drop,
    );
    let everything =
        ["1.2.840.1", "1.2.840.10", "1.2.840.2", "1.2.840.3"].map(|uid| change(St, uid, K));
    assert_round_trip(
        "everything kept",
        &release,
        &everything,
        UndecidedPolicy::Refuse,
    );

    // One image per study and series: every level coincides.
    let single = ReleaseImages::new(
        Some(RELEASE.into()),
        (1..=3)
            .map(|s| image(&format!("1.3.{s}"), &format!("1.3.{s}.1"), 1))
            .collect(),
    );
    let keep_middle = [
        change(I, "1.3.2.1.1", K),
        change(Se, "1.3.1.1", D),
        change(St, "1.3.3", D),
    ];
    assert_round_trip(
        "single-image studies",
        &single,
        &keep_middle,
        UndecidedPolicy::Refuse,
    );
    assert_round_trip(
        "single-image studies, drop policy",
        &single,
        &keep_middle[..1],
        UndecidedPolicy::Drop,
    );
}

#[test]
fn the_decisions_csv_moves_a_review() {
    let release = release();
    let mut original = decisions(&mixed());
    original.set(
        Target {
            level: St,
            uid: "1.2.840.2".into(),
        },
        lightbox::review::DecisionRecord {
            decision: D,
            reason: "外院影像, \"重複\"".into(),
            reviewer: "tester".into(),
            time: "2026-11-21T09:30:00Z".into(),
        },
    );
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("decisions.csv");
    write_decisions_csv(&path, &original).expect("written");
    let changes = import_decisions_csv(&path, &release).expect("read back");
    assert_eq!(decisions(&changes), original);
    let text = std::fs::read_to_string(&path).expect("utf-8");
    assert!(
        text.contains("\r\nstudy,1.2.840.2,drop,\"外院影像, \"\"重複\"\"\"\r\n"),
        "{text}"
    );
}

#[test]
fn the_sample_release_keeps_its_claimed_studies() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let options = ScanOptions {
        no_cache: false,
        cache_path: Some(tmp.path().join("cache.sqlite")),
    };
    let index = Index::open(&repo.join("sample-data"), &options, &|_| {}).expect("scan");
    let release = ReleaseImages::from_index(&index);
    // The study UIDs the claims csv names: an independent source for the list's rows.
    let claims = std::fs::read_to_string(repo.join("sample-data/DATA/ADHOC_20210407_102537.csv"))
        .expect("claims");
    let mut lines = claims.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let column = header
        .iter()
        .position(|c| *c == "StudyInstanceId")
        .expect("column");
    let mut studies: Vec<String> = lines
        .map(|l| l.split(',').nth(column).expect("study").to_owned())
        .collect();
    studies.sort();
    studies.dedup();
    // One claimed patient has no images (see `synth`): 10 claimed studies, 9 scanned.
    assert_eq!(studies.len(), 10);
    studies.retain(|uid| release.images.iter().any(|i| &i.study_uid == uid));
    assert_eq!(studies.len(), 9);

    let keep_all: Vec<Change> = studies.iter().map(|uid| change(St, uid, K)).collect();
    let dir = tempfile::tempdir().expect("tmp");
    let report = write(
        dir.path(),
        &release,
        &keep_all,
        UndecidedPolicy::Refuse,
        false,
    )
    .expect("sample list");
    let mut expected = String::from("STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name\r\n");
    for uid in &studies {
        expected.push_str(&format!("{uid},,\r\n"));
    }
    assert_eq!(
        std::fs::read_to_string(&report.path).expect("list"),
        expected
    );
    assert_eq!(report.kept_images, 159);
    assert_round_trip(
        "sample, one study dropped",
        &release,
        &keep_all[1..],
        UndecidedPolicy::Drop,
    );
}
