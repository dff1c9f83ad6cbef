//! `lightbox split` and `lightbox describe`, black box, on a copy of the sample
//! release. The truth comes from elsewhere: every file's UIDs read by dcmtk's
//! `dcmdump`, and sex and age from the claims csv read here with the csv crate.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use common::{lightbox, lightbox_ok, s};
use serde_json::Value;

/// Study, series and patient of every DICOM file, by dcmtk.
fn dicom_uids(root: &std::path::Path) -> Vec<(String, String, String)> {
    walkdir::WalkDir::new(root.join("IMAGE"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let out = Command::new("dcmdump")
                .args([
                    "-q",
                    "+P",
                    "StudyInstanceUID",
                    "+P",
                    "SeriesInstanceUID",
                    "+P",
                    "PatientID",
                ])
                .arg(e.path())
                .output()
                .expect("dcmdump (apt-get install dcmtk)");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let values: Vec<String> = text
                .lines()
                .filter_map(|l| Some(l[l.find('[')? + 1..l.rfind(']')?].to_owned()))
                .collect();
            (values.len() == 3).then(|| (values[0].clone(), values[1].clone(), values[2].clone()))
        })
        .collect()
}

#[test]
fn split_by_patient_and_describe_the_sets() {
    let (_dir, root) = common::sample_copy();
    let files = dicom_uids(&root);
    let studies: BTreeSet<&str> = files.iter().map(|f| f.0.as_str()).collect();
    let series: BTreeSet<&str> = files.iter().map(|f| f.1.as_str()).collect();
    assert!(
        files.len() > 100 && studies.len() > 5,
        "the sample as dcmtk sees it"
    );

    let out = tempfile::tempdir().expect("temp dir");
    let split_csv = out.path().join("split.csv");
    let root_s = s(&root);
    let args = |seed: &str| {
        vec![
            "split".to_owned(),
            root_s.to_owned(),
            "--ratios".into(),
            "60,20,20".into(),
            "--stratify".into(),
            "sex".into(),
            "--seed".into(),
            seed.into(),
            "--out".into(),
            s(&split_csv).to_owned(),
        ]
    };
    let run = |seed: &str| {
        let a = args(seed);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        lightbox_ok(&a);
        std::fs::read_to_string(&split_csv).expect("split.csv")
    };
    let first = run("7");
    assert_eq!(run("7"), first, "a seed gives the same split");
    let mut lines = first.split("\r\n");
    assert_eq!(lines.next(), Some("PATIENT_ID,STUDY_INSTANCE_UID,SPLIT"));
    let rows: Vec<Vec<&str>> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    // Every study once, and only studies.
    let listed: BTreeSet<&str> = rows.iter().map(|r| r[1]).collect();
    assert_eq!(listed, studies);
    assert_eq!(rows.len(), studies.len());
    let mut set_of_patient: BTreeMap<&str, &str> = BTreeMap::new();
    for r in &rows {
        assert!(["train", "val", "test"].contains(&r[2]), "{r:?}");
        assert_eq!(
            *set_of_patient.entry(r[0]).or_insert(r[2]),
            r[2],
            "patient {} in two sets",
            r[0]
        );
    }

    // describe --json against the files and the claims csv.
    let json = lightbox_ok(&["describe", root_s, "--split", s(&split_csv), "--json"]);
    let d: Value = serde_json::from_slice(&json.stdout).expect("describe JSON");
    assert_eq!(d["images"].as_u64(), Some(files.len() as u64));
    assert_eq!(d["studies"].as_u64(), Some(studies.len() as u64));
    assert_eq!(d["series"].as_u64(), Some(series.len() as u64));
    let mut claims =
        csv::Reader::from_path(root.join("DATA/ADHOC_20210407_102537.csv")).expect("claims csv");
    let headers = claims.headers().expect("header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .expect(name)
    };
    let (study_col, sex_col, age_col, pid_col) = (
        col("StudyInstanceId"),
        col("PATIENT_SEX"),
        col("PATIENT_AGE"),
        col("PATIENT_ID"),
    );
    let mut per_study: BTreeMap<String, (String, u32, String)> = BTreeMap::new();
    for row in claims.records() {
        let row = row.expect("row");
        per_study.insert(
            row[study_col].to_owned(),
            (
                row[sex_col].to_owned(),
                row[age_col].parse().expect("age"),
                row[pid_col].to_owned(),
            ),
        );
    }
    // The claims also list a study whose images are not in the release.
    per_study.retain(|uid, _| studies.contains(uid.as_str()));
    assert_eq!(
        per_study.len(),
        studies.len(),
        "every study has claims in the sample"
    );
    let patients: BTreeSet<&str> = per_study.values().map(|v| v.2.as_str()).collect();
    assert_eq!(d["patients"].as_u64(), Some(patients.len() as u64));
    let mut by_sex: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_band: BTreeMap<String, u64> = BTreeMap::new();
    for (sex, age, _) in per_study.values() {
        *by_sex.entry(sex).or_default() += 1;
        let band = if *age >= 90 {
            "90+".to_owned()
        } else {
            format!("{}-{}", age / 10 * 10, age / 10 * 10 + 9)
        };
        *by_band.entry(band).or_default() += 1;
    }
    for (sex, n) in by_sex {
        assert_eq!(
            d["by"]["sex"][sex]["studies"].as_u64(),
            Some(n),
            "sex {sex}"
        );
    }
    for (band, n) in &by_band {
        assert_eq!(
            d["by"]["age_band"][band]["studies"].as_u64(),
            Some(*n),
            "age {band}"
        );
    }
    // The sets add up to the whole.
    let sum = |key: &str| -> u64 {
        ["train", "val", "test"]
            .iter()
            .map(|set| d["splits"][set][key].as_u64().unwrap_or(0))
            .sum()
    };
    assert_eq!(sum("studies"), studies.len() as u64);
    assert_eq!(sum("images"), files.len() as u64);

    // Exports per set: keep one study, split again with its keep-list and annotations
    // per set; the study is in its own set's keep-list only, with its patient.
    let kept = rows[0][1];
    let kept_set = rows[0][2];
    lightbox_ok(&["decide", root_s, "--set", "study", kept, "keep"]);
    let example = common::repo().join("sample-data/annotations/example.json");
    lightbox_ok(&["annotations", "import", root_s, s(&example)]);
    let export = out.path().join("sets");
    lightbox_ok(&[
        "split",
        root_s,
        "--ratios",
        "60,20,20",
        "--stratify",
        "sex",
        "--seed",
        "7",
        "--out",
        s(&split_csv),
        "--export",
        s(&export),
        "--project-code",
        "2021010001",
        "--undecided",
        "drop",
    ]);
    assert_eq!(
        std::fs::read_to_string(&split_csv).expect("split"),
        first,
        "same seed, same split"
    );
    let mut shapes_seen = 0;
    for set in ["train", "val", "test"] {
        let list = std::fs::read_to_string(export.join(set).join("2021010001_20210407_102537.csv"))
            .expect("a keep-list per set");
        assert_eq!(list.contains(kept), set == kept_set, "{set}: {list}");
        let doc: Value = serde_json::from_str(
            &std::fs::read_to_string(export.join(set).join("20210407_102537.annotations.json"))
                .expect("annotations per set"),
        )
        .expect("JSON");
        for shape in doc["shapes"].as_array().expect("shapes") {
            let study = shape["study_uid"].as_str().expect("study");
            let row = rows.iter().find(|r| r[1] == study).expect("a split study");
            assert_eq!(
                row[2], set,
                "a shape of a {} study exported with {set}",
                row[2]
            );
            shapes_seen += 1;
        }
    }
    assert_eq!(shapes_seen, 10, "every shape of the example, once");

    // Bad ratios are refused, naming what was given.
    let bad = lightbox(&[
        "split",
        root_s,
        "--ratios",
        "70,30",
        "--seed",
        "1",
        "--out",
        s(&split_csv),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("\"70,30\""));
}
