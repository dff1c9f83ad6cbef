//! PACS retrieval speed (issue 16 target: a 300-image study from a loopback Orthanc
//! within 2× of `curl` fetching the same WADO-RS URLs). The study is the 300-slice
//! 512×512 CT that `viewer_speed` and `dicom_speed` use (`target/bench-data/ct300`,
//! made here if missing), stored in a fresh Orthanc with its DICOMweb plugin. In the
//! same run, best of three each:
//! - `lightbox` (`pacs::Server::retrieve`: QIDO-RS list, then WADO-RS instance by
//!   instance on 4 connections, each parsed, checked and written atomically);
//! - `curl` on the same instance URLs, one process, one connection after another
//!   (keep-alive), bodies written as they come;
//! - `curl --parallel --parallel-max 4`, the same URLs on 4 connections.
//!
//! `cargo bench --bench pacs_speed` (prints a table; not a test). Needs Debian's
//! `orthanc`, `orthanc-dicomweb` and `curl`.

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/common/mod.rs"]
#[allow(unused)]
mod test_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::fail;
use lightbox::pacs::{Cancel, DicomWebServer, Server};
use test_common::orthanc::Orthanc;

/// What WADO-RS is asked for, as our client asks.
const ACCEPT: &str = r#"Accept: multipart/related; type="application/dicom"; transfer-syntax=*"#;

/// The 300-slice series' files and its study UID.
fn ct300() -> (String, Vec<(String, String, PathBuf)>) {
    let (_, index) = common::ct300();
    let study = index
        .studies()
        .find(|st| st.series.iter().any(|se| se.instances.len() >= 300))
        .unwrap_or_else(|| fail("no 300-slice series"));
    let files = test_common::study_files(study);
    (study.study_uid.clone(), files)
}

/// Runs curl with a config of `url` / `output` pairs.
fn curl(config: &Path, out: &Path, parallel: bool) -> Duration {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap_or_else(|e| fail(&format!("mkdir: {e}")));
    let (time, status) = common::best(1, || {
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "--no-progress-meter", "--fail", "-H", ACCEPT, "-K"])
            .arg(config);
        if parallel {
            cmd.args(["--parallel", "--parallel-max", "4"]);
        }
        cmd.current_dir(out).status()
    });
    match status {
        Ok(s) if s.success() => time,
        other => fail(&format!("curl failed: {other:?}")),
    }
}

fn main() {
    let (study, files) = ct300();
    let orthanc = Orthanc::start();
    let paths: Vec<PathBuf> = files.iter().map(|f| f.2.clone()).collect();
    orthanc.upload(&paths);
    let bytes: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let base = orthanc.dicomweb_url();
    let scratch = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
    let config = scratch.path().join("urls.txt");
    let lines: String = files
        .iter()
        .map(|(series, sop, _)| {
            format!(
                "url = \"{base}/studies/{study}/series/{series}/instances/{sop}\"\noutput = \"{sop}.multipart\"\n"
            )
        })
        .collect();
    std::fs::write(&config, lines).unwrap_or_else(|e| fail(&format!("write: {e}")));

    let server =
        Server::DicomWeb(DicomWebServer::parse(&base).unwrap_or_else(|e| fail(&e.to_string())));
    let mut ours = Duration::MAX;
    let mut seq = Duration::MAX;
    let mut par = Duration::MAX;
    for run in 0..3 {
        let out = scratch.path().join(format!("ours{run}"));
        let (t, report) = common::best(1, || {
            server.retrieve(&study, &out, &mut |_| {}, &Cancel::new())
        });
        match report {
            Ok(r) if r.retrieved == files.len() => ours = ours.min(t),
            other => fail(&format!("retrieve: {other:?}")),
        }
        seq = seq.min(curl(&config, &scratch.path().join("curl"), false));
        par = par.min(curl(&config, &scratch.path().join("curl4"), true));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mb = bytes as f64 / 1e6;
    println!(
        "retrieval of a {}-image study ({mb:.0} MB) from a loopback Orthanc, best of 3",
        files.len()
    );
    println!("| client | time | MB/s | lightbox ÷ client |");
    println!("|---|---|---|---|");
    for (name, t) in [
        ("lightbox pacs retrieve (4 connections)", ours),
        ("curl, one connection", seq),
        ("curl --parallel-max 4", par),
    ] {
        println!(
            "| {name} | {:.0} ms | {:.0} | {:.2} |",
            ms(t),
            mb / t.as_secs_f64(),
            ms(ours) / ms(t)
        );
    }
}
