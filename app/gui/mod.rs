//! The desktop viewer (feature `gui`): egui + eframe on wgpu.
//!
//! Nothing in the core imports this module. The viewer is a thin shell: decoding
//! and scanning run in the core on worker threads; window/level runs in the
//! shader of [`gpu`], tested against `crate::window`.

pub mod annotate_tool;
pub mod annotate_ui;
mod app;
mod browser;
mod claims_ui;
pub mod command;
mod fonts;
pub mod gpu;
pub mod measure_tool;
mod overlay;
pub mod review_ui;
mod rules_ui;
pub mod state;
mod suggest_ui;
mod tags;
mod thumbnails;
mod viewport;

use std::path::PathBuf;

pub use app::LightboxApp;

/// Opens the viewer on `path` (a release or folder); with `screenshot`, saves the
/// window once the first image is drawn, then exits.
pub fn run(path: Option<PathBuf>, screenshot: Option<PathBuf>) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Lightbox")
            .with_inner_size([1440.0, 900.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Wgpu,
        // A screenshot run must not change the user's saved state.
        persistence_path: None,
        ..Default::default()
    };
    let screenshot_run = screenshot.is_some();
    let options = if screenshot_run {
        eframe::NativeOptions {
            persist_window: false,
            ..options
        }
    } else {
        options
    };
    eframe::run_native(
        "Lightbox",
        options,
        Box::new(move |cc| Ok(Box::new(LightboxApp::new(cc, path, screenshot)))),
    )
}
