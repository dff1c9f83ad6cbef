//! The append-only audit log: who changed which decision, when, from what to what.
//!
//! A keep-list decides what leaves the secure site, so every change must be
//! traceable afterwards. One `commands` row per user action (kind, label, reviewer,
//! time) and one `audit` row per change; the schema's triggers refuse UPDATE and
//! DELETE on both, and rows are only ever appended here, in the transaction that
//! changes the decisions.

use rusqlite::{Connection, params};

use super::{Change, CommandKind, StoreCommand};
use crate::review::{Decision, DecisionRecord, Target};

/// One change as the audit log tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// The command the change belongs to, from 1.
    pub command_id: i64,
    /// Do, undo or redo.
    pub kind: CommandKind,
    /// The command's label.
    pub label: String,
    /// Who applied the command.
    pub reviewer: String,
    /// When the command was applied (RFC 3339 UTC).
    pub time: String,
    /// The node changed.
    pub target: Target,
    /// Its explicit decision before (`None`: none).
    pub old: Option<Decision>,
    /// Its explicit decision after (`None`: removed).
    pub new: Option<Decision>,
    /// The reason given with the new decision (empty when removed).
    pub reason: String,
}

/// Appends the row of `command` and returns its id.
pub fn append_command(
    conn: &Connection,
    command: &StoreCommand,
    reviewer: &str,
    time: &str,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO commands (kind, label, reviewer, time) VALUES (?1, ?2, ?3, ?4)",
        params![command.kind, command.label, reviewer, time],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Appends the row of one change of command `command_id`.
pub fn append_change(
    conn: &Connection,
    command_id: i64,
    change: &Change,
    old: Option<&DecisionRecord>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO audit (command_id, level, uid, old_decision, new_decision, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            command_id,
            change.target.level,
            change.target.uid,
            old.map(|r| r.decision),
            change.new.as_ref().map(|r| r.decision),
            change.new.as_ref().map_or("", |r| r.reason.as_str()),
        ],
    )?;
    Ok(())
}

/// The number of changes in the log.
pub fn len(conn: &Connection) -> rusqlite::Result<u64> {
    let count: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Up to `limit` entries from position `offset` (0 = the first), oldest first.
pub fn read(conn: &Connection, offset: u64, limit: u64) -> rusqlite::Result<Vec<AuditEntry>> {
    let as_sql = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare(
        "SELECT a.seq, a.command_id, c.kind, c.label, c.reviewer, c.time,
                a.level, a.uid, a.old_decision, a.new_decision, a.reason
         FROM audit a JOIN commands c ON c.id = a.command_id
         ORDER BY a.seq LIMIT ?1 OFFSET ?2",
    )?;
    stmt.query_map([as_sql(limit), as_sql(offset)], |r| {
        Ok(AuditEntry {
            seq: r.get(0)?,
            command_id: r.get(1)?,
            kind: r.get(2)?,
            label: r.get(3)?,
            reviewer: r.get(4)?,
            time: r.get(5)?,
            target: Target {
                level: r.get(6)?,
                uid: r.get(7)?,
            },
            old: r.get(8)?,
            new: r.get(9)?,
            reason: r.get(10)?,
        })
    })?
    .collect()
}
