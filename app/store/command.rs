//! One user action on the review's decisions or annotations, as the store applies it.
//!
//! Undo and redo are not special in the store: applying a command returns its
//! inverse (the same targets set back to what they were), which the caller keeps on
//! its undo stack and applies like any other command. So every undo is itself
//! stored and audited, and the audit log alone tells the whole story.

use crate::annotate::Shape;
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

/// One user action (a key press, a bulk decision, an import, one drag of a vertex, an
/// undo): its changes to decisions and to shapes are stored in one transaction, or
/// not at all. One type for both, so one undo stack serves the whole review.
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
}

impl StoreCommand {
    /// A user action on decisions ([`CommandKind::Do`]).
    pub fn new(label: impl Into<String>, changes: Vec<Change>) -> Self {
        Self {
            kind: CommandKind::Do,
            label: label.into(),
            changes,
            shapes: Vec::new(),
        }
    }

    /// A user action on shapes ([`CommandKind::Do`]).
    pub fn shapes(label: impl Into<String>, shapes: Vec<ShapeChange>) -> Self {
        Self {
            kind: CommandKind::Do,
            label: label.into(),
            changes: Vec::new(),
            shapes,
        }
    }

    /// True when the command changes nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.shapes.is_empty()
    }

    /// The command that undoes this one, given each change's previous decision
    /// (`old[i]` is what `changes[i].target` held just before change `i`) and each
    /// shape change's previous shape (`old_shapes[i]` likewise).
    /// Its changes run in reverse order, so a target changed twice ends as it began.
    pub(super) fn inverse(
        &self,
        old: Vec<Option<DecisionRecord>>,
        old_shapes: Vec<Option<Shape>>,
    ) -> Self {
        let changes = self
            .changes
            .iter()
            .zip(old)
            .rev()
            .map(|(change, old)| Change {
                target: change.target.clone(),
                new: old,
            })
            .collect();
        let shapes = self
            .shapes
            .iter()
            .zip(old_shapes)
            .rev()
            .map(|(change, old)| ShapeChange {
                id: change.id.clone(),
                new: old,
            })
            .collect();
        Self {
            kind: self.kind.inverse(),
            label: self.label.clone(),
            changes,
            shapes,
        }
    }
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
        let undo = cmd.inverse(vec![None, Some(record(Decision::Keep))], vec![]);
        assert_eq!(undo.kind, CommandKind::Undo);
        assert_eq!(undo.label, "twice");
        let final_state = undo.changes.last().map(|c| c.new.clone());
        assert_eq!(
            final_state,
            Some(None),
            "undo must end where the command began"
        );
        assert_eq!(undo.changes[0].new, Some(record(Decision::Keep)));
        let redo = undo.inverse(
            vec![Some(record(Decision::Drop)), Some(record(Decision::Keep))],
            vec![],
        );
        assert_eq!(redo.kind, CommandKind::Redo);
        assert_eq!(redo.inverse(vec![], vec![]).kind, CommandKind::Undo);
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in [CommandKind::Do, CommandKind::Undo, CommandKind::Redo] {
            assert_eq!(CommandKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(CommandKind::parse("Do"), None);
    }
}
