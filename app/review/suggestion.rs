//! Suggestions: what the pre-labelling rules ([`crate::rules`]) proposed for a study
//! or series, kept in the project store until a person accepts or rejects each one,
//! and the study and series labels that accepting gives.
//!
//! Nothing a rule proposes counts until a person accepts it, so a suggestion is a
//! separate thing from a decision: it has its own table, its own status and its own
//! audit rows, and accepting one is an ordinary command that sets the decision (and
//! the label) it proposed, undoable like any other. Storing the rules' proposals again
//! after the rules changed ([`reconcile`]) never forgets what a person did: reviewed
//! suggestions stay, and only a proposal whose content changed asks again.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{DecisionRecord, Level, Target};
use crate::rules::{Proposal, RuleLevel};
use crate::store::{Change, LabelChange, StoreCommand, SuggestionChange};

/// Where a suggestion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    /// Proposed, not reviewed yet.
    Pending,
    /// A person accepted it: its decision and label were set.
    Accepted,
    /// A person rejected it.
    Rejected,
}

impl SuggestionStatus {
    /// The stable lower-case name used in the store and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }
}

/// One rule's proposal for one study or series, and what a person made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// What the rule proposed, with its provenance.
    pub proposal: Proposal,
    /// Pending, accepted or rejected.
    pub status: SuggestionStatus,
    /// Who accepted or rejected it (empty while pending).
    pub reviewer: String,
    /// When it was proposed or last reviewed (RFC 3339 UTC).
    pub time: String,
}

impl Suggestion {
    /// Its key in the store: level, target UID and rule name.
    pub fn id(&self) -> String {
        suggestion_id(&self.proposal)
    }

    /// The study or series it is about.
    pub fn target(&self) -> Target {
        target_of(&self.proposal)
    }
}

/// The store key of a proposal: one suggestion per rule and target.
pub fn suggestion_id(proposal: &Proposal) -> String {
    let target = target_of(proposal);
    format!("{}|{}|{}", target.level.as_str(), target.uid, proposal.rule)
}

/// The study or series a proposal is about.
pub fn target_of(proposal: &Proposal) -> Target {
    match (proposal.level, &proposal.series_uid) {
        (RuleLevel::Series, Some(series)) => Target {
            level: Level::Series,
            uid: series.clone(),
        },
        _ => Target {
            level: Level::Study,
            uid: proposal.study_uid.clone(),
        },
    }
}

/// A label on a study or series (not on a shape): what a study shows, as a person
/// confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TargetLabel {
    /// The study or series.
    pub target: Target,
    /// The label's name.
    pub label: String,
}

impl TargetLabel {
    /// Its key in the store's audit log: `level|uid|label`.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.target.level.as_str(),
            self.target.uid,
            self.label
        )
    }
}

/// Who gave a study or series a label, when, and through which rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRecord {
    /// The rule whose suggestion was accepted (empty when given by hand).
    pub rule: String,
    /// Who.
    pub reviewer: String,
    /// When (RFC 3339 UTC).
    pub time: String,
}

/// The changes that store `proposals` as the current suggestions, given the stored
/// ones: new proposals are added as pending; a proposal stored with the same content
/// is left as it is (reviewed or not); one whose content changed (another label,
/// decision or provenance) is pending again; pending suggestions that no rule proposes
/// any more are removed; reviewed ones stay, as the record of what a person did.
pub fn reconcile(
    stored: &BTreeMap<String, Suggestion>,
    proposals: &[Proposal],
    time: &str,
) -> Vec<SuggestionChange> {
    let mut changes = Vec::new();
    let mut proposed = BTreeSet::new();
    for proposal in proposals {
        let id = suggestion_id(proposal);
        if !proposed.insert(id.clone()) {
            continue;
        }
        if stored.get(&id).is_some_and(|s| &s.proposal == proposal) {
            continue;
        }
        changes.push(SuggestionChange {
            id,
            new: Some(Suggestion {
                proposal: proposal.clone(),
                status: SuggestionStatus::Pending,
                reviewer: String::new(),
                time: time.to_owned(),
            }),
        });
    }
    for (id, s) in stored {
        if s.status == SuggestionStatus::Pending && !proposed.contains(id) {
            changes.push(SuggestionChange {
                id: id.clone(),
                new: None,
            });
        }
    }
    changes
}

/// What reviewing a set of suggestions will do.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    /// The command to apply (empty when nothing is to be done).
    pub command: StoreCommand,
    /// Suggestions it accepts or rejects.
    pub reviewed: usize,
    /// Pending suggestions left alone because another pending suggestion in the same
    /// set proposes the opposite decision for the same target.
    pub conflicting: usize,
}

/// Accepts the pending suggestions among `ids`: each one's decision is set on its
/// target with the reason `rule: <name>`, its label is given to the target, and it is
/// marked accepted, all in one command. Where the set proposes both keep and drop for
/// one target, those suggestions are left pending: a person must choose.
pub fn accept(
    stored: &BTreeMap<String, Suggestion>,
    ids: &[String],
    reviewer: &str,
    time: &str,
) -> Review {
    let pending = pending_among(stored, ids);
    let mut decisions_by_target: BTreeMap<Target, BTreeSet<&str>> = BTreeMap::new();
    for s in &pending {
        if let Some(d) = s.proposal.decision {
            decisions_by_target
                .entry(s.target())
                .or_default()
                .insert(d.as_str());
        }
    }
    let in_conflict = |s: &Suggestion| {
        s.proposal.decision.is_some()
            && decisions_by_target
                .get(&s.target())
                .is_some_and(|d| d.len() > 1)
    };
    let mut changes = Vec::new();
    let mut labels = Vec::new();
    let mut statuses = Vec::new();
    let mut conflicting = 0;
    for s in pending {
        if in_conflict(s) {
            conflicting += 1;
            continue;
        }
        let target = s.target();
        if let Some(decision) = s.proposal.decision {
            changes.push(Change {
                target: target.clone(),
                new: Some(DecisionRecord {
                    decision,
                    reason: format!("rule: {}", s.proposal.rule),
                    reviewer: reviewer.to_owned(),
                    time: time.to_owned(),
                }),
            });
        }
        if let Some(label) = &s.proposal.label {
            labels.push(LabelChange {
                key: TargetLabel {
                    target,
                    label: label.clone(),
                },
                new: Some(LabelRecord {
                    rule: s.proposal.rule.clone(),
                    reviewer: reviewer.to_owned(),
                    time: time.to_owned(),
                }),
            });
        }
        statuses.push(reviewed(s, SuggestionStatus::Accepted, reviewer, time));
    }
    let reviewed = statuses.len();
    let command = StoreCommand {
        changes,
        labels,
        suggestions: statuses,
        ..StoreCommand::new(command_label("accept", reviewed), Vec::new())
    };
    Review {
        command,
        reviewed,
        conflicting,
    }
}

/// Rejects the pending suggestions among `ids`, in one command; nothing else changes.
pub fn reject(
    stored: &BTreeMap<String, Suggestion>,
    ids: &[String],
    reviewer: &str,
    time: &str,
) -> Review {
    let statuses: Vec<SuggestionChange> = pending_among(stored, ids)
        .into_iter()
        .map(|s| reviewed(s, SuggestionStatus::Rejected, reviewer, time))
        .collect();
    let reviewed = statuses.len();
    Review {
        command: StoreCommand {
            suggestions: statuses,
            ..StoreCommand::new(command_label("reject", reviewed), Vec::new())
        },
        reviewed,
        conflicting: 0,
    }
}

fn pending_among<'a>(
    stored: &'a BTreeMap<String, Suggestion>,
    ids: &[String],
) -> Vec<&'a Suggestion> {
    let mut seen = BTreeSet::new();
    ids.iter()
        .filter(|id| seen.insert(id.as_str()))
        .filter_map(|id| stored.get(id))
        .filter(|s| s.status == SuggestionStatus::Pending)
        .collect()
}

fn reviewed(
    s: &Suggestion,
    status: SuggestionStatus,
    reviewer: &str,
    time: &str,
) -> SuggestionChange {
    SuggestionChange {
        id: s.id(),
        new: Some(Suggestion {
            status,
            reviewer: reviewer.to_owned(),
            time: time.to_owned(),
            ..s.clone()
        }),
    }
}

fn command_label(verb: &str, n: usize) -> String {
    if n == 1 {
        format!("{verb} 1 suggestion")
    } else {
        format!("{verb} {n} suggestions")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{Decision, ImageRef, ReleaseImages, ReviewSession};
    use crate::rules::Matched;

    fn proposal(
        rule: &str,
        level: RuleLevel,
        series: Option<&str>,
        decision: Option<Decision>,
    ) -> Proposal {
        Proposal {
            rule: rule.into(),
            level,
            study_uid: "1.1".into(),
            series_uid: series.map(str::to_owned),
            label: Some("nodule".into()),
            decision,
            matched: vec![Matched {
                field: "ICD2".into(),
                value: "C34.11".into(),
            }],
        }
    }

    fn stored(ps: &[Proposal]) -> BTreeMap<String, Suggestion> {
        ps.iter()
            .map(|p| {
                let s = Suggestion {
                    proposal: p.clone(),
                    status: SuggestionStatus::Pending,
                    reviewer: String::new(),
                    time: "t0".into(),
                };
                (s.id(), s)
            })
            .collect()
    }

    #[test]
    fn ids_name_level_target_and_rule() {
        let p = proposal("lung", RuleLevel::Series, Some("1.1.2"), None);
        assert_eq!(suggestion_id(&p), "series|1.1.2|lung");
        let p = proposal("lung", RuleLevel::Study, None, None);
        assert_eq!(suggestion_id(&p), "study|1.1|lung");
    }

    #[test]
    fn reconcile_keeps_reviewed_and_replaces_changed() {
        let a = proposal("a", RuleLevel::Study, None, Some(Decision::Keep));
        let b = proposal("b", RuleLevel::Study, None, Some(Decision::Keep));
        let c = proposal("c", RuleLevel::Study, None, None);
        let mut store = stored(&[a.clone(), b.clone(), c.clone()]);
        if let Some(s) = store.get_mut("study|1.1|b") {
            s.status = SuggestionStatus::Rejected;
        }
        // The rules now propose a (same), a changed c, and no longer b nor a new d.
        let mut c2 = c.clone();
        c2.label = Some("mass".into());
        let d = proposal("d", RuleLevel::Series, Some("1.1.1"), None);
        let changes = reconcile(&store, &[a, c2.clone(), d.clone()], "t1");
        let ids: Vec<(&str, bool)> = changes
            .iter()
            .map(|c| (c.id.as_str(), c.new.is_some()))
            .collect();
        // a unchanged (left out); b rejected (kept, not touched); c replaced; d added.
        assert_eq!(ids, [("study|1.1|c", true), ("series|1.1.1|d", true)]);
        assert_eq!(changes[0].new.as_ref().map(|s| &s.proposal), Some(&c2));
        // A pending suggestion no rule proposes any more goes.
        let changes = reconcile(&store, &[], "t2");
        let gone: Vec<&str> = changes
            .iter()
            .filter(|c| c.new.is_none())
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(gone, ["study|1.1|a", "study|1.1|c"]);
    }

    #[test]
    fn accept_sets_decision_label_and_status_but_leaves_conflicts() {
        let keep = proposal("keep it", RuleLevel::Study, None, Some(Decision::Keep));
        let drop = proposal("drop it", RuleLevel::Study, None, Some(Decision::Drop));
        let series = proposal(
            "scout",
            RuleLevel::Series,
            Some("1.1.2"),
            Some(Decision::Drop),
        );
        let store = stored(&[keep, drop, series]);
        let ids: Vec<String> = store.keys().cloned().collect();
        let review = accept(&store, &ids, "dr.lin", "t1");
        assert_eq!((review.reviewed, review.conflicting), (1, 2));
        let cmd = &review.command;
        assert_eq!(cmd.changes.len(), 1);
        assert_eq!(
            cmd.changes[0].target,
            Target {
                level: Level::Series,
                uid: "1.1.2".into()
            }
        );
        let record = cmd.changes[0].new.as_ref().expect("decision");
        assert_eq!(
            (record.decision, record.reason.as_str()),
            (Decision::Drop, "rule: scout")
        );
        assert_eq!(cmd.labels.len(), 1);
        assert_eq!(
            cmd.suggestions[0].new.as_ref().map(|s| s.status),
            Some(SuggestionStatus::Accepted)
        );
        // Accepting one side of the conflict alone is a person's choice: allowed.
        let review = accept(&store, &["study|1.1|keep it".to_owned()], "dr.lin", "t1");
        assert_eq!((review.reviewed, review.conflicting), (1, 0));
        // Already reviewed suggestions are not reviewed again.
        let review = reject(
            &store,
            &["nope".to_owned(), "study|1.1|drop it".to_owned()],
            "dr.lin",
            "t1",
        );
        assert_eq!(review.reviewed, 1);
        assert!(review.command.changes.is_empty() && review.command.labels.is_empty());
    }

    #[test]
    fn session_accepts_undoes_and_reopens() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.lightbox.sqlite");
        let image = |series: &str, n: u32| ImageRef {
            study_uid: "1.1".into(),
            series_uid: series.into(),
            sop_uid: format!("{series}.{n}"),
            file_name: format!("IM{n}.dcm"),
            bytes: 10,
            modality: Some("CT".into()),
            body_part: None,
        };
        let images = ReleaseImages::new(None, vec![image("1.1.1", 1), image("1.1.2", 1)]);
        let (mut s, _) = ReviewSession::open(images.clone(), &path, "dr.lin").expect("open");
        let p = proposal("lung", RuleLevel::Study, None, Some(Decision::Keep));
        s.apply(&s.store_proposals_command("apply rules", std::slice::from_ref(&p)))
            .expect("store");
        assert_eq!(s.suggestions().len(), 1);
        assert_eq!(
            s.counts("1.1").map(|c| c.kept_images),
            Some(0),
            "a suggestion is not a decision"
        );
        let review = s.accept_suggestions(&["study|1.1|lung".to_owned()]);
        s.apply(&review.command).expect("accept");
        assert_eq!(s.counts("1.1").map(|c| c.kept_images), Some(2));
        assert_eq!(s.target_labels().len(), 1);
        assert_eq!(
            s.store().review_audit_len().expect("log"),
            3,
            "stored + accepted + label"
        );
        s.undo().expect("undo");
        assert_eq!(s.counts("1.1").map(|c| c.kept_images), Some(0));
        assert!(s.target_labels().is_empty());
        assert_eq!(
            s.suggestions().values().next().map(|x| x.status),
            Some(SuggestionStatus::Pending)
        );
        s.redo().expect("redo");
        drop(s);
        let (s, _) = ReviewSession::open(images, &path, "dr.lin").expect("reopen");
        assert_eq!(s.counts("1.1").map(|c| c.kept_images), Some(2));
        let label = s
            .target_labels()
            .iter()
            .next()
            .map(|(k, r)| (k.label.clone(), r.rule.clone()));
        assert_eq!(label, Some(("nodule".into(), "lung".into())));
        assert_eq!(
            s.suggestions().values().next().map(|x| x.status),
            Some(SuggestionStatus::Accepted)
        );
    }
}
