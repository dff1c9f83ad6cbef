//! The `shapes` table (the current annotations) and `shape_audit` (how they came
//! about), written in the same transaction as the command they belong to.
//!
//! A shape is kept as its JSON (the [`Shape`] serde form) beside the columns used to
//! find it, so adding an attribute to shapes needs no migration.

use rusqlite::{Connection, OptionalExtension, params};

use crate::annotate::{LabelSet, Shape};

use super::meta;

/// The shape with this id, if any. A row that no longer parses reads as absent
/// (and is overwritten by the next change), never as a crash.
pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Shape>> {
    let json: Option<String> = conn
        .query_row("SELECT json FROM shapes WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// Sets (or with `None` deletes) the shape with this id.
pub fn put(conn: &Connection, id: &str, shape: Option<&Shape>) -> rusqlite::Result<()> {
    match shape {
        Some(s) => {
            conn.execute(
                "INSERT INTO shapes (id, sop_uid, frame, annotator, json)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET sop_uid = excluded.sop_uid,
                     frame = excluded.frame, annotator = excluded.annotator,
                     json = excluded.json",
                params![id, s.image.sop_uid, s.image.frame, s.annotator, to_json(s)],
            )?;
        }
        None => {
            conn.execute("DELETE FROM shapes WHERE id = ?1", [id])?;
        }
    }
    Ok(())
}

/// Appends the audit row of one shape change of command `command_id`.
pub fn append_audit(
    conn: &Connection,
    command_id: i64,
    id: &str,
    old: Option<&Shape>,
    new: Option<&Shape>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO shape_audit (command_id, shape_id, old_json, new_json)
         VALUES (?1, ?2, ?3, ?4)",
        params![command_id, id, old.map(to_json), new.map(to_json)],
    )?;
    Ok(())
}

/// Every shape, by id order; rows that do not parse are skipped and counted.
pub fn all(conn: &Connection) -> rusqlite::Result<(Vec<Shape>, usize)> {
    let mut stmt = conn.prepare("SELECT json FROM shapes ORDER BY id")?;
    let mut shapes = Vec::new();
    let mut unreadable = 0;
    for json in stmt.query_map([], |r| r.get::<_, String>(0))? {
        match serde_json::from_str(&json?) {
            Ok(shape) => shapes.push(shape),
            Err(_) => unreadable += 1,
        }
    }
    Ok((shapes, unreadable))
}

/// The number of shape changes in the audit log.
pub fn audit_len(conn: &Connection) -> rusqlite::Result<u64> {
    let count: i64 = conn.query_row("SELECT count(*) FROM shape_audit", [], |r| r.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// The project's label set: the stored one, else the default.
pub fn label_set(conn: &Connection) -> rusqlite::Result<LabelSet> {
    Ok(meta::get(conn, meta::LABEL_SET)?
        .and_then(|json| LabelSet::from_json(&json).ok())
        .unwrap_or_default())
}

/// Stores the project's label set.
pub fn set_label_set(conn: &Connection, labels: &LabelSet) -> rusqlite::Result<()> {
    let json = serde_json::to_string(labels).unwrap_or_default();
    meta::set(conn, meta::LABEL_SET, &json)
}

fn to_json(shape: &Shape) -> String {
    // A Shape is plain strings and finite-or-not floats; serde_json writes NaN as
    // null, which reads back as an error and so as "absent", never silently wrong.
    serde_json::to_string(shape).unwrap_or_default()
}
