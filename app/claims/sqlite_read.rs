//! The claims as SQLite: `DATA/ADHOC_<release>.sqlite`, table name not given.
//!
//! The manual only says the file holds the same content as the csv, so the table is
//! found by its columns: every table or view whose columns include the two join keys
//! (`StudyInstanceId`, `SeriesInstanceId`, any case) is a candidate, and the one with
//! the most known claims columns wins. The file is opened read-only: it sits on a
//! release copy that the review must never change. Values are read as text whatever
//! their SQLite type, so they compare with the csv's.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::ClaimsError;
use super::codes;
use super::csv_read::decode_text;
use super::table::{ClaimsTable, KEY_COLUMNS};

/// The claims table found in a SQLite file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteClaims {
    /// The name of the table (or view) used.
    pub table_name: String,
    /// Its columns and rows, every value as text.
    pub table: ClaimsTable,
    /// Notes on the choice (several candidate tables) and on undecodable text, without path.
    pub warnings: Vec<String>,
}

/// Opens `path` read-only and reads the claims table from it.
pub fn read_sqlite(path: &Path) -> Result<SqliteClaims, ClaimsError> {
    let db_error = |reason: rusqlite::Error| ClaimsError::Sqlite {
        reason,
        path: path.to_path_buf(),
    };
    let conn = Connection::open_with_flags(
        crate::fsutil::sqlite_path(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db_error)?;
    let names = table_names(&conn).map_err(db_error)?;
    let mut candidates = Vec::new();
    for name in &names {
        let columns = table_columns(&conn, name).map_err(db_error)?;
        let has_keys = KEY_COLUMNS
            .iter()
            .all(|k| columns.iter().any(|c| c.eq_ignore_ascii_case(k)));
        if has_keys {
            let known = columns
                .iter()
                .filter(|c| codes::is_claims_column(c))
                .count();
            candidates.push((known, name.clone(), columns));
        }
    }
    // Most known columns first; names (already sorted) break ties.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut warnings = Vec::new();
    if candidates.len() > 1 {
        let all: Vec<&str> = candidates.iter().map(|c| c.1.as_str()).collect();
        warnings.push(format!(
            "several tables have the claims key columns ({}); using {}, which has the most claims columns",
            all.join(", "),
            all[0]
        ));
    }
    let Some((_, table_name, columns)) = candidates.into_iter().next() else {
        return Err(ClaimsError::NoClaimsTable {
            tables: names,
            path: path.to_path_buf(),
        });
    };
    let (rows, undecodable) = read_rows(&conn, &table_name, columns.len()).map_err(db_error)?;
    if undecodable > 0 {
        warnings.push(format!(
            "{undecodable} text values of table {table_name} are neither UTF-8 nor Big5; shown with replacement characters"
        ));
    }
    Ok(SqliteClaims {
        table_name,
        table: ClaimsTable::new(columns, rows),
        warnings,
    })
}

/// A name as a quoted SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Tables and views, sorted by name, SQLite's own tables left out.
fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    stmt.query_map([], |row| row.get(0))?.collect()
}

/// The column names of a table, in order.
fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let stmt = conn.prepare(&format!("SELECT * FROM {} LIMIT 0", quoted(table)))?;
    Ok(stmt.column_names().map(|c| c.trim().to_owned()).collect())
}

/// Every row of `table` as text, and how many text values could not be decoded.
fn read_rows(
    conn: &Connection,
    table: &str,
    width: usize,
) -> rusqlite::Result<(Vec<Vec<String>>, usize)> {
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {} ORDER BY rowid", quoted(table)))
        .or_else(|_| conn.prepare(&format!("SELECT * FROM {}", quoted(table))))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    let mut undecodable = 0;
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => String::new(),
                ValueRef::Integer(v) => v.to_string(),
                ValueRef::Real(v) => v.to_string(),
                ValueRef::Text(bytes) => decode_text(bytes).map_or_else(
                    |_| {
                        undecodable += 1;
                        String::from_utf8_lossy(bytes).into_owned()
                    },
                    |(text, _)| text,
                ),
                ValueRef::Blob(bytes) => format!("<{} bytes>", bytes.len()),
            });
        }
        out.push(values);
    }
    Ok((out, undecodable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quoted("ADHOC DATA"), "\"ADHOC DATA\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn integers_reals_nulls_and_big5_text_read_as_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.sqlite");
        {
            let conn = Connection::open(&path).expect("create");
            conn.execute_batch(
                "CREATE TABLE t (StudyInstanceId TEXT, SeriesInstanceId TEXT, SEQ_NO INTEGER, \
                 AMT REAL, NOTE BLOB, EXTRA TEXT); \
                 INSERT INTO t VALUES ('1.2', NULL, 1000, 2.5, x'0102', CAST(x'afddb3a1' AS TEXT));",
            )
            .expect("fill");
        }
        let got = read_sqlite(&path).expect("reads");
        assert_eq!(got.table_name, "t");
        assert_eq!(
            got.table.rows,
            [["1.2", "", "1000", "2.5", "<2 bytes>", "胸部"]]
        );
        assert!(got.warnings.is_empty());
    }
}
