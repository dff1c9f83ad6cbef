//! Scanning a folder for a verb, with a progress bar on stderr once it takes a while.

use lightbox::fsutil::ShowPath;
use std::path::Path;

use anyhow::Context;
use lightbox::index::{Index, ScanOptions, ScanProgress};

use super::progress::DelayedBar;

/// Scans `path`; shows a progress bar after one second unless `quiet`; prints the
/// cache warning (a scan never fails for the cache).
pub fn scan(path: &Path, no_cache: bool, quiet: bool) -> anyhow::Result<Index> {
    let options = ScanOptions {
        no_cache,
        cache_path: None,
    };
    let bar = DelayedBar::new(
        "{spinner} scanning {pos}/{len} files [{bar:30}] {per_sec} {eta}",
        quiet,
    );
    let progress = |p: ScanProgress| bar.update(p.done, p.total, None);
    let index = Index::open(path, &options, &progress)
        .with_context(|| format!("cannot scan {}", path.shown()))?;
    bar.finish();
    if let Some(w) = &index.cache_warning {
        eprintln!("warning: {w}");
    }
    Ok(index)
}
