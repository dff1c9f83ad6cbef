//! The brush and eraser (a stroke applied to a shape with
//! [`geometry::brush`], or a new shape painted on empty ground) and grow from seeds
//! (strokes gathered on one frame, the proposal grown on a worker after each, stored
//! as shapes when accepted).

use super::super::LightboxApp;
use crate::annotate::geometry::{self, Morphed};
use crate::annotate::{Grade, Shape, ShapeKind, new_shape_id, reshaped};
use crate::assist::strokes::{BACKGROUND, Stroke, grow_from_strokes};
use crate::gui::annotate_tool::ShapeSelection;
use crate::gui::command::Command;
use crate::gui::job::Job;
use crate::gui::seeds_ui::{Grown, MAX_SLAB};
use crate::index::Instance;

impl LightboxApp {
    /// Applies a brush or grow-from-seeds command.
    pub(super) fn apply_assist(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::BrushStroke {
                target,
                stroke,
                erase,
            } => self.brush_stroke(target.as_deref(), &stroke, erase),
            Command::SetBrushRadius(mm) => {
                if mm.is_finite() {
                    self.state.brush_radius_mm = mm.clamp(0.2, 50.0);
                }
            }
            Command::SeedStroke { points, background } => {
                self.seed_stroke(ctx, points, background);
            }
            Command::AcceptSeeds => {
                let proposal = std::mem::take(&mut self.annotate.seeds.proposal);
                self.annotate.seeds.clear();
                if !proposal.is_empty() {
                    let changes = proposal
                        .into_iter()
                        .map(|shape| (shape.id.clone(), Some(shape)))
                        .collect();
                    self.change_shapes("grow from seeds".into(), changes);
                }
            }
            Command::ClearSeeds => self.annotate.seeds.clear(),
            Command::SetSeedSlab(slab) => {
                self.annotate.seeds.slab = slab.min(MAX_SLAB);
                if !self.annotate.seeds.strokes.is_empty() {
                    self.grow_seeds(ctx);
                }
            }
            Command::DismissRefill => self.annotate.refill = None,
            other => super::misrouted("assist", &other),
        }
    }

    /// Brushes (or erases) `stroke` into shape `target`, or paints a new shape.
    fn brush_stroke(&mut self, target: Option<&str>, stroke: &[[f64; 2]], erase: bool) {
        let radius_mm = self.state.brush_radius_mm;
        let Some(session) = self.review.session.as_ref() else {
            return;
        };
        let annotator = session.reviewer().to_owned();
        let shape = target.and_then(|id| session.annotations().get(id).cloned());
        let verb = if erase { "erase" } else { "brush" };
        let (changes, holes) = match shape {
            Some(shape) => {
                let spacing = self
                    .instance_of(&shape.image)
                    .map(Instance::pixel_spacing)
                    .unwrap_or_default();
                match geometry::brush(&shape.points, stroke, radius_mm, &spacing, erase) {
                    Ok(Morphed {
                        rings,
                        holes_filled,
                    }) => (reshaped(&shape, rings), holes_filled),
                    Err(e) => {
                        self.annotate.message = Some(e.to_string());
                        return;
                    }
                }
            }
            None if !erase => {
                let Some((image, spacing)) = self.current_shape_image(self.active) else {
                    return;
                };
                let rings = match geometry::brush_trail(stroke, radius_mm, &spacing) {
                    Ok(m) => m.rings,
                    Err(e) => {
                        self.annotate.message = Some(e.to_string());
                        return;
                    }
                };
                let changes: Vec<_> = rings
                    .into_iter()
                    .map(|points| {
                        let shape = Shape {
                            id: new_shape_id(&annotator),
                            kind: ShapeKind::Polygon,
                            label: self.annotate.draw_label.clone(),
                            image: image.clone(),
                            points,
                            grade: Grade::None,
                            score: None,
                            source: None,
                            source_parameters: Default::default(),
                            note: String::new(),
                            annotator: annotator.clone(),
                            created: String::new(),
                            modified: String::new(),
                        };
                        (shape.id.clone(), Some(shape))
                    })
                    .collect();
                // The next strokes add to it.
                self.annotate.selection = changes.first().map(|(id, _)| ShapeSelection {
                    id: id.clone(),
                    vertex: None,
                });
                (changes, 0)
            }
            None => return,
        };
        if changes.is_empty() {
            return;
        }
        self.change_shapes(format!("{verb} shape"), changes);
        if holes > 0 && self.annotate.message.is_none() {
            let s = self.s();
            self.annotate.message =
                Some(s.format("brush.holes_filled", &[("n", &holes.to_string())]));
        }
    }

    /// Adds a grow-from-seeds stroke on the active viewport's frame and grows again.
    fn seed_stroke(&mut self, ctx: &egui::Context, points: Vec<[f64; 2]>, background: bool) {
        let Some((image, _)) = self.current_shape_image(self.active) else {
            return;
        };
        let series_frame = self.viewports[self.active].slice + 1;
        let label = if background {
            BACKGROUND.to_owned()
        } else {
            self.annotate.draw_label.clone()
        };
        let seeds = &mut self.annotate.seeds;
        if seeds.frame.as_ref().map(|(i, _)| i) != Some(&image) {
            seeds.clear();
            seeds.frame = Some((image, series_frame));
        }
        seeds.strokes.push(Stroke { label, points });
        self.grow_seeds(ctx);
    }

    /// Grows the proposal from the strokes on a worker (again when one runs already,
    /// once it ends); needs strokes of two labels.
    fn grow_seeds(&mut self, ctx: &egui::Context) {
        let seeds = &mut self.annotate.seeds;
        if seeds.job.is_some() {
            seeds.stale = true;
            return;
        }
        let labels: std::collections::BTreeSet<&str> =
            seeds.strokes.iter().map(|s| s.label.as_str()).collect();
        let (Some(index), Some(session), Some((image, frame))) = (
            self.index.clone(),
            self.review.session.as_ref(),
            seeds.frame.clone(),
        ) else {
            return;
        };
        if labels.len() < 2 {
            let s = self.s();
            self.annotate.message = Some(s.get("seeds.need_two").to_owned());
            return;
        }
        let strokes = seeds.strokes.clone();
        let slab = seeds.slab;
        let annotator = session.reviewer().to_owned();
        let work = move || -> Grown {
            let found = index.series().find(|s| s.series_uid == image.series_uid);
            match found {
                Some(series) => grow_from_strokes(series, frame, slab, &strokes, None, &annotator)
                    .map_err(|e| e.to_string()),
                None => Err("the series is no longer in the release".into()),
            }
        };
        match Job::spawn(ctx, "grow-from-seeds", work) {
            Ok(job) => self.annotate.seeds.job = Some(job),
            Err(e) => self.annotate.message = Some(e.to_string()),
        }
    }

    /// Shows a finished growth as the proposal, and grows again when strokes came in
    /// meanwhile.
    pub(in super::super) fn finish_seeds(&mut self, ctx: &egui::Context, result: Grown) {
        match result {
            Ok((shapes, _)) => {
                if self.annotate.seeds.frame.is_some() {
                    self.annotate.seeds.proposal = shapes;
                }
                self.annotate.message = None;
            }
            Err(e) => self.annotate.message = Some(e),
        }
        if std::mem::take(&mut self.annotate.seeds.stale) {
            self.grow_seeds(ctx);
        }
    }
}
