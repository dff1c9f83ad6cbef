//! `lightbox takeout`: write the TAKEOUT keep-list from the review's decisions, or
//! check a list someone else wrote.

use lightbox::fsutil::ShowPath;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use lightbox::release::takeout_dir;
use lightbox::review::keeplist_check::check_keep_list;
use lightbox::review::summary::write_summary_csv;
use lightbox::review::takeout::{UndecidedPolicy, write_keep_list};

use super::review::{StoreArgs, open};

/// What `--undecided` does with images nobody decided.
#[derive(Clone, Copy, ValueEnum)]
pub(super) enum Undecided {
    /// Refuse to write while any image is undecided.
    Refuse,
    /// Leave undecided images out of the list.
    Drop,
}

impl From<Undecided> for UndecidedPolicy {
    fn from(u: Undecided) -> Self {
        match u {
            Undecided::Refuse => Self::Refuse,
            Undecided::Drop => Self::Drop,
        }
    }
}

/// Arguments of `takeout`.
#[derive(Args)]
pub struct TakeoutArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Project code: the list is `<CODE>_<release>.csv`.
    #[arg(long, value_name = "CODE", required_unless_present = "check")]
    project_code: Option<String>,
    /// Folder to write the list into (default: the release root's `TAKEOUT/`).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// What to do with undecided images.
    #[arg(long, value_enum, default_value = "refuse")]
    undecided: Undecided,
    /// Replace an existing list.
    #[arg(long)]
    force: bool,
    /// Also write the summary (images and bytes per modality and body part) here.
    #[arg(long, value_name = "FILE.csv")]
    summary: Option<PathBuf>,
    /// Check this keep-list against the release and the rules instead of writing one.
    #[arg(long, value_name = "FILE.csv")]
    check: Option<PathBuf>,
}

/// Runs `takeout`: exit 0 when written (or checked clean), 1 when a checked list has
/// findings, 2 on an error (refusals included).
pub fn run(a: &TakeoutArgs) -> anyhow::Result<ExitCode> {
    let (index, session) = open(&a.store)?;
    if let Some(list) = &a.check {
        let bytes = std::fs::read(list).with_context(|| format!("cannot read {}", list.shown()))?;
        let name = list
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let problems = check_keep_list(&bytes, session.images(), a.project_code.as_deref(), &name);
        if problems.is_empty() {
            outln!(
                "ok: {} follows the rules and names only images of the release",
                list.shown()
            );
            return Ok(ExitCode::SUCCESS);
        }
        for p in &problems {
            outln!("{}: {p}", list.shown());
        }
        outln!("{} finding(s)", problems.len());
        return Ok(ExitCode::from(1));
    }
    let code = a.project_code.as_deref().unwrap_or_default();
    let out = match &a.out {
        Some(dir) => dir.clone(),
        None => takeout_dir(&index.root, &index.layout).ok_or_else(|| {
            anyhow::anyhow!(
                "{} is not an NHI release root (IMAGE/<release>/, DATA/); say where the list goes with --out",
                index.root.shown()
            )
        })?,
    };
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.shown()))?;
    let policy = a.undecided.into();
    let report = write_keep_list(
        &out,
        code,
        session.images(),
        session.effective(),
        policy,
        a.force,
    )?;
    outln!("wrote {}", report.path.shown());
    outln!(
        "rows: {} study, {} series, {} image",
        report.study_rows,
        report.series_rows,
        report.image_rows
    );
    outln!(
        "verified: the list re-read from disk keeps exactly the {} kept images ({} bytes); {} images left out ({} of them undecided)",
        report.kept_images,
        report.kept_bytes,
        report.dropped_images,
        report.undecided_dropped_images
    );
    if let Some(path) = &a.summary {
        write_summary_csv(path, session.images(), session.effective())?;
        outln!("wrote the summary to {}", path.shown());
    }
    Ok(ExitCode::SUCCESS)
}
