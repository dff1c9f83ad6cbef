//! Keyword pre-labelling rules: a TOML file proposes labels and keep/drop decisions.
//!
//! A release holds thousands of studies, and most of what a reviewer decides is
//! predictable from the claims (diagnosis codes, modality, age) and the words in the
//! DICOM descriptions and reports: "keep every chest CT of a lung nodule", "drop the
//! scout series". Rules write that down once, in a file a reviewer can read and edit,
//! and turn it into *proposals*: nothing here changes a decision. The viewer shows the
//! proposals with why each was made ([`Matched`]) and the reviewer accepts them,
//! which is what keeps a keyword match from silently deciding a research release.
//!
//! The file format (`assets/rules/default.toml` explains every key):
//!
//! ```toml
//! [[rule]]
//! name = "lung nodule on chest CT"   # unique
//! label = "nodule"                   # optional
//! decision = "keep"                  # optional: keep | drop (label, decision or both)
//! level = "study"                    # study | series
//! [rule.when]                        # every key must hold; a list means any value
//! icd = ["C34*", "R91.1", "C33-C34.9"]
//! modality = "CT"                    # a scalar is a one-value list
//! age = [40, 80]
//! text = ["nodule", "結節"]
//! any = [{ cure_path = ["U"] }, { text = ["chest"] }]
//! not = { sex = ["F"] }
//! ```
//!
//! How a release is evaluated: [`Facts::build`] precomputes what rules test for every
//! series (its claims rows, DICOM text, its study's report from [`Reports`]), once;
//! [`evaluate`] then tests every rule on every series, cheaply enough to run on every
//! keystroke of the rules editor. A study-level rule matches a study when any of its
//! series matches; a series-level rule matches series.
//!
//! Public API, for the CLI and viewer:
//!
//! - [`RuleSet::parse`] / [`RuleSet::load`] / [`DEFAULT_RULES`]; errors
//!   [`RulesError`] (`line`, `column`, `message`, `hint`) and [`RulesFileError`].
//! - [`Reports::load`] / [`Reports::load_for_release`] (`DATA/REPORT_<release>.csv`).
//! - [`Facts::build`]`(&Index, &ClaimsTable, Option<&Reports>)`.
//! - [`evaluate`]`(&RuleSet, &Facts) -> `[`Evaluation`] `{ rules: Vec<RuleCount>,
//!   proposals: Vec<Proposal>, conflicts: Vec<Conflict> }`, all `Serialize`.
//!
//! Each job has its own module: [`parse`] (TOML to rules, errors with positions),
//! [`condition`] (the condition tree and its test), [`icd_pattern`], [`text`]
//! (folding, word starts, sentences, negation), [`facts`] and [`reports`].

pub mod condition;
pub mod facts;
pub mod icd_pattern;
pub mod parse;
pub mod reports;
pub mod text;

#[cfg(test)]
mod testing;

use crate::fsutil::ShowPath;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use condition::{Condition, TextScope};
pub use facts::{EqField, Facts, TextField};
pub use icd_pattern::{IcdPattern, IcdPatternError};
pub use parse::RulesError;
pub use reports::{Reports, ReportsError};
pub use text::Keyword;

use crate::review::Decision;
use condition::Hit;

/// The default rules file a reviewer starts from (commented; see the file).
pub const DEFAULT_RULES: &str = include_str!("../../assets/rules/default.toml");

/// Whether a rule proposes for whole studies or for single series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleLevel {
    /// The rule matches a study when any of its series matches.
    Study,
    /// The rule matches series one by one.
    Series,
}

impl RuleLevel {
    /// `study` or `series`, as in the rules file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Study => "study",
            Self::Series => "series",
        }
    }
}

/// One rule of a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its unique name.
    pub name: String,
    /// The label it proposes.
    pub label: Option<String>,
    /// The decision it proposes: [`Decision::Keep`] or [`Decision::Drop`].
    pub decision: Option<Decision>,
    /// Study or series.
    pub level: RuleLevel,
    /// What must hold (the `[rule.when]` table).
    pub when: Condition,
    /// The 1-based line of its `[[rule]]` header, for editors.
    pub line: usize,
}

/// The rules of one file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSet {
    /// The rules.
    pub rules: Vec<Rule>,
}

/// Why a rules file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesFileError {
    /// It could not be read.
    #[error("cannot read rules file: {reason}: {}", path.shown())]
    Io {
        /// The I/O error.
        reason: std::io::Error,
        /// The file.
        path: PathBuf,
    },
    /// It is not a valid rules file.
    #[error("invalid rules file: {error}: {}", path.shown())]
    Parse {
        /// Where and what.
        error: RulesError,
        /// The file.
        path: PathBuf,
    },
}

impl RuleSet {
    /// Parses a rules file's text; the first mistake is an error and nothing is kept.
    pub fn parse(text: &str) -> Result<Self, RulesError> {
        parse::parse_rules(text)
    }

    /// Reads and parses the rules file at `path` (UTF-8, a BOM allowed).
    pub fn load(path: &Path) -> Result<Self, RulesFileError> {
        let text = std::fs::read_to_string(path).map_err(|reason| RulesFileError::Io {
            reason,
            path: path.to_path_buf(),
        })?;
        Self::parse(text.strip_prefix('\u{feff}').unwrap_or(&text)).map_err(|error| {
            RulesFileError::Parse {
                error,
                path: path.to_path_buf(),
            }
        })
    }
}

/// What satisfied one key of a rule: a claims column, DICOM keyword or `report`, and
/// the value there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Matched {
    /// `ICD2`, `MODALITY`, `PATIENT_AGE`, `StudyDescription`, `report`…
    pub field: String,
    /// The value (ICD codes with their dot; a report sentence cut to about 100 chars).
    pub value: String,
}

impl fmt::Display for Matched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.field, self.value)
    }
}

/// A rule's proposal for one study (study level) or one series (series level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The rule's name.
    pub rule: String,
    /// The rule's level.
    pub level: RuleLevel,
    /// The study (the target at study level).
    pub study_uid: String,
    /// The series (the target at series level); `None` at study level.
    pub series_uid: Option<String>,
    /// The label proposed.
    pub label: Option<String>,
    /// The decision proposed.
    pub decision: Option<Decision>,
    /// Why: what satisfied each key (at study level, over every matching series,
    /// without repeats).
    pub matched: Vec<Matched>,
}

/// How much one rule matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCount {
    /// The rule's name.
    pub name: String,
    /// Studies matched (series level: studies with a matched series).
    pub studies: usize,
    /// Series covered (study level: every series of the matched studies).
    pub series: usize,
    /// Images (files) covered.
    pub images: usize,
}

/// One target proposed both keep and drop by different rules of the same level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The study.
    pub study_uid: String,
    /// The series, for a series-level conflict.
    pub series_uid: Option<String>,
    /// The rules proposing a decision on it, in rule order.
    pub rules: Vec<String>,
}

/// The result of evaluating a rule set on a release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Per rule, in rule order.
    pub rules: Vec<RuleCount>,
    /// Every proposal, by rule order then index order.
    pub proposals: Vec<Proposal>,
    /// Targets proposed both keep and drop, in index order (a study before its series).
    pub conflicts: Vec<Conflict>,
}

/// The rules proposing keep and drop on one target, by index.
#[derive(Default)]
struct Deciders {
    keep: Vec<usize>,
    drop: Vec<usize>,
}

/// Hits as provenance, without repeats, in order.
fn matched(hits: &[Hit<'_>]) -> Vec<Matched> {
    let mut out: Vec<Matched> = Vec::with_capacity(hits.len());
    for hit in hits {
        if !out
            .iter()
            .any(|m| m.field == hit.field && m.value == hit.value)
        {
            out.push(Matched {
                field: hit.field.to_owned(),
                value: hit.value.to_owned(),
            });
        }
    }
    out
}

/// Tests every rule on every series of `facts`: the proposals, counts per rule and
/// conflicts. A study-level keep with a series-level drop inside it is a refinement,
/// not a conflict; only keep and drop on the same target (study or series) are.
pub fn evaluate(rules: &RuleSet, facts: &Facts) -> Evaluation {
    let mut eval = Evaluation::default();
    // Target (study index, series index at series level) → the rules deciding on it.
    let mut decided: BTreeMap<(usize, Option<usize>), Deciders> = BTreeMap::new();
    let mut hits: Vec<Hit<'_>> = Vec::new();
    for (r, rule) in rules.rules.iter().enumerate() {
        let mut count = RuleCount {
            name: rule.name.clone(),
            studies: 0,
            series: 0,
            images: 0,
        };
        let mut propose = |study: usize, series: Option<usize>, hits: &[Hit<'_>]| {
            if let Some(d) = rule.decision {
                let entry = decided.entry((study, series)).or_default();
                match d {
                    Decision::Keep => entry.keep.push(r),
                    _ => entry.drop.push(r),
                }
            }
            eval.proposals.push(Proposal {
                rule: rule.name.clone(),
                level: rule.level,
                study_uid: facts.studies[study].study_uid.clone(),
                series_uid: series.map(|s| facts.series[s].series_uid.clone()),
                label: rule.label.clone(),
                decision: rule.decision,
                matched: matched(hits),
            });
        };
        match rule.level {
            RuleLevel::Study => {
                for (st, study) in facts.studies.iter().enumerate() {
                    hits.clear();
                    let mut any = false;
                    for series in &facts.series[study.series.clone()] {
                        any |= rule.when.holds(series, study, &mut hits);
                    }
                    if any {
                        count.studies += 1;
                        count.series += study.series.len();
                        count.images += study.images;
                        propose(st, None, &hits);
                    }
                }
            }
            RuleLevel::Series => {
                let mut last_study = None;
                for (se, series) in facts.series.iter().enumerate() {
                    hits.clear();
                    let study = &facts.studies[series.study];
                    if rule.when.holds(series, study, &mut hits) {
                        if last_study != Some(series.study) {
                            count.studies += 1;
                            last_study = Some(series.study);
                        }
                        count.series += 1;
                        count.images += series.images;
                        propose(series.study, Some(se), &hits);
                    }
                }
            }
        }
        eval.rules.push(count);
    }
    eval.conflicts = decided
        .into_iter()
        .filter(|(_, d)| !d.keep.is_empty() && !d.drop.is_empty())
        .map(|((study, series), d)| {
            let mut by = [d.keep, d.drop].concat();
            by.sort_unstable();
            by.dedup();
            Conflict {
                study_uid: facts.studies[study].study_uid.clone(),
                series_uid: series.map(|s| facts.series[s].series_uid.clone()),
                rules: by
                    .into_iter()
                    .map(|r| rules.rules[r].name.clone())
                    .collect(),
            }
        })
        .collect();
    eval
}

#[cfg(test)]
mod tests {
    use super::testing::{SeriesSpec, claims, index, run, series};
    use super::*;

    /// Two studies: 1 (series 1.1 with 3 images, 1.2 with 2) and 2 (2.1, 4 images).
    fn release() -> crate::index::Index {
        index(&[
            SeriesSpec {
                images: 3,
                series_description: "CHEST 5mm",
                ..series("1", "1.1")
            },
            SeriesSpec {
                images: 2,
                series_description: "SCOUT",
                ..series("1", "1.2")
            },
            SeriesSpec {
                images: 4,
                series_description: "CHEST PA",
                ..series("2", "2.1")
            },
        ])
    }

    fn table() -> crate::claims::ClaimsTable {
        claims(&[
            [
                "1", "1.1", "C3411", "", "", "", "", "", "U", "CT", "", "63", "M",
            ],
            [
                "1", "1.2", "R911", "", "", "", "", "", "U", "CT", "", "63", "M",
            ],
            [
                "2", "2.1", "J189", "", "", "", "", "", "U", "CR", "", "71", "F",
            ],
        ])
    }

    fn rule(name: &str, decision: &str, level: &str, when: &str) -> String {
        format!(
            "[[rule]]\nname = \"{name}\"\ndecision = \"{decision}\"\nlevel = \"{level}\"\nwhen = {{ {when} }}\n"
        )
    }

    #[test]
    fn counts_per_rule_by_level() {
        let rules = [
            rule("chest study", "keep", "study", "cure_path = \"U\""),
            rule("ct study", "keep", "study", "modality = \"CT\""),
            rule("scout series", "drop", "series", "text = \"scout\""),
            rule(
                "chest series",
                "keep",
                "series",
                "series_description = \"chest\"",
            ),
            rule("nothing", "keep", "series", "sex = \"X\""),
        ]
        .concat();
        let eval = run(&rules, &release(), &table(), None);
        let counts: Vec<(&str, usize, usize, usize)> = eval
            .rules
            .iter()
            .map(|c| (c.name.as_str(), c.studies, c.series, c.images))
            .collect();
        assert_eq!(
            counts,
            [
                ("chest study", 2, 3, 9),
                ("ct study", 1, 2, 5),
                ("scout series", 1, 1, 2),
                ("chest series", 2, 2, 7),
                ("nothing", 0, 0, 0),
            ]
        );
        // Proposals by rule order, then index order.
        let order: Vec<(&str, &str, Option<&str>)> = eval
            .proposals
            .iter()
            .map(|p| {
                (
                    p.rule.as_str(),
                    p.study_uid.as_str(),
                    p.series_uid.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("chest study", "1", None),
                ("chest study", "2", None),
                ("ct study", "1", None),
                ("scout series", "1", Some("1.2")),
                ("chest series", "1", Some("1.1")),
                ("chest series", "2", Some("2.1")),
            ]
        );
        // A study-level keep with a series-level drop inside is a refinement.
        assert_eq!(eval.conflicts, []);
    }

    #[test]
    fn study_provenance_is_the_union_over_matching_series() {
        let eval = run(
            &rule(
                "lung",
                "keep",
                "study",
                "icd = [\"C34*\", \"R91.1\"], modality = \"CT\"",
            ),
            &release(),
            &table(),
            None,
        );
        let p = &eval.proposals[0];
        assert_eq!(p.level, RuleLevel::Study);
        let why: Vec<String> = p.matched.iter().map(Matched::to_string).collect();
        assert_eq!(why, ["ICD1 = C34.11", "MODALITY = CT", "ICD1 = R91.1"]);
        assert_eq!(eval.proposals.len(), 1);
    }

    #[test]
    fn keep_and_drop_on_one_target_conflict() {
        let rules = [
            rule("keep chest", "keep", "study", "text = \"chest\""),
            rule("drop men", "drop", "study", "sex = \"M\""),
            rule("label only", "keep", "study", "sex = \"M\"")
                .replace("decision = \"keep\"", "label = \"x\""),
            rule("keep scouts", "keep", "series", "text = \"scout\""),
            rule("drop ct", "drop", "series", "modality = \"CT\""),
            rule("drop ct again", "drop", "series", "modality = \"CT\""),
        ]
        .concat();
        let eval = run(&rules, &release(), &table(), None);
        assert_eq!(
            eval.conflicts,
            [
                Conflict {
                    study_uid: "1".into(),
                    series_uid: None,
                    rules: vec!["keep chest".into(), "drop men".into()],
                },
                Conflict {
                    study_uid: "1".into(),
                    series_uid: Some("1.2".into()),
                    rules: vec![
                        "keep scouts".into(),
                        "drop ct".into(),
                        "drop ct again".into()
                    ],
                },
            ]
        );
    }

    #[test]
    fn evaluation_serializes_snake_case() {
        let eval = run(
            &rule("scouts", "drop", "series", "text = \"scout\""),
            &release(),
            &table(),
            None,
        );
        let json = serde_json::to_value(&eval).expect("json");
        assert_eq!(json["proposals"][0]["level"], "series");
        assert_eq!(json["proposals"][0]["decision"], "drop");
        assert_eq!(json["proposals"][0]["label"], serde_json::Value::Null);
        assert_eq!(
            json["proposals"][0]["matched"][0]["field"],
            "SeriesDescription"
        );
        assert_eq!(json["rules"][0]["images"], 2);
        let back: Evaluation = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, eval);
    }

    #[test]
    fn files_errors_end_with_the_path_and_the_default_rules_parse() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("rules.toml");
        std::fs::write(&path, "\u{feff}[[rule]]\nname = 1\n").expect("write");
        let e = RuleSet::load(&path).expect_err("bad").to_string();
        assert!(
            e.starts_with("invalid rules file: line 2, column 8: "),
            "{e}"
        );
        assert!(e.ends_with("rules.toml"), "{e}");
        let e = RuleSet::load(&dir.path().join("none.toml"))
            .expect_err("none")
            .to_string();
        assert!(e.starts_with("cannot read rules file: "), "{e}");
        let defaults = RuleSet::parse(DEFAULT_RULES).unwrap_or_else(|e| panic!("{e}"));
        assert!(defaults.rules.len() >= 5);
    }
}
