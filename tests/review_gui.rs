//! The review flow in the viewer, driven with the keyboard as a reviewer would:
//! keep a series, look at its study, drop an image, undo, export the keep-list, and
//! check the file on disk against the release.
#![cfg(feature = "gui")]

mod common;

use common::gui::{has_label, scroll_and_click, type_at, wait_for};
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use lightbox::index::{Index, ScanOptions};

#[test]
fn decide_with_the_keyboard_and_export_the_keep_list() {
    let (mut h, root, _dirs) = common::gui::sample_app();
    let index = Index::open(&root, &ScanOptions::default(), &|_| {}).expect("scan");
    let study = index
        .studies()
        .find(|st| {
            st.series
                .iter()
                .any(|se| se.description.as_deref() == Some("CHEST 5mm BONE"))
        })
        .expect("the chest CT study");
    let bone = study
        .series
        .iter()
        .find(|se| se.description.as_deref() == Some("CHEST 5mm BONE"))
        .expect("bone series");

    h.state_mut().state.project_code = "2021010001".into();
    wait_for(&mut h, "the review to open", |h| {
        has_label(h, "0 kept, 0 dropped, 159 undecided")
    });
    scroll_and_click(&mut h, "CHEST 5mm BONE");
    wait_for(&mut h, "the bone series", |h| has_label(h, "Slice 1/16"));

    // A reason typed in the review panel goes with the next decision.
    let reason = text_field(&h, |x| x > 1000.0);
    type_at(&mut h, reason, "clean series");
    h.run_steps(2);
    h.key_press(Key::Escape);
    h.run_steps(2);
    // K keeps the selected series: 16 images.
    h.key_press(Key::K);
    wait_for(&mut h, "the series kept", |h| {
        has_label(h, "16 kept, 0 dropped, 143 undecided")
    });
    wait_for(&mut h, "the reason in the log", |h| {
        has_label(h, "(clean series)")
    });
    // Shift+D drops the image shown; Ctrl+Z takes it back.
    h.key_press_modifiers(Modifiers::SHIFT, Key::D);
    wait_for(&mut h, "one image dropped", |h| {
        has_label(h, "15 kept, 1 dropped, 143 undecided")
    });
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    wait_for(&mut h, "the drop undone", |h| {
        has_label(h, "16 kept, 0 dropped, 143 undecided")
    });
    // Ctrl+← selects the study; its other series is still undecided.
    h.key_press_modifiers(Modifiers::COMMAND, Key::ArrowLeft);
    wait_for(&mut h, "the study selected", |h| {
        has_label(h, "16 kept, 0 dropped, 32 undecided")
    });

    // File ▸ Export keep-list…, leave undecided images out, write.
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export keep-list…").click();
    wait_for(&mut h, "the export window", |h| {
        has_label(h, "Write keep-list")
    });
    h.get_by_label_contains("Leave undecided images out")
        .click();
    h.run_steps(1);
    h.get_by_label("Write keep-list").click();
    wait_for(&mut h, "the export report", |h| {
        has_label(h, "re-read and verified")
    });

    let list = root.join("TAKEOUT/2021010001_20210407_102537.csv");
    let text = std::fs::read_to_string(&list).expect("the keep-list was written");
    // The study is not wholly kept, the bone series is: one series row.
    assert_eq!(
        text,
        format!(
            "STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name\r\n{},{},\r\n",
            study.study_uid, bone.series_uid
        )
    );

    // The browser's filter box: only the hand radiograph's study is left.
    h.get_by_label("Close window").click_accesskit();
    wait_for(&mut h, "the export window to close", |h| {
        !has_label(h, "Write keep-list")
    });
    // The box above the tree: the lowest text field of the left panel.
    let filter = h
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .map(|n| n.rect().center())
        .filter(|c| c.x < 330.0)
        .max_by(|a, b| a.y.total_cmp(&b.y))
        .expect("the browser's filter");
    type_at(&mut h, filter, "HAND");
    wait_for(&mut h, "the filtered browser", |h| {
        has_label(h, "HAND PA") && !has_label(h, "CHEST 5mm BONE — 16")
    });
}

/// The centre of the one text field whose centre's x passes `side` (the review
/// panel's reason, on the right).
fn text_field(
    h: &egui_kittest::Harness<'static, lightbox::gui::LightboxApp>,
    side: impl Fn(f32) -> bool,
) -> egui::Pos2 {
    let fields: Vec<egui::Pos2> = h
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .map(|n| n.rect().center())
        .filter(|c| side(c.x))
        .collect();
    assert_eq!(fields.len(), 1, "one text field there: {fields:?}");
    fields[0]
}
