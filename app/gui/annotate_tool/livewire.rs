//! Live-wire in the viewport: each click sets an anchor, and the segment from the last
//! anchor follows the strongest edges to the pointer (intelligent scissors on the
//! values as displayed, [`crate::assist::livewire`]). A click on the first anchor, a
//! double click or Enter closes the outline into a shape marked `live-wire`;
//! Backspace takes the last anchor back, Escape drops them all.
//!
//! The cost map is built once per frame and window (a few ms) and kept in egui's
//! memory; the wire through the anchors is recomputed only when they change.

use std::sync::Arc;

use egui::{Color32, Key, PointerButton, Pos2, Stroke};

use super::{
    AnnotationView, DisplayValues, ShapeSelection, ToScreen, VERTEX_GRAB, label_colour, new_shape,
};
use crate::annotate::ShapeKind;
use crate::assist::livewire::{LiveWire, SOURCE, source_parameters, unit_values};
use crate::gui::command::Command;

/// The anchors set so far and the wire through them (image coordinates).
#[derive(Debug, Clone, Default)]
struct Wire {
    anchors: Vec<[f64; 2]>,
    path: Vec<[f64; 2]>,
}

/// The cost map of one frame and window, and what it was built from.
type Cached = (usize, [u64; 2], Option<Arc<LiveWire>>);

/// Pointer and key input of the live-wire tool; paints the anchors, the wire and the
/// segment to the pointer.
pub(super) fn live_wire_input(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &AnnotationView<'_>,
    to: &ToScreen<'_>,
    to_image: &dyn Fn(Pos2) -> Option<[f64; 2]>,
) -> Vec<Command> {
    let Some(display) = &view.display else {
        return Vec::new();
    };
    let Some(wire) = cost_map(ui, response.id, display, view) else {
        return Vec::new();
    };
    let id = response.id.with("live-wire");
    let mut state: Wire = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let pointer = response.hover_pos();
    let (enter, escape, back) = ui.input(|i| {
        (
            i.key_pressed(Key::Enter),
            i.key_pressed(Key::Escape),
            i.key_pressed(Key::Backspace),
        )
    });
    let mut close = enter && response.hovered();
    if escape {
        state = Wire::default();
    } else if back && response.hovered() {
        state.anchors.pop();
        state.path = wire.wire(&state.anchors).unwrap_or_default();
    } else if response.double_clicked_by(PointerButton::Primary) {
        close = true;
    } else if response.clicked_by(PointerButton::Primary)
        && let Some(p) = pointer
    {
        let on_first = state
            .anchors
            .first()
            .is_some_and(|a| to.pos(*a).distance(p) <= VERTEX_GRAB);
        if on_first && state.anchors.len() >= 3 {
            close = true;
        } else if let Some(at) = to_image(p).filter(|a| wire.pixel_of(*a).is_ok()) {
            state.anchors.push(at);
            state.path = wire.wire(&state.anchors).unwrap_or_default();
        }
    }
    let mut out = Vec::new();
    if close && state.anchors.len() >= 3 {
        if let Some(command) = finish(view, display, &wire, &state.anchors) {
            out.extend(command);
        }
        state = Wire::default();
    }
    paint(ui, to, view, &wire, &state, pointer.and_then(to_image));
    ui.data_mut(|d| d.insert_temp(id, state));
    out
}

/// The frame's cost map, built when the frame or the window changed (`None` for a
/// colour frame or one the wire cannot use).
fn cost_map(
    ui: &egui::Ui,
    viewport: egui::Id,
    display: &DisplayValues,
    view: &AnnotationView<'_>,
) -> Option<Arc<LiveWire>> {
    let id = viewport.with("live-wire-cost");
    let frame_key = Arc::as_ptr(&display.frame) as usize;
    let window_key = display.window.map(f64::to_bits);
    if let Some((f, w, wire)) = ui.data(|d| d.get_temp::<Cached>(id))
        && f == frame_key
        && w == window_key
    {
        return wire;
    }
    let frame = &display.frame;
    let wire = frame.modality_values().and_then(|(values, padding)| {
        let values: Vec<f32> = values
            .iter()
            .zip(&padding)
            .map(|(v, pad)| if *pad { f32::NAN } else { *v as f32 })
            .collect();
        let unit = unit_values(&values, display.window);
        LiveWire::new(
            &unit,
            frame.cols as usize,
            frame.rows as usize,
            &view.spacing,
        )
        .ok()
        .map(Arc::new)
    });
    ui.data_mut(|d| d.insert_temp::<Cached>(id, (frame_key, window_key, wire.clone())));
    wire
}

/// The closed wire as a new shape, selected: the commands, or `None` when the
/// anchors enclose nothing.
fn finish(
    view: &AnnotationView<'_>,
    display: &DisplayValues,
    wire: &LiveWire,
    anchors: &[[f64; 2]],
) -> Option<Vec<Command>> {
    let ring = wire.wire_polygon(anchors).ok()?;
    let mut shape = new_shape(view, ShapeKind::Polygon, ring)?;
    shape.source = Some(SOURCE.into());
    shape.source_parameters = source_parameters(
        display.series_frame,
        display.window,
        anchors,
        wire.tolerance_mm(),
    );
    Some(vec![
        Command::SelectShape(Some(ShapeSelection {
            id: shape.id.clone(),
            vertex: None,
        })),
        Command::ChangeShapes {
            label: "draw live-wire".into(),
            changes: vec![(shape.id.clone(), Some(shape))],
        },
    ])
}

/// The anchors, the wire through them and the segment from the last to the pointer.
fn paint(
    ui: &egui::Ui,
    to: &ToScreen<'_>,
    view: &AnnotationView<'_>,
    wire: &LiveWire,
    state: &Wire,
    pointer: Option<[f64; 2]>,
) {
    let painter = ui.painter_at(to.rect);
    let colour = label_colour(view.labels, view.draw_label);
    let line = |points: &[[f64; 2]], colour: Color32| {
        if points.len() >= 2 {
            painter.add(egui::Shape::line(
                points.iter().map(|p| to.pos(*p)).collect(),
                Stroke::new(1.5, colour),
            ));
        }
    };
    line(&state.path, colour);
    if let (Some(last), Some(at)) = (state.anchors.last(), pointer)
        && let (Ok(from), Ok(to_px)) = (wire.pixel_of(*last), wire.pixel_of(at))
        && let Ok(preview) = wire.path(from, to_px)
    {
        line(&preview, colour.gamma_multiply(0.6));
    }
    for a in &state.anchors {
        painter.circle_filled(to.pos(*a), 3.5, colour);
    }
}
