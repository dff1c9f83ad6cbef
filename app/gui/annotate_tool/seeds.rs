//! Grow from seeds in the viewport: a drag paints a stroke of the label for new shapes,
//! a Shift-drag one of background; each finished stroke is one command, and the app
//! grows the proposal again. The strokes and the proposal (dashed, not stored until
//! accepted) are painted here.

use egui::{Color32, Pos2, Stroke};

use super::{AnnotationView, ToScreen, label_colour, screen_ring};
use crate::assist::strokes::BACKGROUND;
use crate::gui::command::Command;

/// Colour of background strokes.
const BACKGROUND_COLOUR: Color32 = Color32::from_rgb(80, 160, 255);

/// Pointer input of the grow-from-seeds tool; paints the strokes and the proposal.
pub(super) fn seeds_input(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &AnnotationView<'_>,
    to: &ToScreen<'_>,
    to_image: &dyn Fn(Pos2) -> Option<[f64; 2]>,
) -> Vec<Command> {
    let id = response.id.with("seed-stroke");
    let mut points: Vec<[f64; 2]> = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let done = super::drag_stroke(ui, response, to_image, &mut points);
    let background = ui.input(|i| i.modifiers.shift);
    let painter = ui.painter_at(to.rect);
    let label = label_colour(view.labels, view.draw_label);
    let colour_of = |bg: bool| if bg { BACKGROUND_COLOUR } else { label };
    if let Some(seeds) = &view.seeds {
        for shape in &seeds.proposal {
            let mut ring = screen_ring(to, &shape.points);
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            painter.extend(egui::Shape::dashed_line(
                &ring,
                Stroke::new(2.0, label_colour(view.labels, &shape.label)),
                6.0,
                4.0,
            ));
        }
        for stroke in seeds.strokes {
            let colour = colour_of(stroke.label == BACKGROUND);
            paint_stroke(&painter, to, &stroke.points, colour);
        }
    }
    paint_stroke(&painter, to, &points, colour_of(background));
    ui.data_mut(|d| d.insert_temp(id, points));
    done.map(|points| Command::SeedStroke { points, background })
        .into_iter()
        .collect()
}

/// One stroke as a thick line (a dot for a single point).
fn paint_stroke(painter: &egui::Painter, to: &ToScreen<'_>, points: &[[f64; 2]], colour: Color32) {
    match points {
        [] => {}
        [only] => {
            painter.circle_filled(to.pos(*only), 2.5, colour);
        }
        _ => {
            painter.add(egui::Shape::line(
                points.iter().map(|p| to.pos(*p)).collect(),
                Stroke::new(3.0, colour),
            ));
        }
    }
}
