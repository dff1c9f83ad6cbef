//! One MPR view: the volume drawn on the GPU, the other views' reference lines (and
//! slab edges) with their rotation handles, the crosshair, orientation letters, a
//! scale bar and the measurements; the pointer turned into [`MprCommand`]s.
//!
//! Pointer: Shift+click or Shift+drag moves the 3-D cursor; dragging a handle on a
//! reference line turns that plane about this view's normal (oblique); the wheel
//! steps this plane along its normal, Ctrl+wheel zooms; a left drag sets the window,
//! or measures with the distance tool.

use eframe::egui_wgpu;
use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, Vec2};

use super::gpu::MprCallback;
use super::{MprCamera, MprCommand, MprMeasurement, MprShape, MprUi, index_of};
use crate::gui::command::Command;
use crate::gui::gpu::volume::{MprUniforms, MprWindow};
use crate::gui::viewport::wheel_y;
use crate::i18n::Strings;
use crate::mpr::grid::{dot, sub};
use crate::mpr::reslice::{ViewFrame, ViewPlane, VoxelInterpolation, cross, cut_ring};
use crate::window::Window;

/// Each view's colour (as 3D Slicer's: axial red, coronal green, sagittal yellow).
pub fn colour(plane: ViewPlane) -> Color32 {
    match plane {
        ViewPlane::Axial => Color32::from_rgb(230, 80, 70),
        ViewPlane::Coronal => Color32::from_rgb(100, 200, 90),
        ViewPlane::Sagittal => Color32::from_rgb(235, 205, 70),
    }
}

/// Points from the crosshair to a rotation handle, as a fraction of the view's shorter side.
const HANDLE_AT: f32 = 0.32;
/// Radius, points, within which a press grabs a handle.
const HANDLE_GRAB: f32 = 9.0;

/// What a left drag started on this view is doing.
#[derive(Debug, Clone, Copy)]
enum Drag {
    Cursor,
    Rotate,
    Window,
    Measure([f64; 3]),
}

/// Draws `plane`'s view in `rect` and returns what the pointer asked for.
pub fn view_ui(
    ui: &mut egui::Ui,
    rect: Rect,
    mpr: &MprUi,
    plane: ViewPlane,
    shapes: &[MprShape],
    measuring: bool,
    s: &Strings,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let (Some(volume), Some(camera)) = (&mpr.volume, &mpr.camera) else {
        return commands;
    };
    let grid = &volume.grid;
    let size = [f64::from(rect.width()), f64::from(rect.height())];
    let frame = camera.frame(grid, plane, size);
    paint_volume(ui, rect, mpr, camera, plane, &frame);
    let response = ui.interact(
        rect,
        ui.scope_id().with(("mpr-view", index_of(plane))),
        Sense::click_and_drag(),
    );
    let painter = ui.painter_at(rect);
    let to_screen = |p: [f64; 3]| {
        let v = frame.pos_of(p, size);
        rect.min + Vec2::new(v[0] as f32, v[1] as f32)
    };
    let to_patient = |pos: Pos2| {
        frame.point_at(
            [f64::from(pos.x - rect.min.x), f64::from(pos.y - rect.min.y)],
            size,
        )
    };
    let centre = to_screen(camera.cursor_mm);
    let handles = reference_lines(&painter, rect, camera, plane, &frame, centre);
    crosshair(&painter, centre);
    labels(&painter, rect, &frame, plane, camera, s);
    measurements(&painter, mpr, plane, &frame, &to_screen);
    // Where the shapes cut this plane (all of a shape lying in it: its outline).
    let half_voxel = camera.step_mm(grid, plane) / 2.0;
    for shape in shapes {
        for [a, b] in cut_ring(&shape.ring_mm, camera.cursor_mm, frame.normal(), half_voxel) {
            painter.line_segment([to_screen(a), to_screen(b)], Stroke::new(2.0, shape.colour));
        }
    }
    // The pointer.
    let drag_id = response.id.with("drag");
    let shift = ui.input(|i| i.modifiers.shift);
    if response.drag_started_by(egui::PointerButton::Primary)
        && let Some(pos) = response.interact_pointer_pos()
    {
        let on_handle = handles.iter().any(|h| h.distance(pos) <= HANDLE_GRAB);
        let drag = if on_handle {
            Drag::Rotate
        } else if shift {
            Drag::Cursor
        } else if measuring {
            Drag::Measure(to_patient(pos))
        } else {
            Drag::Window
        };
        ui.data_mut(|d| d.insert_temp(drag_id, drag));
    }
    let drag: Option<Drag> = ui.data(|d| d.get_temp(drag_id));
    if response.dragged_by(egui::PointerButton::Primary)
        && let (Some(drag), Some(pos)) = (drag, response.interact_pointer_pos())
    {
        let delta = response.drag_delta();
        match drag {
            Drag::Cursor => commands.push(MprCommand::SetCursor(to_patient(pos)).into()),
            Drag::Rotate => {
                let before = pos - delta - centre;
                let now = pos - centre;
                let angle = now.y.atan2(now.x) - before.y.atan2(before.x);
                if angle.abs() > 0.0 {
                    commands.push(
                        MprCommand::Rotate {
                            plane,
                            angle_rad: f64::from(angle),
                        }
                        .into(),
                    );
                }
            }
            Drag::Window if delta != Vec2::ZERO => {
                commands.push(MprCommand::SetWindow(dragged_window(&camera.window, delta)).into());
            }
            Drag::Window => {}
            Drag::Measure(from) => {
                painter.line_segment(
                    [to_screen(from), pos],
                    Stroke::new(1.5, Color32::LIGHT_BLUE),
                );
            }
        }
    }
    if response.drag_stopped()
        && let Some(drag) = drag
    {
        if let (Drag::Measure(from_mm), Some(pos)) = (drag, response.interact_pointer_pos()) {
            commands.push(
                MprCommand::Measure(MprMeasurement {
                    plane,
                    from_mm,
                    to_mm: to_patient(pos),
                })
                .into(),
            );
        }
        ui.data_mut(|d| d.remove::<Drag>(drag_id));
    }
    if response.clicked()
        && shift
        && let Some(pos) = response.interact_pointer_pos()
    {
        commands.push(MprCommand::SetCursor(to_patient(pos)).into());
    }
    if response.hovered() {
        let (scroll, ctrl) = ui.input(|i| (wheel_y(i), i.modifiers.ctrl));
        if scroll != 0.0 {
            commands.push(if ctrl {
                MprCommand::Zoom {
                    factor: if scroll > 0.0 { 1.1 } else { 1.0 / 1.1 },
                    view_points: size,
                }
                .into()
            } else {
                MprCommand::Step {
                    plane,
                    steps: if scroll > 0.0 { -1 } else { 1 },
                }
                .into()
            });
        }
    }
    commands
}

/// The window after a drag of `delta` points: right widens, down raises the centre
/// (as the 2-D viewer's window drag).
fn dragged_window(window: &Window, delta: Vec2) -> Window {
    let scale = (window.width.abs() / 200.0).max(0.5);
    Window {
        center: window.center + f64::from(delta.y) * scale,
        width: (window.width + f64::from(delta.x) * scale).max(1.0),
        function: window.function,
    }
}

/// Queues the GPU drawing of `plane`'s view.
fn paint_volume(
    ui: &egui::Ui,
    rect: Rect,
    mpr: &MprUi,
    camera: &MprCamera,
    plane: ViewPlane,
    frame: &ViewFrame,
) {
    let Some(volume) = &mpr.volume else {
        return;
    };
    let ppp = f64::from(ui.ctx().pixels_per_point());
    let origin = (rect.min.to_vec2() * ui.ctx().pixels_per_point()).round();
    let size_px = [
        f64::from(rect.width()) * ppp,
        f64::from(rect.height()) * ppp,
    ];
    let px_frame = ViewFrame {
        mm_per_px: frame.mm_per_px / ppp,
        ..*frame
    };
    let view = px_frame.reslice(
        &volume.grid,
        size_px,
        camera.slab_mm,
        camera.slab_mode,
        VoxelInterpolation::Trilinear,
    );
    let window = MprWindow {
        center: camera.window.center,
        width: camera.window.width,
        function: camera.window.function,
        invert: camera.invert,
    };
    let uniforms = MprUniforms::new(&view, 0.0, &window, [origin.x, origin.y]);
    ui.painter().add(egui_wgpu::Callback::new_paint_callback(
        rect,
        MprCallback {
            grid: volume.grid.clone(),
            generation: mpr.generation,
            view: index_of(plane),
            uniforms,
            error: mpr.upload_error.clone(),
        },
    ));
}

/// Draws the other views' planes as lines through the crosshair (dashed slab edges
/// beside them) with a rotation handle on each side; returns the handles.
fn reference_lines(
    painter: &egui::Painter,
    rect: Rect,
    camera: &MprCamera,
    plane: ViewPlane,
    frame: &ViewFrame,
    centre: Pos2,
) -> Vec<Pos2> {
    let n = frame.normal();
    let reach = rect.width().max(rect.height()) * 2.0;
    let handle = rect.width().min(rect.height()) * HANDLE_AT;
    let mut handles = Vec::new();
    for other in ViewPlane::ALL.into_iter().filter(|p| *p != plane) {
        let m = camera.normal(other);
        let d = cross(n, m);
        let dir = Vec2::new(dot(d, frame.right) as f32, dot(d, frame.down) as f32);
        if dir.length() < 1e-6 {
            continue;
        }
        let dir = dir.normalized();
        let stroke = Stroke::new(1.0, colour(other));
        painter.line_segment([centre - dir * reach, centre + dir * reach], stroke);
        if camera.slab_mm > 0.0 {
            // In this plane, the slab edge lies where (p − cursor)·m = ±half.
            let e = sub(m, n.map(|v| v * dot(m, n)));
            let e2 = dot(e, e);
            if e2 > 1e-9 {
                let half = camera.slab_mm / 2.0;
                let step = Vec2::new(dot(e, frame.right) as f32, dot(e, frame.down) as f32)
                    * (half / e2 / frame.mm_per_px) as f32;
                for side in [-1.0f32, 1.0] {
                    let c = centre + step * side;
                    painter.extend(Shape::dashed_line(
                        &[c - dir * reach, c + dir * reach],
                        Stroke::new(1.0, colour(other).gamma_multiply(0.6)),
                        6.0,
                        4.0,
                    ));
                }
            }
        }
        for side in [-1.0f32, 1.0] {
            let h = centre + dir * handle * side;
            painter.circle_stroke(h, 5.0, Stroke::new(1.5, colour(other)));
            handles.push(h);
        }
    }
    handles
}

/// A small open cross at the cursor.
fn crosshair(painter: &egui::Painter, centre: Pos2) {
    painter.circle_stroke(centre, 4.0, Stroke::new(1.0, Color32::WHITE));
}

/// The patient direction of a unit vector in letters as DICOM writes them (L/R, P/A,
/// H/F, as the 2-D overlay), strongest first.
pub fn direction_letters(v: [f64; 3]) -> String {
    let mut parts: Vec<(f64, char)> = vec![
        (v[0], if v[0] >= 0.0 { 'L' } else { 'R' }),
        (v[1], if v[1] >= 0.0 { 'P' } else { 'A' }),
        (v[2], if v[2] >= 0.0 { 'H' } else { 'F' }),
    ];
    parts.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    parts
        .iter()
        .filter(|(c, _)| c.abs() >= 0.3)
        .map(|(_, l)| *l)
        .collect()
}

/// The view's name, slab, orientation letters on its edges and a scale bar.
fn labels(
    painter: &egui::Painter,
    rect: Rect,
    frame: &ViewFrame,
    plane: ViewPlane,
    camera: &MprCamera,
    s: &Strings,
) {
    let font = FontId::proportional(13.0);
    let text = |pos: Pos2, align: Align2, t: &str, c: Color32| {
        painter.text(pos, align, t, font.clone(), c);
    };
    let mut title = s.get(plane_key(plane)).to_owned();
    if camera.slab_mm > 0.0 {
        title.push_str(&format!(
            "  {} {:.1} mm",
            s.get(slab_key(camera.slab_mode)),
            camera.slab_mm
        ));
    }
    text(
        rect.left_top() + Vec2::new(6.0, 4.0),
        Align2::LEFT_TOP,
        &title,
        colour(plane),
    );
    let neg = |v: [f64; 3]| v.map(|c| -c);
    let margin = 6.0;
    let letter_colour = Color32::from_rgb(230, 230, 160);
    text(
        rect.right_center() - Vec2::new(margin, 0.0),
        Align2::RIGHT_CENTER,
        &direction_letters(frame.right),
        letter_colour,
    );
    text(
        rect.left_center() + Vec2::new(margin, 0.0),
        Align2::LEFT_CENTER,
        &direction_letters(neg(frame.right)),
        letter_colour,
    );
    text(
        rect.center_top() + Vec2::new(0.0, margin + 14.0),
        Align2::CENTER_TOP,
        &direction_letters(neg(frame.down)),
        letter_colour,
    );
    text(
        rect.center_bottom() - Vec2::new(0.0, margin),
        Align2::CENTER_BOTTOM,
        &direction_letters(frame.down),
        letter_colour,
    );
    // Scale bar: the largest round length within a quarter of the width.
    let most = f64::from(rect.width()) * 0.25 * frame.mm_per_px;
    if let Some(mm) = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
        .into_iter()
        .rev()
        .find(|mm| *mm <= most)
    {
        let len = (mm / frame.mm_per_px) as f32;
        let y = rect.bottom() - 10.0;
        let x = rect.right() - 12.0 - len;
        let stroke = Stroke::new(2.0, Color32::WHITE);
        painter.line_segment([Pos2::new(x, y), Pos2::new(x + len, y)], stroke);
        text(
            Pos2::new(x + len / 2.0, y - 3.0),
            Align2::CENTER_BOTTOM,
            &format!("{mm} mm"),
            Color32::WHITE,
        );
    }
}

/// The i18n key of a view's name.
pub fn plane_key(plane: ViewPlane) -> &'static str {
    match plane {
        ViewPlane::Axial => "mpr.axial",
        ViewPlane::Coronal => "mpr.coronal",
        ViewPlane::Sagittal => "mpr.sagittal",
    }
}

/// The i18n key of a slab mode.
pub fn slab_key(mode: crate::mpr::plane::SlabMode) -> &'static str {
    match mode {
        crate::mpr::plane::SlabMode::Mip => "mpr.mip",
        crate::mpr::plane::SlabMode::Minip => "mpr.minip",
        crate::mpr::plane::SlabMode::Avg => "mpr.avg",
    }
}

/// The distances measured in this view whose ends lie on its current plane (within
/// half a millimetre), with their lengths.
fn measurements(
    painter: &egui::Painter,
    mpr: &MprUi,
    plane: ViewPlane,
    frame: &ViewFrame,
    to_screen: &dyn Fn([f64; 3]) -> Pos2,
) {
    let n = frame.normal();
    let on_plane = |p: [f64; 3]| dot(sub(p, frame.centre_mm), n).abs() <= 0.5;
    for m in mpr.measurements.iter().filter(|m| m.plane == plane) {
        if !(on_plane(m.from_mm) && on_plane(m.to_mm)) {
            continue;
        }
        let (a, b) = (to_screen(m.from_mm), to_screen(m.to_mm));
        painter.line_segment([a, b], Stroke::new(1.5, Color32::LIGHT_BLUE));
        painter.text(
            b + Vec2::new(6.0, 0.0),
            Align2::LEFT_CENTER,
            format!("{:.1} mm", m.length_mm()),
            FontId::proportional(13.0),
            Color32::LIGHT_BLUE,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_name_the_patient_directions() {
        assert_eq!(direction_letters([1.0, 0.0, 0.0]), "L");
        assert_eq!(direction_letters([0.0, 0.0, -1.0]), "F");
        assert_eq!(direction_letters([0.0, -1.0, 0.0]), "A");
        // 30° oblique in the axial plane: mostly left, some posterior.
        let a = 30f64.to_radians();
        assert_eq!(direction_letters([a.cos(), a.sin(), 0.0]), "LP");
    }
}
