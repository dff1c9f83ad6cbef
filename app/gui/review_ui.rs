//! The review in the viewer: the session beside the index, the review panel (selected
//! node, reason, keep/drop buttons, counts, decision log), the browser's marks and
//! filters, bulk decisions with a confirmation, and the keep-list export window.
//!
//! Everything that changes decisions leaves here as a [`Command`]; the app applies it
//! through [`crate::review::ReviewSession`], which stores it before the UI shows it.

use crate::fsutil::ShowPath;
use std::path::PathBuf;

use super::browser::{MarkState, NodeMark};
use super::command::{Command, Node};
use super::suggest_ui;
use crate::i18n::Strings;
use crate::index::{Index, Series, Study};
use crate::review::{Counts, Decision, Level, ReviewSession, Target};
use crate::store::AuditEntry;

/// Browser filters that look at the review (the text filter lives beside them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    /// Only series with undecided images.
    pub undecided_only: bool,
    /// Only this modality.
    pub modality: Option<String>,
    /// Only series whose claims give this body region (CURE_PATH code).
    pub body_region: Option<String>,
    /// Only series with an ICD code starting so (dots ignored, any case).
    pub icd_prefix: String,
    /// Only series some rule proposes this label for (pending or accepted).
    pub proposed_label: Option<String>,
    /// Only series with suggestions nobody reviewed yet.
    pub unreviewed_suggestions: bool,
}

/// Accepting or rejecting the pending suggestions of the filtered series, waiting for
/// the user's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionBulk {
    /// Accept (true) or reject.
    pub accept: bool,
    /// The suggestions.
    pub ids: Vec<String>,
}

/// A bulk decision waiting for the user's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkConfirm {
    /// The decision.
    pub decision: Decision,
    /// The series it sets.
    pub targets: Vec<Target>,
    /// Images it touches.
    pub images: usize,
}

/// What the export window holds while open.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportForm {
    /// Where the list goes.
    pub out_dir: Option<PathBuf>,
    /// Leave undecided images out instead of refusing.
    pub undecided_drop: bool,
    /// Replace an existing list.
    pub overwrite: bool,
    /// The outcome of the last attempt (text, success).
    pub outcome: Option<(String, bool)>,
}

/// The review's runtime state in the viewer.
#[derive(Default)]
pub struct ReviewUi {
    /// The open review, once the scan is complete.
    pub session: Option<ReviewSession>,
    /// Why the review could not be opened, or the last decision failed.
    pub error: Option<String>,
    /// Something to tell about the store (fallback location, changed images).
    pub notice: Option<String>,
    /// True while the release's images differ from the store's until accepted.
    pub images_changed: bool,
    /// The reason the next decision carries.
    pub reason: String,
    /// Browser filters.
    pub filter: ReviewFilter,
    /// A bulk decision awaiting confirmation.
    pub bulk: Option<BulkConfirm>,
    /// A bulk accept/reject of suggestions awaiting confirmation.
    pub suggestion_bulk: Option<SuggestionBulk>,
    /// The export window, when open.
    pub export: Option<ExportForm>,
    /// The newest audit entries, refreshed after each change.
    pub log: Vec<AuditEntry>,
}

/// The state a node's counts show.
fn mark_of(c: Counts) -> NodeMark {
    let state = match c.uniform() {
        Some(Decision::Keep) => MarkState::Keep,
        Some(Decision::Drop) => MarkState::Drop,
        Some(Decision::Undecided) => MarkState::Undecided,
        None if c.is_mixed() => MarkState::Mixed,
        None => MarkState::Undecided,
    };
    NodeMark {
        state,
        kept: c.kept_images as u64,
        dropped: c.dropped_images as u64,
        undecided: c.undecided_images as u64,
    }
}

/// The decision target of a browser node.
pub fn target_of(node: &Node) -> Target {
    match node {
        Node::Study(uid) => Target {
            level: Level::Study,
            uid: uid.clone(),
        },
        Node::Series(r) => Target {
            level: Level::Series,
            uid: r.series_uid.clone(),
        },
    }
}

impl ReviewUi {
    /// The browser mark of a node.
    pub fn mark(&self, node: &Node) -> Option<NodeMark> {
        let session = self.session.as_ref()?;
        let uid = match node {
            Node::Study(uid) => uid,
            Node::Series(r) => &r.series_uid,
        };
        session.counts(uid).map(mark_of)
    }

    /// True when the review filters let the series through.
    pub fn passes(&self, study: &Study, series: &Series) -> bool {
        if let Some(m) = &self.filter.modality
            && series.modality.as_ref() != Some(m)
        {
            return false;
        }
        if !suggest_ui::passes(
            self.session.as_ref(),
            self.filter.proposed_label.as_deref(),
            self.filter.unreviewed_suggestions,
            study,
            series,
        ) {
            return false;
        }
        if self.filter.undecided_only {
            return self
                .session
                .as_ref()
                .and_then(|s| s.counts(&series.series_uid))
                .is_none_or(|c| c.undecided_images > 0);
        }
        true
    }

    /// Refreshes the decision log shown in the panel.
    pub fn refresh_log(&mut self) {
        if let Some(session) = &self.session {
            let store = session.store();
            let len = store.audit_len().unwrap_or(0);
            self.log = store
                .audit(len.saturating_sub(LOG_ROWS), LOG_ROWS)
                .unwrap_or_default();
            self.log.reverse();
        }
    }
}

/// Audit rows the panel shows.
const LOG_ROWS: u64 = 50;

/// The counts line of a node or the release.
pub fn counts_text(s: &Strings, c: Counts) -> String {
    s.format(
        "review.counts",
        &[
            ("kept", &c.kept_images.to_string()),
            ("dropped", &c.dropped_images.to_string()),
            ("undecided", &c.undecided_images.to_string()),
        ],
    )
}

/// Mebibytes, for counts of bytes.
fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

/// The review panel: what is selected, its decision, the keys, the release counts and
/// the decision log. `image` is the SOP Instance UID the active viewport shows.
#[must_use]
pub fn review_panel_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    review: &ReviewUi,
    index: Option<&Index>,
    selected: Option<&Node>,
    image: Option<&str>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    if let Some(e) = &review.error {
        ui.colored_label(egui::Color32::LIGHT_RED, e);
    }
    if let Some(n) = &review.notice {
        ui.colored_label(egui::Color32::from_rgb(240, 180, 60), n);
        if review.images_changed && ui.button(s.get("review.accept_images")).clicked() {
            commands.push(Command::AcceptChangedImages);
        }
    }
    let Some(session) = &review.session else {
        ui.label(s.get("review.not_open"));
        return commands;
    };
    let release = session.effective().release_counts();
    ui.strong(s.get("review.release"));
    ui.label(counts_text(s, release));
    ui.label(s.format(
        "review.bytes",
        &[
            ("kept", &mib(release.kept_bytes)),
            ("total", &mib(release.bytes())),
        ],
    ));
    ui.separator();

    match selected {
        Some(node) => {
            let (what, uid) = match node {
                Node::Study(uid) => (s.get("browser.study"), uid.as_str()),
                Node::Series(r) => (s.get("browser.series"), r.series_uid.as_str()),
            };
            let description = index.and_then(|i| describe(i, node)).unwrap_or_default();
            ui.strong(format!("{what}: {description}"));
            ui.weak(egui::RichText::new(uid).small());
            if let Some(c) = session.counts(uid) {
                ui.label(counts_text(s, c));
            }
            let target = target_of(node);
            match session.decisions().get(&target) {
                Some(r) => {
                    ui.label(s.format(
                        "review.explicit",
                        &[
                            ("decision", s.get(decision_key(r.decision))),
                            ("reviewer", &r.reviewer),
                            ("time", &r.time),
                        ],
                    ));
                    if !r.reason.is_empty() {
                        ui.label(format!("“{}”", r.reason));
                    }
                }
                None => {
                    ui.weak(s.get("review.inherited"));
                }
            }
            let mut reason = review.reason.clone();
            let edit = egui::TextEdit::singleline(&mut reason)
                .hint_text(s.get("review.reason_hint"))
                .desired_width(f32::INFINITY);
            if ui.add(edit).changed() {
                commands.push(Command::SetReason(reason));
            }
            ui.horizontal(|ui| {
                for (decision, key) in [
                    (Decision::Keep, "review.keep_key"),
                    (Decision::Drop, "review.drop_key"),
                    (Decision::Undecided, "review.undecided_key"),
                ] {
                    if ui.button(s.get(key)).clicked() {
                        commands.push(decide(s, node, decision, &review.reason));
                    }
                }
            });
            commands.extend(suggest_ui::suggestions_ui(ui, s, session, node));
        }
        None => {
            ui.weak(s.get("review.nothing_selected"));
        }
    }
    if let Some(sop) = image {
        let decision = session.image_decision(sop).unwrap_or(Decision::Undecided);
        ui.label(s.format(
            "review.current_image",
            &[("decision", s.get(decision_key(decision)))],
        ));
    }
    ui.weak(s.get("review.keys_help"));
    ui.horizontal(|ui| {
        let undo = ui.add_enabled(
            session.undo_label().is_some(),
            egui::Button::new(s.get("menu.edit.undo")),
        );
        if undo.clicked() {
            commands.push(Command::Undo);
        }
        let redo = ui.add_enabled(
            session.redo_label().is_some(),
            egui::Button::new(s.get("menu.edit.redo")),
        );
        if redo.clicked() {
            commands.push(Command::Redo);
        }
    });
    ui.separator();
    // The file name, with the whole path on hover (paths are long and vary by machine).
    let store_path = session.store().path();
    let name = store_path.file_name().map_or_else(
        || store_path.shown().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    ui.weak(s.format("review.store", &[("path", &name)]))
        .on_hover_text(store_path.shown().to_string());
    decision_log_ui(ui, s, &review.log);
    commands
}

/// The decision log, newest first: time, reviewer, level, UID, decision, reason.
fn decision_log_ui(ui: &mut egui::Ui, s: &Strings, log: &[AuditEntry]) {
    egui::CollapsingHeader::new(s.get("review.log"))
        .id_salt("review-log")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("review-log-scroll")
                .max_height(240.0)
                .show(ui, |ui| {
                    for e in log {
                        let new = e.new.map_or("-", |d| s.get(decision_key(d)));
                        ui.label(
                            egui::RichText::new(format!(
                                "{} {} {} {} → {}{}",
                                e.time.get(11..19).unwrap_or(&e.time),
                                e.reviewer,
                                e.target.level.as_str(),
                                short_uid(&e.target.uid),
                                new,
                                if e.reason.is_empty() {
                                    String::new()
                                } else {
                                    format!(" ({})", e.reason)
                                }
                            ))
                            .small(),
                        );
                    }
                });
        });
}

/// The last 12 characters of a UID, enough to tell rows apart in the log.
fn short_uid(uid: &str) -> &str {
    let start = uid.len().saturating_sub(12);
    uid.get(start..).unwrap_or(uid)
}

/// The i18n key of a decision's name.
pub fn decision_key(d: Decision) -> &'static str {
    match d {
        Decision::Keep => "review.keep",
        Decision::Drop => "review.drop",
        Decision::Undecided => "review.undecided",
    }
}

/// The command deciding `node`.
pub fn decide(s: &Strings, node: &Node, decision: Decision, reason: &str) -> Command {
    let target = target_of(node);
    Command::Decide {
        label: format!(
            "{} {} {}",
            s.get(decision_key(decision)),
            target.level.as_str(),
            short_uid(&target.uid)
        ),
        targets: vec![target],
        decision,
        reason: reason.to_owned(),
    }
}

/// A study's or series' description for the panel.
fn describe(index: &Index, node: &Node) -> Option<String> {
    match node {
        Node::Study(uid) => index.studies().find(|st| &st.study_uid == uid).map(|st| {
            format!(
                "{} {}",
                st.study_date.as_deref().unwrap_or("-"),
                st.description.as_deref().unwrap_or("")
            )
        }),
        Node::Series(r) => index
            .series()
            .find(|se| se.series_uid == r.series_uid)
            .map(|se| {
                format!(
                    "{} {}",
                    se.modality.as_deref().unwrap_or("?"),
                    se.description.as_deref().unwrap_or("")
                )
            }),
    }
}

/// A series the browser filters let through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilteredSeries {
    /// Study Instance UID.
    pub study_uid: String,
    /// Series Instance UID.
    pub series_uid: String,
    /// Its images.
    pub images: usize,
}

/// The review filters above the browser tree, with the bulk button.
#[must_use]
pub fn filter_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    review: &ReviewUi,
    modalities: &[String],
    body_regions: &[(String, String)],
    filtered_series: &dyn Fn() -> Vec<FilteredSeries>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut filter = review.filter.clone();
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut filter.undecided_only, s.get("filter.undecided_only"));
        egui::ComboBox::new("filter-modality", s.get("filter.modality"))
            .selected_text(
                filter
                    .modality
                    .clone()
                    .unwrap_or_else(|| s.get("filter.any_modality").to_owned()),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.modality, None, s.get("filter.any_modality"));
                for m in modalities {
                    ui.selectable_value(&mut filter.modality, Some(m.clone()), m);
                }
            });
        if !body_regions.is_empty() {
            let shown = filter.body_region.as_ref().map_or_else(
                || s.get("filter.any_region").to_owned(),
                |code| {
                    body_regions
                        .iter()
                        .find(|(c, _)| c == code)
                        .map_or(code.clone(), |(c, l)| format!("{c} {l}"))
                },
            );
            egui::ComboBox::new("filter-region", s.get("filter.body_region"))
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut filter.body_region, None, s.get("filter.any_region"));
                    for (code, label) in body_regions {
                        ui.selectable_value(
                            &mut filter.body_region,
                            Some(code.clone()),
                            format!("{code} {label}"),
                        );
                    }
                });
            ui.add(
                egui::TextEdit::singleline(&mut filter.icd_prefix)
                    .hint_text(s.get("filter.icd_prefix"))
                    .desired_width(80.0),
            );
        }
        if let Some(session) = &review.session {
            let labels = suggest_ui::proposed_labels(session);
            if !labels.is_empty() {
                egui::ComboBox::new("filter-proposed-label", s.get("filter.proposed_label"))
                    .selected_text(
                        filter
                            .proposed_label
                            .clone()
                            .unwrap_or_else(|| s.get("filter.any_label").to_owned()),
                    )
                    .show_ui(ui, |ui| {
                        ui.selectable_value(
                            &mut filter.proposed_label,
                            None,
                            s.get("filter.any_label"),
                        );
                        for l in labels {
                            ui.selectable_value(&mut filter.proposed_label, Some(l.clone()), l);
                        }
                    });
            }
            if !session.suggestions().is_empty() {
                ui.checkbox(
                    &mut filter.unreviewed_suggestions,
                    s.get("filter.unreviewed_suggestions"),
                );
            }
        }
        if review.session.is_some() {
            ui.menu_button(s.get("bulk.button"), |ui| {
                // Only while the menu is open: the filtered set is a walk over every series.
                let filtered_series = filtered_series();
                let images: usize = filtered_series.iter().map(|f| f.images).sum();
                ui.label(s.format(
                    "bulk.scope",
                    &[
                        ("series", &filtered_series.len().to_string()),
                        ("images", &images.to_string()),
                    ],
                ));
                for (decision, key) in [
                    (Decision::Keep, "review.keep"),
                    (Decision::Drop, "review.drop"),
                    (Decision::Undecided, "review.undecided"),
                ] {
                    if ui.button(s.get(key)).clicked() {
                        commands.push(Command::AskBulk(BulkConfirm {
                            decision,
                            targets: filtered_series
                                .iter()
                                .map(|f| Target {
                                    level: Level::Series,
                                    uid: f.series_uid.clone(),
                                })
                                .collect(),
                            images,
                        }));
                        ui.close();
                    }
                }
                if let Some(session) = &review.session {
                    ui.separator();
                    let ids = suggest_ui::pending_ids_of_series(
                        session,
                        filtered_series
                            .iter()
                            .map(|f| (f.study_uid.as_str(), f.series_uid.as_str())),
                    );
                    ui.label(s.format("bulk.suggestions", &[("n", &ids.len().to_string())]));
                    ui.add_enabled_ui(!ids.is_empty(), |ui| {
                        for (accept, key) in
                            [(true, "suggest.accept_all"), (false, "suggest.reject_all")]
                        {
                            if ui.button(s.get(key)).clicked() {
                                commands.push(Command::AskSuggestionBulk(SuggestionBulk {
                                    accept,
                                    ids: ids.clone(),
                                }));
                                ui.close();
                            }
                        }
                    });
                }
            });
        }
    });
    if filter != review.filter {
        commands.push(Command::SetReviewFilter(filter));
    }
    commands
}

/// A centred confirmation window: `question`, then Apply (gives `apply`) and Cancel
/// (gives `cancel`).
fn confirm_window(
    ctx: &egui::Context,
    s: &Strings,
    question: &str,
    apply: Command,
    cancel: Command,
) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::Window::new(s.get("bulk.title"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            ui.label(question);
            ui.horizontal(|ui| {
                if ui.button(s.get("bulk.apply")).clicked() {
                    commands.push(apply);
                }
                if ui.button(s.get("common.cancel")).clicked() {
                    commands.push(cancel);
                }
            });
        });
    commands
}

/// The confirmation of a bulk decision: says how many images it touches.
#[must_use]
pub fn bulk_window(ctx: &egui::Context, s: &Strings, bulk: &BulkConfirm) -> Vec<Command> {
    let question = s.format(
        "bulk.confirm",
        &[
            ("decision", s.get(decision_key(bulk.decision))),
            ("series", &bulk.targets.len().to_string()),
            ("images", &bulk.images.to_string()),
        ],
    );
    confirm_window(ctx, s, &question, Command::ConfirmBulk, Command::CancelBulk)
}

/// The confirmation of accepting or rejecting many suggestions at once.
#[must_use]
pub fn suggestion_bulk_window(
    ctx: &egui::Context,
    s: &Strings,
    bulk: &SuggestionBulk,
) -> Vec<Command> {
    let key = if bulk.accept {
        "suggest.confirm_accept"
    } else {
        "suggest.confirm_reject"
    };
    let question = s.format(key, &[("n", &bulk.ids.len().to_string())]);
    let apply = suggest_ui::review(bulk.ids.clone(), bulk.accept);
    confirm_window(ctx, s, &question, apply, Command::CancelSuggestionBulk)
}

/// The keep-list export window. `project_code` is the persisted code (edited here).
#[must_use]
pub fn export_window(
    ctx: &egui::Context,
    s: &Strings,
    shown: &ExportForm,
    project_code: &str,
    default_dir: Option<&std::path::Path>,
    file_name: &str,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut form = shown.clone();
    let mut code = project_code.to_owned();
    let mut open = true;
    egui::Window::new(s.get("export.title"))
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| {
            egui::Grid::new("export-grid")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label(s.get("export.project_code"));
                    if ui.text_edit_singleline(&mut code).changed() {
                        commands.push(Command::SetProjectCode(code.clone()));
                    }
                    ui.end_row();
                    ui.label(s.get("export.out_dir"));
                    ui.horizontal(|ui| {
                        let dir = form.out_dir.as_deref().or(default_dir);
                        ui.label(dir.map_or_else(
                            || s.get("export.choose_dir").to_owned(),
                            |d| d.shown().to_string(),
                        ));
                        if ui.button("…").clicked()
                            && let Some(d) = rfd::FileDialog::new().pick_folder()
                        {
                            form.out_dir = Some(d);
                        }
                    });
                    ui.end_row();
                    ui.label(s.get("export.file"));
                    ui.monospace(file_name);
                    ui.end_row();
                });
            ui.radio_value(
                &mut form.undecided_drop,
                false,
                s.get("export.undecided_refuse"),
            );
            ui.radio_value(
                &mut form.undecided_drop,
                true,
                s.get("export.undecided_drop"),
            );
            ui.checkbox(&mut form.overwrite, s.get("export.overwrite"));
            if ui.button(s.get("export.write")).clicked() {
                commands.push(Command::ExportKeepList);
            }
            if let Some((text, ok)) = &form.outcome {
                let colour = if *ok {
                    egui::Color32::from_rgb(80, 200, 120)
                } else {
                    egui::Color32::LIGHT_RED
                };
                ui.colored_label(colour, text);
            }
            ui.separator();
            ui.horizontal(|ui| {
                if ui.button(s.get("export.summary")).clicked()
                    && let Some(p) = rfd::FileDialog::new()
                        .set_file_name("summary.csv")
                        .save_file()
                {
                    commands.push(Command::ExportSummary(p));
                }
                if ui.button(s.get("export.decisions")).clicked()
                    && let Some(p) = rfd::FileDialog::new()
                        .set_file_name("decisions.csv")
                        .save_file()
                {
                    commands.push(Command::ExportDecisions(p));
                }
            });
        });
    if form != *shown {
        commands.push(Command::EditExport(form));
    }
    if !open {
        commands.push(Command::CloseExport);
    }
    commands
}
