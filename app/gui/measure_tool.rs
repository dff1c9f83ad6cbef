//! Measurement tools in the viewport: distance, angle, ellipse and rectangle ROI, probe.
//!
//! The geometry and statistics are `crate::measure`'s; this module turns pointer
//! input into finished [`Measurement`]s (one command each) and draws them. A shape
//! being drawn lives in egui's temporary memory until the pointer is released.

use egui::{Align2, Color32, FontId, Painter, PointerButton, Pos2, Rect, Stroke, Vec2};
use serde::{Deserialize, Serialize};

use super::gpu::Affine2;
use crate::display_frame::DisplayFrame;
use crate::index::Instance;
use crate::measure::{FrameView, ImagePoint, RoiShape, angle_deg, line_length, probe, roi_stats};

/// What a left drag or click does in the viewport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Tool {
    /// Window/level (the default, as in a PACS).
    #[default]
    WindowLevel,
    /// Distance between two points.
    Distance,
    /// Angle from three points (the middle one is the vertex).
    Angle,
    /// Ellipse ROI statistics.
    Ellipse,
    /// Rectangle ROI statistics.
    Rectangle,
    /// The value of one pixel.
    Probe,
    /// Select and edit annotation shapes.
    EditShapes,
    /// Draw an annotation polygon, vertex by vertex.
    AnnotatePolygon,
    /// Trace an annotation freehand.
    AnnotateFreehand,
    /// Drag an annotation rectangle.
    AnnotateRectangle,
    /// Drag an annotation ellipse.
    AnnotateEllipse,
    /// Place an annotation point (landmark).
    AnnotatePoint,
    /// Click inside a finding: its region grown and outlined (click-to-segment).
    AnnotateSegment,
    /// Clicks whose segments snap to edges (live-wire, intelligent scissors).
    AnnotateLiveWire,
    /// Strokes of the label and of background grow competitively (grow from seeds).
    AnnotateSeeds,
    /// A round brush in mm that adds to a shape (or paints a new one).
    AnnotateBrush,
    /// A round eraser in mm that cuts from a shape.
    AnnotateEraser,
}

impl Tool {
    /// Every measuring tool with its i18n key.
    pub const ALL: [(Tool, &'static str); 6] = [
        (Tool::WindowLevel, "tool.window_level"),
        (Tool::Distance, "tool.distance"),
        (Tool::Angle, "tool.angle"),
        (Tool::Ellipse, "tool.ellipse_roi"),
        (Tool::Rectangle, "tool.rectangle_roi"),
        (Tool::Probe, "tool.probe"),
    ];

    /// The annotation tools with their i18n key.
    pub const ANNOTATION: [(Tool, &'static str); 11] = [
        (Tool::EditShapes, "tool.edit_shapes"),
        (Tool::AnnotatePolygon, "tool.polygon"),
        (Tool::AnnotateFreehand, "tool.freehand"),
        (Tool::AnnotateRectangle, "tool.rectangle_shape"),
        (Tool::AnnotateEllipse, "tool.ellipse_shape"),
        (Tool::AnnotatePoint, "tool.point"),
        (Tool::AnnotateSegment, "tool.segment"),
        (Tool::AnnotateLiveWire, "tool.live_wire"),
        (Tool::AnnotateSeeds, "tool.seeds"),
        (Tool::AnnotateBrush, "tool.brush"),
        (Tool::AnnotateEraser, "tool.eraser"),
    ];

    /// True for the annotation tools (digit keys pick labels while one is active).
    pub fn is_annotation(self) -> bool {
        Self::ANNOTATION.iter().any(|(t, _)| *t == self)
    }
}

/// One selectable button per tool (its keys, from the key table, on hover); returns
/// the tool clicked.
#[must_use]
pub fn tool_buttons(
    ui: &mut egui::Ui,
    s: &crate::i18n::Strings,
    tools: &[(Tool, &'static str)],
    current: Tool,
) -> Option<Tool> {
    let mut chosen = None;
    for (tool, key) in tools {
        let keys = super::app::keys::keys_of(super::app::keys::Action::Tool(*tool));
        if ui
            .selectable_label(current == *tool, s.get(key))
            .on_hover_text(keys)
            .clicked()
        {
            chosen = Some(*tool);
        }
    }
    chosen
}

/// A finished measurement, in image coordinates, with its result text.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The tool that made it.
    pub tool: Tool,
    /// Its points in image coordinates.
    pub points: Vec<[f64; 2]>,
    /// The result, computed once when it was made.
    pub label: String,
}

/// A shape being drawn (egui temporary memory, per viewport).
#[derive(Debug, Clone, Default)]
struct Draft {
    points: Vec<[f64; 2]>,
}

fn point(p: [f64; 2]) -> ImagePoint {
    ImagePoint::new(p[0], p[1])
}

/// Computes the result text of a measurement on `frame`.
pub fn measure(
    tool: Tool,
    points: &[[f64; 2]],
    frame: &DisplayFrame,
    instance: Option<&Instance>,
) -> Option<String> {
    let spacing = instance.map(Instance::pixel_spacing).unwrap_or_default();
    let note = if spacing.at_detector() { " *" } else { "" };
    match (tool, points) {
        (Tool::Distance, [a, b]) => {
            line_length(point(*a), point(*b), &spacing).map(|l| format!("{l}{note}"))
        }
        (Tool::Angle, [a, b, c]) => {
            angle_deg(point(*a), point(*b), point(*c), &spacing).map(|d| format!("{d:.1}°"))
        }
        (Tool::Ellipse | Tool::Rectangle | Tool::Probe, _) => {
            let (values, padding) = frame.modality_values()?;
            let view = FrameView {
                rows: frame.rows,
                cols: frame.cols,
                values: &values,
                padding: &padding,
            };
            match (tool, points) {
                (Tool::Probe, [p]) => probe(&view, point(*p))
                    .map(|pr| format!("({}, {}) {:.1}", pr.col, pr.row, pr.value)),
                (_, [a, b]) => {
                    let shape = if tool == Tool::Ellipse {
                        RoiShape::Ellipse
                    } else {
                        RoiShape::Rectangle
                    };
                    let s = roi_stats(shape, point(*a), point(*b), &view, &spacing)?;
                    let f = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
                    Some(format!(
                        "mean {} SD {}\nmin {} max {}\narea {:.1}{note}",
                        f(s.mean),
                        f(s.sd_sample),
                        f(s.min),
                        f(s.max),
                        s.area
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Handles pointer input for a measuring tool; returns a finished measurement.
pub fn handle_input(
    ui: &egui::Ui,
    response: &egui::Response,
    rect: Rect,
    tool: Tool,
    to_screen: &Affine2,
    frame: &DisplayFrame,
    instance: Option<&Instance>,
) -> Option<Measurement> {
    let inverse = to_screen.inverse()?;
    let to_image =
        |p: Pos2| inverse.apply([f64::from(p.x - rect.min.x), f64::from(p.y - rect.min.y)]);
    let id = response.id.with("measure-draft");
    let mut draft: Draft = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let pointer = response.interact_pointer_pos().or(response.hover_pos());
    let mut finished = None;
    match tool {
        Tool::WindowLevel
        | Tool::EditShapes
        | Tool::AnnotatePolygon
        | Tool::AnnotateFreehand
        | Tool::AnnotateRectangle
        | Tool::AnnotateEllipse
        | Tool::AnnotatePoint
        | Tool::AnnotateSegment
        | Tool::AnnotateLiveWire
        | Tool::AnnotateSeeds
        | Tool::AnnotateBrush
        | Tool::AnnotateEraser => return None,
        Tool::Distance | Tool::Ellipse | Tool::Rectangle => {
            if response.drag_started_by(PointerButton::Primary)
                && let Some(p) = pointer
            {
                draft.points = vec![to_image(p), to_image(p)];
            } else if response.dragged_by(PointerButton::Primary)
                && let Some(p) = pointer
                && draft.points.len() == 2
            {
                draft.points[1] = to_image(p);
            } else if response.drag_stopped() && draft.points.len() == 2 {
                finished = Some(std::mem::take(&mut draft.points));
            }
        }
        Tool::Angle => {
            if response.clicked_by(PointerButton::Primary)
                && let Some(p) = pointer
            {
                draft.points.push(to_image(p));
                if draft.points.len() == 3 {
                    finished = Some(std::mem::take(&mut draft.points));
                }
            }
        }
        Tool::Probe => {
            if response.clicked_by(PointerButton::Primary)
                && let Some(p) = pointer
            {
                finished = Some(vec![to_image(p)]);
            }
        }
    }
    if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        draft.points.clear();
    }
    // The draft follows the pointer for a live preview.
    if !draft.points.is_empty() {
        let painter = ui.painter_at(rect);
        let mut preview = draft.points.clone();
        if tool == Tool::Angle
            && let Some(p) = response.hover_pos()
        {
            preview.push(to_image(p));
        }
        let label = measure(tool, &preview, frame, instance).unwrap_or_default();
        draw(
            &painter,
            rect,
            to_screen,
            tool,
            &preview,
            &label,
            Color32::from_rgb(120, 220, 255),
        );
    }
    ui.data_mut(|d| d.insert_temp(id, draft));
    let points = finished?;
    let label = measure(tool, &points, frame, instance)?;
    Some(Measurement {
        tool,
        points,
        label,
    })
}

/// Draws a measurement.
pub fn draw(
    painter: &Painter,
    rect: Rect,
    to_screen: &Affine2,
    tool: Tool,
    points: &[[f64; 2]],
    label: &str,
    colour: Color32,
) {
    let screen = |p: [f64; 2]| {
        let s = to_screen.apply(p);
        rect.min + Vec2::new(s[0] as f32, s[1] as f32)
    };
    let stroke = Stroke::new(1.5, colour);
    let pts: Vec<Pos2> = points.iter().map(|p| screen(*p)).collect();
    match (tool, pts.as_slice()) {
        (Tool::Distance | Tool::Angle, _) if pts.len() >= 2 => {
            for w in pts.windows(2) {
                painter.line_segment([w[0], w[1]], stroke);
            }
        }
        (Tool::Rectangle, [a, b]) => {
            painter.rect_stroke(
                Rect::from_two_pos(*a, *b),
                0.0,
                stroke,
                egui::StrokeKind::Middle,
            );
        }
        (Tool::Ellipse, [_, _]) => {
            // Sample the ellipse in image space so rotation/flip/zoom all apply.
            let (p, q) = (points[0], points[1]);
            let (cx, cy) = ((p[0] + q[0]) / 2.0, (p[1] + q[1]) / 2.0);
            let (rx, ry) = ((p[0] - q[0]).abs() / 2.0, (p[1] - q[1]).abs() / 2.0);
            let ring: Vec<Pos2> = (0..=64)
                .map(|k| {
                    let t = f64::from(k) / 64.0 * std::f64::consts::TAU;
                    screen([cx + rx * t.cos(), cy + ry * t.sin()])
                })
                .collect();
            painter.add(egui::Shape::line(ring, stroke));
        }
        _ => {}
    }
    for p in &pts {
        painter.circle_filled(*p, 2.5, colour);
    }
    if let Some(anchor) = pts.last() {
        let pos = *anchor + Vec2::new(8.0, 8.0);
        painter.text(
            pos + Vec2::splat(1.0),
            Align2::LEFT_TOP,
            label,
            FontId::monospace(12.0),
            Color32::BLACK,
        );
        painter.text(
            pos,
            Align2::LEFT_TOP,
            label,
            FontId::monospace(12.0),
            colour,
        );
    }
}
