//! ICD code patterns of a rules file: exact codes, globs and inclusive ranges.
//!
//! Claims write codes without the dot (`C3411`), people write them with it
//! (`C34.11`), so both sides are compared normalised: trimmed, dots dropped, full-width
//! folded, upper case. Ranges follow how clinicians read them: `C33-C34.9` means
//! "C33 up to and including everything under C34.9", so a code is in it when it sorts
//! at or after the start and either at or before the end or under the end
//! (`C34.92`). Comparing normalised codes as strings is right for ICD-10 (letter,
//! digits, then characters of fixed meaning) and for ICD-9's digit codes of one width.

use std::fmt;

/// Why a pattern is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcdPatternError {
    /// Nothing but blanks or dots.
    #[error("empty ICD pattern")]
    Empty,
    /// A character codes and patterns do not use.
    #[error(
        "ICD pattern {pattern:?} has {found:?}; codes are letters and digits, with `.` `*` `?` `-`"
    )]
    BadChar {
        /// The pattern.
        pattern: String,
        /// The offending character.
        found: char,
    },
    /// A range with a missing end, more than one `-`, or a glob in it.
    #[error("ICD range {pattern:?} must be two codes without `*` or `?`, like C33-C34.9")]
    BadRange {
        /// The pattern.
        pattern: String,
    },
    /// A range whose start sorts after its end.
    #[error("ICD range {pattern:?} is reversed: {start} comes after {end}")]
    Reversed {
        /// The pattern.
        pattern: String,
        /// Its normalised start.
        start: String,
        /// Its normalised end.
        end: String,
    },
}

/// A code normalised for comparing: trimmed, no dots, full-width folded, upper case.
pub fn normalize(code: &str) -> String {
    code.trim()
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A code as a reviewer reads it: the raw value, with a dot after the third
/// character when it has none and is longer (`C3411` → `C34.11`).
pub fn shown(raw: &str) -> String {
    let raw = raw.trim();
    match raw.char_indices().nth(3) {
        Some((at, _)) if !raw.contains('.') => format!("{}.{}", &raw[..at], &raw[at..]),
        _ => raw.to_owned(),
    }
}

/// What a pattern matches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Exactly this code.
    Exact(String),
    /// `*` any run, `?` one character.
    Glob(Vec<char>),
    /// From `start` to `end` inclusive, codes under `end` included.
    Range { start: String, end: String },
}

/// One ICD pattern of a rule: `R91.1`, `C34*`, `J1?`, `C33-C34.9`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcdPattern {
    /// As written.
    source: String,
    kind: Kind,
}

impl IcdPattern {
    /// Parses a pattern; see the module docs for the syntax.
    pub fn parse(pattern: &str) -> Result<Self, IcdPatternError> {
        let norm = normalize(pattern);
        if norm.is_empty() {
            return Err(IcdPatternError::Empty);
        }
        if let Some(found) = norm
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && !matches!(c, '*' | '?' | '-'))
        {
            return Err(IcdPatternError::BadChar {
                pattern: pattern.to_owned(),
                found,
            });
        }
        let kind = if norm.contains('-') {
            let bad = || IcdPatternError::BadRange {
                pattern: pattern.to_owned(),
            };
            let (start, end) = norm.split_once('-').ok_or_else(bad)?;
            let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
            if !plain(start) || !plain(end) {
                return Err(bad());
            }
            if start > end {
                return Err(IcdPatternError::Reversed {
                    pattern: pattern.to_owned(),
                    start: start.to_owned(),
                    end: end.to_owned(),
                });
            }
            Kind::Range {
                start: start.to_owned(),
                end: end.to_owned(),
            }
        } else if norm.contains(['*', '?']) {
            Kind::Glob(norm.chars().collect())
        } else {
            Kind::Exact(norm)
        };
        Ok(Self {
            source: pattern.trim().to_owned(),
            kind,
        })
    }

    /// True when the code, already [`normalize`]d, matches.
    pub fn matches(&self, code: &str) -> bool {
        if code.is_empty() {
            return false;
        }
        match &self.kind {
            Kind::Exact(c) => c == code,
            Kind::Glob(g) => glob(g, code),
            Kind::Range { start, end } => {
                code >= start.as_str() && (code <= end.as_str() || code.starts_with(end.as_str()))
            }
        }
    }
}

impl fmt::Display for IcdPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Wildcard match of the whole `text`: `*` any run (empty too), `?` one char.
fn glob(pattern: &[char], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was and the text position it was tried from.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(c) if *c == '?' || *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, code: &str) -> bool {
        IcdPattern::parse(pattern)
            .expect("pattern")
            .matches(&normalize(code))
    }

    #[test]
    fn exact_codes_ignore_dot_case_and_width() {
        assert!(m("R91.1", "R911"));
        assert!(m("r911", "R91.1"));
        assert!(m("C34.11", "c3411"));
        assert!(m("Ｒ９１．１", "R911"));
        assert!(!m("R91.1", "R9110"));
        assert!(!m("R91.1", "R91"));
        assert!(!m("R91.1", ""));
    }

    #[test]
    fn globs_anywhere() {
        assert!(m("C34*", "C34"));
        assert!(m("C34*", "C3411"));
        assert!(!m("C34*", "C33"));
        assert!(!m("C34*", "D34"));
        assert!(m("J1?.9", "J189"));
        assert!(!m("J1?.9", "J1899"));
        assert!(m("*9", "J189"));
        assert!(m("J*9", "J189"));
        assert!(m("D14.3*", "D143"));
        assert!(m("D14.3*", "D1432"));
        assert!(m("*", "A00"));
        assert!(m("C*1*", "C3411"));
        assert!(!m("C*1*", "C3400"));
    }

    #[test]
    fn ranges_include_both_ends_and_what_is_under_the_end() {
        for (code, inside) in [
            ("C32.9", false),
            ("C33", true),
            ("C33.1", true),
            ("C34.0", true),
            ("C34.9", true),
            ("C34.92", true),
            ("C35", false),
            ("C3", false),
            ("D00", false),
        ] {
            assert_eq!(m("C33-C34.9", code), inside, "{code}");
        }
        assert!(m("J12-J18.9", "J189"));
        assert!(m("J12-J18.9", "J120"));
        assert!(!m("J12-J18.9", "J11"));
        assert!(!m("J12-J18.9", "J19"));
    }

    #[test]
    fn malformed_patterns_are_errors() {
        assert_eq!(IcdPattern::parse(" . "), Err(IcdPatternError::Empty));
        assert!(matches!(
            IcdPattern::parse("C34 1"),
            Err(IcdPatternError::BadChar { found: ' ', .. })
        ));
        for bad in ["C33-", "-C34", "C33-C34-C35", "C3*-C34"] {
            assert!(
                matches!(
                    IcdPattern::parse(bad),
                    Err(IcdPatternError::BadRange { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            IcdPattern::parse("C34-C33"),
            Err(IcdPatternError::Reversed {
                pattern: "C34-C33".into(),
                start: "C34".into(),
                end: "C33".into()
            })
        );
    }

    #[test]
    fn codes_are_shown_with_their_dot() {
        assert_eq!(shown("C3411"), "C34.11");
        assert_eq!(shown(" R911 "), "R91.1");
        assert_eq!(shown("I10"), "I10");
        assert_eq!(shown("J18.9"), "J18.9");
        assert_eq!(IcdPattern::parse(" C34* ").expect("ok").to_string(), "C34*");
    }
}
