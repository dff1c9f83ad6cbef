//! Review speed on a release of 100,000 images (1,000 studies × 2 series × 50 images,
//! hand-made, no files): recomputing every effective decision and count after a
//! decision, choosing and serialising the keep-list rows, writing + re-reading +
//! verifying the list, and one stored (fsync'ed) decision with its undo entry.
//!
//! `cargo bench --bench review_speed` (prints a table; not a test). No peer tool
//! reviews NHI releases, so the numbers are absolute; compare runs on one machine.

use std::time::{Duration, Instant};

use lightbox::review::keeplist::{keep_list_bytes, keep_rows};
use lightbox::review::takeout::{UndecidedPolicy, write_keep_list};
use lightbox::review::{
    Decision, DecisionRecord, Decisions, Effective, ImageRef, Level, ReleaseImages, ReviewSession,
    Target,
};

fn release() -> ReleaseImages {
    let mut images = Vec::with_capacity(100_000);
    for study in 0..1000 {
        for series in 0..2 {
            for image in 0..50 {
                images.push(ImageRef {
                    study_uid: format!("1.2.826.0.1.{study}"),
                    series_uid: format!("1.2.826.0.1.{study}.{series}"),
                    sop_uid: format!("1.2.826.0.1.{study}.{series}.{image}"),
                    file_name: format!("IM{image:04}.dcm"),
                    bytes: 525_000,
                    modality: Some("CT".into()),
                    body_part: Some("CHEST".into()),
                });
            }
        }
    }
    ReleaseImages::new(Some("20210407_102537".into()), images)
}

/// A realistic mix: every third study kept whole, every third dropped, the rest with
/// one series kept and one image of it dropped.
fn decisions(release: &ReleaseImages) -> Decisions {
    let record = |decision| DecisionRecord {
        decision,
        reason: String::new(),
        reviewer: "bench".into(),
        time: "2026-11-21T00:00:00Z".into(),
    };
    let mut d = Decisions::new();
    for study in 0..1000 {
        let uid = format!("1.2.826.0.1.{study}");
        match study % 3 {
            0 => {
                d.set(
                    Target {
                        level: Level::Study,
                        uid,
                    },
                    record(Decision::Keep),
                );
            }
            1 => {
                d.set(
                    Target {
                        level: Level::Study,
                        uid,
                    },
                    record(Decision::Drop),
                );
            }
            _ => {
                d.set(
                    Target {
                        level: Level::Study,
                        uid: uid.clone(),
                    },
                    record(Decision::Drop),
                );
                d.set(
                    Target {
                        level: Level::Series,
                        uid: format!("{uid}.0"),
                    },
                    record(Decision::Keep),
                );
                d.set(
                    Target {
                        level: Level::Image,
                        uid: format!("{uid}.0.7"),
                    },
                    record(Decision::Drop),
                );
            }
        }
    }
    assert_eq!(release.images.len(), 100_000);
    d
}

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    t.sort();
    t[runs / 2]
}

fn main() {
    let release = release();
    let decisions = decisions(&release);
    let effective = Effective::compute(&release, &decisions);
    let compute = median(11, || {
        std::hint::black_box(Effective::compute(&release, &decisions));
    });
    let rows = keep_rows(&release, &effective);
    let bytes = keep_list_bytes(&rows);
    let choose = median(11, || {
        std::hint::black_box(keep_list_bytes(&keep_rows(&release, &effective)));
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let write = median(5, || {
        write_keep_list(
            dir.path(),
            "2021010001",
            &release,
            &effective,
            UndecidedPolicy::Drop,
            true,
        )
        .expect("keep-list written");
    });
    let store = dir.path().join("bench.lightbox.sqlite");
    let (mut session, _) = ReviewSession::open(release.clone(), &store, "bench").expect("store");
    let mut flip = false;
    let decide = median(21, || {
        flip = !flip;
        let d = if flip { Decision::Keep } else { Decision::Drop };
        let target = Target {
            level: Level::Study,
            uid: "1.2.826.0.1.5".into(),
        };
        let command = session.decide_command("bench", &[target], d, "");
        session.apply(&command).expect("stored");
    });
    println!("review of 100,000 images (median)");
    println!(
        "  effective decisions + counts      {:>8.2} ms",
        compute.as_secs_f64() * 1e3
    );
    println!(
        "  keep-list rows + bytes            {:>8.2} ms  ({} rows, {} bytes)",
        choose.as_secs_f64() * 1e3,
        rows.len(),
        bytes.len()
    );
    println!(
        "  write + re-read + verify the list {:>8.2} ms",
        write.as_secs_f64() * 1e3
    );
    println!(
        "  one stored decision (commit, fsync, recompute) {:>8.2} ms",
        decide.as_secs_f64() * 1e3
    );
}
