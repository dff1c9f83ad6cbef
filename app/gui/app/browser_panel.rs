//! The left panel: the scan's progress, the review and claims filters, and the
//! study browser.

use crate::gui::browser::{BrowserView, browser_ui};
use crate::gui::review_ui::{self, FilteredSeries};
use crate::gui::suggest_ui;
use crate::i18n::Strings;

use super::LightboxApp;
use crate::gui::command::Command;

impl LightboxApp {
    /// The study browser panel.
    #[must_use]
    pub(super) fn browser_panel(&self, ui: &mut egui::Ui, s: &'static Strings) -> Vec<Command> {
        let mut commands = Vec::new();
        egui::Panel::left("browser")
            .resizable(true)
            .default_size(320.0)
            .show(ui, |ui| {
                ui.heading(s.get("browser.title"));
                self.scan_progress_ui(ui, s);
                // Drawn without a release too: the filter box holds the panel's width.
                let index = self.index.as_deref();
                let rows = index.map(|i| self.visible_rows(i)).unwrap_or_default();
                if let Some(index) = index {
                    // The series the filters let through, collapsed studies included.
                    let filtered = || -> Vec<FilteredSeries> {
                        index
                            .studies()
                            .flat_map(|st| st.series.iter().map(move |se| (st, se)))
                            .filter(|(st, se)| self.passes_filters(st, se))
                            .map(|(st, se)| FilteredSeries {
                                study_uid: st.study_uid.clone(),
                                series_uid: se.series_uid.clone(),
                                images: se.instances.len(),
                            })
                            .collect()
                    };
                    let regions = self.claims.body_regions(self.state.language);
                    commands.extend(review_ui::filter_ui(
                        ui,
                        s,
                        &self.review,
                        &self.modalities,
                        &regions,
                        &filtered,
                    ));
                }
                let view = BrowserView {
                    s,
                    index,
                    rows: &rows,
                    collapsed: &self.collapsed,
                    selected: self.selected.as_ref(),
                    scroll_to_selected: self.scroll_to_selected,
                    thumbs: &self.thumbs,
                    mark: &|node| self.review.mark(node),
                    suggestion: &|node| {
                        self.review
                            .session
                            .as_ref()
                            .and_then(|session| suggest_ui::pending_mark(session, s, node))
                    },
                    claims_line: &|st, se| self.claims.series_line(st, se, self.state.language),
                    split_set: &|study| self.dataset.set_of(study),
                };
                commands.extend(browser_ui(ui, &view, &self.filter));
            });
        commands
    }

    /// A progress bar while a scan runs (a spinner before it has counted the files);
    /// while a cached index is checked for changes, a note saying so.
    fn scan_progress_ui(&self, ui: &mut egui::Ui, s: &Strings) {
        let Some(scan) = &self.scan else {
            return;
        };
        if scan.checking {
            let total = self.index.as_ref().map_or(0, |i| i.files_scanned);
            let text = s.format("browser.checking", &[("total", &total.to_string())]);
            let frac = scan
                .progress
                .map_or(0.0, |p| p.done as f32 / p.total.max(1) as f32);
            ui.add(egui::ProgressBar::new(frac).text(text));
            return;
        }
        match scan.progress {
            Some(p) => {
                let frac = if p.total == 0 {
                    0.0
                } else {
                    p.done as f32 / p.total as f32
                };
                ui.add(egui::ProgressBar::new(frac).text(s.format(
                    "browser.scanning",
                    &[
                        ("done", &p.done.to_string()),
                        ("total", &p.total.to_string()),
                    ],
                )));
            }
            None => {
                ui.spinner();
            }
        }
    }
}
