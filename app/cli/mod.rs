//! Command-line interface: argument parsing and one function per verb.

#[macro_use]
mod out;

mod agreement;
mod annotations;
mod claims;
mod dataset;
mod decide;
mod decode;
mod index;
mod livewire;
mod monai;
mod mpr;
mod pacs;
mod prelabel;
mod progress;
mod render;
mod review;
mod scan;
mod seeds;
mod segment;
mod synth;
mod takeout;

use lightbox::fsutil::ShowPath;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Review and annotate de-identified DICOM releases.
#[derive(Parser)]
#[command(name = "lightbox", version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// Folder or release to open in the viewer (default: the last one, else the bundled sample-data/).
    path: Option<PathBuf>,
    /// Save a screenshot of the window once the first image is drawn, then exit.
    #[arg(long, value_name = "OUT.png")]
    screenshot: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a folder or release; print the tree and the problems.
    Index(index::IndexArgs),
    /// Print the release's claims joined to its series, and what does not match.
    Claims(claims::ClaimsArgs),
    /// Render one frame to an 8-bit PNG as a viewer shows it.
    Render(render::RenderArgs),
    /// Write one frame's modality values as NPY (float32; colour: uint8 rows×cols×3).
    Decode(decode::DecodeArgs),
    /// One axial, coronal or sagittal plane of a series (or a MIP/MinIP/average slab) as NPY (modality units) or PNG.
    Mpr(mpr::MprArgs),
    /// Write a deterministic synthetic release.
    Synth(synth::SynthArgs),
    /// Record keep/drop decisions, or import a keep-list or decisions csv.
    Decide(decide::DecideArgs),
    /// Write the TAKEOUT keep-list from the decisions, or check one.
    Takeout(takeout::TakeoutArgs),
    /// Export the annotations (lightbox JSON, COCO, labelme, masks), or import ours.
    Annotations(annotations::AnnotationsArgs),
    /// Propose labels and keep/drop decisions from keyword rules; store or accept them.
    Prelabel(prelabel::PrelabelArgs),
    /// How a test annotator agrees with a reference one: Dice, distances, 3-D volumes, detection, AP, FROC, AUC, keep/drop.
    Agreement(agreement::AgreementArgs),
    /// Click-to-segment: grow a region from a seed within an intensity window (2-D or 3-D) and store its outlines as shapes.
    Segment(segment::SegmentArgs),
    /// Grow from seeds: strokes of two or more labels compete on a frame (random walker); the regions become shapes.
    Seeds(seeds::SeedsArgs),
    /// Live-wire: a polygon through anchors on a frame whose segments follow the edges between them (intelligent scissors).
    Livewire(livewire::LiveWireArgs),
    /// A site's MONAI Label server (http or https): list its models, or run one on a series and store its labels' outlines as shapes.
    Monai(monai::MonaiArgs),
    /// Query a PACS, retrieve studies from it, send our SEG and SR to it (DICOMweb or DIMSE).
    Pacs(pacs::PacsArgs),
    /// Split the release by patient into train / val / test, stratified and seeded.
    Split(dataset::SplitArgs),
    /// Count patients, studies and images by sex, age band, region, device, label.
    Describe(dataset::DescribeArgs),
}

/// Parses the command line and runs the verb; `Err` is printed once by `main`.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Index(a)) => index::run(&a),
        Some(Command::Claims(a)) => claims::run(&a),
        Some(Command::Render(a)) => render::run(&a),
        Some(Command::Decode(a)) => decode::run(&a),
        Some(Command::Mpr(a)) => mpr::run(&a),
        Some(Command::Synth(a)) => synth::run(&a),
        Some(Command::Decide(a)) => decide::run(&a),
        Some(Command::Takeout(a)) => takeout::run(&a),
        Some(Command::Annotations(a)) => annotations::run(&a),
        Some(Command::Prelabel(a)) => prelabel::run(&a),
        Some(Command::Agreement(a)) => agreement::run(&a),
        Some(Command::Segment(a)) => segment::run(&a),
        Some(Command::Seeds(a)) => seeds::run(&a),
        Some(Command::Livewire(a)) => livewire::run(&a),
        Some(Command::Monai(a)) => monai::run(&a),
        Some(Command::Pacs(a)) => pacs::run(&a),
        Some(Command::Split(a)) => dataset::run_split(&a),
        Some(Command::Describe(a)) => dataset::run_describe(&a),
        None => open_viewer(cli.path, cli.screenshot),
    }
}

/// One line for an error and its causes: `what: why: path`.
pub fn describe(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ")
}

/// Runs the viewer; without a path it reopens the last folder, else `sample-data/`.
#[cfg(feature = "gui")]
fn open_viewer(path: Option<PathBuf>, screenshot: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let path = path.or_else(|| Some(PathBuf::from("sample-data")).filter(|p| p.is_dir()));
    if let Some(p) = &path
        && !p.is_dir()
    {
        anyhow::bail!("not a folder: {}", p.shown());
    }
    let shot = screenshot.clone();
    lightbox::gui::run(path, screenshot).map_err(|e| anyhow::anyhow!("the viewer failed: {e}"))?;
    if let Some(p) = shot
        && !p.is_file()
    {
        anyhow::bail!("no screenshot was written: {}", p.shown());
    }
    Ok(ExitCode::SUCCESS)
}

/// Without the `gui` feature there is no viewer.
#[cfg(not(feature = "gui"))]
fn open_viewer(_path: Option<PathBuf>, _screenshot: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    anyhow::bail!(
        "this build has no viewer (built without the `gui` feature); use `lightbox index PATH`"
    )
}
