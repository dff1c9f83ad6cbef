//! The Dataset tab: the description of the open release (counts by sex, age band,
//! region, device, label) and the agreement of two annotators, worst frame first; a
//! click on a frame shows it with both readers' shapes. Both are computed by a
//! [`Job`], off the UI thread.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use egui::Color32;

use super::command::Command;
use super::dataset_agreement_ui::agreement_ui;
use super::job::{Job, Polled};
use crate::agreement::{Agreement, Options, Project, compare};
use crate::annotate::shape::Shape;
use crate::claims::{ClaimsJoin, ClaimsTable};
use crate::dataset::describe::{Description, describe};
use crate::dataset::facts::study_facts;
use crate::dataset::split::{ATTRIBUTES, Assignment, Split, parse_ratios, split};
use crate::i18n::Strings;
use crate::index::Index;
use crate::store::AuditEntry;

/// The tab's state: what was computed, what is computing, the annotators chosen.
pub struct DatasetUi {
    /// The last description.
    pub description: Option<Description>,
    /// The description being computed.
    pub describing: Option<Job<Description>>,
    /// The reference annotator chosen.
    pub reference: String,
    /// The test annotator chosen.
    pub test: String,
    /// The last agreement, or why it failed.
    pub agreement: Option<Result<Agreement, String>>,
    /// The agreement being computed.
    pub comparing: Option<Job<Result<Agreement, String>>>,
    /// The split shown in the browser: each study's set.
    pub split: BTreeMap<String, &'static str>,
    /// What the last split made or loaded says (achieved ratios), or why it failed.
    pub split_note: Option<Result<String, String>>,
    /// The split being made.
    pub splitting: Option<Job<Result<Split, String>>>,
    /// The split's ratios as typed (`70,15,15`).
    pub ratios: String,
    /// The split's seed.
    pub seed: u64,
    /// The attributes the split is stratified by.
    pub strata: Vec<String>,
    /// The split shown, with its patients (for saving).
    shown_split: Vec<Assignment>,
}

impl Default for DatasetUi {
    fn default() -> Self {
        Self {
            description: None,
            describing: None,
            reference: String::new(),
            test: String::new(),
            agreement: None,
            comparing: None,
            split: BTreeMap::new(),
            split_note: None,
            splitting: None,
            ratios: "70,15,15".into(),
            seed: 1,
            strata: vec!["label".into(), "sex".into()],
            shown_split: Vec::new(),
        }
    }
}

impl DatasetUi {
    /// Starts describing `index` with its claims and shapes.
    pub fn describe(
        &mut self,
        ctx: &egui::Context,
        index: Arc<Index>,
        claims: Option<(ClaimsTable, ClaimsJoin)>,
        shapes: Vec<Shape>,
    ) {
        let work = move || {
            let claims = claims.as_ref().map(|(t, j)| (t, j));
            describe(&study_facts(&index, claims, &shapes))
        };
        self.describing = Job::spawn(ctx, "describe", work).ok();
    }

    /// Starts comparing the chosen annotators: their shapes, and their decisions in
    /// the audit `log`.
    pub fn compare(
        &mut self,
        ctx: &egui::Context,
        index: Arc<Index>,
        claims: Option<(ClaimsTable, ClaimsJoin)>,
        shapes: Vec<Shape>,
        log: Vec<AuditEntry>,
    ) {
        let (reference, test) = (self.reference.clone(), self.test.clone());
        let work = move || {
            let claims = claims.as_ref().map(|(t, j)| (t, j));
            let project = Project::new(&index, claims, shapes, &log);
            compare(&project.inputs(), &reference, &test, Options::default())
                .map_err(|e| e.to_string())
        };
        match Job::spawn(ctx, "agreement", work) {
            Ok(job) => self.comparing = Some(job),
            Err(e) => self.agreement = Some(Err(e.to_string())),
        }
    }

    /// The set a study is in, when a split is shown.
    pub fn set_of(&self, study_uid: &str) -> Option<&'static str> {
        self.split.get(study_uid).copied()
    }

    /// Starts a patient-level split of `index`, stratified by the chosen attributes.
    pub fn make_split(
        &mut self,
        ctx: &egui::Context,
        index: Arc<Index>,
        claims: Option<(ClaimsTable, ClaimsJoin)>,
        shapes: Vec<Shape>,
    ) {
        let ratios = match parse_ratios(&self.ratios) {
            Ok(r) => r,
            Err(e) => {
                self.split_note = Some(Err(e.to_string()));
                return;
            }
        };
        let (seed, strata) = (self.seed, self.strata.clone());
        let work = move || {
            let claims = claims.as_ref().map(|(t, j)| (t, j));
            let facts = study_facts(&index, claims, &shapes);
            split(&facts, ratios, &strata, seed).map_err(|e| e.to_string())
        };
        match Job::spawn(ctx, "split", work) {
            Ok(job) => self.splitting = Some(job),
            Err(e) => self.split_note = Some(Err(e.to_string())),
        }
    }

    /// The split shown, as assignments (for saving).
    pub fn assignments(&self) -> Vec<Assignment> {
        self.shown_split.clone()
    }

    /// Shows a split as it came from a job or a file.
    pub fn show_split(&mut self, s: &Split) {
        self.split = s
            .assignments
            .iter()
            .map(|a| (a.study_uid.clone(), a.set))
            .collect();
        self.shown_split = s.assignments.clone();
        let pct = s
            .achieved
            .map(|x| format!("{:.0} %", x * 100.0))
            .join(" / ");
        self.split_note = Some(Ok(pct));
    }

    /// Takes in finished work.
    pub fn poll(&mut self) {
        match Job::finished(&mut self.splitting) {
            Some(Polled::Done(Ok(s))) => self.show_split(&s),
            Some(Polled::Done(Err(e))) => self.split_note = Some(Err(e)),
            _ => {}
        }
        if let Some(Polled::Done(d)) = Job::finished(&mut self.describing) {
            self.description = Some(d);
        }
        if let Some(Polled::Done(a)) = Job::finished(&mut self.comparing) {
            self.agreement = Some(a);
        }
    }
}

/// The Dataset tab. `annotators` are those with shapes in the project.
#[must_use]
pub fn dataset_panel_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    state: &DatasetUi,
    annotators: &BTreeSet<String>,
) -> Vec<Command> {
    let mut out = Vec::new();
    ui.horizontal(|ui| {
        ui.strong(s.get("dataset.description"));
        if state.describing.is_some() {
            ui.spinner();
        } else if ui.button(s.get("dataset.refresh")).clicked() {
            out.push(Command::DescribeDataset);
        }
    });
    match &state.description {
        Some(d) => description_ui(ui, s, d),
        None => {
            ui.weak(s.get("dataset.not_described"));
        }
    }
    ui.separator();
    out.extend(split_ui(ui, s, state));
    ui.separator();
    ui.strong(s.get("dataset.agreement"));
    if annotators.len() < 2 {
        ui.weak(s.get("dataset.two_annotators"));
        return out;
    }
    ui.horizontal(|ui| {
        for (key, current, is_reference) in [
            ("dataset.reference", &state.reference, true),
            ("dataset.test", &state.test, false),
        ] {
            ui.label(s.get(key));
            egui::ComboBox::from_id_salt(key)
                .selected_text(current.as_str())
                .show_ui(ui, |ui| {
                    for a in annotators {
                        if ui.selectable_label(a == current, a).clicked() {
                            let (reference, test) = if is_reference {
                                (a.clone(), state.test.clone())
                            } else {
                                (state.reference.clone(), a.clone())
                            };
                            out.push(Command::SetAgreementPair { reference, test });
                        }
                    }
                });
        }
    });
    let ready = !state.reference.is_empty() && !state.test.is_empty();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                ready && state.comparing.is_none(),
                egui::Button::new(s.get("dataset.compare")),
            )
            .clicked()
        {
            out.push(Command::CompareAnnotators);
        }
        if state.comparing.is_some() {
            ui.spinner();
        }
    });
    match &state.agreement {
        Some(Ok(a)) => out.extend(agreement_ui(ui, s, a)),
        Some(Err(e)) => {
            ui.colored_label(Color32::LIGHT_RED, e);
        }
        None => {}
    }
    out
}

/// Making, loading and saving a patient-level split; the browser marks each study.
fn split_ui(ui: &mut egui::Ui, s: &Strings, state: &DatasetUi) -> Vec<Command> {
    let mut out = Vec::new();
    ui.strong(s.get("dataset.split"));
    let params = |ratios: &str, seed: u64, strata: Vec<String>| Command::SetSplitParams {
        ratios: ratios.to_owned(),
        seed,
        strata,
    };
    ui.horizontal(|ui| {
        ui.label(s.get("dataset.ratios"));
        let mut ratios = state.ratios.clone();
        let edit = egui::TextEdit::singleline(&mut ratios).desired_width(70.0);
        if ui.add(edit).changed() {
            out.push(params(&ratios, state.seed, state.strata.clone()));
        }
        ui.label(s.get("dataset.seed"));
        let mut seed = state.seed;
        if ui.add(egui::DragValue::new(&mut seed)).changed() {
            out.push(params(&state.ratios, seed, state.strata.clone()));
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(s.get("dataset.stratify"));
        for attribute in ATTRIBUTES {
            let mut on = state.strata.iter().any(|a| a == attribute);
            let key = format!("dataset.attribute.{attribute}");
            if ui.checkbox(&mut on, s.get(&key)).changed() {
                // Kept in ATTRIBUTES order, so the stratum names read the same way.
                let strata = ATTRIBUTES
                    .iter()
                    .filter(|a| {
                        if **a == attribute {
                            on
                        } else {
                            state.strata.iter().any(|s| s == *a)
                        }
                    })
                    .map(|a| (*a).to_owned())
                    .collect();
                out.push(params(&state.ratios, state.seed, strata));
            }
        }
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                state.splitting.is_none(),
                egui::Button::new(s.get("dataset.make_split")),
            )
            .clicked()
        {
            out.push(Command::MakeSplit);
        }
        if ui.button(s.get("dataset.load_split")).clicked()
            && let Some(p) = rfd::FileDialog::new()
                .add_filter("csv", &["csv"])
                .pick_file()
        {
            out.push(Command::LoadSplit(p));
        }
        if ui
            .add_enabled(
                !state.split.is_empty(),
                egui::Button::new(s.get("dataset.save_split")),
            )
            .clicked()
            && let Some(p) = rfd::FileDialog::new()
                .set_file_name("split.csv")
                .save_file()
        {
            out.push(Command::SaveSplit(p));
        }
        if state.splitting.is_some() {
            ui.spinner();
        }
    });
    match &state.split_note {
        Some(Ok(achieved)) => {
            ui.label(s.format("dataset.split_achieved", &[("achieved", achieved)]));
        }
        Some(Err(e)) => {
            ui.colored_label(Color32::LIGHT_RED, e);
        }
        None => {}
    }
    out
}

/// Totals, then each attribute's values with a bar for their share of studies.
fn description_ui(ui: &mut egui::Ui, s: &Strings, d: &Description) {
    ui.label(s.format(
        "dataset.totals",
        &[
            ("patients", &d.patients.to_string()),
            ("studies", &d.studies.to_string()),
            ("series", &d.series.to_string()),
            ("images", &d.images.to_string()),
        ],
    ));
    for (attribute, values) in &d.by {
        if values.is_empty() {
            continue;
        }
        egui::CollapsingHeader::new(s.get(&format!("report.by.{attribute}")))
            .id_salt(("dataset-by", attribute))
            .show(ui, |ui| {
                let max = values.values().map(|c| c.studies).max().unwrap_or(1).max(1);
                egui::Grid::new(("dataset-grid", attribute))
                    .num_columns(2)
                    .show(ui, |ui| {
                        for (value, c) in values {
                            ui.label(value);
                            let fraction = c.studies as f32 / max as f32;
                            ui.add(egui::ProgressBar::new(fraction).desired_width(140.0).text(
                                s.format(
                                    "dataset.value_counts",
                                    &[
                                        ("studies", &c.studies.to_string()),
                                        ("patients", &c.patients.to_string()),
                                    ],
                                ),
                            ));
                            ui.end_row();
                        }
                    });
            });
    }
}
