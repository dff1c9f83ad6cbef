//! The brush and the eraser: a round stroke of a radius in mm, shown as the reader
//! drags, that becomes one command when the button is released (applied with
//! [`crate::annotate::geometry::brush`]). The shape edited is the selected one when it
//! is on this frame, else the topmost shape under the stroke's start; a brush on empty
//! ground paints a new shape.

use egui::{Color32, Pos2, Stroke, Vec2};

use super::{AnnotationView, ToScreen, label_colour};
use crate::annotate::raster;
use crate::gui::command::Command;

/// Pointer input of the brush (`erase` false) or eraser; paints the stroke and the
/// brush's outline at the pointer.
pub(super) fn brush_input(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &AnnotationView<'_>,
    to: &ToScreen<'_>,
    to_image: &dyn Fn(Pos2) -> Option<[f64; 2]>,
    erase: bool,
) -> Vec<Command> {
    let id = response.id.with("brush-stroke");
    let mut points: Vec<[f64; 2]> = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let done = super::drag_stroke(ui, response, to_image, &mut points);
    let radius = screen_radius(view, to);
    let colour = if erase {
        Color32::from_rgb(240, 240, 240)
    } else {
        label_colour(view.labels, view.draw_label)
    };
    let painter = ui.painter_at(to.rect);
    for p in &points {
        painter.add(egui::Shape::ellipse_filled(
            to.pos(*p),
            radius,
            colour.gamma_multiply(0.25),
        ));
    }
    if let Some(p) = response.hover_pos() {
        painter.add(egui::Shape::ellipse_stroke(
            p,
            radius,
            Stroke::new(1.0, colour),
        ));
    }
    ui.data_mut(|d| d.insert_temp(id, points));
    let Some(stroke) = done else {
        return Vec::new();
    };
    let target = target(view, stroke.first().copied());
    if erase && target.is_none() {
        return Vec::new();
    }
    vec![Command::BrushStroke {
        target,
        stroke,
        erase,
    }]
}

/// The brush's radii on screen (points, x and y): round in mm, so an ellipse in
/// pixels on anisotropic images, turned with the image.
fn screen_radius(view: &AnnotationView<'_>, to: &ToScreen<'_>) -> Vec2 {
    let (row_mm, col_mm) = if view.spacing.is_calibrated() {
        (view.spacing.row_mm, view.spacing.col_mm)
    } else {
        (1.0, 1.0)
    };
    let [[a, b, _], [d, e, _]] = to.affine.rows;
    let (along_x, along_y) = (view.brush_radius_mm / col_mm, view.brush_radius_mm / row_mm);
    Vec2::new(
        (a.abs() * along_x + b.abs() * along_y) as f32,
        (d.abs() * along_x + e.abs() * along_y) as f32,
    )
}

/// The shape a stroke starting at `start` edits: the selected one when it is on this
/// frame, else the topmost area shape containing `start`.
fn target(view: &AnnotationView<'_>, start: Option<[f64; 2]>) -> Option<String> {
    let areas = || view.shapes.iter().filter(|s| s.kind.is_area());
    if let Some(sel) = view.selection
        && areas().any(|s| s.id == sel.id)
    {
        return Some(sel.id.clone());
    }
    let start = start?;
    areas()
        .rev()
        .find(|s| raster::contains(&s.points, start))
        .map(|s| s.id.clone())
}
