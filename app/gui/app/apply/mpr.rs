//! The MPR mode: turning it on builds the active viewport's series as a volume on a
//! worker (its window taken from the viewport), and the camera commands move the
//! 3-D cursor, turn planes, set the slab, the window and the zoom.

use super::super::LightboxApp;
use std::collections::HashMap;

use crate::annotate::Shape;
use crate::annotate::patient::to_patient_mm;
use crate::gui::annotate_tool::label_colour;
use crate::gui::command::VoiChoice;
use crate::gui::mpr_ui::{MprCommand, MprShape, index_of};
use crate::index::Instance;
use crate::mpr::reslice::{compose, rotation_about};
use crate::window::Voi;

/// The thickest slab offered, mm.
const MAX_SLAB_MM: f64 = 100.0;

impl LightboxApp {
    /// Applies an MPR command.
    pub(super) fn apply_mpr(&mut self, ctx: &egui::Context, command: MprCommand) {
        if let MprCommand::Toggle = command {
            self.toggle_mpr(ctx);
            return;
        }
        let Some(grid) = self.mpr.volume.as_ref().map(|v| v.grid.clone()) else {
            return;
        };
        let Some(camera) = self.mpr.camera.as_mut() else {
            return;
        };
        match command {
            MprCommand::Toggle => {}
            MprCommand::SetCursor(p) => camera.cursor_mm = p,
            MprCommand::Step { plane, steps } => {
                let n = camera.normal(plane);
                let mm = camera.step_mm(&grid, plane) * steps as f64;
                for (c, v) in camera.cursor_mm.iter_mut().zip(n) {
                    *c += mm * v;
                }
                // Stay within the volume: back to its nearest point along the normal.
                let voxel = grid.voxel_of(camera.cursor_mm);
                let inside: [f64; 3] =
                    std::array::from_fn(|k| voxel[k].clamp(-0.5, grid.dims[k] as f64 - 0.5));
                camera.cursor_mm = grid.point_of(inside);
            }
            MprCommand::Rotate { plane, angle_rad } => {
                let turn = rotation_about(camera.normal(plane), angle_rad);
                for (k, r) in camera.rotations.iter_mut().enumerate() {
                    if k != index_of(plane) {
                        *r = compose(&turn, r);
                    }
                }
            }
            MprCommand::SetSlab { thickness_mm, mode } => {
                camera.slab_mm = if thickness_mm.is_finite() {
                    thickness_mm.clamp(0.0, MAX_SLAB_MM)
                } else {
                    0.0
                };
                camera.slab_mode = mode;
            }
            MprCommand::SetWindow(w) => camera.window = w,
            MprCommand::Zoom {
                factor,
                view_points: size,
            } => {
                let now = camera
                    .mm_per_point
                    .unwrap_or_else(|| crate::gui::mpr_ui::fit_mm_per_point(&grid, size));
                camera.mm_per_point = Some((now / factor).clamp(0.01, 100.0));
            }
            MprCommand::Reset => {
                let (window, invert) = (camera.window, camera.invert);
                *camera = crate::gui::mpr_ui::MprCamera::centred(&grid, window, invert);
            }
            MprCommand::Measure(m) => self.mpr.measurements.push(m),
            MprCommand::ClearMeasurements => self.mpr.measurements.clear(),
        }
    }

    /// MPR off, or on for the active viewport's series with its window.
    fn toggle_mpr(&mut self, ctx: &egui::Context) {
        if self.mpr.active() {
            self.mpr.stop();
            return;
        }
        let v = self.active;
        let (Some(index), Some(series)) = (self.index.clone(), self.viewports[v].series.clone())
        else {
            self.error = Some(self.s().get("mpr.no_series").to_owned());
            return;
        };
        self.mpr.start_window = self.viewport_window(v);
        self.mpr.start(ctx, index, series);
    }

    /// The window the 2-D viewport `v` shows, and its inversion, when it is a window.
    pub(super) fn viewport_window(&self, v: usize) -> Option<(crate::window::Window, bool)> {
        let state = &self.viewports[v];
        if let Some(VoiChoice::Window(w)) = &state.voi {
            return Some((*w, state.invert));
        }
        let frames = self.viewport_frames(v);
        let (key, _) = frames.get(state.slice.min(frames.len().saturating_sub(1)))?;
        let frame = self.loader.get(key)?;
        match state.resolved_voi(&frame) {
            Voi::Window(w) => Some((w, state.invert)),
            Voi::Lut(_) => None,
        }
    }
}

impl LightboxApp {
    /// The outlines of the MPR series' shapes in patient mm, with their label colours
    /// (what the views cut); hidden annotators left out.
    pub(in crate::gui::app) fn mpr_shapes(&self) -> Vec<MprShape> {
        let (Some(r), Some(session)) = (&self.mpr.series, &self.review.session) else {
            return Vec::new();
        };
        let Some(series) = self.series(r) else {
            return Vec::new();
        };
        let by_uid: HashMap<&str, &Instance> = series
            .instances
            .iter()
            .map(|i| (i.sop_uid.as_str(), i))
            .collect();
        session
            .annotations()
            .iter()
            .filter(|sh| sh.image.series_uid == r.series_uid)
            .filter(|sh| !self.annotate.hidden_annotators.contains(&sh.annotator))
            .filter_map(|sh| {
                Some(MprShape {
                    ring_mm: ring_mm(sh, by_uid.get(sh.image.sop_uid.as_str())?)?,
                    colour: label_colour(session.labels(), &sh.label),
                })
            })
            .collect()
    }

    /// A shape's points in patient mm, when its image is in the MPR series.
    fn shape_ring_mm(&self, shape: &Shape) -> Option<Vec<[f64; 3]>> {
        let series = self.mpr.series.as_ref().and_then(|r| self.series(r))?;
        let inst = series
            .instances
            .iter()
            .find(|i| i.sop_uid == shape.image.sop_uid)?;
        ring_mm(shape, inst)
    }

    /// With MPR on, the 3-D cursor to the middle of the shape `id` (its vertices' mean).
    pub(super) fn mpr_jump_to_shape(&mut self, id: &str) {
        let Some(shape) = self
            .review
            .session
            .as_ref()
            .and_then(|s| s.annotations().get(id))
        else {
            return;
        };
        let Some(ring) = self.shape_ring_mm(shape) else {
            return;
        };
        if let (Some(camera), false) = (self.mpr.camera.as_mut(), ring.is_empty()) {
            let n = ring.len() as f64;
            camera.cursor_mm = std::array::from_fn(|k| ring.iter().map(|p| p[k]).sum::<f64>() / n);
        }
    }
}

/// `shape`'s points in patient mm, from its image `inst`'s position and orientation.
fn ring_mm(shape: &Shape, inst: &Instance) -> Option<Vec<[f64; 3]>> {
    let (position, orientation) = (inst.position_mm?, inst.orientation?);
    let spacing = inst.pixel_spacing();
    Some(
        shape
            .points
            .iter()
            .map(|p| to_patient_mm(*p, position, orientation, [spacing.row_mm, spacing.col_mm]))
            .collect(),
    )
}
