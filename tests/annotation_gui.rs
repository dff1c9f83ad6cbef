//! Annotating in the viewer as an annotator would: draw a polygon vertex by vertex,
//! close it with Enter, relabel it with a number key, drag a vertex (one undo step),
//! undo and redo, copy it to the next slice, delete it; every step is checked in the
//! project's stored shapes.
#![cfg(feature = "gui")]

mod common;

use common::gui::{has_label, scroll_and_click, wait_for};
use egui::accesskit::Role;
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

    // The panel on the selected shape: pick the copy from the frame's list.
    h.get_by_label_contains("ground-glass · polygon").click();
    wait_for(&mut h, "the copy selected", |h| {
        has_label(h, "Distance (mm)")
    });
    let copy = |h: &Harness<'static, LightboxApp>| {
        let sop = h.state().current_sop().expect("an image shown");
        h.state()
            .annotations()
            .and_then(|a| a.iter().find(|s| s.image.sop_uid == sop).cloned())
            .expect("the copy on this slice")
    };
    // A note is stored when the field loses focus.
    let note = beside(&h, "Note", Role::MultilineTextInput);
    click(&mut h, note);
    h.event(Event::Text("irregular margin".into()));
    h.run_steps(2);
    assert_eq!(copy(&h).note, "", "not stored while typing");
    h.key_press(Key::Tab);
    wait_for(&mut h, "the note stored", |h| {
        copy(h).note == "irregular margin"
    });
    // Grow by the distance typed (3 mm over 1.40 mm pixels: 2.14 pixels a side).
    let before = copy(&h).points;
    let distance = beside(&h, "Distance (mm)", Role::SpinButton);
    click(&mut h, distance);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.event(Event::Text("3".into()));
    h.key_press(Key::Enter);
    h.run_steps(2);
    h.get_by_label("Grow").click();
    wait_for(&mut h, "the shape grown", |h| copy(h).points != before);
    let min_x = |p: &[[f64; 2]]| p.iter().map(|v| v[0]).fold(f64::INFINITY, f64::min);
    let grown = min_x(&before) - min_x(&copy(&h).points);
    assert!((grown - 3.0 / 1.4).abs() < 0.05, "grew by {grown} px");

    // Edit labels…: add a label and save the set.
    h.get_by_label("Edit labels…").click();
    wait_for(&mut h, "the label editor", |h| has_label(h, "Add label"));
    let labels = h.state().labels().map_or(0, |l| l.labels.len());
    h.get_by_label("Add label").click();
    h.run_steps(2);
    h.get_by_label("Save label set").click();
    wait_for(&mut h, "the label set saved", |h| {
        h.state().labels().map_or(0, |l| l.labels.len()) == labels + 1
    });
    wait_for(&mut h, "the editor to close", |h| {
        !has_label(h, "Add label")
    });
}

/// The centre of the widget of `role` on the row of the label `label`.
fn beside(h: &Harness<'static, LightboxApp>, label: &str, role: Role) -> Pos2 {
    let row = h.get_by_label(label).rect();
    h.query_all_by_role(role)
        .find(|n| (row.min.y - 4.0..=row.max.y + 4.0).contains(&n.rect().center().y))
        .map(|n| n.rect().center())
        .unwrap_or_else(|| panic!("no {role:?} beside {label}"))
}
