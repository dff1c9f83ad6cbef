//! Series thumbnails for the study browser: the middle image, windowed as the file
//! says, shrunk on the CPU to a small texture once it has been decoded.

use std::collections::HashMap;

use crate::display_frame::{CompactPixels, DisplayFrame};
use crate::render::min_max_window;
use crate::window::{Voi, window_value};

/// Longest side of a thumbnail in pixels.
pub const THUMB_PX: u32 = 48;

/// Thumbnail textures by Series Instance UID.
#[derive(Default)]
pub struct Thumbnails {
    textures: HashMap<String, egui::TextureHandle>,
}

impl Thumbnails {
    /// The thumbnail of a series, when made.
    pub fn get(&self, series_uid: &str) -> Option<&egui::TextureHandle> {
        self.textures.get(series_uid)
    }

    /// True when the series has its thumbnail.
    pub fn has(&self, series_uid: &str) -> bool {
        self.textures.contains_key(series_uid)
    }

    /// Makes the thumbnail of a series from its decoded middle frame.
    pub fn make(&mut self, ctx: &egui::Context, series_uid: &str, frame: &DisplayFrame) {
        let image = shrink(frame);
        let texture = ctx.load_texture(
            format!("thumb-{series_uid}"),
            image,
            egui::TextureOptions::LINEAR,
        );
        self.textures.insert(series_uid.to_owned(), texture);
    }

    /// Forgets every thumbnail (a new release was opened).
    pub fn clear(&mut self) {
        self.textures.clear();
    }
}

/// The frame windowed (file window, else min–max) and shrunk to at most [`THUMB_PX`].
pub fn shrink(frame: &DisplayFrame) -> egui::ColorImage {
    let (cols, rows) = (frame.cols.max(1), frame.rows.max(1));
    let scale = f64::from(THUMB_PX) / f64::from(cols.max(rows));
    let (w, h) = (
        ((f64::from(cols) * scale).round() as usize).max(1),
        ((f64::from(rows) * scale).round() as usize).max(1),
    );
    let window = match frame.file_vois.first().map(|f| &f.voi) {
        Some(Voi::Window(w)) => *w,
        _ => min_max_window(frame.stats.min, frame.stats.max),
    };
    let mut pixels = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let c = ((x as f64 + 0.5) / scale) as u32;
            let r = ((y as f64 + 0.5) / scale) as u32;
            let i = (r.min(rows - 1) * cols + c.min(cols - 1)) as usize;
            let colour = match &frame.pixels {
                CompactPixels::Colour8 { triples, space } => {
                    let mut p = [triples[i * 3], triples[i * 3 + 1], triples[i * 3 + 2]];
                    space.to_rgb_in_place(&mut p);
                    egui::Color32::from_rgb(p[0], p[1], p[2])
                }
                px => {
                    let stored = px.stored(i);
                    let g = if frame.padding_value == Some(stored) {
                        0
                    } else {
                        let v = window_value(
                            frame.modality.apply(f64::from(stored)),
                            &window,
                            0.0,
                            255.0,
                        )
                        .round() as u8;
                        if frame.inverted { 255 - v } else { v }
                    };
                    egui::Color32::from_gray(g)
                }
            };
            pixels.push(colour);
        }
    }
    egui::ColorImage::new([w, h], pixels)
}
