//! Help ▸ About: the app's name and version, and which graphics backend and adapter
//! the viewer draws with, how it was chosen and why other backends were skipped; and
//! the Graphics choice of the settings window.
//!
//! A user on a slow Remote Desktop session, or IT asking why the viewer is slow, needs
//! to see at a glance that it runs on a software adapter and that DX12 failed.

use super::command::{Command, WindowKind};
use super::graphics::{Backend, GraphicsSetting, Report};
use crate::i18n::Strings;

/// What the About window shows about graphics.
#[derive(Debug, Default)]
pub struct About {
    /// The adapter the window's renderer uses (from eframe's render state).
    adapter: Option<wgpu::AdapterInfo>,
    /// How the backend was chosen at start-up (`None` when the host made the device,
    /// as a test harness does).
    report: Option<Report>,
}

impl About {
    /// About for the renderer eframe created.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        Self {
            adapter: cc
                .wgpu_render_state
                .as_ref()
                .map(|rs| rs.adapter.get_info()),
            report: None,
        }
    }

    /// Keeps the start-up report for display.
    pub fn set_report(&mut self, report: Report) {
        self.report = Some(report);
    }

    /// Shows the window; asks to close it when the user does.
    #[must_use]
    pub fn window(&self, ctx: &egui::Context, s: &Strings) -> Option<Command> {
        let mut open = true;
        egui::Window::new(s.get("about.title"))
            .open(&mut open)
            .resizable(false)
            .collapsible(false)
            .show(ctx, |ui| self.contents(ui, s));
        (!open).then_some(Command::ShowWindow {
            window: WindowKind::About,
            open: false,
        })
    }

    fn contents(&self, ui: &mut egui::Ui, s: &Strings) {
        ui.heading("Lightbox");
        ui.label(s.format("about.version", &[("version", env!("CARGO_PKG_VERSION"))]));
        ui.label(s.get("about.body"));
        ui.separator();
        ui.strong(s.get("about.graphics"));
        egui::Grid::new("about graphics")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                let row = |ui: &mut egui::Ui, key: &str, value: String| {
                    ui.label(s.get(key));
                    ui.label(value);
                    ui.end_row();
                };
                match &self.adapter {
                    Some(a) => {
                        row(ui, "about.graphics_backend", self.backend_text(a, s));
                        row(
                            ui,
                            "about.graphics_adapter",
                            format!("{} ({:?})", a.name, a.device_type),
                        );
                        row(ui, "about.graphics_driver", driver_text(a));
                    }
                    None => row(ui, "about.graphics_backend", "—".to_owned()),
                }
                let how = self.report.as_ref().map_or_else(
                    || s.get("about.graphics_host").to_owned(),
                    |r| r.reason.clone(),
                );
                row(ui, "about.graphics_how", how);
            });
        if let Some(r) = &self.report {
            ui.label(s.get("about.graphics_skipped"));
            if r.failures.is_empty() {
                ui.label(s.get("about.graphics_none_skipped"));
            }
            for f in &r.failures {
                ui.label(format!(
                    "{}: {} ({:.2} s)",
                    f.backend,
                    f.reason,
                    f.elapsed.as_secs_f64()
                ));
            }
        }
        ui.separator();
        ui.small(s.get("about.font_notice"));
    }
}

impl About {
    /// The backend's name, and whether it is the software fallback attempt.
    fn backend_text(&self, a: &wgpu::AdapterInfo, s: &Strings) -> String {
        let name = Backend::of_adapter(a)
            .map_or_else(|| format!("{:?}", a.backend), |b| b.name().to_owned());
        let chosen = self.report.as_ref().and_then(|r| r.chosen.as_ref());
        match chosen {
            Some(c) if c.backend == Backend::Software => {
                format!("{name} ({})", s.get("about.graphics_software"))
            }
            _ => name,
        }
    }
}

/// The driver's name and version as wgpu reports them (either may be empty).
fn driver_text(a: &wgpu::AdapterInfo) -> String {
    match (a.driver.trim(), a.driver_info.trim()) {
        ("", "") => "—".to_owned(),
        (d, "") | ("", d) => d.to_owned(),
        (d, i) => format!("{d} {i}"),
    }
}

/// The Graphics row of the settings window: Automatic / DX12 / Vulkan / GL, with the
/// note that it applies at the next start.
#[must_use]
pub fn graphics_setting_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    setting: GraphicsSetting,
) -> Option<Command> {
    let mut chosen = setting;
    ui.horizontal(|ui| {
        ui.label(s.get("settings.graphics"));
        for g in GraphicsSetting::ALL {
            let name = match g.preferred() {
                Some(b) => b.name(),
                None => s.get("settings.graphics_auto"),
            };
            ui.radio_value(&mut chosen, g, name);
        }
    });
    ui.small(s.get("settings.graphics_note"));
    (chosen != setting).then_some(Command::SetGraphics(chosen))
}
