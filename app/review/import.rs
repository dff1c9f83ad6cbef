//! Turning a keep-list back into decisions, so a handed-in list can be audited in the
//! browser or a review resumed from it.
//!
//! A keep-list is a positive list: every listed image is Keep, every other image is
//! Drop. The changes say that at the coarsest exact level, mirroring how the writer
//! picks rows: a study wholly listed is one study Keep, any other study one study
//! Drop; inside a partly listed study a wholly listed series is one series Keep (the
//! rest inherit the study's Drop); inside a partly listed series each listed image is
//! an image Keep. Applied to an empty [`Decisions`](super::explicit::Decisions), they
//! give back exactly the list's kept set, so decide → takeout → import is the
//! identity on effective decisions (undecided images come back as Drop, which is what
//! the list says about them).

use crate::fsutil::ShowPath;
use std::path::{Path, PathBuf};

use super::explicit::Change;
use super::keeplist_check::{RowProblem, read_keep_list};
use super::spans::Spans;
use super::{Decision, Level, ReleaseImages, Target};

/// Why a keep-list could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read the keep-list to import: {source}: {}", .path.shown())]
    Read {
        /// The I/O error.
        source: std::io::Error,
        /// The list's path.
        path: PathBuf,
    },
    /// Rows whose images cannot be told (unknown UIDs, bad shapes, wrong header).
    #[error("cannot import the keep-list: {}: {}", join(.problems), .path.shown())]
    Invalid {
        /// The findings that make the kept set uncertain.
        problems: Vec<RowProblem>,
        /// The list's path.
        path: PathBuf,
    },
}

fn join(problems: &[RowProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Reads the keep-list at `path` and returns the changes that reproduce it on
/// `release`, each with the reason `imported from <file name>`.
pub fn import_keep_list(path: &Path, release: &ReleaseImages) -> Result<Vec<Change>, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Read {
        source,
        path: path.to_path_buf(),
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    keep_list_changes(&bytes, release, &format!("imported from {name}")).map_err(|problems| {
        ImportError::Invalid {
            problems,
            path: path.to_path_buf(),
        }
    })
}

/// The changes that make every image the list `bytes` keeps Keep and every other
/// image of `release` Drop, each with `reason`; or the findings that make the kept
/// set uncertain (form-only findings such as LF line ends do not stop an import).
pub fn keep_list_changes(
    bytes: &[u8],
    release: &ReleaseImages,
    reason: &str,
) -> Result<Vec<Change>, Vec<RowProblem>> {
    let spans = Spans::of(release);
    let read = read_keep_list(bytes, release, &spans);
    let blocking: Vec<RowProblem> = read
        .problems
        .into_iter()
        .filter(|p| p.problem.affects_images())
        .collect();
    if !blocking.is_empty() {
        return Err(blocking);
    }
    let mut changes = Vec::new();
    let mut change = |level, uid: &str, decision| {
        changes.push(Change {
            target: Target {
                level,
                uid: uid.to_owned(),
            },
            decision,
            reason: reason.to_owned(),
        })
    };
    let all = |range: &std::ops::Range<usize>| read.listed[range.clone()].iter().all(|&l| l);
    for study in &spans.studies {
        let study_uid = &release.images[study.images.start].study_uid;
        if all(&study.images) {
            change(Level::Study, study_uid, Decision::Keep);
            continue;
        }
        change(Level::Study, study_uid, Decision::Drop);
        for series in &spans.series[study.series.clone()] {
            if all(&series.images) {
                let series_uid = &release.images[series.images.start].series_uid;
                change(Level::Series, series_uid, Decision::Keep);
                continue;
            }
            for i in series.images.clone().filter(|&i| read.listed[i]) {
                change(Level::Image, &release.images[i].sop_uid, Decision::Keep);
            }
        }
    }
    Ok(changes)
}
