//! Background work and its polling: each frame starts by taking what the workers
//! finished: the scan (`scan.rs`), and the [`Job`]s of the claims, the rules
//! evaluation, the tags, the annotation export and the keep-list ([`KeepListJob`]),
//! the PACS's echoes, search and transfers.

use std::path::PathBuf;

use crate::fsutil::ShowPath;
use crate::gui::job::{Job, Polled};
use crate::i18n::Strings;
use crate::review::takeout::{UndecidedPolicy, write_keep_list};
use crate::review::{Effective, ReleaseImages};

use super::LightboxApp;

/// A keep-list to write: where, for which project, from which decisions.
pub(super) struct KeepListJob {
    /// The folder (`TAKEOUT/` by default), made when missing.
    pub dir: PathBuf,
    /// The project code the file name starts with.
    pub project_code: String,
    /// The release's images.
    pub images: ReleaseImages,
    /// The decisions in effect.
    pub effective: Effective,
    /// What undecided images do.
    pub policy: UndecidedPolicy,
    /// Replace an existing list.
    pub overwrite: bool,
    /// The strings of the report.
    pub s: &'static Strings,
}

impl KeepListJob {
    /// Writes the list (and re-reads it); the report for the export window and
    /// whether it succeeded.
    pub(super) fn run(self) -> (String, bool) {
        if let Err(e) = std::fs::create_dir_all(&self.dir) {
            return (format!("{e}: {}", self.dir.shown()), false);
        }
        match write_keep_list(
            &self.dir,
            &self.project_code,
            &self.images,
            &self.effective,
            self.policy,
            self.overwrite,
        ) {
            Ok(r) => (
                self.s.format(
                    "export.done",
                    &[
                        ("path", &r.path.shown().to_string()),
                        ("studies", &r.study_rows.to_string()),
                        ("series", &r.series_rows.to_string()),
                        ("images", &r.image_rows.to_string()),
                        ("kept", &r.kept_images.to_string()),
                    ],
                ),
                true,
            ),
            Err(e) => (e.to_string(), false),
        }
    }
}

impl LightboxApp {
    /// Takes what every worker has finished since the last frame.
    pub(super) fn poll_workers(&mut self, ctx: &egui::Context) {
        self.poll_scan(ctx);
        if self.claims.poll()
            && let Some(facts) = self.claims.loaded.as_ref().map(|l| l.facts.clone())
        {
            self.rules.set_facts(ctx, facts);
        }
        self.rules.poll();
        self.store_rules_draft_when_due(ctx);
        self.annotate.poll_export();
        if let Some(result) = self.annotate.segment.poll() {
            self.finish_segment(result);
        }
        if let Some(result) = self.annotate.segment.poll_fill() {
            self.finish_fill(result);
        }
        if let Some(models) = self.annotate.model.poll_models() {
            self.finish_models(models);
        }
        if let Some(result) = self.annotate.model.poll_infer() {
            self.finish_model_outlines(result);
        }
        if let Some(result) = self.annotate.seeds.poll() {
            self.finish_seeds(ctx, result);
        }
        self.dataset.poll();
        self.pacs.poll();
        self.mpr.poll();
        let outcome = match Job::finished(&mut self.keep_list) {
            Some(Polled::Done(outcome)) => Some(outcome),
            Some(Polled::Lost) => Some(("the keep-list writer stopped unexpectedly".into(), false)),
            Some(Polled::Running) | None => None,
        };
        if let Some(outcome) = outcome
            && let Some(form) = self.review.export.as_mut()
        {
            form.outcome = Some(outcome);
        }
        // The tag panel reads the file shown, on its own thread.
        if self.state.show_tags
            && let Some(key) = self.current_key(self.active)
        {
            self.tags.show_file(&key.path, ctx);
        }
    }
}
