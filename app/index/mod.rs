//! The release index: every DICOM file under a folder, grouped and sorted.
//!
//! Scanning reads headers only and never stops on a bad file: each one becomes a
//! [`Problem`] with its path and reason. A per-folder SQLite cache makes
//! reopening an unchanged release cheap (see [`cache`]). A DICOMDIR in the folder
//! (CD/DVD/USB media) is read as the map of its files and checked against them
//! (see [`dicomdir`]).

pub mod cache;
pub mod case_names;
pub mod dicomdir;
pub mod instance;
pub mod priors;
pub mod reopen;
pub mod scan;
pub mod tree;

use crate::fsutil::ShowPath;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use instance::Instance;
pub use reopen::{Cached, Changes, Checked, PendingCheck};
use scan::{FileOutcome, FileStamp};
pub use tree::{Patient, Series, Study};

use crate::release::{ReleaseLayout, detect_layout};

/// A file that could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub error: String,
}

/// A file that was passed over on purpose (not DICOM, DICOMDIR, no image).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Why it is not indexed.
    pub reason: String,
}

/// How to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Neither read nor write the cache.
    pub no_cache: bool,
    /// Cache file to use instead of the default in the user's cache folder.
    pub cache_path: Option<PathBuf>,
}

/// Progress of a scan, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct ScanProgress {
    /// Files whose header has been read (or taken from the cache).
    pub done: usize,
    /// Files found.
    pub total: usize,
}

/// The scanned release.
#[derive(Debug, Clone)]
pub struct Index {
    /// The folder the user opened.
    pub root: PathBuf,
    /// Its layout and release id.
    pub layout: ReleaseLayout,
    /// The folder that was scanned.
    pub scan_dir: PathBuf,
    /// Files found.
    pub files_scanned: usize,
    /// Files taken from the cache without reparsing.
    pub files_from_cache: usize,
    /// Patients, studies, series, instances.
    pub patients: Vec<Patient>,
    /// Files that should have been readable and were not.
    pub problems: Vec<Problem>,
    /// Files passed over on purpose.
    pub skipped: Vec<Skipped>,
    /// A warning about the cache (it never fails a scan).
    pub cache_warning: Option<String>,
}

/// Why a scan could not start.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The path is not a folder.
    #[error("not a folder: {}", .0.shown())]
    NotAFolder(PathBuf),
}

/// Files scanned between two partial trees of [`Index::open_streaming`].
const PARTIAL_EVERY: usize = 1024;

impl Index {
    /// An index of instances read elsewhere (hand-made releases for tests and
    /// benchmarks): a plain folder at `root`, nothing skipped, no problems.
    pub fn from_instances(root: PathBuf, instances: Vec<Instance>) -> Self {
        Self {
            scan_dir: root.clone(),
            root,
            layout: ReleaseLayout::Plain,
            files_scanned: instances.len(),
            files_from_cache: 0,
            patients: tree::build(instances),
            problems: Vec::new(),
            skipped: Vec::new(),
            cache_warning: None,
        }
    }

    /// Scans `path` (a release root, a release folder or any folder).
    pub fn open(
        path: &Path,
        options: &ScanOptions,
        progress: &(dyn Fn(ScanProgress) + Sync),
    ) -> Result<Self, IndexError> {
        Self::open_streaming(path, options, progress, None)
    }

    /// Like [`Index::open`], and hands `partial` the tree of the files read so far
    /// every [`PARTIAL_EVERY`] files, so a viewer can fill its browser while a large
    /// release is still being read.
    ///
    /// Files whose size and mtime match the cache are not reread: their outcomes come
    /// from the cache's snapshot of the folder (one blob), else from its rows.
    pub fn open_streaming(
        path: &Path,
        options: &ScanOptions,
        progress: &(dyn Fn(ScanProgress) + Sync),
        partial: Option<&(dyn Fn(Index) + Sync)>,
    ) -> Result<Self, IndexError> {
        let walk = Walk::new(Walk::resolve(path)?, &|_| {});
        let cache_path = walk.at.cache_path(options);
        let mut cache_warning = None;
        let mut snapshot_current = false;
        let prior = if options.no_cache {
            vec![None; walk.stamps.len()]
        } else {
            match reopen::prior_from_snapshot(&cache_path, &walk) {
                Ok(Some((prior, changes))) => {
                    snapshot_current = changes.is_empty();
                    prior
                }
                Ok(None) => walk.prior_from_rows(&cache_path).unwrap_or_else(|e| {
                    cache_warning = Some(format!("{e} ({})", cache_path.shown()));
                    vec![None; walk.stamps.len()]
                }),
                Err(e) => {
                    cache_warning = Some(format!("{e} ({})", cache_path.shown()));
                    vec![None; walk.stamps.len()]
                }
            }
        };
        let (outcomes, files_from_cache) = walk.scan(prior, progress, partial);
        if options.no_cache || snapshot_current {
            let pairs = walk.stamps.iter().zip(outcomes);
            return Ok(walk
                .skeleton()
                .assemble(pairs, files_from_cache, cache_warning));
        }
        // The cache keeps the outcomes as the files gave them, and the index built.
        let pairs = walk.stamps.iter().zip(outcomes.iter().cloned());
        let mut index = walk.skeleton().assemble(pairs, files_from_cache, None);
        index.cache_warning = walk.store(&cache_path, &outcomes, &index).or(cache_warning);
        Ok(index)
    }

    /// The release id, when the layout tells it.
    pub fn release_id(&self) -> Option<&str> {
        self.layout.release_id()
    }

    /// Every study, patient by patient.
    pub fn studies(&self) -> impl Iterator<Item = &Study> {
        self.patients.iter().flat_map(|p| &p.studies)
    }

    /// Every series.
    pub fn series(&self) -> impl Iterator<Item = &Series> {
        self.studies().flat_map(|s| &s.series)
    }

    /// Every instance.
    pub fn instances(&self) -> impl Iterator<Item = &Instance> {
        self.series().flat_map(|s| &s.instances)
    }

    /// Files indexed with a warning (read as dcmtk and pydicom read them), one entry
    /// per warning.
    pub fn warnings(&self) -> Vec<Problem> {
        self.instances()
            .flat_map(|i| {
                i.warnings.iter().map(|w| Problem {
                    path: i.path.clone(),
                    error: w.clone(),
                })
            })
            .collect()
    }

    /// Counts for the summary line and `index --json`.
    pub fn counts(&self) -> Counts {
        Counts {
            files_scanned: self.files_scanned,
            dicom_files: self.instances().count(),
            studies: self.studies().count(),
            series: self.series().count(),
            instances: self.instances().count(),
            frames: self.instances().map(|i| u64::from(i.frames)).sum(),
            problems: self.problems.len(),
        }
    }
}

/// Counts of what a scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Files found under the scanned folder.
    pub files_scanned: usize,
    /// Files indexed as DICOM images.
    pub dicom_files: usize,
    /// Studies.
    pub studies: usize,
    /// Series.
    pub series: usize,
    /// Instances.
    pub instances: usize,
    /// Frames over all instances.
    pub frames: u64,
    /// Problems.
    pub problems: usize,
}

/// The key of an instance without SOP Instance UID: `path:` and its path below the
/// scanned folder with `/` separators, stable across machines and scans, and never a
/// UID (UIDs are digits and dots).
pub fn path_key(scan_dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(scan_dir).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("path:{}", parts.join("/"))
}

/// A release folder resolved: the folder opened, its layout and the folder to scan.
struct Resolved {
    root: PathBuf,
    layout: ReleaseLayout,
    scan_dir: PathBuf,
}

impl Resolved {
    /// The cache file of this folder's scans: `options`' own, else the user's cache
    /// folder's file for it.
    fn cache_path(&self, options: &ScanOptions) -> PathBuf {
        options
            .cache_path
            .clone()
            .unwrap_or_else(|| cache::cache_path_for(&self.scan_dir))
    }
}

/// What walking a release found before any header is read: its files with their
/// stamps, the DICOMDIRs that map them, and the problems of the folder itself.
struct Walk {
    at: Resolved,
    /// Every file, sorted by path (DICOMDIR-listed files the walk missed included).
    stamps: Vec<FileStamp>,
    /// Unlistable folders, DICOMDIR problems, names that differ only by case.
    problems: Vec<(PathBuf, String)>,
    media: Vec<dicomdir::MediaMap>,
}

impl Walk {
    /// Checks that `path` is a folder and finds its layout (reads folder names only).
    fn resolve(path: &Path) -> Result<Resolved, IndexError> {
        if !path.is_dir() {
            return Err(IndexError::NotAFolder(path.to_path_buf()));
        }
        let root = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let (layout, scan_dir) = detect_layout(&root);
        Ok(Resolved {
            root,
            layout,
            scan_dir,
        })
    }

    /// Walks and stats the scanned folder (in parallel); `listed` hears how many files
    /// each folder held.
    fn new(at: Resolved, listed: &(dyn Fn(usize) + Sync)) -> Self {
        let (mut stamps, mut problems) = scan::list_files_counted(&at.scan_dir, listed);
        let media = dicomdir::MediaMap::build_all(&at.root, &at.scan_dir, &stamps);
        let mut extra: Vec<FileStamp> =
            media.iter().flat_map(|m| m.extra.iter().cloned()).collect();
        if !extra.is_empty() {
            stamps.append(&mut extra);
            stamps.sort_by(|a, b| a.path.cmp(&b.path));
            stamps.dedup_by(|b, a| a.path == b.path);
        }
        problems.extend(media.iter().flat_map(|m| m.problems.iter().cloned()));
        problems.extend(case_names::collisions(&at.scan_dir, &stamps));
        Self {
            at,
            stamps,
            problems,
            media,
        }
    }

    /// The cached outcome of every file whose stamp still matches a row of the cache.
    fn prior_from_rows(&self, cache_path: &Path) -> Result<reopen::Prior, cache::CacheError> {
        let rows = cache::load(cache_path)?;
        Ok(self
            .stamps
            .par_iter()
            .map(|s| rows.get(&s.path).and_then(|c| c.outcome_if_fresh(s)))
            .collect())
    }

    /// Every file's outcome: `prior` (one per stamp) where there is one, else its
    /// header read now; and how many came from `prior`. `partial` gets the tree so far
    /// every [`PARTIAL_EVERY`] files.
    fn scan(
        &self,
        mut prior: reopen::Prior,
        progress: &(dyn Fn(ScanProgress) + Sync),
        partial: Option<&(dyn Fn(Index) + Sync)>,
    ) -> (Vec<FileOutcome>, usize) {
        let total = self.stamps.len();
        prior.resize(total, None);
        let done = AtomicUsize::new(0);
        let tick = || {
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            if d.is_multiple_of(64) || d == total {
                progress(ScanProgress { done: d, total });
            }
        };
        let from_cache = AtomicUsize::new(0);
        let skeleton = self.skeleton();
        let mut outcomes: Vec<FileOutcome> = Vec::with_capacity(total);
        for (chunk, known) in self
            .stamps
            .chunks(PARTIAL_EVERY)
            .zip(prior.chunks_mut(PARTIAL_EVERY))
        {
            outcomes.par_extend(chunk.par_iter().zip(known.par_iter_mut()).map(|(s, k)| {
                let out = match k.take() {
                    Some(o) => {
                        from_cache.fetch_add(1, Ordering::Relaxed);
                        o
                    }
                    None => scan::scan_file(s),
                };
                tick();
                out
            }));
            if let Some(send) = partial
                && outcomes.len() < total
            {
                let so_far = self.stamps.iter().zip(outcomes.iter().cloned());
                send(skeleton.assemble(so_far, from_cache.load(Ordering::Relaxed), None));
            }
        }
        (outcomes, from_cache.into_inner())
    }

    /// Replaces the cache with these outcomes and the `index` built from them (rows
    /// and snapshot); the warning to show when that failed.
    fn store(&self, cache_path: &Path, outcomes: &[FileOutcome], index: &Index) -> Option<String> {
        let pairs: Vec<(&FileStamp, &FileOutcome)> = self.stamps.iter().zip(outcomes).collect();
        let snapshot = cache::ScanSnapshot {
            scan_dir: &self.at.scan_dir,
            walk_problems: &self.problems,
            index,
        };
        cache::store_scan(cache_path, Some(snapshot), &pairs)
            .err()
            .map(|e| format!("{e} ({})", cache_path.shown()))
    }

    /// What every index of this walk shares.
    fn skeleton(&self) -> Skeleton<'_> {
        Skeleton {
            root: &self.at.root,
            layout: &self.at.layout,
            scan_dir: &self.at.scan_dir,
            total: self.stamps.len(),
            walk_problems: &self.problems,
            media: &self.media,
        }
    }
}

/// What every (partial or final) index of one scan shares.
struct Skeleton<'a> {
    root: &'a Path,
    layout: &'a ReleaseLayout,
    scan_dir: &'a Path,
    total: usize,
    walk_problems: &'a [(PathBuf, String)],
    /// The DICOMDIRs of the scan (media), each governing the files below its folder.
    media: &'a [dicomdir::MediaMap],
}

impl Skeleton<'_> {
    /// Builds the index from scan outcomes: instances into the tree, duplicates and
    /// failures into problems, the rest into skipped.
    fn assemble<'s>(
        &self,
        outcomes: impl Iterator<Item = (&'s FileStamp, FileOutcome)>,
        files_from_cache: usize,
        cache_warning: Option<String>,
    ) -> Index {
        let mut problems: Vec<Problem> = self
            .walk_problems
            .iter()
            .map(|(path, error)| Problem {
                path: path.clone(),
                error: error.clone(),
            })
            .collect();
        let mut skipped = Vec::new();
        let mut instances = Vec::new();
        let mut seen_sop: HashMap<String, PathBuf> = HashMap::new();
        for (stamp, outcome) in outcomes {
            let outcome = match self.media.iter().find(|m| m.dicomdir == stamp.path) {
                Some(m) => m.own_outcome(),
                None => outcome,
            };
            match outcome {
                FileOutcome::Instance(mut inst) => {
                    if let Some(m) = dicomdir::MediaMap::for_path(self.media, &stamp.path) {
                        m.note(&stamp.path, &mut inst);
                    }
                    if inst.sop_uid.is_empty() {
                        inst.sop_uid = path_key(self.scan_dir, &stamp.path);
                    }
                    if let Some(first) = seen_sop.get(&inst.sop_uid) {
                        problems.push(Problem {
                            path: stamp.path.clone(),
                            error: format!(
                                "duplicate SOPInstanceUID {} (already indexed from {})",
                                inst.sop_uid,
                                first.shown()
                            ),
                        });
                    } else {
                        seen_sop.insert(inst.sop_uid.clone(), stamp.path.clone());
                        instances.push(*inst);
                    }
                }
                FileOutcome::Skipped(reason) => skipped.push(Skipped {
                    path: stamp.path.clone(),
                    reason,
                }),
                FileOutcome::Problem(error) => problems.push(Problem {
                    path: stamp.path.clone(),
                    error,
                }),
            }
        }
        Index {
            root: self.root.to_path_buf(),
            layout: self.layout.clone(),
            scan_dir: self.scan_dir.to_path_buf(),
            files_scanned: self.total,
            files_from_cache,
            patients: tree::build(instances),
            problems,
            skipped,
            cache_warning,
        }
    }
}
