//! `lightbox pacs`: a PACS from the command line, over DICOMweb (`--dicomweb URL`) or
//! DIMSE (`--dimse AET@HOST:PORT`). `echo` checks the server answers, `find` lists
//! matching studies, `retrieve` copies a study into a folder that opens like any
//! release, `send` stores files (our SEG and SR) on the server. Only the server given
//! is contacted; nothing here runs without one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use lightbox::fsutil::ShowPath;
use lightbox::pacs::{
    Cancel, DateRange, DicomWebServer, DimseServer, Progress, Query, Server, StudyMatch,
};
use serde_json::json;

use super::progress::DelayedBar;

/// Arguments of `pacs`.
#[derive(Args)]
pub struct PacsArgs {
    #[command(subcommand)]
    action: PacsAction,
}

/// What to ask the PACS.
#[derive(Subcommand)]
enum PacsAction {
    /// Check that the server answers (C-ECHO, or a one-study QIDO-RS query).
    Echo(EchoArgs),
    /// List the studies that match.
    Find(FindArgs),
    /// Copy a study into OUT/<study UID>/<series UID>/<SOP Instance UID>.dcm; instances
    /// already there are not fetched again.
    Retrieve(RetrieveArgs),
    /// Store DICOM files (e.g. exported SEG and SR) on the server; a folder sends every
    /// file in it.
    Send(SendArgs),
}

/// Which server: one of `--dicomweb` or `--dimse`.
#[derive(Args)]
#[group(required = true, multiple = false, id = "server")]
struct ServerArgs {
    /// A DICOMweb service root, e.g. http://pacs:8042/dicom-web (http or https).
    #[arg(long, value_name = "URL", group = "server")]
    dicomweb: Option<String>,
    /// A DICOM (DIMSE) server, AE title at host and port: ORTHANC@pacs.local:4242.
    #[arg(long, value_name = "AET@HOST:PORT", group = "server")]
    dimse: Option<String>,
    /// Our AE title for --dimse, as the PACS knows us.
    #[arg(long, value_name = "AET", default_value = lightbox::pacs::server::DEFAULT_CALLING_AET, requires = "dimse")]
    calling_aet: String,
}

impl ServerArgs {
    fn server(&self) -> anyhow::Result<Server> {
        Ok(match (&self.dicomweb, &self.dimse) {
            (Some(url), _) => Server::DicomWeb(DicomWebServer::parse(url)?),
            (None, Some(address)) => {
                Server::Dimse(DimseServer::parse(address, Some(&self.calling_aet))?)
            }
            (None, None) => anyhow::bail!("give a server: --dicomweb URL or --dimse AET@HOST:PORT"),
        })
    }
}

/// Arguments of `pacs echo`.
#[derive(Args)]
struct EchoArgs {
    #[command(flatten)]
    server: ServerArgs,
}

/// Arguments of `pacs find`.
#[derive(Args)]
struct FindArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// Patient ID (wildcards * and ? allowed).
    #[arg(long, value_name = "ID")]
    patient_id: Option<String>,
    /// Patient's name, FAMILY^GIVEN (wildcards allowed).
    #[arg(long, value_name = "NAME")]
    patient_name: Option<String>,
    /// Study date or range: YYYYMMDD, FROM-TO, FROM-, -TO (YYYY-MM-DD also).
    #[arg(long, value_name = "FROM-TO")]
    study_date: Option<String>,
    /// A modality the study holds (CT, MR, …).
    #[arg(long, value_name = "M")]
    modality: Option<String>,
    /// Accession number.
    #[arg(long, value_name = "A")]
    accession: Option<String>,
    /// One study by its Study Instance UID.
    #[arg(long, value_name = "UID")]
    study: Option<String>,
    /// The most studies to list.
    #[arg(long, value_name = "N")]
    limit: Option<u32>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `pacs retrieve`.
#[derive(Args)]
struct RetrieveArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// The study (Study Instance UID).
    #[arg(long, value_name = "UID")]
    study: String,
    /// The folder to copy it into (created if needed).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of `pacs send`.
#[derive(Args)]
struct SendArgs {
    #[command(flatten)]
    server: ServerArgs,
    /// DICOM files, or folders whose files are all sent.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `pacs`.
pub fn run(a: &PacsArgs) -> anyhow::Result<ExitCode> {
    match &a.action {
        PacsAction::Echo(a) => {
            let server = a.server.server()?;
            let started = Instant::now();
            server.echo()?;
            outln!(
                "{server} answered in {:.0} ms",
                started.elapsed().as_secs_f64() * 1e3
            );
            Ok(ExitCode::SUCCESS)
        }
        PacsAction::Find(a) => find(a),
        PacsAction::Retrieve(a) => retrieve(a),
        PacsAction::Send(a) => send(a),
    }
}

/// `pacs find`.
fn find(a: &FindArgs) -> anyhow::Result<ExitCode> {
    let server = a.server.server()?;
    let study_date = a
        .study_date
        .as_deref()
        .map(DateRange::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--study-date: {e}"))?;
    let query = Query {
        patient_id: a.patient_id.clone(),
        patient_name: a.patient_name.clone(),
        study_date,
        modality: a.modality.clone(),
        accession: a.accession.clone(),
        study_uid: a.study.clone(),
        limit: a.limit,
    };
    let mut studies = server.find(&query)?;
    if let Some(limit) = a.limit {
        studies.truncate(limit as usize);
    }
    if a.json {
        let out = json!({"server": server.to_string(), "studies": studies});
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{} study(ies) on {server}", studies.len());
    for s in &studies {
        outln!("{}", study_line(s));
    }
    Ok(ExitCode::SUCCESS)
}

/// One study as a line of text.
fn study_line(s: &StudyMatch) -> String {
    let count = |n: Option<u32>, what: &str| n.map(|n| format!(" {n} {what}")).unwrap_or_default();
    format!(
        "{}  {}  {}  {}  {}  {}{}{}  {}",
        s.study_uid,
        s.patient_id,
        s.patient_name,
        s.study_date,
        s.accession,
        s.modalities.join("/"),
        count(s.series_count, "series"),
        count(s.instance_count, "images"),
        s.description
    )
}

/// A progress bar for a transfer, shown after one second unless `quiet`.
fn progress_bar(what: &str, quiet: bool) -> DelayedBar {
    DelayedBar::new(
        &format!("{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{msg}} {{eta}}"),
        quiet,
    )
}

/// Shows `p` on `bar`.
fn show(bar: &DelayedBar, p: &Progress) {
    bar.update(
        p.done,
        p.total,
        Some(format!("{:.1} MB", p.bytes as f64 / 1e6)),
    );
}

/// `pacs retrieve`.
fn retrieve(a: &RetrieveArgs) -> anyhow::Result<ExitCode> {
    let server = a.server.server()?;
    let bar = progress_bar("retrieving", a.quiet || a.json);
    let started = Instant::now();
    let report = server.retrieve(&a.study, &a.out, &mut |p| show(&bar, p), &Cancel::new())?;
    bar.finish();
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "study {}: {} instance(s) retrieved ({:.1} MB in {:.1} s), {} already there: {}",
        report.study_uid,
        report.retrieved,
        report.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        report.already_present,
        report.folder.shown()
    );
    Ok(ExitCode::SUCCESS)
}

/// The files to send: files as given, folders walked (sorted, hidden files skipped).
fn files_to_send(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.shown()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out)?;
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// `pacs send`.
fn send(a: &SendArgs) -> anyhow::Result<ExitCode> {
    let server = a.server.server()?;
    let files = files_to_send(&a.files)?;
    let bar = progress_bar("sending", a.quiet || a.json);
    let report = server.send(&files, &mut |p| show(&bar, p), &Cancel::new())?;
    bar.finish();
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        outln!("{} file(s) stored on {server}", report.sent);
        for f in &report.failed {
            eprintln!("not stored: {}: {}", f.reason, f.path.shown());
        }
    }
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
