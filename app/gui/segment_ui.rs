//! The click-to-segment tool's options (2-D or 3-D, the window: automatic from the
//! values around the click, or typed) and its running growth, a [`Job`] off the UI
//! thread: the frames are read and the region grown there, and the shapes come back
//! to be stored as one undoable command.

use super::command::Command;
use super::job::{Job, Polled};
use crate::assist::fill_between::Fill;
use crate::assist::segment::Segmented;
use crate::i18n::Strings;

/// The tool's state (runtime).
#[derive(Debug, Default)]
pub struct SegmentUi {
    /// Grow through the series instead of the frame.
    pub three_d: bool,
    /// The typed window; `None`: automatic.
    pub window: Option<[f64; 2]>,
    /// The window the last growth used (shown, and the start of a typed one).
    pub last_window: Option<[f64; 2]>,
    /// The growth running.
    pub job: Option<Job<Result<Segmented, String>>>,
    /// The fill between slices running.
    pub fill: Option<Job<Result<Fill, String>>>,
}

impl SegmentUi {
    /// The finished fill between slices, once.
    pub fn poll_fill(&mut self) -> Option<Result<Fill, String>> {
        match Job::finished(&mut self.fill)? {
            Polled::Done(result) => Some(result),
            Polled::Lost => Some(Err("the interpolation stopped unexpectedly".into())),
            Polled::Running => None,
        }
    }

    /// The finished growth, once.
    pub fn poll(&mut self) -> Option<Result<Segmented, String>> {
        match Job::finished(&mut self.job)? {
            Polled::Done(result) => {
                if let Ok(made) = &result {
                    self.last_window = Some(made.window);
                }
                Some(result)
            }
            Polled::Lost => Some(Err("the segmentation stopped unexpectedly".into())),
            Polled::Running => None,
        }
    }
}

/// The options row shown while the tool is active.
#[must_use]
pub fn segment_options_ui(ui: &mut egui::Ui, s: &Strings, state: &SegmentUi) -> Vec<Command> {
    let mut out = Vec::new();
    let set =
        |three_d: bool, window: Option<[f64; 2]>| Command::SetSegmentOptions { three_d, window };
    let mut three_d = state.three_d;
    if ui
        .checkbox(&mut three_d, s.get("segment.three_d"))
        .changed()
    {
        out.push(set(three_d, state.window));
    }
    let mut auto = state.window.is_none();
    if ui
        .checkbox(&mut auto, s.get("segment.auto_window"))
        .changed()
    {
        let typed = state.last_window.unwrap_or([-100.0, 100.0]);
        out.push(set(state.three_d, (!auto).then_some(typed)));
    }
    match state.window {
        Some([lo, hi]) => {
            let (mut l, mut h) = (lo, hi);
            ui.label(s.get("segment.window"));
            let changed = ui.add(egui::DragValue::new(&mut l).speed(1.0)).changed()
                | ui.add(egui::DragValue::new(&mut h).speed(1.0)).changed();
            if changed {
                out.push(set(state.three_d, Some([l.min(h), h.max(l)])));
            }
        }
        None => {
            if let Some([lo, hi]) = state.last_window {
                ui.weak(s.format(
                    "segment.last_window",
                    &[("lo", &format!("{lo:.0}")), ("hi", &format!("{hi:.0}"))],
                ));
            }
        }
    }
    if state.job.is_some() {
        ui.spinner();
    }
    out
}
