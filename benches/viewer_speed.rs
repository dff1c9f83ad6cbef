//! Viewer speed on a 300-slice 512×512 CT made by `synth` (issue 3 targets):
//! first image after choosing the series, whole-series decode, cache memory
//! against raw pixel bytes, and CPU time of the UI update while scrolling
//! through cached slices (p50/p99, egui_kittest without a GPU renderer).
//!
//! `cargo bench --bench viewer_speed` (prints a table; not a test).

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use lightbox::loader::{FrameKey, FrameLoader, prefetch_order};

fn main() {
    let (dir, index) = common::ct300();
    let series = common::ct300_series(&dir, &index);
    let keys: Vec<FrameKey> = series
        .instances
        .iter()
        .map(|i| FrameKey {
            path: Arc::from(i.path.as_path()),
            frame: 0,
        })
        .collect();
    let raw_bytes: usize = series
        .instances
        .iter()
        .map(|i| i.rows as usize * i.cols as usize * 2)
        .sum();

    // Decode: first image and whole series, with as many workers as the viewer uses.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let mut firsts = Vec::new();
    let mut wholes = Vec::new();
    let mut ratio = 0.0;
    for _ in 0..3 {
        let loader = FrameLoader::new(threads, 2 << 30, Arc::new(|| {}));
        let started = Instant::now();
        loader.request(
            prefetch_order(0, keys.len())
                .into_iter()
                .map(|i| keys[i].clone())
                .collect(),
        );
        while loader.get(&keys[0]).is_none() {
            std::thread::sleep(Duration::from_micros(200));
        }
        firsts.push(started.elapsed().as_secs_f64() * 1000.0);
        while loader.cache_usage().1 < keys.len() {
            std::thread::sleep(Duration::from_millis(1));
        }
        wholes.push(started.elapsed().as_secs_f64());
        ratio = loader.cache_usage().0 as f64 / raw_bytes as f64;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let first = median(&mut firsts);
    let whole = median(&mut wholes);

    // UI update CPU time while scrolling through cached slices.
    let folder = dir.clone();
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| lightbox::gui::LightboxApp::new(cc, Some(folder), None));
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
        if h.state().cached_frames() >= keys.len() {
            break;
        }
    }
    let mut frame_ms = Vec::new();
    for _ in 0..(keys.len() - 1) {
        h.key_press(egui::Key::ArrowDown);
        let t = Instant::now();
        h.step();
        frame_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    frame_ms.sort_by(f64::total_cmp);
    let pct = |q: f64| frame_ms[((frame_ms.len() - 1) as f64 * q).round() as usize];
    println!("300-slice 512x512 CT, {threads} decode threads (median of 3 runs)");
    println!(
        "  first image after choosing the series  {first:7.1} ms   target 150 ms  ({:.2}x of target)",
        first / 150.0
    );
    println!(
        "  whole series decoded                   {whole:7.3} s    target 1.5 s   ({:.2}x of target)",
        whole / 1.5
    );
    println!("  cache memory / raw pixel bytes         {ratio:7.3}      target <= 1.2");
    println!(
        "  UI update while scrolling cached slices p50 {:.2} ms  p99 {:.2} ms  ({} frames)",
        pct(0.5),
        pct(0.99),
        frame_ms.len()
    );
}
