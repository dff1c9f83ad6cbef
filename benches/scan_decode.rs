//! Timing harness for `benches/vs_pydicom.sh`: scans or decodes a folder and prints seconds.
//!
//! `cargo bench --bench scan_decode -- scan|scan-cached|decode DIR [--threads N]`
//! Speed is compared with pydicom by the script, in the same run, as a ratio.

use std::path::PathBuf;
use std::time::Instant;

use lightbox::index::{Index, ScanOptions};
use lightbox::pixel::DicomImage;
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (Some(mode), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: scan_decode scan|scan-cached|decode DIR [--threads N]");
        std::process::exit(2);
    };
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        let n = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(1);
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let dir = PathBuf::from(dir);
    let cache = std::env::temp_dir().join("lightbox-bench-cache.sqlite");
    let started = Instant::now();
    let count = match mode.as_str() {
        "scan" => {
            let options = ScanOptions {
                no_cache: true,
                cache_path: None,
            };
            Index::open(&dir, &options, &|_| {})
                .map(|i| i.files_scanned)
                .unwrap_or(0)
        }
        "scan-cached" => {
            let options = ScanOptions {
                no_cache: false,
                cache_path: Some(cache),
            };
            Index::open(&dir, &options, &|_| {})
                .map(|i| i.files_from_cache)
                .unwrap_or(0)
        }
        "decode" => {
            let files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
                .into_iter()
                .flatten()
                .filter(|e| {
                    e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "dcm")
                })
                .map(|e| e.into_path())
                .collect();
            files
                .par_iter()
                .filter(|f| {
                    DicomImage::open(f)
                        .and_then(|img| img.decode_frame(0))
                        .is_ok()
                })
                .count()
        }
        other => {
            eprintln!("unknown mode {other}");
            std::process::exit(2);
        }
    };
    println!("{count} {:.4}", started.elapsed().as_secs_f64());
}
