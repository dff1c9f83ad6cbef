//! The viewer driven like a user would, with egui_kittest on the wgpu renderer
//! (a software Vulkan adapter in CI): open the sample release, pick a series,
//! scroll, apply a preset by key, switch language; assertions on what is shown
//! (AccessKit labels) and a snapshot of the window.
#![cfg(feature = "gui")]

mod common;

use common::gui::{has_label, scroll_and_click, scroll_into_view, wait_for};
use egui::Key;
use egui_kittest::kittest::Queryable;

#[test]
fn read_a_ct_series_like_a_radiologist() {
    let (mut h, _sample, _dirs) = common::gui::sample_app();
    wait_for(&mut h, "the sample release to be scanned", |h| {
        has_label(h, "CHEST 5mm BONE")
    });
    scroll_and_click(&mut h, "CHEST 5mm BONE");
    wait_for(&mut h, "the first image", |h| {
        has_label(h, "Slice 1/16") && has_label(h, "W 1800 L 400")
    });
    h.key_press(Key::ArrowDown);
    h.key_press(Key::ArrowDown);
    wait_for(&mut h, "scrolling two images", |h| {
        has_label(h, "Slice 3/16")
    });
    // Preset 1 of CT is the lung window.
    h.key_press(Key::Num1);
    wait_for(&mut h, "the lung preset", |h| has_label(h, "W 1500 L -600"));
    wait_for(&mut h, "the browser thumbnails", |h| {
        h.state().thumbnails_pending() == 0
    });
    // The claims load on a worker thread; their summary lines are in the snapshot.
    wait_for(&mut h, "the claims summaries", |h| has_label(h, "R91.1"));
    // Prefetch goes on in the background and the status bar counts cached frames:
    // wait until the count holds still. The pointer goes to a fixed spot (the browser's
    // scroll position after the click is not the same every run).
    let mut last = usize::MAX;
    let mut still = 0;
    while still < 20 {
        h.step();
        let n = h.state().cached_frames();
        still = if n == last { still + 1 } else { 0 };
        last = n;
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // The click's own scroll (selecting scrolls the browser to the row, as little as
    // it can) may land the row anywhere: centre it again, the same way every run.
    scroll_into_view(&mut h, "CHEST 5mm BONE — 16 images");
    h.hover_at(egui::pos2(700.0, 880.0));
    h.run_steps(3);
    h.snapshot("viewer_ct_lung");
    // Distance tool: drag 100 points to the right across the image.
    h.key_press(Key::M);
    h.run_steps(1);
    let centre = egui::pos2(680.0, 450.0);
    h.hover_at(centre);
    h.run_steps(1);
    h.drag_at(centre);
    h.run_steps(1);
    for dx in [20.0, 60.0, 100.0] {
        h.hover_at(centre + egui::vec2(dx, 0.0));
        h.run_steps(1);
    }
    h.drop_at(centre + egui::vec2(100.0, 0.0));
    h.run_steps(2);
    let labels = h.state().measurement_labels();
    assert_eq!(labels.len(), 1, "one distance measurement: {labels:?}");
    // 100 points at the fitted zoom over 1.4 mm pixels: the length in mm must be
    // 100 / zoom × 1.4, i.e. between 40 and 60 mm for a 256-pixel image in ~800 points.
    let mm: f64 = labels[0]
        .trim_end_matches(" mm")
        .parse()
        .expect("a length in mm");
    assert!((40.0..60.0).contains(&mm), "distance {mm} mm");
    // Switch to Traditional Chinese through the menu.
    h.get_by_label("Language / 語言").click();
    h.run_steps(2);
    h.get_by_label("繁體中文").click();
    wait_for(&mut h, "Chinese labels", |h| {
        has_label(h, "檢查") || has_label(h, "影像")
    });
    assert!(
        h.query_by_label("Studies").is_none(),
        "English browser title is gone"
    );
}
