//! Keep/drop agreement: did two reviewers put the same studies, series and images on
//! the keep-list?
//!
//! One project holds one current decision per node, whoever took it, so each
//! reviewer's own calls come from the audit log instead: replaying, in order, only
//! the changes of the commands that reviewer applied (do, undo and redo alike) gives
//! the explicit decisions that reviewer made, and [`Effective::compute`] turns them
//! into a decision per image by the usual inheritance. A second reader who works in
//! a copy of the project brings their calls in with `lightbox decide import
//! --reviewer NAME`, which records them under that name.
//!
//! At each level a node is **kept** when any of its images is kept (it reaches
//! `TAKEOUT/`), **dropped** when all of them are dropped, and otherwise undecided.
//! Nodes either reviewer left undecided are counted apart, not as a disagreement:
//! the confusion matrix compares calls both made.

use std::collections::BTreeMap;

use serde::Serialize;

use super::classify::{Binary, binary};
use crate::review::{Decision, DecisionRecord, Decisions, Effective, Level, ReleaseImages};
use crate::store::AuditEntry;

/// Each reviewer's explicit decisions, replayed from the audit log (`log` oldest
/// first): a change counts for the reviewer who applied its command.
pub fn decisions_by_reviewer(log: &[AuditEntry]) -> BTreeMap<String, Decisions> {
    let mut out: BTreeMap<String, Decisions> = BTreeMap::new();
    for entry in log {
        let decisions = out.entry(entry.reviewer.clone()).or_default();
        match entry.new {
            Some(decision) => {
                decisions.set(
                    entry.target.clone(),
                    DecisionRecord {
                        decision,
                        reason: entry.reason.clone(),
                        reviewer: entry.reviewer.clone(),
                        time: entry.time.clone(),
                    },
                );
            }
            None => {
                decisions.clear(&entry.target);
            }
        }
    }
    out
}

/// The keep/drop agreement at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeepDropCalls {
    /// `study`, `series` or `image`.
    pub level: &'static str,
    /// Nodes at this level.
    pub nodes: usize,
    /// Nodes the reference or the test left undecided (left out of the matrix).
    pub undecided: usize,
    /// The test's calls against the reference's; positive = kept.
    #[serde(flatten)]
    pub calls: Binary,
}

/// The reference's and the test's call on one node (`None`: undecided).
type CallPair = (Option<bool>, Option<bool>);

/// How a node's images were decided, as one call.
fn call(c: crate::review::Counts) -> Option<bool> {
    if c.kept_images > 0 {
        Some(true)
    } else if c.images() > 0 && c.dropped_images == c.images() {
        Some(false)
    } else {
        None
    }
}

/// Keep/drop agreement per study, series and image of `release` between the
/// `reference`'s and the `test`'s explicit decisions.
pub fn keep_drop(
    release: &ReleaseImages,
    reference: &Decisions,
    test: &Decisions,
) -> Vec<KeepDropCalls> {
    let [r, t] = [reference, test].map(|d| Effective::compute(release, d));
    let spans = r.spans();
    let image_call = |d: Decision| match d {
        Decision::Keep => Some(true),
        Decision::Drop => Some(false),
        Decision::Undecided => None,
    };
    let levels: [(Level, Vec<CallPair>); 3] = [
        (
            Level::Study,
            (0..spans.studies.len())
                .map(|i| (call(r.study_counts(i)), call(t.study_counts(i))))
                .collect(),
        ),
        (
            Level::Series,
            (0..spans.series.len())
                .map(|i| (call(r.series_counts(i)), call(t.series_counts(i))))
                .collect(),
        ),
        (
            Level::Image,
            r.images()
                .iter()
                .zip(t.images())
                .map(|(&a, &b)| (image_call(a), image_call(b)))
                .collect(),
        ),
    ];
    levels
        .into_iter()
        .map(|(level, pairs)| {
            let both: Vec<(bool, bool)> =
                pairs.iter().filter_map(|&(a, b)| Some((a?, b?))).collect();
            let (a, b): (Vec<bool>, Vec<bool>) = both.into_iter().unzip();
            KeepDropCalls {
                level: level.as_str(),
                nodes: pairs.len(),
                undecided: pairs.len() - a.len(),
                calls: binary(&a, &b),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{ImageRef, Target};
    use crate::store::CommandKind;

    fn image(study: &str, series: &str, sop: &str) -> ImageRef {
        ImageRef {
            study_uid: study.into(),
            series_uid: series.into(),
            sop_uid: sop.into(),
            file_name: format!("{sop}.dcm"),
            bytes: 1,
            modality: None,
            body_part: None,
        }
    }

    fn entry(reviewer: &str, level: Level, uid: &str, new: Option<Decision>) -> AuditEntry {
        AuditEntry {
            seq: 0,
            command_id: 0,
            kind: CommandKind::Do,
            label: String::new(),
            reviewer: reviewer.into(),
            time: String::new(),
            target: Target {
                level,
                uid: uid.into(),
            },
            old: None,
            new,
            reason: String::new(),
        }
    }

    #[test]
    fn each_reviewer_keeps_their_own_calls_and_undecided_nodes_are_left_out() {
        // Two studies: s1 (series a: 2 images, b: 1), s2 (series c: 1), s3 (d: 1).
        let release = ReleaseImages::new(
            None,
            vec![
                image("s1", "a", "a1"),
                image("s1", "a", "a2"),
                image("s1", "b", "b1"),
                image("s2", "c", "c1"),
                image("s3", "d", "d1"),
            ],
        );
        use Decision::{Drop, Keep};
        let log = vec![
            // Ana keeps s1 and drops s2; Bo then drops series b, keeps s2, later undoes
            // a drop of s3 (it leaves s3 undecided for Bo); Ana drops s3.
            entry("ana", Level::Study, "s1", Some(Keep)),
            entry("ana", Level::Study, "s2", Some(Drop)),
            entry("bo", Level::Series, "b", Some(Drop)),
            entry("bo", Level::Study, "s2", Some(Keep)),
            entry("bo", Level::Study, "s3", Some(Drop)),
            entry("bo", Level::Study, "s3", None),
            entry("ana", Level::Study, "s3", Some(Drop)),
        ];
        let by = decisions_by_reviewer(&log);
        assert_eq!(by.len(), 2);
        let calls = keep_drop(&release, &by["ana"], &by["bo"]);
        let level = |name: &str| calls.iter().find(|c| c.level == name).expect(name);
        // Studies: s1 ana kept, bo undecided (series a undecided, b dropped) → out;
        // s2 ana dropped, bo kept → FP; s3 bo undecided → out.
        let study = level("study");
        assert_eq!((study.nodes, study.undecided), (3, 2));
        assert_eq!((study.calls.tp, study.calls.fp), (0, 1));
        // Series: a (ana keep, bo undecided) out; b (keep, drop) FN; c (drop, keep)
        // FP; d out.
        let series = level("series");
        assert_eq!((series.nodes, series.undecided), (4, 2));
        assert_eq!(
            (series.calls.tp, series.calls.fp, series.calls.fn_),
            (0, 1, 1)
        );
        // Images: a1, a2 out; b1 FN; c1 FP; d1 out.
        let images = level("image");
        assert_eq!((images.nodes, images.undecided), (5, 3));
        assert_eq!(
            (images.calls.fp, images.calls.fn_, images.calls.tn),
            (1, 1, 0)
        );
    }

    #[test]
    fn a_study_with_any_kept_image_is_kept() {
        let release =
            ReleaseImages::new(None, vec![image("s1", "a", "a1"), image("s1", "b", "b1")]);
        let log = vec![
            entry("ana", Level::Study, "s1", Some(Decision::Drop)),
            entry("ana", Level::Image, "b1", Some(Decision::Keep)),
            entry("bo", Level::Study, "s1", Some(Decision::Keep)),
        ];
        let by = decisions_by_reviewer(&log);
        let calls = keep_drop(&release, &by["ana"], &by["bo"]);
        assert_eq!(calls[0].calls.tp, 1, "both put s1 on the keep-list");
        assert_eq!(calls[2].calls.fp, 1, "a1: ana dropped it, bo kept it");
    }
}
