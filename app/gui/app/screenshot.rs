//! `--screenshot PATH`: once the first image is on screen, save the window as PNG
//! and quit (for checking the real window under Xvfb or Wine).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::fsutil::ShowPath;

use super::LightboxApp;

/// How far `--screenshot` has got.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ScreenshotStep {
    /// Waiting for the first image to be drawn (frames counted since).
    WaitingForImage(u32),
    /// Requested; the flag turns true when the file is written.
    Requested,
}

/// A `--screenshot` run: where to save, how far it got, and how it ended.
pub struct ScreenshotJob {
    path: PathBuf,
    step: ScreenshotStep,
    done: Arc<AtomicBool>,
    failure: Arc<Mutex<Option<String>>>,
}

impl ScreenshotJob {
    /// A screenshot to be saved at `path`.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            step: ScreenshotStep::WaitingForImage(0),
            done: Arc::new(AtomicBool::new(false)),
            failure: Arc::new(Mutex::new(None)),
        }
    }
}

impl LightboxApp {
    /// `--screenshot`: once the first image has been on screen, save the window and quit.
    pub(super) fn screenshot_step(&mut self, ctx: &egui::Context) {
        let ready = self
            .current_key(self.active)
            .is_some_and(|k| self.loader.get(&k).is_some());
        let Some(ScreenshotJob {
            path,
            step,
            done,
            failure,
        }) = &mut self.screenshot
        else {
            return;
        };
        if done.load(Ordering::Acquire) {
            if let Ok(mut f) = failure.lock()
                && let Some(e) = f.take()
            {
                eprintln!("error: {e}");
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        match step {
            ScreenshotStep::WaitingForImage(n) => {
                if ready || self.error.is_some() {
                    *n += 1;
                }
                // A few frames after the image is ready, so the GPU has drawn it.
                if *n >= 3 {
                    let (path, done, failure) =
                        (path.clone(), Arc::clone(done), Arc::clone(failure));
                    let repaint = ctx.clone();
                    ctx.request_screenshot(move |image| {
                        if let Err(e) = save_png(&path, &image)
                            && let Ok(mut f) = failure.lock()
                        {
                            *f = Some(format!("cannot write screenshot: {e}: {}", path.shown()));
                        }
                        done.store(true, Ordering::Release);
                        repaint.request_repaint();
                    });
                    *step = ScreenshotStep::Requested;
                }
                ctx.request_repaint();
            }
            ScreenshotStep::Requested => ctx.request_repaint(),
        }
    }
}

/// Writes an egui screenshot as PNG (atomically).
fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgba,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| e.to_string())?;
    crate::fsutil::write_atomic(path, &png).map_err(|e| e.to_string())
}
