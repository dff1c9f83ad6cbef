//! `lightbox synth`: write a deterministic synthetic release.

use lightbox::fsutil::ShowPath;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::synth::{SynthOptions, write_release};

/// Arguments of `synth`.
#[derive(Args)]
pub struct SynthArgs {
    /// Output folder (the release root: IMAGE/, DATA/, TAKEOUT/ are made in it).
    #[arg(long)]
    out: PathBuf,
    /// Write N CT studies of one series each instead of the sample release.
    #[arg(long)]
    studies: Option<u32>,
    /// Slices per series (with --studies).
    #[arg(long, default_value_t = 40)]
    slices: u32,
    /// Image size in pixels (with --studies).
    #[arg(long, default_value_t = 512)]
    size: u32,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Runs `synth`.
pub fn run(a: &SynthArgs) -> anyhow::Result<ExitCode> {
    let options = SynthOptions {
        scale: a.studies.map(|studies| (studies, a.slices, a.size)),
        seed: a.seed,
    };
    let summary = write_release(&a.out, &options)
        .with_context(|| format!("cannot write {}", a.out.shown()))?;
    eprintln!("wrote {} files to {}", summary.files, a.out.shown());
    Ok(ExitCode::SUCCESS)
}
