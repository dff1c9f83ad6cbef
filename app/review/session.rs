//! A review in progress: the release's images, the decisions, the project store that
//! keeps them, and undo/redo.
//!
//! The GUI and the CLI both change decisions through [`ReviewSession::apply`], so a
//! decision is stored (one transaction, audited) before anyone sees it, and undo is
//! just another stored command: the audit log tells the whole story.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Decision, DecisionRecord, ReleaseImages, Target};
use crate::store::{Change, DecisionCommand, ProjectStore, StoreError, StoreNotice, now_rfc3339};

/// How many commands undo remembers.
const UNDO_DEPTH: usize = 1000;

/// A review of one release.
#[derive(Debug)]
pub struct ReviewSession {
    images: ReleaseImages,
    store: ProjectStore,
    reviewer: String,
    decisions: BTreeMap<Target, DecisionRecord>,
    undo: Vec<DecisionCommand>,
    redo: Vec<DecisionCommand>,
}

impl ReviewSession {
    /// Opens (or creates) the project store at `store_path` for `images` and loads its
    /// decisions; returns what the user should be told about the store.
    pub fn open(
        images: ReleaseImages,
        store_path: &Path,
        reviewer: &str,
    ) -> Result<(Self, Vec<StoreNotice>), StoreError> {
        let (store, notices) = ProjectStore::open_or_create(store_path, &images, reviewer)?;
        let decisions = store.decisions()?;
        Ok((
            Self {
                images,
                store,
                reviewer: reviewer.to_owned(),
                decisions,
                undo: Vec::new(),
                redo: Vec::new(),
            },
            notices,
        ))
    }

    /// The release's images.
    pub fn images(&self) -> &ReleaseImages {
        &self.images
    }

    /// The explicit decisions.
    pub fn decisions(&self) -> &BTreeMap<Target, DecisionRecord> {
        &self.decisions
    }

    /// The project store.
    pub fn store(&self) -> &ProjectStore {
        &self.store
    }

    /// The project store, for saving it elsewhere or accepting changed images.
    pub fn store_mut(&mut self) -> &mut ProjectStore {
        &mut self.store
    }

    /// Who is reviewing.
    pub fn reviewer(&self) -> &str {
        &self.reviewer
    }

    /// The command that sets `decision` (with `reason`) on every target, now, by this
    /// reviewer. Targets that already hold exactly that decision and reason are left out.
    pub fn decide_command(
        &self,
        label: impl Into<String>,
        targets: &[Target],
        decision: Decision,
        reason: &str,
    ) -> DecisionCommand {
        let time = now_rfc3339();
        let changes = targets
            .iter()
            .filter(|t| {
                self.decisions
                    .get(t)
                    .is_none_or(|r| r.decision != decision || r.reason != reason)
            })
            .map(|t| Change {
                target: t.clone(),
                new: Some(DecisionRecord {
                    decision,
                    reason: reason.to_owned(),
                    reviewer: self.reviewer.clone(),
                    time: time.clone(),
                }),
            })
            .collect();
        DecisionCommand::new(label, changes)
    }

    /// Stores a user's command (acknowledged once this returns `Ok`) and makes it undoable.
    pub fn apply(&mut self, command: &DecisionCommand) -> Result<(), StoreError> {
        if command.changes.is_empty() {
            return Ok(());
        }
        let inverse = self.store_command(command)?;
        self.undo.push(inverse);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.redo.clear();
        Ok(())
    }

    /// Undoes the last command; `Ok(false)` when there is none.
    pub fn undo(&mut self) -> Result<bool, StoreError> {
        let Some(command) = self.undo.pop() else {
            return Ok(false);
        };
        match self.store_command(&command) {
            Ok(inverse) => {
                self.redo.push(inverse);
                Ok(true)
            }
            Err(e) => {
                self.undo.push(command);
                Err(e)
            }
        }
    }

    /// Redoes the last undone command; `Ok(false)` when there is none.
    pub fn redo(&mut self) -> Result<bool, StoreError> {
        let Some(command) = self.redo.pop() else {
            return Ok(false);
        };
        match self.store_command(&command) {
            Ok(inverse) => {
                self.undo.push(inverse);
                Ok(true)
            }
            Err(e) => {
                self.redo.push(command);
                Err(e)
            }
        }
    }

    /// The label of the command undo would revert, if any.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|c| c.label.as_str())
    }

    /// The label of the command redo would repeat, if any.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|c| c.label.as_str())
    }

    /// Stores `command`, mirrors it in memory, returns its inverse.
    fn store_command(&mut self, command: &DecisionCommand) -> Result<DecisionCommand, StoreError> {
        let inverse = self.store.apply(command)?;
        for change in &command.changes {
            match &change.new {
                Some(record) => {
                    self.decisions.insert(change.target.clone(), record.clone());
                }
                None => {
                    self.decisions.remove(&change.target);
                }
            }
        }
        Ok(inverse)
    }
}
