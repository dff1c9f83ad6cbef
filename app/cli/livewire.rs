//! `lightbox livewire`: a live-wire (intelligent scissors) polygon from the command
//! line. The anchors are joined in order, the last back to the first, by paths that
//! follow the edges of the frame's values through a window; the polygon is stored in
//! the project as one undoable command, marked `source: live-wire`.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::assist::livewire::{LiveWireError, live_wire_shape};
use lightbox::fsutil::ShowPath;
use serde_json::json;

use super::review::{StoreArgs, open, series_by_uid};
use super::segment::{add_label, numbers, window_arg};

/// Arguments of `livewire`.
#[derive(Args)]
pub struct LiveWireArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The series (Series Instance UID).
    #[arg(long, value_name = "UID")]
    series: String,
    /// The frame, from 1 along the series' slice order.
    #[arg(long)]
    frame: usize,
    /// The anchors in order, image pixel coordinates (x to the right, y down), at
    /// least 3: `78,121;90,130;80,140`.
    #[arg(long, value_name = "X,Y;X,Y;X,Y…")]
    anchors: String,
    /// The window the values are read through (as a viewer shows them), modality
    /// units; default: the frame's 1st to 99th percentile.
    #[arg(long, value_name = "LO,HI", allow_hyphen_values = true)]
    window: Option<String>,
    /// The label of the shape made (added to the project's label set if missing).
    #[arg(long)]
    label: String,
    /// Who the shape is by (default: the reviewer name).
    #[arg(long, value_name = "NAME")]
    annotator: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Parses `X,Y;X,Y…` (at least 3 points).
fn anchors(text: &str) -> anyhow::Result<Vec<[f64; 2]>> {
    let points = text
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| numbers(p, 2, "each --anchors point X,Y").map(|v| [v[0], v[1]]))
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(
        points.len() >= 3,
        "--anchors needs at least 3 points X,Y;X,Y;X,Y, not {}",
        points.len()
    );
    Ok(points)
}

/// The argument a live-wire error is about, for the message.
fn culprit(e: &LiveWireError) -> &'static str {
    match e {
        LiveWireError::Outside { .. }
        | LiveWireError::TooFewAnchors(_)
        | LiveWireError::Outline(_) => " (check --anchors)",
        LiveWireError::BadFrame { .. } => " (check --frame)",
        LiveWireError::BadWindow(_) => " (check --window)",
        LiveWireError::Size { .. } | LiveWireError::Stack(_) => "",
    }
}

/// Runs `livewire`.
pub fn run(a: &LiveWireArgs) -> anyhow::Result<ExitCode> {
    let anchors = anchors(&a.anchors)?;
    let window = window_arg(a.window.as_deref())?;
    if let Some([lo, hi]) = window {
        // The values are mapped through the window: it needs a width.
        anyhow::ensure!(lo < hi, "--window LO,HI needs LO < HI, not [{lo}, {hi}]");
    }
    anyhow::ensure!(
        !a.label.trim().is_empty(),
        "--label needs a name, not {:?}",
        a.label
    );
    let (index, mut session) = open(&a.store)?;
    let series = series_by_uid(&index, &a.series)?;
    let annotator = a
        .annotator
        .clone()
        .unwrap_or_else(|| session.reviewer().to_owned());
    let made =
        live_wire_shape(series, a.frame, &anchors, window, &a.label, &annotator).map_err(|e| {
            let context = format!("cannot draw the live-wire{}", culprit(&e));
            anyhow::Error::new(e).context(context)
        })?;
    add_label(&mut session, &a.label)?;
    let (id, vertices) = (made.shape.id.clone(), made.shape.points.len());
    let command = session.shapes_command(
        format!("live-wire {}", a.label),
        vec![(id.clone(), Some(made.shape))],
    );
    session
        .apply(&command)
        .context("cannot store the live-wire shape")?;
    if a.json {
        let out = json!({
            "shape_count": 1,
            "id": id,
            "frame": a.frame,
            "vertices": vertices,
            "window": made.window,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "made 1 shape of {vertices} vertices on frame {} (window {:.1} to {:.1}); stored in {}",
            a.frame,
            made.window[0],
            made.window[1],
            session.store().path().shown()
        );
    }
    Ok(ExitCode::SUCCESS)
}
