//! What the benches share.

// Each bench includes this file and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lightbox::index::{Index, ScanOptions, Series};

/// The fastest of `runs` calls of `f`, and the last result: the least noisy figure on
/// a shared machine.
pub fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut fastest = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        fastest = fastest.min(start.elapsed());
        out = Some(value);
    }
    (fastest, out.expect("runs > 0"))
}

/// Prints `what` to stderr and exits with status 2: how a bench gives up.
pub fn fail(what: &str) -> ! {
    eprintln!("{what}");
    std::process::exit(2);
}

/// The 300-slice 512×512 CT the benches share (`target/bench-data/ct300`, written by
/// `synth` if missing), scanned without a cache: its folder and its index. Exits with
/// status 2 when writing or scanning it fails.
pub fn ct300() -> (PathBuf, Index) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/ct300");
    if !dir.join("DATA").is_dir() {
        let options = lightbox::synth::SynthOptions {
            scale: Some((1, 300, 512)),
            seed: 1,
        };
        if let Err(e) = lightbox::synth::write_release(&dir, &options) {
            fail(&format!("synth failed: {e}"));
        }
    }
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    let index =
        Index::open(&dir, &options, &|_| {}).unwrap_or_else(|e| fail(&format!("scan failed: {e}")));
    (dir, index)
}

/// The first series of at least 300 slices in `index` (from [`ct300`]); exits with
/// status 2 naming `dir` when there is none.
pub fn ct300_series<'a>(dir: &Path, index: &'a Index) -> &'a Series {
    index
        .series()
        .find(|s| s.instances.len() >= 300)
        .unwrap_or_else(|| fail(&format!("no 300-slice series in {}", dir.display())))
}
