//! `lightbox agreement`: how a test annotator's shapes agree with a reference
//! annotator's in a release's project (Dice, Jaccard, surface distances per frame and
//! label; detection matched by IoU). Read-only; `docs/agreement.md` describes the JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::agreement::{Agreement, BootstrapOptions, Options, Project, compare, report};
use lightbox::fsutil::ShowPath;

use super::dataset::claims_of;
use super::review::{StoreArgs, open};

/// Arguments of `agreement`.
#[derive(Args)]
pub struct AgreementArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The reference annotator (as the project names annotators).
    #[arg(long, value_name = "NAME")]
    reference: String,
    /// The annotator compared with the reference (another reader, a model's import).
    #[arg(long, value_name = "NAME")]
    test: String,
    /// The IoU a test finding needs to match a reference finding.
    #[arg(long, value_name = "0..1", default_value_t = 0.5)]
    iou: f64,
    /// Print one JSON object (see docs/agreement.md) instead of text.
    #[arg(long)]
    json: bool,
    /// Also write an offline HTML report here (and its Chinese twin beside it,
    /// `NAME.zh-TW.html`).
    #[arg(long, value_name = "OUT.html")]
    report: Option<PathBuf>,
    /// Bootstrap replicates for the Dice and AUC intervals (resampling patients); 0
    /// turns them off.
    #[arg(long, value_name = "N", default_value_t = BootstrapOptions::default().replicates)]
    bootstrap: u32,
    /// The bootstrap's seed: the same seed gives the same intervals.
    #[arg(long, value_name = "N", default_value_t = BootstrapOptions::default().seed)]
    seed: u64,
}

/// How many of the worst frames the text report lists.
const WORST: usize = 10;

/// Runs `agreement`.
pub fn run(a: &AgreementArgs) -> anyhow::Result<ExitCode> {
    let (index, session) = open(&a.store)?;
    let (claims, join) = claims_of(&index)?;
    let shapes: Vec<_> = session.annotations().iter().cloned().collect();
    let store = session.store();
    let log = store
        .audit(0, store.audit_len()?)
        .context("cannot read the decisions' audit log")?;
    let project = Project::new(&index, Some((claims.table(), &join)), shapes, &log);
    let options = Options {
        iou_threshold: a.iou,
        bootstrap: BootstrapOptions {
            replicates: a.bootstrap,
            seed: a.seed,
        },
    };
    let agreement = compare(&project.inputs(), &a.reference, &a.test, options)
        .context("cannot compare the annotators")?;
    for s in &agreement.skipped {
        eprintln!("note: left out {s}");
    }
    if let Some(path) = &a.report {
        let written = report::write(path, &agreement)?;
        for file in &written {
            eprintln!("wrote {}", file.shown());
        }
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&agreement)?);
    } else {
        print_text(&agreement);
    }
    Ok(ExitCode::SUCCESS)
}

/// A number to 3 decimals, `-` when absent.
fn opt(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or("-".to_owned(), |v| format!("{v:.3}"))
}

/// ` (95 % CI low–high)` of a bootstrap interval, or nothing.
fn ci(c: Option<lightbox::agreement::bootstrap::Interval>) -> String {
    c.map_or_else(String::new, |c| {
        format!(
            " (95 % CI {:.3}-{:.3}, {} replicates by patient)",
            c.low, c.high, c.replicates
        )
    })
}

/// The summary and the worst frames, for a person.
fn print_text(g: &Agreement) {
    outln!("reference {}, test {}", g.reference, g.test);
    print_segmentation(g);
    print_detection(g);
    print_classification(g);
}

/// Mean Dice, the series in 3-D and the worst frames.
fn print_segmentation(g: &Agreement) {
    let seg = &g.segmentation;
    outln!(
        "segmentation: {} frame/label pairs, mean Dice {}{}",
        seg.per_image.len(),
        opt(seg.dice_mean),
        ci(seg.dice_mean_ci)
    );
    for p in &seg.per_series {
        outln!(
            "  series {} {}: {} slices, Dice {:.3}, HD95 {} mm, volumes {} / {} mm3 ({} %)",
            p.series_uid,
            p.label,
            p.slices,
            p.dice,
            opt(p.hd95_mm),
            opt(p.reference_mm3),
            opt(p.test_mm3),
            opt(p.volume_difference_pct)
        );
    }
    if !seg.per_image.is_empty() {
        outln!("worst frames (Dice, Jaccard, HD, HD95, ASSD in mm; label; image, frame):");
    }
    for p in seg.per_image.iter().take(WORST) {
        let unit = if p.calibrated { "" } else { " px" };
        outln!(
            "  {:.3}  {:.3}  {}  {}  {}{unit}  {}  {} f{}",
            p.dice,
            p.jaccard,
            opt(p.hd_mm),
            opt(p.hd95_mm),
            opt(p.assd_mm),
            p.label,
            p.sop_uid,
            p.frame
        );
    }
}

/// Matches, and AP and FROC with scores.
fn print_detection(g: &Agreement) {
    let d = &g.detection;
    outln!(
        "detection (IoU ≥ {}): {} TP, {} FP, {} FN; recall {}, precision {}, F1 {}",
        d.iou_threshold,
        d.tp,
        d.fp,
        d.fn_,
        opt(d.recall),
        opt(d.precision),
        opt(d.f1)
    );
    if let Some(ap) = &d.ap {
        outln!("  AP (COCO, 101 points) {}", opt(ap.ap));
    }
    if let Some(froc) = &d.froc {
        let at: Vec<String> = froc
            .sensitivity_at
            .iter()
            .map(|r| format!("{}: {:.3}", r.fp_per_image, r.sensitivity))
            .collect();
        outln!(
            "  FROC sensitivity at FP/image {}; CPM {:.3}",
            at.join(", "),
            froc.cpm_sensitivity
        );
    }
}

/// Labels, grades and keep/drop.
fn print_classification(g: &Agreement) {
    let c = &g.classification;
    for l in &c.labels {
        let b = &l.calls;
        let auc = l.roc.as_ref().map_or_else(String::new, |r| {
            format!(", AUC {:.3}{}", r.auc, ci(l.auc_ci))
        });
        outln!(
            "{} per {}: sensitivity {}, specificity {}, kappa {}{auc}",
            l.label,
            l.level,
            opt(b.sensitivity.map(|p| p.value)),
            opt(b.specificity.map(|p| p.value)),
            opt(b.kappa)
        );
    }
    outln!(
        "suspicion grades: linear-weighted kappa {}",
        opt(c.grade_kappa)
    );
    for k in &c.keep_drop {
        outln!(
            "keep/drop per {}: {} agree, {} disagree, {} of {} undecided by either; kappa {}",
            k.level,
            k.calls.tp + k.calls.tn,
            k.calls.fp + k.calls.fn_,
            k.undecided,
            k.nodes,
            opt(k.calls.kappa)
        );
    }
}
