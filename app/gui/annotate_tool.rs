//! Annotation tools in the viewport: draw polygons, freehand traces, rectangles,
//! ellipses and points, and edit shapes (drag a vertex, click an edge to insert one,
//! drag the shape to move it).
//!
//! Shapes are stored in image pixel coordinates (`crate::annotate`); hit-testing and
//! handles work in screen points, so a handle is as easy to grab at 8× as at fit. A
//! drag edits a working copy kept in egui's temporary memory and becomes one command
//! when the button is released, so one drag is one undo step and the store is
//! written once per drag, not once per frame.
//!
//! Painting thousands of shapes stays cheap: the outlines are drawn by our own wgpu
//! pipeline from segments uploaded when the shapes change ([`paint`]), so a frame that
//! pans costs no tessellation. `benches/annotation_speed.rs` measures it.

use egui::{Color32, Key, Painter, PointerButton, Pos2, Rect, Stroke, Vec2};

use super::command::Command;
use super::gpu::Affine2;
use super::measure_tool::Tool;
use crate::annotate::geometry::{SimplifyMethod, simplify};
use crate::annotate::{Grade, LabelSet, Shape, ShapeImage, ShapeKind, new_shape_id};
use crate::measure::PixelSpacing;

mod brush;
mod livewire;
mod paint;
mod seeds;

pub use paint::ShapeLayerResources;

/// Vertices of a ring drawn with egui (the draft, the dragged shape) closer than this
/// (screen points) to the last painted one are skipped.
const MIN_SCREEN_STEP: f32 = 0.75;
/// How near (screen points) the pointer must be to grab a vertex.
const VERTEX_GRAB: f32 = 7.0;
/// How near (screen points) the pointer must be to an edge to insert a vertex.
const EDGE_GRAB: f32 = 5.0;
/// Vertices of a drawn ellipse.
const ELLIPSE_VERTICES: usize = 64;

/// The selected shape, and its selected vertex if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeSelection {
    /// The shape's id.
    pub id: String,
    /// The selected vertex (index into its points).
    pub vertex: Option<usize>,
}

/// What the viewport needs to draw and edit the shapes of its frame.
pub struct AnnotationView<'a> {
    /// The shapes on the frame shown (of the annotators shown).
    pub shapes: Vec<&'a Shape>,
    /// The [`crate::annotate::Annotations::revision`] the shapes come from: the GPU
    /// layer re-uploads its outlines when it (or the ids shown) changes.
    pub revision: u64,
    /// The project's labels (colours).
    pub labels: &'a LabelSet,
    /// The selected shape.
    pub selection: Option<&'a ShapeSelection>,
    /// The label new shapes get.
    pub draw_label: &'a str,
    /// Who draws (new shapes' annotator).
    pub annotator: &'a str,
    /// The frame shown, for new shapes.
    pub image: Option<ShapeImage>,
    /// The frame's pixel spacing (freehand simplification is in mm).
    pub spacing: PixelSpacing,
    /// Freehand traces are simplified to this tolerance (mm, or px uncalibrated).
    pub freehand_tolerance_mm: f64,
    /// Click-to-segment's window to widen with Shift-drag (the typed one, else the
    /// last one used); `None` before the first click.
    pub segment_window: Option<[f64; 2]>,
    /// Click-to-segment grows in 3-D.
    pub segment_three_d: bool,
    /// The brush's and eraser's radius (mm, or px uncalibrated).
    pub brush_radius_mm: f64,
    /// Grow from seeds' strokes and proposal on this frame.
    pub seeds: Option<SeedsView<'a>>,
    /// The frame's values as displayed, for live-wire.
    pub display: Option<DisplayValues>,
}

/// Grow from seeds on the frame shown: what to paint.
#[derive(Clone)]
pub struct SeedsView<'a> {
    /// The strokes drawn.
    pub strokes: &'a [crate::assist::strokes::Stroke],
    /// The shapes proposed on this frame (not stored yet).
    pub proposal: Vec<&'a Shape>,
}

/// A frame as the reader sees it: its modality values and the window shown.
#[derive(Clone)]
pub struct DisplayValues {
    /// The decoded frame.
    pub frame: std::sync::Arc<crate::display_frame::DisplayFrame>,
    /// The window mapping modality values to black..white (low, high).
    pub window: [f64; 2],
    /// The frame's place in the series, from 1 (recorded with a live-wire shape).
    pub series_frame: usize,
}

/// A drag of an existing shape in progress.
#[derive(Debug, Clone)]
struct EditDrag {
    original: Shape,
    working: Shape,
    what: DragWhat,
}

#[derive(Debug, Clone, Copy)]
enum DragWhat {
    /// Moving vertex `i`.
    Vertex(usize),
    /// Moving the whole shape; the grab point in image coordinates.
    Move([f64; 2]),
}

/// A shape being drawn.
#[derive(Debug, Clone, Default)]
struct Draft {
    points: Vec<[f64; 2]>,
}

/// What the pointer is over.
#[derive(Debug, Clone, PartialEq)]
enum Hit {
    /// Vertex `1` of shape `0`.
    Vertex(String, usize),
    /// The edge after vertex `1` of shape `0`, at image point `2`.
    Edge(String, usize, [f64; 2]),
    /// Inside (or on) shape `0`.
    Shape(String),
}

/// The annotation tool for a viewport tool, if it is one.
pub fn draw_kind(tool: Tool) -> Option<ShapeKind> {
    match tool {
        Tool::AnnotatePolygon => Some(ShapeKind::Polygon),
        Tool::AnnotateFreehand => Some(ShapeKind::Freehand),
        Tool::AnnotateRectangle => Some(ShapeKind::Rectangle),
        Tool::AnnotateEllipse => Some(ShapeKind::Ellipse),
        Tool::AnnotatePoint => Some(ShapeKind::Point),
        _ => None,
    }
}

/// The colour of a label (white when unknown).
pub fn label_colour(labels: &LabelSet, name: &str) -> Color32 {
    labels
        .get(name)
        .and_then(|l| l.rgb())
        .map_or(Color32::WHITE, |[r, g, b]| Color32::from_rgb(r, g, b))
}

/// Maps image points to the screen.
struct ToScreen<'a> {
    rect: Rect,
    affine: &'a Affine2,
}

impl ToScreen<'_> {
    fn pos(&self, p: [f64; 2]) -> Pos2 {
        let s = self.affine.apply(p);
        self.rect.min + Vec2::new(s[0] as f32, s[1] as f32)
    }
}

/// The screen ring of a shape, with near-duplicate vertices skipped.
fn screen_ring(to: &ToScreen<'_>, points: &[[f64; 2]]) -> Vec<Pos2> {
    let mut out: Vec<Pos2> = Vec::with_capacity(points.len());
    for p in points {
        let s = to.pos(*p);
        if out
            .last()
            .is_none_or(|last| (s - *last).length_sq() >= MIN_SCREEN_STEP * MIN_SCREEN_STEP)
        {
            out.push(s);
        }
    }
    out
}

/// Paints the shapes of the frame (the one being dragged as dragged), the selection's
/// handles and the draft, and handles pointer and key input of annotation tools.
#[must_use]
pub fn viewport_annotations(
    ui: &egui::Ui,
    response: &egui::Response,
    rect: Rect,
    tool: Tool,
    to_screen: &Affine2,
    view: &AnnotationView<'_>,
) -> Vec<Command> {
    let to = ToScreen {
        rect,
        affine: to_screen,
    };
    let drag_id = response.id.with("shape-drag");
    let draft_id = response.id.with("shape-draft");
    let mut drag: Option<EditDrag> = ui.data(|d| d.get_temp(drag_id));
    let mut draft: Draft = ui.data(|d| d.get_temp(draft_id)).unwrap_or_default();
    let mut commands = Vec::new();
    let inverse = to_screen.inverse();
    let to_image = |p: Pos2| {
        inverse
            .as_ref()
            .map(|inv| inv.apply([f64::from(p.x - rect.min.x), f64::from(p.y - rect.min.y)]))
    };
    let pointer = response.interact_pointer_pos().or(response.hover_pos());

    if tool == Tool::EditShapes {
        edit_input(
            response,
            view,
            &to,
            &to_image,
            pointer,
            &mut drag,
            &mut commands,
        );
    } else {
        drag = None;
    }
    if let Some(kind) = draw_kind(tool) {
        if let Some(points) = draw_input(ui, response, kind, &to_image, pointer, &mut draft)
            && let Some(shape) = new_shape(view, kind, points)
        {
            commands.push(Command::SelectShape(Some(ShapeSelection {
                id: shape.id.clone(),
                vertex: None,
            })));
            commands.push(Command::ChangeShapes {
                label: format!("draw {}", kind.as_str()),
                changes: vec![(shape.id.clone(), Some(shape))],
            });
        }
    } else {
        draft.points.clear();
    }

    let painter = ui.painter_at(rect);
    paint::paint_shapes(
        &painter,
        response.id.with("shape-layer"),
        &to,
        view,
        drag.as_ref().map(|d| &d.working),
    );
    if let Some(kind) = draw_kind(tool) {
        paint_draft(&painter, &to, view, kind, &draft, pointer);
    }
    // The assistance tools paint their strokes, wire or brush over the shapes.
    match tool {
        Tool::AnnotateSegment => {
            commands.extend(segment_input(ui, response, view, pointer, &to_image));
        }
        Tool::AnnotateBrush | Tool::AnnotateEraser => {
            let erase = tool == Tool::AnnotateEraser;
            commands.extend(brush::brush_input(
                ui, response, view, &to, &to_image, erase,
            ));
        }
        Tool::AnnotateSeeds => {
            commands.extend(seeds::seeds_input(ui, response, view, &to, &to_image));
        }
        Tool::AnnotateLiveWire => {
            commands.extend(livewire::live_wire_input(
                ui, response, view, &to, &to_image,
            ));
        }
        _ => {}
    }
    ui.data_mut(|d| {
        match drag {
            Some(drag) => {
                d.insert_temp(drag_id, drag);
            }
            None => d.remove::<EditDrag>(drag_id),
        }
        d.insert_temp(draft_id, draft);
    });
    commands
}

/// Click-to-segment: a click grows from that point; a Shift-drag widens (right) or
/// narrows (left) the window around its centre, doubling every 100 points, and grows
/// from where the drag began when the button is released.
fn segment_input(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &AnnotationView<'_>,
    pointer: Option<Pos2>,
    to_image: &dyn Fn(Pos2) -> Option<[f64; 2]>,
) -> Vec<Command> {
    let id = response.id.with("segment-widen");
    let mut out = Vec::new();
    if response.clicked_by(PointerButton::Primary)
        && let Some(point) = pointer.and_then(to_image)
    {
        out.push(Command::SegmentAt(point));
        return out;
    }
    let shift = ui.input(|i| i.modifiers.shift);
    let origin = response.ctx.input(|i| i.pointer.press_origin());
    if response.drag_started_by(PointerButton::Primary)
        && shift
        && let (Some(start), Some(base)) = (origin, view.segment_window)
    {
        ui.data_mut(|d| d.insert_temp(id, (start, base)));
    }
    let Some((start, [lo, hi])) = ui.data(|d| d.get_temp::<(Pos2, [f64; 2])>(id)) else {
        return out;
    };
    if let Some(p) = pointer {
        let factor = 2f64.powf(f64::from(p.x - start.x) / 100.0);
        let (centre, half) = ((lo + hi) / 2.0, (hi - lo) / 2.0 * factor);
        out.push(Command::SetSegmentOptions {
            three_d: view.segment_three_d,
            window: Some([centre - half, centre + half]),
        });
    }
    if response.drag_stopped() {
        ui.data_mut(|d| d.remove::<(Pos2, [f64; 2])>(id));
        if let Some(point) = to_image(start) {
            out.push(Command::SegmentAt(point));
        }
    }
    out
}

/// Select, drag a vertex, insert a vertex on an edge, move a shape.
fn edit_input(
    response: &egui::Response,
    view: &AnnotationView<'_>,
    to: &ToScreen<'_>,
    to_image: &dyn Fn(Pos2) -> Option<[f64; 2]>,
    pointer: Option<Pos2>,
    drag: &mut Option<EditDrag>,
    commands: &mut Vec<Command>,
) {
    let select = |id: &str, vertex: Option<usize>| {
        Command::SelectShape(Some(ShapeSelection {
            id: id.to_owned(),
            vertex,
        }))
    };
    let find = |id: &str| view.shapes.iter().find(|s| s.id == id).copied();
    // A drag starts once the pointer has moved a little: hit-test where the button
    // went down, not where the pointer is now.
    let press_origin = response.ctx.input(|i| i.pointer.press_origin());
    if response.drag_started_by(PointerButton::Primary)
        && let Some(p) = press_origin.or(pointer)
        && let Some(at) = to_image(p)
    {
        *drag = match hit_test(view, to, p) {
            Some(Hit::Vertex(id, i)) => find(&id).map(|s| {
                commands.push(select(&id, Some(i)));
                EditDrag {
                    original: s.clone(),
                    working: s.clone(),
                    what: DragWhat::Vertex(i),
                }
            }),
            Some(Hit::Edge(id, i, q)) => find(&id).map(|s| {
                let mut working = s.clone();
                working.points.insert(i + 1, q);
                commands.push(select(&id, Some(i + 1)));
                EditDrag {
                    original: s.clone(),
                    working,
                    what: DragWhat::Vertex(i + 1),
                }
            }),
            Some(Hit::Shape(id)) => find(&id).map(|s| {
                commands.push(select(&id, None));
                EditDrag {
                    original: s.clone(),
                    working: s.clone(),
                    what: DragWhat::Move(at),
                }
            }),
            None => None,
        };
    } else if response.dragged_by(PointerButton::Primary)
        && let Some(d) = drag.as_mut()
        && let Some(at) = pointer.and_then(to_image)
    {
        match d.what {
            DragWhat::Vertex(i) => {
                if let Some(v) = d.working.points.get_mut(i) {
                    *v = at;
                }
            }
            DragWhat::Move(start) => {
                let (dx, dy) = (at[0] - start[0], at[1] - start[1]);
                d.working.points = d
                    .original
                    .points
                    .iter()
                    .map(|p| [p[0] + dx, p[1] + dy])
                    .collect();
            }
        }
    } else if response.drag_stopped()
        && let Some(d) = drag.take()
        && d.working != d.original
    {
        let label = match d.what {
            DragWhat::Vertex(_) => "edit vertex",
            DragWhat::Move(_) => "move shape",
        };
        commands.push(Command::ChangeShapes {
            label: label.into(),
            changes: vec![(d.working.id.clone(), Some(d.working))],
        });
    } else if response.clicked_by(PointerButton::Primary)
        && let Some(p) = pointer
    {
        match hit_test(view, to, p) {
            Some(Hit::Vertex(id, i)) => commands.push(select(&id, Some(i))),
            Some(Hit::Edge(id, i, q)) => {
                if let Some(s) = find(&id) {
                    let mut s = s.clone();
                    s.points.insert(i + 1, q);
                    commands.push(select(&id, Some(i + 1)));
                    commands.push(Command::ChangeShapes {
                        label: "insert vertex".into(),
                        changes: vec![(id, Some(s))],
                    });
                }
            }
            Some(Hit::Shape(id)) => commands.push(select(&id, None)),
            None => commands.push(Command::SelectShape(None)),
        }
    }
}

/// Pointer input of a drawing tool; returns the points of a finished shape.
fn draw_input(
    ui: &egui::Ui,
    response: &egui::Response,
    kind: ShapeKind,
    to_image: &dyn Fn(Pos2) -> Option<[f64; 2]>,
    pointer: Option<Pos2>,
    draft: &mut Draft,
) -> Option<Vec<[f64; 2]>> {
    let at = pointer.and_then(to_image);
    // Where the button went down: a drag is only recognised after some movement.
    let origin = ui.input(|i| i.pointer.press_origin()).and_then(to_image);
    let (enter, escape) = ui.input(|i| (i.key_pressed(Key::Enter), i.key_pressed(Key::Escape)));
    if escape {
        draft.points.clear();
        return None;
    }
    match kind {
        ShapeKind::Point => {
            if response.clicked_by(PointerButton::Primary) {
                return at.map(|p| vec![p]);
            }
        }
        ShapeKind::Polygon => {
            if response.double_clicked_by(PointerButton::Primary) {
                // The double click's second click added a vertex on top of the last.
                draft.points.pop();
                if draft.points.len() >= 3 {
                    return Some(std::mem::take(&mut draft.points));
                }
            } else if response.clicked_by(PointerButton::Primary)
                && let Some(p) = at
            {
                draft.points.push(p);
            }
            if enter && response.hovered() && draft.points.len() >= 3 {
                return Some(std::mem::take(&mut draft.points));
            }
        }
        ShapeKind::Freehand => {
            if let Some(trace) = drag_stroke(ui, response, to_image, &mut draft.points) {
                return (trace.len() >= 3).then_some(trace);
            }
        }
        ShapeKind::Rectangle | ShapeKind::Ellipse => {
            if response.drag_started_by(PointerButton::Primary)
                && let Some(p) = at
            {
                draft.points = vec![origin.unwrap_or(p), p];
            } else if response.dragged_by(PointerButton::Primary)
                && let Some(p) = at
                && draft.points.len() == 2
            {
                draft.points[1] = p;
            } else if response.drag_stopped() && draft.points.len() == 2 {
                let corners = std::mem::take(&mut draft.points);
                let ring = box_ring(kind, corners[0], corners[1]);
                return (ring.len() >= 3).then_some(ring);
            }
        }
    }
    None
}

/// A stroke dragged with the primary button: while dragging, `points` gathers every
/// pointer position (each of the frame's moves, not just the last: a quick stroke moves
/// many pixels between two frames); when the button is released the stroke is
/// returned (and `points` emptied). A click is a stroke of one point.
fn drag_stroke(
    ui: &egui::Ui,
    response: &egui::Response,
    to_image: &dyn Fn(Pos2) -> Option<[f64; 2]>,
    points: &mut Vec<[f64; 2]>,
) -> Option<Vec<[f64; 2]>> {
    let pointer = response.interact_pointer_pos().or(response.hover_pos());
    let at = pointer.and_then(to_image);
    if response.clicked_by(PointerButton::Primary) {
        points.clear();
        return at.map(|p| vec![p]);
    }
    if response.drag_started_by(PointerButton::Primary)
        && let Some(p) = at
    {
        let origin = ui.input(|i| i.pointer.press_origin()).and_then(to_image);
        *points = origin.into_iter().chain([p]).collect();
    } else if response.dragged_by(PointerButton::Primary) && !points.is_empty() {
        let moves: Vec<[f64; 2]> = ui.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::PointerMoved(p) => to_image(*p),
                    _ => None,
                })
                .collect()
        });
        points.extend(moves);
    } else if response.drag_stopped() && !points.is_empty() {
        return Some(std::mem::take(points));
    }
    None
}

/// The ring of a rectangle or ellipse dragged from `a` to `b` (empty when degenerate).
fn box_ring(kind: ShapeKind, a: [f64; 2], b: [f64; 2]) -> Vec<[f64; 2]> {
    let (x0, x1) = (a[0].min(b[0]), a[0].max(b[0]));
    let (y0, y1) = (a[1].min(b[1]), a[1].max(b[1]));
    if x1 - x0 < 1e-6 || y1 - y0 < 1e-6 {
        return Vec::new();
    }
    if kind == ShapeKind::Rectangle {
        return vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
    }
    let (cx, cy, rx, ry) = (
        (x0 + x1) / 2.0,
        (y0 + y1) / 2.0,
        (x1 - x0) / 2.0,
        (y1 - y0) / 2.0,
    );
    (0..ELLIPSE_VERTICES)
        .map(|k| {
            let t = k as f64 / ELLIPSE_VERTICES as f64 * std::f64::consts::TAU;
            [cx + rx * t.cos(), cy + ry * t.sin()]
        })
        .collect()
}

/// A new shape of `kind` on the frame shown, by this annotator, with the draw label.
fn new_shape(view: &AnnotationView<'_>, kind: ShapeKind, points: Vec<[f64; 2]>) -> Option<Shape> {
    let image = view.image.clone()?;
    let points = if kind == ShapeKind::Freehand {
        simplify(
            &points,
            view.freehand_tolerance_mm,
            &view.spacing,
            SimplifyMethod::RamerDouglasPeucker,
        )
        .ok()?
    } else {
        points
    };
    Some(Shape {
        id: new_shape_id(view.annotator),
        kind,
        label: view.draw_label.to_owned(),
        image,
        points,
        grade: Grade::None,
        score: None,
        source: None,
        source_parameters: Default::default(),
        note: String::new(),
        annotator: view.annotator.to_owned(),
        created: String::new(),
        modified: String::new(),
    })
}

/// What is under the screen point `p`: the selected shape's vertices and edges first,
/// then the topmost shape (last painted) containing it or near its outline.
fn hit_test(view: &AnnotationView<'_>, to: &ToScreen<'_>, p: Pos2) -> Option<Hit> {
    if let Some(sel) = view.selection
        && let Some(shape) = view.shapes.iter().find(|s| s.id == sel.id)
    {
        let screen: Vec<Pos2> = shape.points.iter().map(|q| to.pos(*q)).collect();
        if let Some((i, _)) = screen
            .iter()
            .enumerate()
            .map(|(i, q)| (i, q.distance(p)))
            .filter(|(_, d)| *d <= VERTEX_GRAB)
            .min_by(|a, b| a.1.total_cmp(&b.1))
        {
            return Some(Hit::Vertex(shape.id.clone(), i));
        }
        if shape.kind.is_area() {
            let n = screen.len();
            for i in 0..n {
                let (a, b) = (screen[i], screen[(i + 1) % n]);
                let (d, t) = segment_distance(p, a, b);
                if d <= EDGE_GRAB {
                    let (pa, pb) = (shape.points[i], shape.points[(i + 1) % n]);
                    let q = [pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t];
                    return Some(Hit::Edge(shape.id.clone(), i, q));
                }
            }
        }
    }
    for shape in view.shapes.iter().rev() {
        let screen: Vec<Pos2> = shape.points.iter().map(|q| to.pos(*q)).collect();
        let bounds = Rect::from_points(&screen).expand(VERTEX_GRAB);
        if !bounds.contains(p) {
            continue;
        }
        let near_outline = screen.iter().any(|q| q.distance(p) <= VERTEX_GRAB)
            || (shape.kind.is_area()
                && (0..screen.len()).any(|i| {
                    segment_distance(p, screen[i], screen[(i + 1) % screen.len()]).0 <= EDGE_GRAB
                }));
        let ring: Vec<[f64; 2]> = screen
            .iter()
            .map(|q| [f64::from(q.x), f64::from(q.y)])
            .collect();
        let inside = shape.kind.is_area()
            && crate::annotate::raster::contains(&ring, [f64::from(p.x), f64::from(p.y)]);
        if near_outline || inside {
            return Some(Hit::Shape(shape.id.clone()));
        }
    }
    None
}

/// Distance from `p` to segment `ab`, and where along it (0..1) the nearest point is.
fn segment_distance(p: Pos2, a: Pos2, b: Pos2) -> (f32, f64) {
    let ab = b - a;
    let len_sq = ab.length_sq();
    let t = if len_sq > 0.0 {
        ((p - a).dot(ab) / len_sq).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((a + ab * t).distance(p), f64::from(t))
}

/// Paints the shape being drawn, following the pointer.
fn paint_draft(
    painter: &Painter,
    to: &ToScreen<'_>,
    view: &AnnotationView<'_>,
    kind: ShapeKind,
    draft: &Draft,
    pointer: Option<Pos2>,
) {
    if draft.points.is_empty() {
        return;
    }
    let colour = label_colour(view.labels, view.draw_label);
    let stroke = Stroke::new(1.5, colour);
    let points = match kind {
        ShapeKind::Rectangle | ShapeKind::Ellipse if draft.points.len() == 2 => {
            box_ring(kind, draft.points[0], draft.points[1])
        }
        _ => draft.points.clone(),
    };
    let mut ring = screen_ring(to, &points);
    match kind {
        ShapeKind::Polygon => {
            for p in &ring {
                painter.circle_filled(*p, 3.0, colour);
            }
            if let Some(p) = pointer {
                ring.push(p);
            }
            painter.add(egui::Shape::line(ring, stroke));
        }
        ShapeKind::Freehand => {
            painter.add(egui::Shape::line(ring, stroke));
        }
        _ => {
            painter.add(egui::Shape::closed_line(ring, stroke));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_rings_are_the_corners_and_a_sampled_ellipse() {
        let r = box_ring(ShapeKind::Rectangle, [4.0, 1.0], [2.0, 3.0]);
        assert_eq!(r, vec![[2.0, 1.0], [4.0, 1.0], [4.0, 3.0], [2.0, 3.0]]);
        let e = box_ring(ShapeKind::Ellipse, [0.0, 0.0], [10.0, 4.0]);
        assert_eq!(e.len(), ELLIPSE_VERTICES);
        assert!(e.iter().all(|p| {
            let (u, v) = ((p[0] - 5.0) / 5.0, (p[1] - 2.0) / 2.0);
            (u * u + v * v - 1.0).abs() < 1e-9
        }));
        assert!(box_ring(ShapeKind::Ellipse, [1.0, 1.0], [1.0, 5.0]).is_empty());
    }

    #[test]
    fn segment_distance_by_hand() {
        let (d, t) = segment_distance(
            Pos2::new(5.0, 3.0),
            Pos2::new(0.0, 0.0),
            Pos2::new(10.0, 0.0),
        );
        assert_eq!((d, t), (3.0, 0.5));
        let (d, t) = segment_distance(
            Pos2::new(-4.0, 3.0),
            Pos2::new(0.0, 0.0),
            Pos2::new(10.0, 0.0),
        );
        assert_eq!((d, t), (5.0, 0.0));
    }
}
