//! Opening a release, the settings (persisted in `State`), the menus' windows and
//! quitting.

use super::super::LightboxApp;
use crate::gui::command::Command;

impl LightboxApp {
    /// Applies a settings or window command.
    pub(super) fn apply_settings(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::OpenFolder(path) => self.start_scan(ctx, path),
            Command::SetLanguage(l) => self.state.language = l,
            Command::SetCacheMib(mib) => {
                self.state.cache_mib = mib.clamp(64, 1 << 20);
                self.loader
                    .set_budget((self.state.cache_mib as usize) << 20);
            }
            Command::SetReviewer(name) => self.state.reviewer = name,
            Command::SetFreehandTolerance(mm) => self.state.freehand_tolerance_mm = mm,
            Command::SetGraphics(g) => self.state.graphics = g,
            Command::ShowWindow { window, open } => *self.windows.flag(window) = open,
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            other => super::misrouted("settings", &other),
        }
    }
}
