//! The index cache: reopening an unchanged release without reparsing it.
//!
//! One SQLite file per scanned folder, in the user's cache folder (never inside
//! the release: the release is read-only for us). A row per file holds its size,
//! mtime and scan outcome; a row is reused only when size and mtime still match.
//! Outcomes are stored in postcard (compact binary serde): reopening a release is
//! dominated by decoding them, and postcard decodes several times faster than JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::scan::{FileOutcome, FileStamp};

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
    let conn = Connection::open(crate::fsutil::sqlite_path(path))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version != SCHEMA_VERSION {
        conn.execute_batch(
            "DROP TABLE IF EXISTS files;
             CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL,
                                 mtime_ns INTEGER NOT NULL, outcome BLOB NOT NULL);",
        )?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    Ok(conn)
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
    let mut conn = connect(path)?;
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM files", [])?;
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
