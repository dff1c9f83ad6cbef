//! `lightbox index`: scan, print the tree (or JSON) and the problems.

use clap::Args;
use lightbox::fsutil::ShowPath;
use lightbox::index::Index;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `index`.
#[derive(Args)]
pub struct IndexArgs {
    /// Folder, release folder or release root to scan.
    path: PathBuf,
    /// Print one JSON object instead of the tree.
    #[arg(long)]
    json: bool,
    /// Scan from scratch; neither read nor write the index cache.
    #[arg(long)]
    no_cache: bool,
}

/// Runs `index`.
pub fn run(a: &IndexArgs) -> anyhow::Result<ExitCode> {
    let index = super::scan::scan(&a.path, a.no_cache, a.json)?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&to_json(&index))?);
    } else {
        print_tree(&index);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `index --json` object (documented in the README).
pub fn to_json(index: &Index) -> serde_json::Value {
    let studies: Vec<_> = index
        .studies()
        .map(|st| {
            json!({
                "study_uid": st.study_uid,
                "patient_id": st.patient_id,
                "study_date": st.study_date,
                "modalities": st.modalities(),
                "description": st.description,
                "series": st.series.iter().map(|se| json!({
                    "series_uid": se.series_uid,
                    "modality": se.modality,
                    "number": se.number,
                    "description": se.description,
                    "instances": se.instances.iter().map(|i| json!({
                        "path": i.path,
                        "file_name": i.file_name,
                        "sop_uid": i.sop_uid,
                        "number": i.number,
                        "frames": i.frames,
                        "rows": i.rows,
                        "cols": i.cols,
                        "transfer_syntax": i.transfer_syntax,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "release_id": index.release_id(),
        "root": index.root,
        "counts": index.counts(),
        "studies": studies,
        "problems": index.problems,
        "warnings": index.warnings(),
        "skipped": index.skipped,
    })
}

fn print_tree(index: &Index) {
    let c = index.counts();
    match index.release_id() {
        Some(id) => outln!("Release {id}  ({})", index.scan_dir.shown()),
        None => outln!("Folder {} (no release id)", index.scan_dir.shown()),
    }
    let or_dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    for p in &index.patients {
        outln!(
            "Patient {}",
            if p.patient_id.is_empty() {
                "(no id)"
            } else {
                &p.patient_id
            }
        );
        for st in &p.studies {
            outln!(
                "  Study {}  {}  {}  \"{}\"  {} series, {} images",
                st.study_uid,
                or_dash(&st.study_date),
                st.modalities().join("/"),
                or_dash(&st.description),
                st.series.len(),
                st.instance_count()
            );
            for se in &st.series {
                let frames: u64 = se.instances.iter().map(|i| u64::from(i.frames)).sum();
                let ts = se
                    .instances
                    .first()
                    .map(|i| lightbox::pixel::transfer_syntax_name(&i.transfer_syntax))
                    .unwrap_or_default();
                outln!(
                    "    Series {:>4}  {:<3} \"{}\"  {} images, {} frames  [{}]  {}",
                    se.number.map_or("-".into(), |n| n.to_string()),
                    or_dash(&se.modality),
                    or_dash(&se.description),
                    se.instances.len(),
                    frames,
                    ts,
                    se.series_uid
                );
            }
        }
    }
    if !index.skipped.is_empty() {
        outln!("Skipped ({}):", index.skipped.len());
        for s in &index.skipped {
            outln!("  {}: {}", s.reason, s.path.shown());
        }
    }
    if !index.problems.is_empty() {
        outln!("Problems ({}):", index.problems.len());
        for p in &index.problems {
            outln!("  {}: {}", p.error, p.path.shown());
        }
    }
    let warnings = index.warnings();
    if !warnings.is_empty() {
        outln!("Warnings ({}):", warnings.len());
        for w in &warnings {
            outln!("  {}: {}", w.error, w.path.shown());
        }
    }
    outln!(
        "{} files scanned ({} from cache): {} studies, {} series, {} instances, {} frames, {} problems",
        c.files_scanned,
        index.files_from_cache,
        c.studies,
        c.series,
        c.instances,
        c.frames,
        c.problems
    );
}
