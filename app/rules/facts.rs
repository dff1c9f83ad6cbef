//! What the rules look at, precomputed once per series.
//!
//! The viewer re-evaluates every rule on every edit of the rules file, over releases of
//! tens of thousands of series, so nothing a rule tests is computed during
//! evaluation: claims values are trimmed and folded, ICD codes normalised, ages
//! parsed, DICOM text and report sentences folded and their negation cues found here,
//! once. Evaluation then only compares strings already in the right form, and borrows
//! from these facts for provenance instead of allocating.

use std::ops::Range;

use super::icd_pattern;
use super::reports::Reports;
use super::text::{Sentence, fold, sentences};
use crate::claims::{ClaimsJoin, ClaimsTable};
use crate::index::Index;

/// Claims columns tested by equality, in the order of [`EqField::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EqField {
    /// `ORDER_CODE` (key `order_code`).
    OrderCode,
    /// `CURE_PATH` (key `cure_path`).
    CurePath,
    /// `MODALITY` (key `modality`).
    Modality,
    /// `HOSP_CNT_TYPE` (key `hosp_cnt_type`).
    HospCntType,
    /// `PATIENT_SEX` (key `sex`).
    Sex,
}

impl EqField {
    /// Every equality field.
    pub const ALL: [Self; 5] = [
        Self::OrderCode,
        Self::CurePath,
        Self::Modality,
        Self::HospCntType,
        Self::Sex,
    ];

    /// Its position in [`EqField::ALL`] (and in a row's values).
    pub(super) fn slot(self) -> usize {
        self as usize
    }

    /// The claims column.
    pub fn column(self) -> &'static str {
        match self {
            Self::OrderCode => "ORDER_CODE",
            Self::CurePath => "CURE_PATH",
            Self::Modality => "MODALITY",
            Self::HospCntType => "HOSP_CNT_TYPE",
            Self::Sex => "PATIENT_SEX",
        }
    }

    /// The key in a rules file.
    pub fn key(self) -> &'static str {
        match self {
            Self::OrderCode => "order_code",
            Self::CurePath => "cure_path",
            Self::Modality => "modality",
            Self::HospCntType => "hosp_cnt_type",
            Self::Sex => "sex",
        }
    }
}

/// DICOM text tags the rules search, in the order of [`TextField::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// Study Description (key `study_description`).
    StudyDescription,
    /// Series Description (key `series_description`).
    SeriesDescription,
    /// Body Part Examined (key `body_part`).
    BodyPart,
    /// Protocol Name (key `protocol_name`).
    ProtocolName,
}

impl TextField {
    /// Every DICOM text field.
    pub const ALL: [Self; 4] = [
        Self::StudyDescription,
        Self::SeriesDescription,
        Self::BodyPart,
        Self::ProtocolName,
    ];

    /// The DICOM keyword, as provenance names it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::StudyDescription => "StudyDescription",
            Self::SeriesDescription => "SeriesDescription",
            Self::BodyPart => "BodyPartExamined",
            Self::ProtocolName => "ProtocolName",
        }
    }

    /// The key in a rules file.
    pub fn key(self) -> &'static str {
        match self {
            Self::StudyDescription => "study_description",
            Self::SeriesDescription => "series_description",
            Self::BodyPart => "body_part",
            Self::ProtocolName => "protocol_name",
        }
    }
}

/// The ICD columns, `ICD1` the principal diagnosis.
pub const ICD_COLUMNS: [&str; 5] = ["ICD1", "ICD2", "ICD3", "ICD4", "ICD5"];

/// The claims age column.
pub const AGE_COLUMN: &str = "PATIENT_AGE";

/// A claims value as shown and as compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Value {
    /// Trimmed, as in the file (ICD codes with their dot, see [`icd_pattern::shown`]).
    pub shown: String,
    /// Folded for comparing (ICD: [`icd_pattern::normalize`]; others [`fold`]).
    pub folded: String,
}

/// One claims row of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Row {
    /// ICD1..ICD5, `None` where empty or missing.
    pub icd: [Option<Value>; 5],
    /// The equality fields in [`EqField::ALL`] order.
    pub equals: [Option<Value>; 5],
    /// `PATIENT_AGE` when it is an integer, with its text.
    pub age: Option<(i64, String)>,
}

/// One distinct DICOM text value of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Text {
    /// Which tag.
    pub field: TextField,
    /// As in the file, trimmed.
    pub shown: String,
    /// Folded.
    pub folded: String,
}

/// A series and what rules test on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SeriesFacts {
    /// Index of its study in [`Facts::studies`].
    pub study: usize,
    /// Series Instance UID.
    pub series_uid: String,
    /// Number of instances.
    pub images: usize,
    /// Its claims rows.
    pub rows: Vec<Row>,
    /// Distinct DICOM text values of its instances.
    pub texts: Vec<Text>,
}

/// A study: its series and its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StudyFacts {
    /// Study Instance UID.
    pub study_uid: String,
    /// Its series, a range of [`Facts::series`].
    pub series: Range<usize>,
    /// Number of instances over its series.
    pub images: usize,
    /// Its report, in sentences.
    pub report: Vec<Sentence>,
}

/// Everything rules test, per series of a release, in index order; build once per
/// release (and again when claims or reports change), evaluate any number of times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub(super) studies: Vec<StudyFacts>,
    pub(super) series: Vec<SeriesFacts>,
}

impl Facts {
    /// Facts of every series of `index`, with the claims rows of `claims` joined to
    /// them (by series, else by study) and the report text of each study, if any.
    pub fn build(index: &Index, claims: &ClaimsTable, reports: Option<&Reports>) -> Self {
        Self::build_joined(
            index,
            claims,
            &ClaimsJoin::from_index(claims, index),
            reports,
        )
    }

    /// [`Facts::build`] with the claims already joined to the index (`join` must be
    /// `ClaimsJoin::from_index(claims, index)`), for callers that keep the join anyway.
    pub fn build_joined(
        index: &Index,
        claims: &ClaimsTable,
        join: &ClaimsJoin,
        reports: Option<&Reports>,
    ) -> Self {
        let columns = Columns::of(claims);
        let mut facts = Self::default();
        for study in index.studies() {
            let first = facts.series.len();
            let study_at = facts.studies.len();
            let mut accessions: Vec<&str> = Vec::new();
            for series in &study.series {
                let rows = join
                    .rows_for_series(&study.study_uid, &series.series_uid)
                    .into_iter()
                    .filter_map(|r| claims.rows.get(r))
                    .map(|row| columns.row(row))
                    .collect();
                let mut texts: Vec<Text> = Vec::new();
                for instance in &series.instances {
                    if let Some(a) = instance.accession_number.as_deref()
                        && !accessions.contains(&a)
                    {
                        accessions.push(a);
                    }
                    let values = [
                        &instance.study_description,
                        &instance.series_description,
                        &instance.body_part,
                        &instance.protocol_name,
                    ];
                    for (field, value) in TextField::ALL.into_iter().zip(values) {
                        let Some(shown) = value.as_deref().map(str::trim) else {
                            continue;
                        };
                        if !shown.is_empty()
                            && !texts.iter().any(|t| t.field == field && t.shown == shown)
                        {
                            texts.push(Text {
                                field,
                                shown: shown.to_owned(),
                                folded: fold(shown),
                            });
                        }
                    }
                }
                facts.series.push(SeriesFacts {
                    study: study_at,
                    series_uid: series.series_uid.clone(),
                    images: series.instances.len(),
                    rows,
                    texts,
                });
            }
            let report = reports
                .map(|r| sentences(&r.text_for_study(&study.study_uid, accessions)))
                .unwrap_or_default();
            facts.studies.push(StudyFacts {
                study_uid: study.study_uid.clone(),
                series: first..facts.series.len(),
                images: study.instance_count(),
                report,
            });
        }
        facts
    }

    /// Number of studies.
    pub fn study_count(&self) -> usize {
        self.studies.len()
    }

    /// Number of series.
    pub fn series_count(&self) -> usize {
        self.series.len()
    }
}

/// Where the columns rules read are in a claims table, looked up once.
struct Columns {
    icd: [Option<usize>; 5],
    equals: [Option<usize>; 5],
    age: Option<usize>,
}

impl Columns {
    fn of(table: &ClaimsTable) -> Self {
        Self {
            icd: ICD_COLUMNS.map(|c| table.column_index(c)),
            equals: EqField::ALL.map(|f| table.column_index(f.column())),
            age: table.column_index(AGE_COLUMN),
        }
    }

    /// The facts of one claims row.
    fn row(&self, row: &[String]) -> Row {
        let cell = |col: Option<usize>| {
            col.and_then(|c| row.get(c))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        Row {
            icd: self.icd.map(|c| {
                cell(c).map(|v| Value {
                    shown: icd_pattern::shown(v),
                    folded: icd_pattern::normalize(v),
                })
            }),
            equals: self.equals.map(|c| {
                cell(c).map(|v| Value {
                    shown: v.to_owned(),
                    folded: fold(v),
                })
            }),
            age: cell(self.age).and_then(|v| v.parse().ok().map(|n| (n, v.to_owned()))),
        }
    }
}
