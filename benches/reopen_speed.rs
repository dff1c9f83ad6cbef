//! Reopening a large unchanged release (issue 17): first scan, the reopen as it was
//! (walk + stat + cache rows + per-row decode), the instant reopen from the cache's
//! snapshot (to a built index, and with its review opened: a usable browser), and the
//! check that follows it.
//!
//! `cargo bench --bench reopen_speed` (add `--no-default-features` to skip building
//! the viewer). `LIGHTBOX_REOPEN_FILES=N` sets the number of images (default 100,000,
//! rounded down to whole 100-slice studies); the release is written once under
//! `target/bench-data/reopen-N` by `synth` (16×16 CT slices) and kept.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{best, fail};
use lightbox::index::scan::{self, FileOutcome};
use lightbox::index::{Index, ScanOptions, cache, case_names, dicomdir};
use lightbox::review::ReviewSession;
use rayon::prelude::*;

/// Slices per synthetic study.
const SLICES: u32 = 100;

fn main() {
    let files: u32 = std::env::var("LIGHTBOX_REOPEN_FILES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let studies = (files / SLICES).max(1);
    let dir = release(studies);
    let cache = std::env::temp_dir().join(format!("lightbox-reopen-{studies}.sqlite"));
    let options = ScanOptions {
        no_cache: false,
        cache_path: Some(cache.clone()),
    };
    let _ = std::fs::remove_file(&cache);

    let start = Instant::now();
    let first =
        Index::open(&dir, &options, &|_| {}).unwrap_or_else(|e| fail(&format!("scan failed: {e}")));
    let first_scan = start.elapsed();
    let n = first.files_scanned;
    println!(
        "reopen_speed: {n} files ({} instances) in {}",
        first.counts().instances,
        dir.display()
    );
    println!(
        "  first scan (headers read, cache written) {:>9.3} s",
        secs(first_scan)
    );

    let (old_reopen, old_count) = best(3, || reopen_as_before(&dir, &first, &cache));
    if old_count != first.counts().instances {
        fail(&format!("old reopen found {old_count} instances"));
    }
    println!(
        "  reopen as before (walk, stat, rows)     {:>9.3} s",
        secs(old_reopen)
    );

    let (to_index, cached) = best(5, || {
        Index::open_cached(&dir, &options)
            .ok()
            .flatten()
            .unwrap_or_else(|| fail("no cached index"))
    });
    if cached.index.counts() != first.counts() {
        fail("the cached index differs from the scan");
    }
    println!(
        "  instant reopen: index from snapshot     {:>9.3} s",
        secs(to_index)
    );

    // The review the viewer opens with the index (store beside the release): the
    // first open creates the store, a reopen finds it.
    let review = |index: &Index| {
        ReviewSession::open_for_index(index, "bench")
            .unwrap_or_else(|e| fail(&format!("review failed: {e}")))
    };
    let _ = review(&cached.index);
    let (review_open, _) = best(3, || review(&cached.index));
    println!(
        "  review opened on it                     {:>9.3} s",
        secs(review_open)
    );
    let usable = to_index + review_open;
    println!(
        "  = usable browser                        {:>9.3} s",
        secs(usable)
    );

    let mut check = Duration::MAX;
    let mut checked = None;
    for _ in 0..3 {
        let cached = Index::open_cached(&dir, &options)
            .ok()
            .flatten()
            .unwrap_or_else(|| fail("no cached index"));
        let start = Instant::now();
        let result = cached
            .check
            .run(&|_| {})
            .unwrap_or_else(|e| fail(&format!("check failed: {e}")));
        check = check.min(start.elapsed());
        checked = Some(result);
    }
    let checked = checked.unwrap_or_else(|| fail("no check ran"));
    if !checked.changes.is_empty() {
        fail(&format!("the check found changes: {:?}", checked.changes));
    }
    println!(
        "  check in the background (walk, compare) {:>9.3} s",
        secs(check)
    );

    let (full, reopened) = best(3, || Index::open(&dir, &options, &|_| {}).ok());
    if reopened.map(|i| i.files_from_cache) != Some(n) {
        fail("Index::open reread files of an unchanged release");
    }
    println!(
        "  Index::open now (CLI: walk + snapshot)  {:>9.3} s",
        secs(full)
    );

    println!(
        "  ratios: first scan / instant index {:.0}×, first scan / usable browser {:.0}×, \
         old reopen / instant index {:.0}×, first scan / old reopen {:.1}×, \
         old reopen / Index::open now {:.1}×",
        ratio(first_scan, to_index),
        ratio(first_scan, usable),
        ratio(old_reopen, to_index),
        ratio(first_scan, old_reopen),
        ratio(old_reopen, full),
    );
}

/// The release of `studies` 100-slice studies, written once.
fn release(studies: u32) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-data/reopen-{}", studies * SLICES));
    if !dir.join("DATA").is_dir() {
        let start = Instant::now();
        let options = lightbox::synth::SynthOptions {
            scale: Some((studies, SLICES, 16)),
            seed: 17,
        };
        if let Err(e) = lightbox::synth::write_release(&dir, &options) {
            fail(&format!("synth failed: {e}"));
        }
        eprintln!(
            "wrote {} in {:.1} s",
            dir.display(),
            start.elapsed().as_secs_f64()
        );
    }
    dir
}

/// The cached reopen as `Index::open` did it before the snapshot, from the public
/// parts: walk and stat, DICOMDIRs and case collisions, every row of the cache loaded,
/// each outcome decoded (in parallel) when its stamp matches, the tree built. Returns
/// the instances found.
fn reopen_as_before(dir: &Path, first: &Index, cache_path: &Path) -> usize {
    let (stamps, _) = scan::list_files(&first.scan_dir);
    let media = dicomdir::MediaMap::build_all(dir, &first.scan_dir, &stamps);
    let collisions = case_names::collisions(&first.scan_dir, &stamps);
    let rows = cache::load(cache_path).unwrap_or_else(|e| fail(&format!("rows: {e}")));
    let outcomes: Vec<FileOutcome> = stamps
        .par_iter()
        .map(|s| {
            rows.get(&s.path)
                .and_then(|c| c.outcome_if_fresh(s))
                .unwrap_or_else(|| scan::scan_file(s))
        })
        .collect();
    let instances = outcomes
        .into_iter()
        .filter_map(|o| match o {
            FileOutcome::Instance(i) => Some(*i),
            _ => None,
        })
        .collect();
    let index = Index::from_instances(first.root.clone(), instances);
    std::hint::black_box((&media, &collisions));
    index.counts().instances
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
