//! The status bar: slice, pixel under the pointer, window, zoom, review counts,
//! decode cache, cine speed.

use egui::Vec2;

use crate::gui::review_ui;
use crate::i18n::Strings;

use super::LightboxApp;

impl LightboxApp {
    /// The status bar's contents, for the active viewport.
    pub(super) fn status_bar(&self, ui: &mut egui::Ui, s: &Strings) {
        let v = self.active;
        let n = self.viewport_frames(v).len();
        if n > 0 {
            ui.label(s.format(
                "status.slice",
                &[
                    ("i", &(self.viewports[v].slice + 1).to_string()),
                    ("n", &n.to_string()),
                ],
            ));
            ui.separator();
        }
        if let Some(h) = self.hover {
            ui.label(s.format(
                "status.pixel",
                &[("x", &h.pixel.0.to_string()), ("y", &h.pixel.1.to_string())],
            ));
            if let Some(val) = h.value {
                let modality = self.viewports[v]
                    .series
                    .as_ref()
                    .and_then(|r| self.series(r))
                    .and_then(|se| se.modality.clone());
                let text = format!("{val:.1}");
                if modality.as_deref() == Some("CT") {
                    ui.label(s.format(
                        "status.value_unit",
                        &[("v", &text), ("unit", s.get("unit.hu"))],
                    ));
                } else {
                    ui.label(s.format("status.value", &[("v", &text)]));
                }
            }
            ui.separator();
        }
        let key = self.current_key(v);
        if let Some(frame) = key.and_then(|k| self.loader.get(&k)) {
            if let crate::window::Voi::Window(w) = self.viewports[v].resolved_voi(&frame) {
                ui.label(s.format(
                    "status.window",
                    &[
                        ("w", &format!("{:.0}", w.width)),
                        ("l", &format!("{:.0}", w.center)),
                    ],
                ));
                ui.separator();
            }
            let image = [frame.cols as f32, frame.rows as f32];
            let size = self.last_sizes[v].map_or(Vec2::splat(512.0), |(_, s)| s);
            let zoom = self.viewports[v].effective_zoom(image, size) * ui.ctx().pixels_per_point();
            ui.label(s.format("status.zoom", &[("z", &format!("{:.0}", zoom * 100.0))]));
            ui.separator();
        }
        if let Some(session) = &self.review.session {
            ui.label(review_ui::counts_text(
                s,
                session.effective().release_counts(),
            ));
            ui.separator();
        }
        let (bytes, count) = self.loader.cache_usage();
        ui.label(format!("{count} / {:.0} MiB", bytes as f64 / 1048576.0));
        if self.viewports[v].cine {
            ui.separator();
            ui.label(s.format(
                "action.fps_value",
                &[("fps", &format!("{:.0}", self.state.cine_fps))],
            ));
        }
    }
}
