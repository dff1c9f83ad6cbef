//! A patient's earlier claims, from `DATA/ADHOC_<release>_VDemoOpDtl_<year>.csv`.
//!
//! The manual promises one file per requested year and says nothing of their
//! columns, so every column is kept and the only one relied on is `PATIENT_ID`, the
//! key shared with the claims. A patient's rows from all years come back as one
//! table in date order, by the first date-like column a row has filled, in order of
//! precision: FUNC_DATE (visit), IN_DATE (admission), STUDY_DATE, APPL_DATE, FEE_YM.
//! Dates in the Republic of China calendar (`1090103`, `10901`), which NHI files
//! sometimes use, sort as their Gregorian equivalents.

use crate::fsutil::ShowPath;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::csv_read::{TextEncoding, read_csv};
use super::table::ClaimsTable;

/// The column that ties a history row to a patient.
pub const PATIENT_ID_COLUMN: &str = "PATIENT_ID";

/// Date columns a history table is sorted by, the most precise first.
pub const DATE_COLUMNS: [&str; 5] = ["FUNC_DATE", "IN_DATE", "STUDY_DATE", "APPL_DATE", "FEE_YM"];

/// One history file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryFile {
    /// The file.
    pub path: PathBuf,
    /// The year its name ends with.
    pub year: String,
    /// The encoding found.
    pub encoding: TextEncoding,
    /// Its columns and rows.
    pub table: ClaimsTable,
}

/// Every history file of a release, by year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct History {
    /// The files, sorted by year.
    pub files: Vec<HistoryFile>,
}

/// One patient's history: the union of the files' columns, rows in date order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PatientHistory {
    /// Columns (the first file's, then new ones of later files) and rows.
    pub table: ClaimsTable,
    /// The first of [`DATE_COLUMNS`] the table has: what the rows are sorted by.
    pub date_column: Option<String>,
}

/// `ADHOC_<release>_VDemoOpDtl_<year>.csv` files in `data_dir` (names compared
/// case-insensitively), with their years, sorted by year.
pub fn find_history_files(data_dir: &Path, release_id: &str) -> Vec<(PathBuf, String)> {
    let prefix = format!("adhoc_{release_id}_vdemoopdtl_").to_ascii_lowercase();
    let mut found: Vec<(PathBuf, String)> = std::fs::read_dir(data_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_ascii_lowercase();
            let year = name.strip_prefix(&prefix)?.strip_suffix(".csv")?;
            (!year.is_empty() && year.bytes().all(|b| b.is_ascii_digit()))
                .then(|| (entry.path(), year.to_owned()))
        })
        .filter(|(path, _)| path.is_file())
        .collect();
    found.sort_by(|a, b| (a.1.len(), &a.1).cmp(&(b.1.len(), &b.1)));
    found
}

/// Reads every history file of `release_id` in `data_dir`. A file that cannot be
/// read, or has no PATIENT_ID column, becomes a warning: history is context, and one
/// bad year must not hide the others or the claims.
pub fn load_history(data_dir: &Path, release_id: &str) -> (History, Vec<String>) {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for (path, year) in find_history_files(data_dir, release_id) {
        match read_csv(&path, "history csv") {
            Ok(csv) => {
                warnings.extend(
                    csv.warnings
                        .iter()
                        .map(|w| format!("history csv: {w}: {}", path.shown())),
                );
                if csv.table.column_index(PATIENT_ID_COLUMN).is_none() {
                    warnings.push(format!(
                        "history csv has no {PATIENT_ID_COLUMN} column; no patient's history uses it: {}",
                        path.shown()
                    ));
                }
                files.push(HistoryFile {
                    path,
                    year,
                    encoding: csv.encoding,
                    table: csv.table,
                });
            }
            Err(e) => warnings.push(e.to_string()),
        }
    }
    (History { files }, warnings)
}

impl History {
    /// Every row of `patient_id` (trimmed, exact) from all files, sorted by date
    /// (rows without a date last, file order otherwise kept).
    pub fn for_patient(&self, patient_id: &str) -> PatientHistory {
        let patient_id = patient_id.trim();
        let mut columns: Vec<String> = Vec::new();
        for file in &self.files {
            for c in &file.table.columns {
                if !columns.iter().any(|k| k.eq_ignore_ascii_case(c)) {
                    columns.push(c.clone());
                }
            }
        }
        let union = ClaimsTable::new(columns, Vec::new());
        let mut rows: Vec<(Option<String>, Vec<String>)> = Vec::new();
        for file in &self.files {
            let t = &file.table;
            let Some(pid) = t.column_index(PATIENT_ID_COLUMN) else {
                continue;
            };
            // Where each union column sits in this file.
            let from: Vec<Option<usize>> =
                union.columns.iter().map(|c| t.column_index(c)).collect();
            for row in t.rows.iter().filter(|r| r[pid].trim() == patient_id) {
                let values: Vec<String> = from
                    .iter()
                    .map(|i| i.map_or_else(String::new, |i| row[i].clone()))
                    .collect();
                rows.push((row_date(t, row), values));
            }
        }
        rows.sort_by(|a, b| match (&a.0, &b.0) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let date_column = DATE_COLUMNS
            .iter()
            .find_map(|d| union.column_index(d).map(|i| union.columns[i].clone()));
        PatientHistory {
            table: ClaimsTable::new(union.columns, rows.into_iter().map(|r| r.1).collect()),
            date_column,
        }
    }
}

/// The sort key of a row: its first filled date column, as Gregorian digits.
fn row_date(table: &ClaimsTable, row: &[String]) -> Option<String> {
    DATE_COLUMNS.iter().find_map(|d| {
        let value = row[table.column_index(d)?].trim();
        gregorian_digits(value)
    })
}

/// `20200103`, `2020-01-03`, `2020/1/3` (padded), `202001`, ROC `1090103` and `10901`
/// as Gregorian `YYYYMMDD` / `YYYYMM` digits; `None` when there are no digits.
fn gregorian_digits(value: &str) -> Option<String> {
    let parts: Vec<&str> = value
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let digits: String = if parts.len() > 1 {
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i > 0 && p.len() == 1 {
                    format!("0{p}")
                } else {
                    (*p).to_owned()
                }
            })
            .collect()
    } else {
        parts.first()?.to_string()
    };
    let roc_year = |y: &str| y.parse::<u32>().ok().map(|y| (y + 1911).to_string());
    Some(match digits.len() {
        7 => format!("{}{}", roc_year(&digits[..3])?, &digits[3..]),
        5 => format!("{}{}", roc_year(&digits[..3])?, &digits[3..]),
        _ => digits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_spelling_sort_as_gregorian() {
        assert_eq!(gregorian_digits("20200103").as_deref(), Some("20200103"));
        assert_eq!(gregorian_digits("2020-01-03").as_deref(), Some("20200103"));
        assert_eq!(gregorian_digits("2020/1/3").as_deref(), Some("20200103"));
        assert_eq!(gregorian_digits("1090103").as_deref(), Some("20200103"));
        assert_eq!(gregorian_digits("10901").as_deref(), Some("202001"));
        assert_eq!(gregorian_digits("202001").as_deref(), Some("202001"));
        assert_eq!(gregorian_digits(""), None);
        assert_eq!(gregorian_digits("n/a"), None);
    }

    #[test]
    fn history_files_are_found_by_name_and_sorted_by_year() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in [
            "ADHOC_20210407_102537_VDemoOpDtl_2020.csv",
            "adhoc_20210407_102537_vdemoopdtl_2019.CSV",
            "ADHOC_20210407_102537_VDemoOpDtl_.csv",
            "ADHOC_20210407_102537_VDemoOpDtl_2020.sqlite",
            "ADHOC_20990101_000000_VDemoOpDtl_2020.csv",
            "ADHOC_20210407_102537.csv",
        ] {
            std::fs::write(dir.path().join(name), "PATIENT_ID\n").expect("write");
        }
        let found = find_history_files(dir.path(), "20210407_102537");
        let years: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(years, ["2019", "2020"]);
    }
}
