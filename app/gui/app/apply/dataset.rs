//! The Dataset tab's commands: describing the release and comparing two annotators
//! (each a job off the UI thread), and showing a frame the table points at.

use super::super::LightboxApp;
use crate::claims::{ClaimsJoin, ClaimsTable};
use crate::dataset::split::{Split, read_csv, to_csv};
use crate::fsutil::ShowPath;
use crate::gui::command::{Command, Node};

impl LightboxApp {
    /// Applies a Dataset tab command.
    pub(super) fn apply_dataset(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::DescribeDataset => {
                let Some(index) = self.index.clone() else {
                    return;
                };
                let claims = self.claims_for_dataset();
                self.dataset
                    .describe(ctx, index, claims, self.project_shapes());
            }
            Command::SetAgreementPair { reference, test } => {
                self.dataset.reference = reference;
                self.dataset.test = test;
            }
            Command::CompareAnnotators => {
                if let Some(index) = self.index.clone() {
                    match self.audit_log() {
                        Ok(log) => {
                            let shapes = self.project_shapes();
                            let claims = self.claims_for_dataset();
                            self.dataset.compare(ctx, index, claims, shapes, log);
                        }
                        Err(e) => self.dataset.agreement = Some(Err(e.to_string())),
                    }
                }
            }
            Command::SetSplitParams {
                ratios,
                seed,
                strata,
            } => {
                self.dataset.ratios = ratios;
                self.dataset.seed = seed;
                self.dataset.strata = strata;
            }
            Command::MakeSplit => {
                let Some(index) = self.index.clone() else {
                    return;
                };
                let claims = self.claims_for_dataset();
                self.dataset
                    .make_split(ctx, index, claims, self.project_shapes());
            }
            Command::LoadSplit(path) => match read_csv(&path) {
                Ok(s) => self.dataset.show_split(&s),
                Err(e) => self.dataset.split_note = Some(Err(e.to_string())),
            },
            Command::SaveSplit(path) => {
                let s = Split::from_assignments(self.dataset.assignments());
                let written = crate::fsutil::write_atomic(&path, to_csv(&s).as_bytes());
                self.dataset.split_note = Some(
                    written
                        .map(|()| path.shown().to_string())
                        .map_err(|e| format!("{e}: {}", path.shown())),
                );
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

    /// A copy of the claims table and join for a job (none before they load).
    fn claims_for_dataset(&self) -> Option<(ClaimsTable, ClaimsJoin)> {
        self.claims
            .loaded
            .as_ref()
            .map(|l| (l.claims.table().clone(), l.join.clone()))
    }

    /// Every shape of the project (none before the review opens).
    fn project_shapes(&self) -> Vec<crate::annotate::shape::Shape> {
        self.review
            .session
            .as_ref()
            .map(|s| s.annotations().iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The decisions' audit log, oldest first (empty before the review opens).
    fn audit_log(&self) -> Result<Vec<crate::store::AuditEntry>, crate::store::StoreError> {
        let Some(session) = self.review.session.as_ref() else {
            return Ok(Vec::new());
        };
        let store = session.store();
        store.audit(0, store.audit_len()?)
    }
}
