//! Radiology report text for the rules: `DATA/REPORT_<release>.csv`, optional.
//!
//! Some releases come with the reports of their studies, and a report says far more
//! than a series description ("3 mm nodule in RUL"), so rules can search it. Reports
//! are context like the claims: a release without the file simply has none, and a
//! row that cannot be used (no key, no text) is a note, not a failure. The file is
//! read exactly like the claims csv (encoding and delimiter found, never decoded with
//! replacement characters; see [`crate::claims::csv_read`]).
//!
//! Columns, found case-insensitively: the study by `StudyInstanceUID` (or
//! `StudyInstanceId`, the claims spelling) or by `AccessionNumber`, and the text in
//! `text` (or `REPORT`, `ReportText`). Several rows for one study are joined with a
//! line break, in file order.

use crate::fsutil::ShowPath;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::claims::csv_read::{decode_text, parse_csv};
use crate::claims::{CsvProblem, TextEncoding};
use crate::release::ReleaseLayout;

/// Column names that hold the Study Instance UID, first found wins.
const STUDY_COLUMNS: [&str; 2] = ["StudyInstanceUID", "StudyInstanceId"];
/// The column that holds the Accession Number.
const ACCESSION_COLUMN: &str = "AccessionNumber";
/// Column names that hold the report, first found wins.
const TEXT_COLUMNS: [&str; 3] = ["text", "REPORT", "ReportText"];

/// Why a report file could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum ReportsError {
    /// The file could not be read.
    #[error("cannot read report csv: {reason}: {}", path.shown())]
    Io {
        /// The I/O error.
        reason: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// Its bytes are not a csv table.
    #[error("cannot read report csv: {problem}: {}", path.shown())]
    Csv {
        /// What is wrong.
        problem: CsvProblem,
        /// The file.
        path: PathBuf,
    },
    /// The header lacks a key or a text column.
    #[error(
        "report csv has no {missing} column (it has {columns}): {}",
        path.shown()
    )]
    MissingColumn {
        /// What is missing, with the accepted names.
        missing: &'static str,
        /// The header's columns, comma-separated.
        columns: String,
        /// The file.
        path: PathBuf,
    },
}

/// The report text of a release, by study and by accession number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reports {
    /// The file read, when read from one.
    pub path: Option<PathBuf>,
    /// Its encoding.
    pub encoding: Option<TextEncoding>,
    /// Report text by Study Instance UID (trimmed).
    by_study: HashMap<String, String>,
    /// Report text by Accession Number (trimmed).
    by_accession: HashMap<String, String>,
    /// Rows used.
    rows: usize,
    /// Rows skipped and csv warnings, each ending with the path.
    pub notes: Vec<String>,
}

impl Reports {
    /// Reads the report csv at `path`.
    pub fn load(path: &Path) -> Result<Self, ReportsError> {
        let bytes = std::fs::read(path).map_err(|reason| ReportsError::Io {
            reason,
            path: path.to_path_buf(),
        })?;
        let csv_error = |problem| ReportsError::Csv {
            problem,
            path: path.to_path_buf(),
        };
        let csv = parse_csv(&bytes).map_err(csv_error)?;
        let table = &csv.table;
        let missing = |missing| ReportsError::MissingColumn {
            missing,
            columns: table.columns.join(", "),
            path: path.to_path_buf(),
        };
        let study_col = STUDY_COLUMNS.iter().find_map(|c| table.column_index(c));
        let accession_col = table.column_index(ACCESSION_COLUMN);
        if study_col.is_none() && accession_col.is_none() {
            return Err(missing(
                "StudyInstanceUID (or StudyInstanceId) or AccessionNumber",
            ));
        }
        let text_col = TEXT_COLUMNS
            .iter()
            .find_map(|c| table.column_index(c))
            .ok_or_else(|| missing("text (or REPORT, ReportText)"))?;
        let (text, _) = decode_text(&bytes).map_err(csv_error)?;
        let lines = record_lines(&text, csv.delimiter);
        let mut reports = Self {
            path: Some(path.to_path_buf()),
            encoding: Some(csv.encoding),
            notes: csv
                .warnings
                .iter()
                .map(|w| format!("report csv: {w}: {}", path.shown()))
                .collect(),
            ..Self::default()
        };
        for (i, row) in table.rows.iter().enumerate() {
            let cell = |col: Option<usize>| col.map_or("", |c| row[c].trim());
            let line = lines.get(i).copied().unwrap_or(0);
            let report = cell(Some(text_col));
            let (map, key) = match (cell(study_col), cell(accession_col)) {
                ("", "") => {
                    reports.notes.push(format!(
                        "report csv line {line} names no study (no StudyInstanceUID or AccessionNumber); skipped: {}",
                        path.shown()
                    ));
                    continue;
                }
                ("", accession) => (&mut reports.by_accession, accession),
                (study, _) => (&mut reports.by_study, study),
            };
            if report.is_empty() {
                reports.notes.push(format!(
                    "report csv line {line} has no text; skipped: {}",
                    path.shown()
                ));
                continue;
            }
            let entry = map.entry(key.to_owned()).or_default();
            if !entry.is_empty() {
                entry.push('\n');
            }
            entry.push_str(report);
            reports.rows += 1;
        }
        Ok(reports)
    }

    /// Reads `REPORT_<release_id>.csv` from `data_dir` (name compared
    /// case-insensitively); `None` when there is no such file.
    pub fn load_from_data_dir(
        data_dir: &Path,
        release_id: &str,
    ) -> Result<Option<Self>, ReportsError> {
        let name = format!("REPORT_{release_id}.csv");
        let found = std::fs::read_dir(data_dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    && p.is_file()
            });
        found.map(|path| Self::load(&path)).transpose()
    }

    /// Reads the report csv of the release opened at `root` (found like the claims:
    /// `DATA/` of a release root, `../../DATA` of an `IMAGE/<release>/` folder);
    /// `None` when the release has no id, no `DATA/` folder or no report file.
    pub fn load_for_release(
        root: &Path,
        layout: &ReleaseLayout,
    ) -> Result<Option<Self>, ReportsError> {
        let data_dir = crate::release::data_dir(root, layout);
        match (data_dir, layout.release_id()) {
            (Some(dir), Some(id)) if dir.is_dir() => Self::load_from_data_dir(&dir, id),
            _ => Ok(None),
        }
    }

    /// Number of rows used.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row was used.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The report of a study: its rows by Study Instance UID, then those of each of
    /// `accession_numbers`, joined by line breaks; empty when it has none.
    pub fn text_for_study<'a>(
        &self,
        study_uid: &str,
        accession_numbers: impl IntoIterator<Item = &'a str>,
    ) -> String {
        let by_accession = accession_numbers
            .into_iter()
            .filter_map(|a| self.by_accession.get(a.trim()));
        self.by_study
            .get(study_uid.trim())
            .into_iter()
            .chain(by_accession)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The 1-based line each data record (after the header) starts on.
fn record_lines(text: &str, delimiter: char) -> Vec<u64> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter as u8)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    reader
        .records()
        .flatten()
        .filter(|r| !r.iter().all(|f| f.trim().is_empty()))
        .map(|r| {
            // The position may point at the `\n` of the previous line's CRLF.
            let mut at = (r.position().map_or(0, |p| p.byte()) as usize).min(bytes.len());
            while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
                at += 1;
            }
            1 + bytes[..at].iter().filter(|b| **b == b'\n').count() as u64
        })
        .skip(1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    #[test]
    fn rows_join_by_study_and_by_accession() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = write(
            dir.path(),
            "r.csv",
            "\u{feff}studyinstanceuid,AccessionNumber,Report\r\n1.2,,\"No nodule.\r\nStable.\"\r\n1.2,,Second\r\n,A9,By accession\r\n,,orphan\r\n1.3,,\r\n"
                .as_bytes(),
        );
        let r = Reports::load(&path).expect("loads");
        assert_eq!(r.len(), 3);
        assert_eq!(r.encoding, Some(TextEncoding::Utf8Bom));
        assert_eq!(r.text_for_study("1.2", []), "No nodule.\r\nStable.\nSecond");
        assert_eq!(
            r.text_for_study("1.2", ["A9"]),
            "No nodule.\r\nStable.\nSecond\nBy accession"
        );
        assert_eq!(r.text_for_study("9.9", [" A9 "]), "By accession");
        assert_eq!(r.text_for_study("9.9", []), "");
        assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
        assert!(
            r.notes[0].starts_with("report csv line 6 names no study"),
            "{}",
            r.notes[0]
        );
        assert!(
            r.notes[1].starts_with("report csv line 7 has no text"),
            "{}",
            r.notes[1]
        );
        assert!(r.notes[1].ends_with("r.csv"));
    }

    #[test]
    fn big5_and_semicolons_are_read() {
        let dir = tempfile::tempdir().expect("tmp");
        // 結節 in Big5 is B5 B2 B8 60.
        let path = write(
            dir.path(),
            "r.csv",
            b"StudyInstanceId;text\n1.2;\xb5\xb2\xb8\x60\n",
        );
        let r = Reports::load(&path).expect("loads");
        assert_eq!(r.encoding, Some(TextEncoding::Big5));
        assert_eq!(r.text_for_study("1.2", []), "結節");
    }

    #[test]
    fn missing_columns_and_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = write(dir.path(), "r.csv", b"StudyInstanceUID,Notes\n1,x\n");
        let err = Reports::load(&path)
            .expect_err("no text column")
            .to_string();
        assert!(err.starts_with("report csv has no text (or REPORT, ReportText) column (it has StudyInstanceUID, Notes): "), "{err}");
        let path = write(dir.path(), "r.csv", b"PatientID,text\n1,x\n");
        let err = Reports::load(&path).expect_err("no key column").to_string();
        assert!(err.contains("no StudyInstanceUID"), "{err}");
        let err = Reports::load(&dir.path().join("none.csv")).expect_err("no file");
        assert!(matches!(err, ReportsError::Io { .. }));
        assert_eq!(
            Reports::load_from_data_dir(dir.path(), "20210407_102537").expect("ok"),
            None
        );
        write(
            dir.path(),
            "report_20210407_102537.CSV",
            b"AccessionNumber,text\nA1,x\n",
        );
        let found = Reports::load_from_data_dir(dir.path(), "20210407_102537")
            .expect("ok")
            .expect("found case-insensitively");
        assert_eq!(found.len(), 1);
    }
}
