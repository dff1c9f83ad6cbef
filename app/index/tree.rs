//! Patient → Study → Series → Instance, in the order a reader expects.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::instance::Instance;

/// A series: instances sorted along the slice normal (or by number, then file name).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Series {
    /// Series Instance UID.
    pub series_uid: String,
    /// Modality of the series (from its first instance).
    pub modality: Option<String>,
    /// Series Number.
    pub number: Option<i64>,
    /// Series Description.
    pub description: Option<String>,
    /// Body Part Examined.
    pub body_part: Option<String>,
    /// The instances in display order.
    pub instances: Vec<Instance>,
}

/// A study and its series, sorted by series number.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Study {
    /// Study Instance UID.
    pub study_uid: String,
    /// Patient ID.
    pub patient_id: String,
    /// Study Date (`YYYYMMDD`).
    pub study_date: Option<String>,
    /// Study Description.
    pub description: Option<String>,
    /// Accession Number.
    pub accession_number: Option<String>,
    /// The series.
    pub series: Vec<Series>,
}

impl Study {
    /// Distinct modalities of the study's series, in series order.
    pub fn modalities(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in self.series.iter().filter_map(|s| s.modality.clone()) {
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }

    /// Number of instances in the study.
    pub fn instance_count(&self) -> usize {
        self.series.iter().map(|s| s.instances.len()).sum()
    }
}

/// A patient and their studies, sorted by date.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Patient {
    /// Patient ID.
    pub patient_id: String,
    /// The studies.
    pub studies: Vec<Study>,
}

/// Groups instances into the tree and sorts every level.
pub fn build(instances: Vec<Instance>) -> Vec<Patient> {
    let mut by_study: BTreeMap<String, BTreeMap<String, Vec<Instance>>> = BTreeMap::new();
    for inst in instances {
        by_study
            .entry(inst.study_uid.clone())
            .or_default()
            .entry(inst.series_uid.clone())
            .or_default()
            .push(inst);
    }
    let mut patients: BTreeMap<String, Vec<Study>> = BTreeMap::new();
    for (study_uid, series_map) in by_study {
        let mut series: Vec<Series> = series_map
            .into_iter()
            .map(|(series_uid, mut instances)| {
                sort_instances(&mut instances);
                let first = &instances[0];
                Series {
                    series_uid,
                    modality: first.modality.clone(),
                    number: first.series_number,
                    description: first.series_description.clone(),
                    body_part: first.body_part.clone(),
                    instances,
                }
            })
            .collect();
        series.sort_by(|a, b| {
            (a.number.is_none(), a.number, &a.series_uid).cmp(&(
                b.number.is_none(),
                b.number,
                &b.series_uid,
            ))
        });
        let first = &series[0].instances[0];
        let study = Study {
            study_uid,
            patient_id: first.patient_id.clone(),
            study_date: first.study_date.clone(),
            description: first.study_description.clone(),
            accession_number: first.accession_number.clone(),
            series,
        };
        patients
            .entry(study.patient_id.clone())
            .or_default()
            .push(study);
    }
    patients
        .into_iter()
        .map(|(patient_id, mut studies)| {
            studies
                .sort_by(|a, b| (&a.study_date, &a.study_uid).cmp(&(&b.study_date, &b.study_uid)));
            Patient {
                patient_id,
                studies,
            }
        })
        .collect()
}

/// Sorts a series for display.
///
/// When every instance has Image Position and Orientation and they share one
/// normal, instances are ordered by their distance along it; the direction is
/// chosen so that Instance Numbers, when present, increase (the order the
/// scanner meant), else ascending along the normal. Otherwise by Instance
/// Number, then file name. Ties are broken by Instance Number, then file name.
pub fn sort_instances(instances: &mut [Instance]) {
    let by_number_then_name = |a: &Instance, b: &Instance| {
        (a.number.is_none(), a.number, &a.file_name).cmp(&(
            b.number.is_none(),
            b.number,
            &b.file_name,
        ))
    };
    let normal = instances.first().and_then(Instance::normal);
    let geometric = normal.filter(|n| {
        instances.iter().all(|i| {
            i.position_mm.is_some()
                && i.normal()
                    .is_some_and(|m| n.iter().zip(m).all(|(a, b)| (a - b).abs() < 1e-3))
        })
    });
    let Some(n) = geometric else {
        instances.sort_by(by_number_then_name);
        return;
    };
    let distance = |i: &Instance| {
        i.position_mm
            .map_or(0.0, |p| p[0] * n[0] + p[1] * n[1] + p[2] * n[2])
    };
    instances.sort_by(|a, b| {
        distance(a)
            .total_cmp(&distance(b))
            .then_with(|| by_number_then_name(a, b))
    });
    // Let the scanner's numbering pick the direction when it disagrees with ascending.
    let numbered: Vec<i64> = instances.iter().filter_map(|i| i.number).collect();
    if numbered.len() == instances.len() && numbered.len() > 1 {
        let rising = numbered.windows(2).filter(|w| w[1] > w[0]).count();
        let falling = numbered.windows(2).filter(|w| w[1] < w[0]).count();
        if falling > rising {
            instances.reverse();
        }
    }
}
