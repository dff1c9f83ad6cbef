//! The Windows viewer under Wine + Xvfb with no graphics variable set: wgpu's own first
//! pick there (DX12 over vkd3d) dies with "Parent device is lost", so this checks that
//! the viewer falls back to a backend that works and draws the release, exactly as the
//! Linux build draws it.
//!
//! `LIGHTBOX_WINDOWS_EXE` names the cross-built `lightbox.exe`; without it the test is
//! skipped with the reason printed, except on CI (`CI=true`), where it fails.
#![cfg(all(feature = "gui", unix))]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use image::GrayImage;

/// The viewport's middle in a 1440×900 window: the image and nothing else (no
/// overlay text), as `x, y, width, height`.
const IMAGE_AREA: (u32, u32, u32, u32) = (450, 250, 500, 450);

/// `xvfb-run` around `program`, with a 1600×1000 screen.
fn xvfb(program: &Path) -> Command {
    let mut cmd = Command::new("xvfb-run");
    cmd.args(["-a", "-s", "-screen 0 1600x1000x24"])
        .arg(program);
    cmd
}

/// Fails the test with stderr unless the run succeeded and wrote `shot`.
fn assert_screenshot(what: &str, out: &Output, shot: &Path) -> GrayImage {
    assert!(
        out.status.success() && shot.is_file(),
        "{what}: exit {:?}, screenshot written: {}\n{}",
        out.status.code(),
        shot.is_file(),
        String::from_utf8_lossy(&out.stderr)
    );
    image::open(shot)
        .unwrap_or_else(|e| panic!("{what}: not a PNG: {e}: {}", shot.display()))
        .to_luma8()
}

#[test]
fn the_windows_viewer_falls_back_and_draws_under_wine_with_no_backend_set() {
    let Some(exe) = common::wine::windows_exe() else {
        return;
    };
    let mut err = std::io::stderr();
    let wine = common::wine::Wine::new(&exe);
    let tmp = tempfile::tempdir().unwrap();
    // Copies: the viewer starts a project store beside the release it opens.
    let (_win_dir, win_sample) = common::sample_copy();
    let win_shot = tmp.path().join("windows.png");
    let mut cmd = xvfb(Path::new("wine"));
    cmd.arg(wine.exe())
        .arg(wine.windows_path(&win_sample))
        .arg("--screenshot")
        .arg(wine.windows_path(&win_shot));
    wine.configure(&mut cmd);
    for var in [
        "WGPU_BACKEND",
        "LIGHTBOX_GRAPHICS",
        "LIGHTBOX_GRAPHICS_TEST_FAIL",
        "LIGHTBOX_GRAPHICS_FAILED",
    ] {
        cmd.env_remove(var);
    }
    let start = Instant::now();
    let out = cmd
        .output()
        .expect("xvfb-run is needed: apt-get install xvfb xauth");
    let seconds = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Straight to stderr, past the harness's capture: which backend Wine got.
    for line in stderr.lines().filter(|l| l.starts_with("graphics:")) {
        let _ = writeln!(err, "wine: {line}");
    }
    let _ = writeln!(err, "wine: lightbox.exe --screenshot took {seconds:.1} s");
    let windows = assert_screenshot("lightbox.exe under Wine", &out, &win_shot);
    assert!(
        stderr.contains("graphics: using "),
        "the log names the chosen backend:\n{stderr}"
    );

    // The Linux build on another copy of the same release, same window size.
    let (_linux_dir, linux_sample) = common::sample_copy();
    let linux_shot = tmp.path().join("linux.png");
    let runtime = tmp.path().join("xdg");
    std::fs::create_dir(&runtime).unwrap();
    let out = xvfb(Path::new(env!("CARGO_BIN_EXE_lightbox")))
        .arg(&linux_sample)
        .arg("--screenshot")
        .arg(&linux_shot)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("XDG_DATA_HOME", tmp.path().join("data"))
        .env("LIGHTBOX_CACHE_DIR", tmp.path().join("cache"))
        .env_remove("LIGHTBOX_GRAPHICS")
        .env_remove("LIGHTBOX_GRAPHICS_TEST_FAIL")
        .output()
        .expect("xvfb-run");
    let linux = assert_screenshot("the Linux build", &out, &linux_shot);
    assert_eq!(windows.dimensions(), linux.dimensions(), "window sizes");

    // The image area: the release's grey levels, as the Linux build draws them.
    let (x0, y0, w, h) = IMAGE_AREA;
    let mut levels = [false; 256];
    let (mut sum, mut far) = (0u64, 0u64);
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            let a = windows.get_pixel(x, y).0[0];
            let b = linux.get_pixel(x, y).0[0];
            levels[a as usize] = true;
            sum += u64::from(a.abs_diff(b));
            far += u64::from(a.abs_diff(b) > 8);
        }
    }
    let n = u64::from(w * h);
    let distinct = levels.iter().filter(|l| **l).count();
    let mean = sum as f64 / n as f64;
    let _ = writeln!(
        err,
        "wine: image area {distinct} grey levels, mean |Windows − Linux| {mean:.3}, \
         {far} of {n} pixels differ by more than 8"
    );
    assert!(
        distinct >= 16,
        "only {distinct} grey levels where the image is: blank?"
    );
    assert!(
        mean < 2.0 && far * 100 < n,
        "the image differs from the Linux build's: mean {mean:.2}, {far} pixels off by > 8"
    );
}
