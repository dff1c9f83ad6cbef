//! Review commands: decisions (one store command, one undo step each), undo/redo,
//! bulk confirmations, the keep-list and the other files of a review.

use std::path::PathBuf;

use super::super::LightboxApp;
use super::super::workers::KeepListJob;
use crate::gui::command::{Command, Node};
use crate::gui::job::Job;
use crate::gui::review_ui::{self, ExportForm};
use crate::review::takeout::UndecidedPolicy;
use crate::review::{Decision, Level, ReviewSession, Target};

impl LightboxApp {
    /// Applies a review command.
    pub(super) fn apply_review(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Decide {
                label,
                targets,
                decision,
                reason,
            } => self.store_decisions(|session| {
                let command = session.decide_command(label, &targets, decision, &reason);
                session.apply(&command).map_err(|e| e.to_string())
            }),
            Command::DecideSelected(decision) => {
                if let Some(node) = self.selected_or_shown() {
                    let command = review_ui::decide(self.s(), &node, decision, &self.review.reason);
                    self.apply(ctx, command);
                }
            }
            Command::DecideCurrentImage(decision) => {
                if let Some(instance) = self.current_instance(self.active) {
                    let label = format!(
                        "{} {} {}",
                        self.s().get(review_ui::decision_key(decision)),
                        Level::Image.as_str(),
                        instance.file_name
                    );
                    let target = Target {
                        level: Level::Image,
                        uid: instance.sop_uid,
                    };
                    let command = self.decide_with_reason(label, vec![target], decision);
                    self.apply(ctx, command);
                }
            }
            Command::Undo => self
                .store_decisions(|session| session.undo().map(|_| ()).map_err(|e| e.to_string())),
            Command::Redo => self
                .store_decisions(|session| session.redo().map(|_| ()).map_err(|e| e.to_string())),
            Command::NextUndecided(delta) => {
                if let Some(node) = self.next_undecided_study(delta) {
                    self.apply(ctx, Command::Select(node));
                    self.apply(ctx, Command::SelectChild);
                    if let Some(Node::Series(r)) = &self.selected {
                        self.selected = Some(Node::Study(r.study_uid.clone()));
                    }
                }
            }
            Command::SetReviewFilter(f) => self.review.filter = f,
            Command::AskBulk(b) => self.review.bulk = Some(b),
            Command::CancelBulk => self.review.bulk = None,
            Command::ConfirmBulk => {
                if let Some(b) = self.review.bulk.take() {
                    let s = self.s();
                    let label = s.format(
                        "bulk.label",
                        &[
                            ("decision", s.get(review_ui::decision_key(b.decision))),
                            ("series", &b.targets.len().to_string()),
                        ],
                    );
                    let command = self.decide_with_reason(label, b.targets, b.decision);
                    self.apply(ctx, command);
                }
            }
            Command::ImportDecisions(path) => self.store_decisions(|session| {
                let (_, command) = session
                    .import_command(&path, false)
                    .map_err(|e| e.to_string())?;
                session.apply(&command).map_err(|e| e.to_string())
            }),
            Command::OpenExport => {
                if self.review.export.is_none() {
                    self.review.export = Some(ExportForm::default());
                }
            }
            Command::CloseExport => self.review.export = None,
            Command::ExportKeepList => self.export_keep_list(ctx),
            Command::ExportSummary(path) => self.write_review_file(|session| {
                crate::review::summary::write_summary_csv(
                    &path,
                    session.images(),
                    session.effective(),
                )
                .map_err(|e| e.to_string())
            }),
            Command::ExportDecisions(path) => self.write_review_file(|session| {
                crate::review::decisions_csv::write_decisions_csv(&path, session.decisions())
                    .map_err(|e| e.to_string())
            }),
            Command::SaveProjectAs(path) => self.store_decisions(|session| {
                session
                    .store_mut()
                    .save_as(&path)
                    .map_err(|e| e.to_string())
            }),
            Command::AcceptChangedImages => {
                if let Some(session) = self.review.session.as_mut() {
                    match session.accept_changed_images() {
                        Ok(()) => {
                            self.review.images_changed = false;
                            self.review.notice = None;
                        }
                        Err(e) => self.review.error = Some(e.to_string()),
                    }
                }
            }
            Command::SetReason(reason) => self.review.reason = reason,
            Command::SetProjectCode(code) => self.state.project_code = code,
            Command::EditExport(form) => self.review.export = Some(form),
            other => super::misrouted("review", &other),
        }
    }

    /// A decision on `targets` with the reason typed in the review panel.
    fn decide_with_reason(
        &self,
        label: String,
        targets: Vec<Target>,
        decision: Decision,
    ) -> Command {
        Command::Decide {
            label,
            targets,
            decision,
            reason: self.review.reason.clone(),
        }
    }

    /// Writes a file from the review (summary, decisions); its error shows in the
    /// review panel.
    fn write_review_file(&mut self, write: impl FnOnce(&ReviewSession) -> Result<(), String>) {
        if let Some(session) = &self.review.session {
            self.review.error = write(session).err();
        }
    }

    /// The study after (or before) the selected one, in browser order, that still has
    /// undecided images; wraps around.
    fn next_undecided_study(&self, delta: i32) -> Option<Node> {
        let index = self.index.as_ref()?;
        let session = self.review.session.as_ref()?;
        let studies: Vec<&str> = index.studies().map(|st| st.study_uid.as_str()).collect();
        if studies.is_empty() {
            return None;
        }
        let current = match self.selected_or_shown() {
            Some(Node::Study(uid)) => Some(uid),
            Some(Node::Series(r)) => Some(r.study_uid),
            None => None,
        };
        let n = studies.len() as i64;
        let start = current
            .and_then(|c| studies.iter().position(|s| *s == c))
            .map_or(if delta > 0 { -1 } else { n }, |p| p as i64);
        (1..=n)
            .map(|k| (start + k * i64::from(delta.signum())).rem_euclid(n) as usize)
            .find(|&i| {
                session
                    .counts(studies[i])
                    .is_some_and(|c| c.undecided_images > 0)
            })
            .map(|i| Node::Study(studies[i].to_owned()))
    }

    /// `TAKEOUT/` of the release root, where the keep-list goes by default.
    pub(in crate::gui::app) fn default_takeout_dir(&self) -> Option<PathBuf> {
        let index = self.index.as_ref()?;
        crate::release::takeout_dir(&index.root, &index.layout)
    }

    /// Starts writing the keep-list as the export window says; the outcome shows
    /// there when the worker is done (one list at a time).
    fn export_keep_list(&mut self, ctx: &egui::Context) {
        if self.keep_list.is_some() {
            return;
        }
        let default_dir = self.default_takeout_dir();
        let s = self.s();
        let (Some(session), Some(form)) = (&self.review.session, self.review.export.as_mut())
        else {
            return;
        };
        let Some(dir) = form.out_dir.clone().or(default_dir) else {
            form.outcome = Some((s.get("export.choose_dir").to_owned(), false));
            return;
        };
        let job = KeepListJob {
            dir,
            project_code: self.state.project_code.trim().to_owned(),
            images: session.images().clone(),
            effective: session.effective().clone(),
            policy: if form.undecided_drop {
                UndecidedPolicy::Drop
            } else {
                UndecidedPolicy::Refuse
            },
            overwrite: form.overwrite,
            s,
        };
        match Job::spawn(ctx, "keep-list", move || job.run()) {
            Ok(worker) => {
                self.keep_list = Some(worker);
                form.outcome = Some((s.get("export.writing").to_owned(), true));
            }
            Err(e) => form.outcome = Some((e.to_string(), false)),
        }
        form.overwrite = false;
    }

    /// Stores a decision command and refreshes what shows it.
    pub(in crate::gui::app) fn store_decisions(
        &mut self,
        run: impl FnOnce(&mut ReviewSession) -> Result<(), String>,
    ) {
        let Some(session) = self.review.session.as_mut() else {
            return;
        };
        self.review.error = run(session).err();
        self.review.refresh_log();
    }
}
