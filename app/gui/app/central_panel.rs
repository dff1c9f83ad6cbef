//! The central panel: the tool bar and the viewport grid.

use crate::gui::seeds_ui::{brush_options_ui, seeds_options_ui};
use crate::gui::segment_ui::segment_options_ui;
use egui::{Rect, Vec2};

use std::sync::Arc;

use crate::gui::annotate_tool::{AnnotationView, DisplayValues, SeedsView};
use crate::gui::command::{Command, SeriesRef};
use crate::gui::gpu::Affine2;
use crate::gui::measure_tool::{self, Tool};
use crate::gui::mpr_ui;
use crate::gui::viewport::{Hover, ViewportInput, viewport_ui};
use crate::i18n::Strings;

use super::{LightboxApp, keys};

/// What drawing a viewport gave: where it went, and what the user did on it.
pub(super) struct Drawn {
    viewport: usize,
    rect: Rect,
    /// The frame's columns and rows, when one was drawn.
    image_size: Option<[f32; 2]>,
    /// Image points to viewport points.
    to_screen: Option<Affine2>,
    hover: Option<Hover>,
    commands: Vec<Command>,
}

/// What the central panel gave: the tool bar's commands and each viewport drawn.
#[must_use]
pub(super) struct Central {
    commands: Vec<Command>,
    drawn: Vec<Drawn>,
}

impl LightboxApp {
    /// The tool bar and the viewports of the layout.
    pub(super) fn central_panel(&self, ui: &mut egui::Ui, s: &Strings) -> Central {
        let mut out = Central {
            commands: Vec::new(),
            drawn: Vec::new(),
        };
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(e) = &self.error {
                ui.colored_label(egui::Color32::LIGHT_RED, e);
            }
            ui.horizontal_wrapped(|ui| out.commands.extend(self.tool_bar(ui, s)));
            // Never wider than the panel, whatever the toolbar asked for.
            let area = ui.available_rect_before_wrap().intersect(ui.clip_rect());
            if self.mpr.active() {
                let measuring = self.tool == Tool::Distance;
                let shapes = self.mpr_shapes();
                out.commands
                    .extend(mpr_ui::area_ui(ui, area, &self.mpr, &shapes, measuring, s));
                return;
            }
            let (cols, rows) = self.state.layout.grid();
            let cell = Vec2::new(area.width() / cols as f32, area.height() / rows as f32);
            for v in 0..self.state.layout.count() {
                let (c, r) = (v % cols, v / cols);
                let rect = Rect::from_min_size(
                    area.min + Vec2::new(c as f32 * cell.x, r as f32 * cell.y),
                    cell,
                )
                .shrink(1.0);
                out.drawn.push(self.draw_viewport(ui, v, rect));
            }
        });
        out
    }

    /// Keeps where each viewport was drawn (for zoom, hover and tests) and returns
    /// the panel's commands.
    pub(super) fn record_drawn(&mut self, central: Central) -> Vec<Command> {
        let mut commands = central.commands;
        self.hover = None;
        for d in central.drawn {
            if let Some(image) = d.image_size {
                self.last_sizes[d.viewport] = Some((image, d.rect.size()));
            }
            self.last_transforms[d.viewport] = d.to_screen.map(|t| (d.rect, t));
            if d.hover.is_some() {
                self.hover = d.hover;
            }
            commands.extend(d.commands);
        }
        commands
    }

    /// The tools, linked scrolling and the cine speed.
    fn tool_bar(&self, ui: &mut egui::Ui, s: &Strings) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.spacing_mut().slider_width = 90.0;
        for tools in [&Tool::ALL[..], &Tool::ANNOTATION[..]] {
            if let Some(tool) = measure_tool::tool_buttons(ui, s, tools, self.tool) {
                commands.push(Command::SetTool(tool));
            }
            ui.separator();
        }
        let options = match self.tool {
            Tool::AnnotateSegment => Some(segment_options_ui(ui, s, &self.annotate.segment)),
            Tool::AnnotateSeeds => Some(seeds_options_ui(ui, s, &self.annotate.seeds)),
            Tool::AnnotateBrush | Tool::AnnotateEraser => {
                Some(brush_options_ui(ui, s, self.state.brush_radius_mm))
            }
            Tool::AnnotateLiveWire => {
                ui.weak(s.get("live_wire.hint"));
                Some(Vec::new())
            }
            _ => None,
        };
        if let Some(options) = options {
            commands.extend(options);
            ui.separator();
        }
        if ui
            .button(s.get("prior.compare"))
            .on_hover_text(keys::keys_of(keys::Action::Prior))
            .clicked()
        {
            commands.push(Command::CompareWithPrior);
        }
        if ui
            .button(s.get("prior.link"))
            .on_hover_text(format!(
                "{} ({})",
                s.get("prior.link_help"),
                keys::keys_of(keys::Action::LinkHere)
            ))
            .clicked()
        {
            commands.push(Command::LinkHere);
        }
        commands.extend(mpr_ui::tool_bar(
            ui,
            s,
            &self.mpr,
            &keys::keys_of(keys::Action::Mpr),
        ));
        ui.separator();
        if ui
            .selectable_label(
                self.state.linked_scrolling,
                s.get("action.linked_scrolling"),
            )
            .on_hover_text(keys::keys_of(keys::Action::Linked))
            .clicked()
        {
            commands.push(Command::ToggleLinkedScrolling);
        }
        let fps = self.state.cine_fps;
        let mut new_fps = fps;
        ui.add(egui::Slider::new(&mut new_fps, 1.0..=60.0).text(s.get("action.fps")));
        if new_fps != fps {
            commands.push(Command::SetCineFps(new_fps));
        }
        commands
    }

    /// One viewport: the image, its overlays and tools, and a series dropped on it.
    fn draw_viewport(&self, ui: &mut egui::Ui, v: usize, rect: Rect) -> Drawn {
        let shape_image = self.current_shape_image(v);
        let series_ref = self.viewports[v].series.clone();
        let frames = self.viewport_frames(v);
        let slice = self.viewports[v].slice.min(frames.len().saturating_sub(1));
        let current = frames.get(slice).cloned();
        let frame = current.as_ref().and_then(|(k, _)| self.loader.get(k));
        let error = current.as_ref().and_then(|(k, _)| {
            if frame.is_none() {
                self.loader.error(k)
            } else {
                None
            }
        });
        let image_size = frame.as_ref().map(|f| [f.cols as f32, f.rows as f32]);
        let key_for_measurements = current.as_ref().map(|(k, _)| k.clone());
        let series = series_ref.as_ref().and_then(|r| self.series(r));
        let instance = current
            .as_ref()
            .and_then(|(_, i)| series.and_then(|s| s.instances.get(*i)));
        let annotations = self.review.session.as_ref().map(|session| {
            let key = shape_image.as_ref().map(|(img, _)| img.key());
            AnnotationView {
                shapes: key
                    .map(|k| {
                        session
                            .annotations()
                            .on_frame(&k)
                            .filter(|sh| !self.annotate.hidden_annotators.contains(&sh.annotator))
                            .collect()
                    })
                    .unwrap_or_default(),
                revision: session.annotations().revision(),
                labels: session.labels(),
                selection: self.annotate.selection.as_ref(),
                draw_label: &self.annotate.draw_label,
                annotator: session.reviewer(),
                image: shape_image.as_ref().map(|(img, _)| img.clone()),
                spacing: shape_image.as_ref().map(|(_, sp)| *sp).unwrap_or_default(),
                freehand_tolerance_mm: self.state.freehand_tolerance_mm,
                segment_window: self
                    .annotate
                    .segment
                    .window
                    .or(self.annotate.segment.last_window),
                segment_three_d: self.annotate.segment.three_d,
                brush_radius_mm: self.state.brush_radius_mm,
                seeds: self.annotate.seeds.frame.as_ref().map(|(stroked, _)| {
                    let shown = shape_image.as_ref().map(|(i, _)| i);
                    SeedsView {
                        strokes: if shown == Some(stroked) {
                            &self.annotate.seeds.strokes
                        } else {
                            &[]
                        },
                        proposal: self
                            .annotate
                            .seeds
                            .proposal
                            .iter()
                            .filter(|p| Some(&p.image) == shown)
                            .collect(),
                    }
                }),
                display: frame.as_ref().map(|f| DisplayValues {
                    frame: Arc::clone(f),
                    window: displayed_window(&self.viewports[v].resolved_voi(f), f),
                    series_frame: slice + 1,
                }),
            }
        });
        let input = ViewportInput {
            reference_lines: self.reference_lines(v, instance),
            cursor_in_image: self.cursor_in_image(instance),
            annotations,
            index: v,
            active: v == self.active,
            state: &self.viewports[v],
            series,
            frame_count: frames.len(),
            instance,
            frame,
            key: current.map(|(k, _)| k),
            error,
            show_overlays: self.state.show_overlays,
            tool: self.tool,
            measurements: key_for_measurements
                .as_ref()
                .and_then(|k| self.measurements.get(k))
                .map_or(&[], Vec::as_slice),
        };
        let out = viewport_ui(ui, rect, &input);
        let mut commands = out.commands;
        if let Some(series) = ui
            .interact(rect, ui.scope_id().with(("drop", v)), egui::Sense::hover())
            .dnd_release_payload::<SeriesRef>()
        {
            commands.push(Command::ShowSeries {
                viewport: v,
                series: (*series).clone(),
            });
        }
        Drawn {
            viewport: v,
            rect,
            image_size,
            to_screen: out.to_screen,
            hover: out.hover,
            commands,
        }
    }
}

/// The modality values shown black and white: the window's ends, or the frame's range
/// under a VOI LUT.
fn displayed_window(
    voi: &crate::window::Voi,
    frame: &crate::display_frame::DisplayFrame,
) -> [f64; 2] {
    match voi {
        crate::window::Voi::Window(w) => [w.center - w.width / 2.0, w.center + w.width / 2.0],
        crate::window::Voi::Lut(_) => [frame.stats.min, frame.stats.max],
    }
}

impl LightboxApp {
    /// Where the other viewports' current images cut viewport `v`'s image `shown`
    /// (same frame of reference, planes not parallel), in image coordinates.
    fn reference_lines(
        &self,
        v: usize,
        shown: Option<&crate::index::Instance>,
    ) -> Vec<([[f64; 2]; 2], egui::Color32)> {
        let Some(i) = shown else {
            return Vec::new();
        };
        let (Some(frame), Some(position), Some(orientation)) =
            (&i.frame_of_reference_uid, i.position_mm, i.orientation)
        else {
            return Vec::new();
        };
        let spacing = i.pixel_spacing();
        (0..self.state.layout.count())
            .filter(|w| *w != v)
            .filter_map(|w| {
                let other = self.current_instance(w)?;
                if other.frame_of_reference_uid.as_ref() != Some(frame) {
                    return None;
                }
                let cut = crate::annotate::patient::plane_cut(
                    other.position_mm?,
                    other.normal()?,
                    position,
                    orientation,
                    [spacing.row_mm, spacing.col_mm],
                    [f64::from(i.cols), f64::from(i.rows)],
                )?;
                Some((cut, crate::gui::viewport::viewport_colour(w)))
            })
            .collect()
    }

    /// The 3-D cursor on image `shown`, when it is in the cursor's frame of reference.
    fn cursor_in_image(&self, shown: Option<&crate::index::Instance>) -> Option<[f64; 2]> {
        let (frame, point) = self.cursor_3d.as_ref()?;
        let i = shown?;
        if i.frame_of_reference_uid.as_ref() != Some(frame) {
            return None;
        }
        let spacing = i.pixel_spacing();
        crate::annotate::patient::to_image_px(
            *point,
            i.position_mm?,
            i.orientation?,
            [spacing.row_mm, spacing.col_mm],
        )
        .map(|(px, _)| px)
    }
}
