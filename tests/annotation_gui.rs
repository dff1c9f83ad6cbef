//! Annotating in the viewer as an annotator would: draw a polygon vertex by vertex,
//! close it with Enter, relabel it with a number key, drag a vertex (one undo step),
//! undo and redo, copy it to the next slice, delete it; every step is checked in the
//! project's stored shapes.
#![cfg(feature = "gui")]

mod common;

use common::gui::{has_label, scroll_and_click, wait_for};
use egui::{Event, Key, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use lightbox::annotate::Shape;
use lightbox::gui::LightboxApp;

/// The only shape of the project (panics unless there is exactly one).
fn only_shape(h: &Harness<'static, LightboxApp>) -> Shape {
    let shapes: Vec<Shape> = h
        .state()
        .annotations()
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default();
    assert_eq!(shapes.len(), 1, "{shapes:?}");
    shapes.into_iter().next().expect("one shape")
}

fn shape_count(h: &Harness<'static, LightboxApp>) -> usize {
    h.state().annotations().map_or(0, |a| a.len())
}

/// Where image point `p` is on screen.
fn at(h: &Harness<'static, LightboxApp>, p: [f64; 2]) -> Pos2 {
    h.state().screen_pos_of(p).expect("the image is drawn")
}

fn pointer(h: &mut Harness<'static, LightboxApp>, pos: Pos2, pressed: Option<bool>) {
    h.event(Event::PointerMoved(pos));
    if let Some(pressed) = pressed {
        h.event(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.step();
}

fn click(h: &mut Harness<'static, LightboxApp>, pos: Pos2) {
    pointer(h, pos, Some(true));
    pointer(h, pos, Some(false));
    // Far apart in time from the next click, so two clicks are not a double click.
    std::thread::sleep(std::time::Duration::from_millis(400));
}

#[test]
fn draw_edit_undo_propagate_and_delete_a_polygon() {
    let (mut h, _root, _dirs) = common::gui::sample_app();
    wait_for(&mut h, "the review to open", |h| {
        has_label(h, "0 kept, 0 dropped, 159 undecided")
    });
    scroll_and_click(&mut h, "CHEST 5mm BONE");
    wait_for(&mut h, "the bone series", |h| has_label(h, "Slice 1/16"));
    wait_for(&mut h, "the first slice drawn", |h| {
        h.state().screen_pos_of([0.0, 0.0]).is_some()
    });
    h.get_by_label("Annotations").click();
    h.run_steps(2);

    // Q: polygon tool. Four clicks on the image, Enter closes.
    h.key_press(Key::Q);
    h.run_steps(1);
    let square = [
        [100.25, 100.25],
        [160.25, 100.25],
        [160.25, 150.25],
        [100.25, 150.25],
    ];
    for p in square {
        let pos = at(&h, p);
        click(&mut h, pos);
    }
    h.key_press(Key::Enter);
    wait_for(&mut h, "the polygon stored", |h| shape_count(h) == 1);
    let drawn = only_shape(&h);
    assert_eq!(drawn.label, "nodule", "the first label is the default");
    assert_eq!(drawn.image.frame, 1);
    assert_eq!(drawn.points.len(), 4);
    for (got, want) in drawn.points.iter().zip(square) {
        // Screen points are f32: within a hundredth of a pixel.
        assert!(
            (got[0] - want[0]).abs() < 0.01 && (got[1] - want[1]).abs() < 0.01,
            "{got:?} vs {want:?}"
        );
    }
    wait_for(&mut h, "the panel", |h| {
        has_label(h, "1 shapes on this image, 1 in the series")
    });

    // S: edit tool. Key 3 relabels the selected shape.
    h.key_press(Key::S);
    h.run_steps(1);
    h.key_press(Key::Num3);
    wait_for(&mut h, "the relabel", |h| {
        only_shape(h).label == "ground-glass"
    });

    // Drag vertex 2 by (+20, +10) px in several moves: one command.
    let from = at(&h, square[2]);
    let to = at(&h, [180.25, 160.25]);
    pointer(&mut h, from, Some(true));
    for k in 1..=5 {
        let t = k as f32 / 5.0;
        pointer(&mut h, from + (to - from) * t, None);
    }
    pointer(&mut h, to, Some(false));
    wait_for(&mut h, "the vertex moved", |h| {
        let v = only_shape(h).points[2];
        (v[0] - 180.25).abs() < 0.01 && (v[1] - 160.25).abs() < 0.01
    });
    // One Ctrl+Z undoes the whole drag, Ctrl+Y redoes it.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    wait_for(&mut h, "the drag undone", |h| {
        let v = only_shape(h).points[2];
        (v[0] - 160.25).abs() < 0.01 && (v[1] - 150.25).abs() < 0.01
    });
    assert_eq!(
        only_shape(&h).label,
        "ground-glass",
        "the relabel is a step of its own"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    wait_for(&mut h, "the drag redone", |h| {
        (only_shape(h).points[2][0] - 180.25).abs() < 0.01
    });

    // Ctrl+Shift+↓ copies the shape to the next slice and goes there.
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::ArrowDown);
    wait_for(&mut h, "the copy on slice 2", |h| {
        shape_count(h) == 2 && has_label(h, "Slice 2/16")
    });
    let shapes: Vec<Shape> = h
        .state()
        .annotations()
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default();
    assert_ne!(shapes[0].image.sop_uid, shapes[1].image.sop_uid);
    assert_eq!(shapes[0].points, shapes[1].points);

    // Delete removes the selected copy; Ctrl+Z brings it back.
    h.key_press(Key::Delete);
    wait_for(&mut h, "the copy deleted", |h| shape_count(h) == 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    wait_for(&mut h, "the copy restored", |h| shape_count(h) == 2);
}
