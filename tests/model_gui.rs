//! The model server in the viewer, against a real MONAI Label server (the weight-free
//! threshold app of tests/monai): nothing shows while no server is set; a closed port
//! is reported with the address; with the server set, its models are listed and
//! "Outline the series" stores the model's outlines on the chest CT as one undo step.
#![cfg(feature = "gui")]

mod common;

use common::free_port;
use common::gui::{has_label, wait_for};
use common::monai::Server;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use lightbox::gui::LightboxApp;
use lightbox::gui::command::{Command, SeriesRef};

/// The shapes a model made.
fn modelled(h: &Harness<'static, LightboxApp>) -> usize {
    h.state().annotations().map_or(0, |a| {
        a.iter()
            .filter(|s| s.source.as_deref() == Some("monai-label"))
            .count()
    })
}

#[test]
fn a_real_model_server_outlines_the_series_shown() {
    let python = common::python::venv("monai");
    let (mut h, root, _dirs) = common::gui::sample_app();
    let ctx = h.ctx.clone();
    let index = lightbox::index::Index::open(&root, &Default::default(), &|_| {}).expect("scan");
    let series = index
        .series()
        .find(|s| s.series_uid == "2.25.58992966161156072126607366601187380746")
        .expect("the chest series")
        .clone();
    h.state_mut().apply(
        &ctx,
        Command::ShowImage {
            series: SeriesRef {
                study_uid: series.instances[0].study_uid.clone(),
                series_uid: series.series_uid.clone(),
            },
            sop_uid: series.instances[13].sop_uid.clone(),
            frame: 1,
        },
    );
    h.state_mut()
        .apply(&ctx, Command::SetDrawLabel("nodule".into()));
    wait_for(&mut h, "the chest series drawn", |h| {
        has_label(h, "Slice 14/32")
    });
    h.get_by_label("Annotations").click();
    h.run_steps(2);
    assert!(!has_label(&h, "Models"), "off while no server is set");

    // A closed port: the error names the address.
    let closed = format!("http://127.0.0.1:{}", free_port());
    h.state_mut()
        .apply(&ctx, Command::SetModelServer(closed.clone()));
    h.run_steps(2);
    h.get_by_label("Models").click();
    wait_for(&mut h, "the refusal", |h| {
        h.root()
            .query_all_by(|_| true)
            .filter_map(|n| n.value())
            .any(|v| v.contains(&closed) && v.contains("connection refused"))
    });

    // The real server: its model, then the series outlined.
    let server = Server::start(&python);
    h.state_mut()
        .apply(&ctx, Command::SetModelServer(server.url.clone()));
    h.run_steps(2);
    h.get_by_label("Models").click();
    wait_for(&mut h, "the models", |h| has_label(h, "threshold"));
    h.get_by_label("Outline the series").click();
    wait_for(&mut h, "the outlines", |h| modelled(h) > 0);
    assert!(
        h.root()
            .query_all_by(|_| true)
            .filter_map(|n| n.value())
            .any(|v| v.starts_with("Made ") && v.contains("with model threshold")),
        "the panel says what the model made"
    );
    // One undo step takes them all away.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(modelled(&h), 0);
}
