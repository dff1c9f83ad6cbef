//! Patient-level splits: train / validation / test such that one patient's studies
//! never land in two sets, stratified, reproducible for a seed.
//!
//! Patients are grouped into strata by the attributes asked for (each attribute's
//! values over the patient's studies, joined). Within a stratum, in a seeded random
//! order, each patient goes to the set furthest below its share of the stratum's
//! studies so far, so every stratum comes out as close to the ratios as its patients
//! allow; the strata so far count too, so that many small strata still fill the
//! smaller sets.

use std::collections::BTreeMap;

use serde::Serialize;
use thiserror::Error;

use super::facts::StudyFacts;
use crate::review::csv_text::push_record;
use crate::rng::Rng;

/// The three sets, in the order ratios name them.
pub const SETS: [&str; 3] = ["train", "val", "test"];

/// Why a split cannot be made.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SplitError {
    /// `--ratios` is not three non-negative numbers with a positive sum.
    #[error(
        "ratios must be three non-negative numbers with a positive sum, like 70,15,15; not {0:?}"
    )]
    BadRatios(String),
    /// A split csv that cannot be read.
    #[error("cannot read the split: {reason}: {path}")]
    Read {
        /// The file, as the user gave it.
        path: String,
        /// Why.
        reason: String,
    },
    /// A stratification attribute that does not exist.
    #[error(
        "cannot stratify by {0:?}: use label, modality, sex, age_band, body_region, device or hospital_level"
    )]
    UnknownAttribute(String),
}

/// The attributes a split can be stratified by.
pub const ATTRIBUTES: [&str; 7] = [
    "label",
    "modality",
    "sex",
    "age_band",
    "body_region",
    "device",
    "hospital_level",
];

/// `70,15,15` as three fractions summing to 1.
pub fn parse_ratios(text: &str) -> Result<[f64; 3], SplitError> {
    let bad = || SplitError::BadRatios(text.to_owned());
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [a, b, c] = <[f64; 3]>::try_from(parts).map_err(|_| bad())?;
    let sum = a + b + c;
    if [a, b, c].iter().any(|v| !v.is_finite() || *v < 0.0) || sum <= 0.0 || !sum.is_finite() {
        return Err(bad());
    }
    Ok([a / sum, b / sum, c / sum])
}

/// One study's set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The patient key.
    pub patient: String,
    /// Study Instance UID.
    pub study_uid: String,
    /// `train`, `val` or `test`.
    pub set: &'static str,
}

/// How one stratum came out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stratum {
    /// The stratum's values, `attribute=value` joined by `; ` (empty: not stratified).
    pub key: String,
    /// Patients per set.
    pub patients: [usize; 3],
    /// Studies per set.
    pub studies: [usize; 3],
}

/// A split and how close it came to the ratios.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    /// Each study's set, sorted by patient then study.
    pub assignments: Vec<Assignment>,
    /// The ratios asked for (fractions).
    pub ratios: [f64; 3],
    /// The fraction of studies each set got.
    pub achieved: [f64; 3],
    /// Each stratum's counts.
    pub strata: Vec<Stratum>,
}

/// Splits the studies of `facts` by patient.
///
/// # Errors
/// An attribute not in [`ATTRIBUTES`].
pub fn split(
    facts: &[StudyFacts],
    ratios: [f64; 3],
    stratify: &[String],
    seed: u64,
) -> Result<Split, SplitError> {
    if let Some(bad) = stratify.iter().find(|a| !ATTRIBUTES.contains(&a.as_str())) {
        return Err(SplitError::UnknownAttribute(bad.clone()));
    }
    // Patients, their studies, and their stratum.
    let mut patients: BTreeMap<&str, Vec<&StudyFacts>> = BTreeMap::new();
    for f in facts {
        patients.entry(f.patient.as_str()).or_default().push(f);
    }
    let mut strata: BTreeMap<String, Vec<(&str, Vec<&StudyFacts>)>> = BTreeMap::new();
    for (patient, studies) in patients {
        strata
            .entry(stratum_key(&studies, stratify))
            .or_default()
            .push((patient, studies));
    }
    let mut rng = Rng::new(seed);
    let mut assignments = Vec::new();
    let mut report = Vec::new();
    let mut totals = [0usize; 3];
    for (key, mut members) in strata {
        rng.shuffle(&mut members);
        let mut studies = [0usize; 3];
        let mut patients = [0usize; 3];
        for (patient, its) in members {
            let after: usize = studies.iter().sum::<usize>() + its.len();
            let after_all: usize =
                totals.iter().sum::<usize>() + studies.iter().sum::<usize>() + its.len();
            // The set furthest below its share once this patient is placed, in this
            // stratum and over the strata so far (small strata would otherwise never
            // reach the smaller sets).
            let set = (0..3)
                .max_by(|&x, &y| {
                    let gap = |s: usize| {
                        ratios[s] * after as f64 - studies[s] as f64 + ratios[s] * after_all as f64
                            - (totals[s] + studies[s]) as f64
                    };
                    gap(x).total_cmp(&gap(y)).then(y.cmp(&x))
                })
                .unwrap_or(0);
            studies[set] += its.len();
            patients[set] += 1;
            assignments.extend(its.iter().map(|f| Assignment {
                patient: patient.to_owned(),
                study_uid: f.study_uid.clone(),
                set: SETS[set],
            }));
        }
        for s in 0..3 {
            totals[s] += studies[s];
        }
        report.push(Stratum {
            key,
            patients,
            studies,
        });
    }
    assignments.sort_by(|a, b| (&a.patient, &a.study_uid).cmp(&(&b.patient, &b.study_uid)));
    let all = totals.iter().sum::<usize>().max(1) as f64;
    Ok(Split {
        assignments,
        ratios,
        achieved: totals.map(|t| t as f64 / all),
        strata: report,
    })
}

/// The stratum of a patient: each attribute's values over the patient's studies.
fn stratum_key(studies: &[&StudyFacts], stratify: &[String]) -> String {
    stratify
        .iter()
        .map(|attribute| {
            let mut values: Vec<String> = studies
                .iter()
                .flat_map(|f| values_of(f, attribute))
                .collect();
            values.sort();
            values.dedup();
            format!("{attribute}={}", values.join("+"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A study's values of one attribute.
pub fn values_of(f: &StudyFacts, attribute: &str) -> Vec<String> {
    let set = |s: &std::collections::BTreeSet<String>| s.iter().cloned().collect();
    match attribute {
        "label" => set(&f.label),
        "modality" => set(&f.modality),
        "sex" => vec![f.sex.clone()],
        "age_band" => vec![f.age_band.clone()],
        "body_region" => set(&f.body_region),
        "device" => set(&f.device),
        "hospital_level" => set(&f.hospital_level),
        "grade" => set(&f.grade),
        _ => Vec::new(),
    }
}

impl Split {
    /// A split as read back: its assignments, with the achieved shares of studies
    /// (no ratios asked for, no strata).
    pub fn from_assignments(mut assignments: Vec<Assignment>) -> Self {
        assignments.sort_by(|a, b| (&a.patient, &a.study_uid).cmp(&(&b.patient, &b.study_uid)));
        let mut counts = [0usize; 3];
        for a in &assignments {
            if let Some(i) = SETS.iter().position(|s| *s == a.set) {
                counts[i] += 1;
            }
        }
        let all = counts.iter().sum::<usize>().max(1) as f64;
        Split {
            achieved: counts.map(|c| c as f64 / all),
            ratios: [0.0; 3],
            strata: Vec::new(),
            assignments,
        }
    }
}

/// Reads a split csv (`PATIENT_ID,STUDY_INSTANCE_UID,SPLIT`, any column order, a BOM
/// allowed).
///
/// # Errors
/// An unreadable file, a missing column, or a set other than train, val, test (with
/// its line).
pub fn read_csv(path: &std::path::Path) -> Result<Split, SplitError> {
    use crate::fsutil::ShowPath;
    let fail = |reason: String| SplitError::Read {
        path: path.shown().to_string(),
        reason,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| fail(e.to_string()))?;
    let headers = reader.headers().map_err(|e| fail(e.to_string()))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| fail(format!("no {name} column")))
    };
    let (patient, study, set) = (
        column("PATIENT_ID")?,
        column("STUDY_INSTANCE_UID")?,
        column("SPLIT")?,
    );
    let mut assignments = Vec::new();
    for (line, row) in reader.records().enumerate() {
        let row = row.map_err(|e| fail(format!("line {}: {e}", line + 2)))?;
        let value = row.get(set).unwrap_or_default();
        let Some(&set) = SETS.iter().find(|s| **s == value) else {
            return Err(fail(format!(
                "line {}: SPLIT must be train, val or test, not {value:?}",
                line + 2
            )));
        };
        assignments.push(Assignment {
            patient: row.get(patient).unwrap_or_default().to_owned(),
            study_uid: row.get(study).unwrap_or_default().to_owned(),
            set,
        });
    }
    Ok(Split::from_assignments(assignments))
}

/// The split as csv: `PATIENT_ID,STUDY_INSTANCE_UID,SPLIT`, one row per study, CRLF.
pub fn to_csv(split: &Split) -> String {
    let mut out = String::new();
    push_record(&mut out, &["PATIENT_ID", "STUDY_INSTANCE_UID", "SPLIT"]);
    for a in &split.assignments {
        push_record(&mut out, &[a.patient.as_str(), &a.study_uid, a.set]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashMap};

    /// `patients` patients with 1–3 studies each; sex and a label alternate.
    fn facts(patients: usize) -> Vec<StudyFacts> {
        let mut out = Vec::new();
        for p in 0..patients {
            for s in 0..(1 + p % 3) {
                out.push(StudyFacts {
                    study_uid: format!("1.2.{p}.{s}"),
                    patient: format!("P{p:04}"),
                    sex: if p % 2 == 0 { "M" } else { "F" }.into(),
                    age_band: "60-69".into(),
                    body_region: BTreeSet::from(["chest".to_owned()]),
                    modality: BTreeSet::from(["CT".to_owned()]),
                    device: BTreeSet::from(["unknown".to_owned()]),
                    hospital_level: BTreeSet::from(["unknown".to_owned()]),
                    label: BTreeSet::from([if p % 5 == 0 { "nodule" } else { "none" }.to_owned()]),
                    grade: BTreeSet::new(),
                    series: 1,
                    images: 10,
                });
            }
        }
        out
    }

    #[test]
    fn ratios_are_read_and_refused() {
        assert_eq!(parse_ratios("70,15,15"), Ok([0.7, 0.15, 0.15]));
        assert_eq!(parse_ratios("2, 1, 1"), Ok([0.5, 0.25, 0.25]));
        for bad in ["70,30", "70,-15,45", "0,0,0", "a,b,c", "70,15,15,0"] {
            assert!(parse_ratios(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_patient_is_in_two_sets_and_the_ratios_are_met() {
        let f = facts(300);
        let s = split(&f, [0.7, 0.15, 0.15], &["sex".into(), "label".into()], 7).expect("split");
        assert_eq!(s.assignments.len(), f.len(), "every study once");
        let mut set_of: HashMap<&str, &str> = HashMap::new();
        for a in &s.assignments {
            let seen = set_of.entry(&a.patient).or_insert(a.set);
            assert_eq!(*seen, a.set, "patient {} in two sets", a.patient);
        }
        for (got, want) in s.achieved.iter().zip([0.7, 0.15, 0.15]) {
            assert!((got - want).abs() < 0.02, "achieved {:?}", s.achieved);
        }
        // Four strata (sex × nodule or not), each near the ratios: off by at most the
        // largest patient (3 studies) per set.
        assert_eq!(s.strata.len(), 4);
        for st in &s.strata {
            let n: usize = st.studies.iter().sum();
            for (k, want) in [0.7, 0.15, 0.15].iter().enumerate() {
                let off = (st.studies[k] as f64 - want * n as f64).abs();
                assert!(off <= 3.0, "{st:?}");
            }
        }
    }

    #[test]
    fn a_seed_gives_the_same_split_and_another_seed_another() {
        let f = facts(120);
        let a = split(&f, [0.7, 0.15, 0.15], &[], 42).expect("split");
        let b = split(&f, [0.7, 0.15, 0.15], &[], 42).expect("split");
        let c = split(&f, [0.7, 0.15, 0.15], &[], 43).expect("split");
        assert_eq!(a, b);
        assert_ne!(a.assignments, c.assignments);
        assert!(split(&f, [0.7, 0.15, 0.15], &["colour".into()], 1).is_err());
    }

    #[test]
    fn a_written_split_reads_back_and_a_bad_one_is_refused() {
        let s = split(&facts(40), [0.6, 0.2, 0.2], &["sex".into()], 9).expect("split");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("split.csv");
        std::fs::write(&path, to_csv(&s)).expect("write");
        let back = read_csv(&path).expect("reads");
        assert_eq!(back.assignments, s.assignments);
        assert_eq!(back.achieved, s.achieved);
        std::fs::write(
            &path,
            "PATIENT_ID,STUDY_INSTANCE_UID,SPLIT\r\nP1,1.2,holdout\r\n",
        )
        .expect("write");
        let err = read_csv(&path).expect_err("refused").to_string();
        assert!(
            err.contains("line 2") && err.contains("holdout") && err.contains("split.csv"),
            "{err}"
        );
    }

    #[test]
    fn the_csv_has_the_header_and_one_row_per_study() {
        let s = split(&facts(3), [1.0, 0.0, 0.0], &[], 1).expect("split");
        assert_eq!(
            to_csv(&s),
            "PATIENT_ID,STUDY_INSTANCE_UID,SPLIT\r\nP0000,1.2.0.0,train\r\nP0001,1.2.1.0,train\r\nP0001,1.2.1.1,train\r\nP0002,1.2.2.0,train\r\nP0002,1.2.2.1,train\r\nP0002,1.2.2.2,train\r\n"
        );
    }
}
