//! The `when` of a rule as a tree, and its test on one series.
//!
//! A condition holds for a series over everything known about it at once: its claims
//! rows, its DICOM text and its study's report. Each claims key holds when some row
//! satisfies it, so in `{ icd = …, age = … }` the diagnosis and the age may come from
//! different rows of the same series (one claim per order; a patient's age and
//! diagnoses do not depend on which order a row is). A series with no claims rows
//! fails every claims key but can still match text.
//!
//! While testing, each key that holds records what satisfied it ([`Hit`]), borrowed
//! from the facts, so a proposal can say why without the test allocating.

use super::facts::{AGE_COLUMN, EqField, ICD_COLUMNS, SeriesFacts, StudyFacts, TextField};
use super::icd_pattern::IcdPattern;
use super::text::Keyword;

/// Where a text key searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextScope {
    /// Every DICOM text tag and the report (key `text`).
    Everywhere,
    /// One DICOM text tag (keys `study_description`, `series_description`,
    /// `body_part`, `protocol_name`).
    Field(TextField),
    /// The report only (key `report`).
    Report,
}

/// The `when` of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Every condition holds (a `when` table, an `all` list, an element of `any`).
    All(Vec<Condition>),
    /// At least one condition holds (`any`).
    Any(Vec<Condition>),
    /// The condition does not hold (`not`).
    Not(Box<Condition>),
    /// A claims row has an ICD code matching one of the patterns: ICD1..ICD5, or ICD1
    /// only when `principal_only` (key `icd_principal`).
    Icd {
        /// ICD1 only.
        principal_only: bool,
        /// The patterns, any of which may match.
        patterns: Vec<IcdPattern>,
    },
    /// A claims row's `field` equals one of `values` (folded: trimmed, width-folded,
    /// lower case).
    Equals {
        /// The claims column.
        field: EqField,
        /// The accepted values, folded.
        values: Vec<String>,
    },
    /// A claims row's `PATIENT_AGE` is an integer from `min_years` to `max_years`.
    Age {
        /// Youngest accepted, inclusive.
        min_years: i64,
        /// Oldest accepted, inclusive.
        max_years: i64,
    },
    /// One of `keywords` occurs in the text of `scope` (in the report, not negated).
    Text {
        /// Where to search.
        scope: TextScope,
        /// The keywords, any of which may occur.
        keywords: Vec<Keyword>,
    },
}

/// What satisfied one key: the field (claims column, DICOM keyword or `report`) and
/// its value, borrowed from the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Hit<'a> {
    pub field: &'a str,
    pub value: &'a str,
}

impl Condition {
    /// True when the condition holds for `series` of `study`; pushes onto `hits` what
    /// satisfied each key (nothing is left there when it does not hold).
    pub(super) fn holds<'a>(
        &self,
        series: &'a SeriesFacts,
        study: &'a StudyFacts,
        hits: &mut Vec<Hit<'a>>,
    ) -> bool {
        let mark = hits.len();
        let found = match self {
            Self::All(all) => all.iter().all(|c| c.holds(series, study, hits)),
            Self::Any(any) => {
                let mut held = false;
                for c in any {
                    let before = hits.len();
                    if c.holds(series, study, hits) {
                        held = true;
                    } else {
                        hits.truncate(before);
                    }
                }
                held
            }
            Self::Not(inner) => {
                let held = inner.holds(series, study, hits);
                hits.truncate(mark);
                !held
            }
            Self::Icd {
                principal_only,
                patterns,
            } => {
                let slots = if *principal_only {
                    1
                } else {
                    ICD_COLUMNS.len()
                };
                let hit = series.rows.iter().find_map(|row| {
                    row.icd[..slots].iter().enumerate().find_map(|(slot, v)| {
                        let v = v.as_ref()?;
                        patterns
                            .iter()
                            .any(|p| p.matches(&v.folded))
                            .then_some(Hit {
                                field: ICD_COLUMNS[slot],
                                value: v.shown.as_str(),
                            })
                    })
                });
                push(hits, hit)
            }
            Self::Equals { field, values } => {
                let hit = series.rows.iter().find_map(|row| {
                    let v = row.equals[field.slot()].as_ref()?;
                    values.contains(&v.folded).then_some(Hit {
                        field: field.column(),
                        value: v.shown.as_str(),
                    })
                });
                push(hits, hit)
            }
            Self::Age {
                min_years,
                max_years,
            } => {
                let hit = series.rows.iter().find_map(|row| {
                    let (years, shown) = row.age.as_ref()?;
                    (min_years..=max_years).contains(&years).then_some(Hit {
                        field: AGE_COLUMN,
                        value: shown.as_str(),
                    })
                });
                push(hits, hit)
            }
            Self::Text { scope, keywords } => push(hits, text_hit(*scope, keywords, series, study)),
        };
        if !found {
            hits.truncate(mark);
        }
        found
    }
}

/// Pushes `hit` when there is one; true when there was.
fn push<'a>(hits: &mut Vec<Hit<'a>>, hit: Option<Hit<'a>>) -> bool {
    hits.extend(hit);
    hit.is_some()
}

/// The first DICOM text value, then report sentence, in `scope` where a keyword
/// occurs (in a report sentence: not negated).
fn text_hit<'a>(
    scope: TextScope,
    keywords: &[Keyword],
    series: &'a SeriesFacts,
    study: &'a StudyFacts,
) -> Option<Hit<'a>> {
    let in_tags = match scope {
        TextScope::Everywhere => series
            .texts
            .iter()
            .find(|t| keywords.iter().any(|k| k.is_in(&t.folded))),
        TextScope::Field(field) => series
            .texts
            .iter()
            .filter(|t| t.field == field)
            .find(|t| keywords.iter().any(|k| k.is_in(&t.folded))),
        TextScope::Report => None,
    };
    if let Some(t) = in_tags {
        return Some(Hit {
            field: t.field.tag(),
            value: t.shown.as_str(),
        });
    }
    if matches!(scope, TextScope::Field(_)) {
        return None;
    }
    study
        .report
        .iter()
        .find(|s| keywords.iter().any(|k| k.is_affirmed_in(s)))
        .map(|s| Hit {
            field: "report",
            value: s.shown.as_str(),
        })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{SeriesSpec, claims, index, reports, run, series};
    use crate::rules::{Evaluation, Matched};

    /// One rule named `r` at series level with `when`, on the fixture release.
    fn eval(when: &str) -> Evaluation {
        let rules = format!(
            "[[rule]]\nname = \"r\"\nlabel = \"x\"\nlevel = \"series\"\n[rule.when]\n{when}\n"
        );
        let release = index(&[
            SeriesSpec {
                study_description: "ＣＴ　CHEST  W/O CONTRAST",
                series_description: "CHEST 5mm",
                body_part: "CHEST",
                protocol_name: "Lung Screening",
                accession: "A1",
                ..series("1", "1.1")
            },
            SeriesSpec {
                study_description: "MRI BRAIN",
                series_description: "T1 AXIAL 定位",
                body_part: "BRAIN",
                ..series("2", "2.1")
            },
            series("3", "3.1"),
        ]);
        let table = claims(&[
            // Two rows for 1.1: ICD and age on different rows.
            [
                "1", "1.1", "R911", "C3411", "", "", "J449", "33072B", "U", "CT", "1", "63", "M",
            ],
            [
                "1", "1.1", "I10", "", "", "", "", "33072B", "U", "ct", "1", "abc", "M",
            ],
            // A study-only row stands for every series of study 2.
            [
                "2", "", "G439", "R519", "", "", "", "33084B", "H", "MR", "3", "40", "F",
            ],
        ]);
        let reports = reports(&[
            ("1", "No effusion. 右上肺結節 3 mm。"),
            ("2", "Normal brain. No mass."),
        ]);
        run(&rules, &release, &table, Some(&reports))
    }

    /// The series the condition matched, and the provenance of each.
    fn hits(when: &str) -> Vec<(String, Vec<String>)> {
        eval(when)
            .proposals
            .into_iter()
            .map(|p| {
                let why = p.matched.iter().map(Matched::to_string).collect();
                (p.series_uid.unwrap_or_default(), why)
            })
            .collect()
    }

    fn matched(when: &str) -> Vec<String> {
        hits(when).into_iter().map(|(s, _)| s).collect()
    }

    #[test]
    fn icd_over_every_column_or_the_principal_only() {
        assert_eq!(
            hits("icd = \"C34*\""),
            [("1.1".into(), vec!["ICD2 = C34.11".into()])]
        );
        assert_eq!(matched("icd = [\"J44.9\"]"), ["1.1"], "ICD5 counts");
        assert_eq!(matched("icd_principal = [\"C34*\"]"), Vec::<String>::new());
        assert_eq!(
            hits("icd_principal = [\"r91.1\"]"),
            [("1.1".into(), vec!["ICD1 = R91.1".into()])]
        );
        assert_eq!(matched("icd = [\"G43-G44\"]"), ["2.1"]);
        assert_eq!(matched("icd = [\"R51?\"]"), ["2.1"]);
    }

    #[test]
    fn equality_keys_fold_case_width_and_accept_integers() {
        assert_eq!(
            hits("modality = \"ＣＴ\""),
            [("1.1".into(), vec!["MODALITY = CT".into()])]
        );
        assert_eq!(matched("modality = [\"mr\", \"US\"]"), ["2.1"]);
        assert_eq!(matched("order_code = [\"33084b\"]"), ["2.1"]);
        assert_eq!(
            hits("cure_path = [\" u \"]"),
            [("1.1".into(), vec!["CURE_PATH = U".into()])]
        );
        assert_eq!(matched("hosp_cnt_type = [3]"), ["2.1"]);
        assert_eq!(matched("hosp_cnt_type = \"1\""), ["1.1"]);
        assert_eq!(matched("sex = [\"F\"]"), ["2.1"]);
        assert_eq!(matched("sex = [\"X\"]"), Vec::<String>::new());
    }

    #[test]
    fn age_is_inclusive_and_needs_a_number() {
        assert_eq!(matched("age = [63, 63]"), ["1.1"]);
        assert_eq!(matched("age = [40, 62]"), ["2.1"], "40 is in, 63 is out");
        assert_eq!(matched("age = [0, 39]"), Vec::<String>::new());
        assert_eq!(
            matched("age = [64, 200]"),
            Vec::<String>::new(),
            "\"abc\" is no age"
        );
        assert_eq!(
            hits("age = [60, 70]"),
            [("1.1".into(), vec!["PATIENT_AGE = 63".into()])]
        );
    }

    #[test]
    fn claims_keys_may_hold_on_different_rows_of_a_series() {
        // I10 is on the second row of 1.1, the age on the first.
        assert_eq!(
            hits("icd = \"I10\"\nage = [60, 70]"),
            [(
                "1.1".into(),
                vec!["ICD1 = I10".into(), "PATIENT_AGE = 63".into()]
            )]
        );
        assert_eq!(matched("icd = \"I10\"\nsex = \"F\""), Vec::<String>::new());
    }

    #[test]
    fn a_series_without_claims_fails_claims_keys() {
        assert_eq!(matched("not = { modality = [\"CT\", \"MR\"] }"), ["3.1"]);
        assert_eq!(matched("not = { age = [0, 200] }"), ["3.1"]);
    }

    #[test]
    fn text_in_each_field() {
        assert_eq!(
            hits("text = \"ct\""),
            [(
                "1.1".into(),
                vec!["StudyDescription = ＣＴ　CHEST  W/O CONTRAST".into()]
            )]
        );
        assert_eq!(matched("study_description = [\"chest w/o\"]"), ["1.1"]);
        assert_eq!(matched("series_description = [\"chest\"]"), ["1.1"]);
        assert_eq!(matched("series_description = [\"定位\"]"), ["2.1"]);
        assert_eq!(matched("body_part = [\"brain\"]"), ["2.1"]);
        assert_eq!(
            hits("protocol_name = [\"screening\"]"),
            [("1.1".into(), vec!["ProtocolName = Lung Screening".into()])]
        );
        assert_eq!(matched("body_part = [\"screening\"]"), Vec::<String>::new());
        assert_eq!(matched("text = [\"axial\"]"), ["2.1"]);
    }

    #[test]
    fn text_in_the_report_with_negation() {
        assert_eq!(
            hits("report = \"結節\""),
            [("1.1".into(), vec!["report = 右上肺結節 3 mm。".into()])]
        );
        assert_eq!(matched("text = \"結節\""), ["1.1"]);
        assert_eq!(matched("report = \"effusion\""), Vec::<String>::new());
        assert_eq!(matched("report = [\"mass\"]"), Vec::<String>::new());
        assert_eq!(matched("text = [\"brain\"]"), ["2.1"], "from the tags");
        assert_eq!(matched("report = [\"normal\"]"), ["2.1"]);
        assert_eq!(
            matched("report = [\"chest\"]"),
            Vec::<String>::new(),
            "tags are not the report"
        );
    }

    #[test]
    fn any_all_not_nest() {
        assert_eq!(
            hits("any = [{ cure_path = [\"H\"] }, { text = [\"chest\"] }, { sex = \"M\" }]"),
            [
                (
                    "1.1".into(),
                    vec![
                        "StudyDescription = ＣＴ　CHEST  W/O CONTRAST".into(),
                        "PATIENT_SEX = M".into()
                    ]
                ),
                ("2.1".into(), vec!["CURE_PATH = H".into()]),
            ]
        );
        assert_eq!(
            matched("all = [{ modality = \"CT\" }, { sex = \"M\" }]"),
            ["1.1"]
        );
        assert_eq!(
            matched("all = [{ modality = \"CT\" }, { sex = \"F\" }]"),
            Vec::<String>::new()
        );
        assert_eq!(
            hits("modality = \"CT\"\nnot = { sex = [\"F\"] }"),
            [("1.1".into(), vec!["MODALITY = CT".into()])]
        );
        assert_eq!(
            matched(
                "any = [{ not = { any = [{ modality = \"CT\" }, { modality = \"MR\" }] } }, { all = [{ icd = \"G43*\" }, { not = { age = [41, 200] } }] }]"
            ),
            ["2.1", "3.1"]
        );
    }
}
