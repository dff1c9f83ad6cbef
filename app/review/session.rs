//! A review in progress: the release's images, the decisions, the project store that
//! keeps them, and undo/redo.
//!
//! The GUI and the CLI both change decisions through [`ReviewSession::apply`], so a
//! decision is stored (one transaction, audited) before anyone sees it, and undo is
//! just another stored command: the audit log tells the whole story.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::explicit;
use super::import_file::{ImportFileError, ImportKind, import_file};
use super::suggestion::{self, LabelRecord, Review, Suggestion, TargetLabel};
use super::{Counts, Decision, DecisionRecord, Decisions, Effective, ReleaseImages, Target};
use crate::annotate::{Annotations, LabelSet, Shape};
use crate::index::Index;
use crate::rules::Proposal;
use crate::store::location::Fallback;
use crate::store::{
    self, Change, ProjectStore, ShapeChange, StoreCommand, StoreError, StoreNotice, now_rfc3339,
};

/// The login name, the reviewer recorded until one is given (`LIGHTBOX_REVIEWER`
/// overrides it; empty when none is known).
pub fn login_name() -> String {
    ["LIGHTBOX_REVIEWER", "USERNAME", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_default()
}

/// What importing an annotation file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnnotationImport {
    /// New shapes.
    pub added: usize,
    /// Shapes replaced by the same annotator's newer version.
    pub replaced: usize,
    /// Shapes the project already had as they are.
    pub unchanged: usize,
    /// Another annotator's shapes whose id was taken, added under a new id.
    pub renamed: usize,
    /// Shapes older than the project's version of them (left out).
    pub kept_newer: usize,
    /// Labels added to the project's label set.
    pub labels_added: usize,
}

/// How many commands undo remembers.
const UNDO_DEPTH: usize = 1000;

/// A review of one release.
#[derive(Debug)]
pub struct ReviewSession {
    images: ReleaseImages,
    store: ProjectStore,
    reviewer: String,
    decisions: Decisions,
    effective: Effective,
    /// Counts of every study and series, by UID (what the browser shows per row).
    counts_by_uid: HashMap<String, Counts>,
    /// Release-order index of every image, by SOP Instance UID.
    image_by_sop: HashMap<String, usize>,
    /// The annotations, mirrored from the store.
    annotations: Annotations,
    /// The project's label set, mirrored from the store.
    labels: LabelSet,
    /// The rules' suggestions by id, mirrored from the store.
    suggestions: BTreeMap<String, Suggestion>,
    /// The ids of each study's suggestions (its own and its series'), by Study UID.
    suggestions_by_study: HashMap<String, Vec<String>>,
    /// The labels people gave studies and series, mirrored from the store.
    target_labels: BTreeMap<TargetLabel, LabelRecord>,
    undo: Vec<StoreCommand>,
    redo: Vec<StoreCommand>,
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
        let decisions: Decisions = store.decisions()?.into_iter().collect();
        let (shapes, _unreadable) = store.shapes()?;
        let labels = store.label_set()?;
        let suggestions = store.suggestions()?;
        let target_labels = store.target_labels()?;
        let image_by_sop = images
            .images
            .iter()
            .enumerate()
            .map(|(i, im)| (im.sop_uid.clone(), i))
            .collect();
        let mut session = Self {
            effective: Effective::default(),
            counts_by_uid: HashMap::new(),
            image_by_sop,
            images,
            store,
            reviewer: reviewer.to_owned(),
            decisions,
            annotations: Annotations::from_shapes(shapes),
            labels,
            suggestions,
            suggestions_by_study: HashMap::new(),
            target_labels,
            undo: Vec::new(),
            redo: Vec::new(),
        };
        session.recompute();
        session.index_suggestions();
        Ok((session, notices))
    }

    /// Opens the review of a scanned release at its default store location (beside the
    /// release, else the user's data folder; the fallback is returned when taken).
    pub fn open_for_index(
        index: &Index,
        reviewer: &str,
    ) -> Result<(Self, Option<Fallback>, Vec<StoreNotice>), StoreError> {
        let location = store::choose(&index.root, &index.layout, &store::projects_dir());
        let (session, notices) =
            Self::open(ReleaseImages::from_index(index), &location.path, reviewer)?;
        Ok((session, location.fallback, notices))
    }

    /// The command importing `path`: a keep-list replaces every decision (it is complete
    /// by definition); a decisions csv adds to them, or replaces them when `replace`.
    pub fn import_command(
        &self,
        path: &Path,
        replace: bool,
    ) -> Result<(ImportKind, StoreCommand), ImportFileError> {
        let (kind, changes) = import_file(path, &self.images)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let label = format!("import {name}");
        let command = match kind {
            ImportKind::KeepList => self.replace_all_command(label, &changes),
            ImportKind::DecisionsCsv if replace => self.replace_all_command(label, &changes),
            ImportKind::DecisionsCsv => self.merge_command(label, &changes),
        };
        Ok((kind, command))
    }

    /// Records the release's current images as the ones the store was made for, after
    /// the user accepted an images-changed notice.
    pub fn accept_changed_images(&mut self) -> Result<(), StoreError> {
        self.store.accept_images(&self.images)
    }

    /// The effective decision of every image and the counts.
    pub fn effective(&self) -> &Effective {
        &self.effective
    }

    /// Counts of the study or series with this UID.
    pub fn counts(&self, study_or_series_uid: &str) -> Option<Counts> {
        self.counts_by_uid.get(study_or_series_uid).copied()
    }

    /// The effective decision of the image with this SOP Instance UID.
    pub fn image_decision(&self, sop_uid: &str) -> Option<Decision> {
        self.image_by_sop
            .get(sop_uid)
            .and_then(|&i| self.effective.images().get(i).copied())
    }

    /// The command that makes the decisions exactly `changes` (an import): every
    /// explicit decision not named by it is removed, so the effective decisions
    /// afterwards are the imported ones whatever was decided before.
    pub fn replace_all_command(
        &self,
        label: impl Into<String>,
        changes: &[explicit::Change],
    ) -> StoreCommand {
        let time = now_rfc3339();
        let mut next: BTreeMap<Target, DecisionRecord> = BTreeMap::new();
        for c in changes {
            next.insert(
                c.target.clone(),
                DecisionRecord {
                    decision: c.decision,
                    reason: c.reason.clone(),
                    reviewer: self.reviewer.clone(),
                    time: time.clone(),
                },
            );
        }
        let mut out: Vec<Change> = self
            .decisions
            .iter()
            .filter(|(t, _)| !next.contains_key(*t))
            .map(|(t, _)| Change {
                target: t.clone(),
                new: None,
            })
            .collect();
        out.extend(
            next.into_iter()
                .filter(|(t, r)| {
                    self.decisions
                        .get(t)
                        .is_none_or(|old| old.decision != r.decision || old.reason != r.reason)
                })
                .map(|(target, record)| Change {
                    target,
                    new: Some(record),
                }),
        );
        StoreCommand::new(label, out)
    }

    /// Recomputes the effective decisions and the per-UID counts.
    fn recompute(&mut self) {
        self.effective = Effective::compute(&self.images, &self.decisions);
        let spans = self.effective.spans();
        let mut counts = HashMap::with_capacity(spans.studies.len() + spans.series.len());
        for (i, study) in spans.studies.iter().enumerate() {
            counts.insert(
                self.images.images[study.images.start].study_uid.clone(),
                self.effective.study_counts(i),
            );
        }
        for (i, series) in spans.series.iter().enumerate() {
            counts.insert(
                self.images.images[series.images.start].series_uid.clone(),
                self.effective.series_counts(i),
            );
        }
        self.counts_by_uid = counts;
    }

    /// The release's images.
    pub fn images(&self) -> &ReleaseImages {
        &self.images
    }

    /// The explicit decisions.
    pub fn decisions(&self) -> &Decisions {
        &self.decisions
    }

    /// The project store.
    pub fn store(&self) -> &ProjectStore {
        &self.store
    }

    /// The project store, for saving it elsewhere.
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
    ) -> StoreCommand {
        let changes: Vec<explicit::Change> = targets
            .iter()
            .map(|t| explicit::Change {
                target: t.clone(),
                decision,
                reason: reason.to_owned(),
            })
            .collect();
        self.merge_command(label, &changes)
    }

    /// The command that sets each change (an import that adds to the decisions), now,
    /// by this reviewer; changes that would not change anything are left out.
    pub fn merge_command(
        &self,
        label: impl Into<String>,
        changes: &[explicit::Change],
    ) -> StoreCommand {
        let time = now_rfc3339();
        let changes = changes
            .iter()
            .filter(|c| {
                self.decisions
                    .get(&c.target)
                    .is_none_or(|r| r.decision != c.decision || r.reason != c.reason)
            })
            .map(|c| Change {
                target: c.target.clone(),
                new: Some(DecisionRecord {
                    decision: c.decision,
                    reason: c.reason.clone(),
                    reviewer: self.reviewer.clone(),
                    time: time.clone(),
                }),
            })
            .collect();
        StoreCommand::new(label, changes)
    }

    /// The annotations.
    pub fn annotations(&self) -> &Annotations {
        &self.annotations
    }

    /// The project's label set.
    pub fn labels(&self) -> &LabelSet {
        &self.labels
    }

    /// Replaces the project's label set (checked first) and stores it.
    pub fn set_labels(&mut self, labels: LabelSet) -> Result<(), StoreError> {
        self.store.set_label_set(&labels)?;
        self.labels = labels;
        Ok(())
    }

    /// Merges an annotation file into the project as one undoable command: shapes
    /// keep their ids, annotators and times (so a round trip is the identity); another
    /// annotator's shape never overwrites one already here (it gets a new id); labels
    /// the project lacks are added to its label set. `path` names the command.
    pub fn import_annotations(
        &mut self,
        file: &crate::annotate::files::lightbox_json::AnnotationFile,
        path: &Path,
    ) -> Result<AnnotationImport, StoreError> {
        let existing: Vec<Shape> = self.annotations.iter().cloned().collect();
        let plan = crate::annotate::files::merge::merge(&existing, &file.shapes);
        let mut labels = self.labels.clone();
        let labels_added = labels.merge(&file.labels);
        if labels_added > 0 {
            self.set_labels(labels)?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = AnnotationImport {
            added: plan.add.len(),
            replaced: plan.replace.len(),
            unchanged: plan.unchanged,
            renamed: plan.renamed,
            kept_newer: plan.kept_newer,
            labels_added,
        };
        let changes = plan
            .add
            .into_iter()
            .chain(plan.replace)
            .map(|s| ShapeChange {
                id: s.id.clone(),
                new: Some(s),
            })
            .collect();
        self.apply(&StoreCommand::shapes(format!("import {name}"), changes))?;
        Ok(report)
    }

    /// The command that gives each shape its new state (`None` deletes), leaving out
    /// changes that would change nothing. New and changed shapes are stamped as
    /// modified now; a new shape keeps its creation time.
    pub fn shapes_command(
        &self,
        label: impl Into<String>,
        changes: Vec<(String, Option<Shape>)>,
    ) -> StoreCommand {
        let time = now_rfc3339();
        let shapes = changes
            .into_iter()
            .filter(|(id, new)| self.annotations.get(id) != new.as_ref())
            .map(|(id, new)| ShapeChange {
                new: new.map(|mut s| {
                    s.modified = time.clone();
                    if s.created.is_empty() {
                        s.created = time.clone();
                    }
                    s
                }),
                id,
            })
            .collect();
        StoreCommand::shapes(label, shapes)
    }

    /// The rules' suggestions, by id.
    pub fn suggestions(&self) -> &BTreeMap<String, Suggestion> {
        &self.suggestions
    }

    /// The suggestions about a study and its series, in id order.
    pub fn suggestions_for_study(&self, study_uid: &str) -> impl Iterator<Item = &Suggestion> {
        self.suggestions_by_study
            .get(study_uid)
            .into_iter()
            .flatten()
            .filter_map(|id| self.suggestions.get(id))
    }

    /// The labels people gave studies and series.
    pub fn target_labels(&self) -> &BTreeMap<TargetLabel, LabelRecord> {
        &self.target_labels
    }

    /// The command storing `proposals` as the current suggestions (see
    /// [`suggestion::reconcile`]: what a person reviewed is never forgotten).
    pub fn store_proposals_command(
        &self,
        label: impl Into<String>,
        proposals: &[Proposal],
    ) -> StoreCommand {
        let changes = suggestion::reconcile(&self.suggestions, proposals, &now_rfc3339());
        StoreCommand::suggestions(label, changes)
    }

    /// What accepting the pending suggestions among `ids` does, now, by this reviewer
    /// (see [`suggestion::accept`]); apply its command to do it.
    pub fn accept_suggestions(&self, ids: &[String]) -> Review {
        suggestion::accept(&self.suggestions, ids, &self.reviewer, &now_rfc3339())
    }

    /// What rejecting the pending suggestions among `ids` does; apply its command.
    pub fn reject_suggestions(&self, ids: &[String]) -> Review {
        suggestion::reject(&self.suggestions, ids, &self.reviewer, &now_rfc3339())
    }

    /// Stores a user's command (acknowledged once this returns `Ok`) and makes it undoable.
    pub fn apply(&mut self, command: &StoreCommand) -> Result<(), StoreError> {
        if command.is_empty() {
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
    fn store_command(&mut self, command: &StoreCommand) -> Result<StoreCommand, StoreError> {
        let inverse = self.store.apply(command)?;
        for change in &command.changes {
            match &change.new {
                Some(record) => {
                    self.decisions.set(change.target.clone(), record.clone());
                }
                None => {
                    self.decisions.clear(&change.target);
                }
            }
        }
        for change in &command.shapes {
            self.annotations.set(&change.id, change.new.clone());
        }
        for change in &command.suggestions {
            match &change.new {
                Some(s) => self.suggestions.insert(change.id.clone(), s.clone()),
                None => self.suggestions.remove(&change.id),
            };
        }
        for change in &command.labels {
            match &change.new {
                Some(r) => self.target_labels.insert(change.key.clone(), r.clone()),
                None => self.target_labels.remove(&change.key),
            };
        }
        if !command.changes.is_empty() {
            self.recompute();
        }
        if !command.suggestions.is_empty() {
            self.index_suggestions();
        }
        Ok(inverse)
    }

    /// Rebuilds the by-study lookup of the suggestions.
    fn index_suggestions(&mut self) {
        self.suggestions_by_study.clear();
        for (id, s) in &self.suggestions {
            self.suggestions_by_study
                .entry(s.proposal.study_uid.clone())
                .or_default()
                .push(id.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{ImageRef, Level};

    fn image(study: &str, series: &str, n: u32) -> ImageRef {
        ImageRef {
            study_uid: study.into(),
            series_uid: series.into(),
            sop_uid: format!("{series}.{n}"),
            file_name: format!("IM{n}.dcm"),
            bytes: 100,
            modality: Some("CT".into()),
            body_part: None,
        }
    }

    /// Study 1.1 with series 1.1.1 (2 images) and 1.1.2 (1 image); study 1.2 with 1.2.1 (1).
    fn release() -> ReleaseImages {
        ReleaseImages::new(
            Some("20210407_102537".into()),
            vec![
                image("1.1", "1.1.1", 1),
                image("1.1", "1.1.1", 2),
                image("1.1", "1.1.2", 1),
                image("1.2", "1.2.1", 1),
            ],
        )
    }

    fn target(level: Level, uid: &str) -> Target {
        Target {
            level,
            uid: uid.into(),
        }
    }

    fn kept_dropped_undecided(s: &ReviewSession, uid: &str) -> (usize, usize, usize) {
        let c = s.counts(uid).expect("counts");
        (c.kept_images, c.dropped_images, c.undecided_images)
    }

    #[test]
    fn decisions_are_stored_inherited_undone_and_redone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.lightbox.sqlite");
        let (mut s, _) = ReviewSession::open(release(), &path, "ann").expect("open");
        let keep_study =
            s.decide_command("keep", &[target(Level::Study, "1.1")], Decision::Keep, "");
        s.apply(&keep_study).expect("apply");
        let drop_image = s.decide_command(
            "drop",
            &[target(Level::Image, "1.1.1.2")],
            Decision::Drop,
            "blurred",
        );
        s.apply(&drop_image).expect("apply");
        assert_eq!(kept_dropped_undecided(&s, "1.1"), (2, 1, 0));
        assert_eq!(kept_dropped_undecided(&s, "1.1.1"), (1, 1, 0));
        assert_eq!(kept_dropped_undecided(&s, "1.2"), (0, 0, 1));
        assert_eq!(s.image_decision("1.1.1.2"), Some(Decision::Drop));
        // Deciding the same thing again changes nothing and is not an undo step.
        let again = s.decide_command(
            "drop",
            &[target(Level::Image, "1.1.1.2")],
            Decision::Drop,
            "blurred",
        );
        assert!(again.changes.is_empty());

        assert!(s.undo().expect("undo"));
        assert_eq!(kept_dropped_undecided(&s, "1.1"), (3, 0, 0));
        assert!(s.redo().expect("redo"));
        assert_eq!(kept_dropped_undecided(&s, "1.1"), (2, 1, 0));

        // Reopening reads back what was acknowledged.
        drop(s);
        let (s, _) = ReviewSession::open(release(), &path, "ann").expect("reopen");
        assert_eq!(kept_dropped_undecided(&s, "1.1"), (2, 1, 0));
        assert_eq!(
            s.decisions()
                .get(&target(Level::Image, "1.1.1.2"))
                .map(|r| r.reason.as_str()),
            Some("blurred")
        );
    }

    #[test]
    fn an_import_replaces_every_earlier_decision() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.lightbox.sqlite");
        let (mut s, _) = ReviewSession::open(release(), &path, "ann").expect("open");
        let earlier = s.decide_command(
            "drop",
            &[target(Level::Image, "1.1.1.1"), target(Level::Study, "1.2")],
            Decision::Drop,
            "",
        );
        s.apply(&earlier).expect("apply");
        let import = [explicit::Change {
            target: target(Level::Study, "1.1"),
            decision: Decision::Keep,
            reason: String::new(),
        }];
        let command = s.replace_all_command("import", &import);
        s.apply(&command).expect("apply");
        assert_eq!(kept_dropped_undecided(&s, "1.1"), (3, 0, 0));
        assert_eq!(kept_dropped_undecided(&s, "1.2"), (0, 0, 1));
        assert_eq!(s.decisions().len(), 1);
        // One undo brings the whole earlier state back.
        assert!(s.undo().expect("undo"));
        assert_eq!(kept_dropped_undecided(&s, "1.1"), (0, 1, 2));
        assert_eq!(kept_dropped_undecided(&s, "1.2"), (0, 1, 0));
    }

    fn square(id: &str, x: f64) -> Shape {
        use crate::annotate::{Grade, ShapeImage, ShapeKind};
        Shape {
            id: id.into(),
            kind: ShapeKind::Polygon,
            label: "nodule".into(),
            image: ShapeImage {
                study_uid: "1.1".into(),
                series_uid: "1.1.1".into(),
                sop_uid: "1.1.1.1".into(),
                file_name: "IM1.dcm".into(),
                frame: 1,
            },
            points: vec![[x, 1.0], [x + 2.0, 1.0], [x + 2.0, 3.0], [x, 3.0]],
            grade: Grade::High,
            score: None,
            source: None,
            source_parameters: Default::default(),
            note: "spiculated".into(),
            annotator: "ann".into(),
            created: String::new(),
            modified: String::new(),
        }
    }

    #[test]
    fn shapes_share_the_undo_stack_and_survive_a_reopen() {
        use crate::annotate::ImageKey;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.lightbox.sqlite");
        let key = ImageKey {
            sop_uid: "1.1.1.1".into(),
            frame: 1,
        };
        {
            let (mut s, _) = ReviewSession::open(release(), &path, "ann").expect("open");
            let add = s.shapes_command("draw", vec![("a".into(), Some(square("a", 1.0)))]);
            s.apply(&add).expect("add");
            let stamped = s.annotations().get("a").expect("added").clone();
            assert!(!stamped.created.is_empty() && stamped.created == stamped.modified);
            // A decision in between: undo walks back through both kinds in order.
            let keep = s.decide_command("keep", &[target(Level::Study, "1.1")], Decision::Keep, "");
            s.apply(&keep).expect("keep");
            let moved = s.shapes_command("move", vec![("a".into(), Some(square("a", 5.0)))]);
            s.apply(&moved).expect("move");
            assert_eq!(
                s.annotations().get("a").map(|s| s.points[0]),
                Some([5.0, 1.0])
            );
            // Setting a shape to what it is changes nothing and is no undo step.
            let same = s.annotations().get("a").cloned();
            assert!(
                s.shapes_command("noop", vec![("a".into(), same)])
                    .is_empty()
            );

            assert!(s.undo().expect("undo move"));
            assert_eq!(
                s.annotations().get("a").map(|s| s.points[0]),
                Some([1.0, 1.0])
            );
            assert!(s.undo().expect("undo keep"));
            assert_eq!(kept_dropped_undecided(&s, "1.1"), (0, 0, 3));
            assert!(s.redo().expect("redo keep"));
            let delete = s.shapes_command("delete", vec![("a".into(), None)]);
            s.apply(&delete).expect("delete");
            assert_eq!(s.annotations().count_on_frame(&key), 0);
            assert!(s.undo().expect("undo delete"));
            assert_eq!(s.annotations().count_on_frame(&key), 1);
            // add, move, undo, undo(keep: decisions only), redo, delete, undo: the
            // shape log has add, move, undo-move, delete, undo-delete.
            assert_eq!(s.store().shape_audit_len().expect("log"), 5);
        }
        let (s, _) = ReviewSession::open(release(), &path, "other").expect("reopen");
        let shape = s.annotations().get("a").expect("kept");
        assert_eq!(shape.points[0], [1.0, 1.0]);
        assert_eq!(shape.note, "spiculated");
        assert_eq!(s.annotations().on_frame(&key).count(), 1);
        assert_eq!(kept_dropped_undecided(&s, "1.1"), (3, 0, 0));
    }
}
