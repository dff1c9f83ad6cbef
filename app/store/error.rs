//! Why the project store failed: one enum, every message ending with the store's path.
//!
//! Every variant names the file, because a reviewer may have several releases (and so
//! several stores) open over a week, and the path is what they can act on.

use crate::fsutil::ShowPath;
use std::path::PathBuf;

/// A failure of the project store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed while doing `action`.
    #[error("cannot {action}: {source}: {}", path.shown())]
    Sqlite {
        /// What was being done (`write decisions`).
        action: &'static str,
        /// SQLite's error.
        source: rusqlite::Error,
        /// The store file.
        path: PathBuf,
    },
    /// A file-system operation failed while doing `action`.
    #[error("cannot {action}: {source}: {}", path.shown())]
    Io {
        /// What was being done (`create the project folder`).
        action: &'static str,
        /// The operating system's error.
        source: std::io::Error,
        /// The file or folder concerned.
        path: PathBuf,
    },
    /// The file is an SQLite database of some other program.
    #[error(
        "not a Lightbox project store (SQLite application id {application_id:#010x}): {}",
        path.shown()
    )]
    NotAStore {
        /// The file's `PRAGMA application_id`.
        application_id: i32,
        /// The file.
        path: PathBuf,
    },
    /// The store was written by a newer Lightbox with a schema this one does not know.
    #[error(
        "cannot open the project store: it was written by a newer Lightbox (schema version \
         {found}, this version reads up to {supported}); update Lightbox: {}",
        path.shown()
    )]
    NewerSchema {
        /// The store's schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
        /// The store file.
        path: PathBuf,
    },
    /// The store belongs to another release than the one opened.
    #[error(
        "cannot open the project store: it was made for {stored}, this is {opened}: {}",
        path.shown()
    )]
    OtherRelease {
        /// The store's release (`release 20210407_102537`).
        stored: String,
        /// The opened release, described the same way.
        opened: String,
        /// The store file.
        path: PathBuf,
    },
    /// `save_as` was asked to write over an existing file.
    #[error("cannot save the project store there: a file already exists: {}", path.shown())]
    TargetExists {
        /// The existing file.
        path: PathBuf,
    },
}
