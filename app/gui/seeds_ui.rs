//! Grow from seeds in the viewer: the strokes drawn on one frame, the proposal grown
//! from them by the random walker on a worker ([`Job`]) after every stroke, and the
//! tool's options row (what a drag paints, accept, clear).
//!
//! The proposal is shown, not stored, until the reader accepts it (Enter): strokes
//! are cheap to add and a proposal that changes after every stroke would otherwise
//! fill the undo history.

use super::command::Command;
use super::job::{Job, Polled};
use crate::annotate::{Shape, ShapeImage};
use crate::assist::strokes::Stroke;
use crate::i18n::Strings;

/// What [`crate::assist::strokes::grow_from_strokes`] gives back: the shapes and the
/// window used.
pub type Grown = Result<(Vec<Shape>, [f64; 2]), String>;

/// The tool's state (runtime).
#[derive(Debug, Default)]
pub struct SeedsUi {
    /// The frame the strokes are on, and its place in its series (from 1); a stroke
    /// on another frame starts over.
    pub frame: Option<(ShapeImage, usize)>,
    /// The strokes, in the order drawn.
    pub strokes: Vec<Stroke>,
    /// The shapes grown from the strokes, not yet stored.
    pub proposal: Vec<Shape>,
    /// The growth running.
    pub job: Option<Job<Grown>>,
    /// Strokes were added while the growth ran: grow again when it ends.
    pub stale: bool,
    /// Frames on each side the growth runs through (0: the frame alone).
    pub slab: usize,
}

/// The thickest slab offered: frames on each side.
pub const MAX_SLAB: usize = 10;

impl SeedsUi {
    /// The finished growth, once.
    pub fn poll(&mut self) -> Option<Grown> {
        match Job::finished(&mut self.job)? {
            Polled::Done(result) => Some(result),
            Polled::Lost => Some(Err("growing from the seeds stopped unexpectedly".into())),
            Polled::Running => None,
        }
    }

    /// Forgets the strokes and the proposal (a running growth's result is dropped).
    pub fn clear(&mut self) {
        self.frame = None;
        self.strokes.clear();
        self.proposal.clear();
        self.job = None;
        self.stale = false;
    }
}

/// The options row shown while the tool is active.
#[must_use]
pub fn seeds_options_ui(ui: &mut egui::Ui, s: &Strings, state: &SeedsUi) -> Vec<Command> {
    let mut out = Vec::new();
    ui.weak(s.get("seeds.hint"));
    let mut slab = state.slab;
    ui.label(s.get("seeds.slab"));
    if ui
        .add(
            egui::DragValue::new(&mut slab)
                .range(0..=MAX_SLAB)
                .prefix("± "),
        )
        .on_hover_text(s.get("seeds.slab_hint"))
        .changed()
    {
        out.push(Command::SetSeedSlab(slab));
    }
    let has_proposal = !state.proposal.is_empty();
    if ui
        .add_enabled(has_proposal, egui::Button::new(s.get("seeds.accept")))
        .on_hover_text("Enter")
        .clicked()
    {
        out.push(Command::AcceptSeeds);
    }
    if ui
        .add_enabled(
            !state.strokes.is_empty(),
            egui::Button::new(s.get("seeds.clear")),
        )
        .on_hover_text("Esc")
        .clicked()
    {
        out.push(Command::ClearSeeds);
    }
    if state.job.is_some() {
        ui.spinner();
    }
    out
}

/// The brush's and eraser's options row: the radius.
#[must_use]
pub fn brush_options_ui(ui: &mut egui::Ui, s: &Strings, radius_mm: f64) -> Vec<Command> {
    let mut radius = radius_mm;
    ui.label(s.get("brush.radius"));
    let changed = ui
        .add(
            egui::DragValue::new(&mut radius)
                .range(0.2..=50.0)
                .speed(0.1)
                .suffix(" mm"),
        )
        .changed();
    if changed {
        vec![Command::SetBrushRadius(radius)]
    } else {
        Vec::new()
    }
}
