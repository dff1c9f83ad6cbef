//! Viewports and layout: which series each shows, the stack position, window,
//! zoom, pan, rotation, tools, measurements and cine; linked scrolling.

use egui::Vec2;

use super::super::LightboxApp;
use crate::gui::command::{Command, SeriesRef, VoiChoice};
use crate::gui::state::Layout;
use crate::gui::viewport::{ViewportState, fit_zoom};

impl LightboxApp {
    /// Applies a view or layout command.
    pub(super) fn apply_view(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::SetLayout(l) => {
                self.state.layout = l;
                self.active = self.active.min(l.count() - 1);
            }
            Command::ShowSeries { viewport, series } => {
                if let Some(v) = self.viewports.get_mut(viewport) {
                    v.show(series);
                    self.active = viewport;
                }
            }
            Command::Activate(v) => self.active = v.min(self.state.layout.count() - 1),
            Command::Scroll { viewport, delta } => {
                let n = self.viewport_frames(viewport).len();
                if n > 0 {
                    let v = &mut self.viewports[viewport];
                    v.slice = (v.slice as i64 + delta).clamp(0, n as i64 - 1) as usize;
                    self.sync_linked(viewport);
                }
            }
            Command::ScrollToEnd { viewport, last } => {
                let n = self.viewport_frames(viewport).len();
                self.viewports[viewport].slice = if last { n.saturating_sub(1) } else { 0 };
                self.sync_linked(viewport);
            }
            Command::SetVoi {
                viewport,
                voi,
                label,
            } => {
                // A preset key in MPR sets the views' window too.
                if let (VoiChoice::Window(w), Some(camera)) = (&voi, self.mpr.camera.as_mut())
                    && viewport == self.active
                {
                    camera.window = *w;
                }
                let v = &mut self.viewports[viewport];
                v.voi = Some(voi);
                v.voi_label = label;
            }
            Command::Zoom {
                viewport,
                factor,
                anchor,
            } => {
                let zoom = self.current_zoom(viewport);
                let v = &mut self.viewports[viewport];
                let new_zoom = (zoom * factor).clamp(0.02, 64.0);
                let applied = new_zoom / zoom;
                // Keep the point under the anchor fixed.
                let a = Vec2::new(anchor[0], anchor[1]);
                v.pan = a + (v.pan - a) * applied;
                v.zoom = Some(new_zoom);
            }
            Command::Pan { viewport, delta } => {
                self.viewports[viewport].pan += Vec2::new(delta[0], delta[1])
            }
            Command::Fit(v) => {
                let vp = &mut self.viewports[v];
                vp.zoom = None;
                vp.pan = Vec2::ZERO;
            }
            Command::ActualPixels(v) => {
                let ppp = ctx.pixels_per_point();
                let vp = &mut self.viewports[v];
                vp.zoom = Some(1.0 / ppp);
                vp.pan = Vec2::ZERO;
            }
            Command::Reset(v) => {
                let vp = &mut self.viewports[v];
                let (series, slice) = (vp.series.take(), vp.slice);
                *vp = ViewportState {
                    series,
                    slice,
                    ..ViewportState::default()
                };
            }
            Command::Invert(v) => self.viewports[v].invert ^= true,
            Command::Rotate {
                viewport,
                quarter_turns,
            } => {
                let vp = &mut self.viewports[viewport];
                vp.quarter_turns = (vp.quarter_turns as i32 + quarter_turns).rem_euclid(4) as u32;
            }
            Command::Flip {
                viewport,
                horizontal,
            } => {
                let vp = &mut self.viewports[viewport];
                if horizontal {
                    vp.flip_h ^= true;
                } else {
                    vp.flip_v ^= true;
                }
            }
            Command::ToggleCine(v) => {
                let vp = &mut self.viewports[v];
                vp.cine ^= true;
                vp.cine_accum = 0.0;
            }
            Command::SetCineFps(f) => self.state.cine_fps = f.clamp(1.0, 60.0),
            Command::ToggleTags => self.state.show_tags ^= true,
            Command::ToggleOverlays => self.state.show_overlays ^= true,
            Command::ToggleLinkedScrolling => self.state.linked_scrolling ^= true,
            Command::CompareWithPrior => self.compare_with_prior(),
            Command::LinkHere => self.link_here(),
            Command::ApplyHanging => {
                if let Some(r) = self.viewports[self.active].series.clone() {
                    self.apply_hanging(ctx, &r);
                }
            }
            Command::SetHangingProtocols(p) => self.state.hanging_protocols = p,
            Command::SetCursor3d {
                viewport,
                point_in_image,
            } => self.set_cursor_3d(viewport, point_in_image),
            Command::SetApplyHanging(on) => self.state.apply_hanging = on,
            Command::SetTool(t) => self.tool = t,
            Command::AddMeasurement { key, measurement } => {
                self.measurements.entry(key).or_default().push(measurement)
            }
            Command::DeleteLastMeasurement(v) => {
                if let Some(key) = self.current_key(v)
                    && let Some(list) = self.measurements.get_mut(&key)
                {
                    list.pop();
                }
            }
            other => super::misrouted("view", &other),
        }
    }

    /// Moves every other visible viewport on the same Frame of Reference to the
    /// image nearest to `source`'s slice position (along the slice normal).
    fn sync_linked(&mut self, source: usize) {
        if !self.state.linked_scrolling {
            return;
        }
        let Some(src) = self.current_instance(source) else {
            return;
        };
        let (Some(frame_of_reference), Some(normal), Some(pos)) = (
            src.frame_of_reference_uid.clone(),
            src.normal(),
            src.position_mm,
        ) else {
            return;
        };
        let along = |p: [f64; 3]| p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
        let Some(source_series) = self.viewports[source].series.clone() else {
            return;
        };
        for v in 0..self.state.layout.count() {
            let Some(r) = self.viewports[v].series.clone().filter(|_| v != source) else {
                continue;
            };
            let Some(series) = self.series(&r) else {
                continue;
            };
            // Same frame of reference: the same position; else a registration's offset.
            let same_frame = series
                .instances
                .first()
                .and_then(|i| i.frame_of_reference_uid.as_deref())
                == Some(frame_of_reference.as_str());
            let offset = if same_frame {
                0.0
            } else if let Some(o) = self
                .link_offsets
                .get(&(source_series.series_uid.clone(), r.series_uid.clone()))
            {
                *o
            } else {
                continue;
            };
            let target = along(pos) + offset;
            self.go_to_nearest(v, &r, |inst| {
                inst.position_mm.map(|p| (along(p) - target).abs())
            });
        }
    }

    /// Shows in viewport `v` (series `r`) the image whose `distance` (mm; `None`: not
    /// placeable) is smallest.
    fn go_to_nearest(
        &mut self,
        v: usize,
        r: &SeriesRef,
        distance: impl Fn(&crate::index::Instance) -> Option<f64>,
    ) {
        let nearest = self.series(r).and_then(|series| {
            series
                .instances
                .iter()
                .enumerate()
                .filter_map(|(i, inst)| Some((i, distance(inst)?)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        });
        if let Some(i) = nearest {
            // Frames of single-frame instances: the frame's instance is the image.
            let frames = self.frames_for(r);
            if let Some(slice) = frames.iter().position(|(_, inst)| *inst == i) {
                self.viewports[v].slice = slice;
            }
        }
    }

    /// The zoom a viewport shows now (fit resolved), for relative zooming.
    fn current_zoom(&self, viewport: usize) -> f32 {
        let v = &self.viewports[viewport];
        if let Some(z) = v.zoom {
            return z;
        }
        // Without a frame size yet, assume the frame fills the viewport.
        self.last_sizes
            .get(viewport)
            .copied()
            .flatten()
            .map_or(1.0, |(image, size)| fit_zoom(image, size, v.quarter_turns))
    }
}

impl LightboxApp {
    /// The active series' prior in the next viewport (a 1 × 2 layout at least), linked.
    fn compare_with_prior(&mut self) {
        let s = self.s();
        let a = self.active;
        let Some(current) = self.viewports[a].series.clone() else {
            self.error = Some(s.get("prior.no_series").to_owned());
            return;
        };
        let prior = self.index.as_deref().and_then(|index| {
            crate::index::priors::prior_of(index, &current.series_uid).map(|(study, series)| {
                SeriesRef {
                    study_uid: study.study_uid.clone(),
                    series_uid: series.series_uid.clone(),
                }
            })
        });
        let Some(prior) = prior else {
            self.error = Some(s.get("prior.none").to_owned());
            return;
        };
        if self.state.layout.count() < 2 {
            self.state.layout = Layout::OneByTwo;
        }
        let b = (a + 1) % self.state.layout.count();
        self.viewports[b].show(prior.clone());
        self.state.linked_scrolling = true;
        let same_frame = {
            let frame = |r: &SeriesRef| {
                self.series(r)
                    .and_then(|se| se.instances.first())
                    .and_then(|i| i.frame_of_reference_uid.clone())
            };
            frame(&current).is_some() && frame(&current) == frame(&prior)
        };
        let linked = self
            .link_offsets
            .contains_key(&(current.series_uid.clone(), prior.series_uid.clone()));
        self.error = (!same_frame && !linked).then(|| s.get("prior.register").to_owned());
        self.sync_linked(a);
    }

    /// Registers every other viewport's series to the active one at the slices shown.
    fn link_here(&mut self) {
        let a = self.active;
        let (Some(src), Some(src_series)) =
            (self.current_instance(a), self.viewports[a].series.clone())
        else {
            return;
        };
        let (Some(normal), Some(pos)) = (src.normal(), src.position_mm) else {
            return;
        };
        let along = |p: [f64; 3]| p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
        for b in (0..self.state.layout.count()).filter(|b| *b != a) {
            let (Some(other), Some(r)) =
                (self.current_instance(b), self.viewports[b].series.clone())
            else {
                continue;
            };
            let Some(p) = other.position_mm else {
                continue;
            };
            let offset = along(p) - along(pos);
            self.link_offsets.insert(
                (src_series.series_uid.clone(), r.series_uid.clone()),
                offset,
            );
            self.link_offsets.insert(
                (r.series_uid.clone(), src_series.series_uid.clone()),
                -offset,
            );
        }
        self.state.linked_scrolling = true;
        self.error = None;
    }
}

impl LightboxApp {
    /// Lays out the study of `opened` by its hanging protocol: the grid, the series
    /// placed by description, the window preset, the prior beside it, MPR. True when a
    /// protocol applied.
    pub(super) fn apply_hanging(&mut self, ctx: &egui::Context, opened: &SeriesRef) -> bool {
        let Some(index) = self.index.clone() else {
            return false;
        };
        let Some(study) = index.studies().find(|st| st.study_uid == opened.study_uid) else {
            return false;
        };
        let Some(series) = study
            .series
            .iter()
            .find(|s| s.series_uid == opened.series_uid)
        else {
            return false;
        };
        let Some(protocol) = crate::hanging::choose(&self.state.hanging_protocols, series).cloned()
        else {
            return false;
        };
        self.state.layout = match protocol.grid {
            [2, 1] => Layout::OneByTwo,
            [1, 2] => Layout::TwoByOne,
            [2, 2] => Layout::TwoByTwo,
            _ => Layout::One,
        };
        let placed = crate::hanging::placement(&protocol, study, series);
        for (v, slot) in placed.iter().enumerate().take(self.viewports.len()) {
            match slot {
                Some(s) => self.viewports[v].show(SeriesRef {
                    study_uid: study.study_uid.clone(),
                    series_uid: s.series_uid.clone(),
                }),
                None => self.viewports[v] = ViewportState::default(),
            }
        }
        self.active = 0;
        if protocol.compare_prior
            && let Some((prior_study, prior)) =
                crate::index::priors::prior_of(&index, &series.series_uid)
            && let Some(free) = placed.iter().position(Option::is_none)
            && free < self.viewports.len()
        {
            self.viewports[free].show(SeriesRef {
                study_uid: prior_study.study_uid.clone(),
                series_uid: prior.series_uid.clone(),
            });
            self.state.linked_scrolling = true;
        }
        if let Some(p) = self
            .presets
            .find(&protocol.preset, series.modality.as_deref())
        {
            let (voi, label) = super::super::keys::preset_voi(p, self.s());
            for v in 0..self.state.layout.count() {
                if self.viewports[v].series.is_some() {
                    self.viewports[v].voi = Some(voi.clone());
                    self.viewports[v].voi_label = label.clone();
                }
            }
        }
        if protocol.mpr && !self.mpr.active() {
            self.apply(ctx, crate::gui::mpr_ui::MprCommand::Toggle.into());
        }
        true
    }
}

impl LightboxApp {
    /// The 3-D cursor at a point of viewport `v`'s image: kept (with its frame of
    /// reference) for every viewport to show, and every other viewport in that frame
    /// moved to its slice nearest to the point.
    fn set_cursor_3d(&mut self, v: usize, point_in_image: [f64; 2]) {
        let Some(i) = self.current_instance(v) else {
            return;
        };
        let (Some(frame), Some(position), Some(orientation)) = (
            i.frame_of_reference_uid.clone(),
            i.position_mm,
            i.orientation,
        ) else {
            return;
        };
        let spacing = i.pixel_spacing();
        let point = crate::annotate::patient::to_patient_mm(
            point_in_image,
            position,
            orientation,
            [spacing.row_mm, spacing.col_mm],
        );
        self.cursor_3d = Some((frame.clone(), point));
        for w in (0..self.state.layout.count()).filter(|w| *w != v) {
            let Some(r) = self.viewports[w].series.clone() else {
                continue;
            };
            self.go_to_nearest(w, &r, |inst| {
                if inst.frame_of_reference_uid.as_deref() != Some(frame.as_str()) {
                    return None;
                }
                let (p, n) = (inst.position_mm?, inst.normal()?);
                Some((0..3).map(|c| (point[c] - p[c]) * n[c]).sum::<f64>().abs())
            });
        }
    }
}
