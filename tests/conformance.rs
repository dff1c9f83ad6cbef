//! Conformance against pydicom on the public DICOM test files that pip packages ship.
//!
//! Lightbox is judged on real-world files from public test suites, so this test
//! runs `tests/conformance/compare_pydicom.py`, which decodes every file of
//! pydicom's own test data (and the `pydicom-data` package's) with pydicom and
//! with `lightbox decode`, and compares them frame by frame. The script only
//! reports; this test decides: no `mismatch` and no `lightbox-error`, except for
//! the files in [`KNOWN_GAPS`], and every known gap must still fail, so the list
//! shrinks as gaps get fixed.
//!
//! The reference runs in a virtual environment at `target/conformance-venv`
//! (or `$LIGHTBOX_CONFORMANCE_VENV`), created on first use with the pinned
//! wheels pinned in `tests/conformance/requirements.txt`. Python 3 with `venv` and network access to PyPI
//! on first use are required: without them the test fails with the fix, it never
//! passes silently. Nothing else is downloaded at run time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

mod common;
use common::python::{require_success, run};

/// Files (named as the script names them) that Lightbox gets wrong today, and why.
///
/// A file here may mismatch or fail to decode without failing the test; once it
/// passes, the test fails until it is removed, so this list only shrinks.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// Fewer files compared than this means the harness found no test data, not that all is well.
const MIN_FILES_COMPARED: u64 = 150;

/// The repository root, to find the script.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The reference stack's interpreter (`target/conformance-venv`).
fn ensure_venv() -> PathBuf {
    common::python::venv("conformance")
}

/// A result field as text, for messages.
fn field(r: &Value, key: &str) -> String {
    match r.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "-".to_owned(),
        Some(v) => v.to_string(),
    }
}

/// One line saying what went wrong for a failing (file, frame), with the pixel-module facts.
fn describe(r: &Value) -> String {
    let what = match field(r, "status").as_str() {
        "lightbox-error" => field(r, "lightbox_error"),
        _ => format!(
            "max diff {} (tolerance {}), {} of pixels beyond tolerance, shapes {} vs pydicom {}; {}",
            field(r, "max_diff"),
            field(r, "tolerance"),
            field(r, "beyond_tolerance_fraction"),
            field(r, "shape_lightbox"),
            field(r, "shape_pydicom"),
            field(r, "hints"),
        ),
    };
    format!(
        "{} frame {}: {} [{}, {}, BA {} BS {} PR {} SPP {} PC {}]: {what}",
        field(r, "name"),
        field(r, "frame"),
        field(r, "status"),
        field(r, "transfer_syntax_name"),
        field(r, "photometric"),
        field(r, "bits_allocated"),
        field(r, "bits_stored"),
        field(r, "pixel_representation"),
        field(r, "samples_per_pixel"),
        field(r, "planar_configuration"),
    )
}

/// The whole check: run the harness, then hold its report against [`KNOWN_GAPS`].
#[test]
fn decodes_pydicom_test_files_like_pydicom() {
    let python = ensure_venv();
    let script = repo().join("tests/conformance/compare_pydicom.py");
    let out = run(
        Command::new(&python)
            .arg(&script)
            .arg("--lightbox")
            .arg(env!("CARGO_BIN_EXE_lightbox"))
            .arg("--json"),
        "running compare_pydicom.py",
        "",
    );
    // The table (stderr) is shown by `cargo test` when this test fails.
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    require_success(&out, "compare_pydicom.py (the harness itself)", "");
    let report: Value =
        serde_json::from_slice(&out.stdout).expect("the harness prints a JSON report");

    let compared = report["summary"]["files_compared"].as_u64().unwrap_or(0);
    assert!(
        compared >= MIN_FILES_COMPARED,
        "only {compared} files compared (expected at least {MIN_FILES_COMPARED}): are pydicom and pydicom-data installed beside {}?",
        python.display()
    );

    let results = report["results"].as_array().expect("results array");
    // Files for which pydicom gave a reference for at least one frame.
    let with_reference: BTreeSet<&str> = results
        .iter()
        .filter(|r| !matches!(r["status"].as_str(), Some("pydicom-error" | "both-error")))
        .filter_map(|r| r["name"].as_str())
        .collect();
    let mut failing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in results {
        let status = r["status"].as_str().unwrap_or("");
        if status == "mismatch" || status == "lightbox-error" {
            let name = r["name"].as_str().unwrap_or("?");
            failing.entry(name).or_default().push(describe(r));
        }
    }
    let known: BTreeMap<&str, &str> = KNOWN_GAPS.iter().copied().collect();

    let mut problems = Vec::new();
    for (name, lines) in &failing {
        if !known.contains_key(name) {
            problems.extend(lines.iter().map(|l| format!("NEW FAILURE {l}")));
        }
    }
    for (name, reason) in KNOWN_GAPS {
        if !with_reference.contains(name) {
            problems.push(format!(
                "known gap {name} has no pydicom reference (file gone or renamed, or pydicom cannot decode it): remove from KNOWN_GAPS"
            ));
        } else if !failing.contains_key(name) {
            problems.push(format!(
                "known gap {name} now matches pydicom ({reason}): remove from KNOWN_GAPS"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} conformance problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
