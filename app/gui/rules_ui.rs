//! The Rules tab: the project's pre-labelling rules in an editor, re-checked on every
//! edit, with each rule's live counts of matched studies, series and images, the
//! conflicts, and the button that stores the proposals as suggestions.
//!
//! Parsing is instant, so it runs on the UI thread and an error shows while typing,
//! with its line and column. Evaluating runs over every series of the release, so it
//! runs on a worker; a newer edit supersedes the result of an older one. A file with
//! an error never half-applies: the counts stay those of the last good rules, marked
//! as such, until the error is fixed.

use super::job::{Job, Polled};
use crate::fsutil::ShowPath;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::command::{Command, Node};
use crate::i18n::Strings;
use crate::rules::{DEFAULT_RULES, Evaluation, Facts, RuleSet, evaluate};

/// The rules tab's runtime state.
pub struct RulesUi {
    /// The editor's text.
    pub text: String,
    /// The file the text was loaded from or saved to.
    pub path: Option<PathBuf>,
    /// Why the text does not parse (with line and column), if it does not.
    pub error: Option<String>,
    /// The last rules that parsed.
    rules: Option<Arc<RuleSet>>,
    /// What the last good rules propose (`None` until evaluated).
    pub evaluation: Option<Arc<Evaluation>>,
    /// True while the evaluation shown is older than the text.
    pub evaluating: bool,
    /// A line about the last load, save or apply.
    pub message: Option<String>,
    /// When the first edit not yet kept in the project store was made.
    pub draft_edited_at: Option<std::time::Instant>,
    /// What the rules are evaluated on (built once the claims are loaded).
    facts: Option<Arc<Facts>>,
    /// The number of the latest evaluation asked for, and the channel of results.
    generation: u64,
    pending: Option<Job<(u64, Evaluation)>>,
}

impl Default for RulesUi {
    fn default() -> Self {
        let mut ui = Self {
            text: DEFAULT_RULES.to_owned(),
            path: None,
            error: None,
            rules: None,
            evaluation: None,
            evaluating: false,
            message: None,
            draft_edited_at: None,
            facts: None,
            generation: 0,
            pending: None,
        };
        ui.parse();
        ui
    }
}

impl RulesUi {
    /// Replaces the text (a project's stored rules, or a file), and re-evaluates.
    pub fn set_text(&mut self, ctx: &egui::Context, text: String, path: Option<PathBuf>) {
        self.text = text;
        self.path = path;
        self.edited(ctx);
    }

    /// The facts of a newly opened release: evaluates the rules on them.
    pub fn set_facts(&mut self, ctx: &egui::Context, facts: Arc<Facts>) {
        self.facts = Some(facts);
        self.evaluation = None;
        self.start_evaluation(ctx);
    }

    /// The text changed: parse it, and evaluate it when it parses.
    pub fn edited(&mut self, ctx: &egui::Context) {
        if self.parse() {
            self.start_evaluation(ctx);
        }
    }

    /// Parses the text; true when it parsed.
    fn parse(&mut self) -> bool {
        match RuleSet::parse(&self.text) {
            Ok(rules) => {
                self.rules = Some(Arc::new(rules));
                self.error = None;
                true
            }
            Err(e) => {
                self.error = Some(e.to_string());
                false
            }
        }
    }

    /// The rules that parsed last, if the text parses now (a text with an error
    /// applies nothing).
    pub fn valid_rules(&self) -> Option<&RuleSet> {
        self.rules.as_deref().filter(|_| self.error.is_none())
    }

    fn start_evaluation(&mut self, ctx: &egui::Context) {
        let (Some(rules), Some(facts)) = (self.rules.clone(), self.facts.clone()) else {
            return;
        };
        self.generation += 1;
        let generation = self.generation;
        // A newer evaluation replaces the job: the older result is dropped unseen.
        match Job::spawn(ctx, "rules", move || (generation, evaluate(&rules, &facts))) {
            Ok(job) => {
                self.pending = Some(job);
                self.evaluating = true;
            }
            Err(e) => {
                self.pending = None;
                self.evaluating = false;
                self.message = Some(e.to_string());
            }
        }
    }

    /// Takes in a finished evaluation (older ones were dropped with their job).
    pub fn poll(&mut self) {
        let Some(ended) = Job::finished(&mut self.pending) else {
            return;
        };
        if let Polled::Done((generation, evaluation)) = ended
            && generation == self.generation
        {
            self.evaluation = Some(Arc::new(evaluation));
        }
        self.evaluating = false;
    }

    /// Loads a rules file into the editor.
    pub fn load(&mut self, ctx: &egui::Context, s: &Strings, path: &Path) {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                self.message =
                    Some(s.format("rules.loaded", &[("path", &path.shown().to_string())]));
                self.set_text(ctx, text, Some(path.to_path_buf()));
            }
            Err(e) => {
                self.message = Some(s.format(
                    "rules.load_failed",
                    &[
                        ("reason", &e.to_string()),
                        ("path", &path.shown().to_string()),
                    ],
                ));
            }
        }
    }

    /// Writes the editor's text to `path` (atomically) and remembers it.
    pub fn save(&mut self, s: &Strings, path: &Path) {
        let shown = path.shown().to_string();
        self.message = Some(
            match crate::fsutil::write_atomic(path, self.text.as_bytes()) {
                Ok(()) => {
                    self.path = Some(path.to_path_buf());
                    s.format("rules.saved", &[("path", &shown)])
                }
                Err(e) => s.format(
                    "rules.save_failed",
                    &[("reason", &e.to_string()), ("path", &shown)],
                ),
            },
        );
    }
}

/// A file dialog for rules files.
fn rules_dialog() -> rfd::FileDialog {
    rfd::FileDialog::new().add_filter("TOML", &["toml"])
}

/// The Rules tab; the apply button needs an open review (`review_open`).
#[must_use]
pub fn rules_panel_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    rules: &RulesUi,
    review_open: bool,
) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.horizontal_wrapped(|ui| {
        if ui.button(s.get("rules.load")).clicked()
            && let Some(p) = rules_dialog().pick_file()
        {
            commands.push(Command::LoadRules(p));
        }
        if ui.button(s.get("rules.save")).clicked() {
            let path = rules
                .path
                .clone()
                .or_else(|| rules_dialog().set_file_name("rules.toml").save_file());
            if let Some(p) = path {
                commands.push(Command::SaveRules(p));
            }
        }
        if ui.button(s.get("rules.save_as")).clicked()
            && let Some(p) = rules_dialog().set_file_name("rules.toml").save_file()
        {
            commands.push(Command::SaveRules(p));
        }
        if ui.button(s.get("rules.default")).clicked() {
            commands.push(Command::EditRules(DEFAULT_RULES.to_owned()));
        }
    });
    match &rules.path {
        Some(p) => ui.weak(egui::RichText::new(p.shown().to_string()).small()),
        None => ui.weak(egui::RichText::new(s.get("rules.unsaved")).small()),
    };
    if let Some(m) = &rules.message {
        ui.label(egui::RichText::new(m).small());
    }
    ui.separator();
    counts_ui(ui, s, rules, &mut commands);
    ui.add_enabled_ui(review_open && rules.valid_rules().is_some(), |ui| {
        let pending = rules.evaluation.as_ref().map_or(0, |e| e.proposals.len());
        if ui
            .button(s.format("rules.apply", &[("n", &pending.to_string())]))
            .on_hover_text(s.get("rules.apply_help"))
            .clicked()
        {
            commands.push(Command::ApplyRules);
        }
    });
    ui.separator();
    if let Some(e) = &rules.error {
        ui.colored_label(egui::Color32::LIGHT_RED, e);
    }
    let mut text = rules.text.clone();
    let editor = ui.add(
        egui::TextEdit::multiline(&mut text)
            .code_editor()
            .desired_rows(24)
            .desired_width(f32::INFINITY),
    );
    if editor.changed() {
        commands.push(Command::EditRules(text));
    }
    commands
}

/// Per-rule counts and the conflicts.
fn counts_ui(ui: &mut egui::Ui, s: &Strings, rules: &RulesUi, commands: &mut Vec<Command>) {
    let Some(evaluation) = &rules.evaluation else {
        ui.weak(s.get(if rules.evaluating {
            "rules.evaluating"
        } else {
            "rules.no_release"
        }));
        return;
    };
    if rules.error.is_some() {
        ui.colored_label(
            egui::Color32::from_rgb(240, 180, 60),
            s.get("rules.counts_of_last_good"),
        );
    }
    egui::Grid::new("rule-counts")
        .striped(true)
        .num_columns(4)
        .show(ui, |ui| {
            for key in [
                "rules.rule",
                "rules.studies",
                "rules.series",
                "rules.images",
            ] {
                ui.strong(s.get(key));
            }
            ui.end_row();
            for c in &evaluation.rules {
                ui.label(&c.name);
                ui.label(c.studies.to_string());
                ui.label(c.series.to_string());
                ui.label(c.images.to_string());
                ui.end_row();
            }
        });
    if evaluation.conflicts.is_empty() {
        ui.weak(s.get("rules.no_conflicts"));
    } else {
        ui.colored_label(
            egui::Color32::LIGHT_RED,
            s.format(
                "rules.conflicts",
                &[("n", &evaluation.conflicts.len().to_string())],
            ),
        );
        for c in &evaluation.conflicts {
            let text = format!("{} — {}", short(&c.study_uid), c.rules.join(" / "));
            if ui.link(text).on_hover_text(&c.study_uid).clicked() {
                commands.push(Command::Select(Node::Study(c.study_uid.clone())));
            }
        }
    }
}

/// The last 16 characters of a UID.
fn short(uid: &str) -> &str {
    uid.get(uid.len().saturating_sub(16)..).unwrap_or(uid)
}
