//! Hand-made releases for the rules' unit tests: an index, a claims table, reports.

use std::path::PathBuf;

use crate::claims::ClaimsTable;
use crate::index::{Index, Instance};

use super::{Evaluation, Facts, Reports, RuleSet, evaluate};

/// One series of a test release: study, series, and DICOM text.
pub struct SeriesSpec<'a> {
    pub study: &'a str,
    pub series: &'a str,
    pub images: usize,
    pub study_description: &'a str,
    pub series_description: &'a str,
    pub body_part: &'a str,
    pub protocol_name: &'a str,
    pub accession: &'a str,
}

/// A series spec with only its UIDs and one image.
pub fn series<'a>(study: &'a str, series: &'a str) -> SeriesSpec<'a> {
    SeriesSpec {
        study,
        series,
        images: 1,
        study_description: "",
        series_description: "",
        body_part: "",
        protocol_name: "",
        accession: "",
    }
}

/// An index of the series, numbered in the order given.
pub fn index(specs: &[SeriesSpec<'_>]) -> Index {
    let mut instances = Vec::new();
    for (n, s) in specs.iter().enumerate() {
        for i in 0..s.images {
            let opt = |v: &str| (!v.is_empty()).then(|| v.to_owned());
            let value = serde_json::json!({
                "path": format!("/x/{}/{}/{i}", s.study, s.series),
                "file_name": format!("IM{i:04}"),
                "file_size": 1, "mtime_ns": 0, "transfer_syntax": "1.2.840.10008.1.2.1",
                "sop_class_uid": "1.2.840.10008.5.1.4.1.1.2",
                "sop_uid": format!("{}.{i}", s.series),
                "number": i, "frames": 1, "rows": 1, "cols": 1,
                "samples_per_pixel": 1, "bits_allocated": 16,
                "patient_id": "P", "study_uid": s.study, "series_uid": s.series,
                "series_number": n,
                "study_description": opt(s.study_description),
                "series_description": opt(s.series_description),
                "body_part": opt(s.body_part),
                "protocol_name": opt(s.protocol_name),
                "accession_number": opt(s.accession),
            });
            let instance: Instance = serde_json::from_value(value).expect("test instance");
            instances.push(instance);
        }
    }
    Index::from_instances(PathBuf::from("/x"), instances)
}

/// The claims columns the tests fill, in this order.
pub const CLAIMS_COLUMNS: [&str; 13] = [
    "StudyInstanceId",
    "SeriesInstanceId",
    "ICD1",
    "ICD2",
    "ICD3",
    "ICD4",
    "ICD5",
    "ORDER_CODE",
    "CURE_PATH",
    "MODALITY",
    "HOSP_CNT_TYPE",
    "PATIENT_AGE",
    "PATIENT_SEX",
];

/// A claims table of rows in [`CLAIMS_COLUMNS`] order.
pub fn claims(rows: &[[&str; 13]]) -> ClaimsTable {
    ClaimsTable::new(
        CLAIMS_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        rows.iter()
            .map(|r| r.iter().map(|v| (*v).to_owned()).collect())
            .collect(),
    )
}

/// Reports from `(study uid, text)` pairs, written to a csv and read back.
pub fn reports(rows: &[(&str, &str)]) -> Reports {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("REPORT.csv");
    let mut w = csv::Writer::from_path(&path).expect("csv");
    w.write_record(["StudyInstanceUID", "text"])
        .expect("header");
    for (study, text) in rows {
        w.write_record([study, text]).expect("row");
    }
    w.flush().expect("flush");
    Reports::load(&path).expect("reports")
}

/// Parses `rules` (panicking with the error) and evaluates them.
pub fn run(
    rules: &str,
    index: &Index,
    claims: &ClaimsTable,
    reports: Option<&Reports>,
) -> Evaluation {
    let rules = RuleSet::parse(rules).unwrap_or_else(|e| panic!("{e}"));
    evaluate(&rules, &Facts::build(index, claims, reports))
}
