//! How the review's enums are stored in SQLite: as their stable lower-case names.
//!
//! Names rather than numbers so that the audit log reads plainly in any SQLite
//! browser; the schema's CHECK constraints list the same names.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::CommandKind;
use crate::review::{Decision, Level};

/// Stores `$ty` as the text of its `as_str` and reads it back with its `parse`;
/// an unknown name is an error that names `$what` and the value.
macro_rules! text_column {
    ($ty:ty, $what:literal) => {
        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                <$ty>::parse(text).ok_or_else(|| {
                    FromSqlError::Other(format!("unknown {} {text:?}", $what).into())
                })
            }
        }

        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }
    };
}

text_column!(Level, "level");
text_column!(Decision, "decision");
text_column!(CommandKind, "command kind");

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_explained() {
        let conn = Connection::open_in_memory().expect("in-memory db");
        let back: (Level, Decision, CommandKind) = conn
            .query_row(
                "SELECT ?1, ?2, ?3",
                rusqlite::params![Level::Series, Decision::Drop, CommandKind::Redo],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("round trip");
        assert_eq!(back, (Level::Series, Decision::Drop, CommandKind::Redo));
        let text: String = conn
            .query_row("SELECT ?1", [Decision::Keep], |r| r.get(0))
            .expect("as text");
        assert_eq!(text, "keep");
        let err = conn
            .query_row("SELECT 'maybe'", [], |r| r.get::<_, Decision>(0))
            .expect_err("unknown");
        assert!(
            err.to_string().contains("unknown decision \"maybe\""),
            "{err}"
        );
    }
}
