//! Classification agreement per study and series: did both readers call a label
//! there, how do their suspicion grades agree, did they keep the same things; with
//! a model's scores, ROC and AUC (95 % interval by a patient bootstrap).
//!
//! A reader calls a label on a study (series) when they drew any shape of it there;
//! a model's score for a study is the highest score of its shapes of the label there,
//! and a study it drew nothing on ranks below every scored one (its ROC threshold is
//! −∞, written `null`).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::bootstrap::{BootstrapOptions, Interval, by_patient};
use super::classify::{self, Binary};
use super::keep_drop::{KeepDropCalls, keep_drop};
use super::scored::{Roc, roc};
use super::{Inputs, Patients};
use crate::annotate::shape::{Grade, Shape};

/// Whether both annotators called a label on a study (or series).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelCalls {
    /// The label.
    pub label: String,
    /// `study` or `series`.
    pub level: &'static str,
    /// The test's calls against the reference's, over every study (series) of the
    /// release: positive when the annotator drew any shape of the label on it.
    #[serde(flatten)]
    pub calls: Binary,
    /// The test's scores against the reference's calls, when the test's shapes carry
    /// scores and both classes occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roc: Option<Roc>,
    /// The AUC's 95 % interval, bootstrapping patients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auc_ci: Option<Interval>,
}

/// The classification part of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// Studies of the release.
    pub studies: usize,
    /// Series of the release.
    pub series: usize,
    /// Per label, per study and per series.
    pub labels: Vec<LabelCalls>,
    /// Linear-weighted kappa of the highest suspicion grade each annotator gave each
    /// study (`none` where they drew nothing).
    pub grade_kappa: Option<f64>,
    /// Keep/drop per study, series and image, when both readers decided something
    /// (their own decisions, replayed from the audit log).
    pub keep_drop: Vec<KeepDropCalls>,
}

/// The shapes of one annotator.
fn by<'a>(shapes: &'a [Shape], annotator: &'a str) -> impl Iterator<Item = &'a Shape> + 'a {
    shapes.iter().filter(move |s| s.annotator == annotator)
}

/// The node (`node_of`) and score of each of `annotator`'s shapes of `label`.
fn of_label<'s>(
    shapes: &'s [Shape],
    annotator: &'s str,
    label: &'s str,
    node_of: fn(&Shape) -> &str,
) -> impl Iterator<Item = (&'s str, Option<f64>)> + 's {
    shapes
        .iter()
        .filter(move |s| s.annotator == annotator && s.label == label)
        .map(move |s| (node_of(s), s.score))
}

/// One level's nodes (studies or series), sorted, with each node's patient.
struct Level<'a> {
    name: &'static str,
    nodes: Vec<&'a str>,
    patient: Vec<usize>,
    node_of: fn(&Shape) -> &str,
}

/// Labels, grades and keep/drop of the two annotators; `scored` when the test's
/// shapes carry scores.
pub(super) fn classification(
    inputs: &Inputs<'_>,
    patients: &Patients,
    reference: &str,
    test: &str,
    scored: bool,
    bootstrap: BootstrapOptions,
) -> Classification {
    let shapes = inputs.shapes;
    let study_of_series: HashMap<&str, &str> = inputs
        .frames
        .iter()
        .map(|f| (f.series_uid.as_str(), f.study_uid.as_str()))
        .collect();
    let studies: BTreeSet<&str> = study_of_series.values().copied().collect();
    let series: BTreeSet<&str> = study_of_series.keys().copied().collect();
    let levels = [
        Level {
            name: "study",
            patient: studies.iter().map(|s| patients.of(s)).collect(),
            nodes: studies.iter().copied().collect(),
            node_of: |s| s.image.study_uid.as_str(),
        },
        Level {
            name: "series",
            patient: series
                .iter()
                .map(|s| patients.of(study_of_series.get(s).copied().unwrap_or(s)))
                .collect(),
            nodes: series.iter().copied().collect(),
            node_of: |s| s.image.series_uid.as_str(),
        },
    ];
    let labels: BTreeSet<&str> = by(shapes, reference)
        .chain(by(shapes, test))
        .map(|s| s.label.as_str())
        .collect();
    let mut out = Vec::new();
    for label in labels {
        for level in &levels {
            out.push(label_calls(
                shapes, level, label, reference, test, scored, patients, bootstrap,
            ));
        }
    }
    let keep_drop = match (inputs.decisions.get(reference), inputs.decisions.get(test)) {
        (Some(r), Some(t)) if !r.is_empty() && !t.is_empty() => keep_drop(inputs.release, r, t),
        _ => Vec::new(),
    };
    Classification {
        studies: studies.len(),
        series: series.len(),
        labels: out,
        grade_kappa: grade_kappa(shapes, &levels[0].nodes, reference, test),
        keep_drop,
    }
}

/// One label at one level.
#[allow(clippy::too_many_arguments)]
fn label_calls(
    shapes: &[Shape],
    level: &Level<'_>,
    label: &str,
    reference: &str,
    test: &str,
    scored: bool,
    patients: &Patients,
    bootstrap: BootstrapOptions,
) -> LabelCalls {
    let called = |annotator: &str| -> Vec<bool> {
        let on: BTreeSet<&str> = of_label(shapes, annotator, label, level.node_of)
            .map(|(n, _)| n)
            .collect();
        level.nodes.iter().map(|n| on.contains(n)).collect()
    };
    let truth = called(reference);
    let calls = classify::binary(&truth, &called(test));
    let (roc, auc_ci) = if scored {
        let mut best: HashMap<&str, f64> = HashMap::new();
        for (node, score) in of_label(shapes, test, label, level.node_of) {
            let score = score.unwrap_or(f64::NEG_INFINITY);
            let b = best.entry(node).or_insert(f64::NEG_INFINITY);
            *b = b.max(score);
        }
        let scores: Vec<f64> = level
            .nodes
            .iter()
            .map(|n| best.get(n).copied().unwrap_or(f64::NEG_INFINITY))
            .collect();
        let items: Vec<usize> = (0..level.nodes.len()).collect();
        let ci = by_patient(
            &items,
            |&i| level.patient[i],
            patients.count(),
            bootstrap,
            |sample| {
                let t: Vec<bool> = sample.iter().map(|&&i| truth[i]).collect();
                let s: Vec<f64> = sample.iter().map(|&&i| scores[i]).collect();
                roc(&t, &s).map(|r| r.auc)
            },
        );
        (roc(&truth, &scores), ci)
    } else {
        (None, None)
    };
    LabelCalls {
        label: label.to_owned(),
        level: level.name,
        calls,
        auc_ci: roc.as_ref().and(auc_ci),
        roc,
    }
}

/// Linear-weighted kappa of each annotator's highest grade per study.
fn grade_kappa(shapes: &[Shape], studies: &[&str], reference: &str, test: &str) -> Option<f64> {
    let highest = |annotator: &str| -> Vec<usize> {
        let mut max: HashMap<&str, usize> = HashMap::new();
        for s in by(shapes, annotator) {
            let m = max.entry(s.image.study_uid.as_str()).or_default();
            *m = (*m).max(s.grade as usize);
        }
        studies
            .iter()
            .map(|st| max.get(st).copied().unwrap_or(0))
            .collect()
    };
    classify::kappa(
        &highest(reference),
        &highest(test),
        Grade::ALL.len(),
        classify::Weights::Linear,
    )
}
