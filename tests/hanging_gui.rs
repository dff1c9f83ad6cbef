//! Hanging protocols in the viewer (kittest): with "apply when a study is opened" on,
//! opening the follow-up chest CT from the browser lays it out by the default chest
//! protocol (two viewports, the prior beside it, the lung window); Settings lists the
//! protocols for editing; an edit is one command that the next study uses.
#![cfg(feature = "gui")]

mod common;
use common::gui::{has_label, sample_app, wait_for};
use egui_kittest::kittest::Queryable;

use lightbox::gui::command::{Command, Node, SeriesRef, WindowKind};
use lightbox::hanging::HangingProtocol;

#[test]
fn the_chest_protocol_hangs_the_prior_beside_in_the_lung_window() {
    let (mut h, root, _dirs) = sample_app();
    let index = common::scan_no_cache(&root);
    let (follow_up, chest) = common::follow_up_chest(&index);
    let (_, prior) = lightbox::index::priors::prior_of(&index, &chest.series_uid).expect("a prior");
    let ctx = h.ctx.clone();
    // On by default for a new user; the test harness turns it off, so back on here.
    assert!(lightbox::gui::state::State::default().apply_hanging);
    h.state_mut().apply(&ctx, Command::SetApplyHanging(true));
    h.state_mut().apply(
        &ctx,
        Command::Select(Node::Series(SeriesRef {
            study_uid: follow_up.study_uid.clone(),
            series_uid: chest.series_uid.clone(),
        })),
    );
    h.run_steps(3);
    let (first, _) = h.state().viewport_view(0).expect("viewport 1");
    assert_eq!(first.series_uid, chest.series_uid);
    let (second, _) = h.state().viewport_view(1).expect("viewport 2");
    assert_eq!(second.series_uid, prior.series_uid, "the prior beside it");
    wait_for(&mut h, "the lung window", |h| has_label(h, "W 1500 L -600"));

    // Settings ▸ Hanging protocols lists them; replacing the list is one command, and
    // the next study opened uses it (an MR protocol now 2 × 2).
    h.state_mut().apply(
        &ctx,
        Command::ShowWindow {
            window: WindowKind::Settings,
            open: true,
        },
    );
    h.run_steps(2);
    assert!(has_label(&h, "Hanging protocols"));
    h.get_by_label("Hanging protocols").click();
    h.run_steps(2);
    assert!(has_label(&h, "Restore the defaults"), "the editor is open");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    h.render()
        .expect("render")
        .save(dir.join("hanging_settings.png"))
        .expect("save the render");
    let mr = HangingProtocol {
        name: "MR four".to_owned(),
        modality: "MR".to_owned(),
        grid: [2, 2],
        ..HangingProtocol::default()
    };
    h.state_mut()
        .apply(&ctx, Command::SetHangingProtocols(vec![mr]));
    let brain = index
        .studies()
        .find(|s| {
            s.series
                .iter()
                .any(|se| se.modality.as_deref() == Some("MR"))
        })
        .expect("an MR study");
    h.state_mut().apply(
        &ctx,
        Command::Select(Node::Series(SeriesRef {
            study_uid: brain.study_uid.clone(),
            series_uid: brain.series[0].series_uid.clone(),
        })),
    );
    h.run_steps(2);
    assert!(h.state().viewport_view(0).is_some());
    assert!(
        h.state().viewport_view(3).is_none(),
        "2 × 2 with one series placed"
    );
    assert_eq!(h.state().state.layout.count(), 4);
}
