//! Writing the TAKEOUT keep-list safely: refuse, write atomically, prove.
//!
//! A wrong list can cost the team its data access, so writing is all-or-nothing:
//! every reason to refuse (undecided images, a bad project code or release id, names
//! the rules forbid, file names that do not tell images apart, an existing list) is
//! collected and reported at once before a byte is written. The list goes through
//! [`write_atomic`], then is read back from disk, expanded to images with the same
//! reader that audits other people's lists, and compared with the kept set.
//!
//! Place: the manual (chapter 3) says 「檔案置放位置： /mnt/nfs/TAKEOUT 目錄下」 — directly
//! in `TAKEOUT/` — while chapter 2 asks for files being carried out to sit in a
//! folder named by the take-out date. The caller chooses `out_dir`; `TAKEOUT/` itself
//! is the default chapter 3 asks for.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use super::effective::Effective;
use super::keeplist::{KeepRow, keep_list_bytes, keep_rows};
use super::keeplist_check::{check_keep_list, read_keep_list};
use super::naming::{is_valid_file_name, is_valid_project_code, is_valid_uid, keep_list_file_name};
use super::{Decision, Level, ReleaseImages};
use crate::fsutil::{ShowPath, write_atomic};
use crate::release::is_release_id;

/// What to do with images still undecided when the list is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndecidedPolicy {
    /// Refuse to write while any image is undecided.
    Refuse,
    /// Treat undecided images as dropped (they get no row).
    Drop,
}

/// One reason the list was not written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The project code breaks the naming rule.
    ProjectCode(String),
    /// The release id is not known (the release was not opened from its NHI layout).
    ReleaseIdUnknown,
    /// The release id does not match `^[0-9]{8}_[0-9]{6}$`.
    ReleaseId(String),
    /// The effective decisions were computed for another release.
    StaleDecisions {
        /// Images the decisions cover.
        decided: usize,
        /// Images of the release.
        images: usize,
    },
    /// Images are undecided and the policy is [`UndecidedPolicy::Refuse`].
    Undecided {
        /// How many.
        images: usize,
    },
    /// A UID or file name the list would carry breaks the naming rules.
    InvalidName {
        /// What the value is: `study UID`, `series UID` or `file name`.
        what: &'static str,
        /// The value.
        value: String,
    },
    /// An image row would name several images of one series.
    AmbiguousFileName {
        /// Series Instance UID.
        series: String,
        /// The shared file name.
        file: String,
    },
    /// A list with this name exists and overwriting was not asked for.
    Exists,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProjectCode(code) => write!(
                f,
                "project code {code:?} is not ASCII letters and digits (with '-' after the first)"
            ),
            Self::ReleaseIdUnknown => write!(
                f,
                "the release id is unknown (open the release from its IMAGE/<release> folder)"
            ),
            Self::ReleaseId(id) => write!(f, "release id {id:?} is not 8 digits, '_', 6 digits"),
            Self::StaleDecisions { decided, images } => write!(
                f,
                "the decisions cover {decided} images but the release has {images}; recompute them"
            ),
            Self::Undecided { images } => write!(
                f,
                "{images} image(s) are still undecided (decide them, or choose to drop undecided images)"
            ),
            Self::InvalidName { what, value } => {
                write!(f, "{what} {value:?} breaks the naming rules")
            }
            Self::AmbiguousFileName { series, file } => write!(
                f,
                "file name {file} names more than one image of series {series}, so an image row cannot tell them apart"
            ),
            Self::Exists => write!(f, "the list already exists (ask to overwrite it)"),
        }
    }
}

/// Why a keep-list was not written, or not proven right.
#[derive(Debug, thiserror::Error)]
pub enum KeepListError {
    /// Nothing was written, for these reasons.
    #[error("refusing to write the keep-list: {}: {}", join(.reasons), .path.shown())]
    Refused {
        /// Every reason found.
        reasons: Vec<Refusal>,
        /// The list's path.
        path: PathBuf,
    },
    /// Writing failed (the old file, if any, is untouched).
    #[error("cannot write the keep-list: {source}: {}", .path.shown())]
    Write {
        /// The I/O error.
        source: std::io::Error,
        /// The list's path.
        path: PathBuf,
    },
    /// Reading the written list back failed.
    #[error("cannot read the keep-list back after writing: {source}: {}", .path.shown())]
    Reread {
        /// The I/O error.
        source: std::io::Error,
        /// The list's path.
        path: PathBuf,
    },
    /// The list does not say what the decisions say; it was removed (or never written).
    #[error("the keep-list does not match the decisions, so it was not kept: {detail}: {}", .path.shown())]
    Verify {
        /// What differs.
        detail: String,
        /// The list's path.
        path: PathBuf,
    },
}

fn join(reasons: &[Refusal]) -> String {
    reasons
        .iter()
        .map(Refusal::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a written and re-read list holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeepListReport {
    /// Where it was written.
    pub path: PathBuf,
    /// Study rows.
    pub study_rows: usize,
    /// Series rows.
    pub series_rows: usize,
    /// Image rows.
    pub image_rows: usize,
    /// Images the list keeps.
    pub kept_images: usize,
    /// Bytes of the images the list keeps.
    pub kept_bytes: u64,
    /// Images the list leaves out (undecided ones included).
    pub dropped_images: usize,
    /// Bytes of the images the list leaves out.
    pub dropped_bytes: u64,
    /// Of the images left out, those that were undecided (dropped by the policy).
    pub undecided_dropped_images: usize,
}

/// Writes `<project_code>_<release>.csv` into `out_dir` with a row for every image
/// `effective` marks Keep (see [`super::keeplist`] for rows and bytes), then re-reads
/// it and proves it keeps exactly those images.
///
/// Refuses, writing nothing, for any [`Refusal`]; an existing list is replaced only
/// when `overwrite` is true.
pub fn write_keep_list(
    out_dir: &Path,
    project_code: &str,
    release: &ReleaseImages,
    effective: &Effective,
    policy: UndecidedPolicy,
    overwrite: bool,
) -> Result<KeepListReport, KeepListError> {
    let release_id = release.release_id.as_deref();
    let file_name = keep_list_file_name(project_code, release_id.unwrap_or_default());
    let path = out_dir.join(&file_name);
    let refused = |reasons| KeepListError::Refused {
        reasons,
        path: path.clone(),
    };

    let mut reasons = Vec::new();
    if !is_valid_project_code(project_code) {
        reasons.push(Refusal::ProjectCode(project_code.to_owned()));
    }
    match release_id {
        None => reasons.push(Refusal::ReleaseIdUnknown),
        Some(id) if !is_release_id(id) => reasons.push(Refusal::ReleaseId(id.to_owned())),
        Some(_) => {}
    }
    if effective.images().len() != release.images.len() {
        reasons.push(Refusal::StaleDecisions {
            decided: effective.images().len(),
            images: release.images.len(),
        });
        return Err(refused(reasons));
    }
    let undecided = effective.release_counts().undecided_images;
    if undecided > 0 && policy == UndecidedPolicy::Refuse {
        reasons.push(Refusal::Undecided { images: undecided });
    }
    let rows = keep_rows(release, effective);
    reasons.extend(name_refusals(&rows, release, effective));
    if path.exists() && !overwrite {
        reasons.push(Refusal::Exists);
    }
    if !reasons.is_empty() {
        return Err(refused(reasons));
    }

    let bytes = keep_list_bytes(&rows);
    let prove = |bytes: &[u8]| {
        verify(bytes, release, effective, project_code, &file_name).map_err(|detail| {
            KeepListError::Verify {
                detail,
                path: path.clone(),
            }
        })
    };
    prove(&bytes)?;
    write_atomic(&path, &bytes).map_err(|source| KeepListError::Write {
        source,
        path: path.clone(),
    })?;
    let written = std::fs::read(&path).map_err(|source| KeepListError::Reread {
        source,
        path: path.clone(),
    })?;
    match prove(&written) {
        Ok(report) => Ok(KeepListReport { path, ..report }),
        Err(error) => {
            // A list that does not say what was decided must not be handed in. A failed
            // removal leaves the file, but the error still tells the user it is wrong.
            let _ = std::fs::remove_file(&path);
            Err(error)
        }
    }
}

/// Names in `rows` that break the rules, and image rows that name several images.
fn name_refusals(rows: &[KeepRow], release: &ReleaseImages, effective: &Effective) -> Vec<Refusal> {
    let spans = effective.spans();
    let mut reasons: Vec<Refusal> = Vec::new();
    let mut seen: HashSet<Refusal> = HashSet::new();
    let mut refuse = |reason: Refusal| {
        if seen.insert(reason.clone()) {
            reasons.push(reason);
        }
    };
    for row in rows {
        if !is_valid_uid(&row.study_uid) {
            refuse(Refusal::InvalidName {
                what: "study UID",
                value: row.study_uid.clone(),
            });
        }
        if row.level() == Some(Level::Study) {
            continue;
        }
        if !is_valid_uid(&row.series_uid) {
            refuse(Refusal::InvalidName {
                what: "series UID",
                value: row.series_uid.clone(),
            });
        }
        if row.level() != Some(Level::Image) {
            continue;
        }
        if !is_valid_file_name(&row.file_name) {
            refuse(Refusal::InvalidName {
                what: "file name",
                value: row.file_name.clone(),
            });
        }
        let sharing = spans
            .find_study(release, &row.study_uid)
            .and_then(|study| spans.find_series(release, study, &row.series_uid))
            .map(|series| spans.find_files(release, series, &row.file_name).len());
        if sharing.is_some_and(|n| n > 1) {
            refuse(Refusal::AmbiguousFileName {
                series: row.series_uid.clone(),
                file: row.file_name.clone(),
            });
        }
    }
    reasons
}

/// Reads `bytes` as the list named `file_name` and proves it exact and equal to the
/// kept set; returns the counts (with an empty path) or what differs.
fn verify(
    bytes: &[u8],
    release: &ReleaseImages,
    effective: &Effective,
    project_code: &str,
    file_name: &str,
) -> Result<KeepListReport, String> {
    let problems = check_keep_list(bytes, release, Some(project_code), file_name);
    if !problems.is_empty() {
        let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(found.join("; "));
    }
    let read = read_keep_list(bytes, release, effective.spans());
    let mut report = KeepListReport::default();
    for row in &read.rows {
        match row.row.level() {
            Some(Level::Study) => report.study_rows += 1,
            Some(Level::Series) => report.series_rows += 1,
            Some(Level::Image) => report.image_rows += 1,
            None => {}
        }
    }
    let mut differ = 0;
    for ((image, &listed), &decision) in release
        .images
        .iter()
        .zip(&read.listed)
        .zip(effective.images())
    {
        if listed != (decision == Decision::Keep) {
            differ += 1;
        }
        if listed {
            report.kept_images += 1;
            report.kept_bytes += image.bytes;
        } else {
            report.dropped_images += 1;
            report.dropped_bytes += image.bytes;
            if decision == Decision::Undecided {
                report.undecided_dropped_images += 1;
            }
        }
    }
    if differ > 0 {
        return Err(format!(
            "{differ} image(s) are listed differently from their decisions ({} listed, {} kept)",
            report.kept_images,
            effective.release_counts().kept_images
        ));
    }
    Ok(report)
}
