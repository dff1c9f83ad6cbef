//! Reading a keep-list back: parsing it, checking it against a release and the rules,
//! and expanding it to the images it names.
//!
//! A list may come from this app (re-read after writing, to prove it says what the
//! decisions say) or from someone else (a colleague's Excel sheet to audit or
//! import). Reading is therefore tolerant — a UTF-8 BOM is skipped, LF line ends are
//! accepted — but every departure from the exact format of [`super::keeplist`] is
//! reported, each with its line, because the NHI checks lists by the letter. The
//! rules are those of [`super::naming`] and the manual's three row shapes.

use std::collections::HashMap;
use std::fmt;

use super::keeplist::{HEADER, KeepRow};
use super::naming::{
    is_valid_file_name, is_valid_keep_list_file_name, is_valid_project_code, is_valid_uid,
    keep_list_file_name,
};
use super::spans::Spans;
use super::{Level, ReleaseImages};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which UID column a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UidColumn {
    /// STUDY_INSTANCE_UID.
    Study,
    /// SERIES_INSTANCE_UID.
    Series,
}

/// One departure from the keep-list rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The project code given for the check breaks the naming rule.
    ProjectCode {
        /// The code given.
        code: String,
    },
    /// The list's file name is not `<project code>_<release>.csv`.
    FileName {
        /// The name given.
        found: String,
        /// The name (or pattern) expected.
        expected: String,
    },
    /// The file starts with a UTF-8 byte order mark.
    Bom,
    /// Lines end in LF without CR.
    LfLineEnds {
        /// How many lines do.
        lines: usize,
    },
    /// The last line has no line end.
    NoFinalLineEnd,
    /// A line is empty.
    EmptyLine,
    /// A line holds bytes outside ASCII.
    NotAscii {
        /// The line, lossily decoded.
        text: String,
    },
    /// The first line is not the header.
    WrongHeader {
        /// The first line as found.
        found: String,
    },
    /// The first line is a data row: the header is missing.
    MissingHeader,
    /// A row without exactly three columns.
    ColumnCount {
        /// Columns found.
        found: usize,
    },
    /// A row without a study UID.
    NoStudy,
    /// A row naming a file but no series.
    FileWithoutSeries {
        /// The file name.
        file: String,
    },
    /// A UID that breaks PS3.5 §9.1.
    InvalidUid {
        /// The column.
        column: UidColumn,
        /// The value.
        value: String,
    },
    /// A file name with characters the naming rule forbids.
    InvalidFileName {
        /// The value.
        value: String,
    },
    /// The study is not in the release.
    StudyNotInRelease {
        /// Study Instance UID.
        study: String,
    },
    /// The series is not in the row's study.
    SeriesNotInStudy {
        /// Series Instance UID.
        series: String,
        /// Study Instance UID.
        study: String,
    },
    /// The file is not in the row's series.
    FileNotInSeries {
        /// File name.
        file: String,
        /// Series Instance UID.
        series: String,
    },
    /// The file name names more than one image of the series.
    AmbiguousFile {
        /// File name.
        file: String,
        /// Series Instance UID.
        series: String,
        /// How many images carry the name.
        images: usize,
    },
    /// The same row appears earlier.
    Duplicate {
        /// The line of the first occurrence.
        first_line: usize,
    },
    /// A coarser row already keeps this row's images.
    Covered {
        /// The level of the coarser row.
        by_level: Level,
        /// Its line.
        by_line: usize,
    },
    /// The row sorts before the row above it.
    NotSorted {
        /// The line of the row above.
        after_line: usize,
    },
}

impl Problem {
    /// True when the finding leaves it uncertain which images the list keeps, so the
    /// list cannot be imported (the other findings are about form only).
    pub fn affects_images(&self) -> bool {
        matches!(
            self,
            Self::NotAscii { .. }
                | Self::WrongHeader { .. }
                | Self::ColumnCount { .. }
                | Self::NoStudy
                | Self::FileWithoutSeries { .. }
                | Self::StudyNotInRelease { .. }
                | Self::SeriesNotInStudy { .. }
                | Self::FileNotInSeries { .. }
                | Self::AmbiguousFile { .. }
        )
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProjectCode { code } => write!(
                f,
                "project code {code:?} is not ASCII letters and digits (with '-' after the first)"
            ),
            Self::FileName { found, expected } => {
                write!(f, "file name {found:?} is not {expected:?}")
            }
            Self::Bom => write!(
                f,
                "starts with a UTF-8 byte order mark; the list must be plain ASCII"
            ),
            Self::LfLineEnds { lines } => {
                write!(
                    f,
                    "{lines} line(s) end in LF only; every line must end in CRLF"
                )
            }
            Self::NoFinalLineEnd => write!(f, "the last line has no CRLF line end"),
            Self::EmptyLine => write!(f, "empty line"),
            Self::NotAscii { text } => write!(f, "non-ASCII characters in {text:?}"),
            Self::WrongHeader { found } => write!(f, "header is {found:?}, expected {HEADER:?}"),
            Self::MissingHeader => write!(f, "no header row: the first line is a data row"),
            Self::ColumnCount { found } => write!(f, "{found} column(s), expected 3"),
            Self::NoStudy => write!(f, "no study UID"),
            Self::FileWithoutSeries { file } => write!(f, "file {file:?} without a series UID"),
            Self::InvalidUid { column, value } => {
                let column = match column {
                    UidColumn::Study => "study",
                    UidColumn::Series => "series",
                };
                write!(
                    f,
                    "{column} UID {value:?} is not a DICOM UID (digits and dots, no leading zeros, at most 64 characters)"
                )
            }
            Self::InvalidFileName { value } => write!(
                f,
                "file name {value:?} has characters other than letters, digits, '_', '-' and '.'"
            ),
            Self::StudyNotInRelease { study } => write!(f, "study {study} is not in the release"),
            Self::SeriesNotInStudy { series, study } => {
                write!(f, "series {series} is not in study {study}")
            }
            Self::FileNotInSeries { file, series } => {
                write!(f, "file {file} is not in series {series}")
            }
            Self::AmbiguousFile {
                file,
                series,
                images,
            } => write!(f, "file {file} names {images} images of series {series}"),
            Self::Duplicate { first_line } => write!(f, "duplicate of line {first_line}"),
            Self::Covered { by_level, by_line } => write!(
                f,
                "already kept by the {} row on line {by_line}",
                by_level.as_str()
            ),
            Self::NotSorted { after_line } => {
                write!(
                    f,
                    "not sorted: comes after line {after_line} but sorts before it"
                )
            }
        }
    }
}

/// A finding with its line (1-based, the header is line 1; `None` for the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The line, or `None` for a finding about the whole file.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

/// A data row with the line it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRow {
    /// The line (1-based).
    pub line: usize,
    /// The row.
    pub row: KeepRow,
}

/// A keep-list read against a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadList {
    /// The rows that have a valid shape, in file order.
    pub rows: Vec<ListedRow>,
    /// Every finding except the file name's, sorted by line.
    pub problems: Vec<RowProblem>,
    /// For each image of the release (in its order), whether some row keeps it.
    pub listed: Vec<bool>,
}

/// Checks the keep-list `bytes`, stored under `file_name`, against `release` and the
/// rules; `project_code`, when known, must start the file name. Returns every finding
/// sorted by line; an empty list means the file is exact.
pub fn check_keep_list(
    bytes: &[u8],
    release: &ReleaseImages,
    project_code: Option<&str>,
    file_name: &str,
) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    let project_code = match project_code {
        Some(code) if !is_valid_project_code(code) => {
            problems.push(RowProblem {
                line: None,
                problem: Problem::ProjectCode {
                    code: code.to_owned(),
                },
            });
            None
        }
        code => code,
    };
    if let Some(problem) = file_name_problem(file_name, release.release_id.as_deref(), project_code)
    {
        problems.push(RowProblem {
            line: None,
            problem,
        });
    }
    problems.extend(read_keep_list(bytes, release, &Spans::of(release)).problems);
    problems
}

/// Parses `bytes` and resolves every row against `release` (grouped as `spans`).
pub fn read_keep_list(bytes: &[u8], release: &ReleaseImages, spans: &Spans) -> ReadList {
    let (rows, mut problems) = parse(bytes);
    let mut listed = vec![false; release.images.len()];
    for listed_row in &rows {
        match resolve(&listed_row.row, release, spans) {
            Ok(images) => listed[images].fill(true),
            Err(problem) => problems.push(RowProblem {
                line: Some(listed_row.line),
                problem,
            }),
        }
    }
    problems.extend(order_problems(&rows));
    problems.sort_by_key(|p| p.line);
    ReadList {
        rows,
        problems,
        listed,
    }
}

fn file_name_problem(
    file_name: &str,
    release_id: Option<&str>,
    project_code: Option<&str>,
) -> Option<Problem> {
    let code_matches = project_code.is_none_or(|code| {
        file_name
            .strip_prefix(code)
            .is_some_and(|rest| rest.starts_with('_'))
    });
    let release_matches = release_id.is_none_or(|id| file_name.ends_with(&format!("_{id}.csv")));
    if is_valid_keep_list_file_name(file_name) && code_matches && release_matches {
        return None;
    }
    Some(Problem::FileName {
        found: file_name.to_owned(),
        expected: keep_list_file_name(
            project_code.unwrap_or("<project code>"),
            release_id.unwrap_or("<release id>"),
        ),
    })
}

/// Splits the file into rows with valid shapes, reporting format findings.
fn parse(bytes: &[u8]) -> (Vec<ListedRow>, Vec<RowProblem>) {
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for (n, raw) in split_lines(bytes, &mut problems).into_iter().enumerate() {
        let line = n + 1;
        let mut report = |problem| {
            problems.push(RowProblem {
                line: Some(line),
                problem,
            })
        };
        let text = String::from_utf8_lossy(raw);
        if !text.is_ascii() {
            let text = text.into_owned();
            report(Problem::NotAscii { text });
            continue;
        }
        if line == 1 {
            if text == HEADER {
                continue;
            }
            // A first line shaped like a row is a row whose header is missing.
            let first = text.split(',').collect::<Vec<_>>();
            if first.len() == 3 && is_valid_uid(first[0]) {
                report(Problem::MissingHeader);
            } else {
                let found = text.into_owned();
                report(Problem::WrongHeader { found });
                continue;
            }
        }
        if let Some(row) = parse_row(&text, &mut report) {
            rows.push(ListedRow { line, row });
        }
    }
    (rows, problems)
}

/// The lines of the file without their line ends, reporting a BOM, LF-only line ends,
/// a missing final line end and an empty file.
fn split_lines<'a>(bytes: &'a [u8], problems: &mut Vec<RowProblem>) -> Vec<&'a [u8]> {
    let mut report = |line, problem| {
        problems.push(RowProblem {
            line: Some(line),
            problem,
        })
    };
    let text = match bytes.strip_prefix(BOM) {
        Some(rest) => {
            report(1, Problem::Bom);
            rest
        }
        None => bytes,
    };
    let mut lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    // `split` always yields a piece after the last LF: empty when the file ends with one.
    let last = lines.pop().unwrap_or_default();
    let lf_only: Vec<usize> = (0..lines.len())
        .filter(|&n| !lines[n].ends_with(b"\r"))
        .collect();
    if let Some(&first) = lf_only.first() {
        let lines = lf_only.len();
        report(first + 1, Problem::LfLineEnds { lines });
    }
    if !last.is_empty() {
        lines.push(last);
        report(lines.len(), Problem::NoFinalLineEnd);
    }
    if lines.is_empty() {
        let found = String::new();
        report(1, Problem::WrongHeader { found });
    }
    lines
        .into_iter()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect()
}

/// One data line as a row of a valid shape, reporting bad names; `None` (reported)
/// when it is no row at all.
fn parse_row(text: &str, report: &mut impl FnMut(Problem)) -> Option<KeepRow> {
    if text.is_empty() {
        report(Problem::EmptyLine);
        return None;
    }
    let fields: Vec<&str> = text.split(',').collect();
    let [study, series, file] = fields[..] else {
        report(Problem::ColumnCount {
            found: fields.len(),
        });
        return None;
    };
    let row = KeepRow {
        study_uid: study.to_owned(),
        series_uid: series.to_owned(),
        file_name: file.to_owned(),
    };
    if row.study_uid.is_empty() {
        report(Problem::NoStudy);
        return None;
    }
    if row.level().is_none() {
        report(Problem::FileWithoutSeries {
            file: row.file_name,
        });
        return None;
    }
    for (column, value) in [(UidColumn::Study, study), (UidColumn::Series, series)] {
        if !value.is_empty() && !is_valid_uid(value) {
            let value = value.to_owned();
            report(Problem::InvalidUid { column, value });
        }
    }
    if !file.is_empty() && !is_valid_file_name(file) {
        let value = file.to_owned();
        report(Problem::InvalidFileName { value });
    }
    Some(row)
}

/// The images a row keeps, or why it keeps none.
fn resolve(
    row: &KeepRow,
    release: &ReleaseImages,
    spans: &Spans,
) -> Result<std::ops::Range<usize>, Problem> {
    let study =
        spans
            .find_study(release, &row.study_uid)
            .ok_or_else(|| Problem::StudyNotInRelease {
                study: row.study_uid.clone(),
            })?;
    if row.series_uid.is_empty() {
        return Ok(spans.studies[study].images.clone());
    }
    let series = spans
        .find_series(release, study, &row.series_uid)
        .ok_or_else(|| Problem::SeriesNotInStudy {
            series: row.series_uid.clone(),
            study: row.study_uid.clone(),
        })?;
    if row.file_name.is_empty() {
        return Ok(spans.series[series].images.clone());
    }
    let images = spans.find_files(release, series, &row.file_name);
    match images.len() {
        0 => Err(Problem::FileNotInSeries {
            file: row.file_name.clone(),
            series: row.series_uid.clone(),
        }),
        1 => Ok(images),
        count => Err(Problem::AmbiguousFile {
            file: row.file_name.clone(),
            series: row.series_uid.clone(),
            images: count,
        }),
    }
}

/// Duplicates, rows covered by coarser rows, and rows out of order.
fn order_problems(rows: &[ListedRow]) -> Vec<RowProblem> {
    let mut first_seen: HashMap<&KeepRow, usize> = HashMap::new();
    let mut study_rows: HashMap<&str, usize> = HashMap::new();
    let mut series_rows: HashMap<(&str, &str), usize> = HashMap::new();
    for ListedRow { line, row } in rows {
        match row.level() {
            Some(Level::Study) => study_rows.entry(&row.study_uid).or_insert(*line),
            Some(Level::Series) => series_rows
                .entry((&row.study_uid, &row.series_uid))
                .or_insert(*line),
            _ => continue,
        };
    }
    let mut problems = Vec::new();
    let mut previous: Option<&ListedRow> = None;
    for listed in rows {
        let ListedRow { line, row } = listed;
        let mut report = |problem| {
            problems.push(RowProblem {
                line: Some(*line),
                problem,
            })
        };
        let first = *first_seen.entry(row).or_insert(*line);
        if first != *line {
            report(Problem::Duplicate { first_line: first });
        } else {
            let by_study = (row.level() != Some(Level::Study))
                .then(|| study_rows.get(row.study_uid.as_str()))
                .flatten()
                .map(|&by_line| (Level::Study, by_line));
            let by_series = (row.level() == Some(Level::Image))
                .then(|| series_rows.get(&(row.study_uid.as_str(), row.series_uid.as_str())))
                .flatten()
                .map(|&by_line| (Level::Series, by_line));
            if let Some((by_level, by_line)) = by_study.or(by_series) {
                report(Problem::Covered { by_level, by_line });
            }
        }
        if let Some(above) = previous
            && row < &above.row
        {
            report(Problem::NotSorted {
                after_line: above.line,
            });
        }
        previous = Some(listed);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::ImageRef;

    fn release() -> ReleaseImages {
        let image = |study: &str, series: &str, file: &str| ImageRef {
            study_uid: study.into(),
            series_uid: series.into(),
            sop_uid: format!("{series}.{file}"),
            file_name: file.into(),
            bytes: 1,
            modality: None,
            body_part: None,
        };
        ReleaseImages::new(
            Some("20210407_102537".into()),
            vec![
                image("1.1", "1.1.1", "a.dcm"),
                image("1.1", "1.1.1", "b.dcm"),
                image("1.2", "1.2.1", "c.dcm"),
            ],
        )
    }

    fn lines(problems: &[RowProblem]) -> Vec<(Option<usize>, String)> {
        problems
            .iter()
            .map(|p| (p.line, p.problem.to_string()))
            .collect()
    }

    #[test]
    fn an_exact_list_has_no_findings_and_expands() {
        let bytes = b"STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name\r\n1.1,1.1.1,b.dcm\r\n1.2,,\r\n";
        let release = release();
        let name = "2021010001_20210407_102537.csv";
        assert_eq!(
            check_keep_list(bytes, &release, Some("2021010001"), name),
            []
        );
        assert_eq!(check_keep_list(bytes, &release, None, name), []);
        let read = read_keep_list(bytes, &release, &Spans::of(&release));
        assert_eq!(read.listed, [false, true, true]);
        assert_eq!(read.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn bom_lf_and_missing_final_line_end_are_reported_but_read() {
        let bytes =
            b"\xEF\xBB\xBFSTUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name\n1.1,,\n1.2,,";
        let release = release();
        let read = read_keep_list(bytes, &release, &Spans::of(&release));
        assert_eq!(read.listed, [true, true, true]);
        assert_eq!(
            lines(&read.problems),
            [
                (Some(1), Problem::Bom.to_string()),
                (Some(1), Problem::LfLineEnds { lines: 2 }.to_string()),
                (Some(3), Problem::NoFinalLineEnd.to_string()),
            ]
        );
        assert!(read.problems.iter().all(|p| !p.problem.affects_images()));
    }

    #[test]
    fn a_missing_header_keeps_the_first_row() {
        let release = release();
        let read = read_keep_list(b"1.2,,\r\n", &release, &Spans::of(&release));
        assert_eq!(read.listed, [false, false, true]);
        assert_eq!(
            lines(&read.problems),
            [(Some(1), Problem::MissingHeader.to_string())]
        );
        let read = read_keep_list(b"", &release, &Spans::of(&release));
        assert!(matches!(
            read.problems[..],
            [RowProblem {
                line: Some(1),
                problem: Problem::WrongHeader { .. }
            }]
        ));
    }

    #[test]
    fn file_names_are_checked_against_code_and_release() {
        let release = release();
        let header = format!("{HEADER}\r\n");
        let check = |code, name| check_keep_list(header.as_bytes(), &release, code, name);
        assert_eq!(check(None, "E2025-01_20210407_102537.csv"), []);
        assert_eq!(check(None, "E2025_01_20210407_102537.csv").len(), 1);
        assert_eq!(check(None, "E2025-01_20210407_102538.csv").len(), 1);
        assert_eq!(check(Some("E1"), "E2_20210407_102537.csv").len(), 1);
        assert_eq!(check(Some("E1"), "E1_20210407_102537.csv"), []);
        assert_eq!(check(None, "E1_20210407_102537.csv"), []);
        let unknown = ReleaseImages::default();
        let check = |code, name| check_keep_list(header.as_bytes(), &unknown, code, name);
        assert_eq!(check(None, "E1_20210407_102537.csv"), []);
        assert_eq!(check(Some("E2"), "E1_20210407_102537.csv").len(), 1);
        assert_eq!(check(Some("E12"), "E1_20210407_102537.csv").len(), 1);
        let found = check(Some("E 1"), "E1_20210407_102537.csv");
        assert!(matches!(
            found[..],
            [RowProblem {
                line: None,
                problem: Problem::ProjectCode { .. }
            }]
        ));
    }
}
