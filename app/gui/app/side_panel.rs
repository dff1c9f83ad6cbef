//! The right panel: one tab each for the review, the claims, the annotations, the
//! rules and the DICOM tags.

use crate::gui::annotate_ui::{self, PanelContext};
use crate::gui::claims_ui::claims_panel_ui;
use crate::gui::command::{Command, Node, SideTab};
use crate::gui::dataset_ui::dataset_panel_ui;
use crate::gui::review_ui;
use crate::gui::rules_ui;
use crate::gui::tags::tags_ui;
use crate::i18n::Strings;

use super::LightboxApp;

impl LightboxApp {
    /// The side panel with its tabs.
    #[must_use]
    pub(super) fn side_panel(&self, ui: &mut egui::Ui, s: &'static Strings) -> Vec<Command> {
        let mut commands = Vec::new();
        egui::Panel::right("side")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| {
                // Wrapped: six tabs do not widen the panel (the image keeps its room).
                ui.horizontal_wrapped(|ui| {
                    for (tab, key) in [
                        (SideTab::Review, "review.title"),
                        (SideTab::Claims, "claims.title"),
                        (SideTab::Annotations, "annotate.title"),
                        (SideTab::Rules, "rules.title"),
                        (SideTab::Dataset, "dataset.title"),
                        (SideTab::Tags, "tags.title"),
                    ] {
                        if ui
                            .selectable_label(self.side_tab == tab, s.get(key))
                            .clicked()
                        {
                            commands.push(Command::SetSideTab(tab));
                        }
                    }
                });
                ui.separator();
                if self.side_tab == SideTab::Tags {
                    commands.extend(
                        tags_ui(ui, s, &self.tags, &self.tag_filter).map(Command::SetTagFilter),
                    );
                    return;
                }
                let salt = match self.side_tab {
                    SideTab::Review => "review-panel",
                    SideTab::Claims => "claims-panel",
                    SideTab::Rules => "rules-panel",
                    SideTab::Dataset => "dataset-panel",
                    SideTab::Annotations | SideTab::Tags => "annotation-panel",
                };
                egui::ScrollArea::vertical()
                    .id_salt(salt)
                    .auto_shrink(false)
                    .show(ui, |ui| commands.extend(self.side_tab_ui(ui, s)));
            });
        commands
    }

    /// The scrolled contents of the review, claims, rules or annotation tab.
    fn side_tab_ui(&self, ui: &mut egui::Ui, s: &'static Strings) -> Vec<Command> {
        let selected = self.selected_or_shown();
        match self.side_tab {
            SideTab::Review => {
                let image = self.current_instance(self.active).map(|i| i.sop_uid);
                review_ui::review_panel_ui(
                    ui,
                    s,
                    &self.review,
                    self.index.as_deref(),
                    selected.as_ref(),
                    image.as_deref(),
                )
            }
            SideTab::Claims => {
                self.claims_tab_ui(ui, s, selected);
                Vec::new()
            }
            SideTab::Rules => {
                let review_open = self.review.session.is_some();
                rules_ui::rules_panel_ui(ui, s, &self.rules, review_open)
            }
            SideTab::Dataset => self.dataset_tab_ui(ui, s),
            SideTab::Annotations | SideTab::Tags => self.annotation_tab_ui(ui, s),
        }
    }

    /// The Dataset tab; the first time it shows a release, it asks for the description.
    fn dataset_tab_ui(&self, ui: &mut egui::Ui, s: &'static Strings) -> Vec<Command> {
        let annotators: std::collections::BTreeSet<String> = self
            .review
            .session
            .as_ref()
            .map(|session| {
                // Those who drew, and those whose decisions stand (keep/drop agreement).
                let deciders = session.decisions().iter().map(|(_, r)| &r.reviewer);
                session
                    .annotations()
                    .iter()
                    .map(|sh| &sh.annotator)
                    .chain(deciders)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut out = dataset_panel_ui(ui, s, &self.dataset, &annotators);
        let d = &self.dataset;
        if self.index.is_some() && d.description.is_none() && d.describing.is_none() {
            out.push(Command::DescribeDataset);
        }
        out
    }

    /// The claims of the selected study (all its rows) or series (its rows).
    fn claims_tab_ui(&self, ui: &mut egui::Ui, s: &Strings, selected: Option<Node>) {
        let (study_uid, series_ref) = match selected {
            Some(Node::Study(uid)) => (Some(uid), None),
            Some(Node::Series(r)) => (Some(r.study_uid.clone()), Some(r)),
            None => (None, None),
        };
        let study = study_uid.and_then(|uid| {
            self.index
                .as_ref()
                .and_then(|i| i.studies().find(|st| st.study_uid == uid))
        });
        let series = series_ref.as_ref().and_then(|r| self.series(r));
        claims_panel_ui(ui, s, self.state.language, &self.claims, study, series);
    }

    /// The annotation tab: the frame's shapes, the selected one, labels.
    fn annotation_tab_ui(&self, ui: &mut egui::Ui, s: &Strings) -> Vec<Command> {
        let Some(session) = self.review.session.as_ref() else {
            return Vec::new();
        };
        let frame = self.current_shape_image(self.active).map(|(i, _)| i.key());
        let series_uid = self.viewports[self.active]
            .series
            .as_ref()
            .map(|r| r.series_uid.as_str());
        let series_shapes = series_uid.map_or(0, |uid| {
            session
                .annotations()
                .iter()
                .filter(|sh| sh.image.series_uid == uid)
                .count()
        });
        let panel = PanelContext {
            annotations: session.annotations(),
            labels: session.labels(),
            frame,
            tool: self.tool,
            series_shapes,
            series_uid,
            model_server: &self.state.model_server,
        };
        annotate_ui::annotation_panel_ui(ui, s, &self.annotate, &panel)
    }
}
