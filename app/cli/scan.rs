//! Scanning a folder for a verb, with a progress bar on stderr once it takes a while.

use lightbox::fsutil::ShowPath;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lightbox::index::{Index, ScanOptions, ScanProgress};

/// Scans `path`; shows a progress bar after one second unless `quiet`; prints the
/// cache warning (a scan never fails for the cache).
pub fn scan(path: &Path, no_cache: bool, quiet: bool) -> anyhow::Result<Index> {
    let options = ScanOptions {
        no_cache,
        cache_path: None,
    };
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} scanning {pos}/{len} files [{bar:30}] {per_sec} {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let progress = |p: ScanProgress| {
        bar.set_length(p.total as u64);
        bar.set_position(p.done as u64);
        if !quiet && bar.is_hidden() && started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    let index = Index::open(path, &options, &progress)
        .with_context(|| format!("cannot scan {}", path.shown()))?;
    bar.finish_and_clear();
    if let Some(w) = &index.cache_warning {
        eprintln!("warning: {w}");
    }
    Ok(index)
}
