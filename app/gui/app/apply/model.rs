//! The model server: its address (Settings), its models (asked on a worker), and a
//! series outlined by one (sent on a worker; the outlines stored as one undo step).
//! Nothing is sent unless a server is configured and the reader asks.

use super::super::LightboxApp;
use crate::assist::monai::{
    LabelMapping, MaskValue, MonaiClient, MonaiRequest, MonaiResult, monai_shapes,
};
use crate::gui::command::Command;
use crate::gui::job::Job;
use crate::gui::model_ui::Models;

impl LightboxApp {
    /// Applies a model-server command.
    pub(super) fn apply_model(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::SetModelServer(url) => {
                self.state.model_server = url.trim().to_owned();
                self.annotate.model.models = None;
            }
            Command::FetchModels => self.fetch_models(ctx),
            Command::SetModel(name) => self.annotate.model.model = name,
            Command::SegmentWithModel => self.segment_with_model(ctx),
            other => super::misrouted("model", &other),
        }
    }

    /// Asks the configured server for its models.
    fn fetch_models(&mut self, ctx: &egui::Context) {
        let server = self.state.model_server.clone();
        if server.is_empty() || self.annotate.model.models_job.is_some() {
            return;
        }
        let work = move || -> Models {
            let info = MonaiClient::new(&server)
                .and_then(|c| c.info())
                .map_err(|e| e.to_string());
            (server, info)
        };
        match Job::spawn(ctx, "model-server-info", work) {
            Ok(job) => self.annotate.model.models_job = Some(job),
            Err(e) => self.annotate.message = Some(e.to_string()),
        }
    }

    /// Keeps the models (the first chosen when none is).
    pub(in super::super) fn finish_models(&mut self, models: Models) {
        let model = &mut self.annotate.model;
        if let (Ok(info), true) = (&models.1, model.model.is_empty())
            && let Some(first) = info.models.first()
        {
            model.model = first.name.clone();
        }
        model.models = Some(models);
    }

    /// Sends the active viewport's series to the chosen model; its outlines get the
    /// label for new shapes.
    fn segment_with_model(&mut self, ctx: &egui::Context) {
        let (Some(index), Some(session)) = (self.index.clone(), self.review.session.as_ref())
        else {
            return;
        };
        let Some(series) = self.viewports[self.active].series.clone() else {
            return;
        };
        let model = &self.annotate.model;
        if model.infer_job.is_some() || model.model.is_empty() {
            return;
        }
        let client = match MonaiClient::new(&self.state.model_server) {
            Ok(c) => c,
            Err(e) => {
                self.annotate.message = Some(e.to_string());
                return;
            }
        };
        let request = MonaiRequest {
            model: model.model.clone(),
            labels: vec![LabelMapping {
                values: MaskValue::Foreground,
                label: self.annotate.draw_label.clone(),
            }],
            annotator: session.reviewer().to_owned(),
            params: serde_json::Map::new(),
        };
        let work = move || {
            let found = index.series().find(|s| s.series_uid == series.series_uid);
            match found {
                Some(series) => monai_shapes(series, &request, &client).map_err(|e| e.to_string()),
                None => Err("the series is no longer in the release".into()),
            }
        };
        match Job::spawn(ctx, "model-server-infer", work) {
            Ok(job) => self.annotate.model.infer_job = Some(job),
            Err(e) => self.annotate.message = Some(e.to_string()),
        }
    }

    /// Stores a model's outlines (one undo step) and says what it made.
    pub(in super::super) fn finish_model_outlines(&mut self, result: Result<MonaiResult, String>) {
        let s = self.s();
        match result {
            Ok(made) => {
                let frames: Vec<String> = made.frames.iter().map(ToString::to_string).collect();
                let text = s.format(
                    "model.made",
                    &[
                        ("n", &made.shape_count.to_string()),
                        ("frames", &frames.join(", ")),
                        ("model", &made.model),
                        ("seconds", &format!("{:.1}", made.seconds)),
                    ],
                );
                let changes = made
                    .shapes
                    .into_iter()
                    .map(|shape| (shape.id.clone(), Some(shape)))
                    .collect();
                self.change_shapes("model server".into(), changes);
                self.annotate.message.get_or_insert(text);
            }
            Err(e) => self.annotate.message = Some(e),
        }
    }
}
