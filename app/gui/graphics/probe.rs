//! Trying one backend without a window: instance → adapter → device → a small test
//! image drawn through the viewer's own image shader, read back and compared with the
//! CPU's window/level.
//!
//! A backend that hands out a device but cannot compile our shader, or draws garbage,
//! or panics inside wgpu (its default reaction to a fatal error) fails here, before a
//! window exists, with a reason the user can be shown.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Backend, TestFailure, test_failure};
use crate::gui::gpu::offscreen::render_rgba;
use crate::gui::gpu::{GpuImage, ImagePipeline, ImageUniforms, Mode, Placement};
use crate::window::{VoiFunction, Window, window_value};

/// Side of the test image and target, in pixels (16 × 4 bytes = 64; rows are padded
/// to wgpu's 256-byte copy alignment).
const SIDE: u32 = 16;
/// How long the read-back may take before the backend counts as hung.
const READBACK_TIMEOUT: Duration = Duration::from_secs(20);

/// Probes `backend` (restricted to `allowed`): returns the adapter it drew with, or why
/// it failed. Never panics: a panic inside wgpu is caught and becomes the reason.
///
/// # Errors
/// A one-line reason: which step failed and wgpu's message.
pub fn probe(backend: Backend, allowed: wgpu::Backends) -> Result<wgpu::AdapterInfo, String> {
    if test_failure(backend) == Some(TestFailure::Probe) {
        return Err(format!("simulated by {}", super::ENV_TEST_FAIL));
    }
    let backends = backend.wgpu_backends() & allowed;
    // wgpu reports fatal errors by panicking; keep the default hook from printing a
    // panic message for what is, here, an answer.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        try_backend(backends, backend.software_only())
    }));
    panic::set_hook(hook);
    result.unwrap_or_else(|payload| Err(format!("wgpu panicked: {}", panic_text(&*payload))))
}

/// The message of a panic payload.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
        .trim()
        .to_owned()
}

fn try_backend(backends: wgpu::Backends, software: bool) -> Result<wgpu::AdapterInfo, String> {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends,
        flags: wgpu::InstanceFlags::from_build_config().with_env(),
        backend_options: wgpu::BackendOptions::from_env_or_default(),
        memory_budget_thresholds: wgpu::MemoryBudgetThresholds::default(),
        display: None,
    });
    let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
        power_preference: wgpu::PowerPreference::HighPerformance,
        force_fallback_adapter: software,
        compatible_surface: None,
        apply_limit_buckets: false,
    }))
    .map_err(|e| format!("no adapter: {e}"))?;
    let info = adapter.get_info();
    // The limits eframe will ask for (egui-wgpu's default device descriptor).
    let setup = eframe::egui_wgpu::WgpuSetupCreateNew::without_display_handle();
    let (device, queue) =
        pollster::block_on(adapter.request_device(&(setup.device_descriptor)(&adapter)))
            .map_err(|e| format!("cannot create the device on {}: {e}", info.name))?;
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&errors);
    device.on_uncaptured_error(Arc::new(move |e| {
        if let Ok(mut v) = sink.lock() {
            v.push(e.to_string());
        }
    }));
    let lost: Arc<Mutex<Option<String>>> = Arc::default();
    let lost_sink = Arc::clone(&lost);
    device.set_device_lost_callback(move |reason, message| {
        if reason != wgpu::DeviceLostReason::Destroyed
            && let Ok(mut l) = lost_sink.lock()
        {
            *l = Some(message);
        }
    });
    let pixels = draw_test_image(&device, &queue);
    let first_error = errors.lock().ok().and_then(|v| v.first().cloned());
    if let Some(e) = first_error {
        return Err(format!("the test frame failed on {}: {e}", info.name));
    }
    if let Some(m) = lost.lock().ok().and_then(|l| l.clone()) {
        return Err(format!("the device was lost on {}: {m}", info.name));
    }
    let pixels = pixels.map_err(|e| format!("the test frame failed on {}: {e}", info.name))?;
    check_test_image(&pixels)
        .map_err(|e| format!("the test frame is wrong on {}: {e}", info.name))?;
    Ok(info)
}

/// The stored values of the test image: a ramp 0..=255 over its 256 pixels.
fn test_values() -> Vec<f32> {
    (0..SIDE * SIDE).map(|i| i as f32).collect()
}

/// The window of the test image: a little narrower than the ramp, so both ends clip.
const TEST_WINDOW: Window = Window {
    center: 128.0,
    width: 200.0,
    function: VoiFunction::Linear,
};

/// Draws the ramp 1:1 into an `Rgba8Unorm` target; returns its RGBA bytes.
fn draw_test_image(device: &wgpu::Device, queue: &wgpu::Queue) -> Result<Vec<u8>, String> {
    let pipeline = ImagePipeline::new(device, wgpu::TextureFormat::Rgba8Unorm);
    let mut image = GpuImage::new(device, &pipeline);
    image
        .upload_grey(device, queue, SIDE, SIDE, &test_values())
        .map_err(|e| e.to_string())?;
    let side = f64::from(SIDE);
    let mut uniforms = ImageUniforms::new(
        Placement::centred([side, side], [side, side]).to_clip(),
        Mode::Linear,
    );
    uniforms.center = TEST_WINDOW.center as f32;
    uniforms.width = TEST_WINDOW.width as f32;
    // Magenta: a pixel the image misses cannot pass for grey.
    let magenta = wgpu::Color {
        r: 1.0,
        g: 0.0,
        b: 1.0,
        a: 1.0,
    };
    render_rgba(
        device,
        queue,
        &pipeline,
        &image,
        &uniforms,
        [SIDE, SIDE],
        magenta,
        READBACK_TIMEOUT,
    )
}

/// Every pixel must be the CPU's window/level of its ramp value, within one level, grey
/// and opaque.
fn check_test_image(rgba: &[u8]) -> Result<(), String> {
    for (i, (px, v)) in rgba.chunks_exact(4).zip(test_values()).enumerate() {
        let want = window_value(f64::from(v), &TEST_WINDOW, 0.0, 255.0).round() as u8;
        let ok = px[..3].iter().all(|c| c.abs_diff(want) <= 1) && px[3] == 255;
        if !ok {
            let (x, y) = (i as u32 % SIDE, i as u32 / SIDE);
            return Err(format!(
                "pixel ({x}, {y}) is {px:?}, expected grey {want} (value {v})"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_accepts_the_cpu_image_and_rejects_a_blank_one() {
        let good: Vec<u8> = test_values()
            .iter()
            .flat_map(|&v| {
                let g = window_value(f64::from(v), &TEST_WINDOW, 0.0, 255.0).round() as u8;
                [g, g, g, 255]
            })
            .collect();
        assert_eq!(check_test_image(&good), Ok(()));
        // The ramp clips at both ends and covers many levels in between.
        let levels: std::collections::BTreeSet<u8> = good.iter().step_by(4).copied().collect();
        assert!(levels.contains(&0) && levels.contains(&255) && levels.len() > 150);
        let blank = vec![0u8; good.len()];
        let e = check_test_image(&blank).unwrap_err();
        assert!(e.contains("expected grey"), "{e}");
        let mut magenta = good.clone();
        magenta[4 * 37..4 * 38].copy_from_slice(&[255, 0, 255, 255]);
        assert!(
            check_test_image(&magenta)
                .unwrap_err()
                .starts_with("pixel (5, 2)")
        );
    }

    /// Needs a Vulkan or GL driver (lavapipe in CI, as the other wgpu tests); on a
    /// machine with none every backend fails with a reason, which is also checked.
    #[test]
    fn probing_draws_the_test_image_or_says_why_not() {
        let results: Vec<(Backend, Result<wgpu::AdapterInfo, String>)> =
            [Backend::Vulkan, Backend::Gl, Backend::Software]
                .into_iter()
                .map(|b| (b, probe(b, wgpu::Backends::all())))
                .collect();
        for (b, r) in &results {
            match r {
                Ok(info) => {
                    eprintln!(
                        "{b}: {} ({:?}, {:?})",
                        info.name, info.backend, info.device_type
                    );
                    if *b == Backend::Software {
                        assert_eq!(info.device_type, wgpu::DeviceType::Cpu);
                    } else {
                        assert!(b.wgpu_backends().contains(info.backend.into()));
                    }
                }
                Err(e) => {
                    eprintln!("{b}: {e}");
                    assert!(!e.is_empty());
                }
            }
        }
        if std::env::var("CI").as_deref() == Ok("true") {
            assert!(
                results.iter().any(|(_, r)| r.is_ok()),
                "CI has lavapipe: {results:?}"
            );
        }
    }

    #[test]
    fn dx12_off_windows_fails_with_a_reason_and_no_panic() {
        if cfg!(windows) {
            return;
        }
        let e = probe(Backend::Dx12, wgpu::Backends::all()).unwrap_err();
        assert!(e.starts_with("no adapter"), "{e}");
    }
}
