//! `lightbox segment`: click-to-segment from the command line. A region is grown
//! from a seed within an intensity window (on the frame, or through the series with
//! `--3d`), its outlines become polygons, and they are stored in the project as one
//! undoable command, marked `source: region-grow` with the parameters.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::annotate::Shape;
use lightbox::annotate::files::lightbox_json::ADDED_LABEL_COLOUR;
use lightbox::annotate::labels::Label;
use lightbox::assist::grow::GrowOptions;
use lightbox::assist::segment::{SegmentRequest, segment};
use lightbox::fsutil::ShowPath;
use lightbox::review::ReviewSession;

use super::review::{StoreArgs, open, series_by_uid};

/// Arguments of `segment`.
#[derive(Args)]
pub struct SegmentArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The series (Series Instance UID).
    #[arg(long, value_name = "UID")]
    series: String,
    /// The seed: image pixel coordinates X,Y (x to the right, y down) and the frame,
    /// from 1 along the series' slice order.
    #[arg(long, value_name = "X,Y,FRAME")]
    seed: String,
    /// The intensity window in modality units (HU for CT), inclusive; default: from
    /// the values around the seed.
    #[arg(long, value_name = "LO,HI", allow_hyphen_values = true)]
    window: Option<String>,
    /// Grow through the series (3-D) instead of the seed's frame only.
    #[arg(long = "3d")]
    three_d: bool,
    /// Leak guard: nothing farther from the seed than this joins, mm.
    #[arg(long, value_name = "MM", default_value_t = GrowOptions::default().max_radius_mm)]
    max_radius: f64,
    /// The label of the shapes made (added to the project's label set if missing).
    #[arg(long)]
    label: String,
    /// Who the shapes are by (default: the reviewer name).
    #[arg(long, value_name = "NAME")]
    annotator: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Parses `A,B[,C…]` into `n` finite numbers.
pub(super) fn numbers(text: &str, n: usize, what: &str) -> anyhow::Result<Vec<f64>> {
    text.split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<Vec<f64>, _>>()
        .ok()
        .filter(|p| p.len() == n && p.iter().all(|v| v.is_finite()))
        .with_context(|| format!("{what} must be {n} numbers separated by commas, not {text:?}"))
}

/// `--window LO,HI` parsed (LO ≤ HI), when given.
pub(super) fn window_arg(text: Option<&str>) -> anyhow::Result<Option<[f64; 2]>> {
    let Some(text) = text else {
        return Ok(None);
    };
    let w = numbers(text, 2, "--window LO,HI")?;
    anyhow::ensure!(w[0] <= w[1], "--window LO,HI needs LO ≤ HI, not {w:?}");
    Ok(Some([w[0], w[1]]))
}

/// Runs `segment`.
pub fn run(a: &SegmentArgs) -> anyhow::Result<ExitCode> {
    let seed = numbers(&a.seed, 3, "--seed X,Y,FRAME")?;
    anyhow::ensure!(
        seed[2] >= 1.0 && seed[2].fract() == 0.0,
        "--seed X,Y,FRAME needs a whole frame number from 1, not {}",
        seed[2]
    );
    let window = window_arg(a.window.as_deref())?;
    let (index, mut session) = open(&a.store)?;
    let series = series_by_uid(&index, &a.series)?;
    let request = SegmentRequest {
        point_in_image: [seed[0], seed[1]],
        frame: seed[2] as usize,
        options: GrowOptions {
            window,
            three_d: a.three_d,
            max_radius_mm: a.max_radius,
            ..GrowOptions::default()
        },
        label: a.label.clone(),
        annotator: a
            .annotator
            .clone()
            .unwrap_or_else(|| session.reviewer().to_owned()),
    };
    let made = segment(series, &request)?;
    if let Some(stop) = &made.stopped {
        eprintln!("warning: {stop}");
    }
    add_label(&mut session, &a.label)?;
    store_new_shapes(
        &mut session,
        format!("segment {}", a.label),
        made.shapes.clone(),
    )?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&made)?);
    } else {
        let frames: Vec<String> = made.frames.iter().map(ToString::to_string).collect();
        outln!(
            "made {} shape(s) on frame(s) {} (window {:.1} to {:.1}, {} voxels); stored in {}",
            made.shape_count,
            frames.join(", "),
            made.window[0],
            made.window[1],
            made.voxels,
            session.store().path().shown()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Stores the shapes a tool made as one command named `command`, after adding the
/// labels they use to the project's label set ([`add_label`]).
pub(super) fn store_new_shapes(
    session: &mut ReviewSession,
    command: String,
    shapes: Vec<Shape>,
) -> anyhow::Result<()> {
    let mut labels: Vec<String> = shapes.iter().map(|s| s.label.clone()).collect();
    labels.sort_unstable();
    labels.dedup();
    for label in &labels {
        add_label(session, label)?;
    }
    let changes = shapes
        .into_iter()
        .map(|s| (s.id.clone(), Some(s)))
        .collect();
    let command = session.shapes_command(command, changes);
    session.apply(&command)?;
    Ok(())
}

/// Adds `label` to the project's label set when it is not there (grey, no hotkey).
pub(super) fn add_label(session: &mut ReviewSession, label: &str) -> anyhow::Result<()> {
    if session.labels().get(label).is_some() {
        return Ok(());
    }
    let mut labels = session.labels().clone();
    labels.labels.push(Label {
        name: label.to_owned(),
        colour: ADDED_LABEL_COLOUR.into(),
        hotkey: String::new(),
        description: String::new(),
        codes: None,
    });
    session.set_labels(labels)?;
    eprintln!("note: label {label:?} added to the project's label set");
    Ok(())
}
