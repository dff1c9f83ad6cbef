//! The keep-list's rows: which rows the effective decisions give, and their exact bytes.
//!
//! The manual (chapter 3) allows a row per kept image, series or study. Rows are chosen
//! at the *coarsest exact level*: a study whose every image is kept is one study row
//! (however its decisions were given); otherwise each series whose every image is kept
//! is one series row; otherwise each kept image is a row of its own. Coarse rows keep
//! the list short and say what the reviewer meant; "exact" means a row never covers an
//! image that is not kept. Dropped and undecided images have no row.
//!
//! Bytes: ASCII, the header `STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name`,
//! rows sorted by study, series, file name (byte order), every line — the last one
//! included — ended by CRLF. The manual's example is a spreadsheet screenshot and says
//! nothing about line ends. CRLF after every record, the last one included, is what
//! RFC 4180 describes and what Excel's "CSV" on the team's Windows workstation saves,
//! so the list looks like one made there by hand. Values never need quoting:
//! UIDs and the allowed file names hold no comma or quote (see [`super::naming`]).

use super::effective::Effective;
use super::{Decision, Level, ReleaseImages};

/// The header row, without its line end.
pub const HEADER: &str = "STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name";

/// One row of a keep-list; an empty column is an empty string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeepRow {
    /// STUDY_INSTANCE_UID.
    pub study_uid: String,
    /// SERIES_INSTANCE_UID (empty for a study row).
    pub series_uid: String,
    /// DICOM File Name (empty for a study or series row).
    pub file_name: String,
}

impl KeepRow {
    /// The level the row keeps, or `None` for a shape the manual does not allow
    /// (no study, or a file name without a series).
    pub fn level(&self) -> Option<Level> {
        match (
            self.study_uid.is_empty(),
            self.series_uid.is_empty(),
            self.file_name.is_empty(),
        ) {
            (false, true, true) => Some(Level::Study),
            (false, false, true) => Some(Level::Series),
            (false, false, false) => Some(Level::Image),
            _ => None,
        }
    }
}

/// The rows for the images `effective` marks Keep, at the coarsest exact level, sorted.
pub fn keep_rows(release: &ReleaseImages, effective: &Effective) -> Vec<KeepRow> {
    let spans = effective.spans();
    let mut rows = Vec::new();
    for (study_index, study) in spans.studies.iter().enumerate() {
        let counts = effective.study_counts(study_index);
        if counts.kept_images == 0 {
            continue;
        }
        if counts.kept_images == counts.images() {
            rows.push(KeepRow {
                study_uid: release.images[study.images.start].study_uid.clone(),
                series_uid: String::new(),
                file_name: String::new(),
            });
            continue;
        }
        for series_index in study.series.clone() {
            let series = &spans.series[series_index];
            let counts = effective.series_counts(series_index);
            if counts.kept_images == counts.images() {
                let image = &release.images[series.images.start];
                rows.push(KeepRow {
                    study_uid: image.study_uid.clone(),
                    series_uid: image.series_uid.clone(),
                    file_name: String::new(),
                });
                continue;
            }
            for i in series.images.clone() {
                if effective.images()[i] == Decision::Keep {
                    let image = &release.images[i];
                    rows.push(KeepRow {
                        study_uid: image.study_uid.clone(),
                        series_uid: image.series_uid.clone(),
                        file_name: image.file_name.clone(),
                    });
                }
            }
        }
    }
    rows
}

/// The exact bytes of a keep-list with `rows` (header, rows, CRLF after each line).
pub fn keep_list_bytes(rows: &[KeepRow]) -> Vec<u8> {
    let mut text = String::with_capacity(HEADER.len() + 2 + rows.len() * 120);
    text.push_str(HEADER);
    text.push_str("\r\n");
    for row in rows {
        text.push_str(&row.study_uid);
        text.push(',');
        text.push_str(&row.series_uid);
        text.push(',');
        text.push_str(&row.file_name);
        text.push_str("\r\n");
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::explicit::{Change, Decisions};
    use crate::review::{ImageRef, Target};

    fn row(study: &str, series: &str, file: &str) -> KeepRow {
        KeepRow {
            study_uid: study.into(),
            series_uid: series.into(),
            file_name: file.into(),
        }
    }

    #[test]
    fn row_levels_follow_the_manual_shapes() {
        assert_eq!(row("1", "", "").level(), Some(Level::Study));
        assert_eq!(row("1", "2", "").level(), Some(Level::Series));
        assert_eq!(row("1", "2", "f").level(), Some(Level::Image));
        assert_eq!(row("1", "", "f").level(), None);
        assert_eq!(row("", "2", "").level(), None);
    }

    #[test]
    fn bytes_are_header_and_crlf_rows() {
        let bytes = keep_list_bytes(&[row("1.2", "", ""), row("1.3", "1.3.4", "IM1.dcm")]);
        assert_eq!(
            bytes,
            b"STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name\r\n1.2,,\r\n1.3,1.3.4,IM1.dcm\r\n"
        );
        assert_eq!(
            keep_list_bytes(&[]),
            b"STUDY_INSTANCE_UID,SERIES_INSTANCE_UID,DICOM File Name\r\n"
        );
    }

    #[test]
    fn a_series_row_only_when_the_study_is_not_whole() {
        let image = |series: &str, file: &str| ImageRef {
            study_uid: "1.1".into(),
            series_uid: series.into(),
            sop_uid: format!("{series}.{file}"),
            file_name: file.into(),
            bytes: 1,
            modality: None,
            body_part: None,
        };
        let release = ReleaseImages::new(
            None,
            vec![
                image("1.1.1", "a"),
                image("1.1.2", "b"),
                image("1.1.2", "c"),
            ],
        );
        let keep = |level, uid: &str| Change {
            target: Target {
                level,
                uid: uid.into(),
            },
            decision: Decision::Keep,
            reason: String::new(),
        };
        let mut decisions = Decisions::new();
        decisions.apply(&[keep(Level::Series, "1.1.1")], "t", "");
        let rows = keep_rows(&release, &Effective::compute(&release, &decisions));
        assert_eq!(rows, [row("1.1", "1.1.1", "")]);
        decisions.apply(&[keep(Level::Image, "1.1.2.b")], "t", "");
        let rows = keep_rows(&release, &Effective::compute(&release, &decisions));
        assert_eq!(rows, [row("1.1", "1.1.1", ""), row("1.1", "1.1.2", "b")]);
        decisions.apply(&[keep(Level::Image, "1.1.2.c")], "t", "");
        let rows = keep_rows(&release, &Effective::compute(&release, &decisions));
        assert_eq!(rows, [row("1.1", "", "")]);
    }
}
