//! `lightbox pacs … --dicomweb URL`, black box, against a real Orthanc with its
//! DICOMweb plugin on loopback (no mock): the sample release is stored through
//! Orthanc's own REST API, then found by QIDO-RS, retrieved by WADO-RS byte for byte
//! into a folder that indexes like the sample, resumed without storing anything twice,
//! and a SEG we export is sent back by STOW-RS and read back from Orthanc. Every
//! refusal names the server.

mod common;

use std::path::{Path, PathBuf};

use common::orthanc::Orthanc;
use common::{lightbox, lightbox_ok, s};
use lightbox::index::Index;
use serde_json::Value;

/// The chest CT series of the sample (32 slices).
const CHEST_SERIES: &str = "2.25.58992966161156072126607366601187380746";

/// Every file of the sample release, and the chest CT study's UID, patient and files.
struct Sample {
    all: Vec<PathBuf>,
    study_uid: String,
    patient_id: String,
    study_date: String,
    files: Vec<(String, String, PathBuf)>,
}

fn sample() -> Sample {
    let index = Index::open(&common::sample_images(), &Default::default(), &|_| {}).expect("scan");
    let study = index
        .studies()
        .find(|s| s.series.iter().any(|se| se.series_uid == CHEST_SERIES))
        .expect("the chest study");
    Sample {
        all: index.instances().map(|i| i.path.clone()).collect(),
        study_uid: study.study_uid.clone(),
        patient_id: study.patient_id.clone(),
        study_date: study.study_date.clone().expect("a study date"),
        files: common::study_files(study),
    }
}

/// The JSON `lightbox pacs …` printed.
fn json_of(args: &[&str]) -> Value {
    let out = lightbox_ok(args);
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The studies `pacs find` lists for `filters`.
fn find(url: &str, filters: &[&str]) -> Vec<Value> {
    let mut args = vec!["pacs", "find", "--dicomweb", url, "--json"];
    args.extend_from_slice(filters);
    json_of(&args)["studies"]
        .as_array()
        .expect("studies")
        .clone()
}

fn retrieve(url: &str, study: &str, out: &Path) -> Value {
    json_of(&[
        "pacs",
        "retrieve",
        "--dicomweb",
        url,
        "--study",
        study,
        "--out",
        s(out),
        "--json",
    ])
}

#[test]
fn dicomweb_finds_retrieves_and_stores() {
    let orthanc = Orthanc::start();
    let sample = sample();
    orthanc.upload(&sample.all);
    let url = orthanc.dicomweb_url();

    let echo = lightbox_ok(&["pacs", "echo", "--dicomweb", &url]);
    assert!(String::from_utf8_lossy(&echo.stdout).contains("answered"));

    // QIDO-RS: by patient, by modality, by date range (in and out).
    let by_patient = find(&url, &["--patient-id", &sample.patient_id]);
    let ours = by_patient
        .iter()
        .find(|st| st["study_uid"] == sample.study_uid.as_str())
        .expect("the study is found by its patient");
    assert_eq!(ours["instance_count"], sample.files.len());
    assert_eq!(ours["modalities"], serde_json::json!(["CT"]));
    assert!(
        by_patient
            .iter()
            .all(|st| st["patient_id"] == sample.patient_id.as_str())
    );
    let date = &sample.study_date;
    let day_range = format!("{date}-{date}");
    let by_date = find(&url, &["--study-date", &day_range, "--modality", "CT"]);
    assert!(
        by_date
            .iter()
            .any(|st| st["study_uid"] == sample.study_uid.as_str())
    );
    assert!(by_date.iter().all(|st| st["study_date"] == date.as_str()));
    assert!(find(&url, &["--study-date", "19000101-19001231"]).is_empty());
    assert_eq!(find(&url, &["--limit", "1"]).len(), 1);

    // WADO-RS: every instance, byte for byte, at out/<study>/<series>/<sop>.dcm.
    let out = tempfile::tempdir().expect("temp dir");
    let report = retrieve(&url, &sample.study_uid, out.path());
    assert_eq!(report["retrieved"], sample.files.len());
    assert_eq!(report["already_present"], 0);
    let folder = out.path().join(&sample.study_uid);
    for (series, sop, original) in &sample.files {
        let got = folder.join(series).join(format!("{sop}.dcm"));
        assert!(
            std::fs::read(&got).expect("a retrieved file")
                == std::fs::read(original).expect("read"),
            "{} differs from {}",
            got.display(),
            original.display()
        );
    }
    // The folder opens like a release: the same series and images.
    let local = Index::open(out.path(), &Default::default(), &|_| {}).expect("scan the copy");
    let mut got: Vec<String> = local.instances().map(|i| i.sop_uid.clone()).collect();
    let mut want: Vec<String> = sample.files.iter().map(|f| f.1.clone()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);

    // Again: nothing stored twice. Two removed: only those two come back.
    let again = retrieve(&url, &sample.study_uid, out.path());
    assert_eq!(
        (
            again["retrieved"].as_u64(),
            again["already_present"].as_u64()
        ),
        (Some(0), Some(sample.files.len() as u64))
    );
    for (series, sop, _) in sample.files.iter().take(2) {
        std::fs::remove_file(folder.join(series).join(format!("{sop}.dcm"))).expect("remove");
    }
    let resumed = retrieve(&url, &sample.study_uid, out.path());
    assert_eq!(resumed["retrieved"], 2);
    assert_eq!(resumed["already_present"], sample.files.len() - 2);

    // STOW-RS: our SEG of the example annotations goes back; a file that is not
    // DICOM is named and the rest are stored.
    let (_copy, root) = common::sample_copy();
    let work = tempfile::tempdir().expect("temp dir");
    let store = work.path().join("review.lightbox.sqlite");
    let example = common::repo().join("sample-data/annotations/example.json");
    let seg_dir = work.path().join("seg");
    for args in common::seg_export_sessions(&root, &example, &store, &seg_dir) {
        lightbox_ok(&args);
    }
    let not_dicom = work.path().join("notes.txt");
    std::fs::write(&not_dicom, "not DICOM").expect("write");
    let segs: Vec<PathBuf> = std::fs::read_dir(&seg_dir)
        .expect("segs")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(!segs.is_empty());
    let sent = lightbox(&[
        "pacs",
        "send",
        "--dicomweb",
        &url,
        s(&seg_dir),
        s(&not_dicom),
        "--json",
    ]);
    assert_eq!(sent.status.code(), Some(1), "a file was not stored");
    let report: Value = serde_json::from_slice(&sent.stdout).expect("JSON");
    assert_eq!(report["sent"], segs.len());
    assert_eq!(report["failed"][0]["path"], s(&not_dicom));
    let seg_study = find(&url, &["--study", &sample.study_uid]);
    assert!(
        seg_study[0]["modalities"]
            .as_array()
            .expect("modalities")
            .contains(&Value::from("SEG")),
        "{seg_study:?}"
    );
    // Read back from Orthanc, the chest series' SEG is the file we sent.
    let back = tempfile::tempdir().expect("temp dir");
    retrieve(&url, &sample.study_uid, back.path());
    let bytes = std::fs::read(seg_dir.join(format!("{CHEST_SERIES}.seg.dcm"))).expect("the SEG");
    let found = walkdir::WalkDir::new(back.path())
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| e.file_type().is_file() && std::fs::read(e.path()).is_ok_and(|b| b == bytes));
    assert!(found, "the SEG did not come back from Orthanc as sent");
}

#[test]
fn refusals_name_the_server() {
    let orthanc = Orthanc::start();
    let url = orthanc.dicomweb_url();
    let err = |args: &[&str]| {
        let out = lightbox(args);
        assert_eq!(out.status.code(), Some(2), "{args:?} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // `pacs retrieve` of `study` into `unused`, which must fail.
    let retrieve_err = |study: &str| {
        err(&[
            "pacs",
            "retrieve",
            "--dicomweb",
            &url,
            "--study",
            study,
            "--out",
            "unused",
        ])
    };
    let closed = format!("http://127.0.0.1:{}/dicom-web", common::free_port());
    let e = err(&["pacs", "echo", "--dicomweb", &closed]);
    assert!(
        e.contains(&format!("cannot reach the DICOMweb server {closed}")),
        "{e}"
    );
    // https to a plain-http port: the handshake fails, and says so.
    let https = format!("https://127.0.0.1:{}/dicom-web", orthanc.http_port);
    let e = err(&["pacs", "echo", "--dicomweb", &https]);
    assert!(
        e.contains(&format!("TLS with the DICOMweb server {https} failed")),
        "{e}"
    );
    let e = retrieve_err("1.2.3.4");
    assert!(
        e.contains("does not hold that study") && e.contains(&url),
        "{e}"
    );
    assert!(!Path::new("unused").exists());
    let e = retrieve_err("../x");
    assert!(e.contains("is not a DICOM UID"), "{e}");
    let e = err(&["pacs", "echo", "--dicomweb", "pacs:8042"]);
    assert!(e.contains("is not a PACS address"), "{e}");
    let e = err(&[
        "pacs",
        "find",
        "--dicomweb",
        &url,
        "--study-date",
        "2024-13-01",
    ]);
    assert!(e.contains("--study-date"), "{e}");
}
