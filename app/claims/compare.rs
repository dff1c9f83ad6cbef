//! The csv and the SQLite copy of the claims, compared.
//!
//! The manual says both files hold the same content; when they do not, the reviewer
//! must hear it (which rows, which values) before trusting either, and the app uses
//! the SQLite, whose values are typed and cannot have been damaged by a spreadsheet.
//! Rows are paired by `SeriesInstanceId` + `ORDER_SEQ_NO` + `SEQ_NO` when both files
//! have those columns (the identity of a claims row for one series), else by the whole
//! row. Values are compared trimmed and, when both are decimal numbers, by value, so
//! `001000` (csv text) equals `1000` (a SQLite integer).

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;

use super::table::{ClaimsTable, SERIES_UID_COLUMN};

/// The columns that identify a claims row, when both sources have them.
pub const ROW_KEY_COLUMNS: [&str; 3] = [SERIES_UID_COLUMN, "ORDER_SEQ_NO", "SEQ_NO"];

/// A row present in one source only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpairedRow {
    /// The row's key, as `COLUMN=value` joined by `, ` (every shared column when
    /// rows are keyed whole).
    pub key: String,
    /// Its 0-based index in its own source's table.
    pub row: usize,
}

/// One value that differs between paired rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellDiff {
    /// The column (as the csv spells it).
    pub column: String,
    /// The csv's value.
    pub csv: String,
    /// The SQLite's value.
    pub sqlite: String,
}

/// A pair of rows with the same key and different values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowDiff {
    /// The shared key.
    pub key: String,
    /// 0-based row in the csv.
    pub csv_row: usize,
    /// 0-based row in the SQLite table.
    pub sqlite_row: usize,
    /// The differing values, in csv column order.
    pub cells: Vec<CellDiff>,
}

/// How the csv and the SQLite claims differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceComparison {
    /// Rows in the csv.
    pub csv_rows: usize,
    /// Rows in the SQLite table.
    pub sqlite_rows: usize,
    /// Columns of the csv that the SQLite table lacks.
    pub columns_only_in_csv: Vec<String>,
    /// Columns of the SQLite table that the csv lacks.
    pub columns_only_in_sqlite: Vec<String>,
    /// The columns rows were paired by; empty when whole rows were compared.
    pub key_columns: Vec<String>,
    /// Rows only the csv has.
    pub only_in_csv: Vec<UnpairedRow>,
    /// Rows only the SQLite table has.
    pub only_in_sqlite: Vec<UnpairedRow>,
    /// Paired rows whose values differ.
    pub differing: Vec<RowDiff>,
}

impl SourceComparison {
    /// True when the two sources hold the same rows and columns.
    pub fn agrees(&self) -> bool {
        self.csv_rows == self.sqlite_rows
            && self.columns_only_in_csv.is_empty()
            && self.columns_only_in_sqlite.is_empty()
            && self.only_in_csv.is_empty()
            && self.only_in_sqlite.is_empty()
            && self.differing.is_empty()
    }

    /// One line for a report, e.g. `csv and sqlite agree (11 rows)` or
    /// `csv and sqlite disagree: csv 11 rows, sqlite 10; 1 only in csv, 0 only in sqlite, 1 differing`.
    pub fn summary(&self) -> String {
        if self.agrees() {
            return format!("csv and sqlite agree ({} rows)", self.csv_rows);
        }
        let mut line = format!(
            "csv and sqlite disagree: csv {} rows, sqlite {}; {} only in csv, {} only in sqlite, {} differing",
            self.csv_rows,
            self.sqlite_rows,
            self.only_in_csv.len(),
            self.only_in_sqlite.len(),
            self.differing.len()
        );
        for (side, columns) in [
            ("csv", &self.columns_only_in_csv),
            ("sqlite", &self.columns_only_in_sqlite),
        ] {
            if !columns.is_empty() {
                line.push_str(&format!("; columns only in {side}: {}", columns.join(", ")));
            }
        }
        line
    }
}

/// A value as compared: trimmed, and a decimal number without leading zeros or
/// trailing fraction zeros.
fn canonical(value: &str) -> Cow<'_, str> {
    let v = value.trim();
    let (sign, digits) = v.strip_prefix('-').map_or(("", v), |d| ("-", d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let decimal = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !decimal {
        return Cow::Borrowed(v);
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let sign = if int == "0" && frac.is_empty() {
        ""
    } else {
        sign
    };
    if frac.is_empty() {
        Cow::Owned(format!("{sign}{int}"))
    } else {
        Cow::Owned(format!("{sign}{int}.{frac}"))
    }
}

/// Columns present in both tables: (name as in the csv, csv index, sqlite index).
fn shared_columns(csv: &ClaimsTable, sqlite: &ClaimsTable) -> Vec<(String, usize, usize)> {
    csv.columns
        .iter()
        .enumerate()
        .filter_map(|(i, name)| sqlite.column_index(name).map(|j| (name.clone(), i, j)))
        .collect()
}

/// Compares the csv's rows with the SQLite's.
pub fn compare(csv: &ClaimsTable, sqlite: &ClaimsTable) -> SourceComparison {
    let shared = shared_columns(csv, sqlite);
    let only = |a: &ClaimsTable, b: &ClaimsTable| -> Vec<String> {
        a.columns
            .iter()
            .filter(|c| b.column_index(c).is_none())
            .cloned()
            .collect()
    };
    let keyed = ROW_KEY_COLUMNS
        .iter()
        .all(|k| csv.column_index(k).is_some() && sqlite.column_index(k).is_some());
    // (name, csv index, sqlite index) of the key columns.
    let key_columns: Vec<&(String, usize, usize)> = if keyed {
        ROW_KEY_COLUMNS
            .iter()
            .filter_map(|k| shared.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(k)))
            .collect()
    } else {
        shared.iter().collect()
    };
    let key_of = |row: &[String], pick: fn(&(String, usize, usize)) -> usize| -> String {
        key_columns
            .iter()
            .map(|c| format!("{}={}", c.0, canonical(&row[pick(c)])))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let csv_keys: Vec<String> = csv.rows.iter().map(|r| key_of(r, |c| c.1)).collect();
    let mut sqlite_by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, row) in sqlite.rows.iter().enumerate() {
        sqlite_by_key
            .entry(key_of(row, |c| c.2))
            .or_default()
            .push(j);
    }
    // Pair the n-th csv row of a key with the n-th SQLite row of that key.
    for rows in sqlite_by_key.values_mut() {
        rows.reverse();
    }
    let mut paired = vec![false; sqlite.rows.len()];
    let mut only_in_csv = Vec::new();
    let mut differing = Vec::new();
    for (i, key) in csv_keys.into_iter().enumerate() {
        let Some(j) = sqlite_by_key.get_mut(&key).and_then(Vec::pop) else {
            only_in_csv.push(UnpairedRow { key, row: i });
            continue;
        };
        paired[j] = true;
        let cells: Vec<CellDiff> = shared
            .iter()
            .filter(|(_, ci, si)| canonical(&csv.rows[i][*ci]) != canonical(&sqlite.rows[j][*si]))
            .map(|(name, ci, si)| CellDiff {
                column: name.clone(),
                csv: csv.rows[i][*ci].clone(),
                sqlite: sqlite.rows[j][*si].clone(),
            })
            .collect();
        if !cells.is_empty() {
            differing.push(RowDiff {
                key,
                csv_row: i,
                sqlite_row: j,
                cells,
            });
        }
    }
    let only_in_sqlite = (0..sqlite.rows.len())
        .filter(|j| !paired[*j])
        .map(|j| UnpairedRow {
            key: key_of(&sqlite.rows[j], |c| c.2),
            row: j,
        })
        .collect();
    SourceComparison {
        csv_rows: csv.rows.len(),
        sqlite_rows: sqlite.rows.len(),
        columns_only_in_csv: only(csv, sqlite),
        columns_only_in_sqlite: only(sqlite, csv),
        key_columns: if keyed {
            key_columns.iter().map(|c| c.0.clone()).collect()
        } else {
            Vec::new()
        },
        only_in_csv,
        only_in_sqlite,
        differing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: &[&str], rows: &[&[&str]]) -> ClaimsTable {
        ClaimsTable::new(
            columns.iter().map(|s| (*s).to_owned()).collect(),
            rows.iter()
                .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        )
    }

    #[test]
    fn canonical_numbers() {
        for (a, b) in [
            ("001000", "1000"),
            (" 2.50 ", "2.5"),
            ("0", "000"),
            ("-0", "0"),
            ("3.0", "3"),
        ] {
            assert_eq!(canonical(a), canonical(b), "{a} vs {b}");
        }
        for (a, b) in [("A3", "a3"), ("2.25.1", "2.25.10"), ("1e3", "1000")] {
            assert_ne!(canonical(a), canonical(b), "{a} vs {b}");
        }
    }

    #[test]
    fn keyed_rows_pair_and_report_each_way() {
        let cols = ["SeriesInstanceId", "ORDER_SEQ_NO", "SEQ_NO", "ICD1"];
        let csv = table(
            &cols,
            &[
                &["1.1", "1", "001000", "J189"],
                &["1.2", "1", "001000", "I10"],
                &["1.3", "1", "001007", "R05"],
            ],
        );
        let sqlite = table(
            &["seriesinstanceid", "order_seq_no", "seq_no", "icd1", "NOTE"],
            &[
                &["1.2", "1", "1000", "I10", "x"],
                &["1.1", "1", "1000", "J18.9", "y"],
                &["1.4", "2", "1014", "C3490", "z"],
            ],
        );
        let c = compare(&csv, &sqlite);
        assert!(!c.agrees());
        assert_eq!(
            c.key_columns,
            ["SeriesInstanceId", "ORDER_SEQ_NO", "SEQ_NO"]
        );
        assert_eq!(c.columns_only_in_sqlite, ["NOTE"]);
        assert_eq!(
            c.only_in_csv,
            [UnpairedRow {
                key: "SeriesInstanceId=1.3, ORDER_SEQ_NO=1, SEQ_NO=1007".into(),
                row: 2
            }]
        );
        assert_eq!(c.only_in_sqlite.len(), 1);
        assert_eq!(c.only_in_sqlite[0].row, 2);
        assert_eq!(
            c.differing,
            [RowDiff {
                key: "SeriesInstanceId=1.1, ORDER_SEQ_NO=1, SEQ_NO=1000".into(),
                csv_row: 0,
                sqlite_row: 1,
                cells: vec![CellDiff {
                    column: "ICD1".into(),
                    csv: "J189".into(),
                    sqlite: "J18.9".into()
                }]
            }]
        );
        assert_eq!(
            c.summary(),
            "csv and sqlite disagree: csv 3 rows, sqlite 3; 1 only in csv, 1 only in sqlite, 1 differing; columns only in sqlite: NOTE"
        );
    }

    #[test]
    fn without_key_columns_whole_rows_are_matched_with_duplicates_counted() {
        let csv = table(&["A", "B"], &[&["1", "x"], &["1", "x"], &["2", "y"]]);
        let sqlite = table(&["A", "B"], &[&["2", "y"], &["1", "x"]]);
        let c = compare(&csv, &sqlite);
        assert!(c.key_columns.is_empty());
        assert!(c.differing.is_empty());
        assert_eq!(
            c.only_in_csv,
            [UnpairedRow {
                key: "A=1, B=x".into(),
                row: 1
            }]
        );
        assert!(c.only_in_sqlite.is_empty());
        let same = compare(&sqlite, &sqlite);
        assert!(same.agrees());
        assert_eq!(same.summary(), "csv and sqlite agree (2 rows)");
    }
}
