//! How the viewer applies the rules and suggestion commands: the rules text is kept
//! in the project store as it is edited (so closing the viewer loses no edit),
//! applying stores the proposals as suggestions, and accepting or rejecting them is
//! one [`crate::store::StoreCommand`] through the review session, undoable like a
//! decision.

use std::time::Duration;

use super::super::LightboxApp;
use crate::gui::command::Command;
use crate::gui::suggest_ui;

/// How long an edited rules text waits before it is stored.
const DRAFT_DELAY: Duration = Duration::from_secs(1);

impl LightboxApp {
    /// Applies a rules or suggestions command.
    pub(super) fn apply_rules_command(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::EditRules(text) => {
                self.rules.text = text;
                self.rules.edited(ctx);
                // Stored a moment later (see `store_rules_draft_when_due`).
                self.rules
                    .draft_edited_at
                    .get_or_insert_with(std::time::Instant::now);
            }
            Command::LoadRules(path) => {
                self.rules.load(ctx, self.s(), &path);
                self.store_rules_draft();
            }
            Command::SaveRules(path) => {
                self.rules.save(self.s(), &path);
                self.store_rules_draft();
            }
            Command::ApplyRules => self.apply_rules(),
            Command::ReviewSuggestions { ids, accept } => {
                self.review.suggestion_bulk = None;
                self.review_suggestions(&ids, accept);
            }
            Command::ReviewSelectedSuggestions(accept) => {
                let ids = match (self.selected_or_shown(), &self.review.session) {
                    (Some(node), Some(session)) => suggest_ui::pending_ids(session, &node),
                    _ => Vec::new(),
                };
                self.review_suggestions(&ids, accept);
            }
            Command::AskSuggestionBulk(b) => self.review.suggestion_bulk = Some(b),
            Command::CancelSuggestionBulk => self.review.suggestion_bulk = None,
            other => super::misrouted("rules", &other),
        }
    }

    /// Shows the newly opened project's rules in the editor (the default rules for a
    /// project that has none yet).
    pub(in crate::gui::app) fn load_project_rules(&mut self, ctx: &egui::Context) {
        let stored = self
            .review
            .session
            .as_ref()
            .and_then(|session| session.store().rules().ok().flatten());
        let (text, path) = stored.unwrap_or_else(|| (crate::rules::DEFAULT_RULES.to_owned(), None));
        self.rules.set_text(ctx, text, path);
    }

    /// Keeps the edited rules in the project store [`DRAFT_DELAY`] after the first
    /// edit not yet kept: at most one transaction a second while typing, not one per
    /// key (each is an fsync on the UI thread).
    pub(in crate::gui::app) fn store_rules_draft_when_due(&mut self, ctx: &egui::Context) {
        let Some(since) = self.rules.draft_edited_at else {
            return;
        };
        let waited = since.elapsed();
        if waited >= DRAFT_DELAY {
            self.store_rules_draft();
        } else {
            ctx.request_repaint_after(DRAFT_DELAY - waited);
        }
    }

    /// Keeps the editor's rules (text and file) in the project store.
    fn store_rules_draft(&mut self) {
        self.rules.draft_edited_at = None;
        let Some(session) = self.review.session.as_mut() else {
            return;
        };
        let stored = session.store().rules().ok().flatten();
        let current = (self.rules.text.clone(), self.rules.path.clone());
        if stored.as_ref() != Some(&current) {
            let result = session
                .store_mut()
                .set_rules(&current.0, current.1.as_deref());
            self.review.error = result.err().map(|e| e.to_string());
        }
    }

    /// Stores what the current rules propose as the project's suggestions (one
    /// undoable command). A text with an error applies nothing.
    fn apply_rules(&mut self) {
        let s = self.s();
        let (Some(_), Some(evaluation)) = (self.rules.valid_rules(), self.rules.evaluation.clone())
        else {
            self.rules.message = Some(s.get("rules.nothing_to_apply").to_owned());
            return;
        };
        if self.rules.evaluating {
            self.rules.message = Some(s.get("rules.still_evaluating").to_owned());
            return;
        }
        let label = s.get("rules.apply_label").to_owned();
        let message = self.review.session.as_mut().map(|session| {
            let command = session.store_proposals_command(label, &evaluation.proposals);
            let changed = command.suggestions.len();
            match session.apply(&command) {
                Ok(()) => s.format(
                    "rules.applied",
                    &[
                        ("n", &evaluation.proposals.len().to_string()),
                        ("changed", &changed.to_string()),
                    ],
                ),
                Err(e) => e.to_string(),
            }
        });
        self.rules.message = message;
        self.review.refresh_log();
    }

    /// Accepts or rejects the pending suggestions among `ids`, as one command.
    fn review_suggestions(&mut self, ids: &[String], accept: bool) {
        let s = self.s();
        let Some(session) = self.review.session.as_mut() else {
            return;
        };
        let review = if accept {
            session.accept_suggestions(ids)
        } else {
            session.reject_suggestions(ids)
        };
        self.review.error = session.apply(&review.command).err().map(|e| e.to_string());
        self.review.notice = (review.conflicting > 0).then(|| {
            s.format(
                "suggest.left_in_conflict",
                &[("n", &review.conflicting.to_string())],
            )
        });
        self.review.refresh_log();
    }
}
