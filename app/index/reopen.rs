//! Reopening a cached release at once, then checking it for changes.
//!
//! A full reopen walks the folder and stats every file before it can show anything;
//! on a 100,000-file release that walk, not header reading, is most of the wait. So
//! [`Index::open_cached`] takes the last index of the folder from the cache's
//! snapshot alone (one SQLite blob decoded in parallel chunks: no walk, no stat, no
//! tree to build) and hands
//! back a [`PendingCheck`]: the walk that compares every file's size and mtime with
//! the snapshot, rereads only the files that changed, and yields the updated index
//! with what [`Changes`] it found. A viewer shows the cached index first and runs the
//! check on a worker; the CLI, which reports, runs both through [`Index::open`].
//!
//! The cache's guarantees hold: nothing is written inside the release, and a missing,
//! old or corrupt cache means no cached index (`None`), so the caller scans.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::cache::{self, CacheError, FilesSnapshot};
use super::scan::FileOutcome;
use super::{Index, IndexError, ScanOptions, ScanProgress, Walk};

/// The cached outcome of each walked file (one per stamp), `None` for the files to read.
pub(super) type Prior = Vec<Option<FileOutcome>>;

/// How the files on disk differ from the cached snapshot of their folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files on disk that the snapshot does not hold, sorted.
    pub added: Vec<PathBuf>,
    /// Files of the snapshot no longer on disk, sorted.
    pub removed: Vec<PathBuf>,
    /// Files whose size or mtime differs from the snapshot, sorted.
    pub changed: Vec<PathBuf>,
    /// The folder's own problems (unlistable folders, DICOMDIR, names differing only
    /// by case) differ from the snapshot's.
    pub problems_changed: bool,
}

impl Changes {
    /// Nothing changed: the cached index is the release's index.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && !self.problems_changed
    }

    /// Files added, removed or changed.
    pub fn files(&self) -> usize {
        self.added.len() + self.removed.len() + self.changed.len()
    }
}

/// A release's index as the cache last saw it, and the check still to run.
pub struct Cached {
    /// The index built from the cache's snapshot (`files_from_cache` = every file).
    pub index: Index,
    /// The walk that verifies it against the disk.
    pub check: PendingCheck,
}

/// The check of a [`Cached`] index against the files on disk, not yet run.
pub struct PendingCheck {
    /// The folder the user opened.
    path: PathBuf,
    /// The cache file (its snapshot's files read by the check, all of it rewritten
    /// when something changed).
    cache_path: PathBuf,
    /// Files in the snapshot: the expected total while walking.
    files: usize,
}

/// What the check found.
#[derive(Debug)]
pub struct Checked {
    /// What differs from the cached index.
    pub changes: Changes,
    /// The updated index; `None` when nothing changed (the cached index stands).
    pub index: Option<Index>,
}

impl Index {
    /// The last index of `path` straight from the cache, without walking or stat-ing
    /// the release, with the check to run next; `None` when there is no usable cache
    /// (none yet, `no_cache`, an old, corrupt or unreadable one): then scan with
    /// [`Index::open`]. Errs only when `path` is not a folder.
    pub fn open_cached(path: &Path, options: &ScanOptions) -> Result<Option<Cached>, IndexError> {
        let at = Walk::resolve(path)?;
        if options.no_cache {
            return Ok(None);
        }
        let cache_path = at.cache_path(options);
        let Ok(Some(tree)) = cache::load_tree(&cache_path, &at.scan_dir) else {
            return Ok(None);
        };
        let files = tree.files_scanned;
        let index = Index {
            root: at.root,
            layout: at.layout,
            scan_dir: at.scan_dir,
            files_scanned: files,
            files_from_cache: files,
            patients: tree.patients,
            problems: tree.problems,
            skipped: tree.skipped,
            cache_warning: None,
        };
        Ok(Some(Cached {
            index,
            check: PendingCheck {
                path: path.to_path_buf(),
                cache_path,
                files,
            },
        }))
    }
}

impl PendingCheck {
    /// Files the cached index was built from (what the check expects to stat).
    pub fn files(&self) -> usize {
        self.files
    }

    /// Walks and stats the release (in parallel), compares every file with the
    /// snapshot, rereads the files that changed and rewrites the cache when anything
    /// did. `progress` hears files stat-ed of the files expected, then files reread.
    pub fn run(self, progress: &(dyn Fn(ScanProgress) + Sync)) -> Result<Checked, IndexError> {
        let at = Walk::resolve(&self.path)?;
        let listed = AtomicUsize::new(0);
        let expected = self.files;
        let walk = Walk::new(at, &|n| {
            let done = listed.fetch_add(n, Ordering::Relaxed) + n;
            progress(ScanProgress {
                done,
                total: expected.max(done),
            });
        });
        // Gone or unreadable since the index was shown: every file counts as added.
        let snapshot = cache::load_files(&self.cache_path, &walk.at.scan_dir)
            .ok()
            .flatten()
            .unwrap_or(FilesSnapshot {
                files: Vec::new(),
                problems: Vec::new(),
            });
        let (prior, changes) = match_snapshot(&walk, snapshot);
        if changes.is_empty() {
            return Ok(Checked {
                changes,
                index: None,
            });
        }
        let (outcomes, files_from_cache) = walk.scan(prior, progress, None);
        let pairs = walk.stamps.iter().zip(outcomes.iter().cloned());
        let mut index = walk.skeleton().assemble(pairs, files_from_cache, None);
        index.cache_warning = walk.store(&self.cache_path, &outcomes, &index);
        Ok(Checked {
            changes,
            index: Some(index),
        })
    }
}

/// The snapshot of `walk`'s folder in the cache at `cache_path`, set against the
/// walk: the cached outcome of every unchanged file (one per stamp) and what changed.
/// `None` when there is no snapshot or it does not decode (the rows take over).
pub(super) fn prior_from_snapshot(
    cache_path: &Path,
    walk: &Walk,
) -> Result<Option<(Prior, Changes)>, CacheError> {
    Ok(cache::load_files(cache_path, &walk.at.scan_dir)?.map(|files| match_snapshot(walk, files)))
}

/// Sets the walked files against the snapshot: the outcome of each file whose size and
/// mtime match (`None` for the files to read), and the differences.
fn match_snapshot(walk: &Walk, snapshot: FilesSnapshot) -> (Prior, Changes) {
    let mut cached: HashMap<PathBuf, (u64, i64, FileOutcome)> = snapshot
        .files
        .into_iter()
        .map(|f| (PathBuf::from(f.path), (f.size, f.mtime_ns, f.outcome)))
        .collect();
    let mut changes = Changes::default();
    let prior = walk
        .stamps
        .iter()
        .map(|s| match cached.remove(&s.path) {
            Some((size, mtime_ns, outcome)) if size == s.size && mtime_ns == s.mtime_ns => {
                Some(outcome)
            }
            Some(_) => {
                changes.changed.push(s.path.clone());
                None
            }
            None => {
                changes.added.push(s.path.clone());
                None
            }
        })
        .collect();
    changes.removed = cached.into_keys().collect();
    changes.removed.sort();
    changes.problems_changed = owned_problems(snapshot.problems) != walk.problems;
    (prior, changes)
}

/// A snapshot's problems with their paths.
fn owned_problems(problems: Vec<(String, String)>) -> Vec<(PathBuf, String)> {
    problems
        .into_iter()
        .map(|(p, e)| (PathBuf::from(p), e))
        .collect()
}
