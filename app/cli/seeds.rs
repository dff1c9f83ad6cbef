//! `lightbox seeds`: grow from seeds on a frame from the command line. Strokes of two
//! or more labels (one of them may be `background`) compete by the random walker;
//! each label's region but the background's is outlined and stored in the project as
//! one undoable command, marked `source: grow-from-seeds`.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::assist::strokes::{Stroke, grow_from_strokes};
use lightbox::fsutil::ShowPath;
use serde_json::json;

use super::review::{StoreArgs, open, series_by_uid};
use super::segment::{numbers, store_new_shapes, window_arg};

/// Arguments of `seeds`.
#[derive(Args)]
pub struct SeedsArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The series (Series Instance UID).
    #[arg(long, value_name = "UID")]
    series: String,
    /// The frame, from 1 along the series' slice order.
    #[arg(long)]
    frame: usize,
    /// Grow in 3-D through this many frames on each side of `--frame` (the strokes on
    /// it seed the slab; every frame of it gets outlines). 0: the frame alone.
    #[arg(long, value_name = "N", default_value_t = 0)]
    slab: usize,
    /// A stroke: its label, then its points as image pixel coordinates
    /// (`nodule:78,121;80,121`); `background` marks what is not the finding. Give at
    /// least two labels.
    #[arg(long, value_name = "LABEL:X,Y;X,Y…", required = true)]
    stroke: Vec<String>,
    /// The window the values are read through, modality units; default: the frame's
    /// 1st to 99th percentile.
    #[arg(long, value_name = "LO,HI", allow_hyphen_values = true)]
    window: Option<String>,
    /// Who the shapes are by (default: the reviewer name).
    #[arg(long, value_name = "NAME")]
    annotator: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Parses `LABEL:X,Y;X,Y…`.
fn stroke(text: &str) -> anyhow::Result<Stroke> {
    let (label, points) = text
        .split_once(':')
        .with_context(|| format!("--stroke must be LABEL:X,Y;X,Y…, not {text:?}"))?;
    let points = points
        .split(';')
        .map(|p| numbers(p, 2, "each --stroke point X,Y").map(|v| [v[0], v[1]]))
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(!label.trim().is_empty(), "--stroke {text:?} has no label");
    Ok(Stroke {
        label: label.trim().to_owned(),
        points,
    })
}

/// Runs `seeds`.
pub fn run(a: &SeedsArgs) -> anyhow::Result<ExitCode> {
    let strokes = a
        .stroke
        .iter()
        .map(|s| stroke(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let window = window_arg(a.window.as_deref())?;
    if let Some([lo, hi]) = window {
        // The values are mapped through the window: it needs a width.
        anyhow::ensure!(lo < hi, "--window LO,HI needs LO < HI, not [{lo}, {hi}]");
    }
    let (index, mut session) = open(&a.store)?;
    let series = series_by_uid(&index, &a.series)?;
    let annotator = a
        .annotator
        .clone()
        .unwrap_or_else(|| session.reviewer().to_owned());
    let (shapes, window) = grow_from_strokes(series, a.frame, a.slab, &strokes, window, &annotator)
        .context("cannot grow from these seeds")?;
    let count = shapes.len();
    store_new_shapes(&mut session, "grow from seeds".into(), shapes)?;
    if a.json {
        let made = json!({"shape_count": count, "frame": a.frame, "window": window});
        outln!("{}", serde_json::to_string_pretty(&made)?);
    } else {
        outln!(
            "made {count} shape(s) on frame {} (window {:.1} to {:.1}); stored in {}",
            a.frame,
            window[0],
            window[1],
            session.store().path().shown()
        );
    }
    Ok(ExitCode::SUCCESS)
}
