//! `lightbox annotations export|import`: the annotations of a release's project
//! store, written in a format or merged in from our own JSON.

use lightbox::fsutil::ShowPath;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use lightbox::annotate::export::{ExportFormat, export};
use lightbox::annotate::files::lightbox_json;
use lightbox::assist::fill_between::fill_between;

use super::review::{StoreArgs, open, series_by_uid};

/// The export formats, as `--format` spells them.
#[derive(Clone, Copy, ValueEnum)]
pub(super) enum Format {
    /// Our JSON (assets/schema/lightbox-annotations-v1.schema.json), with measurements.
    Lightbox,
    /// COCO JSON: one image per frame, polygons, areas, boxes, categories = labels.
    Coco,
    /// One labelme JSON per annotated frame.
    Labelme,
    /// One PNG per frame and label: 0 outside, 255 inside.
    Masks,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Lightbox => Self::Lightbox,
            Format::Coco => Self::Coco,
            Format::Labelme => Self::Labelme,
            Format::Masks => Self::Masks,
        }
    }
}

/// Arguments of `annotations`.
#[derive(Args)]
pub struct AnnotationsArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Write the project's annotations in a format.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// The format.
        #[arg(long, value_enum, default_value = "lightbox")]
        format: Format,
        /// Folder to write into (created if needed).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Merge an annotation file (our JSON) into the project: shapes of another
    /// annotator are kept apart, never overwritten.
    Import {
        #[command(flatten)]
        store: StoreArgs,
        /// The file to import.
        file: PathBuf,
    },
    /// Fill the frames between an annotator's outlines of a label on a series
    /// (shape-based interpolation); an earlier fill of them is replaced.
    Interpolate {
        #[command(flatten)]
        store: StoreArgs,
        /// The series (Series Instance UID).
        #[arg(long, value_name = "UID")]
        series: String,
        /// The label whose outlines are the key frames.
        #[arg(long)]
        label: String,
        /// Whose outlines (default: the reviewer name).
        #[arg(long, value_name = "NAME")]
        annotator: Option<String>,
    },
}

/// Runs `annotations`.
pub fn run(a: &AnnotationsArgs) -> anyhow::Result<ExitCode> {
    match &a.action {
        Action::Export { store, format, out } => {
            let (index, session) = open(store)?;
            let shapes: Vec<_> = session.annotations().iter().cloned().collect();
            let report = export(
                (*format).into(),
                out,
                &index,
                session.images().release_id.as_deref(),
                session.labels(),
                &shapes,
            )
            .context("cannot export the annotations")?;
            outln!(
                "exported {} shapes to {} file(s) in {}",
                report.shapes,
                report.files.len(),
                out.shown()
            );
            Ok(ExitCode::SUCCESS)
        }
        Action::Import { store, file } => {
            let (_index, mut session) = open(store)?;
            let incoming = lightbox_json::read(file).context("cannot read the annotation file")?;
            let report = session
                .import_annotations(&incoming, file)
                .context("cannot store the imported annotations")?;
            outln!(
                "imported {}: {} added, {} updated, {} unchanged, {} kept apart under new ids, {} older than the project's (kept the project's); {} new labels",
                file.shown(),
                report.added,
                report.replaced,
                report.unchanged,
                report.renamed,
                report.kept_newer,
                report.labels_added
            );
            Ok(ExitCode::SUCCESS)
        }
        Action::Interpolate {
            store,
            series,
            label,
            annotator,
        } => interpolate(store, series, label, annotator.as_deref()),
    }
}

/// Runs `annotations interpolate`.
fn interpolate(
    store: &StoreArgs,
    series_uid: &str,
    label: &str,
    annotator: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let (index, mut session) = open(store)?;
    let series = series_by_uid(&index, series_uid)?;
    let annotator = annotator.map_or_else(|| session.reviewer().to_owned(), str::to_owned);
    let shapes: Vec<_> = session.annotations().iter().cloned().collect();
    let fill = fill_between(&shapes, series, label, &annotator)
        .context("cannot read the series' frames")?;
    let command = session.shapes_command(format!("interpolate {label}"), fill.changes);
    session.apply(&command)?;
    let frames: Vec<String> = fill.frames.iter().map(ToString::to_string).collect();
    outln!(
        "interpolated {} shape(s) of {label} by {annotator} on frame(s) {}; stored in {}",
        fill.made,
        if frames.is_empty() {
            "none (it needs outlines on two frames with frames between)".to_owned()
        } else {
            frames.join(", ")
        },
        session.store().path().shown()
    );
    Ok(ExitCode::SUCCESS)
}
