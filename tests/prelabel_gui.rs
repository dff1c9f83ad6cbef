//! Pre-labelling in the viewer, as a reviewer does it: store the default rules'
//! suggestions from the Rules tab, find a study's suggestion with its provenance,
//! accept it with Y (a decision and a label, through the undo stack), undo it, and
//! filter the browser to the studies with unreviewed suggestions.
#![cfg(feature = "gui")]

mod common;

use common::gui::{has_label, scroll_and_click, wait_for};
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;

#[test]
fn store_suggestions_accept_with_y_undo_and_filter() {
    let (mut h, _root, _dirs) = common::gui::sample_app();
    wait_for(&mut h, "the review to open", |h| {
        has_label(h, "0 kept, 0 dropped, 159 undecided")
    });

    // Rules tab: the default rules propose 8 (counted once the claims are loaded).
    h.get_by_label("Rules").click();
    wait_for(&mut h, "the rule counts", |h| {
        has_label(h, "Store 8 suggestions")
    });
    h.get_by_label("Store 8 suggestions").click();
    wait_for(&mut h, "the suggestions stored", |h| {
        has_label(h, "8 proposals, 8 suggestions added or changed")
    });
    // Storing suggestions decides nothing.
    assert!(has_label(&h, "0 kept, 0 dropped, 159 undecided"));

    // The follow-up chest CT: one suggestion, with what matched.
    h.get_by_label("Review").click();
    h.run_steps(2);
    scroll_and_click(&mut h, "CT CHEST FOLLOW-UP");
    wait_for(&mut h, "the study's suggestion", |h| {
        has_label(h, "Suggestions (not decisions until accepted)") && has_label(h, "ICD1 = C34.11")
    });
    assert!(has_label(
        &h,
        "lung nodule or lung cancer on chest CT: Keep · nodule"
    ));

    // Y accepts it: the study is kept (32 images) and labelled; Ctrl+Z undoes both.
    h.key_press(Key::Y);
    wait_for(&mut h, "the suggestion accepted", |h| {
        has_label(h, "32 kept, 0 dropped, 0 undecided")
            && has_label(h, "Labels: nodule")
            && has_label(h, "Accepted by")
    });
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    wait_for(&mut h, "the acceptance undone", |h| {
        has_label(h, "0 kept, 0 dropped, 32 undecided") && has_label(h, "Accept (Y)")
    });
    assert!(!has_label(&h, "Labels: nodule"));

    // Only studies with unreviewed suggestions: the abdominal US (no rule matches,
    // shown beside the chest CTs) goes; the studies around it stay.
    assert!(has_label(&h, "US ABDOMEN"));
    h.get_by_label("Unreviewed suggestions").click();
    wait_for(&mut h, "the filter applied", |h| {
        !has_label(h, "US ABDOMEN")
    });
    for kept in ["CT CHEST FOLLOW-UP", "CT CHEST W/O", "HAND 2 VIEWS"] {
        assert!(has_label(&h, kept), "{kept} has pending suggestions");
    }
}
