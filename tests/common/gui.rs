//! Helpers of the egui_kittest tests: the app on a release, waiting, label queries.

use std::path::PathBuf;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use lightbox::gui::LightboxApp;

/// The app on a release, in a 1400×900 window.
fn harness(sample: PathBuf) -> Harness<'static, LightboxApp> {
    Harness::builder()
        .with_size([1400.0, 900.0])
        .wgpu()
        .build_eframe(move |cc| LightboxApp::new(cc, Some(sample), None))
}

/// The app on a fresh copy of the sample release, with its own XDG runtime folder
/// (lavapipe warns without one). Keep the returned folders alive for the test.
pub fn sample_app() -> (
    Harness<'static, LightboxApp>,
    PathBuf,
    [tempfile::TempDir; 2],
) {
    let runtime = tempfile::Builder::new()
        .prefix("xdg")
        .tempdir()
        .expect("runtime dir");
    // SAFETY: set before any thread of the test reads the environment (each test
    // binary holds one test).
    unsafe { std::env::set_var("XDG_RUNTIME_DIR", runtime.path()) };
    let (dir, root) = super::sample_copy();
    let mut h = harness(root.clone());
    // Hanging protocols (on by default) would re-lay out every study a test opens;
    // tests/hanging_gui.rs turns them back on.
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        lightbox::gui::command::Command::SetApplyHanging(false),
    );
    // The review and the claims load on worker threads; the claims add a summary line
    // under each series, which moves the browser's rows. A click before that lands on
    // the wrong row (seen under load), so every test starts once both are in.
    wait_for(&mut h, "the review and the claims to load", |h| {
        has_label(h, "0 kept, 0 dropped, 159 undecided") && has_label(h, "CT · chest · R91.1")
    });
    (h, root, [runtime, dir])
}

/// Steps the UI until `done` holds (scanning and decoding run on other threads).
pub fn wait_for(
    h: &mut Harness<'static, LightboxApp>,
    what: &str,
    done: impl Fn(&Harness<'static, LightboxApp>) -> bool,
) {
    for _ in 0..500 {
        h.step();
        if done(h) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let labels: Vec<String> = h
        .root()
        .query_all_by(|_| true)
        .filter_map(|n| n.accesskit_node().label().or_else(|| n.value()))
        .take(400)
        .collect();
    panic!("timed out waiting for {what}; labels now: {labels:?}");
}

/// True when some widget shows `text`: a button's label or a text label's value
/// (egui gives plain labels the AccessKit role Label with the text as value).
pub fn has_label(h: &Harness<'static, LightboxApp>, text: &str) -> bool {
    h.root().query_all_by(|_| true).any(|n| {
        n.accesskit_node().label().is_some_and(|l| l.contains(text))
            || n.value().is_some_and(|v| v.contains(text))
    })
}

/// Scrolls the widget labelled `label` to the middle of its scroll area (AccessKit
/// scroll-into-view: centred, not animated) and waits until it holds still.
pub fn scroll_into_view(h: &mut Harness<'static, LightboxApp>, label: &str) {
    h.get_by_label_contains(label).scroll_to_me();
    // Wait until the widget stops moving, so a click (and the pointer drawn in
    // snapshots) lands on the same spot every run.
    let mut last = None;
    let mut still = 0;
    for _ in 0..300 {
        h.step();
        let rect = h.get_by_label_contains(label).rect();
        still = if last == Some(rect) { still + 1 } else { 0 };
        if still >= 10 {
            break;
        }
        last = Some(rect);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Scrolls the browser to the widget labelled `label` and clicks it.
pub fn scroll_and_click(h: &mut Harness<'static, LightboxApp>, label: &str) {
    scroll_into_view(h, label);
    h.get_by_label_contains(label).click();
}

/// Clicks at `pos` (a text field, a number field) and types `text` there.
pub fn type_at(h: &mut Harness<'static, LightboxApp>, pos: egui::Pos2, text: &str) {
    h.hover_at(pos);
    h.drag_at(pos);
    h.drop_at(pos);
    h.run_steps(2);
    h.event(egui::Event::Text(text.to_owned()));
}

/// A click at image point `p` of the active viewport.
pub fn click_image(h: &mut Harness<'static, LightboxApp>, p: [f64; 2]) {
    let pos = h.state().screen_pos_of(p).expect("the image is drawn");
    for pressed in [true, false] {
        h.event(egui::Event::PointerMoved(pos));
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
}

/// A drag with the primary button through image points `path` of the active viewport,
/// `modifiers` held (e.g. Shift) from press to release.
pub fn drag_image(
    h: &mut Harness<'static, LightboxApp>,
    path: &[[f64; 2]],
    modifiers: egui::Modifiers,
) {
    let screen: Vec<egui::Pos2> = path
        .iter()
        .map(|p| h.state().screen_pos_of(*p).expect("the image is drawn"))
        .collect();
    let (Some(first), Some(last)) = (screen.first().copied(), screen.last().copied()) else {
        return;
    };
    h.event(egui::Event::ModifiersChanged(modifiers));
    h.event(egui::Event::PointerMoved(first));
    h.event(egui::Event::PointerButton {
        pos: first,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers,
    });
    h.step();
    for p in &screen[1..] {
        h.event(egui::Event::PointerMoved(*p));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: last,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers,
    });
    h.step();
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    h.step();
}

/// The app on the nodule's slice (IM0014 of the chest series) with the Annotations tab
/// open and "nodule" for new shapes; and the nodule's outline from the example file
/// (an ellipse drawn by hand, the truth here).
pub fn on_the_nodule() -> (
    Harness<'static, LightboxApp>,
    Vec<[f64; 2]>,
    [tempfile::TempDir; 2],
) {
    let (mut h, _root, dirs) = sample_app();
    let example: serde_json::Value = super::example_annotations();
    let nodule = example["shapes"]
        .as_array()
        .expect("shapes")
        .iter()
        .find(|s| s["kind"] == "ellipse" && s["file_name"] == "IM0014.dcm")
        .expect("the nodule")
        .clone();
    let text = |key: &str| nodule[key].as_str().expect(key).to_owned();
    let ring: Vec<[f64; 2]> = serde_json::from_value(nodule["points"].clone()).expect("points");
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        lightbox::gui::command::Command::ShowImage {
            series: lightbox::gui::command::SeriesRef {
                study_uid: text("study_uid"),
                series_uid: text("series_uid"),
            },
            sop_uid: text("sop_uid"),
            frame: 1,
        },
    );
    h.state_mut().apply(
        &ctx,
        lightbox::gui::command::Command::SetDrawLabel("nodule".into()),
    );
    wait_for(&mut h, "the nodule's slice drawn", |h| {
        has_label(h, "Slice 14/32") && h.state().screen_pos_of([0.0, 0.0]).is_some()
    });
    h.get_by_label("Annotations").click();
    h.run_steps(2);
    (h, ring, dirs)
}

/// A Shift+click at screen point `pos` (Shift held around the press and release).
pub fn shift_click(h: &mut Harness<'static, LightboxApp>, pos: egui::Pos2) {
    let shift = egui::Modifiers::SHIFT;
    h.event(egui::Event::ModifiersChanged(shift));
    h.event(egui::Event::PointerMoved(pos));
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: shift,
        });
        h.step();
    }
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
    h.step();
}
