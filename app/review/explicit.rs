//! The decisions a reviewer has set explicitly, and changes to apply to them.
//!
//! Only explicit decisions are stored (in the project store, in a decisions csv);
//! what every image ends up as is derived from them by [`super::effective`]. A
//! sorted map keeps exports and comparisons deterministic.

use std::collections::BTreeMap;

use super::{Decision, DecisionRecord, Target};

/// One decision to set on one node, as an import produces it (who and when are
/// added by [`Decisions::apply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The node.
    pub target: Target,
    /// The decision to set on it (`Undecided` sets an explicit override).
    pub decision: Decision,
    /// The reason to record (may be empty).
    pub reason: String,
}

/// The explicit decisions of a review, one at most per node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    records: BTreeMap<Target, DecisionRecord>,
}

impl Decisions {
    /// No decisions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the decision on `target`, returning the one it replaces.
    pub fn set(&mut self, target: Target, record: DecisionRecord) -> Option<DecisionRecord> {
        self.records.insert(target, record)
    }

    /// Removes the decision on `target` (the node inherits again), returning it.
    pub fn clear(&mut self, target: &Target) -> Option<DecisionRecord> {
        self.records.remove(target)
    }

    /// The explicit decision on `target`.
    pub fn get(&self, target: &Target) -> Option<&DecisionRecord> {
        self.records.get(target)
    }

    /// Every explicit decision, sorted by level then UID.
    pub fn iter(&self) -> impl Iterator<Item = (&Target, &DecisionRecord)> {
        self.records.iter()
    }

    /// How many nodes carry an explicit decision.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when nothing has been decided explicitly.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Sets every change, stamped with `reviewer` and `time` (RFC 3339 UTC).
    pub fn apply(&mut self, changes: &[Change], reviewer: &str, time: &str) {
        for change in changes {
            self.set(
                change.target.clone(),
                DecisionRecord {
                    decision: change.decision,
                    reason: change.reason.clone(),
                    reviewer: reviewer.to_owned(),
                    time: time.to_owned(),
                },
            );
        }
    }
}

impl FromIterator<(Target, DecisionRecord)> for Decisions {
    fn from_iter<I: IntoIterator<Item = (Target, DecisionRecord)>>(iter: I) -> Self {
        Self {
            records: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Level;

    fn target(level: Level, uid: &str) -> Target {
        Target {
            level,
            uid: uid.into(),
        }
    }

    #[test]
    fn set_clear_apply() {
        let mut decisions = Decisions::new();
        assert!(decisions.is_empty());
        decisions.apply(
            &[
                Change {
                    target: target(Level::Series, "1.2"),
                    decision: Decision::Keep,
                    reason: "good".into(),
                },
                Change {
                    target: target(Level::Study, "1"),
                    decision: Decision::Drop,
                    reason: String::new(),
                },
            ],
            "amy",
            "2026-11-21T09:30:00Z",
        );
        assert_eq!(decisions.len(), 2);
        let levels: Vec<Level> = decisions.iter().map(|(t, _)| t.level).collect();
        assert_eq!(levels, [Level::Study, Level::Series]);
        let record = decisions.get(&target(Level::Series, "1.2")).expect("set");
        assert_eq!(
            (
                record.decision,
                record.reason.as_str(),
                record.reviewer.as_str()
            ),
            (Decision::Keep, "good", "amy")
        );
        let old = decisions
            .clear(&target(Level::Study, "1"))
            .expect("was set");
        assert_eq!(old.decision, Decision::Drop);
        assert_eq!(decisions.len(), 1);
        assert!(decisions.clear(&target(Level::Study, "1")).is_none());
    }
}
