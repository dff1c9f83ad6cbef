//! `lightbox agreement`: how a test annotator's shapes agree with a reference
//! annotator's in a release's project (Dice, Jaccard, surface distances per frame and
//! label; detection matched by IoU). Read-only; `docs/agreement.md` describes the JSON.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::agreement::{Agreement, compare};
use lightbox::annotate::files::frames::FrameInfos;

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
}

/// How many of the worst frames the text report lists.
const WORST: usize = 10;

/// Runs `agreement`.
pub fn run(a: &AgreementArgs) -> anyhow::Result<ExitCode> {
    let (index, session) = open(&a.store)?;
    let shapes: Vec<_> = session.annotations().iter().cloned().collect();
    let frames = FrameInfos::from_index(&index);
    let agreement = compare(&shapes, &frames, &a.reference, &a.test, a.iou)
        .context("cannot compare the annotators")?;
    for s in &agreement.skipped {
        eprintln!("note: left out {s}");
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&agreement)?);
    } else {
        print_text(&agreement);
    }
    Ok(ExitCode::SUCCESS)
}

/// The summary and the worst frames, for a person.
fn print_text(g: &Agreement) {
    let opt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
    let seg = &g.segmentation;
    outln!("reference {}, test {}", g.reference, g.test);
    outln!(
        "segmentation: {} frame/label pairs, mean Dice {}",
        seg.per_image.len(),
        opt(seg.dice_mean)
    );
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
