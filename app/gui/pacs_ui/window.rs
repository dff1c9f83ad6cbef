//! File ▸ PACS…: the server, the query fields, Search, the studies found (rows
//! selected by a click), Retrieve into a folder with progress and Cancel, Open the
//! retrieved folder as the release, and Send the release's annotations.

use std::path::Path;

use egui::{Color32, RichText};

use super::{PacsCommand, PacsUi, QueryForm, Step, TransferKind, shown_date};
use crate::fsutil::ShowPath;
use crate::gui::command::{Command, WindowKind};
use crate::i18n::Strings;
use crate::pacs::{NamedServer, StudyMatch};

/// What the PACS window shows.
pub struct PacsView<'a> {
    /// The strings of the UI language.
    pub s: &'a Strings,
    /// The PACS part's runtime state.
    pub pacs: &'a PacsUi,
    /// The servers configured.
    pub servers: &'a [NamedServer],
    /// Where studies are retrieved into.
    pub folder: &'a Path,
    /// A release's review is open (its annotations can be sent).
    pub has_review: bool,
}

/// A PACS command.
fn pacs(c: PacsCommand) -> Command {
    Command::Pacs(c)
}

/// The PACS window (open while File ▸ PACS… says so).
#[must_use]
pub fn pacs_window(ctx: &egui::Context, view: &PacsView<'_>) -> Vec<Command> {
    let s = view.s;
    let mut out = Vec::new();
    let mut open = true;
    egui::Window::new(s.get("pacs.title"))
        .open(&mut open)
        .default_width(860.0)
        .show(ctx, |ui| {
            let Some(server) = view.pacs.chosen_server(view.servers) else {
                ui.label(s.get("pacs.no_servers"));
                if ui.button(s.get("pacs.open_settings")).clicked() {
                    out.push(Command::ShowWindow {
                        window: WindowKind::Settings,
                        open: true,
                    });
                }
                return;
            };
            server_row(ui, view, server, &mut out);
            ui.separator();
            query_ui(ui, view, &mut out);
            ui.separator();
            results_ui(ui, view, server, &mut out);
            ui.separator();
            transfer_ui(ui, view, &mut out);
        });
    if !open {
        out.push(Command::ShowWindow {
            window: WindowKind::Pacs,
            open: false,
        });
    }
    out
}

/// The server picker.
fn server_row(
    ui: &mut egui::Ui,
    view: &PacsView<'_>,
    server: &NamedServer,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.label(view.s.get("pacs.server"));
        egui::ComboBox::from_id_salt("pacs-server")
            .selected_text(&server.name)
            .show_ui(ui, |ui| {
                for named in view.servers {
                    if ui
                        .selectable_label(named.name == server.name, &named.name)
                        .clicked()
                    {
                        out.push(pacs(PacsCommand::ChooseServer(named.name.clone())));
                    }
                }
            });
        ui.monospace(super::settings::address(&server.server));
    });
}

/// A labelled text field of the query (tests find it by its label).
fn query_field(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str) {
    let label = ui.label(label);
    // A minimum size too: a grid's first frame would otherwise squeeze the field.
    let edit = egui::TextEdit::singleline(text)
        .hint_text(hint)
        .desired_width(180.0)
        .min_size(egui::vec2(180.0, 0.0));
    ui.add(edit).labelled_by(label.id);
}

/// The query fields and Search.
fn query_ui(ui: &mut egui::Ui, view: &PacsView<'_>, out: &mut Vec<Command>) {
    let s = view.s;
    let mut form: QueryForm = view.pacs.query.clone();
    egui::Grid::new("pacs-query").num_columns(4).show(ui, |ui| {
        query_field(ui, s.get("pacs.patient_id"), &mut form.patient_id, "*");
        query_field(
            ui,
            s.get("pacs.patient_name"),
            &mut form.patient_name,
            "FAMILY^GIVEN",
        );
        ui.end_row();
        query_field(
            ui,
            s.get("pacs.date_from"),
            &mut form.date_from,
            "YYYY-MM-DD",
        );
        query_field(ui, s.get("pacs.date_to"), &mut form.date_to, "YYYY-MM-DD");
        ui.end_row();
        query_field(ui, s.get("pacs.modality"), &mut form.modality, "CT");
        query_field(ui, s.get("pacs.accession"), &mut form.accession, "");
        ui.end_row();
    });
    let query = form.query();
    ui.horizontal(|ui| {
        let searching = view.pacs.search.is_some();
        if ui
            .add_enabled(
                query.is_ok() && !searching,
                egui::Button::new(s.get("pacs.search")),
            )
            .clicked()
        {
            out.push(pacs(PacsCommand::Search));
        }
        if searching {
            ui.spinner();
        }
        if let Err(why) = &query {
            ui.label(RichText::new(why).color(Color32::LIGHT_RED));
        }
    });
    if form != view.pacs.query {
        out.push(pacs(PacsCommand::SetQuery(form)));
    }
}

/// The studies found: a table whose rows a click selects or unselects.
fn results_ui(
    ui: &mut egui::Ui,
    view: &PacsView<'_>,
    server: &NamedServer,
    out: &mut Vec<Command>,
) {
    let s = view.s;
    let Some(found) = view.pacs.found.as_ref().filter(|f| f.server == server.name) else {
        ui.label(s.get("pacs.search_first"));
        return;
    };
    let studies = match &found.result {
        Ok(studies) => studies,
        Err(e) => {
            ui.label(RichText::new(e).color(Color32::LIGHT_RED));
            return;
        }
    };
    ui.label(s.format(
        "pacs.found",
        &[("n", &studies.len().to_string()), ("server", &server.name)],
    ));
    egui::ScrollArea::both()
        .max_height(240.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("pacs-results")
                .num_columns(8)
                .striped(true)
                .show(ui, |ui| {
                    for key in [
                        "pacs.col.date",
                        "pacs.patient_id",
                        "pacs.patient_name",
                        "pacs.accession",
                        "pacs.col.modalities",
                        "pacs.col.description",
                        "pacs.col.series",
                        "pacs.col.images",
                    ] {
                        ui.strong(s.get(key));
                    }
                    ui.end_row();
                    for study in studies {
                        study_row(ui, view.pacs, study, out);
                    }
                });
        });
}

/// One study of the results: every cell selects the row.
fn study_row(ui: &mut egui::Ui, pacs_ui: &PacsUi, study: &StudyMatch, out: &mut Vec<Command>) {
    let selected = pacs_ui.selected.contains(&study.study_uid);
    let count = |n: Option<u32>| n.map_or_else(String::new, |n| n.to_string());
    let cells = [
        shown_date(&study.study_date),
        study.patient_id.clone(),
        study.patient_name.replace('^', " ").trim().to_owned(),
        study.accession.clone(),
        study.modalities.join(", "),
        study.description.clone(),
        count(study.series_count),
        count(study.instance_count),
    ];
    let mut clicked = false;
    for cell in cells {
        // An empty cell would be a blank blob when selected.
        let cell = if cell.is_empty() {
            "-".to_owned()
        } else {
            cell
        };
        clicked |= ui
            .selectable_label(selected, cell)
            .on_hover_text(&study.study_uid)
            .clicked();
    }
    ui.end_row();
    if clicked {
        out.push(pacs(PacsCommand::SelectStudy(
            study.study_uid.clone(),
            !selected,
        )));
    }
}

/// Where studies go, Retrieve, Send, the transfer's progress and Cancel, and how the
/// last transfer ended.
fn transfer_ui(ui: &mut egui::Ui, view: &PacsView<'_>, out: &mut Vec<Command>) {
    let s = view.s;
    let busy = view.pacs.transfer.is_some();
    ui.horizontal(|ui| {
        ui.label(s.get("pacs.folder"));
        ui.monospace(view.folder.shown().to_string());
        if ui
            .add_enabled(!busy, egui::Button::new(s.get("pacs.choose")))
            .clicked()
            && let Some(dir) = rfd::FileDialog::new()
                .set_directory(view.folder)
                .pick_folder()
        {
            out.push(pacs(PacsCommand::SetFolder(dir)));
        }
    });
    ui.horizontal(|ui| {
        let n = view.pacs.selected.len();
        let retrieve = s.format("pacs.retrieve", &[("n", &n.to_string())]);
        if ui
            .add_enabled(!busy && n > 0, egui::Button::new(retrieve))
            .clicked()
        {
            out.push(pacs(PacsCommand::Retrieve));
        }
        let send = ui
            .add_enabled(
                !busy && view.has_review,
                egui::Button::new(s.get("pacs.send")),
            )
            .on_hover_text(s.get("pacs.send_hint"))
            .on_disabled_hover_text(s.get("pacs.send_needs_release"));
        if send.clicked() {
            out.push(pacs(PacsCommand::SendAnnotations));
        }
    });
    if let Some(transfer) = &view.pacs.transfer {
        ui.horizontal(|ui| {
            let (fraction, text) = match &transfer.progress {
                Some(step) => (step.fraction(), step_text(s, transfer.kind, step)),
                None => (0.0, s.get("pacs.preparing").to_owned()),
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(420.0)
                    .text(text),
            );
            if ui
                .add_enabled(
                    !transfer.is_cancelled(),
                    egui::Button::new(s.get("common.cancel")),
                )
                .clicked()
            {
                out.push(pacs(PacsCommand::Cancel));
            }
        });
    } else if let Some((kind, outcome, last)) = &view.pacs.outcome {
        if let Some(step) = last {
            ui.label(step_text(s, *kind, step));
        }
        for line in &outcome.lines {
            ui.label(line);
        }
        for e in &outcome.errors {
            ui.label(RichText::new(e).color(Color32::LIGHT_RED));
        }
        if let Some(folder) = &outcome.open
            && ui
                .button(s.get("pacs.open"))
                .on_hover_text(
                    s.format("pacs.open_hint", &[("folder", &folder.shown().to_string())]),
                )
                .clicked()
        {
            out.push(Command::OpenFolder(folder.clone()));
        }
    }
}

/// A transfer's progress as words: study n of m, images or files done of all, MB.
fn step_text(s: &Strings, kind: TransferKind, step: &Step) -> String {
    let p = &step.progress;
    let mb = format!("{:.1}", p.bytes as f64 / 1e6);
    let (done, total) = (p.done.to_string(), p.total.to_string());
    match kind {
        TransferKind::Retrieve => s.format(
            "pacs.progress_retrieve",
            &[
                ("study", &(step.study + 1).to_string()),
                ("studies", &step.studies.to_string()),
                ("done", &done),
                ("total", &total),
                ("mb", &mb),
            ],
        ),
        TransferKind::Send => s.format(
            "pacs.progress_send",
            &[("done", &done), ("total", &total), ("mb", &mb)],
        ),
    }
}
