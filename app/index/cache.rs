//! The index cache: reopening an unchanged release without reparsing it.
//!
//! One SQLite file per scanned folder, in the user's cache folder (never inside
//! the release: the release is read-only for us). A row per file holds its size,
//! mtime and scan outcome; a row is reused only when size and mtime still match.
//! Outcomes are stored in postcard (compact binary serde): reopening a release is
//! dominated by decoding them, and postcard decodes several times faster than JSON.
//!
//! Beside the rows, the same file holds a *snapshot* of the last scan in two blobs:
//! the index it ended with (the tree in chunks of whole patients that decode in
//! parallel, its problems and skipped files), and its files (every stamp and outcome in
//! walk order, and the folder's own problems). Reading and decoding the first blob is
//! all that showing a 100,000-file release again costs (no walk, no stat, no
//! row-by-row SQLite reads, no tree to build); the second serves the walk that checks
//! the files for changes afterwards (see [`super::reopen`]). The rows stay as the
//! fallback when there is no snapshot (a cache from an older version, a path that is
//! not UTF-8).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::scan::{FileOutcome, FileStamp};
use super::{Index, Patient, Problem, Skipped, Study};

/// Bump when [`FileOutcome`] or the instance fields change: old caches are dropped.
const SCHEMA_VERSION: i64 = 3;

/// Errors of the cache (always non-fatal for a scan: the caller falls back to scanning).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// SQLite failed.
    #[error("index cache: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The cache folder could not be created.
    #[error("index cache folder: {0}")]
    Io(#[from] std::io::Error),
}

/// A cache row: stamp and stored outcome (postcard bytes, decoded on demand).
pub struct CachedFile {
    /// Size when cached.
    pub size: u64,
    /// Mtime when cached.
    pub mtime_ns: i64,
    /// The outcome, postcard-encoded.
    pub outcome: Vec<u8>,
}

impl CachedFile {
    /// The stored outcome when the stamp still matches and the row decodes.
    pub fn outcome_if_fresh(&self, stamp: &FileStamp) -> Option<FileOutcome> {
        if self.size != stamp.size || self.mtime_ns != stamp.mtime_ns {
            return None;
        }
        postcard::from_bytes(&self.outcome).ok()
    }
}

/// The user's cache folder for Lightbox: `$LIGHTBOX_CACHE_DIR`, else
/// `%LOCALAPPDATA%\lightbox` (`%USERPROFILE%\AppData\Local\lightbox` without it) on
/// Windows, `$XDG_CACHE_HOME/lightbox` or `~/.cache/lightbox` elsewhere. See
/// [`crate::fsutil::user_dir_from`].
pub fn cache_dir() -> PathBuf {
    crate::fsutil::app_dir(
        crate::fsutil::UserDir::Cache,
        "LIGHTBOX_CACHE_DIR",
        "lightbox",
    )
}

/// The cache file for a scanned folder: named by a stable hash of its absolute path.
pub fn cache_path_for(scan_dir: &Path) -> PathBuf {
    // FNV-1a: stable across runs and platforms (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in scan_dir.to_string_lossy().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    cache_dir().join(format!("index-{h:016x}.sqlite"))
}

fn connect(path: &Path) -> Result<Connection, CacheError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let new = !path.exists();
    let conn = Connection::open(crate::fsutil::sqlite_path(path))?;
    if new {
        // Large pages (settable only before the first table and WAL): a snapshot blob
        // of tens of MB then reads as a few thousand pages, not tens of thousands.
        conn.pragma_update(None, "page_size", 65536)?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version != SCHEMA_VERSION {
        conn.execute_batch(
            "DROP TABLE IF EXISTS files;
             DROP TABLE IF EXISTS snapshot;
             CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL,
                                 mtime_ns INTEGER NOT NULL, outcome BLOB NOT NULL);",
        )?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    // Added beside the rows without a version bump: a cache of the previous version
    // keeps its rows and gains a snapshot at its next scan.
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS snapshot (scan_dir TEXT PRIMARY KEY,
                                              tree BLOB NOT NULL, files BLOB NOT NULL);",
    )?;
    Ok(conn)
}

/// One file of a [`FilesSnapshot`]: its stamp when scanned and what scanning it gave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotFile {
    /// Absolute path (UTF-8: a snapshot is only written when every path is).
    pub path: String,
    /// Size when scanned.
    pub size: u64,
    /// Mtime when scanned.
    pub mtime_ns: i64,
    /// The outcome, before any DICOMDIR notes (those are added when assembling).
    pub outcome: FileOutcome,
}

/// The files of a scan, what checking it for changes needs: every file's stamp and
/// outcome, and the folder's own problems.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilesSnapshot {
    /// Every file the walk found (and DICOMDIRs added), sorted by path as walked.
    pub files: Vec<SnapshotFile>,
    /// The folder's problems that are not a file's outcome: unlistable folders,
    /// DICOMDIR problems, names that differ only by case.
    pub problems: Vec<(String, String)>,
}

/// The index a scan ended with, what showing it again needs.
#[derive(Debug, Clone)]
pub struct TreeSnapshot {
    /// Files found.
    pub files_scanned: usize,
    /// Patients, studies, series, instances.
    pub patients: Vec<Patient>,
    /// Files that could not be indexed.
    pub problems: Vec<Problem>,
    /// Files passed over on purpose.
    pub skipped: Vec<Skipped>,
}

/// The stored shape of [`TreeSnapshot`]: the patients in chunks of whole patients,
/// each encoded alone, so the chunks decode in parallel.
#[derive(Serialize, Deserialize)]
struct TreeBlob<'a> {
    files_scanned: u64,
    problems: Vec<Problem>,
    skipped: Vec<Skipped>,
    #[serde(borrow)]
    chunks: Vec<&'a [u8]>,
}

/// Instances per chunk of a [`TreeBlob`] (at least; a chunk holds whole patients), and
/// files per chunk of a [`FilesBlob`].
const CHUNK_INSTANCES: usize = 2048;

/// The stored shape of [`FilesSnapshot`]: the files in chunks of [`CHUNK_INSTANCES`],
/// each encoded alone (from [`SnapshotFileRef`]s, so writing copies no outcome), so
/// the chunks decode in parallel.
#[derive(Serialize, Deserialize)]
struct FilesBlob<'a> {
    #[serde(borrow)]
    problems: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    chunks: Vec<&'a [u8]>,
}

/// The borrowed shape of [`SnapshotFile`].
#[derive(Serialize)]
struct SnapshotFileRef<'a> {
    path: &'a str,
    size: u64,
    mtime_ns: i64,
    outcome: &'a FileOutcome,
}

/// What a scan leaves in the cache beside the rows: the folder scanned, its own
/// problems (walk, DICOMDIR, case) and the index it ended with.
pub struct ScanSnapshot<'a> {
    /// The scanned folder (the snapshot's key).
    pub scan_dir: &'a Path,
    /// The folder's problems that are not a file's outcome.
    pub walk_problems: &'a [(PathBuf, String)],
    /// The index built from the entries.
    pub index: &'a Index,
}

/// Encodes the files part of a snapshot; `None` when a path is not UTF-8 (such a
/// release keeps only the rows).
fn encode_files(
    entries: &[(&FileStamp, &FileOutcome)],
    problems: &[(PathBuf, String)],
) -> Option<Vec<u8>> {
    let files = entries
        .iter()
        .map(|(stamp, outcome)| {
            Some(SnapshotFileRef {
                path: stamp.path.to_str()?,
                size: stamp.size,
                mtime_ns: stamp.mtime_ns,
                outcome,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let problems = problems
        .iter()
        .map(|(p, e)| Some((p.to_str()?, e.as_str())))
        .collect::<Option<Vec<_>>>()?;
    let chunks: Vec<Vec<u8>> = files
        .par_chunks(CHUNK_INSTANCES)
        .map(|c| postcard::to_allocvec(c).ok())
        .collect::<Option<_>>()?;
    let chunks = chunks.iter().map(Vec::as_slice).collect();
    postcard::to_allocvec(&FilesBlob { problems, chunks }).ok()
}

/// Encodes the tree part of a snapshot (chunks encoded in parallel).
fn encode_tree(index: &Index) -> Option<Vec<u8>> {
    let mut groups: Vec<&[Patient]> = Vec::new();
    let (mut start, mut count) = (0, 0);
    for (i, p) in index.patients.iter().enumerate() {
        count += p.studies.iter().map(Study::instance_count).sum::<usize>();
        if count >= CHUNK_INSTANCES {
            groups.push(&index.patients[start..=i]);
            (start, count) = (i + 1, 0);
        }
    }
    if start < index.patients.len() {
        groups.push(&index.patients[start..]);
    }
    let chunks: Vec<Vec<u8>> = groups
        .par_iter()
        .map(|g| postcard::to_allocvec(g).ok())
        .collect::<Option<_>>()?;
    let blob = TreeBlob {
        files_scanned: index.files_scanned as u64,
        problems: index.problems.clone(),
        skipped: index.skipped.clone(),
        chunks: chunks.iter().map(Vec::as_slice).collect(),
    };
    postcard::to_allocvec(&blob).ok()
}

/// The column `column` of the snapshot of `scan_dir` in the cache at `path`, handed to
/// `decode` as SQLite holds it (not copied out first: a snapshot is tens of MB). `None`
/// when there is no cache file or no snapshot of that folder; `Some(None)` when it does
/// not decode. Creates no cache file.
fn with_column<T>(
    path: &Path,
    scan_dir: &Path,
    column: &str,
    decode: impl FnOnce(&[u8]) -> Option<T>,
) -> Result<Option<Option<T>>, CacheError> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = connect(path)?;
    Ok(conn
        .query_row(
            &format!("SELECT {column} FROM snapshot WHERE scan_dir = ?1"),
            params![scan_dir.to_string_lossy()],
            |r| match r.get_ref(0)? {
                ValueRef::Blob(bytes) => Ok(decode(bytes)),
                _ => Ok(None),
            },
        )
        .optional()?)
}

/// Decodes a [`TreeBlob`], its chunks in parallel.
fn decode_tree(bytes: &[u8]) -> Option<TreeSnapshot> {
    let blob = postcard::from_bytes::<TreeBlob<'_>>(bytes).ok()?;
    let chunks = blob
        .chunks
        .par_iter()
        .map(|c| postcard::from_bytes::<Vec<Patient>>(c).ok())
        .collect::<Option<Vec<_>>>()?;
    Some(TreeSnapshot {
        files_scanned: usize::try_from(blob.files_scanned).unwrap_or(usize::MAX),
        patients: chunks.into_iter().flatten().collect(),
        problems: blob.problems,
        skipped: blob.skipped,
    })
}

/// Decodes a [`FilesBlob`], its chunks in parallel.
fn decode_files(bytes: &[u8]) -> Option<FilesSnapshot> {
    let blob = postcard::from_bytes::<FilesBlob<'_>>(bytes).ok()?;
    let chunks = blob
        .chunks
        .par_iter()
        .map(|c| postcard::from_bytes::<Vec<SnapshotFile>>(c).ok())
        .collect::<Option<Vec<_>>>()?;
    Some(FilesSnapshot {
        files: chunks.into_iter().flatten().collect(),
        problems: blob
            .problems
            .into_iter()
            .map(|(p, e)| (p.to_owned(), e.to_owned()))
            .collect(),
    })
}

/// The index of `scan_dir` the last scan ended with: `None` when there is no snapshot
/// or it does not decode (then it is dropped, and a scan takes over).
pub fn load_tree(path: &Path, scan_dir: &Path) -> Result<Option<TreeSnapshot>, CacheError> {
    match with_column(path, scan_dir, "tree", decode_tree)? {
        None => Ok(None),
        Some(Some(tree)) => Ok(Some(tree)),
        Some(None) => {
            // Dropped, so that the next scan writes a good one (a scan that finds every
            // file unchanged keeps the snapshot it has).
            connect(path)?.execute(
                "DELETE FROM snapshot WHERE scan_dir = ?1",
                params![scan_dir.to_string_lossy()],
            )?;
            Ok(None)
        }
    }
}

/// The files of `scan_dir` as the last scan saw them: `None` when there is no snapshot
/// or it does not decode.
pub fn load_files(path: &Path, scan_dir: &Path) -> Result<Option<FilesSnapshot>, CacheError> {
    Ok(with_column(path, scan_dir, "files", decode_files)?.flatten())
}

/// Loads every row of the cache at `path` (empty when there is none yet).
pub fn load(path: &Path) -> Result<HashMap<PathBuf, CachedFile>, CacheError> {
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let conn = connect(path)?;
    let mut stmt = conn.prepare("SELECT path, size, mtime_ns, outcome FROM files")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            PathBuf::from(r.get::<_, String>(0)?),
            CachedFile {
                size: r.get::<_, i64>(1)? as u64,
                mtime_ns: r.get(2)?,
                outcome: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Replaces the cache at `path` with these outcomes, in one transaction.
pub fn store(path: &Path, entries: &[(&FileStamp, &FileOutcome)]) -> Result<(), CacheError> {
    store_scan(path, None, entries)
}

/// Replaces the cache at `path` with these outcomes and, given one, the snapshot of
/// the scan (rows and snapshot in one transaction, so they never disagree).
pub fn store_scan(
    path: &Path,
    snapshot: Option<ScanSnapshot<'_>>,
    entries: &[(&FileStamp, &FileOutcome)],
) -> Result<(), CacheError> {
    let mut conn = connect(path)?;
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM files", [])?;
    tx.execute("DELETE FROM snapshot", [])?;
    if let Some(snap) = snapshot
        && let Some(files) = encode_files(entries, snap.walk_problems)
        && let Some(tree) = encode_tree(snap.index)
    {
        tx.execute(
            "INSERT INTO snapshot (scan_dir, tree, files) VALUES (?1, ?2, ?3)",
            params![snap.scan_dir.to_string_lossy(), tree, files],
        )?;
    }
    {
        let mut stmt = tx
            .prepare("INSERT INTO files (path, size, mtime_ns, outcome) VALUES (?1, ?2, ?3, ?4)")?;
        for (stamp, outcome) in entries {
            // Our own types always serialise; a row that somehow did not is just rescanned.
            let Ok(blob) = postcard::to_allocvec(outcome) else {
                continue;
            };
            stmt.execute(params![
                stamp.path.to_string_lossy(),
                stamp.size as i64,
                stamp.mtime_ns,
                blob
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}
