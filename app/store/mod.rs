//! The project store: one SQLite file per release review, holding every decision
//! and the append-only audit log of how it came about.
//!
//! A review is hours of expert work and decides what leaves the secure site, so a
//! change is stored the moment it is made: [`ProjectStore::apply`] writes one
//! command (one user action) as one transaction and returns only after the commit,
//! and that return is the acknowledgement the UI may show. SQLite in WAL mode with
//! `synchronous=FULL` makes a committed transaction survive a killed process or a
//! power cut; `tests/store_crash.rs` kills a writer at random points to prove it.
//! The store never touches the release itself: it only reads [`ReleaseImages`],
//! and it lives beside the release or in the user's data folder ([`location`]).
//!
//! Parts: [`schema`] (versioned migrations), [`location`] (where the file goes),
//! [`fingerprint`] (which release and images it belongs to), [`audit`] (the log),
//! [`command`] (one user action and its inverse, for undo/redo).

pub mod audit;
mod columns;
pub mod command;
mod decisions;
mod error;
pub mod fingerprint;
pub mod location;
mod meta;
pub mod schema;
mod shapes;
mod suggestions;
pub mod time;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

pub use audit::AuditEntry;
pub use command::{Change, CommandKind, LabelChange, ShapeChange, StoreCommand, SuggestionChange};
pub use error::StoreError;
pub use fingerprint::{Fingerprint, ImagesChanged};
pub use location::{StoreLocation, choose, projects_dir};
pub use time::now_rfc3339;

use crate::annotate::{LabelSet, Shape};
use crate::review::suggestion::{LabelRecord, Suggestion, TargetLabel};
use crate::review::{DecisionRecord, ReleaseImages, Target};

/// How long a write waits for another Lightbox holding the store before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Something the user should know about a store that opened fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreNotice {
    /// The release's images differ from those the store was made for. The stored
    /// fingerprint stays as it was until [`ProjectStore::accept_images`].
    ImagesChanged(ImagesChanged),
}

/// An open project store.
#[derive(Debug)]
pub struct ProjectStore {
    conn: Connection,
    path: PathBuf,
    reviewer: String,
}

impl ProjectStore {
    /// Opens the store at `path` for `images`, creating it (and its folder) when
    /// absent, migrating an older schema, and recording `reviewer` as a reviewer of
    /// this store.
    ///
    /// Fails when the file is not a project store, comes from a newer Lightbox or
    /// was made for another release; returns a notice when it was made for the same
    /// release with different images.
    pub fn open_or_create(
        path: &Path,
        images: &ReleaseImages,
        reviewer: &str,
    ) -> Result<(Self, Vec<StoreNotice>), StoreError> {
        let mut store = Self {
            conn: connect(path)?,
            path: path.to_path_buf(),
            reviewer: reviewer.to_owned(),
        };
        let notices = store.check_release(images)?;
        store.write("record the reviewer", |tx| add_reviewer(tx, reviewer))?;
        Ok((store, notices))
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies one command in one transaction and returns, after the commit, the
    /// command that undoes it. Each change sets its target's explicit decision (or
    /// its shape) and appends one audit row with the previous state; a command
    /// without changes writes nothing.
    pub fn apply(&mut self, command: &StoreCommand) -> Result<StoreCommand, StoreError> {
        if command.is_empty() {
            return Ok(command.inverse(command::Previous::default()));
        }
        let reviewer = self.reviewer.clone();
        let action = if !command.changes.is_empty() {
            "store the decision"
        } else if !command.shapes.is_empty() {
            "store the annotation change"
        } else {
            "store the suggestions"
        };
        self.write(action, |tx| {
            let id = audit::append_command(tx, command, &reviewer, &now_rfc3339())?;
            let mut previous = command::Previous::default();
            for change in &command.changes {
                let old = decisions::get(tx, &change.target)?;
                decisions::put(tx, &change.target, change.new.as_ref())?;
                audit::append_change(tx, id, change, old.as_ref())?;
                previous.decisions.push(old);
            }
            for change in &command.shapes {
                let old = shapes::get(tx, &change.id)?;
                shapes::put(tx, &change.id, change.new.as_ref())?;
                shapes::append_audit(tx, id, &change.id, old.as_ref(), change.new.as_ref())?;
                previous.shapes.push(old);
            }
            for change in &command.suggestions {
                let old = suggestions::get(tx, &change.id)?;
                suggestions::put(tx, &change.id, change.new.as_ref())?;
                let (old_ref, new_ref) = (old.as_ref(), change.new.as_ref());
                suggestions::append_audit(tx, id, "suggestion", &change.id, old_ref, new_ref)?;
                previous.suggestions.push(old);
            }
            for change in &command.labels {
                let old = suggestions::get_label(tx, &change.key)?;
                suggestions::put_label(tx, &change.key, change.new.as_ref())?;
                let (old_ref, new_ref) = (old.as_ref(), change.new.as_ref());
                suggestions::append_audit(tx, id, "label", &change.key.key(), old_ref, new_ref)?;
                previous.labels.push(old);
            }
            Ok(command.inverse(previous))
        })
    }

    /// Every shape, and how many stored rows could not be read (a newer or damaged
    /// row; it is left in the store untouched until a change overwrites it).
    pub fn shapes(&self) -> Result<(Vec<Shape>, usize), StoreError> {
        shapes::all(&self.conn).map_err(|e| self.sql("read the annotations", e))
    }

    /// The number of shape changes in the audit log.
    pub fn shape_audit_len(&self) -> Result<u64, StoreError> {
        shapes::audit_len(&self.conn).map_err(|e| self.sql("read the annotation log", e))
    }

    /// Every stored suggestion, by id (rows that no longer parse are left out).
    pub fn suggestions(&self) -> Result<BTreeMap<String, Suggestion>, StoreError> {
        suggestions::all(&self.conn).map_err(|e| self.sql("read the suggestions", e))
    }

    /// Every label given to a study or series.
    pub fn target_labels(&self) -> Result<BTreeMap<TargetLabel, LabelRecord>, StoreError> {
        suggestions::all_labels(&self.conn).map_err(|e| self.sql("read the study labels", e))
    }

    /// The number of suggestion and study-label changes in the audit log.
    pub fn review_audit_len(&self) -> Result<u64, StoreError> {
        suggestions::audit_len(&self.conn).map_err(|e| self.sql("read the suggestion log", e))
    }

    /// The project's pre-labelling rules as last edited or applied (TOML text) and the
    /// file they belong to; `None` until rules were first stored.
    pub fn rules(&self) -> Result<Option<(String, Option<PathBuf>)>, StoreError> {
        let read = || -> rusqlite::Result<_> {
            let text = meta::get(&self.conn, meta::RULES_TOML)?;
            let path = meta::get(&self.conn, meta::RULES_PATH)?
                .filter(|p| !p.is_empty())
                .map(PathBuf::from);
            Ok(text.map(|t| (t, path)))
        };
        read().map_err(|e| self.sql("read the rules", e))
    }

    /// Stores the project's pre-labelling rules (text and file).
    pub fn set_rules(&mut self, text: &str, path: Option<&Path>) -> Result<(), StoreError> {
        let path = path.map(|p| p.display().to_string()).unwrap_or_default();
        self.write("store the rules", |tx| {
            meta::set(tx, meta::RULES_TOML, text)?;
            meta::set(tx, meta::RULES_PATH, &path)
        })
    }

    /// The project's label set (the default one until it is edited).
    pub fn label_set(&self) -> Result<LabelSet, StoreError> {
        shapes::label_set(&self.conn).map_err(|e| self.sql("read the label set", e))
    }

    /// Stores the project's label set.
    pub fn set_label_set(&mut self, labels: &LabelSet) -> Result<(), StoreError> {
        self.write("store the label set", |tx| {
            shapes::set_label_set(tx, labels)
        })
    }

    /// Every explicit decision.
    pub fn decisions(&self) -> Result<BTreeMap<Target, DecisionRecord>, StoreError> {
        decisions::all(&self.conn).map_err(|e| self.sql("read the decisions", e))
    }

    /// Up to `limit` audit entries from position `offset` (0 = the first), oldest first.
    pub fn audit(&self, offset: u64, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        audit::read(&self.conn, offset, limit).map_err(|e| self.sql("read the audit log", e))
    }

    /// The number of entries in the audit log.
    pub fn audit_len(&self) -> Result<u64, StoreError> {
        audit::len(&self.conn).map_err(|e| self.sql("read the audit log", e))
    }

    /// The reviewers who have opened this store, in first-seen order.
    pub fn reviewers(&self) -> Result<Vec<String>, StoreError> {
        reviewers(&self.conn).map_err(|e| self.sql("read the reviewers", e))
    }

    /// Accepts the release's current images (after [`StoreNotice::ImagesChanged`]):
    /// they become the ones the store is checked against.
    pub fn accept_images(&mut self, images: &ReleaseImages) -> Result<(), StoreError> {
        self.write("accept the changed images", |tx| {
            fingerprint::save(tx, images)
        })
    }

    /// Moves the store to `new_path` ("Save as"): writes a consistent copy there,
    /// continues in it, then removes the old file with its `-wal` and `-shm`.
    /// Refuses to overwrite an existing file. Should removing the old file fail, the
    /// store already continues in the new one and the error names the file left.
    pub fn save_as(&mut self, new_path: &Path) -> Result<(), StoreError> {
        if new_path.exists() {
            return Err(StoreError::TargetExists {
                path: new_path.to_path_buf(),
            });
        }
        copy_to(&self.conn, &self.path, new_path)?;
        let conn = connect(new_path)?;
        let old_path = std::mem::replace(&mut self.path, new_path.to_path_buf());
        // Dropping the old connection checkpoints its WAL; only then is it removed.
        drop(std::mem::replace(&mut self.conn, conn));
        remove_store_files(&old_path)
    }

    /// Runs `body` in one write transaction and commits; any error rolls it back.
    fn write<T>(
        &mut self,
        action: &'static str,
        body: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = body(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        result.map_err(|e| self.sql(action, e))
    }

    /// Compares `images` with what the store was made for; initialises a new store.
    fn check_release(&mut self, images: &ReleaseImages) -> Result<Vec<StoreNotice>, StoreError> {
        let stored = fingerprint::stored(&self.conn)
            .map_err(|e| self.sql("read the release fingerprint", e))?;
        let Some(stored) = stored else {
            self.write("initialise the project store", |tx| {
                meta::set(tx, meta::CREATED_AT, &now_rfc3339())?;
                meta::set(tx, meta::APP_VERSION, env!("CARGO_PKG_VERSION"))?;
                fingerprint::save(tx, images)
            })?;
            return Ok(Vec::new());
        };
        let current = Fingerprint::of(images);
        if stored.release_id != current.release_id {
            return Err(StoreError::OtherRelease {
                stored: stored.release_name(),
                opened: current.release_name(),
                path: self.path.clone(),
            });
        }
        if stored == current {
            return Ok(Vec::new());
        }
        let changed = fingerprint::diff(&self.conn, images)
            .map_err(|e| self.sql("compare the release's images", e))?;
        Ok(vec![StoreNotice::ImagesChanged(changed)])
    }

    fn sql(&self, action: &'static str, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            action,
            source,
            path: self.path.clone(),
        }
    }
}

/// Opens (creating) the store file with the store's settings and brings its schema
/// up to date.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    let sql = |action, source| StoreError::Sqlite {
        action,
        source,
        path: path.to_path_buf(),
    };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|source| StoreError::Io {
            action: "create the project store's folder",
            source,
            path: folder.to_path_buf(),
        })?;
    }
    let mut conn = Connection::open(crate::fsutil::sqlite_path(path))
        .map_err(|e| sql("open the project store", e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| sql("open the project store", e))?;
    // WAL: a commit is one append to the log (no rewrite of the database file), and
    // readers never block the writer. FULL: the log is synced at every commit, so an
    // acknowledged command survives a power cut, not only a killed process.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .map_err(|e| sql("open the project store", e))?;
    schema::migrate(&mut conn, path)?;
    Ok(conn)
}

/// The reviewers recorded in the store.
fn reviewers(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    Ok(meta::get(conn, meta::REVIEWERS)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Adds `reviewer` to the store's reviewers when new.
fn add_reviewer(conn: &Connection, reviewer: &str) -> rusqlite::Result<()> {
    let mut names = reviewers(conn)?;
    if names.iter().any(|n| n == reviewer) {
        return Ok(());
    }
    names.push(reviewer.to_owned());
    let json = serde_json::to_string(&names).unwrap_or_default();
    meta::set(conn, meta::REVIEWERS, &json)
}

/// Writes a consistent, synced copy of the database at `store` (open as `conn`) to
/// `target` through a temporary file and a rename, so `target` is absent or complete.
fn copy_to(conn: &Connection, store: &Path, target: &Path) -> Result<(), StoreError> {
    let io = |source, path: &Path| StoreError::Io {
        action: "copy the project store",
        source,
        path: path.to_path_buf(),
    };
    let folder = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(|e| io(e, folder))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let tmp_for_sqlite = crate::fsutil::sqlite_path(&tmp);
    let Some(tmp_text) = tmp_for_sqlite.to_str() else {
        let not_utf8 = std::io::Error::new(std::io::ErrorKind::InvalidInput, "path is not UTF-8");
        return Err(io(not_utf8, target));
    };
    let result = conn
        .execute("VACUUM INTO ?1", [tmp_text])
        .map_err(|source| StoreError::Sqlite {
            action: "copy the project store",
            source,
            path: store.to_path_buf(),
        })
        .and_then(|_| {
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|e| io(e, &tmp))
        })
        .and_then(|()| crate::fsutil::rename(&tmp, target).map_err(|e| io(e, target)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes a store file and its WAL companions (those already gone are fine).
fn remove_store_files(path: &Path) -> Result<(), StoreError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StoreError::Io {
                    action: "remove the old project store",
                    source: e,
                    path: file,
                });
            }
            _ => {}
        }
    }
    Ok(())
}
