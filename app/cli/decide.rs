//! `lightbox decide`: record decisions from the command line, or import a keep-list or
//! decisions csv, into the project store the viewer uses.

use lightbox::fsutil::ShowPath;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use lightbox::review::decisions_csv::write_decisions_csv;
use lightbox::review::import_file::ImportKind;
use lightbox::review::{Counts, Decision, Level, ReviewSession, Target};

use super::review::{StoreArgs, open};

/// Arguments of `decide`.
#[derive(Args)]
pub struct DecideArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Set one decision: LEVEL (study|series|image), UID (study, series or SOP
    /// Instance UID), DECISION (keep|drop|undecided).
    #[arg(long, num_args = 3, value_names = ["LEVEL", "UID", "DECISION"])]
    set: Option<Vec<String>>,
    /// The reason stored with `--set`.
    #[arg(long, default_value = "")]
    reason: String,
    /// Import a keep-list (replaces every decision: unlisted images become Drop) or a
    /// decisions csv (`LEVEL,UID,DECISION[,REASON]`; adds to the decisions).
    #[arg(long, value_name = "FILE.csv", conflicts_with = "set")]
    from: Option<PathBuf>,
    /// With a decisions csv: replace every earlier decision instead of adding.
    #[arg(long, requires = "from")]
    replace: bool,
    /// Write the explicit decisions as a decisions csv (after any change above), to move
    /// a review to another machine or audit it.
    #[arg(long, value_name = "FILE.csv")]
    export: Option<PathBuf>,
}

/// `kept / dropped / undecided` images of a count.
fn describe(c: Counts) -> String {
    format!(
        "{} kept, {} dropped, {} undecided images",
        c.kept_images, c.dropped_images, c.undecided_images
    )
}

/// Imports `path` into the session as one command.
fn import(
    session: &mut ReviewSession,
    path: &std::path::Path,
    replace: bool,
) -> anyhow::Result<()> {
    let (kind, command) = session.import_command(path, replace)?;
    session.apply(&command)?;
    outln!(
        "imported {} ({}): {} change(s) stored",
        path.shown(),
        match kind {
            ImportKind::KeepList => "keep-list",
            ImportKind::DecisionsCsv => "decisions csv",
        },
        command.changes.len()
    );
    Ok(())
}

/// Runs `decide`.
pub fn run(a: &DecideArgs) -> anyhow::Result<ExitCode> {
    let (_index, mut session) = open(&a.store)?;
    if let Some(set) = &a.set {
        let (level, uid, decision) = (&set[0], &set[1], &set[2]);
        let level = Level::parse(level).ok_or_else(|| {
            anyhow::anyhow!("unknown level {level:?}: use study, series or image")
        })?;
        let decision = Decision::parse(decision).ok_or_else(|| {
            anyhow::anyhow!("unknown decision {decision:?}: use keep, drop or undecided")
        })?;
        let known = session.images().images.iter().any(|i| match level {
            Level::Study => &i.study_uid == uid,
            Level::Series => &i.series_uid == uid,
            Level::Image => &i.sop_uid == uid,
        });
        if !known {
            anyhow::bail!("no {} with UID {uid} in this release", level.as_str());
        }
        let target = Target {
            level,
            uid: uid.clone(),
        };
        let label = format!("{} {} {uid}", decision.as_str(), level.as_str());
        let command = session.decide_command(label, &[target], decision, &a.reason);
        let n = command.changes.len();
        session.apply(&command)?;
        outln!("stored {n} change(s) in {}", session.store().path().shown());
    }
    if let Some(path) = &a.from {
        import(&mut session, path, a.replace)?;
    }
    if let Some(path) = &a.export {
        write_decisions_csv(path, session.decisions())?;
        outln!(
            "wrote {} decision(s) to {}",
            session.decisions().len(),
            path.shown()
        );
    }
    outln!(
        "release: {} ({})",
        describe(session.effective().release_counts()),
        session.store().path().shown()
    );
    Ok(ExitCode::SUCCESS)
}
