//! The desktop viewer (feature `gui`): egui + eframe on wgpu.
//!
//! Nothing in the core imports this module. The viewer is a thin shell: decoding
//! and scanning run in the core on worker threads; window/level runs in the
//! shader of [`gpu`], tested against `crate::window`. [`run`] opens the window on the
//! first graphics backend that works ([`graphics`]).

mod about;
pub mod annotate_tool;
pub mod annotate_ui;
mod app;
mod browser;
mod claims_ui;
pub mod command;
mod dataset_agreement_ui;
mod dataset_ui;
mod fonts;
pub mod gpu;
pub mod graphics;
mod hanging_ui;
pub mod job;
pub mod measure_tool;
pub mod model_ui;
pub mod mpr_ui;
mod overlay;
pub mod pacs_ui;
pub mod review_ui;
mod rules_ui;
pub mod seeds_ui;
pub mod segment_ui;
pub mod state;
mod suggest_ui;
mod tags;
mod thumbnails;
mod viewport;

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub use app::LightboxApp;
use graphics::{Backend, Chosen, FrameWatch, Plan, Report};
pub use viewport::viewport_colour;

use crate::i18n::Strings;

/// eframe's app id: names the window and the folder of the saved state.
const APP_ID: &str = "Lightbox";

/// Opens the viewer on `path` (a release or folder); with `screenshot`, saves the
/// window once the first image is drawn, then exits.
///
/// Tries the graphics backends of [`graphics::plan`] in turn (see [`graphics`]) and
/// logs the choice on stderr. When none works, or `LIGHTBOX_GRAPHICS` is wrong, the
/// user gets a message box saying what failed and what to try (not in `--screenshot`
/// runs, which are unattended), the same text goes to stderr, and an error returns.
///
/// # Errors
/// No backend worked, a bad `LIGHTBOX_GRAPHICS`, or eframe failed after the window
/// was working.
pub fn run(path: Option<PathBuf>, screenshot: Option<PathBuf>) -> eframe::Result {
    let saved = state::State::load_saved(APP_ID).unwrap_or_default();
    let strings = Strings::for_language(saved.language);
    let interactive = screenshot.is_none();
    let plan = match graphics::plan_from_env(saved.graphics) {
        Ok(p) => p,
        Err(e) => return Err(fatal(strings, &e.to_string(), interactive)),
    };
    let mut report = Report::new(&plan);
    // A restarted viewer (see `restart`) skips what failed before.
    if let Ok(text) = std::env::var(graphics::ENV_FAILED) {
        report.failures = Report::decode_failures(&text);
    }
    let attempts: Vec<Backend> = plan
        .attempts
        .iter()
        .copied()
        .filter(|b| !report.failures.iter().any(|f| f.backend == *b))
        .collect();
    let names: Vec<&str> = attempts.iter().map(|b| b.name()).collect();
    eprintln!("graphics: trying {} ({})", names.join(", "), plan.reason);
    for backend in attempts {
        let start = Instant::now();
        let adapter = match graphics::probe(backend, plan.allowed) {
            Ok(a) => a,
            Err(e) => {
                report.fail(backend, e, start.elapsed());
                continue;
            }
        };
        report.chosen = Some(Chosen {
            backend,
            adapter,
            probe_time: start.elapsed(),
        });
        if let Some(line) = report.chosen_line() {
            eprintln!("{line}");
        }
        let watch = FrameWatch::new(backend);
        let opened = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            open_window(&plan, &report, &watch, path.clone(), screenshot.clone())
        }));
        let why = match outcome {
            Ok(Ok(())) => match watch.failure() {
                Some(why) if !watch.confirmed() => why,
                _ => return Ok(()),
            },
            // Only a wgpu error is the backend's fault; no display, say, is not.
            Ok(Err(e)) if watch.confirmed() || !matches!(e, eframe::Error::Wgpu(_)) => {
                return Err(e);
            }
            Ok(Err(e)) => format!("the window failed: {e}"),
            Err(payload) if watch.confirmed() => panic::resume_unwind(payload),
            Err(payload) => {
                let why = format!("panicked: {}", graphics::panic_text(&*payload));
                report.chosen = None;
                report.fail(backend, why, opened.elapsed());
                return restart(&report);
            }
        };
        report.chosen = None;
        report.fail(backend, why, opened.elapsed());
    }
    let text = report.failure_text(strings);
    eprintln!("{text}");
    if interactive {
        message_box(strings, &text);
    }
    let summary: Vec<String> = report
        .failures
        .iter()
        .map(|f| format!("{}: {}", f.backend, f.reason))
        .collect();
    Err(eframe::Error::AppCreation(
        format!("no graphics backend worked: {}", summary.join("; ")).into(),
    ))
}

/// Starts a fresh copy of the viewer (same arguments) that skips the backends that
/// failed, and exits with its exit code: after a panic went through winit's event loop
/// no second window can be opened in this process (winit allows one event loop, and on
/// X11 it does not recover). Returns only when the copy cannot be started.
fn restart(report: &Report) -> eframe::Result {
    eprintln!("graphics: restarting the viewer to try the next backend");
    let started = std::env::current_exe().and_then(|exe| {
        std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(graphics::ENV_FAILED, report.encode_failures())
            .status()
    });
    match started {
        Ok(status) => std::process::exit(status.code().unwrap_or(2)),
        Err(e) => Err(eframe::Error::AppCreation(
            format!("cannot restart the viewer to try another graphics backend: {e}").into(),
        )),
    }
}

/// Runs eframe on the attempt `report.chosen`, with `watch` on its first frames.
fn open_window(
    plan: &Plan,
    report: &Report,
    watch: &Arc<FrameWatch>,
    path: Option<PathBuf>,
    screenshot: Option<PathBuf>,
) -> eframe::Result {
    let Some(chosen) = report.chosen.clone() else {
        return Ok(());
    };
    let mut setup = eframe::egui_wgpu::WgpuSetupCreateNew::without_display_handle();
    setup.instance_descriptor.backends = chosen.backend.wgpu_backends() & plan.allowed;
    let (wanted, software) = (chosen.adapter.clone(), chosen.backend == Backend::Software);
    setup.native_adapter_selector = Some(Arc::new(move |adapters, surface| {
        graphics::select_adapter(adapters, surface, &wanted, software)
    }));
    let mut wgpu_options = eframe::NativeOptions::default().wgpu_options;
    wgpu_options.wgpu_setup = setup.into();
    wgpu_options.on_surface_status = watch.surface_status();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Lightbox")
            .with_inner_size([1440.0, 900.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Wgpu,
        wgpu_options,
        // A screenshot run must not change the user's saved state.
        persistence_path: None,
        persist_window: screenshot.is_none(),
        ..Default::default()
    };
    let (watch, report) = (Arc::clone(watch), report.clone());
    eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| {
            if let Some(rs) = &cc.wgpu_render_state {
                watch.install(&rs.device);
            }
            let mut app = LightboxApp::new(cc, path, screenshot);
            app.set_graphics_report(report);
            Ok(Box::new(Watched { app, watch }))
        }),
    )
}

/// The app with its first frames watched: closes the window when the backend fails
/// before it was confirmed, so that [`run`] tries the next one.
struct Watched {
    app: LightboxApp,
    watch: Arc<FrameWatch>,
}

impl eframe::App for Watched {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.app.logic(ctx, frame);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if !self.watch.frame() {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if !self.watch.confirmed() {
            ui.ctx().request_repaint();
        }
        self.app.ui(ui, frame);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.save(storage);
    }

    fn on_exit(&mut self) {
        self.app.on_exit();
    }

    fn auto_save_interval(&self) -> std::time::Duration {
        self.app.auto_save_interval()
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        self.app.clear_color(visuals)
    }

    fn persist_egui_memory(&self) -> bool {
        self.app.persist_egui_memory()
    }

    fn raw_input_hook(&mut self, ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        self.app.raw_input_hook(ctx, raw_input);
    }
}

/// An error that stops the viewer before its window: on stderr and, when someone is
/// at the screen, in a message box.
fn fatal(strings: &Strings, text: &str, interactive: bool) -> eframe::Error {
    if interactive {
        message_box(strings, text);
    }
    eframe::Error::AppCreation(text.to_owned().into())
}

/// A native error message box (MessageBox on Windows).
fn message_box(strings: &Strings, text: &str) {
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title(strings.get("graphics.failed_title"))
        .set_description(text)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
}
