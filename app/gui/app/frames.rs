//! What to decode next (the visible stacks around their slices, then thumbnails),
//! thumbnails from decoded frames, and cine.

use crate::gui::command::SeriesRef;
use crate::loader::{FrameKey, prefetch_order};

use super::LightboxApp;

impl LightboxApp {
    /// Advances cine viewports by elapsed time × fps.
    pub(super) fn advance_cine(&mut self, ctx: &egui::Context) {
        let dt = f64::from(ctx.input(|i| i.stable_dt)).min(0.25);
        let mut any = false;
        for v in 0..self.state.layout.count() {
            if !self.viewports[v].cine {
                continue;
            }
            any = true;
            let n = self.viewport_frames(v).len();
            let vp = &mut self.viewports[v];
            vp.cine_accum += dt * f64::from(self.state.cine_fps);
            let steps = vp.cine_accum.floor() as usize;
            if steps > 0 && n > 0 {
                vp.cine_accum -= steps as f64;
                vp.slice = (vp.slice + steps) % n;
            }
        }
        if any {
            ctx.request_repaint();
        }
    }

    /// Tells the loader what to decode: each visible viewport's stack around its slice,
    /// the active one first, limited to what the cache can hold.
    pub(super) fn request_frames(&mut self, thumbnail_frames: Vec<FrameKey>) {
        let count = self.state.layout.count();
        let mut order: Vec<usize> = (0..count).collect();
        order.sort_by_key(|v| *v != self.active);
        let budget = (self.state.cache_mib as usize) << 20;
        let mut keys = Vec::new();
        for v in order {
            let Some(r) = self.viewports[v].series.clone() else {
                continue;
            };
            let frames = self.frames_for(&r);
            let per_frame =
                self.series(&r)
                    .and_then(|s| s.instances.first())
                    .map_or(512 * 512 * 2, |i| {
                        (i.rows as usize
                            * i.cols as usize
                            * usize::from(i.samples_per_pixel.max(1)))
                        .max(1)
                            * if i.samples_per_pixel == 3 { 1 } else { 2 }
                    });
            let fits = (budget / count / per_frame).max(1);
            keys.extend(
                prefetch_order(self.viewports[v].slice, frames.len())
                    .into_iter()
                    .take(fits)
                    .map(|i| frames[i].0.clone()),
            );
        }
        // Thumbnails last: the middle image of each series that has none yet.
        keys.extend(thumbnail_frames);
        if keys != self.last_request {
            self.loader.request(keys.clone());
            self.last_request = keys;
        }
    }

    /// Series without a thumbnail and the frame to make it from.
    fn missing_thumbnails(&self) -> Vec<(String, FrameKey)> {
        let Some(index) = self.index.clone() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for study in index.studies() {
            for series in &study.series {
                if self.thumbs.has(&series.series_uid) {
                    continue;
                }
                let r = SeriesRef {
                    study_uid: study.study_uid.clone(),
                    series_uid: series.series_uid.clone(),
                };
                let frames = self.frames_for(&r);
                if let Some((key, _)) = frames.get(frames.len() / 2) {
                    out.push((series.series_uid.clone(), key.clone()));
                }
            }
        }
        out
    }

    /// Turns decoded middle frames into thumbnails (a few per frame); returns the
    /// frames still needed for the others.
    pub(super) fn update_thumbnails(&mut self, ctx: &egui::Context) -> Vec<FrameKey> {
        let mut still_missing = Vec::new();
        let mut made = 0;
        for (uid, key) in self.missing_thumbnails() {
            match self.loader.get(&key).filter(|_| made < 8) {
                Some(frame) => {
                    self.thumbs.make(ctx, &uid, &frame);
                    made += 1;
                }
                None => still_missing.push(key),
            }
        }
        still_missing
    }
}
