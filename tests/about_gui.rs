//! Help ▸ About names the graphics backend and adapter the viewer draws with, and the
//! backends that failed at start-up; Settings ▸ Graphics changes the persisted choice.
//! Driven with egui_kittest on a render state the test makes itself, so the expected
//! adapter comes from wgpu, not from the app.
#![cfg(feature = "gui")]

mod common;

use std::time::Duration;

use common::gui::has_label;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use egui_kittest::wgpu::{WgpuTestRenderer, create_render_state, default_wgpu_setup};
use lightbox::gui::LightboxApp;
use lightbox::gui::graphics::{Backend, Failure, GraphicsSetting, Report, automatic_order, plan};

#[test]
fn help_about_shows_the_backend_of_the_harness_and_what_failed() {
    let runtime = tempfile::Builder::new().prefix("xdg").tempdir().unwrap();
    // SAFETY: set before any other thread of this test binary reads the environment.
    unsafe { std::env::set_var("XDG_RUNTIME_DIR", runtime.path()) };
    let render_state = create_render_state(
        default_wgpu_setup(),
        eframe::egui_wgpu::RendererOptions::PREDICTABLE,
    );
    let info = render_state.adapter.get_info();
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .renderer(WgpuTestRenderer::from_render_state(render_state))
        .build_eframe(|cc| LightboxApp::new(cc, None, None));
    h.run_steps(2);

    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("About").click();
    h.run_steps(3);
    assert!(has_label(&h, "About Lightbox"));
    assert!(has_label(
        &h,
        &format!("Version {}", env!("CARGO_PKG_VERSION"))
    ));
    // wgpu's own words for the adapter: its backend and its name.
    assert!(
        has_label(&h, &info.name),
        "About names the adapter {}",
        info.name
    );
    let kind = Backend::of_adapter(&info).expect("a backend the viewer knows");
    assert!(has_label(&h, kind.name()), "About names the backend {kind}");
    // The harness made the device itself: no start-up check to report.
    assert!(has_label(&h, "no start-up check"));

    // As `gui::run` hands it over after DX12 failed at start-up.
    let p = plan(GraphicsSetting::Automatic, None, None, true).unwrap();
    let mut report = Report::new(&p);
    report.failures.push(Failure {
        backend: Backend::Dx12,
        reason: "cannot create the device on Test GPU: Parent device is lost".into(),
        elapsed: Duration::from_millis(420),
    });
    h.state_mut().set_graphics_report(report);
    h.run_steps(2);
    assert!(has_label(
        &h,
        "DX12: cannot create the device on Test GPU: Parent device is lost (0.42 s)"
    ));
    assert!(has_label(&h, "automatic"));
    assert!(!has_label(&h, "no start-up check"));
    assert_eq!(automatic_order(true)[0], Backend::Dx12);

    // Settings ▸ Graphics: GL first at the next start, said in the window.
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Settings…").click();
    h.run_steps(3);
    assert!(has_label(&h, "Applies at the next start"));
    assert_eq!(h.state().state.graphics, GraphicsSetting::Automatic);
    h.get_by_label("GL").click();
    h.run_steps(2);
    assert_eq!(h.state().state.graphics, GraphicsSetting::Gl);
}
