//! Reading the headers of every file under a folder, in parallel.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::instance::Instance;
use crate::dicom_file::{self, OpenError};

/// A file on disk with the stamp used to tell whether it changed.
#[derive(Debug, Clone)]
pub struct FileStamp {
    /// Absolute path.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, ns since the Unix epoch.
    pub mtime_ns: i64,
}

/// What scanning one file gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileOutcome {
    /// A DICOM image instance.
    Instance(Box<Instance>),
    /// Not an image to index (not DICOM, or a DICOMDIR): skipped without complaint.
    Skipped(String),
    /// A file that should have been readable but is not.
    Problem(String),
}

/// Lists every regular file under `dir` (following links), sorted by path;
/// unreadable entries become problems.
///
/// Folders are listed in parallel: on a cold disk or a network copy, listing and
/// stat-ing is what reopening a cached release costs, and it overlaps well.
pub fn list_files(dir: &Path) -> (Vec<FileStamp>, Vec<(PathBuf, String)>) {
    list_files_counted(dir, &|_| {})
}

/// Like [`list_files`], and tells `listed` how many files each folder held as soon as
/// it is stat-ed: checking a cached release for changes is this walk, and a viewer
/// shows its progress.
pub fn list_files_counted(
    dir: &Path,
    listed: &(dyn Fn(usize) + Sync),
) -> (Vec<FileStamp>, Vec<(PathBuf, String)>) {
    let (mut files, problems) = list_dir(dir, 0, listed);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, problems)
}

/// Deeper than this is a link loop, not a release.
const MAX_DEPTH: usize = 64;

fn list_dir(
    dir: &Path,
    depth: usize,
    listed: &(dyn Fn(usize) + Sync),
) -> (Vec<FileStamp>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if depth > MAX_DEPTH {
        problems.push((
            dir.to_path_buf(),
            format!("folders nested deeper than {MAX_DEPTH} (a link loop?)"),
        ));
        return (files, problems);
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push((dir.to_path_buf(), format!("cannot list folder: {e}")));
            return (files, problems);
        }
    };
    let mut subdirs = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push((dir.to_path_buf(), format!("cannot list folder: {e}")));
                continue;
            }
        };
        let path = entry.path();
        // `metadata` follows links, so a linked folder is listed like a real one.
        match std::fs::metadata(&path) {
            Ok(md) if md.is_dir() => subdirs.push(path),
            Ok(md) if md.is_file() => files.push(FileStamp {
                path,
                size: md.len(),
                mtime_ns: md
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as i64),
            }),
            Ok(_) => {}
            Err(e) => problems.push((path, e.to_string())),
        }
    }
    if !files.is_empty() {
        listed(files.len());
    }
    let nested: Vec<_> = subdirs
        .par_iter()
        .map(|d| list_dir(d, depth + 1, listed))
        .collect();
    for (f, p) in nested {
        files.extend(f);
        problems.extend(p);
    }
    (files, problems)
}

/// Reads the header of one file (stops before Pixel Data).
pub fn scan_file(stamp: &FileStamp) -> FileOutcome {
    let is_dcm = stamp
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("dcm"));
    let file = match dicom_file::open(&stamp.path, true) {
        Ok(f) => f,
        Err(OpenError::NotDicom) if !is_dcm => {
            return FileOutcome::Skipped("not a DICOM file".into());
        }
        Err(e) => return FileOutcome::Problem(e.to_string()),
    };
    if file.is_dicomdir() {
        return FileOutcome::Skipped(
            "DICOMDIR (a directory index; the folder itself is scanned instead)".into(),
        );
    }
    let mut inst = match Instance::from_dataset(
        &stamp.path,
        stamp.size,
        stamp.mtime_ns,
        &file.transfer_syntax,
        &file.dataset,
    ) {
        Ok(i) => i,
        Err(e) => {
            // A header cut short parses "successfully" up to the cut when reading stops
            // early; a full parse names the real reason.
            let reason = match dicom_file::open(&stamp.path, false) {
                Err(full) => full.to_string(),
                Ok(_) => e.to_string(),
            };
            return FileOutcome::Problem(reason);
        }
    };
    inst.warnings.extend(file.warnings);
    if inst.rows == 0 || inst.cols == 0 {
        return FileOutcome::Skipped(format!(
            "no image (SOP class {})",
            if inst.sop_class_uid.is_empty() {
                "unknown"
            } else {
                &inst.sop_class_uid
            }
        ));
    }
    if crate::pixel::is_native_syntax(&inst.transfer_syntax)
        && inst.transfer_syntax != dicom_dictionary_std::uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN
        && inst.file_size < inst.native_pixel_bytes()
    {
        return FileOutcome::Problem(format!(
            "truncated: the file has {} bytes but its pixel data needs {}",
            inst.file_size,
            inst.native_pixel_bytes()
        ));
    }
    FileOutcome::Instance(Box::new(inst))
}
