//! Command-line interface: argument parsing and one function per verb.

mod decode;
mod index;
mod render;
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Review and annotate de-identified DICOM releases.
#[derive(Parser)]
#[command(name = "lightbox", version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// Folder or release to open in the viewer (default: the bundled sample-data/).
    path: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Scan a folder or release; print the tree and the problems.
    Index(index::IndexArgs),
    /// Render one frame to an 8-bit PNG as a viewer shows it.
    Render(render::RenderArgs),
    /// Write one frame's modality values as NPY (float32; colour: uint8 rows×cols×3).
    Decode(decode::DecodeArgs),
    /// Write a deterministic synthetic release.
    Synth(synth::SynthArgs),
}

/// Parses the command line and runs the verb; `Err` is printed once by `main`.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Index(a)) => index::run(&a),
        Some(Command::Render(a)) => render::run(&a),
        Some(Command::Decode(a)) => decode::run(&a),
        Some(Command::Synth(a)) => synth::run(&a),
        None => {
            let path = cli.path.unwrap_or_else(|| PathBuf::from("sample-data"));
            anyhow::bail!(
                "the viewer is not built yet (issue 3); to see what it would open, run: lightbox index {}",
                path.display()
            )
        }
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
