//! The decisions csv: a review's explicit decisions as a file, to move a review to
//! another workstation, merge a colleague's work, or audit who decided what.
//!
//! Format (defined here):
//!
//! ```text
//! LEVEL,UID,DECISION,REASON
//! study,1.2.840.1,keep,
//! series,1.2.840.1.2,drop,"scout, not needed"
//! image,1.2.840.1.2.7,undecided,
//! ```
//!
//! - `LEVEL`: `study`, `series` or `image`; `UID`: the Study, Series or SOP Instance
//!   UID; `DECISION`: `keep`, `drop` or `undecided` (an explicit Undecided that hides
//!   an inherited decision). Level and decision are read case-insensitively.
//! - `REASON` is optional on input (a three-column file is accepted); it is free text,
//!   quoted per RFC 4180 when it holds a comma, quote or line break.
//! - Written as UTF-8 with a byte order mark and CRLF line ends (Excel on zh-TW
//!   Windows opens it correctly); read with or without the mark, CRLF or LF.
//! - Rows are written sorted by level, then UID. On input, every UID must name a node
//!   of the release at that level and each node may appear once; any bad row stops
//!   the whole import, so a half-applied file never happens.
//!
//! Reviewer and time are not in the file: whoever applies it is recorded as the
//! reviewer of the imported decisions.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::csv_text::{UTF8_BOM, push_record, records};
use super::explicit::{Change, Decisions};
use super::{Decision, Level, ReleaseImages, Target};
use crate::fsutil::{ShowPath, write_atomic};

/// The header, with the optional `REASON` column.
pub const DECISIONS_HEADER: [&str; 4] = ["LEVEL", "UID", "DECISION", "REASON"];

/// What is wrong with one line of a decisions csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionsProblem {
    /// The bytes are not UTF-8.
    NotUtf8,
    /// A quoted field is never closed.
    UnclosedQuote,
    /// The first line is not `LEVEL,UID,DECISION[,REASON]`.
    WrongHeader {
        /// The first line's fields, joined by commas.
        found: String,
    },
    /// A row with another column count than the header.
    ColumnCount {
        /// Columns found.
        found: usize,
        /// Columns in the header.
        expected: usize,
    },
    /// A level other than study, series, image.
    UnknownLevel(String),
    /// A decision other than keep, drop, undecided.
    UnknownDecision(String),
    /// No node of the release has this UID at this level.
    NotInRelease {
        /// The level.
        level: Level,
        /// The UID.
        uid: String,
    },
    /// The node appears on an earlier line too.
    Duplicate {
        /// The earlier line.
        first_line: usize,
    },
}

impl fmt::Display for DecisionsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUtf8 => write!(f, "not UTF-8 text"),
            Self::UnclosedQuote => write!(f, "a quoted field is never closed"),
            Self::WrongHeader { found } => {
                write!(
                    f,
                    "header is {found:?}, expected \"LEVEL,UID,DECISION[,REASON]\""
                )
            }
            Self::ColumnCount { found, expected } => {
                write!(f, "{found} column(s), expected {expected}")
            }
            Self::UnknownLevel(v) => write!(f, "level {v:?} is not study, series or image"),
            Self::UnknownDecision(v) => write!(f, "decision {v:?} is not keep, drop or undecided"),
            Self::NotInRelease { level, uid } => {
                write!(f, "no {} {uid} in the release", level.as_str())
            }
            Self::Duplicate { first_line } => {
                write!(f, "node already decided on line {first_line}")
            }
        }
    }
}

/// A problem with its line (1-based; the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionsRowError {
    /// The line.
    pub line: usize,
    /// What is wrong.
    pub problem: DecisionsProblem,
}

impl fmt::Display for DecisionsRowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

/// Why a decisions csv could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DecisionsCsvError {
    /// Reading failed.
    #[error("cannot read the decisions csv: {source}: {}", .path.shown())]
    Read {
        /// The I/O error.
        source: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// Some rows are wrong; nothing is imported.
    #[error("cannot import the decisions csv: {}: {}", join(.errors), .path.shown())]
    Invalid {
        /// Every bad row.
        errors: Vec<DecisionsRowError>,
        /// The file.
        path: PathBuf,
    },
    /// Writing failed (an old file is untouched).
    #[error("cannot write the decisions csv: {source}: {}", .path.shown())]
    Write {
        /// The I/O error.
        source: std::io::Error,
        /// The file.
        path: PathBuf,
    },
}

fn join(errors: &[DecisionsRowError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The explicit `decisions` as decisions csv bytes.
pub fn decisions_csv_bytes(decisions: &Decisions) -> Vec<u8> {
    let mut text = String::from(UTF8_BOM);
    push_record(&mut text, &DECISIONS_HEADER);
    for (target, record) in decisions.iter() {
        push_record(
            &mut text,
            &[
                target.level.as_str(),
                &target.uid,
                record.decision.as_str(),
                &record.reason,
            ],
        );
    }
    text.into_bytes()
}

/// Writes the explicit `decisions` to `path` (atomically).
pub fn write_decisions_csv(path: &Path, decisions: &Decisions) -> Result<(), DecisionsCsvError> {
    write_atomic(path, &decisions_csv_bytes(decisions)).map_err(|source| DecisionsCsvError::Write {
        source,
        path: path.to_path_buf(),
    })
}

/// Reads the decisions csv at `path` as changes for `release`.
pub fn import_decisions_csv(
    path: &Path,
    release: &ReleaseImages,
) -> Result<Vec<Change>, DecisionsCsvError> {
    let bytes = std::fs::read(path).map_err(|source| DecisionsCsvError::Read {
        source,
        path: path.to_path_buf(),
    })?;
    parse_decisions_csv(&bytes, release).map_err(|errors| DecisionsCsvError::Invalid {
        errors,
        path: path.to_path_buf(),
    })
}

/// Parses decisions csv `bytes` into changes for `release`, or every bad row.
pub fn parse_decisions_csv(
    bytes: &[u8],
    release: &ReleaseImages,
) -> Result<Vec<Change>, Vec<DecisionsRowError>> {
    let fail = |line, problem| vec![DecisionsRowError { line, problem }];
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix(UTF8_BOM).unwrap_or(text),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            return Err(fail(line, DecisionsProblem::NotUtf8));
        }
    };
    let rows = records(text).map_err(|line| fail(line, DecisionsProblem::UnclosedQuote))?;
    let Some((header, rows)) = rows.split_first() else {
        return Err(fail(
            1,
            DecisionsProblem::WrongHeader {
                found: String::new(),
            },
        ));
    };
    let names: Vec<String> = header
        .fields
        .iter()
        .map(|f| f.trim().to_ascii_uppercase())
        .collect();
    let columns = names.len();
    if !(3..=4).contains(&columns) || names[..] != DECISIONS_HEADER[..columns] {
        let found = header.fields.join(",");
        return Err(fail(header.line, DecisionsProblem::WrongHeader { found }));
    }

    let nodes = Nodes::of(release);
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    let mut first_lines: HashMap<Target, usize> = HashMap::new();
    for row in rows {
        let mut report = |problem| {
            errors.push(DecisionsRowError {
                line: row.line,
                problem,
            })
        };
        if row.fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if row.fields.len() != columns {
            report(DecisionsProblem::ColumnCount {
                found: row.fields.len(),
                expected: columns,
            });
            continue;
        }
        let (level, uid, decision) = (&row.fields[0], row.fields[1].trim(), &row.fields[2]);
        let level =
            Level::parse(level).ok_or_else(|| DecisionsProblem::UnknownLevel(level.clone()));
        let decision = Decision::parse(decision)
            .ok_or_else(|| DecisionsProblem::UnknownDecision(decision.clone()));
        let (level, decision) = match (level, decision) {
            (Ok(level), Ok(decision)) => (level, decision),
            (level, decision) => {
                level
                    .err()
                    .into_iter()
                    .chain(decision.err())
                    .for_each(&mut report);
                continue;
            }
        };
        if !nodes.contains(level, uid) {
            let uid = uid.to_owned();
            report(DecisionsProblem::NotInRelease { level, uid });
            continue;
        }
        let target = Target {
            level,
            uid: uid.to_owned(),
        };
        if let Some(&first_line) = first_lines.get(&target) {
            report(DecisionsProblem::Duplicate { first_line });
            continue;
        }
        first_lines.insert(target.clone(), row.line);
        changes.push(Change {
            target,
            decision,
            reason: row.fields.get(3).cloned().unwrap_or_default(),
        });
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}

/// The UIDs of a release per level.
struct Nodes<'a> {
    studies: HashSet<&'a str>,
    series: HashSet<&'a str>,
    images: HashSet<&'a str>,
}

impl<'a> Nodes<'a> {
    fn of(release: &'a ReleaseImages) -> Self {
        let mut nodes = Self {
            studies: HashSet::new(),
            series: HashSet::new(),
            images: HashSet::new(),
        };
        for image in &release.images {
            nodes.studies.insert(&image.study_uid);
            nodes.series.insert(&image.series_uid);
            nodes.images.insert(&image.sop_uid);
        }
        nodes
    }

    fn contains(&self, level: Level, uid: &str) -> bool {
        match level {
            Level::Study => self.studies.contains(uid),
            Level::Series => self.series.contains(uid),
            Level::Image => self.images.contains(uid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{DecisionRecord, ImageRef};

    fn release() -> ReleaseImages {
        ReleaseImages::new(
            None,
            vec![ImageRef {
                study_uid: "1.1".into(),
                series_uid: "1.1.1".into(),
                sop_uid: "1.1.1.1".into(),
                file_name: "a.dcm".into(),
                bytes: 1,
                modality: None,
                body_part: None,
            }],
        )
    }

    fn record(decision: Decision, reason: &str) -> DecisionRecord {
        DecisionRecord {
            decision,
            reason: reason.into(),
            reviewer: "amy".into(),
            time: "2026-11-21T09:30:00Z".into(),
        }
    }

    #[test]
    fn writes_the_documented_format() {
        let decisions: Decisions = [
            (
                Target {
                    level: Level::Image,
                    uid: "1.1.1.1".into(),
                },
                record(Decision::Undecided, ""),
            ),
            (
                Target {
                    level: Level::Study,
                    uid: "1.1".into(),
                },
                record(Decision::Keep, "腫瘤, \"確診\""),
            ),
        ]
        .into_iter()
        .collect();
        let bytes = decisions_csv_bytes(&decisions);
        let expected = "\u{feff}LEVEL,UID,DECISION,REASON\r\nstudy,1.1,keep,\"腫瘤, \"\"確診\"\"\"\r\nimage,1.1.1.1,undecided,\r\n";
        assert_eq!(String::from_utf8(bytes.clone()).expect("utf-8"), expected);
        let changes = parse_decisions_csv(&bytes, &release()).expect("valid");
        let mut back = Decisions::new();
        back.apply(&changes, "amy", "2026-11-21T09:30:00Z");
        assert_eq!(back, decisions);
    }

    #[test]
    fn three_columns_lf_and_case_are_accepted() {
        let changes = parse_decisions_csv(b"level,uid,decision\nSERIES,1.1.1,Drop\n\n", &release())
            .expect("valid");
        assert_eq!(
            changes,
            [Change {
                target: Target {
                    level: Level::Series,
                    uid: "1.1.1".into()
                },
                decision: Decision::Drop,
                reason: String::new(),
            }]
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = "LEVEL,UID,DECISION,REASON\r\n\
                    patient,1.1,keep,\r\n\
                    study,1.1,maybe,\r\n\
                    series,1.1,keep,\r\n\
                    study,1.1,keep\r\n\
                    study,1.1,keep,\r\n\
                    study,1.1,drop,\r\n";
        let errors = parse_decisions_csv(text.as_bytes(), &release()).expect_err("bad rows");
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "line 2: level \"patient\" is not study, series or image",
                "line 3: decision \"maybe\" is not keep, drop or undecided",
                "line 4: no series 1.1 in the release",
                "line 5: 3 column(s), expected 4",
                "line 7: node already decided on line 6",
            ]
        );
        let wrong = parse_decisions_csv(b"UID,LEVEL,DECISION\r\n", &release()).expect_err("header");
        assert_eq!(
            wrong[0].to_string(),
            "line 1: header is \"UID,LEVEL,DECISION\", expected \"LEVEL,UID,DECISION[,REASON]\""
        );
        let bad = parse_decisions_csv(b"LEVEL,UID,DECISION\r\nstudy,\xff,keep\r\n", &release())
            .expect_err("utf-8");
        assert_eq!(bad[0].line, 2);
    }
}
