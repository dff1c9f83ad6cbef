//! The MPR mode in the viewer (kittest on the real app and its GPU views): Ctrl+M on
//! the chest CT builds the volume and shows three views; Shift+click moves the 3-D
//! cursor to the point under the pointer; the wheel steps a plane by one voxel; a
//! handle drag turns the other planes (oblique); a slab and Ctrl+M again.
#![cfg(feature = "gui")]

use egui::{Key, Modifiers, Pos2};

mod common;
use common::gui::{has_label, on_the_nodule, wait_for};

use lightbox::gui::command::Command;
use lightbox::gui::mpr_ui::MprCommand;
use lightbox::mpr::grid::dot;
use lightbox::mpr::plane::SlabMode;

/// The MPR camera and grid now (copies, so the harness can go on).
fn mpr(
    h: &egui_kittest::Harness<'static, lightbox::gui::LightboxApp>,
) -> (
    lightbox::gui::mpr_ui::MprCamera,
    lightbox::mpr::grid::VoxelGrid,
) {
    let (camera, grid) = h.state().mpr_view().expect("mpr");
    (camera.clone(), grid.clone())
}

fn close(a: [f64; 3], b: [f64; 3], tol: f64) -> bool {
    (0..3).all(|k| (a[k] - b[k]).abs() <= tol)
}

#[test]
fn mpr_views_follow_the_crosshair_wheel_and_handles() {
    let (mut h, _ring, _dirs) = on_the_nodule();
    // A nodule outlined by click-to-segment on slice 14, before MPR.
    h.key_press_modifiers(Modifiers::SHIFT, Key::G);
    h.run_steps(2);
    common::gui::click_image(&mut h, [78.0, 121.0]);
    wait_for(&mut h, "the outline", |h| {
        h.state()
            .annotations()
            .is_some_and(|a| a.iter().count() == 1)
    });
    let nodule = h
        .state()
        .annotations()
        .and_then(|a| a.iter().next().cloned())
        .expect("the nodule");
    h.key_press_modifiers(Modifiers::CTRL, Key::M);
    wait_for(&mut h, "the volume built", |h| {
        h.state().mpr_view().is_some()
    });
    h.step();
    assert!(has_label(&h, "Reset views"), "the MPR tool bar");
    let (camera, grid) = mpr(&h);
    assert!(
        close(camera.cursor_mm, grid.centre_mm(), 1e-9),
        "starts at the centre"
    );
    assert_eq!(grid.dims, [256, 256, 32]);

    // The views split the central area in three; the axial view is the left one.
    // Find it from the snapshot: the first view's rect is the left third of the area.
    let image = h.render().expect("render");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    image
        .save(dir.join("mpr_gui.png"))
        .expect("save the render");
    // Grey pixels (the volume) in each third of the central area's middle row.
    let y = image.height() / 2;
    let thirds: Vec<usize> = (0..3)
        .map(|k| {
            // The central area runs from about x 330 to 1035 in this 1400-point window.
            let x0 = 340 + k * 235;
            (x0..x0 + 215)
                .filter(|&x| {
                    let p = image.get_pixel(x as u32, y);
                    p[0] == p[1] && p[1] == p[2] && p[0] > 40
                })
                .count()
        })
        .collect();
    assert!(
        thirds.iter().all(|&n| n > 30),
        "grey in every view: {thirds:?}"
    );

    // Shift+click in the axial view: the cursor moves in x and y, not along z.
    let before = camera.cursor_mm;
    let click = Pos2::new(420.0, 420.0);
    common::gui::shift_click(&mut h, click);
    let (camera, grid) = mpr(&h);
    let moved = camera.cursor_mm;
    assert!((moved[2] - before[2]).abs() < 1e-9, "z kept: {moved:?}");
    assert!(!close(moved, before, 1.0), "moved: {before:?} → {moved:?}");

    // The wheel over the coronal view steps the coronal plane (+y) by one row, 1.4 mm.
    let coronal = Pos2::new(680.0, 450.0);
    h.event(egui::Event::PointerMoved(coronal));
    h.step();
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, -1.0),
        modifiers: Modifiers::NONE,
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
    });
    h.step();
    h.step();
    let (camera, _) = mpr(&h);
    let step = [
        camera.cursor_mm[0] - moved[0],
        camera.cursor_mm[1] - moved[1],
        camera.cursor_mm[2] - moved[2],
    ];
    assert!(
        close(step, [0.0, grid.spacing_mm[1], 0.0], 1e-6),
        "one row along +y: {step:?}"
    );

    // The distance tool measures in the axial view: a 100-point drag to the right is a
    // distance along +x (the patient's left) in the axial plane, in mm.
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        Command::SetTool(lightbox::gui::measure_tool::Tool::Distance),
    );
    h.step();
    let start = Pos2::new(380.0, 300.0);
    h.event(egui::Event::PointerMoved(start));
    h.step();
    h.event(egui::Event::PointerButton {
        pos: start,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.step();
    for dx in [25.0, 50.0, 75.0, 100.0] {
        h.event(egui::Event::PointerMoved(start + egui::vec2(dx, 0.0)));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: start + egui::vec2(100.0, 0.0),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.step();
    let m = *h.state().mpr_measurements().first().expect("a distance");
    let (camera, grid) = mpr(&h);
    let d = [
        m.to_mm[0] - m.from_mm[0],
        m.to_mm[1] - m.from_mm[1],
        m.to_mm[2] - m.from_mm[2],
    ];
    assert!(
        d[0] > 0.0 && d[1].abs() < 1e-9 && d[2].abs() < 1e-9,
        "{d:?}"
    );
    assert!(
        (m.from_mm[2] - camera.cursor_mm[2]).abs() < 1e-9,
        "on the axial plane"
    );
    // The view fits the volume's largest extent (256 × 1.4 mm) in its shorter side.
    let extent = 256.0 * grid.spacing_mm[0];
    assert!(
        m.length_mm() > 100.0 * extent / 800.0,
        "{} mm",
        m.length_mm()
    );
    h.state_mut().apply(
        &ctx,
        Command::SetTool(lightbox::gui::measure_tool::Tool::WindowLevel),
    );

    // Turning the axial view's lines by 30° tilts the coronal and sagittal planes about
    // the axial normal (z), and leaves the axial plane as it was.
    h.state_mut().apply(
        &ctx,
        Command::Mpr(MprCommand::Rotate {
            plane: lightbox::mpr::reslice::ViewPlane::Axial,
            angle_rad: 30f64.to_radians(),
        }),
    );
    h.step();
    let (camera, _) = mpr(&h);
    use lightbox::mpr::reslice::ViewPlane as P;
    assert!(close(camera.normal(P::Axial), [0.0, 0.0, 1.0], 1e-12));
    let n = camera.normal(P::Coronal);
    assert!(
        (n[2]).abs() < 1e-12 && (dot(n, [0.0, 1.0, 0.0]) - 30f64.to_radians().cos()).abs() < 1e-12,
        "{n:?}"
    );
    h.state_mut().apply(
        &ctx,
        Command::Mpr(MprCommand::SetSlab {
            thickness_mm: 20.0,
            mode: SlabMode::Mip,
        }),
    );
    h.step();
    let image = h.render().expect("render");
    image
        .save(dir.join("mpr_gui_oblique_mip.png"))
        .expect("save the render");

    // Selecting the shape puts the crosshair on it: its slice's plane (slice 14, index
    // 13), at the nodule; then each view shows where the outline cuts its plane.
    h.state_mut().apply(
        &ctx,
        Command::Mpr(MprCommand::SetSlab {
            thickness_mm: 0.0,
            mode: SlabMode::Mip,
        }),
    );
    h.state_mut().apply(&ctx, Command::Mpr(MprCommand::Reset));
    h.state_mut().apply(
        &ctx,
        Command::SelectShape(Some(lightbox::gui::annotate_tool::ShapeSelection {
            id: nodule.id.clone(),
            vertex: None,
        })),
    );
    h.step();
    let (camera, grid) = mpr(&h);
    let at = grid.voxel_of(camera.cursor_mm);
    assert!((at[2] - 13.0).abs() < 1e-6, "on the nodule's slice: {at:?}");
    assert!(
        (at[0] - 78.0).abs() < 4.0 && (at[1] - 121.0).abs() < 4.0,
        "at the nodule: {at:?}"
    );
    h.step();
    let image = h.render().expect("render");
    image
        .save(dir.join("mpr_gui_nodule.png"))
        .expect("save the render");
    let nodule_red = image
        .pixels()
        .filter(|p| p[0] == 230 && p[1] == 25 && p[2] == 75)
        .count();
    assert!(
        nodule_red > 20,
        "the outline's cuts drawn: {nodule_red} pixels"
    );

    h.key_press_modifiers(Modifiers::CTRL, Key::M);
    h.step();
    assert!(h.state().mpr_view().is_none(), "Ctrl+M again turns MPR off");
}
