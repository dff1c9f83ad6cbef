//! A rules file (TOML) into rules, or the first error with its line and column.
//!
//! Reviewers write these files by hand and the viewer re-reads them on every edit, so
//! every mistake must point at the offending key or value with a message that says
//! what would be right. serde's derive would lose positions inside lists and nested
//! conditions, so the document is read as toml's spanned tree ([`DeTable`]) and walked
//! here. A file either parses completely or not at all: a bad file never half-applies.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::condition::{Condition, TextScope};
use super::facts::{EqField, TextField};
use super::icd_pattern::IcdPattern;
use super::text::Keyword;
use super::{Rule, RuleLevel, RuleSet};
use crate::review::Decision;

/// A mistake in a rules file, where it is and what would fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RulesError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would be right, when there is something to say.
    pub hint: Option<String>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Keys of a `[[rule]]` table.
const RULE_KEYS: [&str; 5] = ["name", "label", "decision", "level", "when"];

/// Keys of a condition table (`[rule.when]`, a branch of `any`/`all`, `not`).
const CONDITION_KEYS: [&str; 17] = [
    "icd",
    "icd_principal",
    "order_code",
    "cure_path",
    "modality",
    "hosp_cnt_type",
    "sex",
    "age",
    "text",
    "study_description",
    "series_description",
    "body_part",
    "protocol_name",
    "report",
    "any",
    "all",
    "not",
];

type Key<'i> = Spanned<Cow<'i, str>>;
type Value<'i> = Spanned<DeValue<'i>>;

/// Positions in the text being parsed.
struct Source<'t> {
    text: &'t str,
}

impl Source<'_> {
    /// The 1-based line and column (in chars) of byte `at`.
    fn position(&self, at: usize) -> (usize, usize) {
        let before = self.text.get(..at).unwrap_or(self.text);
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        (
            1 + before.matches('\n').count(),
            1 + before[line_start..].chars().count(),
        )
    }

    /// An error at byte `at`.
    fn error(&self, at: usize, message: impl Into<String>, hint: Option<String>) -> RulesError {
        let (line, column) = self.position(at);
        RulesError {
            line,
            column,
            message: message.into(),
            hint,
        }
    }

    /// An error at the start of `span`.
    fn at(&self, span: &Range<usize>, message: impl Into<String>) -> RulesError {
        self.error(span.start, message, None)
    }

    /// An error at the start of `span`, with a hint.
    fn hinted(
        &self,
        span: &Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> RulesError {
        self.error(span.start, message, Some(hint.into()))
    }
}

/// The entries of a table in file order (toml keeps them sorted by key).
fn entries<'a, 'i>(table: &'a DeTable<'i>) -> Vec<(&'a Key<'i>, &'a Value<'i>)> {
    let mut all: Vec<_> = table.iter().collect();
    all.sort_by_key(|(k, _)| k.span().start);
    all
}

/// A TOML type for messages: `a string`, `an integer`, `a table`…
fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// Parses a whole rules file.
pub(super) fn parse_rules(text: &str) -> Result<RuleSet, RulesError> {
    let src = Source { text };
    let doc = DeTable::parse(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        src.error(at, format!("TOML syntax: {}", e.message().trim()), None)
    })?;
    let mut rules = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (key, value) in entries(doc.get_ref()) {
        if key.get_ref() != "rule" {
            return Err(src.hinted(
                &key.span(),
                format!("unknown top-level key {:?}", key.get_ref()),
                "a rules file holds [[rule]] tables only",
            ));
        }
        let DeValue::Array(list) = value.get_ref() else {
            return Err(src.hinted(
                &value.span(),
                format!(
                    "`rule` is {}, not a list of tables",
                    type_name(value.get_ref())
                ),
                "start each rule with [[rule]] (two brackets)",
            ));
        };
        for item in list.iter() {
            let rule = parse_rule(&src, item)?;
            if let Some(first) = names.get(&rule.name) {
                let span = name_span(item).unwrap_or(item.span());
                return Err(src.hinted(
                    &span,
                    format!("duplicate rule name {:?}", rule.name),
                    format!(
                        "the first rule with this name is at line {first}; names must be unique"
                    ),
                ));
            }
            names.insert(rule.name.clone(), rule.line);
            rules.push(rule);
        }
    }
    Ok(RuleSet { rules })
}

/// Where the `name` value of a rule table is.
fn name_span(item: &Value<'_>) -> Option<Range<usize>> {
    match item.get_ref() {
        DeValue::Table(t) => t.get("name").map(Spanned::span),
        _ => None,
    }
}

/// A string value, trimmed and non-empty.
fn non_empty_string(src: &Source<'_>, key: &str, value: &Value<'_>) -> Result<String, RulesError> {
    match value.get_ref() {
        DeValue::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        DeValue::String(_) => Err(src.at(&value.span(), format!("`{key}` is empty"))),
        other => Err(src.at(
            &value.span(),
            format!("`{key}` must be a string, not {}", type_name(other)),
        )),
    }
}

/// One `[[rule]]` table.
fn parse_rule(src: &Source<'_>, item: &Value<'_>) -> Result<Rule, RulesError> {
    let DeValue::Table(table) = item.get_ref() else {
        return Err(src.at(
            &item.span(),
            format!("a rule must be a table, not {}", type_name(item.get_ref())),
        ));
    };
    let header = item.span();
    let mut name = None;
    let mut label = None;
    let mut decision = None;
    let mut level = None;
    let mut when = None;
    for (key, value) in entries(table) {
        match key.get_ref().as_ref() {
            "name" => name = Some(non_empty_string(src, "name", value)?),
            "label" => label = Some(non_empty_string(src, "label", value)?),
            "decision" => {
                let text = non_empty_string(src, "decision", value)?;
                decision = Some(match Decision::parse(&text) {
                    Some(d @ (Decision::Keep | Decision::Drop)) => d,
                    _ => {
                        return Err(src.hinted(
                            &value.span(),
                            format!("unknown decision {text:?}"),
                            "a rule's decision is \"keep\" or \"drop\"; leave it out to only label",
                        ));
                    }
                });
            }
            "level" => {
                let text = non_empty_string(src, "level", value)?;
                level = Some(match text.to_ascii_lowercase().as_str() {
                    "study" => RuleLevel::Study,
                    "series" => RuleLevel::Series,
                    _ => {
                        return Err(src.hinted(
                            &value.span(),
                            format!("unknown level {text:?}"),
                            "level is \"study\" or \"series\"",
                        ));
                    }
                });
            }
            "when" => {
                let DeValue::Table(t) = value.get_ref() else {
                    return Err(src.hinted(
                        &value.span(),
                        format!("`when` must be a table, not {}", type_name(value.get_ref())),
                        "write the conditions under [rule.when]",
                    ));
                };
                when = Some(condition_table(src, t, &value.span(), "[rule.when]")?);
            }
            other => {
                return Err(src.hinted(
                    &key.span(),
                    format!("unknown key {other:?} in [[rule]]"),
                    format!("known keys are {}", RULE_KEYS.join(", ")),
                ));
            }
        }
    }
    let missing =
        |what: &str, hint: &str| src.hinted(&header, format!("this rule has no {what}"), hint);
    let name = name.ok_or_else(|| missing("name", "add name = \"…\" (unique in the file)"))?;
    let level =
        level.ok_or_else(|| missing("level", "add level = \"study\" or level = \"series\""))?;
    let when = when.ok_or_else(|| {
        missing(
            "[rule.when]",
            "add a [rule.when] table with at least one condition",
        )
    })?;
    if label.is_none() && decision.is_none() {
        return Err(src.hinted(
            &header,
            format!("rule {name:?} has neither a label nor a decision"),
            "add label = \"…\", decision = \"keep\" or \"drop\", or both",
        ));
    }
    Ok(Rule {
        line: src.position(header.start).0,
        name,
        label,
        decision,
        level,
        when,
    })
}

/// A table of conditions, all of which must hold. `context` names it in messages.
fn condition_table(
    src: &Source<'_>,
    table: &DeTable<'_>,
    span: &Range<usize>,
    context: &str,
) -> Result<Condition, RulesError> {
    if table.is_empty() {
        return Err(src.hinted(
            span,
            format!("{context} has no conditions"),
            "a rule with no conditions would match everything; add a key such as icd = [\"C34*\"]",
        ));
    }
    let mut all = Vec::new();
    for (key, value) in entries(table) {
        let name = key.get_ref().as_ref();
        let condition = match name {
            "icd" | "icd_principal" => Condition::Icd {
                principal_only: name == "icd_principal",
                patterns: strings(src, name, value, false)?
                    .into_iter()
                    .map(|(p, span)| {
                        IcdPattern::parse(&p).map_err(|e| {
                            src.hinted(
                                &span,
                                e.to_string(),
                                "codes with or without the dot (R91.1), `*` any run and `?` one character (C34*), ranges A-B (C33-C34.9)",
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?,
            },
            "age" => age(src, value)?,
            "any" | "all" => {
                let branches = branches(src, name, value)?;
                if name == "any" {
                    Condition::Any(branches)
                } else {
                    Condition::All(branches)
                }
            }
            "not" => {
                let DeValue::Table(t) = value.get_ref() else {
                    return Err(src.hinted(
                        &value.span(),
                        format!("`not` must be a table, not {}", type_name(value.get_ref())),
                        "write not = { sex = [\"F\"] }",
                    ));
                };
                Condition::Not(Box::new(condition_table(src, t, &value.span(), "`not`")?))
            }
            _ => {
                if let Some(field) = EqField::ALL.into_iter().find(|f| f.key() == name) {
                    Condition::Equals {
                        field,
                        values: strings(src, name, value, true)?
                            .into_iter()
                            .map(|(v, _)| super::text::fold(&v))
                            .collect(),
                    }
                } else if let Some(scope) = text_scope(name) {
                    Condition::Text {
                        scope,
                        keywords: strings(src, name, value, false)?
                            .into_iter()
                            .map(|(k, span)| {
                                Keyword::new(&k).ok_or_else(|| src.at(&span, format!("empty keyword in `{name}`")))
                            })
                            .collect::<Result<_, _>>()?,
                    }
                } else {
                    return Err(src.hinted(
                        &key.span(),
                        format!("unknown key {name:?} in {context}"),
                        format!("known keys are {}", CONDITION_KEYS.join(", ")),
                    ));
                }
            }
        };
        all.push(condition);
    }
    Ok(Condition::All(all))
}

/// The text scope a key names.
fn text_scope(key: &str) -> Option<TextScope> {
    match key {
        "text" => Some(TextScope::Everywhere),
        "report" => Some(TextScope::Report),
        _ => TextField::ALL
            .into_iter()
            .find(|f| f.key() == key)
            .map(TextScope::Field),
    }
}

/// A string or a non-empty list of strings (integers too when `integers`, as text),
/// each with its span; empty strings are errors.
fn strings(
    src: &Source<'_>,
    key: &str,
    value: &Value<'_>,
    integers: bool,
) -> Result<Vec<(String, Range<usize>)>, RulesError> {
    let one = |v: &Value<'_>| match v.get_ref() {
        DeValue::String(s) if s.trim().is_empty() => {
            Err(src.at(&v.span(), format!("empty value in `{key}`")))
        }
        DeValue::String(s) => Ok((s.to_string(), v.span())),
        DeValue::Integer(i) if integers => Ok((i.as_str().to_owned(), v.span())),
        other => Err(src.hinted(
            &v.span(),
            format!("`{key}` values must be strings, not {}", type_name(other)),
            format!("write {key} = [\"…\", \"…\"]"),
        )),
    };
    match value.get_ref() {
        DeValue::Array(list) if list.is_empty() => Err(src.hinted(
            &value.span(),
            format!("`{key}` is an empty list"),
            "an empty list matches nothing; give at least one value or remove the key",
        )),
        DeValue::Array(list) => list.iter().map(one).collect(),
        _ => one(value).map(|v| vec![v]),
    }
}

/// `age = [min, max]`.
fn age(src: &Source<'_>, value: &Value<'_>) -> Result<Condition, RulesError> {
    let hint = "write age = [min, max] in whole years, both included, e.g. age = [40, 80]";
    let wrong = |span: &Range<usize>, what: String| src.hinted(span, what, hint);
    let DeValue::Array(list) = value.get_ref() else {
        return Err(wrong(
            &value.span(),
            format!(
                "`age` must be a list of two integers, not {}",
                type_name(value.get_ref())
            ),
        ));
    };
    if list.len() != 2 {
        return Err(wrong(
            &value.span(),
            format!("`age` must be two integers, not {}", list.len()),
        ));
    }
    let years = |v: &Value<'_>| match v.get_ref() {
        DeValue::Integer(i) => i
            .as_str()
            .replace('_', "")
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                wrong(
                    &v.span(),
                    format!("`age` {} is not a whole number of years", i.as_str()),
                )
            }),
        other => Err(wrong(
            &v.span(),
            format!("`age` values must be integers, not {}", type_name(other)),
        )),
    };
    let (min_years, max_years) = (years(&list[0])?, years(&list[1])?);
    if min_years > max_years {
        return Err(wrong(
            &list[0].span(),
            format!("`age` is reversed: {min_years} is over {max_years}"),
        ));
    }
    Ok(Condition::Age {
        min_years,
        max_years,
    })
}

/// The tables of `any = [{…}, {…}]` or `all = […]`.
fn branches(src: &Source<'_>, key: &str, value: &Value<'_>) -> Result<Vec<Condition>, RulesError> {
    let hint = format!("write {key} = [{{ cure_path = [\"U\"] }}, {{ text = [\"chest\"] }}]");
    let DeValue::Array(list) = value.get_ref() else {
        return Err(src.hinted(
            &value.span(),
            format!(
                "`{key}` must be a list of tables, not {}",
                type_name(value.get_ref())
            ),
            hint,
        ));
    };
    if list.is_empty() {
        return Err(src.hinted(&value.span(), format!("`{key}` is an empty list"), hint));
    }
    list.iter()
        .map(|item| match item.get_ref() {
            DeValue::Table(t) => {
                condition_table(src, t, &item.span(), &format!("a branch of `{key}`"))
            }
            other => Err(src.hinted(
                &item.span(),
                format!("`{key}` branches must be tables, not {}", type_name(other)),
                hint.clone(),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule with `when` lines after a four-line head (its conditions start on line 6).
    fn rule(when: &str) -> String {
        format!(
            "[[rule]]\nname = \"r\"\nlabel = \"nodule\"\nlevel = \"study\"\n[rule.when]\n{when}\n"
        )
    }

    /// The error's line, column, message and hint presence.
    fn err(text: &str) -> (usize, usize, String) {
        let e = RuleSet::parse(text).expect_err("an error");
        (e.line, e.column, e.message)
    }

    #[test]
    fn a_good_file_parses_completely() {
        let set = RuleSet::parse(&format!(
            "{}\n[[rule]]\nname = \"scouts\"\ndecision = \"DROP\"\nlevel = \"series\"\nwhen = {{ series_description = [\"scout\"] }}\n",
            rule("icd = [\"C34*\"]\nage = [40, 80]")
        ))
        .expect("parses");
        assert_eq!(set.rules.len(), 2);
        assert_eq!(set.rules[0].name, "r");
        assert_eq!(set.rules[0].line, 1);
        assert_eq!(set.rules[0].level, RuleLevel::Study);
        assert_eq!(set.rules[0].decision, None);
        assert_eq!(set.rules[1].decision, Some(Decision::Drop));
        assert_eq!(set.rules[1].line, 9);
        assert_eq!(set.rules[1].label, None);
        assert_eq!(RuleSet::parse("").expect("empty").rules, []);
        assert_eq!(
            RuleSet::parse("# only comments\n").expect("comments").rules,
            []
        );
    }

    #[test]
    fn display_has_position_message_and_hint() {
        let e = RuleSet::parse(&rule("icd = [\"C34*\"]\nicds = [\"C34\"]")).expect_err("unknown");
        assert_eq!(
            e.to_string(),
            format!(
                "line 7, column 1: unknown key \"icds\" in [rule.when] (hint: known keys are {})",
                CONDITION_KEYS.join(", ")
            )
        );
    }

    #[test]
    fn syntax_errors_point_into_the_text() {
        let (line, column, message) = err("[[rule]]\nname = \"r\nlevel = \"study\"\n");
        assert_eq!((line, column), (2, 10), "{message}");
        assert!(message.starts_with("TOML syntax: "), "{message}");
        let (line, column, _) = err("[[rule]]\nname = \"r\"\nlevel = = \"study\"\n");
        assert_eq!((line, column), (3, 9));
    }

    #[test]
    fn unknown_keys_everywhere() {
        assert_eq!(err("rules = 1\n").0, 1);
        assert_eq!(
            err("[[rule]]\nname = \"r\"\nlable = \"x\"\n"),
            (3, 1, "unknown key \"lable\" in [[rule]]".into())
        );
        assert_eq!(
            err(&rule(
                "modality = \"CT\"\nany = [{ modality = \"CT\" }, { txt = [\"x\"] }]"
            )),
            (7, 31, "unknown key \"txt\" in a branch of `any`".into())
        );
        assert_eq!(
            err(&rule("not = { sexx = \"F\" }")),
            (6, 9, "unknown key \"sexx\" in `not`".into())
        );
        // Columns count characters, not bytes.
        assert_eq!(err(&rule("text = [\"結節\"]  ; x = 1")).1, 16);
    }

    #[test]
    fn wrong_types() {
        assert_eq!(
            err(&rule("modality = [\"CT\", 3.5]")),
            (
                6,
                19,
                "`modality` values must be strings, not a float".into()
            )
        );
        assert_eq!(
            err(&rule("text = [[\"x\"]]")),
            (6, 9, "`text` values must be strings, not a list".into())
        );
        assert_eq!(
            err(&rule("icd = [34]")),
            (6, 8, "`icd` values must be strings, not an integer".into())
        );
        assert_eq!(
            err("[[rule]]\nname = 3\n"),
            (2, 8, "`name` must be a string, not an integer".into())
        );
        assert_eq!(
            err("[[rule]]\nname = \"r\"\nlevel = \"study\"\nlabel = \"x\"\nwhen = 1\n"),
            (5, 8, "`when` must be a table, not an integer".into())
        );
        assert_eq!(
            err(&rule("any = { sex = \"F\" }")),
            (6, 7, "`any` must be a list of tables, not a table".into())
        );
        assert_eq!(
            err(&rule("all = [\"x\"]")),
            (6, 8, "`all` branches must be tables, not a string".into())
        );
        assert_eq!(
            err(&rule("not = [\"x\"]")),
            (6, 7, "`not` must be a table, not a list".into())
        );
        assert_eq!(err("[rule]\nname = \"r\"\n").0, 1, "a single [rule] table");
    }

    #[test]
    fn missing_and_duplicate_names_and_levels() {
        assert_eq!(
            err("[[rule]]\nlevel = \"study\"\nlabel = \"x\"\n[rule.when]\nsex = \"F\"\n"),
            (1, 1, "this rule has no name".into())
        );
        assert_eq!(
            err("[[rule]]\nname = \"r\"\nlabel = \"x\"\n[rule.when]\nsex = \"F\"\n"),
            (1, 1, "this rule has no level".into())
        );
        assert_eq!(
            err("[[rule]]\nname = \"r\"\nlevel = \"study\"\nlabel = \"x\"\n"),
            (1, 1, "this rule has no [rule.when]".into())
        );
        let two = format!("{}{}", rule("sex = \"F\""), rule("sex = \"M\""));
        let e = RuleSet::parse(&two).expect_err("duplicate");
        assert_eq!((e.line, e.column), (8, 8));
        assert_eq!(e.message, "duplicate rule name \"r\"");
        assert!(
            e.hint.as_deref().is_some_and(|h| h.contains("line 1")),
            "{e}"
        );
        assert_eq!(
            err("[[rule]]\nname = \"  \"\n"),
            (2, 8, "`name` is empty".into())
        );
        assert_eq!(
            err("[[rule]]\nname = \"r\"\nlevel = \"patient\"\n"),
            (3, 9, "unknown level \"patient\"".into())
        );
    }

    #[test]
    fn decisions_and_labels() {
        assert_eq!(
            err("[[rule]]\nname = \"r\"\ndecision = \"undecided\"\n"),
            (3, 12, "unknown decision \"undecided\"".into())
        );
        assert_eq!(
            err("[[rule]]\nname = \"r\"\ndecision = \"maybe\"\n").2,
            "unknown decision \"maybe\""
        );
        assert_eq!(
            err("\n[[rule]]\nname = \"r\"\nlevel = \"study\"\n[rule.when]\nsex = \"F\"\n"),
            (2, 1, "rule \"r\" has neither a label nor a decision".into())
        );
    }

    #[test]
    fn icd_patterns_and_ranges() {
        assert_eq!(
            err(&rule("icd = [\"C34*\", \"C34-C33\"]")),
            (
                6,
                16,
                "ICD range \"C34-C33\" is reversed: C34 comes after C33".into()
            )
        );
        assert_eq!(err(&rule("icd = [\"C3 4\"]")).1, 8);
        assert_eq!(err(&rule("icd_principal = [\"C33-\"]")).1, 18);
        assert_eq!(
            err(&rule("icd = \"...\"")),
            (6, 7, "empty ICD pattern".into())
        );
    }

    #[test]
    fn ages() {
        assert_eq!(
            err(&rule("age = [80, 40]")),
            (6, 8, "`age` is reversed: 80 is over 40".into())
        );
        assert_eq!(
            err(&rule("age = [40]")),
            (6, 7, "`age` must be two integers, not 1".into())
        );
        assert_eq!(
            err(&rule("age = [40, 50, 60]")).2,
            "`age` must be two integers, not 3"
        );
        assert_eq!(
            err(&rule("age = [40, \"80\"]")),
            (6, 12, "`age` values must be integers, not a string".into())
        );
        assert_eq!(
            err(&rule("age = 40")).2,
            "`age` must be a list of two integers, not an integer"
        );
        assert_eq!(err(&rule("age = [-1, 40]")).1, 8);
    }

    #[test]
    fn empty_when_lists_and_values() {
        assert_eq!(
            err("[[rule]]\nname = \"r\"\nlabel = \"x\"\nlevel = \"study\"\n[rule.when]\n"),
            (5, 1, "[rule.when] has no conditions".into())
        );
        assert_eq!(
            err(&rule("not = {}")),
            (6, 7, "`not` has no conditions".into())
        );
        assert_eq!(
            err(&rule("any = [{}]")),
            (6, 8, "a branch of `any` has no conditions".into())
        );
        assert_eq!(
            err(&rule("icd = []")),
            (6, 7, "`icd` is an empty list".into())
        );
        assert_eq!(
            err(&rule("any = []")),
            (6, 7, "`any` is an empty list".into())
        );
        assert_eq!(
            err(&rule("sex = [\"\"]")),
            (6, 8, "empty value in `sex`".into())
        );
        assert_eq!(
            err(&rule("text = \"\u{3000}\"")),
            (6, 8, "empty value in `text`".into())
        );
    }
}
