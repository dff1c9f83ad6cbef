//! A claims table as read from any source: column names in file order, rows of text.
//!
//! Everything is kept as text because the sources disagree on types (a csv has only
//! text, a SQLite export may store `SEQ_NO` as an integer) and because a reviewer must
//! see what the file says, not our reading of it. Columns are never dropped: the
//! manual does not fix the column set, so unknown columns travel with the known ones.

use serde::Serialize;

/// The column that joins a claims row to a DICOM Study Instance UID.
pub const STUDY_UID_COLUMN: &str = "StudyInstanceId";

/// The column that joins a claims row to a DICOM Series Instance UID.
pub const SERIES_UID_COLUMN: &str = "SeriesInstanceId";

/// The columns a table must have to be a claims table (found by these in SQLite).
pub const KEY_COLUMNS: [&str; 2] = [STUDY_UID_COLUMN, SERIES_UID_COLUMN];

/// Column names and rows of one claims source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClaimsTable {
    /// Column names in file order, trimmed.
    pub columns: Vec<String>,
    /// Rows; every row has exactly `columns.len()` values.
    pub rows: Vec<Vec<String>>,
}

impl ClaimsTable {
    /// A table from a header and rows; short rows are padded with empty values and
    /// long rows cut to the header's length (readers report such rows as warnings).
    pub fn new(columns: Vec<String>, rows: Vec<Vec<String>>) -> Self {
        let width = columns.len();
        let rows = rows
            .into_iter()
            .map(|mut row| {
                row.resize(width, String::new());
                row
            })
            .collect();
        Self { columns, rows }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The position of `name` among the columns, compared case-insensitively.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    }

    /// The value of column `name` in row `row`, trimmed; `None` when the column is
    /// missing or the row does not exist, `Some("")` when the cell is empty.
    pub fn value(&self, row: usize, name: &str) -> Option<&str> {
        let column = self.column_index(name)?;
        self.rows.get(row).map(|r| r[column].trim())
    }

    /// The value of column `name` in row `row`, or `""` when absent.
    pub fn value_or_empty(&self, row: usize, name: &str) -> &str {
        self.value(row, name).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn rows_take_the_header_width() {
        let t = ClaimsTable::new(
            strings(&["A", "B", "C"]),
            vec![strings(&["1"]), strings(&["1", "2", "3", "4"])],
        );
        assert_eq!(t.rows[0], strings(&["1", "", ""]));
        assert_eq!(t.rows[1], strings(&["1", "2", "3"]));
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn lookups_ignore_case_and_trim_values() {
        let t = ClaimsTable::new(
            strings(&["PATIENT_ID", "StudyInstanceId"]),
            vec![strings(&["P1 ", " 1.2.3"])],
        );
        assert_eq!(t.column_index("studyinstanceid"), Some(1));
        assert_eq!(t.value(0, "patient_id"), Some("P1"));
        assert_eq!(t.value(0, "STUDYINSTANCEID"), Some("1.2.3"));
        assert_eq!(t.value(0, "ICD1"), None);
        assert_eq!(t.value(1, "PATIENT_ID"), None);
        assert_eq!(t.value_or_empty(0, "ICD1"), "");
    }
}
