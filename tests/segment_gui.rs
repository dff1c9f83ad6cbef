//! The click-to-segment tool as a reader uses it: Shift+G, a click inside the chest
//! CT's nodule, and the outline arrives as one shape marked `region-grow` (one undo
//! step); with 3-D ticked, the neighbouring slices get theirs too. Fill between
//! slices (Shift+I) interpolates the frames between two drawn rectangles, and moving
//! one of them offers to redo the fill.
#![cfg(feature = "gui")]

mod common;

use common::gui::{click_image, has_label, wait_for};
use egui::accesskit::Role;
use egui::{Event, Key, Modifiers, PointerButton};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use lightbox::gui::LightboxApp;
use lightbox::gui::annotate_tool::ShapeSelection;
use lightbox::gui::command::{Command, SeriesRef};

/// The shapes grown by the tool.
fn grown(h: &Harness<'static, LightboxApp>) -> Vec<lightbox::annotate::Shape> {
    h.state()
        .annotations()
        .map(|a| {
            a.iter()
                .filter(|s| s.source.as_deref() == Some("region-grow"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_click_in_the_nodule_outlines_it() {
    // The nodule's slice (IM0014 of the chest series), as the Dataset tab shows one.
    let (mut h, _nodule, _dirs) = common::gui::on_the_nodule();
    let example = common::example_annotations();
    let nodule_sop = example["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|s| s["kind"] == "ellipse" && s["file_name"] == "IM0014.dcm")
        .and_then(|s| s["sop_uid"].as_str())
        .expect("the nodule")
        .to_owned();

    h.key_press_modifiers(Modifiers::SHIFT, Key::G);
    h.run_steps(2);
    assert!(
        h.query_by_role_and_label(Role::CheckBox, "3-D").is_some(),
        "the tool's options show"
    );
    click_image(&mut h, [78.0, 121.0]);
    wait_for(&mut h, "the outline", |h| !grown(h).is_empty());
    let shapes = grown(&h);
    assert_eq!(shapes.len(), 1);
    assert_eq!(shapes[0].image.sop_uid, nodule_sop);
    assert_eq!(shapes[0].label, "nodule");
    wait_for(&mut h, "the report", |h| {
        has_label(h, "Made 1 shape(s) on frame(s) 14")
    });

    // One undo step takes it away.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(grown(&h).is_empty());

    // Shift-drag 100 points to the right doubles the last window around its centre,
    // and grows from where the drag began on release.
    assert_eq!(h.state().segment_window(), None, "the window was automatic");
    let start = h.state().screen_pos_of([78.0, 121.0]).expect("drawn");
    let shift = Modifiers::SHIFT;
    h.event(Event::ModifiersChanged(shift));
    h.event(Event::PointerMoved(start));
    h.event(Event::PointerButton {
        pos: start,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: shift,
    });
    h.step();
    for dx in [20.0, 60.0, 100.0] {
        h.event(Event::PointerMoved(start + egui::vec2(dx, 0.0)));
        h.step();
    }
    h.event(Event::PointerButton {
        pos: start + egui::vec2(100.0, 0.0),
        button: PointerButton::Primary,
        pressed: false,
        modifiers: shift,
    });
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    h.step();
    let [lo, hi] = h.state().segment_window().expect("a typed window now");
    // The automatic window of the first click was -13 to 57 (see the report above).
    assert!((hi - lo - 2.0 * 69.4).abs() < 2.0, "{lo} {hi}");
    wait_for(&mut h, "the wider outline", |h| !grown(h).is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        Command::SetSegmentOptions {
            three_d: false,
            window: None,
        },
    );

    // 3-D: the slices around it too.
    h.get_by_role_and_label(Role::CheckBox, "3-D").click();
    h.run_steps(2);
    click_image(&mut h, [78.0, 121.0]);
    wait_for(&mut h, "the 3-D outlines", |h| grown(h).len() >= 2);
    let frames: std::collections::BTreeSet<String> =
        grown(&h).iter().map(|s| s.image.sop_uid.clone()).collect();
    assert!(frames.len() >= 2, "{frames:?}");
}

#[test]
fn fill_between_slices_interpolates_the_frames_between_outlines() {
    let (mut h, root, _dirs) = common::gui::sample_app();
    wait_for(&mut h, "the review to open", |h| {
        has_label(h, "0 kept, 0 dropped, 159 undecided")
    });
    let index = lightbox::index::Index::open(&root, &Default::default(), &|_| {}).expect("scan");
    let series = index
        .series()
        .find(|s| s.series_uid == "2.25.58992966161156072126607366601187380746")
        .expect("the chest series")
        .clone();
    let ctx = h.ctx.clone();
    let show = |k: usize| Command::ShowImage {
        series: SeriesRef {
            study_uid: series.instances[k].study_uid.clone(),
            series_uid: series.series_uid.clone(),
        },
        sop_uid: series.instances[k].sop_uid.clone(),
        frame: 1,
    };
    h.state_mut().apply(&ctx, show(9));
    h.state_mut()
        .apply(&ctx, Command::SetDrawLabel("nodule".into()));
    wait_for(&mut h, "frame 10 drawn", |h| {
        has_label(h, "Slice 10/32") && h.state().screen_pos_of([0.0, 0.0]).is_some()
    });
    h.get_by_label("Annotations").click();
    h.run_steps(2);
    // Rectangles on frames 10 and 16, drawn with the tool (B with Shift: a drag).
    let drag = |h: &mut Harness<'static, LightboxApp>, from: [f64; 2], to: [f64; 2]| {
        let (a, b) = (
            h.state().screen_pos_of(from).expect("drawn"),
            h.state().screen_pos_of(to).expect("drawn"),
        );
        h.event(Event::PointerMoved(a));
        h.event(Event::PointerButton {
            pos: a,
            button: PointerButton::Primary,
            pressed: true,
            modifiers: Modifiers::NONE,
        });
        h.step();
        for t in [0.3, 0.6, 1.0] {
            h.event(Event::PointerMoved(a + (b - a) * t));
            h.step();
        }
        h.event(Event::PointerButton {
            pos: b,
            button: PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::NONE,
        });
        h.step();
    };
    h.key_press_modifiers(Modifiers::SHIFT, Key::B);
    h.run_steps(1);
    drag(&mut h, [100.0, 100.0], [130.0, 120.0]);
    h.state_mut().apply(&ctx, show(15));
    wait_for(&mut h, "frame 16 drawn", |h| {
        has_label(h, "Slice 16/32") && h.state().screen_pos_of([0.0, 0.0]).is_some()
    });
    drag(&mut h, [100.0, 100.0], [130.0, 120.0]);
    let hand = h.state().annotations().map_or(0, |a| a.len());
    assert_eq!(hand, 2, "two rectangles drawn");

    h.key_press_modifiers(Modifiers::SHIFT, Key::I);
    wait_for(&mut h, "the fill", |h| {
        has_label(h, "Filled 5 shape(s) on frame(s) 11, 12, 13, 14, 15")
    });
    let interpolated = h.state().annotations().map_or(0, |a| {
        a.iter()
            .filter(|s| s.source.as_deref() == Some("interpolated"))
            .count()
    });
    assert_eq!(interpolated, 5);
    // Selected, an interpolated outline shows its lesion: the 7 slices from 10 to 16.
    let id = h
        .state()
        .annotations()
        .and_then(|a| {
            a.iter()
                .find(|s| s.source.as_deref() == Some("interpolated"))
                .map(|s| s.id.clone())
        })
        .expect("an interpolated shape");
    h.state_mut().apply(
        &ctx,
        Command::SelectShape(Some(ShapeSelection { id, vertex: None })),
    );
    wait_for(&mut h, "the lesion", |h| {
        has_label(h, "Lesion: 7 slice(s), ")
    });
    // Moving a key frame's rectangle offers to redo the fill, which then replaces it.
    assert!(!has_label(&h, "Redo the fill"), "no offer before an edit");
    let key_frame = h
        .state()
        .annotations()
        .and_then(|a| a.iter().find(|s| s.source.is_none()).cloned())
        .expect("a key frame");
    let moved = lightbox::annotate::Shape {
        points: key_frame
            .points
            .iter()
            .map(|p| [p[0] + 6.0, p[1]])
            .collect(),
        ..key_frame.clone()
    };
    h.state_mut().apply(
        &ctx,
        Command::ChangeShapes {
            label: "move shape".into(),
            changes: vec![(moved.id.clone(), Some(moved))],
        },
    );
    h.run_steps(2);
    assert!(has_label(
        &h,
        "A key frame of the “nodule” fill between slices changed."
    ));
    let before: Vec<String> = h.state().annotations().map_or(Vec::new(), |a| {
        a.iter()
            .filter(|s| s.source.as_deref() == Some("interpolated"))
            .map(|s| format!("{:?}", s.points))
            .collect()
    });
    h.get_by_label("Redo the fill").click();
    wait_for(&mut h, "the fill redone", |h| {
        !has_label(h, "Redo the fill")
            && h.state().annotations().is_some_and(|a| {
                let now: Vec<String> = a
                    .iter()
                    .filter(|s| s.source.as_deref() == Some("interpolated"))
                    .map(|s| format!("{:?}", s.points))
                    .collect();
                now.len() == 5 && now != before
            })
    });
    // Undo the refill and the move: the first fill again.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    // One undo step takes the fill away.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().annotations().map_or(0, |a| a.len()), 2);
}
