//! Importing a file of decisions, whichever of the two formats it is.
//!
//! Reviewers hand around keep-lists (the TAKEOUT format) and decisions csvs
//! (`LEVEL,UID,DECISION[,REASON]`); the header tells them apart, so one menu item
//! and one CLI option take both.

use crate::fsutil::ShowPath;
use std::path::{Path, PathBuf};

use super::ReleaseImages;
use super::decisions_csv::{DecisionsCsvError, import_decisions_csv};
use super::explicit::Change;
use super::import::{ImportError, import_keep_list};

/// Which format a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// A TAKEOUT keep-list: complete by definition (unlisted images are dropped), so it
    /// replaces every earlier decision.
    KeepList,
    /// A decisions csv: the decisions it names.
    DecisionsCsv,
}

/// Why a decisions file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportFileError {
    /// The file could not be read.
    #[error("cannot read the file to import: {source}: {}", .path.shown())]
    Read {
        /// The I/O error.
        source: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// The header is neither format's.
    #[error(
        "not a keep-list (header STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name) \
         nor a decisions csv (header LEVEL,UID,DECISION[,REASON]): {}", .path.shown()
    )]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A keep-list with rows that cannot be resolved.
    #[error(transparent)]
    KeepList(#[from] ImportError),
    /// A decisions csv with bad rows.
    #[error(transparent)]
    DecisionsCsv(#[from] DecisionsCsvError),
}

/// Reads `path` as a keep-list or a decisions csv (by its header) and returns the
/// changes it stands for on `release`.
pub fn import_file(
    path: &Path,
    release: &ReleaseImages,
) -> Result<(ImportKind, Vec<Change>), ImportFileError> {
    let bytes = std::fs::read(path).map_err(|source| ImportFileError::Read {
        source,
        path: path.to_path_buf(),
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let header = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    if header.starts_with("STUDY_INSTANCE_UID") {
        Ok((ImportKind::KeepList, import_keep_list(path, release)?))
    } else if header.starts_with("LEVEL") {
        Ok((
            ImportKind::DecisionsCsv,
            import_decisions_csv(path, release)?,
        ))
    } else {
        Err(ImportFileError::UnknownFormat {
            path: path.to_path_buf(),
        })
    }
}
