//! DICOMDIR media: a CD, DVD or USB export whose folder holds a `DICOMDIR`.
//!
//! Media exports (PS3.10 file sets) name their files with up to eight components of
//! up to eight upper-case characters and no extension (`DICOM/PA000000/ST000000/IM000001`)
//! and list every one in a DICOMDIR (PS3.3 F.5, Media Storage Directory Storage):
//! a Directory Record Sequence of PATIENT, STUDY, SERIES and IMAGE (or SR, PRESENTATION,
//! …) records, the leaves naming their file by Referenced File ID, relative to the
//! DICOMDIR's folder.
//!
//! **The files are the truth, the DICOMDIR is the map.** The folder is still walked
//! and every file read, so the index of a medium is the index a plain walk gives of
//! the same files (same instances, series and studies, same keys); the DICOMDIR is
//! used to find listed files outside the walked folder and to check the medium. What
//! the two disagree on is said, never silently resolved:
//!
//! - a listed file missing on disk is a *problem* at the path the DICOMDIR gives;
//! - a DICOM image on disk the DICOMDIR does not list is indexed with a *warning*;
//! - a listed SOP Instance UID that differs from the file's is a *warning* on the
//!   file (the file's UID is the one indexed);
//! - a DICOMDIR that cannot be read (truncated, corrupt, too large, not a DICOMDIR)
//!   is a *problem* naming it, and the folder is walked as if it had none.
//!
//! Several media copied into one folder (`CD1/DICOMDIR`, `CD2/DICOMDIR`) are each
//! checked against their own DICOMDIR: a file answers to the innermost DICOMDIR
//! above it.
//!
//! Names are matched without case: media are written in upper case, and a copy on
//! a disk may come out lower case (Windows compares names without case anyway).
//!
//! The records are read **in sequence order**; the offsets (Offset of the Next
//! Directory Record, of the Referenced Lower-Level Directory Entity) are not followed,
//! so an offset that loops or points nowhere cannot hurt. Every record with a
//! Referenced File ID is a file reference, whatever its type; the hierarchy is not
//! needed to find files. The DICOMDIR is parsed through [`crate::dicom_file::open`],
//! which checks every declared length against the bytes before allocating, and is
//! refused above [`MAX_DICOMDIR_BYTES`].

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use dicom_dictionary_std::tags;

use super::instance::Instance;
use super::scan::{FileOutcome, FileStamp};
use crate::attrs::{text, texts};
use crate::dicom_file::{self, OpenError};
use crate::fsutil::ShowPath;

/// The largest DICOMDIR read (a DVD of 100,000 images has one of about 50 MB).
pub const MAX_DICOMDIR_BYTES: u64 = 256 * 1024 * 1024;

/// Components a Referenced File ID may have (PS3.10 allows 8; some writers use more).
const MAX_COMPONENTS: usize = 32;

/// One directory record that references a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Directory Record Type (`IMAGE`, `SR DOCUMENT`, …).
    pub record_type: String,
    /// Referenced File ID: the components of the path below the DICOMDIR's folder.
    pub file_id: Vec<String>,
    /// Referenced SOP Class UID in File.
    pub sop_class_uid: Option<String>,
    /// Referenced SOP Instance UID in File.
    pub sop_instance_uid: Option<String>,
}

/// A DICOMDIR as read: the file references, in record order.
#[derive(Debug, Clone)]
pub struct Dicomdir {
    /// The DICOMDIR file.
    pub path: PathBuf,
    /// The records that reference a file.
    pub files: Vec<FileRecord>,
    /// Records refused (a Referenced File ID leaving the folder, or malformed): the
    /// record's number in the sequence (from 1) and why.
    pub refused: Vec<(usize, String)>,
}

/// Why a DICOMDIR could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DicomdirError {
    /// Larger than [`MAX_DICOMDIR_BYTES`].
    #[error("DICOMDIR of {size} bytes is larger than {MAX_DICOMDIR_BYTES}: {}", .path.shown())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// It could not be read or parsed (truncated, corrupt).
    #[error("cannot read DICOMDIR: {source}: {}", .path.shown())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: OpenError,
    },
    /// It parsed, but it is not a Media Storage Directory.
    #[error("not a DICOMDIR (Media Storage SOP Class {class}): {}", .path.shown())]
    NotADicomdir {
        /// The file.
        path: PathBuf,
        /// Its Media Storage SOP Class UID (`none` when absent).
        class: String,
    },
    /// It has no Directory Record Sequence.
    #[error("DICOMDIR without a Directory Record Sequence: {}", .path.shown())]
    NoRecords {
        /// The file.
        path: PathBuf,
    },
}

/// The file named `DICOMDIR` (any case) directly in `dir`, if any (the first by
/// name when case variants coexist).
pub fn find(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_name().eq_ignore_ascii_case("DICOMDIR"))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}

/// Reads the DICOMDIR at `path`: every record with a Referenced File ID, in order.
pub fn read(path: &Path) -> Result<Dicomdir, DicomdirError> {
    let size = std::fs::metadata(path)
        .map_err(|e| DicomdirError::Open {
            path: path.to_path_buf(),
            source: OpenError::Io(e),
        })?
        .len();
    if size > MAX_DICOMDIR_BYTES {
        return Err(DicomdirError::TooLarge {
            path: path.to_path_buf(),
            size,
        });
    }
    let file = dicom_file::open(path, false).map_err(|source| DicomdirError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    if !file.is_dicomdir() {
        return Err(DicomdirError::NotADicomdir {
            path: path.to_path_buf(),
            class: file
                .media_storage_sop_class
                .clone()
                .unwrap_or_else(|| "none".into()),
        });
    }
    let items = file
        .dataset
        .get(tags::DIRECTORY_RECORD_SEQUENCE)
        .and_then(|e| e.items())
        .ok_or_else(|| DicomdirError::NoRecords {
            path: path.to_path_buf(),
        })?;
    let mut files = Vec::new();
    let mut refused = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let file_id: Vec<String> = texts(item, tags::REFERENCED_FILE_ID);
        if file_id.is_empty() || file_id.iter().all(String::is_empty) {
            continue;
        }
        if let Err(why) = check_file_id(&file_id) {
            refused.push((i + 1, why));
            continue;
        }
        files.push(FileRecord {
            record_type: text(item, tags::DIRECTORY_RECORD_TYPE).unwrap_or_default(),
            file_id,
            sop_class_uid: text(item, tags::REFERENCED_SOP_CLASS_UID_IN_FILE),
            sop_instance_uid: text(item, tags::REFERENCED_SOP_INSTANCE_UID_IN_FILE),
        });
    }
    Ok(Dicomdir {
        path: path.to_path_buf(),
        files,
        refused,
    })
}

/// A Referenced File ID must name a file below the DICOMDIR's folder: plain
/// components, none empty, `.`, `..`, a root or a drive.
fn check_file_id(id: &[String]) -> Result<(), String> {
    let shown = id.join("\\");
    if id.len() > MAX_COMPONENTS {
        return Err(format!(
            "Referenced File ID {shown} has {} components (at most {MAX_COMPONENTS})",
            id.len()
        ));
    }
    for c in id {
        let plain = matches!(
            Path::new(c).components().collect::<Vec<_>>().as_slice(),
            [Component::Normal(_)]
        );
        if c.is_empty() || !plain || c.contains(['/', '\\', ':']) {
            return Err(format!(
                "Referenced File ID {shown} does not name a file below the DICOMDIR's folder"
            ));
        }
    }
    Ok(())
}

/// The case-folded key of a path below a folder: components lower-cased, joined by `/`.
fn key<S: AsRef<str>>(components: impl IntoIterator<Item = S>) -> String {
    components
        .into_iter()
        .map(|c| c.as_ref().to_lowercase())
        .collect::<Vec<_>>()
        .join("/")
}

/// The key of `path` below `folder`, `None` when it is not below it.
fn key_below(folder: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(folder).ok()?;
    Some(key(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())))
}

/// What the listed file's record says, for the check against the file.
#[derive(Debug, Clone)]
struct Listed {
    /// Referenced SOP Instance UID in File.
    sop_instance_uid: Option<String>,
}

/// A DICOMDIR found in the scanned folder (or the opened one), set against the
/// files the walk found: what to add, what to report, and the notes for instances.
#[derive(Debug, Clone)]
pub struct MediaMap {
    /// The DICOMDIR file.
    pub dicomdir: PathBuf,
    /// Its folder, which Referenced File IDs are relative to.
    folder: PathBuf,
    /// Listed files by case-folded relative path; empty when the DICOMDIR was unreadable.
    listed: HashMap<String, Listed>,
    /// Why the DICOMDIR is not used, when it is not.
    error: Option<String>,
    /// Listed files found on disk that the walk did not list (outside the scanned
    /// folder): scanned too.
    pub extra: Vec<FileStamp>,
    /// `(path, reason)` for listed files missing on disk and refused records.
    pub problems: Vec<(PathBuf, String)>,
}

impl MediaMap {
    /// Every DICOMDIR of the scan, each set against the walked `files` below its
    /// folder: the ones the walk found (at any depth: several media copied into one
    /// folder, `CD1/DICOMDIR`, `CD2/DICOMDIR`), and the release root's when the walk
    /// did not reach it. Empty when there is none.
    pub fn build_all(root: &Path, scan_dir: &Path, files: &[FileStamp]) -> Vec<Self> {
        let mut paths: Vec<PathBuf> = files
            .iter()
            .filter(|f| {
                f.path
                    .file_name()
                    .is_some_and(|n| n.eq_ignore_ascii_case("DICOMDIR"))
            })
            .map(|f| f.path.clone())
            .collect();
        // Case variants in one folder: the first by name, as `find` picks.
        paths.sort();
        paths.dedup_by(|b, a| a.parent() == b.parent());
        if paths.is_empty()
            && root != scan_dir
            && let Some(at_root) = find(root)
        {
            paths.push(at_root);
        }
        paths
            .into_iter()
            .map(|path| Self::build(path, scan_dir, files))
            .collect()
    }

    /// The DICOMDIR at `path` set against the walked `files` below its folder.
    fn build(path: PathBuf, scan_dir: &Path, files: &[FileStamp]) -> Self {
        let folder = path.parent().unwrap_or(scan_dir).to_path_buf();
        let mut map = Self {
            dicomdir: path.clone(),
            folder: folder.clone(),
            listed: HashMap::new(),
            error: None,
            extra: Vec::new(),
            problems: Vec::new(),
        };
        let dir = match read(&path) {
            Ok(d) => d,
            Err(e) => {
                map.error = Some(e.to_string());
                if !path.starts_with(scan_dir) {
                    // Not walked, so its own outcome never shows: say it here.
                    if let FileOutcome::Problem(why) = map.own_outcome() {
                        map.problems.push((path.clone(), why));
                    }
                }
                return map;
            }
        };
        for (n, why) in &dir.refused {
            map.problems.push((
                path.clone(),
                format!("directory record {n}: {why}; ignored"),
            ));
        }
        let walked: HashSet<String> = files
            .iter()
            .filter_map(|f| key_below(&folder, &f.path))
            .collect();
        let mut extra_seen = HashSet::new();
        let mut listings = HashMap::new();
        for rec in dir.files {
            let k = key(&rec.file_id);
            if map.listed.contains_key(&k) {
                continue;
            }
            map.listed.insert(
                k.clone(),
                Listed {
                    sop_instance_uid: rec.sop_instance_uid.clone(),
                },
            );
            if walked.contains(&k) {
                continue;
            }
            let listed_path = rec.file_id.iter().fold(folder.clone(), |p, c| p.join(c));
            // Below the walked folder the walk saw every file there is; outside it,
            // look on disk (names matched without case).
            let found = if listed_path.starts_with(scan_dir) {
                None
            } else {
                resolve(&folder, &rec.file_id, &mut listings)
            };
            match found {
                Some(stamp) => {
                    if extra_seen.insert(stamp.path.clone()) {
                        map.extra.push(stamp);
                    }
                }
                None => map.problems.push((
                    listed_path,
                    format!(
                        "listed in the DICOMDIR ({} record {}) but missing on disk",
                        rec.record_type,
                        path.shown()
                    ),
                )),
            }
        }
        map
    }

    /// The innermost of `maps` whose folder holds `path`.
    pub fn for_path<'m>(maps: &'m [MediaMap], path: &Path) -> Option<&'m MediaMap> {
        maps.iter()
            .filter(|m| path.starts_with(&m.folder))
            .max_by_key(|m| m.folder.components().count())
    }

    /// What the index says of the DICOMDIR file itself (replacing what scanning it
    /// as an image gave).
    pub fn own_outcome(&self) -> FileOutcome {
        match &self.error {
            Some(e) => FileOutcome::Problem(format!("{e} (the folder was walked instead)")),
            None => FileOutcome::Skipped(format!(
                "DICOMDIR listing {} files (checked against the files on disk; the files are indexed)",
                self.listed.len()
            )),
        }
    }

    /// Adds a warning to `inst` (read from `path`) where the DICOMDIR disagrees with
    /// it: not listed, or listed with another SOP Instance UID.
    pub fn note(&self, path: &Path, inst: &mut Instance) {
        if self.error.is_some() {
            return;
        }
        let Some(k) = key_below(&self.folder, path) else {
            return;
        };
        match self.listed.get(&k) {
            None => inst.warnings.push(format!(
                "not listed in the DICOMDIR {} (indexed from the folder)",
                self.dicomdir.shown()
            )),
            Some(Listed {
                sop_instance_uid: Some(listed),
            }) if *listed != inst.sop_uid => inst.warnings.push(format!(
                "the DICOMDIR {} lists SOP Instance UID {listed} for this file, the file has {} (the file's is used)",
                self.dicomdir.shown(),
                if inst.sop_uid.is_empty() {
                    "none"
                } else {
                    &inst.sop_uid
                }
            )),
            Some(_) => {}
        }
    }
}

/// Folder entries by case-folded name, listed once per folder.
type Listings = HashMap<PathBuf, HashMap<String, PathBuf>>;

/// The file `components` name below `folder`, each matched without case (each
/// folder listed once, in `listings`); a stamp when it exists and is a file.
fn resolve(folder: &Path, components: &[String], listings: &mut Listings) -> Option<FileStamp> {
    let mut path = folder.to_path_buf();
    for c in components {
        let entries = listings.entry(path.clone()).or_insert_with(|| {
            std::fs::read_dir(&path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| (e.file_name().to_string_lossy().to_lowercase(), e.path()))
                .collect()
        });
        path = entries.get(&c.to_lowercase())?.clone();
    }
    let md = std::fs::metadata(&path).ok().filter(|m| m.is_file())?;
    Some(FileStamp {
        path,
        size: md.len(),
        mtime_ns: md
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> Vec<String> {
        s.split('\\').map(str::to_owned).collect()
    }

    #[test]
    fn file_ids_stay_below_the_folder() {
        assert!(check_file_id(&id("DICOM\\PA000000\\IM000001")).is_ok());
        for bad in [
            "..\\etc\\passwd",
            "A\\..\\..\\B",
            "C:",
            "A\\\\B",
            ".",
            "/abs",
        ] {
            assert!(check_file_id(&id(bad)).is_err(), "{bad}");
        }
        assert!(check_file_id(&vec!["A".to_owned(); 33]).is_err());
    }

    #[test]
    fn keys_fold_case() {
        assert_eq!(key(["DICOM", "IM0001"]), "dicom/im0001");
        assert_eq!(
            key_below(Path::new("/m"), Path::new("/m/Dicom/im0001")).as_deref(),
            Some("dicom/im0001")
        );
        assert_eq!(key_below(Path::new("/m"), Path::new("/n/x")), None);
    }

    #[test]
    fn garbage_and_missing_files_are_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("DICOMDIR");
        assert!(matches!(read(&p), Err(DicomdirError::Open { .. })));
        std::fs::write(&p, b"not dicom at all").unwrap();
        let e = read(&p).unwrap_err();
        assert!(e.to_string().contains("DICOMDIR"), "{e}");
        let mut head = vec![0u8; 128];
        head.extend_from_slice(b"DICM\x02\x00\x00\x00UL\x04\x00\xff\xff\xff\x7f");
        std::fs::write(&p, &head).unwrap();
        assert!(read(&p).is_err());
        assert_eq!(find(dir.path()), Some(p));
    }
}
