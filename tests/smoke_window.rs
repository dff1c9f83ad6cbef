//! The real binary in a real window (Xvfb): `lightbox sample-data --screenshot OUT.png`
//! must draw the first image, save the window and exit 0.
#![cfg(feature = "gui")]

mod common;

use std::process::Command;

#[test]
fn the_window_opens_and_draws_the_sample_release() {
    let tmp = tempfile::tempdir().unwrap();
    // A copy: the viewer starts a project store beside the release it opens.
    let (_sample_dir, sample) = common::sample_copy();
    let shot = tmp.path().join("window.png");
    let runtime = tmp.path().join("xdg");
    std::fs::create_dir(&runtime).unwrap();
    let out = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1600x1000x24"])
        .arg(env!("CARGO_BIN_EXE_lightbox"))
        .arg(&sample)
        .arg("--screenshot")
        .arg(&shot)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("LIGHTBOX_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .expect("xvfb-run is needed for this test: apt-get install xvfb xauth");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&shot).expect("a PNG screenshot").to_luma8();
    let (w, h) = img.dimensions();
    assert!(w >= 800 && h >= 500, "window size {w}x{h}");
    // Not blank: many distinct grey levels (text, image, panels).
    let mut seen = [false; 256];
    for p in img.pixels() {
        seen[p.0[0] as usize] = true;
    }
    let levels = seen.iter().filter(|s| **s).count();
    assert!(
        levels > 64,
        "only {levels} grey levels: the window looks blank"
    );
    if let Ok(dir) = std::env::var("LIGHTBOX_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, std::path::Path::new(&dir).join("window.png")).unwrap();
    }
}
