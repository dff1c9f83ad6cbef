//! The insurance-claims records of a release: `DATA/ADHOC_<release>.csv` and/or
//! `.sqlite`, and the patients' history files, read, checked and joined to the images.
//!
//! Claims are what tell a reviewer why an image exists (diagnosis, body region,
//! exam), so the app shows them beside the images; but they are context, not the
//! release, so their absence is never an error: a missing `DATA/` folder or claims
//! file gives an empty set with a note, and everything doubtful (csv and SQLite
//! disagreeing, short rows, a history file that cannot be read) is collected as notes
//! for the reviewer rather than stopping the load. When both files exist the SQLite is
//! used and the csv only checked against it (see [`compare`]).
//!
//! Each job has its own module: [`csv_read`] and [`sqlite_read`] read a source into a
//! [`table::ClaimsTable`], [`compare`] sets them side by side, [`history`] reads the
//! VDemoOpDtl files, [`join`] matches rows to series, [`codes`] and [`icd`] say what
//! codes mean and [`fields`] puts one row together for display.

pub mod codes;
pub mod compare;
pub mod csv_read;
pub mod fields;
pub mod history;
pub mod icd;
pub mod join;
pub mod sqlite_read;
pub mod table;

use crate::fsutil::ShowPath;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use compare::SourceComparison;
pub use csv_read::{CsvProblem, TextEncoding};
pub use fields::{FieldView, row_fields};
pub use history::{History, PatientHistory};
pub use join::{ClaimsJoin, SeriesKey, series_summary};
pub use table::ClaimsTable;

use crate::index::Index;
use crate::release::ReleaseLayout;
use crate::review::ReleaseImages;

/// Why claims could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// A file could not be read at all.
    #[error("cannot read {what}: {reason}: {}", path.shown())]
    Io {
        /// Which file (`claims csv`).
        what: &'static str,
        /// The I/O error.
        reason: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// A csv's bytes are not a table.
    #[error("cannot read {what}: {problem}: {}", path.shown())]
    Csv {
        /// Which file (`claims csv`, `history csv`).
        what: &'static str,
        /// What is wrong.
        problem: CsvProblem,
        /// The file.
        path: PathBuf,
    },
    /// SQLite failed on the file.
    #[error("cannot read claims sqlite: {reason}: {}", path.shown())]
    Sqlite {
        /// SQLite's error.
        reason: rusqlite::Error,
        /// The file.
        path: PathBuf,
    },
    /// No table of the SQLite file has the join columns.
    #[error(
        "cannot read claims sqlite: no table has the columns StudyInstanceId and SeriesInstanceId (tables: {}): {}",
        if tables.is_empty() { "none".to_owned() } else { tables.join(", ") },
        path.shown()
    )]
    NoClaimsTable {
        /// The tables and views the file has.
        tables: Vec<String>,
        /// The file.
        path: PathBuf,
    },
    /// Both the csv and the SQLite exist and neither could be read.
    #[error("{csv}; {sqlite}")]
    BothFailed {
        /// The csv's error.
        csv: Box<ClaimsError>,
        /// The SQLite's error.
        sqlite: Box<ClaimsError>,
    },
}

/// The claims csv as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvSource {
    /// The file.
    pub path: PathBuf,
    /// The encoding found.
    pub encoding: TextEncoding,
    /// The delimiter found.
    pub delimiter: char,
    /// Its rows.
    pub table: ClaimsTable,
}

/// The claims SQLite as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqliteSource {
    /// The file.
    pub path: PathBuf,
    /// The table found by its columns.
    pub table_name: String,
    /// Its rows.
    pub table: ClaimsTable,
}

/// Which source [`Claims::table`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UsedSource {
    /// The SQLite (whenever it was read).
    Sqlite,
    /// The csv (no SQLite, or it could not be read).
    Csv,
    /// Neither: no claims.
    None,
}

/// The claims of one release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Claims {
    /// The release id, when known.
    pub release_id: Option<String>,
    /// The `DATA/` folder read, when there is one.
    pub data_dir: Option<PathBuf>,
    /// The csv, when present and readable.
    pub csv: Option<CsvSource>,
    /// The SQLite, when present and readable.
    pub sqlite: Option<SqliteSource>,
    /// csv against SQLite, when both were read.
    pub comparison: Option<SourceComparison>,
    /// The VDemoOpDtl history files.
    pub history: History,
    /// What the reviewer should know about the load, each ending with the path.
    pub notes: Vec<String>,
}

/// The table of a release without claims.
static EMPTY_TABLE: ClaimsTable = ClaimsTable {
    columns: Vec::new(),
    rows: Vec::new(),
};

/// The file in `dir` named `name`, compared case-insensitively (NAS copies made on
/// Windows do not keep case reliably).
fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.is_file() {
        return Some(exact);
    }
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .find(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .map(|e| e.path())
        .filter(|p| p.is_file())
}

/// The source when it was read; its error, when it was not, becomes a note (the
/// other source is used).
fn read_or_note<T>(source: Option<Result<T, ClaimsError>>, notes: &mut Vec<String>) -> Option<T> {
    source?.map_err(|e| notes.push(e.to_string())).ok()
}

impl Claims {
    /// Reads the claims of `release_id` from `data_dir`: the csv and SQLite (either,
    /// both, or neither; with both, the SQLite is used and the csv compared with it)
    /// and every history file. Fails only when the claims files present all fail to
    /// read; a failing one of two, or a failing history file, is a note.
    pub fn load(data_dir: &Path, release_id: &str) -> Result<Self, ClaimsError> {
        let mut claims = Self {
            release_id: Some(release_id.to_owned()),
            data_dir: Some(data_dir.to_path_buf()),
            ..Self::default()
        };
        let csv_path = find_file(data_dir, &format!("ADHOC_{release_id}.csv"));
        let sqlite_path = find_file(data_dir, &format!("ADHOC_{release_id}.sqlite"));
        let csv = csv_path.map(|path| {
            csv_read::read_csv(&path, "claims csv").map(|c| {
                claims.notes.extend(
                    c.warnings
                        .iter()
                        .map(|w| format!("claims csv: {w}: {}", path.shown())),
                );
                CsvSource {
                    encoding: c.encoding,
                    delimiter: c.delimiter,
                    table: c.table,
                    path,
                }
            })
        });
        let sqlite = sqlite_path.map(|path| {
            sqlite_read::read_sqlite(&path).map(|s| {
                claims.notes.extend(
                    s.warnings
                        .iter()
                        .map(|w| format!("claims sqlite: {w}: {}", path.shown())),
                );
                SqliteSource {
                    table_name: s.table_name,
                    table: s.table,
                    path,
                }
            })
        });
        match (csv, sqlite) {
            (None, None) => claims.notes.push(format!(
                "no claims file ADHOC_{release_id}.csv or ADHOC_{release_id}.sqlite: {}",
                data_dir.shown()
            )),
            (Some(Err(csv)), Some(Err(sqlite))) => {
                return Err(ClaimsError::BothFailed {
                    csv: Box::new(csv),
                    sqlite: Box::new(sqlite),
                });
            }
            (Some(Err(e)), None) | (None, Some(Err(e))) => return Err(e),
            (csv, sqlite) => {
                claims.csv = read_or_note(csv, &mut claims.notes);
                claims.sqlite = read_or_note(sqlite, &mut claims.notes);
            }
        }
        if let Some(csv) = claims.csv.as_ref().filter(|_| claims.sqlite.is_none()) {
            let missing: Vec<&str> = table::KEY_COLUMNS
                .into_iter()
                .filter(|k| csv.table.column_index(k).is_none())
                .collect();
            if !missing.is_empty() {
                claims.notes.push(format!(
                    "claims csv has no {} column, so its rows cannot be joined to images: {}",
                    missing.join(" or "),
                    csv.path.shown()
                ));
            }
        }
        if let (Some(csv), Some(sqlite)) = (&claims.csv, &claims.sqlite) {
            let comparison = compare::compare(&csv.table, &sqlite.table);
            if !comparison.agrees() {
                claims.notes.push(format!(
                    "{}; the sqlite is used: {}",
                    comparison.summary(),
                    data_dir.shown()
                ));
            }
            claims.comparison = Some(comparison);
        }
        let (history, warnings) = history::load_history(data_dir, release_id);
        claims.history = history;
        claims.notes.extend(warnings);
        Ok(claims)
    }

    /// Reads the claims of the release opened at `root` with layout `layout` (as
    /// [`Index`] has them): from `DATA/` of a release root, or `../../DATA` of an
    /// `IMAGE/<release>/` folder. No release id or no `DATA/` folder gives an empty
    /// set with a note.
    pub fn load_for_release(root: &Path, layout: &ReleaseLayout) -> Result<Self, ClaimsError> {
        let empty = |release_id: Option<&str>, note: String| Self {
            release_id: release_id.map(str::to_owned),
            notes: vec![note],
            ..Self::default()
        };
        let Some(release_id) = layout.release_id() else {
            return Ok(empty(
                None,
                format!(
                    "no claims: the folder is not an NHI release (no release id in its name or IMAGE/ folder): {}",
                    root.shown()
                ),
            ));
        };
        let data_dir = crate::release::data_dir(root, layout);
        match data_dir {
            Some(dir) => Self::load(&dir, release_id),
            None => Ok(empty(
                Some(release_id),
                format!(
                    "no claims: no DATA folder beside IMAGE/ for release {release_id}: {}",
                    root.shown()
                ),
            )),
        }
    }

    /// The claims rows in use: the SQLite's when it was read, else the csv's, else none.
    pub fn table(&self) -> &ClaimsTable {
        match (&self.sqlite, &self.csv) {
            (Some(s), _) => &s.table,
            (None, Some(c)) => &c.table,
            (None, None) => &EMPTY_TABLE,
        }
    }

    /// Which source [`Claims::table`] is.
    pub fn used(&self) -> UsedSource {
        match (&self.sqlite, &self.csv) {
            (Some(_), _) => UsedSource::Sqlite,
            (None, Some(_)) => UsedSource::Csv,
            (None, None) => UsedSource::None,
        }
    }

    /// Columns of [`Claims::table`] that the manual does not list, in file order.
    pub fn extra_columns(&self) -> Vec<&str> {
        self.table()
            .columns
            .iter()
            .map(String::as_str)
            .filter(|c| !codes::is_claims_column(c))
            .collect()
    }

    /// The claims rows joined to a flat release view.
    pub fn join_images(&self, images: &ReleaseImages) -> ClaimsJoin {
        ClaimsJoin::from_images(self.table(), images)
    }

    /// The claims rows joined to a scanned release.
    pub fn join_index(&self, index: &Index) -> ClaimsJoin {
        ClaimsJoin::from_index(self.table(), index)
    }

    /// The history of `patient_id` from every VDemoOpDtl file, sorted by date.
    pub fn patient_history(&self, patient_id: &str) -> PatientHistory {
        self.history.for_patient(patient_id)
    }
}
