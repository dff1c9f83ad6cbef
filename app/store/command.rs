//! One user action on the review's decisions or annotations, as the store applies it.
//!
//! Undo and redo are not special in the store: applying a command returns its
//! inverse (the same targets set back to what they were), which the caller keeps on
//! its undo stack and applies like any other command. So every undo is itself
//! stored and audited, and the audit log alone tells the whole story.

use crate::annotate::Shape;
use crate::review::suggestion::{LabelRecord, Suggestion, TargetLabel};
use crate::review::{DecisionRecord, Target};

/// What a command is, for the audit log and the undo menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandKind {
    /// A user action.
    Do,
    /// The inverse of a [`CommandKind::Do`] or [`CommandKind::Redo`].
    Undo,
    /// The inverse of a [`CommandKind::Undo`].
    Redo,
}

impl CommandKind {
    /// The stable lower-case name stored in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Do => "do",
            Self::Undo => "undo",
            Self::Redo => "redo",
        }
    }

    /// Parses [`CommandKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "do" => Some(Self::Do),
            "undo" => Some(Self::Undo),
            "redo" => Some(Self::Redo),
            _ => None,
        }
    }

    /// The kind of this command's inverse.
    fn inverse(self) -> Self {
        match self {
            Self::Do | Self::Redo => Self::Undo,
            Self::Undo => Self::Redo,
        }
    }
}

/// One change of a command: the explicit decision a target gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The node.
    pub target: Target,
    /// Its new explicit decision; `None` removes the explicit decision.
    pub new: Option<DecisionRecord>,
}

/// One change of a command to the annotations: the shape an id gets.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapeChange {
    /// The shape's id.
    pub id: String,
    /// Its new state; `None` deletes it.
    pub new: Option<Shape>,
}

/// One change of a command to the suggestions: the state a suggestion id gets.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionChange {
    /// The suggestion's id ([`Suggestion::id`]).
    pub id: String,
    /// Its new state; `None` removes it.
    pub new: Option<Suggestion>,
}

/// One change of a command to the study and series labels.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelChange {
    /// The target and label.
    pub key: TargetLabel,
    /// Who gave it; `None` takes the label away.
    pub new: Option<LabelRecord>,
}

/// What the targets of a command held just before it, in the order of its changes:
/// what [`StoreCommand::inverse`] sets back.
#[derive(Debug, Clone, Default)]
pub(super) struct Previous {
    pub decisions: Vec<Option<DecisionRecord>>,
    pub shapes: Vec<Option<Shape>>,
    pub suggestions: Vec<Option<Suggestion>>,
    pub labels: Vec<Option<LabelRecord>>,
}

/// One user action (a key press, a bulk decision, an import, one drag of a vertex, an
/// undo, accepting suggestions): its changes to decisions, shapes, suggestions and
/// study/series labels are stored in one transaction, or not at all. One type for
/// all, so one undo stack serves the whole review.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreCommand {
    /// Do, undo or redo.
    pub kind: CommandKind,
    /// What the user did, in their words (`keep series 3`), shown in the audit log.
    pub label: String,
    /// The decision changes, applied in order.
    pub changes: Vec<Change>,
    /// The shape changes, applied in order after the decision changes.
    pub shapes: Vec<ShapeChange>,
    /// The suggestion changes, applied in order after the shape changes.
    pub suggestions: Vec<SuggestionChange>,
    /// The study/series label changes, applied in order last.
    pub labels: Vec<LabelChange>,
}

impl StoreCommand {
    /// A user action on decisions ([`CommandKind::Do`]).
    pub fn new(label: impl Into<String>, changes: Vec<Change>) -> Self {
        Self {
            kind: CommandKind::Do,
            label: label.into(),
            changes,
            shapes: Vec::new(),
            suggestions: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// A user action on shapes ([`CommandKind::Do`]).
    pub fn shapes(label: impl Into<String>, shapes: Vec<ShapeChange>) -> Self {
        Self {
            kind: CommandKind::Do,
            label: label.into(),
            changes: Vec::new(),
            shapes,
            suggestions: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// A change of the stored suggestions ([`CommandKind::Do`]).
    pub fn suggestions(label: impl Into<String>, suggestions: Vec<SuggestionChange>) -> Self {
        Self {
            suggestions,
            ..Self::new(label, Vec::new())
        }
    }

    /// True when the command changes nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.shapes.is_empty()
            && self.suggestions.is_empty()
            && self.labels.is_empty()
    }

    /// The command that undoes this one, given what each change's target held just
    /// before that change (`previous.decisions[i]` for `changes[i]`, and likewise).
    /// Its changes run in reverse order, so a target changed twice ends as it began.
    pub(super) fn inverse(&self, previous: Previous) -> Self {
        Self {
            kind: self.kind.inverse(),
            label: self.label.clone(),
            changes: reversed(&self.changes, previous.decisions, |c, new| Change {
                target: c.target.clone(),
                new,
            }),
            shapes: reversed(&self.shapes, previous.shapes, |c, new| ShapeChange {
                id: c.id.clone(),
                new,
            }),
            suggestions: reversed(&self.suggestions, previous.suggestions, |c, new| {
                SuggestionChange {
                    id: c.id.clone(),
                    new,
                }
            }),
            labels: reversed(&self.labels, previous.labels, |c, new| LabelChange {
                key: c.key.clone(),
                new,
            }),
        }
    }
}

/// Each change paired with its target's previous state, rebuilt by `back`, last first.
fn reversed<C, S>(
    changes: &[C],
    previous: Vec<Option<S>>,
    back: impl Fn(&C, Option<S>) -> C,
) -> Vec<C> {
    changes
        .iter()
        .zip(previous)
        .rev()
        .map(|(c, old)| back(c, old))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{Decision, Level};

    fn record(decision: Decision) -> DecisionRecord {
        DecisionRecord {
            decision,
            reason: String::new(),
            reviewer: "r".into(),
            time: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn inverse_restores_in_reverse_order() {
        let t = Target {
            level: Level::Series,
            uid: "1.2".into(),
        };
        let set = |d| Change {
            target: t.clone(),
            new: Some(record(d)),
        };
        // The same series set twice: None -> Keep -> Drop.
        let cmd = StoreCommand::new("twice", vec![set(Decision::Keep), set(Decision::Drop)]);
        let undo = cmd.inverse(Previous {
            decisions: vec![None, Some(record(Decision::Keep))],
            ..Previous::default()
        });
        assert_eq!(undo.kind, CommandKind::Undo);
        assert_eq!(undo.label, "twice");
        let final_state = undo.changes.last().map(|c| c.new.clone());
        assert_eq!(
            final_state,
            Some(None),
            "undo must end where the command began"
        );
        assert_eq!(undo.changes[0].new, Some(record(Decision::Keep)));
        let redo = undo.inverse(Previous {
            decisions: vec![Some(record(Decision::Drop)), Some(record(Decision::Keep))],
            ..Previous::default()
        });
        assert_eq!(redo.kind, CommandKind::Redo);
        assert_eq!(redo.inverse(Previous::default()).kind, CommandKind::Undo);
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in [CommandKind::Do, CommandKind::Undo, CommandKind::Redo] {
            assert_eq!(CommandKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(CommandKind::parse("Do"), None);
    }
}
