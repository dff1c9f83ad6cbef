//! The `decisions` table: the current explicit decision of every decided node.
//!
//! It holds the state; the audit log holds the history. Both are written in the
//! same transaction, so the state is always the replay of the log.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use crate::review::{DecisionRecord, Target};

/// The explicit decision on `target`, if any.
pub fn get(conn: &Connection, target: &Target) -> rusqlite::Result<Option<DecisionRecord>> {
    conn.query_row(
        "SELECT decision, reason, reviewer, time FROM decisions WHERE level = ?1 AND uid = ?2",
        params![target.level, target.uid],
        |r| {
            Ok(DecisionRecord {
                decision: r.get(0)?,
                reason: r.get(1)?,
                reviewer: r.get(2)?,
                time: r.get(3)?,
            })
        },
    )
    .optional()
}

/// Sets (or with `None` removes) the explicit decision on `target`.
pub fn put(
    conn: &Connection,
    target: &Target,
    record: Option<&DecisionRecord>,
) -> rusqlite::Result<()> {
    match record {
        Some(r) => conn.execute(
            "INSERT INTO decisions (level, uid, decision, reason, reviewer, time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (level, uid) DO UPDATE SET decision = excluded.decision,
                 reason = excluded.reason, reviewer = excluded.reviewer, time = excluded.time",
            params![
                target.level,
                target.uid,
                r.decision,
                r.reason,
                r.reviewer,
                r.time
            ],
        )?,
        None => conn.execute(
            "DELETE FROM decisions WHERE level = ?1 AND uid = ?2",
            params![target.level, target.uid],
        )?,
    };
    Ok(())
}

/// Every explicit decision.
pub fn all(conn: &Connection) -> rusqlite::Result<BTreeMap<Target, DecisionRecord>> {
    let mut stmt =
        conn.prepare("SELECT level, uid, decision, reason, reviewer, time FROM decisions")?;
    stmt.query_map([], |r| {
        Ok((
            Target {
                level: r.get(0)?,
                uid: r.get(1)?,
            },
            DecisionRecord {
                decision: r.get(2)?,
                reason: r.get(3)?,
                reviewer: r.get(4)?,
                time: r.get(5)?,
            },
        ))
    })?
    .collect()
}
