//! The description of a dataset (YY/T 1858-2022 asks for a test set described by
//! age, sex, region and device): patients, studies, series and images, overall and by
//! the value of each attribute. A study with several values of an attribute (two
//! modalities, two labels) counts under each, so the rows of an attribute may sum to
//! more than the total.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::facts::StudyFacts;
use super::split::values_of;

/// How many patients, studies and images have a value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValueCounts {
    /// Distinct patients.
    pub patients: usize,
    /// Studies.
    pub studies: usize,
    /// Images (instances).
    pub images: usize,
}

/// The counts of a set of studies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Description {
    /// Distinct patients.
    pub patients: usize,
    /// Studies.
    pub studies: usize,
    /// Series.
    pub series: usize,
    /// Images (instances).
    pub images: usize,
    /// Attribute → value → counts.
    pub by: BTreeMap<String, BTreeMap<String, ValueCounts>>,
}

/// The attributes a description counts by, with the name the JSON gives each.
pub const BY: [(&str, &str); 8] = [
    ("sex", "sex"),
    ("age_band", "age_band"),
    ("body_region", "body_region"),
    ("modality", "modality"),
    ("device", "manufacturer"),
    ("hospital_level", "hospital_level"),
    ("label", "label"),
    ("grade", "grade"),
];

/// Describes `facts`.
pub fn describe<'a>(facts: impl IntoIterator<Item = &'a StudyFacts>) -> Description {
    let facts: Vec<&StudyFacts> = facts.into_iter().collect();
    let patients: BTreeSet<&str> = facts.iter().map(|f| f.patient.as_str()).collect();
    let mut by: BTreeMap<String, BTreeMap<String, ValueCounts>> = BTreeMap::new();
    for (attribute, name) in BY {
        let mut seen: BTreeMap<String, (BTreeSet<&str>, usize, usize)> = BTreeMap::new();
        for f in &facts {
            for value in values_of(f, attribute) {
                let entry = seen.entry(value).or_default();
                entry.0.insert(f.patient.as_str());
                entry.1 += 1;
                entry.2 += f.images;
            }
        }
        by.insert(
            name.to_owned(),
            seen.into_iter()
                .map(|(value, (p, studies, images))| {
                    (
                        value,
                        ValueCounts {
                            patients: p.len(),
                            studies,
                            images,
                        },
                    )
                })
                .collect(),
        );
    }
    Description {
        patients: patients.len(),
        studies: facts.len(),
        series: facts.iter().map(|f| f.series).sum(),
        images: facts.iter().map(|f| f.images).sum(),
        by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn study(uid: &str, patient: &str, sex: &str, modality: &[&str], images: usize) -> StudyFacts {
        StudyFacts {
            study_uid: uid.into(),
            patient: patient.into(),
            sex: sex.into(),
            age_band: "60-69".into(),
            body_region: ["chest".to_owned()].into(),
            modality: modality.iter().map(|m| (*m).to_owned()).collect(),
            device: ["unknown".to_owned()].into(),
            hospital_level: ["medical centre".to_owned()].into(),
            label: ["none".to_owned()].into(),
            grade: BTreeSet::new(),
            series: modality.len(),
            images,
        }
    }

    #[test]
    fn counts_by_value_with_patients_counted_once() {
        let facts = [
            study("1", "A", "M", &["CT"], 10),
            study("2", "A", "M", &["CT", "PT"], 20),
            study("3", "B", "F", &["MR"], 5),
        ];
        let d = describe(&facts);
        assert_eq!((d.patients, d.studies, d.series, d.images), (2, 3, 4, 35));
        let m = &d.by["modality"];
        assert_eq!(
            m["CT"],
            ValueCounts {
                patients: 1,
                studies: 2,
                images: 30
            }
        );
        assert_eq!(
            m["PT"],
            ValueCounts {
                patients: 1,
                studies: 1,
                images: 20
            }
        );
        assert_eq!(
            d.by["sex"]["F"],
            ValueCounts {
                patients: 1,
                studies: 1,
                images: 5
            }
        );
        assert!(d.by["grade"].is_empty());
        assert!(d.by.contains_key("manufacturer"));
    }
}
