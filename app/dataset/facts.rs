//! What a dataset is described and split by, per study: the patient (claims
//! `PATIENT_ID`, else DICOM Patient ID), sex, age band, body region, modality, device,
//! hospital level, annotation labels and grades. Claims win over DICOM where both
//! say something (the claims are the insurer's record; DICOM headers of a
//! de-identified release are often blanked).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::annotate::shape::Shape;
use crate::claims::{ClaimsJoin, ClaimsTable, codes};
use crate::i18n::Language;
use crate::index::Index;

/// What is known of one study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudyFacts {
    /// Study Instance UID.
    pub study_uid: String,
    /// The patient key splits keep together.
    pub patient: String,
    /// `M`, `F`, else `unknown`.
    pub sex: String,
    /// `0-9`, `10-19`, …, `90+`, else `unknown`.
    pub age_band: String,
    /// Body regions (claims `CURE_PATH`, decoded in English), else `unknown`.
    pub body_region: BTreeSet<String>,
    /// Modalities of the study's series.
    pub modality: BTreeSet<String>,
    /// `Manufacturer Model` of the study's images.
    pub device: BTreeSet<String>,
    /// Hospital level (claims `HOSP_CNT_TYPE`, decoded), else `unknown`.
    pub hospital_level: BTreeSet<String>,
    /// Labels of the study's annotation shapes, else `none`.
    pub label: BTreeSet<String>,
    /// Suspicion grades of those shapes.
    pub grade: BTreeSet<String>,
    /// Number of series.
    pub series: usize,
    /// Number of images (instances).
    pub images: usize,
}

/// What is unknown is said so, not left out of counts.
const UNKNOWN: &str = "unknown";

/// The facts of every study of `index`, in index order.
pub fn study_facts(
    index: &Index,
    claims: Option<(&ClaimsTable, &ClaimsJoin)>,
    shapes: &[Shape],
) -> Vec<StudyFacts> {
    // The shapes of each study, grouped once (not one scan of all shapes per study).
    let mut by_study: HashMap<&str, Vec<&Shape>> = HashMap::new();
    for s in shapes {
        by_study
            .entry(s.image.study_uid.as_str())
            .or_default()
            .push(s);
    }
    index
        .patients
        .iter()
        .flat_map(|p| p.studies.iter().map(move |st| (p, st)))
        .map(|(patient, study)| {
            let rows: &[usize] =
                claims.map_or(&[], |(_, join)| join.rows_for_study(&study.study_uid));
            let claim = |column: &str| -> BTreeSet<String> {
                claims
                    .map(|(table, _)| {
                        rows.iter()
                            .filter_map(|&r| table.value(r, column))
                            .map(str::trim)
                            .filter(|v| !v.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let instances = || study.series.iter().flat_map(|se| se.instances.iter());
            let patient_key = claim("PATIENT_ID")
                .into_iter()
                .next()
                .unwrap_or_else(|| patient.patient_id.clone());
            let sex = claim("PATIENT_SEX")
                .into_iter()
                .next()
                .or_else(|| instances().find_map(|i| i.patient_sex.clone()))
                .map(|s| normalise_sex(&s))
                .unwrap_or_else(|| UNKNOWN.to_owned());
            let age = claim("PATIENT_AGE")
                .into_iter()
                .find_map(|a| a.parse::<f64>().ok())
                .or_else(|| {
                    instances().find_map(|i| i.patient_age.as_deref().and_then(dicom_age_years))
                });
            let decoded = |column: &str| -> BTreeSet<String> {
                let codes_seen = claim(column);
                let out: BTreeSet<String> = codes_seen
                    .iter()
                    .map(|c| {
                        codes::decode(column, c, Language::English)
                            .first()
                            .map_or_else(|| c.clone(), |t| (*t).to_owned())
                    })
                    .collect();
                if out.is_empty() { unknown() } else { out }
            };
            let on_study: &[&Shape] = by_study
                .get(study.study_uid.as_str())
                .map_or(&[], Vec::as_slice);
            let label: BTreeSet<String> = on_study.iter().map(|s| s.label.clone()).collect();
            StudyFacts {
                study_uid: study.study_uid.clone(),
                patient: patient_key,
                sex,
                age_band: age.map_or_else(|| UNKNOWN.to_owned(), age_band),
                body_region: decoded("CURE_PATH"),
                modality: non_empty(study.series.iter().filter_map(|se| se.modality.clone())),
                device: non_empty(instances().filter_map(|i| {
                    let text = [i.manufacturer.as_deref(), i.model_name.as_deref()]
                        .into_iter()
                        .flatten()
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ");
                    (!text.is_empty()).then_some(text)
                })),
                hospital_level: decoded("HOSP_CNT_TYPE"),
                label: if label.is_empty() {
                    ["none".to_owned()].into()
                } else {
                    label
                },
                grade: on_study
                    .iter()
                    .map(|s| s.grade.as_str().to_owned())
                    .collect(),
                series: study.series.len(),
                images: instances().count(),
            }
        })
        .collect()
}

/// `{"unknown"}`.
fn unknown() -> BTreeSet<String> {
    [UNKNOWN.to_owned()].into()
}

/// The values, else `{"unknown"}`.
fn non_empty(values: impl Iterator<Item = String>) -> BTreeSet<String> {
    let set: BTreeSet<String> = values.filter(|v| !v.trim().is_empty()).collect();
    if set.is_empty() { unknown() } else { set }
}

/// `M` / `F` from the claims' or DICOM's spelling (`M`, `F`, `1`, `2`, `男`, `女`).
fn normalise_sex(s: &str) -> String {
    match s.trim() {
        "M" | "m" | "1" | "男" => "M".to_owned(),
        "F" | "f" | "2" | "女" => "F".to_owned(),
        _ => UNKNOWN.to_owned(),
    }
}

/// A DICOM Age String (`063Y`, `018M`, `012W`, `007D`) in years.
fn dicom_age_years(s: &str) -> Option<f64> {
    let s = s.trim();
    let (number, unit) = s.split_at(s.len().checked_sub(1)?);
    let n: f64 = number.parse().ok()?;
    Some(match unit {
        "Y" => n,
        "M" => n / 12.0,
        "W" => n / 52.0,
        "D" => n / 365.0,
        _ => return None,
    })
}

/// The ten-year band of an age: `0-9`, …, `80-89`, `90+`.
pub fn age_band(years: f64) -> String {
    if !years.is_finite() || years < 0.0 {
        return UNKNOWN.to_owned();
    }
    let decade = (years / 10.0).floor() as u32;
    if decade >= 9 {
        "90+".to_owned()
    } else {
        format!("{}-{}", decade * 10, decade * 10 + 9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_fall_in_ten_year_bands() {
        assert_eq!(age_band(0.0), "0-9");
        assert_eq!(age_band(9.99), "0-9");
        assert_eq!(age_band(10.0), "10-19");
        assert_eq!(age_band(89.0), "80-89");
        assert_eq!(age_band(90.0), "90+");
        assert_eq!(age_band(104.0), "90+");
        assert_eq!(age_band(-1.0), "unknown");
        assert_eq!(dicom_age_years("063Y"), Some(63.0));
        assert_eq!(dicom_age_years("018M"), Some(1.5));
        assert_eq!(dicom_age_years("Y"), None);
        assert_eq!(dicom_age_years(""), None);
    }

    #[test]
    fn sexes_are_read_in_either_spelling() {
        for (s, want) in [
            ("M", "M"),
            ("2", "F"),
            ("女", "F"),
            ("O", "unknown"),
            ("", "unknown"),
        ] {
            assert_eq!(normalise_sex(s), want, "{s:?}");
        }
    }
}
