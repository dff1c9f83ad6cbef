//! Settings ▸ Hanging protocols: the list of protocols, edited in place (each edit is
//! one `SetHangingProtocols` command with the whole new list), and whether they apply
//! when a study opens.

use crate::gui::command::Command;
use crate::hanging::{HangingProtocol, defaults};
use crate::i18n::Strings;

/// The grids offered, as (columns, rows).
const GRIDS: [[u8; 2]; 4] = [[1, 1], [2, 1], [1, 2], [2, 2]];

/// The editor; returns the commands of this frame's edits.
pub fn settings_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    protocols: &[HangingProtocol],
    apply_on_open: bool,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut on = apply_on_open;
    if ui
        .checkbox(&mut on, s.get("hanging.apply_on_open"))
        .changed()
    {
        commands.push(Command::SetApplyHanging(on));
    }
    let mut edited = protocols.to_vec();
    let mut changed = false;
    let mut remove = None;
    egui::Grid::new("hanging-protocols")
        .striped(true)
        .show(ui, |ui| {
            for key in [
                "hanging.name",
                "hanging.modality",
                "hanging.body_part",
                "hanging.grid",
                "hanging.series",
                "hanging.preset",
                "hanging.prior",
                "mpr.toggle",
            ] {
                ui.strong(s.get(key));
            }
            ui.end_row();
            for (k, p) in edited.iter_mut().enumerate() {
                changed |= row_ui(ui, p);
                if ui.button(s.get("hanging.remove")).clicked() {
                    remove = Some(k);
                }
                ui.end_row();
            }
        });
    if let Some(k) = remove {
        edited.remove(k);
        changed = true;
    }
    ui.horizontal(|ui| {
        if ui.button(s.get("hanging.add")).clicked() {
            edited.push(HangingProtocol {
                name: s.get("hanging.new").to_owned(),
                ..HangingProtocol::default()
            });
            changed = true;
        }
        if ui.button(s.get("hanging.defaults")).clicked() {
            edited = defaults();
            changed = true;
        }
    });
    if changed {
        commands.push(Command::SetHangingProtocols(edited));
    }
    commands
}

/// One protocol's fields; true when one changed.
fn row_ui(ui: &mut egui::Ui, p: &mut HangingProtocol) -> bool {
    let text = |ui: &mut egui::Ui, value: &mut String, width: f32| {
        ui.add_sized([width, 20.0], egui::TextEdit::singleline(value))
            .changed()
    };
    let mut changed = text(ui, &mut p.name, 150.0);
    changed |= text(ui, &mut p.modality, 40.0);
    changed |= text(ui, &mut p.body_part, 70.0);
    let id = ui.next_auto_id();
    let grid_text = |g: [u8; 2]| format!("{} × {}", g[0], g[1]);
    egui::ComboBox::from_id_salt(id)
        .selected_text(grid_text(p.grid))
        .width(60.0)
        .show_ui(ui, |ui| {
            for g in GRIDS {
                changed |= ui.selectable_value(&mut p.grid, g, grid_text(g)).changed();
            }
        });
    let mut series = p.series.join(", ");
    let edit = ui.add_sized([140.0, 20.0], egui::TextEdit::singleline(&mut series));
    if edit.changed() {
        p.series = series.split(',').map(|x| x.trim().to_owned()).collect();
        changed = true;
    }
    changed |= text(ui, &mut p.preset, 60.0);
    changed |= ui.checkbox(&mut p.compare_prior, "").changed();
    changed |= ui.checkbox(&mut p.mpr, "").changed();
    changed
}
