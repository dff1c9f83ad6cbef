//! `lightbox split` and `lightbox describe`: a labelled release as a dataset:
//! patient-level splits, and the test-set description YY/T 1858-2022 asks for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use lightbox::claims::{Claims, ClaimsJoin};
use lightbox::dataset::describe::{Description, describe};
use lightbox::dataset::facts::{StudyFacts, study_facts};
use lightbox::dataset::report::{Report, write as write_report};
use lightbox::dataset::split::{SETS, parse_ratios, read_csv, split, to_csv};
use lightbox::fsutil::{ShowPath, write_atomic};
use serde::Serialize;

use super::annotations::Format;
use super::review::{StoreArgs, open};
use super::takeout::Undecided;
use lightbox::annotate::export::export;
use lightbox::index::Index;
use lightbox::review::takeout::write_keep_list;
use lightbox::review::{Effective, ReleaseImages, ReviewSession};
use std::collections::BTreeSet;

/// Arguments of `split`.
#[derive(Args)]
pub struct SplitArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Train, validation and test shares, e.g. 70,15,15.
    #[arg(long, value_name = "T,V,T", default_value = "70,15,15")]
    ratios: String,
    /// Attributes to stratify by: label, modality, sex, age_band, body_region,
    /// device, hospital_level.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    stratify: Vec<String>,
    /// The seed: the same seed gives the same split.
    #[arg(long)]
    seed: u64,
    /// Where to write `PATIENT_ID,STUDY_INSTANCE_UID,SPLIT`.
    #[arg(long, value_name = "split.csv")]
    out: PathBuf,
    /// Print the achieved ratios and strata as JSON.
    #[arg(long)]
    json: bool,
    /// Also write each set's annotations (and, with --project-code, its keep-list)
    /// into DIR/train, DIR/val and DIR/test.
    #[arg(long, value_name = "DIR")]
    export: Option<PathBuf>,
    /// The annotation format of --export.
    #[arg(long, value_enum, default_value = "lightbox", requires = "export")]
    format: Format,
    /// Write each set's keep-list `<CODE>_<release>.csv` too (the review's decisions
    /// on that set's studies only).
    #[arg(long, value_name = "CODE", requires = "export")]
    project_code: Option<String>,
    /// What the keep-lists do with undecided images.
    #[arg(long, value_enum, default_value = "refuse", requires = "project_code")]
    undecided: Undecided,
}

/// Arguments of `describe`.
#[derive(Args)]
pub struct DescribeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// A split (`lightbox split --out`) to describe set by set too.
    #[arg(long, value_name = "split.csv")]
    split: Option<PathBuf>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    json: bool,
    /// Also write CSV tables and an offline HTML report (English and 繁體中文) here.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The release's studies as facts: index, claims (notes on stderr), shapes.
fn load_facts(store: &StoreArgs) -> anyhow::Result<Vec<StudyFacts>> {
    load(store).map(|(_, _, facts)| facts)
}

/// The claims of `index`'s release joined to its series (notes on stderr).
pub(super) fn claims_of(index: &Index) -> anyhow::Result<(Claims, ClaimsJoin)> {
    let claims =
        Claims::load_for_release(&index.root, &index.layout).context("cannot read the claims")?;
    for note in &claims.notes {
        eprintln!("note: {note}");
    }
    let join = claims.join_index(index);
    Ok((claims, join))
}

/// The release, its review and its studies as facts.
fn load(store: &StoreArgs) -> anyhow::Result<(Index, ReviewSession, Vec<StudyFacts>)> {
    let (index, session) = open(store)?;
    let (claims, join) = claims_of(&index)?;
    let shapes: Vec<_> = session.annotations().iter().cloned().collect();
    let facts = study_facts(&index, Some((claims.table(), &join)), &shapes);
    Ok((index, session, facts))
}

/// What `split --json` prints: the split without its rows (they are in the csv).
#[derive(Serialize)]
struct SplitSummary<'a> {
    out: String,
    ratios: [f64; 3],
    achieved: [f64; 3],
    strata: &'a [lightbox::dataset::split::Stratum],
}

/// Runs `split`.
pub fn run_split(a: &SplitArgs) -> anyhow::Result<ExitCode> {
    let ratios = parse_ratios(&a.ratios)?;
    let (index, session, facts) = load(&a.store)?;
    let s = split(&facts, ratios, &a.stratify, a.seed)?;
    write_atomic(&a.out, to_csv(&s).as_bytes())
        .with_context(|| format!("cannot write the split: {}", a.out.shown()))?;
    if let Some(dir) = &a.export {
        export_sets(a, dir, &s, &index, &session)?;
    }
    if a.json {
        let summary = SplitSummary {
            out: a.out.shown().to_string(),
            ratios: s.ratios,
            achieved: s.achieved,
            strata: &s.strata,
        };
        outln!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |v: [f64; 3]| v.map(|x| format!("{:.1} %", x * 100.0)).join(" / ");
    outln!(
        "wrote {} ({} studies): train / val / test {} (asked {})",
        a.out.shown(),
        s.assignments.len(),
        pct(s.achieved),
        pct(s.ratios)
    );
    for st in &s.strata {
        let key = if st.key.is_empty() { "all" } else { &st.key };
        outln!(
            "  {key}: studies {:?}, patients {:?}",
            st.studies,
            st.patients
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Each set's annotations (and keep-list) into `dir/<set>/`; says what it wrote on
/// stderr.
fn export_sets(
    a: &SplitArgs,
    dir: &Path,
    s: &lightbox::dataset::split::Split,
    index: &Index,
    session: &ReviewSession,
) -> anyhow::Result<()> {
    for set in SETS {
        let studies: BTreeSet<&str> = s
            .assignments
            .iter()
            .filter(|x| x.set == set)
            .map(|x| x.study_uid.as_str())
            .collect();
        let out = dir.join(set);
        let shapes: Vec<_> = session
            .annotations()
            .iter()
            .filter(|sh| studies.contains(sh.image.study_uid.as_str()))
            .cloned()
            .collect();
        let release_id = session.images().release_id.as_deref();
        let report = export(
            (a.format).into(),
            &out,
            index,
            release_id,
            session.labels(),
            &shapes,
        )
        .with_context(|| format!("cannot export the {set} annotations"))?;
        eprintln!(
            "{set}: {} shapes in {} file(s) in {}",
            report.shapes,
            report.files.len(),
            out.shown()
        );
        if let Some(code) = &a.project_code {
            let images: Vec<_> = session
                .images()
                .images
                .iter()
                .filter(|i| studies.contains(i.study_uid.as_str()))
                .cloned()
                .collect();
            let of_set = ReleaseImages::new(session.images().release_id.clone(), images);
            let effective = Effective::compute(&of_set, session.decisions());
            let list = write_keep_list(
                &out,
                code.trim(),
                &of_set,
                &effective,
                a.undecided.into(),
                true,
            )
            .with_context(|| format!("cannot write the {set} keep-list"))?;
            eprintln!(
                "{set}: keep-list {} ({} kept images)",
                list.path.shown(),
                list.kept_images
            );
        }
    }
    Ok(())
}

/// What `describe --json` prints: the whole release, and each set of a split.
#[derive(Serialize)]
struct DescribeOut {
    #[serde(flatten)]
    all: Description,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    splits: BTreeMap<&'static str, Description>,
}

/// Runs `describe`.
pub fn run_describe(a: &DescribeArgs) -> anyhow::Result<ExitCode> {
    let facts = load_facts(&a.store)?;
    let mut splits = BTreeMap::new();
    if let Some(path) = &a.split {
        let set_of: BTreeMap<String, &str> = read_csv(path)?
            .assignments
            .into_iter()
            .map(|a| (a.study_uid, a.set))
            .collect();
        for set in SETS {
            let of_set = facts
                .iter()
                .filter(|f| set_of.get(&f.study_uid) == Some(&set));
            splits.insert(set, describe(of_set));
        }
    }
    let out = DescribeOut {
        all: describe(&facts),
        splits,
    };
    if let Some(dir) = &a.out {
        let report = Report {
            all: &out.all,
            splits: &out.splits,
        };
        let files = write_report(dir, &report)?;
        eprintln!("wrote {} files to {}", files.len(), dir.shown());
    }
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_description("all", &out.all);
        for (set, d) in &out.splits {
            print_description(set, d);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One description as text tables.
fn print_description(title: &str, d: &Description) {
    outln!(
        "{title}: {} patients, {} studies, {} series, {} images",
        d.patients,
        d.studies,
        d.series,
        d.images
    );
    for (attribute, values) in &d.by {
        if values.is_empty() {
            continue;
        }
        outln!("  by {attribute}:");
        for (value, c) in values {
            outln!(
                "    {value}: {} patients, {} studies, {} images",
                c.patients,
                c.studies,
                c.images
            );
        }
    }
}
