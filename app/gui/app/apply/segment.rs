//! Click-to-segment: a click with the tool starts the growth on a worker ([`Job`]);
//! when it is done its shapes are stored as one undoable command and the panel says
//! what was made (or why nothing was, or that the leak guard cut the region).

use super::super::LightboxApp;
use crate::assist::fill_between::{Fill, fill_between};
use crate::assist::grow::GrowOptions;
use crate::assist::segment::{SegmentRequest, Segmented, segment};
use crate::gui::command::Command;
use crate::gui::job::Job;

impl LightboxApp {
    /// Applies a click-to-segment command.
    pub(super) fn apply_segment(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::SetSegmentOptions { three_d, window } => {
                let seg = &mut self.annotate.segment;
                seg.three_d = three_d;
                seg.window = window;
            }
            Command::SegmentAt(point_in_image) => self.start_segment(ctx, point_in_image),
            Command::FillBetween => self.start_fill(ctx),
            other => super::misrouted("segment", &other),
        }
    }

    /// Starts growing from `point_in_image` on the active viewport's frame.
    fn start_segment(&mut self, ctx: &egui::Context, point_in_image: [f64; 2]) {
        let (Some(index), Some(session)) = (self.index.clone(), self.review.session.as_ref())
        else {
            return;
        };
        let Some(series) = self.viewports[self.active].series.clone() else {
            return;
        };
        if self.annotate.segment.job.is_some() {
            return;
        }
        let seg = &self.annotate.segment;
        let request = SegmentRequest {
            point_in_image,
            frame: self.viewports[self.active].slice + 1,
            options: GrowOptions {
                window: seg.window,
                three_d: seg.three_d,
                ..GrowOptions::default()
            },
            label: self.annotate.draw_label.clone(),
            annotator: session.reviewer().to_owned(),
        };
        let work = move || {
            let found = index.series().find(|s| s.series_uid == series.series_uid);
            match found {
                Some(series) => segment(series, &request).map_err(|e| e.to_string()),
                None => Err("the series is no longer in the release".into()),
            }
        };
        match Job::spawn(ctx, "segment", work) {
            Ok(job) => self.annotate.segment.job = Some(job),
            Err(e) => self.annotate.message = Some(e.to_string()),
        }
    }

    /// Stores a finished growth's shapes (one undo step) and reports it.
    pub(in super::super) fn finish_segment(&mut self, result: Result<Segmented, String>) {
        let s = self.s();
        match result {
            Ok(made) if made.shapes.is_empty() => {
                self.annotate.message = Some(s.get("segment.nothing").to_owned());
            }
            Ok(made) => {
                let frames: Vec<String> = made.frames.iter().map(ToString::to_string).collect();
                let mut text = s.format(
                    "segment.made",
                    &[
                        ("n", &made.shape_count.to_string()),
                        ("frames", &frames.join(", ")),
                        ("lo", &format!("{:.0}", made.window[0])),
                        ("hi", &format!("{:.0}", made.window[1])),
                    ],
                );
                if let Some(stop) = &made.stopped {
                    text = format!("{text}\n{stop}");
                }
                let changes = made
                    .shapes
                    .into_iter()
                    .map(|shape| (shape.id.clone(), Some(shape)))
                    .collect();
                self.change_shapes("segment".into(), changes);
                // A store error from the change stays the message.
                self.annotate.message.get_or_insert(text);
            }
            Err(e) => self.annotate.message = Some(e),
        }
    }

    /// Starts filling the frames between the outlines on the active viewport's series.
    fn start_fill(&mut self, ctx: &egui::Context) {
        let (Some(index), Some(session)) = (self.index.clone(), self.review.session.as_ref())
        else {
            return;
        };
        let Some(series) = self.viewports[self.active].series.clone() else {
            return;
        };
        if self.annotate.segment.fill.is_some() {
            return;
        }
        let shapes: Vec<_> = session.annotations().iter().cloned().collect();
        let (label, annotator) = (
            self.annotate.draw_label.clone(),
            session.reviewer().to_owned(),
        );
        let work = move || {
            let found = index.series().find(|s| s.series_uid == series.series_uid);
            match found {
                Some(series) => {
                    fill_between(&shapes, series, &label, &annotator).map_err(|e| e.to_string())
                }
                None => Err("the series is no longer in the release".into()),
            }
        };
        match Job::spawn(ctx, "fill-between", work) {
            Ok(job) => self.annotate.segment.fill = Some(job),
            Err(e) => self.annotate.message = Some(e.to_string()),
        }
    }

    /// Stores a finished fill (one undo step) and reports it.
    pub(in super::super) fn finish_fill(&mut self, result: Result<Fill, String>) {
        let s = self.s();
        match result {
            Ok(fill) => {
                let frames: Vec<String> = fill.frames.iter().map(ToString::to_string).collect();
                let text = if fill.made == 0 {
                    s.get("annotate.fill_none").to_owned()
                } else {
                    s.format(
                        "annotate.filled",
                        &[
                            ("n", &fill.made.to_string()),
                            ("frames", &frames.join(", ")),
                        ],
                    )
                };
                self.change_shapes("interpolate".into(), fill.changes);
                self.annotate.message.get_or_insert(text);
            }
            Err(e) => self.annotate.message = Some(e),
        }
    }
}
