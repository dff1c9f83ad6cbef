//! The `suggestions` table (what the rules proposed, and its status), the
//! `target_labels` table (labels people gave studies and series) and `review_audit`
//! (how both came about), written in the same transaction as their command.
//!
//! Like shapes, each row is its JSON beside the columns used to find it, so a new
//! attribute needs no migration, and a row that no longer parses reads as absent.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::review::suggestion::{LabelRecord, Suggestion, TargetLabel};
use crate::review::{Level, Target};

/// The suggestion with this id, if any.
pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Suggestion>> {
    let json: Option<String> = conn
        .query_row("SELECT json FROM suggestions WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// Sets (or with `None` removes) the suggestion with this id.
pub fn put(conn: &Connection, id: &str, suggestion: Option<&Suggestion>) -> rusqlite::Result<()> {
    match suggestion {
        Some(s) => {
            conn.execute(
                "INSERT INTO suggestions (id, study_uid, status, json) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET study_uid = excluded.study_uid,
                     status = excluded.status, json = excluded.json",
                params![id, s.proposal.study_uid, s.status.as_str(), to_json(s)],
            )?;
        }
        None => {
            conn.execute("DELETE FROM suggestions WHERE id = ?1", [id])?;
        }
    }
    Ok(())
}

/// Every readable suggestion, by id.
pub fn all(conn: &Connection) -> rusqlite::Result<BTreeMap<String, Suggestion>> {
    let mut stmt = conn.prepare("SELECT id, json FROM suggestions")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (id, json) = row?;
        if let Ok(s) = serde_json::from_str(&json) {
            out.insert(id, s);
        }
    }
    Ok(out)
}

/// Who gave `key` its label, if it has it.
pub fn get_label(conn: &Connection, key: &TargetLabel) -> rusqlite::Result<Option<LabelRecord>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM target_labels WHERE level = ?1 AND uid = ?2 AND label = ?3",
            params![key.target.level.as_str(), key.target.uid, key.label],
            |r| r.get(0),
        )
        .optional()?;
    Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
}

/// Gives (or with `None` takes away) a study or series label.
pub fn put_label(
    conn: &Connection,
    key: &TargetLabel,
    record: Option<&LabelRecord>,
) -> rusqlite::Result<()> {
    let level = key.target.level.as_str();
    match record {
        Some(r) => {
            conn.execute(
                "INSERT INTO target_labels (level, uid, label, json) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (level, uid, label) DO UPDATE SET json = excluded.json",
                params![level, key.target.uid, key.label, to_json(r)],
            )?;
        }
        None => {
            conn.execute(
                "DELETE FROM target_labels WHERE level = ?1 AND uid = ?2 AND label = ?3",
                params![level, key.target.uid, key.label],
            )?;
        }
    }
    Ok(())
}

/// Every study and series label.
pub fn all_labels(conn: &Connection) -> rusqlite::Result<BTreeMap<TargetLabel, LabelRecord>> {
    let mut stmt = conn.prepare("SELECT level, uid, label, json FROM target_labels")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (level, uid, label, json) = row?;
        if let (Some(level), Ok(record)) = (Level::parse(&level), serde_json::from_str(&json)) {
            out.insert(
                TargetLabel {
                    target: Target { level, uid },
                    label,
                },
                record,
            );
        }
    }
    Ok(out)
}

/// Appends the audit row of one suggestion (`item = "suggestion"`) or label
/// (`item = "label"`) change of command `command_id`.
pub fn append_audit<T: Serialize>(
    conn: &Connection,
    command_id: i64,
    item: &str,
    key: &str,
    old: Option<&T>,
    new: Option<&T>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO review_audit (command_id, item, key, old_json, new_json)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![command_id, item, key, old.map(to_json), new.map(to_json)],
    )?;
    Ok(())
}

/// The number of suggestion and label changes in the audit log.
pub fn audit_len(conn: &Connection) -> rusqlite::Result<u64> {
    let count: i64 = conn.query_row("SELECT count(*) FROM review_audit", [], |r| r.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Plain strings and enums: serialising cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}
