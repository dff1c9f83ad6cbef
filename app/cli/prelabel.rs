//! `lightbox prelabel`: evaluate keyword rules on a release (claims, DICOM text,
//! reports) and print, or store, what they propose; or accept every stored
//! suggestion for scripted pipelines.
//!
//! Evaluating is read-only; `--apply` stores the proposals as suggestions, still
//! unaccepted, exactly as the viewer's "Store suggestions" button does (one audited
//! command, reviewed suggestions kept). Nothing a rule proposes becomes a decision
//! until someone accepts it, in the viewer or with `--accept-all`.

use lightbox::fsutil::ShowPath;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::claims::Claims;
use lightbox::index::Index;
use lightbox::review::suggestion::SuggestionStatus;
use lightbox::rules::{Evaluation, Facts, Reports, RuleSet, evaluate};

use super::review::{StoreArgs, open};

/// Arguments of `prelabel`.
#[derive(Args)]
pub struct PrelabelArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The rules file (TOML; see assets/rules/default.toml).
    #[arg(long, value_name = "FILE", required_unless_present = "accept_all")]
    rules: Option<PathBuf>,
    /// Report text csv (StudyInstanceUID or AccessionNumber, text); default: the
    /// release's `DATA/REPORT_<release>.csv` when there is one.
    #[arg(long, value_name = "FILE.csv")]
    reports: Option<PathBuf>,
    /// Print one JSON object (rules, proposals, conflicts) instead of text.
    #[arg(long)]
    json: bool,
    /// Store the proposals in the project store as suggestions (not accepted).
    #[arg(long)]
    apply: bool,
    /// Accept every pending suggestion stored in the project (conflicting ones are
    /// left for a person) and say how many.
    #[arg(long, conflicts_with_all = ["rules", "apply", "json", "reports"])]
    accept_all: bool,
}

/// Runs `prelabel`.
pub fn run(a: &PrelabelArgs) -> anyhow::Result<ExitCode> {
    if a.accept_all {
        return accept_all(a);
    }
    let Some(rules_path) = &a.rules else {
        anyhow::bail!("--rules FILE is required (or --accept-all)");
    };
    // Read the rules first: a bad file is reported before the release is scanned.
    let text = std::fs::read_to_string(rules_path)
        .with_context(|| format!("cannot read the rules: {}", rules_path.shown()))?;
    let rules =
        RuleSet::parse(&text).map_err(|e| anyhow::anyhow!("{e}: {}", rules_path.shown()))?;
    let (index, mut session) = if a.apply {
        let (index, session) = open(&a.store)?;
        (index, Some(session))
    } else {
        (super::scan::scan(&a.store.path, false, true)?, None)
    };
    let facts = facts(&index, a.reports.as_deref())?;
    let evaluation = evaluate(&rules, &facts);
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&evaluation)?);
    } else {
        print_text(&index, &evaluation);
    }
    if let Some(session) = session.as_mut() {
        session
            .store_mut()
            .set_rules(&text, Some(rules_path))
            .context("cannot store the rules")?;
        let name = rules_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let command =
            session.store_proposals_command(format!("apply rules {name}"), &evaluation.proposals);
        let changed = command.suggestions.len();
        session
            .apply(&command)
            .context("cannot store the suggestions")?;
        let pending = session
            .suggestions()
            .values()
            .filter(|s| s.status == SuggestionStatus::Pending)
            .count();
        eprintln!(
            "stored: {changed} suggestions added, changed or withdrawn; {pending} pending review in {}",
            session.store().path().shown()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The facts the rules are evaluated on: claims (notes on stderr) and reports.
fn facts(index: &Index, reports: Option<&Path>) -> anyhow::Result<Facts> {
    let claims =
        Claims::load_for_release(&index.root, &index.layout).context("cannot read the claims")?;
    for note in &claims.notes {
        eprintln!("note: {note}");
    }
    let reports = match reports {
        Some(path) => Some(Reports::load(path)?),
        None => Reports::load_for_release(&index.root, &index.layout)?,
    };
    if let Some(r) = &reports {
        for note in &r.notes {
            eprintln!("note: {note}");
        }
    }
    Ok(Facts::build(index, claims.table(), reports.as_ref()))
}

/// Per-rule counts, every proposal with its provenance, the conflicts.
fn print_text(index: &Index, evaluation: &Evaluation) {
    let describe = |study_uid: &str, series_uid: Option<&str>| -> String {
        let study = index.studies().find(|st| st.study_uid == study_uid);
        let study_text = study
            .and_then(|st| st.description.clone())
            .unwrap_or_default();
        match series_uid {
            None => format!("study {study_uid} \"{study_text}\""),
            Some(uid) => {
                let series = study.and_then(|st| st.series.iter().find(|se| se.series_uid == uid));
                let text = series
                    .and_then(|se| se.description.clone())
                    .unwrap_or_default();
                format!("series {uid} \"{study_text} / {text}\"")
            }
        }
    };
    let width = evaluation
        .rules
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    outln!("{:<width$}  studies  series  images", "rule");
    for r in &evaluation.rules {
        outln!(
            "{:<width$}  {:>7}  {:>6}  {:>6}",
            r.name,
            r.studies,
            r.series,
            r.images
        );
    }
    outln!();
    outln!("Proposals ({}):", evaluation.proposals.len());
    for p in &evaluation.proposals {
        let mut what = Vec::new();
        if let Some(d) = p.decision {
            what.push(d.as_str().to_owned());
        }
        if let Some(l) = &p.label {
            what.push(format!("label {l}"));
        }
        outln!(
            "  [{}] {} -> {}",
            p.rule,
            describe(&p.study_uid, p.series_uid.as_deref()),
            what.join(", ")
        );
        let why: Vec<String> = p.matched.iter().map(ToString::to_string).collect();
        outln!("      {}", why.join("; "));
    }
    outln!();
    outln!("Conflicts ({}):", evaluation.conflicts.len());
    for c in &evaluation.conflicts {
        outln!(
            "  {}: keep and drop from {}",
            describe(&c.study_uid, c.series_uid.as_deref()),
            c.rules.join(", ")
        );
    }
}

/// `--accept-all`: accepts every pending stored suggestion.
fn accept_all(a: &PrelabelArgs) -> anyhow::Result<ExitCode> {
    let (_index, mut session) = open(&a.store)?;
    let ids: Vec<String> = session.suggestions().keys().cloned().collect();
    let review = session.accept_suggestions(&ids);
    session
        .apply(&review.command)
        .context("cannot store the accepted suggestions")?;
    outln!("accepted {} suggestions", review.reviewed);
    if review.conflicting > 0 {
        outln!(
            "left {} suggestions for a person: they propose both keep and drop for the same study or series",
            review.conflicting
        );
    }
    Ok(ExitCode::SUCCESS)
}
