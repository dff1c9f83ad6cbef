//! The menu bar: File, Edit, View, Language, Help. Reads a [`MenuView`] and returns
//! what the user chose as commands; the system's file dialogs run here, where the
//! menu item was clicked.

use crate::annotate::export::ExportFormat;
use crate::gui::annotate_ui::AnnotationExport;
use crate::gui::command::{Command, WindowKind};
use crate::gui::state::Layout;
use crate::i18n::{Language, Strings};

use super::LightboxApp;
use super::keys::{Action, keys_of};

/// What the menus show.
pub struct MenuView {
    /// The strings of the UI language.
    pub s: &'static Strings,
    /// The UI language.
    pub language: Language,
    /// True when a release's review is open (the review items need one).
    pub has_review: bool,
    /// What Undo would undo, and Redo redo.
    pub undo: Option<String>,
    /// What Redo would redo.
    pub redo: Option<String>,
    /// The viewport layout.
    pub layout: Layout,
    /// The side panel is shown.
    pub show_tags: bool,
    /// The overlays are shown.
    pub show_overlays: bool,
    /// The active viewport (View ▸ Reset view acts on it).
    pub active: usize,
}

impl LightboxApp {
    /// What the menus show now.
    pub(super) fn menu_view(&self) -> MenuView {
        let session = self.review.session.as_ref();
        MenuView {
            s: self.s(),
            language: self.state.language,
            has_review: session.is_some(),
            undo: session.and_then(|x| x.undo_label()).map(str::to_owned),
            redo: session.and_then(|x| x.redo_label()).map(str::to_owned),
            layout: self.state.layout,
            show_tags: self.state.show_tags,
            show_overlays: self.state.show_overlays,
            active: self.active,
        }
    }
}

/// The menu bar at the top of the window.
#[must_use]
pub fn menu_bar(ui: &mut egui::Ui, view: &MenuView) -> Vec<Command> {
    let mut commands = Vec::new();
    egui::Panel::top("menu").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button(view.s.get("menu.file"), |ui| {
                file_menu(ui, view, &mut commands)
            });
            ui.menu_button(view.s.get("menu.edit"), |ui| {
                edit_menu(ui, view, &mut commands)
            });
            ui.menu_button(view.s.get("menu.view"), |ui| {
                view_menu(ui, view, &mut commands)
            });
            ui.menu_button(view.s.get("menu.language"), |ui| {
                for l in Language::ALL {
                    if ui.radio(view.language == l, l.native_name()).clicked() {
                        commands.push(Command::SetLanguage(l));
                    }
                }
            });
            ui.menu_button(view.s.get("menu.help"), |ui| {
                for (key, window) in [
                    ("menu.help.shortcuts", WindowKind::Shortcuts),
                    ("menu.help.about", WindowKind::About),
                ] {
                    if ui.button(view.s.get(key)).clicked() {
                        commands.push(Command::ShowWindow { window, open: true });
                        ui.close();
                    }
                }
            });
        });
    });
    commands
}

/// File: open, the review's files, annotations, PACS, settings, quit.
fn file_menu(ui: &mut egui::Ui, view: &MenuView, commands: &mut Vec<Command>) {
    let s = view.s;
    if ui.button(s.get("menu.file.open_folder")).clicked() {
        if let Some(dir) = rfd::FileDialog::new().pick_folder() {
            commands.push(Command::OpenFolder(dir));
        }
        ui.close();
    }
    ui.separator();
    let item = |ui: &mut egui::Ui, key: &str| {
        ui.add_enabled(view.has_review, egui::Button::new(s.get(key)))
            .clicked()
    };
    if item(ui, "menu.file.import_decisions") {
        if let Some(p) = rfd::FileDialog::new()
            .add_filter("csv", &["csv"])
            .pick_file()
        {
            commands.push(Command::ImportDecisions(p));
        }
        ui.close();
    }
    if item(ui, "menu.file.export_keep_list") {
        commands.push(Command::OpenExport);
        ui.close();
    }
    if item(ui, "menu.file.save_project_as") {
        if let Some(p) = rfd::FileDialog::new()
            .set_file_name("review.lightbox.sqlite")
            .save_file()
        {
            commands.push(Command::SaveProjectAs(p));
        }
        ui.close();
    }
    ui.separator();
    ui.add_enabled_ui(view.has_review, |ui| annotation_items(ui, s, commands));
    ui.separator();
    let pacs = egui::Button::new(s.get("menu.file.pacs")).shortcut_text(keys_of(Action::Pacs));
    if ui.add(pacs).clicked() {
        commands.push(Command::ShowWindow {
            window: WindowKind::Pacs,
            open: true,
        });
        ui.close();
    }
    if ui.button(s.get("menu.file.settings")).clicked() {
        commands.push(Command::ShowWindow {
            window: WindowKind::Settings,
            open: true,
        });
        ui.close();
    }
    if ui.button(s.get("menu.file.quit")).clicked() {
        commands.push(Command::Quit);
    }
}

/// File ▸ Export annotations (one item per format) and Import annotations.
fn annotation_items(ui: &mut egui::Ui, s: &Strings, commands: &mut Vec<Command>) {
    ui.menu_button(s.get("menu.file.export_annotations"), |ui| {
        for format in ExportFormat::ALL {
            if ui
                .button(s.get(&format!(
                    "annotate.export.{}",
                    format.as_str().replace('-', "_")
                )))
                .clicked()
            {
                if let Some(folder) = rfd::FileDialog::new().pick_folder() {
                    commands.push(Command::ExportAnnotations(AnnotationExport {
                        format,
                        folder,
                    }));
                }
                ui.close();
            }
        }
    });
    if ui.button(s.get("menu.file.import_annotations")).clicked() {
        if let Some(p) = rfd::FileDialog::new()
            .add_filter("json", &["json"])
            .pick_file()
        {
            commands.push(Command::ImportAnnotations(p));
        }
        ui.close();
    }
}

/// Edit: Undo and Redo, named after what they would undo or redo.
fn edit_menu(ui: &mut egui::Ui, view: &MenuView, commands: &mut Vec<Command>) {
    let s = view.s;
    for (key, label, action, command) in [
        ("menu.edit.undo", &view.undo, Action::Undo, Command::Undo),
        ("menu.edit.redo", &view.redo, Action::Redo, Command::Redo),
    ] {
        let text = match label {
            Some(l) => format!("{} — {l}", s.get(key)),
            None => s.get(key).to_owned(),
        };
        let button = egui::Button::new(text).shortcut_text(keys_of(action));
        if ui.add_enabled(label.is_some(), button).clicked() {
            commands.push(command);
            ui.close();
        }
    }
}

/// View: layout, side panel, overlays, reset.
fn view_menu(ui: &mut egui::Ui, view: &MenuView, commands: &mut Vec<Command>) {
    let s = view.s;
    for l in Layout::ALL {
        if ui.radio(view.layout == l, s.get(l.label_key())).clicked() {
            commands.push(Command::SetLayout(l));
        }
    }
    ui.separator();
    for (shown, key, command) in [
        (view.show_tags, "menu.view.show_tags", Command::ToggleTags),
        (
            view.show_overlays,
            "menu.view.show_overlays",
            Command::ToggleOverlays,
        ),
    ] {
        if ui.checkbox(&mut shown.clone(), s.get(key)).clicked() {
            commands.push(command);
        }
    }
    if ui.button(s.get("menu.view.reset_view")).clicked() {
        commands.push(Command::Reset(view.active));
    }
}
