//! Which graphics backend the viewer draws with, and what happens when one fails.
//!
//! Why this exists: wgpu picks one backend by itself (DX12 on Windows) and eframe gives
//! up when that one fails. Our users sit at Windows workstations with broken or
//! software-only DX12 drivers (Remote Desktop, VMs, Wine's vkd3d), where the first pick
//! dies with "Parent device is lost" although Vulkan or GL would draw fine. So the
//! viewer tries the backends in turn: DX12 → Vulkan → GL, then a software adapter
//! (`force_fallback_adapter`: WARP through DX12 on Windows, lavapipe or llvmpipe on
//! Linux). Each is first *probed* before the window opens ([`probe`]: adapter, device,
//! a small test image through the viewer's own image shader, read back and checked),
//! then used for the window; a backend that fails at its first frames (device lost,
//! a surface that never presents, a panic inside wgpu) is closed and the next one tried
//! ([`FrameWatch`], `gui::run`). Only when none works does the user get a message box
//! that says what failed and what to try ([`Report::failure_text`]).
//!
//! The order comes from [`plan`]: `LIGHTBOX_GRAPHICS` forces one backend (an admin's or
//! tester's override); otherwise the persisted [`GraphicsSetting`] only puts its backend
//! *first*, so a wrong setting can never lock a user out of the window;
//! `WGPU_BACKEND` (wgpu's own variable) still narrows the choice when set.

mod probe;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::i18n::Strings;

pub use probe::{panic_text, probe};

/// The environment variable that forces one backend.
pub const ENV_GRAPHICS: &str = "LIGHTBOX_GRAPHICS";

/// Test aid: `backend:stage` pairs (comma-separated; stage `probe`, `frame` or `panic`)
/// whose attempt fails on purpose, so the fallback can be tested on a machine where
/// every backend works (`vulkan:frame` makes Vulkan's first frame fail).
pub const ENV_TEST_FAIL: &str = "LIGHTBOX_GRAPHICS_TEST_FAIL";

/// Internal: the failures a viewer passes to the copy of itself it restarts after a
/// panic went through the window's event loop (which winit cannot run again then);
/// see [`Report::encode_failures`].
pub const ENV_FAILED: &str = "LIGHTBOX_GRAPHICS_FAILED";

/// One way of drawing: a wgpu backend, or the software fallback adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// Direct3D 12 (Windows).
    Dx12,
    /// Vulkan.
    Vulkan,
    /// OpenGL / OpenGL ES (WGL on Windows, EGL on Linux).
    Gl,
    /// A CPU adapter on any backend (`force_fallback_adapter`): WARP through DX12 on
    /// Windows, lavapipe (Vulkan) or llvmpipe (GL) on Linux.
    Software,
}

impl Backend {
    /// Every backend, in the order of the automatic choice on Windows.
    pub const ALL: [Backend; 4] = [
        Backend::Dx12,
        Backend::Vulkan,
        Backend::Gl,
        Backend::Software,
    ];

    /// The name users see (log, About, message box).
    pub fn name(self) -> &'static str {
        match self {
            Self::Dx12 => "DX12",
            Self::Vulkan => "Vulkan",
            Self::Gl => "GL",
            Self::Software => "software",
        }
    }

    /// The value of `LIGHTBOX_GRAPHICS` that forces it.
    pub fn env_value(self) -> &'static str {
        match self {
            Self::Dx12 => "dx12",
            Self::Vulkan => "vulkan",
            Self::Gl => "gl",
            Self::Software => "software",
        }
    }

    /// Parses a `LIGHTBOX_GRAPHICS` value (case and surrounding spaces ignored).
    ///
    /// # Errors
    /// [`GraphicsError::UnknownBackend`] naming the accepted values.
    pub fn parse(value: &str) -> Result<Backend, GraphicsError> {
        let v = value.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|b| b.env_value() == v || (v == "opengl" && *b == Self::Gl))
            .ok_or_else(|| GraphicsError::UnknownBackend(value.to_owned()))
    }

    /// The wgpu backends an attempt with it may use.
    pub fn wgpu_backends(self) -> wgpu::Backends {
        match self {
            Self::Dx12 => wgpu::Backends::DX12,
            Self::Vulkan => wgpu::Backends::VULKAN,
            Self::Gl => wgpu::Backends::GL,
            Self::Software => wgpu::Backends::DX12 | wgpu::Backends::VULKAN | wgpu::Backends::GL,
        }
    }

    /// True for the software attempt: only CPU adapters (`force_fallback_adapter`).
    pub fn software_only(self) -> bool {
        self == Self::Software
    }

    /// The backend an adapter runs on (never [`Backend::Software`]: a CPU adapter
    /// still runs on DX12, Vulkan or GL).
    pub fn of_adapter(info: &wgpu::AdapterInfo) -> Option<Backend> {
        match info.backend {
            wgpu::Backend::Dx12 => Some(Self::Dx12),
            wgpu::Backend::Vulkan => Some(Self::Vulkan),
            wgpu::Backend::Gl => Some(Self::Gl),
            _ => None,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The persisted choice (Settings ▸ Graphics); applies at the next start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum GraphicsSetting {
    /// DX12 → Vulkan → GL → software on Windows; Vulkan → GL → software elsewhere.
    #[default]
    Automatic,
    /// DX12 first, then the others.
    Dx12,
    /// Vulkan first, then the others.
    Vulkan,
    /// GL first, then the others.
    Gl,
}

impl GraphicsSetting {
    /// Every setting, for the settings window.
    pub const ALL: [GraphicsSetting; 4] = [Self::Automatic, Self::Dx12, Self::Vulkan, Self::Gl];

    /// The backend tried first, if not automatic.
    pub fn preferred(self) -> Option<Backend> {
        match self {
            Self::Automatic => None,
            Self::Dx12 => Some(Backend::Dx12),
            Self::Vulkan => Some(Backend::Vulkan),
            Self::Gl => Some(Backend::Gl),
        }
    }
}

/// Why the viewer cannot start its graphics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphicsError {
    /// `LIGHTBOX_GRAPHICS` holds something we do not know.
    UnknownBackend(String),
    /// Nothing is left to try (e.g. `WGPU_BACKEND` excludes the forced backend).
    NothingToTry(String),
}

impl fmt::Display for GraphicsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownBackend(v) => write!(
                f,
                "{ENV_GRAPHICS}={v:?} is not a graphics backend: use dx12, vulkan, gl or software \
                 (or leave it unset for the automatic choice)"
            ),
            Self::NothingToTry(why) => write!(f, "no graphics backend to try: {why}"),
        }
    }
}

impl std::error::Error for GraphicsError {}

/// The backends to try, in order, and how that order was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Attempts in order.
    pub attempts: Vec<Backend>,
    /// The wgpu backends any attempt may use (narrowed by `WGPU_BACKEND`).
    pub allowed: wgpu::Backends,
    /// How the order was decided, for the log and About.
    pub reason: String,
}

/// The automatic order: DX12 first on Windows (the native API), then Vulkan and GL,
/// then the software adapter. DX12 does not exist elsewhere, so it is left out there.
pub fn automatic_order(windows: bool) -> Vec<Backend> {
    let mut order = Vec::from(Backend::ALL);
    if !windows {
        order.retain(|b| *b != Backend::Dx12);
    }
    order
}

/// Decides the attempts from the environment and the setting.
///
/// `forced` is `LIGHTBOX_GRAPHICS` (unset, empty or `auto`: not forced), `wgpu_env` is
/// what `WGPU_BACKEND` allows (`None` when unset), `windows` picks the automatic order.
///
/// # Errors
/// An unknown `LIGHTBOX_GRAPHICS` value, or nothing left after `WGPU_BACKEND`.
pub fn plan(
    setting: GraphicsSetting,
    forced: Option<&str>,
    wgpu_env: Option<wgpu::Backends>,
    windows: bool,
) -> Result<Plan, GraphicsError> {
    let forced = forced
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("auto"));
    let (mut attempts, mut reason) = match (forced, setting.preferred()) {
        (Some(v), _) => {
            let b = Backend::parse(v)?;
            (vec![b], format!("{ENV_GRAPHICS}={}", b.env_value()))
        }
        (None, Some(first)) => {
            let mut order = vec![first];
            order.extend(automatic_order(windows).into_iter().filter(|b| *b != first));
            (order, format!("setting: {first} first"))
        }
        (None, None) => (automatic_order(windows), "automatic".to_owned()),
    };
    let allowed = match wgpu_env.filter(|b| !b.is_empty()) {
        Some(b) => {
            attempts.retain(|a| a.wgpu_backends().intersects(b));
            reason.push_str(&format!(", WGPU_BACKEND allows {b:?}"));
            b
        }
        None => wgpu::Backends::all(),
    };
    if attempts.is_empty() {
        return Err(GraphicsError::NothingToTry(reason));
    }
    Ok(Plan {
        attempts,
        allowed,
        reason,
    })
}

/// Reads the plan from the process environment.
///
/// # Errors
/// As [`plan`].
pub fn plan_from_env(setting: GraphicsSetting) -> Result<Plan, GraphicsError> {
    let forced = std::env::var(ENV_GRAPHICS).ok();
    let wgpu_env = std::env::var("WGPU_BACKEND")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| wgpu::Backends::from_comma_list(&v));
    plan(setting, forced.as_deref(), wgpu_env, cfg!(windows))
}

/// Where a simulated failure strikes (see [`ENV_TEST_FAIL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestFailure {
    /// The probe fails.
    Probe,
    /// The device is reported lost at the first frame.
    Frame,
    /// The first frame panics (as wgpu does on a fatal error).
    Panic,
}

/// Parses [`ENV_TEST_FAIL`]: `backend[:stage],…` (stage defaults to `probe`); unknown
/// parts are ignored.
pub fn parse_test_failures(value: &str) -> Vec<(Backend, TestFailure)> {
    value
        .split(',')
        .filter_map(|part| {
            let (b, stage) = part.split_once(':').unwrap_or((part, "probe"));
            let stage = match stage.trim() {
                "probe" => TestFailure::Probe,
                "frame" => TestFailure::Frame,
                "panic" => TestFailure::Panic,
                _ => return None,
            };
            Some((Backend::parse(b).ok()?, stage))
        })
        .collect()
}

/// The simulated failure of `backend`, if [`ENV_TEST_FAIL`] asks for one.
pub fn test_failure(backend: Backend) -> Option<TestFailure> {
    let v = std::env::var(ENV_TEST_FAIL).ok()?;
    parse_test_failures(&v)
        .into_iter()
        .find(|(b, _)| *b == backend)
        .map(|(_, s)| s)
}

/// One backend that was tried and did not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The backend.
    pub backend: Backend,
    /// What went wrong, in wgpu's words where it gave any.
    pub reason: String,
    /// How long the attempt took.
    pub elapsed: Duration,
}

/// The adapter a backend drew with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The attempt that worked.
    pub backend: Backend,
    /// wgpu's description of the adapter (name, type, driver).
    pub adapter: wgpu::AdapterInfo,
    /// How long its probe took.
    pub probe_time: Duration,
}

/// What happened at start-up: the plan, the failures, the choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// How the order was decided.
    pub reason: String,
    /// The backends tried, in order.
    pub attempts: Vec<Backend>,
    /// Those that failed, in order.
    pub failures: Vec<Failure>,
    /// The one in use (last probed; `None` when none worked).
    pub chosen: Option<Chosen>,
}

impl Report {
    /// An empty report for `plan`.
    pub fn new(plan: &Plan) -> Self {
        Self {
            reason: plan.reason.clone(),
            attempts: plan.attempts.clone(),
            failures: Vec::new(),
            chosen: None,
        }
    }

    /// Records a failure and logs it on stderr.
    pub fn fail(&mut self, backend: Backend, reason: String, elapsed: Duration) {
        eprintln!(
            "graphics: {backend} failed ({:.2} s): {reason}",
            elapsed.as_secs_f64()
        );
        self.failures.push(Failure {
            backend,
            reason,
            elapsed,
        });
    }

    /// The failures as one string for [`ENV_FAILED`]: a `backend<TAB>ms<TAB>reason`
    /// line each (tabs and line breaks in reasons become spaces).
    pub fn encode_failures(&self) -> String {
        self.failures
            .iter()
            .map(|f| {
                let reason = f.reason.replace(['\t', '\n', '\r'], " ");
                format!(
                    "{}\t{}\t{}",
                    f.backend.env_value(),
                    f.elapsed.as_millis(),
                    reason.trim()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Reads what [`Report::encode_failures`] wrote; malformed lines are skipped.
    pub fn decode_failures(text: &str) -> Vec<Failure> {
        text.lines()
            .filter_map(|line| {
                let mut parts = line.splitn(3, '\t');
                let backend = Backend::parse(parts.next()?).ok()?;
                let ms: u64 = parts.next()?.parse().ok()?;
                Some(Failure {
                    backend,
                    elapsed: Duration::from_millis(ms),
                    reason: parts.next()?.to_owned(),
                })
            })
            .collect()
    }

    /// The line logged when a backend is chosen.
    pub fn chosen_line(&self) -> Option<String> {
        let c = self.chosen.as_ref()?;
        Some(format!(
            "graphics: using {} ({}): {} ({:?}), driver {} {} (probe {:.2} s)",
            c.backend,
            self.reason,
            c.adapter.name,
            c.adapter.device_type,
            c.adapter.driver,
            c.adapter.driver_info,
            c.probe_time.as_secs_f64()
        ))
    }

    /// The message for the user when nothing worked, in their language: what failed on
    /// each backend and what to try.
    pub fn failure_text(&self, s: &Strings) -> String {
        let mut text = String::new();
        text.push_str(s.get("graphics.failed_intro"));
        text.push_str("\n\n");
        for f in &self.failures {
            text.push_str(&format!("• {}: {}\n", f.backend, f.reason));
        }
        text.push('\n');
        text.push_str(s.get("graphics.failed_advice"));
        text
    }
}

/// Watches the first frames of a window: a backend that passed its probe can still
/// fail when it presents (device lost, a surface that never gives a frame, wgpu's
/// fatal-error panic). Until a few frames went through, any of these marks the attempt
/// failed and closes the window so that `gui::run` tries the next backend; afterwards
/// wgpu's usual behaviour (panic on an uncaptured error) applies.
#[derive(Debug, Default)]
pub struct FrameWatch {
    failure: Mutex<Option<String>>,
    /// Frames drawn since the last surface error.
    good_frames: AtomicU32,
    /// Surface errors before confirmation.
    surface_errors: AtomicU32,
    confirmed: AtomicBool,
    simulate: Option<TestFailure>,
}

/// Frames that must go through before a backend counts as working.
const FRAMES_TO_CONFIRM: u32 = 3;
/// Surface errors before confirmation that fail the attempt.
const SURFACE_ERRORS_TO_FAIL: u32 = 10;

impl FrameWatch {
    /// A watch for an attempt with `backend` (simulating [`ENV_TEST_FAIL`]'s failure).
    pub fn new(backend: Backend) -> Arc<Self> {
        Arc::new(Self {
            simulate: test_failure(backend).filter(|s| *s != TestFailure::Probe),
            ..Self::default()
        })
    }

    /// Hooks the device's lost and uncaptured-error callbacks.
    pub fn install(self: &Arc<Self>, device: &wgpu::Device) {
        let watch = Arc::clone(self);
        device.set_device_lost_callback(move |reason, message| {
            if reason != wgpu::DeviceLostReason::Destroyed {
                watch.fail(format!("the device was lost: {message}"));
            }
        });
        let watch = Arc::clone(self);
        device.on_uncaptured_error(Arc::new(move |e| {
            if watch.confirmed.load(Ordering::Acquire) {
                // What wgpu does without a handler.
                panic!("wgpu error: {e}");
            }
            watch.fail(format!("wgpu error: {e}"));
        }));
    }

    /// The surface status callback of `WgpuConfiguration`: counts errors, then does
    /// what egui's default does.
    pub fn surface_status(
        self: &Arc<Self>,
    ) -> Arc<
        dyn Fn(&wgpu::CurrentSurfaceTexture) -> eframe::egui_wgpu::SurfaceErrorAction + Send + Sync,
    > {
        use eframe::egui_wgpu::SurfaceErrorAction;
        let watch = Arc::clone(self);
        Arc::new(move |status| {
            if !matches!(status, wgpu::CurrentSurfaceTexture::Occluded) {
                watch.good_frames.store(0, Ordering::Release);
                let n = watch.surface_errors.fetch_add(1, Ordering::AcqRel) + 1;
                if n >= SURFACE_ERRORS_TO_FAIL && !watch.confirmed.load(Ordering::Acquire) {
                    watch.fail(format!(
                        "the window's surface gave no frame {n} times: {status:?}"
                    ));
                }
            }
            match status {
                wgpu::CurrentSurfaceTexture::Outdated => SurfaceErrorAction::Reconfigure,
                wgpu::CurrentSurfaceTexture::Lost => SurfaceErrorAction::RecreateSurface,
                _ => SurfaceErrorAction::SkipFrame,
            }
        })
    }

    fn fail(&self, why: String) {
        if self.confirmed() {
            // Too late to try another backend: say it, wgpu decides what follows.
            eprintln!("graphics: {why}");
            return;
        }
        if let Ok(mut f) = self.failure.lock()
            && f.is_none()
        {
            *f = Some(why);
        }
    }

    /// Called once per frame before the app's UI: counts frames; returns `false` when
    /// the attempt failed before it was confirmed (the caller closes the window).
    pub fn frame(&self) -> bool {
        if self.confirmed.load(Ordering::Acquire) {
            return true;
        }
        match self.simulate {
            Some(TestFailure::Frame) => self.fail(format!("simulated by {ENV_TEST_FAIL}")),
            Some(TestFailure::Panic) => panic!("wgpu error: simulated by {ENV_TEST_FAIL}"),
            _ => {}
        }
        if self.failure().is_some() {
            return false;
        }
        if self.good_frames.fetch_add(1, Ordering::AcqRel) + 1 >= FRAMES_TO_CONFIRM {
            self.confirmed.store(true, Ordering::Release);
        }
        true
    }

    /// True once enough frames went through.
    pub fn confirmed(&self) -> bool {
        self.confirmed.load(Ordering::Acquire)
    }

    /// Why the attempt failed, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }
}

/// Picks, among the adapters eframe enumerated, the one the probe used (same backend
/// and name), else any of the attempt's kind that can draw to the window.
pub fn select_adapter(
    adapters: &[wgpu::Adapter],
    surface: Option<&wgpu::Surface<'_>>,
    wanted: &wgpu::AdapterInfo,
    software_only: bool,
) -> Result<wgpu::Adapter, String> {
    let usable: Vec<&wgpu::Adapter> = adapters
        .iter()
        .filter(|a| surface.is_none_or(|s| a.is_surface_supported(s)))
        .filter(|a| !software_only || a.get_info().device_type == wgpu::DeviceType::Cpu)
        .collect();
    usable
        .iter()
        .find(|a| {
            let i = a.get_info();
            i.backend == wanted.backend && i.name == wanted.name
        })
        .or_else(|| usable.first())
        .map(|a| (*a).clone())
        .ok_or_else(|| {
            let names: Vec<String> = adapters
                .iter()
                .map(|a| {
                    let i = a.get_info();
                    format!("{} ({:?})", i.name, i.backend)
                })
                .collect();
            format!(
                "no adapter can draw to the window (found: {})",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_order_is_dx12_vulkan_gl_software_on_windows_only() {
        use Backend::*;
        assert_eq!(automatic_order(true), vec![Dx12, Vulkan, Gl, Software]);
        assert_eq!(automatic_order(false), vec![Vulkan, Gl, Software]);
    }

    #[test]
    fn parsing_accepts_the_documented_values_and_names_them_when_wrong() {
        assert_eq!(Backend::parse("dx12"), Ok(Backend::Dx12));
        assert_eq!(Backend::parse(" Vulkan "), Ok(Backend::Vulkan));
        assert_eq!(Backend::parse("GL"), Ok(Backend::Gl));
        assert_eq!(Backend::parse("opengl"), Ok(Backend::Gl));
        assert_eq!(Backend::parse("software"), Ok(Backend::Software));
        let e = Backend::parse("metal").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("LIGHTBOX_GRAPHICS=\"metal\""), "{text}");
        for v in ["dx12", "vulkan", "gl"] {
            assert!(text.contains(v), "{text} names {v}");
        }
    }

    #[test]
    fn the_env_var_forces_one_backend_and_wins_over_the_setting() {
        let p = plan(GraphicsSetting::Vulkan, Some("gl"), None, true).unwrap();
        assert_eq!(p.attempts, vec![Backend::Gl]);
        assert_eq!(p.reason, "LIGHTBOX_GRAPHICS=gl");
        assert!(plan(GraphicsSetting::Automatic, Some("dx13"), None, true).is_err());
    }

    #[test]
    fn empty_or_auto_env_is_the_automatic_choice() {
        for v in [None, Some(""), Some("  "), Some("auto"), Some("AUTO")] {
            let p = plan(GraphicsSetting::Automatic, v, None, true).unwrap();
            assert_eq!(p.attempts, automatic_order(true), "{v:?}");
            assert_eq!(p.reason, "automatic");
        }
    }

    #[test]
    fn the_setting_puts_its_backend_first_and_keeps_the_others() {
        use Backend::*;
        let p = plan(GraphicsSetting::Gl, None, None, true).unwrap();
        assert_eq!(p.attempts, vec![Gl, Dx12, Vulkan, Software]);
        let p = plan(GraphicsSetting::Vulkan, None, None, false).unwrap();
        assert_eq!(p.attempts, vec![Vulkan, Gl, Software]);
        // DX12 chosen on Linux: tried first (and fails fast), the others follow.
        let p = plan(GraphicsSetting::Dx12, None, None, false).unwrap();
        assert_eq!(p.attempts, vec![Dx12, Vulkan, Gl, Software]);
    }

    #[test]
    fn wgpu_backend_narrows_the_attempts() {
        use Backend::*;
        let p = plan(
            GraphicsSetting::Automatic,
            None,
            Some(wgpu::Backends::VULKAN),
            true,
        )
        .unwrap();
        assert_eq!(p.attempts, vec![Vulkan, Software]);
        assert_eq!(p.allowed, wgpu::Backends::VULKAN);
        let e = plan(
            GraphicsSetting::Automatic,
            Some("dx12"),
            Some(wgpu::Backends::GL),
            true,
        )
        .unwrap_err();
        assert!(matches!(e, GraphicsError::NothingToTry(_)), "{e}");
    }

    #[test]
    fn test_failures_parse_with_a_default_stage() {
        assert_eq!(
            parse_test_failures("vulkan:frame, gl,dx12:panic,nonsense:probe,vulkan:later"),
            vec![
                (Backend::Vulkan, TestFailure::Frame),
                (Backend::Gl, TestFailure::Probe),
                (Backend::Dx12, TestFailure::Panic),
            ]
        );
    }

    #[test]
    fn the_watch_confirms_after_three_frames_and_fails_on_errors_before() {
        let w = Arc::new(FrameWatch::default());
        assert!(w.frame() && w.frame());
        assert!(!w.confirmed());
        assert!(w.frame());
        assert!(w.confirmed());
        let w = Arc::new(FrameWatch::default());
        w.frame();
        w.fail("the device was lost: test".into());
        assert!(!w.frame());
        assert_eq!(w.failure().as_deref(), Some("the device was lost: test"));
        // Surface errors: a few are normal (resize), ten before any good frame fail.
        let w = Arc::new(FrameWatch::default());
        let status = w.surface_status();
        for _ in 0..9 {
            let _ = status(&wgpu::CurrentSurfaceTexture::Lost);
        }
        assert!(w.failure().is_none());
        let _ = status(&wgpu::CurrentSurfaceTexture::Lost);
        assert!(w.failure().unwrap().contains("Lost"));
    }

    #[test]
    fn failures_survive_a_restart() {
        let p = plan(GraphicsSetting::Automatic, None, None, true).unwrap();
        let mut r = Report::new(&p);
        r.fail(
            Backend::Dx12,
            "panicked: wgpu error: Validation Error\n\tCaused by: lost".into(),
            Duration::from_millis(1234),
        );
        r.fail(Backend::Software, "no adapter: none".into(), Duration::ZERO);
        let back = Report::decode_failures(&r.encode_failures());
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].backend, Backend::Dx12);
        assert_eq!(back[0].elapsed, Duration::from_millis(1234));
        assert_eq!(
            back[0].reason,
            "panicked: wgpu error: Validation Error  Caused by: lost"
        );
        assert_eq!(back[1], r.failures[1]);
        assert!(Report::decode_failures("garbage\nvulkan\tx\ty").is_empty());
    }

    #[test]
    fn the_failure_text_names_each_backend_and_what_to_try() {
        let p = plan(GraphicsSetting::Automatic, None, None, true).unwrap();
        let mut r = Report::new(&p);
        r.fail(
            Backend::Dx12,
            "cannot create the device: Parent device is lost".into(),
            Duration::from_millis(400),
        );
        r.fail(Backend::Gl, "no adapter".into(), Duration::ZERO);
        let s = Strings::for_language(crate::i18n::Language::English);
        let t = r.failure_text(s);
        assert!(
            t.contains("DX12: cannot create the device: Parent device is lost"),
            "{t}"
        );
        assert!(t.contains("GL: no adapter"), "{t}");
        assert!(t.contains("LIGHTBOX_GRAPHICS=gl"), "{t}");
        assert!(t.contains("driver"), "{t}");
    }
}
