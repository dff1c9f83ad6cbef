//! `lightbox annotations export|import|interpolate|brush`: the annotations of a
//! release's project store, written in a format, merged in from our own JSON, filled
//! between key frames, or edited with a round brush or eraser in mm.

use lightbox::fsutil::ShowPath;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use lightbox::annotate::export::{ExportFormat, export};
use lightbox::annotate::files::seg_import;
use lightbox::annotate::geometry;
use lightbox::annotate::reshaped;
use lightbox::assist::fill_between::fill_between;

use serde_json::json;

use super::review::{StoreArgs, open, series_by_uid};
use super::segment::numbers;

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
    /// One DICOM Segmentation object (binary) per annotated series, `<series UID>.seg.dcm`.
    DicomSeg,
    /// One DICOM Comprehensive SR Measurement Report (TID 1500) per annotated series,
    /// `<series UID>.sr.dcm`: per shape its outline, measurements, grade and note.
    DicomSr,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Lightbox => Self::Lightbox,
            Format::Coco => Self::Coco,
            Format::Labelme => Self::Labelme,
            Format::Masks => Self::Masks,
            Format::DicomSeg => Self::DicomSeg,
            Format::DicomSr => Self::DicomSr,
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
    /// Merge an annotation file (our JSON, DICOM SEG, RTSTRUCT or SR) into the project:
    /// shapes of another annotator are kept apart, never overwritten.
    Import {
        #[command(flatten)]
        store: StoreArgs,
        /// The file to import, told apart by content: our JSON; a DICOM Segmentation
        /// (its segments' masks become outlines, `source: dicom-seg`); an RT Structure
        /// Set (each ROI's contours put on the images they lie on, holes kept, the ROI
        /// a label, `source: rtstruct`); or a TID 1500 SR (each measurement group's
        /// image region with its coded finding as the label, grade and note,
        /// `source: dicom-sr`). Imported shapes are another annotator's,
        /// "<who> (DICOM SEG)", "(RTSTRUCT)" or "(DICOM SR)".
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
    /// Paint a round brush of a radius in mm along a stroke into a shape (its trail is
    /// added), or with --erase cut the trail out. An erase that splits the shape makes
    /// the other pieces new shapes with the same label, grade and annotator; one that
    /// removes all of it deletes the shape. Holes are filled: a shape is one outline.
    Brush(BrushArgs),
}

/// Arguments of `annotations brush`.
#[derive(Args)]
struct BrushArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The shape's id (as `annotations export` writes it).
    #[arg(long, value_name = "ID")]
    shape: String,
    /// The brush's path as image pixel coordinates (`78,121;80,121`); one point is
    /// a single dab.
    #[arg(long, value_name = "X,Y;X,Y…", allow_hyphen_values = true)]
    stroke: String,
    /// The brush's radius in mm through the frame's pixel spacing (pixels when the
    /// frame has none), so it is round on anisotropic pixels.
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    radius_mm: f64,
    /// Cut the trail out of the shape instead of adding it.
    #[arg(long)]
    erase: bool,
    /// Refuse unless the shape is by this annotator (default: any annotator's).
    #[arg(long, value_name = "NAME")]
    annotator: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
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
            let (index, mut session) = open(store)?;
            let incoming = seg_import::read_any(file, &index, session.labels())
                .context("cannot read the annotation file")?;
            for warning in &incoming.warnings {
                eprintln!("warning: {warning}");
            }
            let report = session
                .import_annotations(&incoming.file, file)
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
        Action::Brush(b) => brush(b),
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

/// Parses `--stroke X,Y;X,Y…` (at least one point).
fn stroke_points(text: &str) -> anyhow::Result<Vec<[f64; 2]>> {
    let points = text
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| numbers(p, 2, "each --stroke point X,Y").map(|v| [v[0], v[1]]))
        .collect::<anyhow::Result<Vec<_>>>()?;
    anyhow::ensure!(
        !points.is_empty(),
        "--stroke needs at least one point X,Y (points separated by ';'), not {text:?}"
    );
    Ok(points)
}

/// Runs `annotations brush`.
fn brush(a: &BrushArgs) -> anyhow::Result<ExitCode> {
    let stroke = stroke_points(&a.stroke)?;
    anyhow::ensure!(
        a.radius_mm.is_finite() && a.radius_mm > 0.0,
        "--radius-mm must be a number of mm above 0, such as 2.5, not {}",
        a.radius_mm
    );
    let (index, mut session) = open(&a.store)?;
    let shape = session
        .annotations()
        .get(&a.shape)
        .cloned()
        .with_context(|| {
            format!(
                "--shape {}: no shape with that id in {} (`annotations export` lists the ids)",
                a.shape,
                session.store().path().shown()
            )
        })?;
    if let Some(who) = &a.annotator {
        anyhow::ensure!(
            shape.annotator == *who,
            "--shape {} is by {}, not by --annotator {who}",
            shape.id,
            shape.annotator
        );
    }
    anyhow::ensure!(
        shape.kind.is_area(),
        "--shape {} is a {} and encloses nothing: the brush edits outlines",
        shape.id,
        shape.kind.as_str()
    );
    let spacing = index
        .instances()
        .find(|i| i.sop_uid == shape.image.sop_uid)
        .with_context(|| {
            format!(
                "--shape {}: its image (SOP Instance UID {}) is not in this release",
                shape.id, shape.image.sop_uid
            )
        })?
        .pixel_spacing();
    let unit = if spacing.is_calibrated() { "mm" } else { "px" };
    let morphed = geometry::brush(&shape.points, &stroke, a.radius_mm, &spacing, a.erase)
        .with_context(|| format!("cannot brush shape {}", shape.id))?;
    let verb = if a.erase { "erase" } else { "brush" };
    // As the viewer's geometry edits: the first ring keeps the shape, the others are
    // new shapes like it, none deletes it.
    let changes = reshaped(&shape, morphed.rings);
    let points = changes[0].1.as_ref().map(|s| s.points.len());
    let added: Vec<String> = changes[1..].iter().map(|(id, _)| id.clone()).collect();
    let command = session.shapes_command(format!("{verb} shape"), changes);
    let changed = !command.is_empty();
    session.apply(&command)?;
    let deleted = points.is_none();
    if a.json {
        let said = json!({
            "shape": shape.id,
            "erase": a.erase,
            "radius": a.radius_mm,
            "unit": unit,
            "changed": changed,
            "deleted": deleted,
            "points_before": shape.points.len(),
            "points_after": points,
            "added": added,
            "holes_filled": morphed.holes_filled,
        });
        outln!("{}", serde_json::to_string_pretty(&said)?);
        return Ok(ExitCode::SUCCESS);
    }
    let what = format!(
        "{verb} of radius {} {unit} along {} point(s) on shape {} ({})",
        a.radius_mm,
        stroke.len(),
        shape.id,
        shape.label
    );
    let holes = match morphed.holes_filled {
        0 => String::new(),
        h => format!("; {h} hole(s) filled, as a shape is one outline"),
    };
    match points {
        None => outln!("{what}: nothing of it is left, so the shape is deleted"),
        Some(_) if !changed => outln!("{what}: the shape is unchanged{holes}"),
        Some(n) if added.is_empty() => {
            outln!("{what}: {} → {n} points{holes}", shape.points.len());
        }
        Some(n) => outln!(
            "{what}: {} → {n} points, and {} more piece(s) as new shapes {}{holes}",
            shape.points.len(),
            added.len(),
            added.join(", ")
        ),
    }
    outln!("stored in {}", session.store().path().shown());
    Ok(ExitCode::SUCCESS)
}
