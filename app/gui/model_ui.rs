//! The optional model server (MONAI Label) in the Annotations panel: its models, read
//! from the server configured in Settings, and "Outline the series" with the one
//! chosen. Off (not shown, never contacted) while no server is configured. Both calls
//! run as [`Job`]s: a model may take a minute on a CPU server.

use egui::{Color32, RichText};

use super::command::Command;
use super::job::{Job, Polled};
use crate::assist::monai::{MonaiResult, ServerInfo};
use crate::i18n::Strings;

/// The models a server offers, or why it could not be asked (with the server asked).
pub type Models = (String, Result<ServerInfo, String>);

/// The panel's state (runtime).
#[derive(Debug, Default)]
pub struct ModelUi {
    /// The last answer about the models.
    pub models: Option<Models>,
    /// Asking for them.
    pub models_job: Option<Job<Models>>,
    /// The model chosen.
    pub model: String,
    /// The inference running.
    pub infer_job: Option<Job<Result<MonaiResult, String>>>,
}

impl ModelUi {
    /// The finished question about the models, once.
    pub fn poll_models(&mut self) -> Option<Models> {
        match Job::finished(&mut self.models_job)? {
            Polled::Done(models) => Some(models),
            Polled::Lost => Some((String::new(), Err("asking the server stopped".into()))),
            Polled::Running => None,
        }
    }

    /// The finished inference, once.
    pub fn poll_infer(&mut self) -> Option<Result<MonaiResult, String>> {
        match Job::finished(&mut self.infer_job)? {
            Polled::Done(result) => Some(result),
            Polled::Lost => Some(Err("the inference stopped unexpectedly".into())),
            Polled::Running => None,
        }
    }
}

/// The model server's part of the Annotations panel (`server` configured, not empty).
#[must_use]
pub fn model_panel_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    state: &ModelUi,
    server: &str,
    series_shown: bool,
) -> Vec<Command> {
    let mut out = Vec::new();
    ui.label(s.format("model.server", &[("server", server)]));
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(
                state.models_job.is_none(),
                egui::Button::new(s.get("model.fetch")),
            )
            .clicked()
        {
            out.push(Command::FetchModels);
        }
        let models = match &state.models {
            Some((asked, Ok(info))) if asked == server => info.models.as_slice(),
            _ => &[],
        };
        if !models.is_empty() {
            egui::ComboBox::from_id_salt("model-server-model")
                .selected_text(&state.model)
                .show_ui(ui, |ui| {
                    for m in models {
                        if ui
                            .selectable_label(m.name == state.model, &m.name)
                            .on_hover_text(&m.description)
                            .clicked()
                        {
                            out.push(Command::SetModel(m.name.clone()));
                        }
                    }
                });
            let can_run = series_shown && !state.model.is_empty() && state.infer_job.is_none();
            if ui
                .add_enabled(can_run, egui::Button::new(s.get("model.outline")))
                .on_hover_text(s.get("model.outline_hint"))
                .clicked()
            {
                out.push(Command::SegmentWithModel);
            }
        }
        if state.models_job.is_some() || state.infer_job.is_some() {
            ui.spinner();
        }
    });
    if let Some((asked, Err(e))) = &state.models
        && asked == server
    {
        ui.label(RichText::new(e).color(Color32::LIGHT_RED));
    }
    out
}
