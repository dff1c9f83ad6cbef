//! The project store's schema: versioned migrations, oldest first.
//!
//! A store outlives the Lightbox that made it (a review runs for weeks, and the next
//! issue adds annotation tables), so the schema is a list of migrations and
//! `PRAGMA user_version` counts how many have been applied. Adding tables means
//! appending a migration, never editing one. Each migration runs in its own
//! transaction together with its version bump, so a crash mid-migration leaves the
//! previous version intact. A store from a newer Lightbox is refused, not guessed at,
//! and `PRAGMA application_id` marks the file as ours so that an unrelated SQLite
//! file is refused too instead of having tables added to it.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// `PRAGMA application_id` of a project store: "LBXP" in ASCII.
const APPLICATION_ID: i32 = 0x4C42_5850;

/// Version 1: settings, the release's images, decisions and the append-only audit log.
///
/// The audit log is two tables: `commands` (one row per user action: who, when,
/// what) and `audit` (one row per change of that action). Triggers make both
/// append-only: SQLite itself refuses an UPDATE or DELETE, whoever asks.
const V1: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE images (
    sop_uid    TEXT PRIMARY KEY,
    study_uid  TEXT NOT NULL,
    series_uid TEXT NOT NULL,
    file_name  TEXT NOT NULL,
    bytes      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE decisions (
    level    TEXT NOT NULL CHECK (level IN ('study', 'series', 'image')),
    uid      TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('keep', 'drop', 'undecided')),
    reason   TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    time     TEXT NOT NULL,
    PRIMARY KEY (level, uid)
) WITHOUT ROWID;

CREATE TABLE commands (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL CHECK (kind IN ('do', 'undo', 'redo')),
    label    TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    time     TEXT NOT NULL
);

CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    command_id   INTEGER NOT NULL REFERENCES commands (id),
    level        TEXT NOT NULL CHECK (level IN ('study', 'series', 'image')),
    uid          TEXT NOT NULL,
    old_decision TEXT CHECK (old_decision IN ('keep', 'drop', 'undecided')),
    new_decision TEXT CHECK (new_decision IN ('keep', 'drop', 'undecided')),
    reason       TEXT NOT NULL
);
CREATE INDEX audit_by_command ON audit (command_id);

CREATE TRIGGER commands_no_update BEFORE UPDATE ON commands
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER commands_no_delete BEFORE DELETE ON commands
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// Version 2: annotations. `shapes` holds the current shapes (JSON, with the
/// columns used to find them); `shape_audit` one row per shape change of a command
/// (old and new JSON), append-only like `audit`.
const V2: &str = "
CREATE TABLE shapes (
    id        TEXT PRIMARY KEY,
    sop_uid   TEXT NOT NULL,
    frame     INTEGER NOT NULL,
    annotator TEXT NOT NULL,
    json      TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX shapes_by_frame ON shapes (sop_uid, frame);

CREATE TABLE shape_audit (
    seq        INTEGER PRIMARY KEY,
    command_id INTEGER NOT NULL REFERENCES commands (id),
    shape_id   TEXT NOT NULL,
    old_json   TEXT,
    new_json   TEXT
);
CREATE INDEX shape_audit_by_command ON shape_audit (command_id);

CREATE TRIGGER shape_audit_no_update BEFORE UPDATE ON shape_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER shape_audit_no_delete BEFORE DELETE ON shape_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// Version 3: pre-labelling. `suggestions` holds what the rules proposed and its
/// status (JSON with lookup columns), `target_labels` the labels people gave studies
/// and series, and `review_audit` one row per change of either (old and new JSON),
/// append-only like `audit`.
const V3: &str = "
CREATE TABLE suggestions (
    id         TEXT PRIMARY KEY,
    study_uid  TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    json       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX suggestions_by_study ON suggestions (study_uid);

CREATE TABLE target_labels (
    level  TEXT NOT NULL CHECK (level IN ('study', 'series')),
    uid    TEXT NOT NULL,
    label  TEXT NOT NULL,
    json   TEXT NOT NULL,
    PRIMARY KEY (level, uid, label)
) WITHOUT ROWID;

CREATE TABLE review_audit (
    seq        INTEGER PRIMARY KEY,
    command_id INTEGER NOT NULL REFERENCES commands (id),
    item       TEXT NOT NULL CHECK (item IN ('suggestion', 'label')),
    key        TEXT NOT NULL,
    old_json   TEXT,
    new_json   TEXT
);
CREATE INDEX review_audit_by_command ON review_audit (command_id);

CREATE TRIGGER review_audit_no_update BEFORE UPDATE ON review_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER review_audit_no_delete BEFORE DELETE ON review_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// The migrations: entry `i` brings a store from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1, V2, V3];

/// The schema version this build writes (and the newest it reads).
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the store at `path` (open as `conn`) to [`current_version`].
///
/// Refuses a file that is another program's database and a store from a newer
/// Lightbox. Each step re-reads the version inside its write transaction, so two
/// Lightbox processes opening a new store at once do not both migrate it.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let sql = |source| StoreError::Sqlite {
        action: "update the project store's schema",
        source,
        path: path.to_path_buf(),
    };
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        let application_id: i32 = tx
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(sql)?;
        let tables: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(sql)?;
        let fresh = version == 0 && tables == 0;
        if application_id != APPLICATION_ID && !fresh {
            return Err(StoreError::NotAStore {
                application_id,
                path: path.to_path_buf(),
            });
        }
        if version > current_version() {
            return Err(StoreError::NewerSchema {
                found: version,
                supported: current_version(),
                path: path.to_path_buf(),
            });
        }
        let Some(step) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return tx.commit().map_err(sql);
        };
        tx.execute_batch(step).map_err(sql)?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(sql)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_file_gets_every_migration_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.sqlite");
        let mut conn = Connection::open(&path).expect("open");
        migrate(&mut conn, &path).expect("first");
        migrate(&mut conn, &path).expect("second is a no-op");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, 3);
        let mut names: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("query")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("names");
        names.sort();
        assert_eq!(
            names,
            [
                "audit",
                "commands",
                "decisions",
                "images",
                "meta",
                "review_audit",
                "shape_audit",
                "shapes",
                "suggestions",
                "target_labels"
            ]
        );
    }

    #[test]
    fn foreign_database_is_refused_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("other.sqlite");
        let mut conn = Connection::open(&path).expect("open");
        conn.execute_batch("CREATE TABLE t (x)").expect("create");
        let err = migrate(&mut conn, &path).expect_err("refused");
        assert!(
            matches!(
                err,
                StoreError::NotAStore {
                    application_id: 0,
                    ..
                }
            ),
            "{err}"
        );
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .expect("count");
        assert_eq!(tables, 1);
    }

    #[test]
    fn version_1_store_gains_the_annotation_tables_and_keeps_its_rows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("v1.sqlite");
        let mut conn = Connection::open(&path).expect("open");
        // A store as the Lightbox of issue 4 left it.
        conn.execute_batch(V1).expect("v1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("id");
        conn.execute(
            "INSERT INTO decisions VALUES ('study', '1.2', 'keep', '', 'r', 't')",
            [],
        )
        .expect("decision");
        migrate(&mut conn, &path).expect("migrate");
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(version, 3);
        let kept: i64 = conn
            .query_row("SELECT count(*) FROM decisions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(kept, 1);
        conn.execute(
            "INSERT INTO shapes VALUES ('s1', '1.2.3', 1, 'ann', '{}')",
            [],
        )
        .expect("shapes table usable");
        conn.execute(
            "INSERT INTO suggestions VALUES ('study|1.2|r', '1.2', 'pending', '{}')",
            [],
        )
        .expect("suggestions table usable");
    }

    #[test]
    fn review_audit_is_append_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.sqlite");
        let mut conn = Connection::open(&path).expect("open");
        migrate(&mut conn, &path).expect("migrate");
        conn.execute(
            "INSERT INTO commands VALUES (1, 'do', 'accept', 'r', 't')",
            [],
        )
        .expect("command");
        conn.execute(
            "INSERT INTO review_audit (command_id, item, key) VALUES (1, 'label', 'k')",
            [],
        )
        .expect("append");
        for sql in [
            "UPDATE review_audit SET key = 'x'",
            "DELETE FROM review_audit",
        ] {
            let err = conn.execute(sql, []).expect_err(sql);
            assert!(err.to_string().contains("append-only"), "{err}");
        }
    }
}
