//! The windows over the panels: the review's confirmations and keep-list export,
//! settings (with its PACS servers), keyboard shortcuts, About, the label-set editor
//! and the PACS window.

use crate::fsutil::ShowPath;
use crate::gui::about;
use crate::gui::annotate_ui;
use crate::gui::command::{Command, WindowKind};
use crate::gui::hanging_ui;
use crate::gui::pacs_ui::{self, PacsView};
use crate::gui::review_ui;
use crate::i18n::{Language, Strings};

use super::{LightboxApp, keys};

impl LightboxApp {
    /// Every open window.
    #[must_use]
    pub(super) fn windows(&self, ctx: &egui::Context, s: &Strings) -> Vec<Command> {
        let mut commands = Vec::new();
        if let Some(b) = &self.review.bulk {
            commands.extend(review_ui::bulk_window(ctx, s, b));
        }
        if let Some(b) = &self.review.suggestion_bulk {
            commands.extend(review_ui::suggestion_bulk_window(ctx, s, b));
        }
        if let Some(form) = &self.review.export {
            let file_name = self.review.session.as_ref().map_or(String::new(), |x| {
                format!(
                    "{}_{}.csv",
                    self.state.project_code.trim(),
                    x.images().release_id.as_deref().unwrap_or("?")
                )
            });
            commands.extend(review_ui::export_window(
                ctx,
                s,
                form,
                &self.state.project_code,
                self.default_takeout_dir().as_deref(),
                &file_name,
            ));
        }
        if self.windows.settings {
            commands.extend(self.settings_window(ctx, s));
        }
        if self.windows.about {
            commands.extend(self.about.window(ctx, s));
        }
        if self.windows.shortcuts {
            commands.extend(shortcuts_window(ctx, s));
        }
        if self.windows.pacs {
            let folder = self.pacs_folder();
            let view = PacsView {
                s,
                pacs: &self.pacs,
                servers: &self.state.pacs_servers,
                folder: &folder,
                has_review: self.review.session.is_some(),
            };
            commands.extend(pacs_ui::pacs_window(ctx, &view));
        }
        commands.extend(annotate_ui::label_editor_ui(ctx, s, &self.annotate));
        commands
    }

    /// File ▸ Settings: cache size, language, reviewer, freehand tolerance, the
    /// presets file in use, graphics, the PACS servers.
    fn settings_window(&self, ctx: &egui::Context, s: &Strings) -> Vec<Command> {
        let mut commands = Vec::new();
        let mut open = true;
        egui::Window::new(s.get("settings.title"))
            .open(&mut open)
            .show(ctx, |ui| {
                let mut mib = self.state.cache_mib;
                ui.horizontal(|ui| {
                    ui.label(s.get("settings.cache_size"));
                    ui.add(egui::DragValue::new(&mut mib).range(64..=65536).speed(64));
                });
                if mib != self.state.cache_mib {
                    commands.push(Command::SetCacheMib(mib));
                }
                ui.horizontal(|ui| {
                    ui.label(s.get("settings.language"));
                    for l in Language::ALL {
                        if ui
                            .radio(self.state.language == l, l.native_name())
                            .clicked()
                        {
                            commands.push(Command::SetLanguage(l));
                        }
                    }
                });
                ui.horizontal(|ui| {
                    ui.label(s.get("settings.reviewer"));
                    let mut reviewer = self.state.reviewer.clone();
                    if ui.text_edit_singleline(&mut reviewer).changed() {
                        commands.push(Command::SetReviewer(reviewer));
                    }
                });
                ui.horizontal(|ui| {
                    ui.label(s.get("settings.freehand_tolerance"));
                    let mut mm = self.state.freehand_tolerance_mm;
                    let drag = egui::DragValue::new(&mut mm)
                        .range(0.0..=10.0)
                        .speed(0.05)
                        .suffix(" mm");
                    if ui.add(drag).changed() {
                        commands.push(Command::SetFreehandTolerance(mm));
                    }
                });
                ui.horizontal(|ui| {
                    ui.label(s.get("settings.model_server"));
                    let mut url = self.state.model_server.clone();
                    let edit = egui::TextEdit::singleline(&mut url)
                        .hint_text("http://host:8000")
                        .desired_width(220.0);
                    if ui
                        .add(edit)
                        .on_hover_text(s.get("settings.model_server_hint"))
                        .changed()
                    {
                        commands.push(Command::SetModelServer(url));
                    }
                });
                ui.horizontal(|ui| {
                    ui.label(s.get("settings.window_presets_file"));
                    match &self.presets_source {
                        Some(p) => ui.monospace(p.shown().to_string()),
                        None => ui.monospace("assets/window-presets.json (built in)"),
                    };
                });
                commands.extend(about::graphics_setting_ui(ui, s, self.state.graphics));
                ui.separator();
                egui::CollapsingHeader::new(s.get("settings.hanging"))
                    .id_salt("settings-hanging")
                    .show(ui, |ui| {
                        commands.extend(hanging_ui::settings_ui(
                            ui,
                            s,
                            &self.state.hanging_protocols,
                            self.state.apply_hanging,
                        ));
                    });
                egui::CollapsingHeader::new(s.get("settings.pacs"))
                    .id_salt("settings-pacs")
                    .show(ui, |ui| {
                        commands.extend(pacs_ui::settings_ui(
                            ui,
                            s,
                            &self.pacs,
                            &self.state.pacs_servers,
                        ));
                    });
            });
        if !open {
            commands.push(Command::ShowWindow {
                window: WindowKind::Settings,
                open: false,
            });
        }
        commands
    }
}

/// Help ▸ Keyboard shortcuts: the key table, as dispatch uses it. As tall as the
/// screen allows (title bar and margins aside); the list scrolls beyond that.
fn shortcuts_window(ctx: &egui::Context, s: &Strings) -> Option<Command> {
    let mut open = true;
    let list_height = (ctx.content_rect().height() - 120.0).max(200.0);
    egui::Window::new(s.get("shortcuts.title"))
        .open(&mut open)
        .default_height(list_height)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical()
                .max_height(list_height)
                .show(ui, |ui| {
                    egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                        for (keys, help) in keys::shortcut_lines() {
                            ui.monospace(keys);
                            ui.label(s.get(help));
                            ui.end_row();
                        }
                    });
                });
        });
    (!open).then_some(Command::ShowWindow {
        window: WindowKind::Shortcuts,
        open: false,
    })
}
