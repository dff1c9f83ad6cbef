//! The Dataset tab's commands: describing the release and comparing two annotators
//! (each a job off the UI thread), and showing a frame the table points at.

use super::super::LightboxApp;
use crate::gui::command::{Command, Node};

impl LightboxApp {
    /// Applies a Dataset tab command.
    pub(super) fn apply_dataset(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::DescribeDataset => {
                let Some(index) = self.index.clone() else {
                    return;
                };
                let claims = self
                    .claims
                    .loaded
                    .as_ref()
                    .map(|l| (l.claims.table().clone(), l.join.clone()));
                self.dataset
                    .describe(ctx, index, claims, self.project_shapes());
            }
            Command::SetAgreementPair { reference, test } => {
                self.dataset.reference = reference;
                self.dataset.test = test;
            }
            Command::CompareAnnotators => {
                if let Some(index) = self.index.clone() {
                    let shapes = self.project_shapes();
                    self.dataset.compare(ctx, index, shapes);
                }
            }
            Command::ShowImage {
                series,
                sop_uid,
                frame,
            } => {
                self.apply(ctx, Command::Select(Node::Series(series.clone())));
                let instance = self
                    .series(&series)
                    .and_then(|se| se.instances.iter().position(|i| i.sop_uid == sop_uid));
                let frames = self.frames_for(&series);
                let slice = frames
                    .iter()
                    .position(|(key, i)| Some(*i) == instance && key.frame + 1 == frame);
                if let Some(slice) = slice {
                    self.viewports[self.active].slice = slice;
                }
            }
            other => super::misrouted("dataset", &other),
        }
    }

    /// Every shape of the project (none before the review opens).
    fn project_shapes(&self) -> Vec<crate::annotate::shape::Shape> {
        self.review
            .session
            .as_ref()
            .map(|s| s.annotations().iter().cloned().collect())
            .unwrap_or_default()
    }
}
