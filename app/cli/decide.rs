//! `lightbox decide`: record decisions from the command line, or import a keep-list or
//! decisions csv, into the project store the viewer uses.

use std::process::ExitCode;

use clap::Args;
use lightbox::review::{Decision, Level, Target};

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
        println!(
            "stored {n} change(s) in {}",
            session.store().path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
