//! User-interface strings in English and Traditional Chinese (繁體中文), switchable at
//! run time.
//!
//! The strings live in plain text files, `assets/i18n/en.txt` and
//! `assets/i18n/zh-TW.txt`, compiled into the binary with `include_str!`. Plain
//! `key = value` lines rather than Rust code (or Fluent, or JSON) because the people who
//! translate and review them are radiologists and staff, not Rust programmers: they can
//! edit a text file in any editor, see every string of the app in one place, and cannot
//! break the build with a misplaced brace or quote. The unit tests below catch what a
//! text file cannot: keys missing from one language, duplicate keys, and placeholders
//! lost in translation. `tests/font_coverage.rs` checks that the bundled CJK font
//! (`assets/fonts/`) has a glyph for every character in these files.
//!
//! # File format
//!
//! - One `key = value` per line; the key is everything before the first `=`, the value
//!   everything after it, both trimmed of surrounding spaces.
//! - Lines whose first non-blank character is `#` are comments; blank lines are ignored.
//! - In a value, `\n` is a line break and `\\` a backslash; any other backslash is kept.
//! - `{name}` is a placeholder, filled in by [`Strings::format`].
//!
//! Keys are stable dotted names (`menu.file.open_folder`, `status.slice`). Orientation
//! letters (A/P/R/L/H/F) are DICOM conventions and are never translated.
//!
//! This module has no UI dependency; the GUI only asks it for text.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The English strings file, as compiled in.
pub const EN_TXT: &str = include_str!("../assets/i18n/en.txt");

/// The Traditional Chinese (Taiwan) strings file, as compiled in.
pub const ZH_TW_TXT: &str = include_str!("../assets/i18n/zh-TW.txt");

/// A user-interface language.
///
/// Serialized as its BCP 47 code (`"en"`, `"zh-TW"`), so a settings file reads
/// naturally and stays stable if variants are renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Language {
    /// English, the reference language: every key is defined here first.
    #[default]
    #[serde(rename = "en")]
    English,
    /// Traditional Chinese as written in Taiwan (繁體中文).
    #[serde(rename = "zh-TW")]
    TraditionalChinese,
}

impl Language {
    /// Every language, in the order a language menu lists them.
    pub const ALL: [Language; 2] = [Language::English, Language::TraditionalChinese];

    /// The BCP 47 language tag: `"en"` or `"zh-TW"`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::TraditionalChinese => "zh-TW",
        }
    }

    /// The language's name in itself (`"English"`, `"繁體中文"`), for a language menu
    /// that a user can read whichever language is active.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::TraditionalChinese => "繁體中文",
        }
    }

    /// The language for a tag such as `"zh-TW"`, `"zh_Hant_TW"` or `"en-US"`
    /// (case-insensitive; any Chinese tag that is not Simplified maps to Traditional
    /// Chinese), or `None` for a language we do not have.
    pub fn from_code(code: &str) -> Option<Language> {
        let code = code.trim().replace('_', "-").to_ascii_lowercase();
        let primary = code.split('-').next().unwrap_or("");
        match primary {
            "en" => Some(Language::English),
            "zh" if code.contains("hans") || code.ends_with("-cn") || code.ends_with("-sg") => None,
            "zh" => Some(Language::TraditionalChinese),
            _ => None,
        }
    }

    /// The compiled-in strings file of this language.
    fn source(self) -> &'static str {
        match self {
            Language::English => EN_TXT,
            Language::TraditionalChinese => ZH_TW_TXT,
        }
    }
}

/// One line of a strings file that is neither a comment, blank, nor `key = value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIssue {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// The parsed entries of a strings file, in file order, with any lines that could not
/// be parsed. Duplicate keys are kept as separate entries so a test can report them.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    /// `(key, value)` pairs with escapes already decoded, in file order.
    pub entries: Vec<(String, String)>,
    /// Malformed lines (no `=`, or an empty key).
    pub issues: Vec<ParseIssue>,
}

/// Parses the text of a strings file (see the module docs for the format).
///
/// Never fails: malformed lines are reported in [`ParsedFile::issues`] and skipped.
pub fn parse(text: &str) -> ParsedFile {
    let mut parsed = ParsedFile::default();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        // A byte-order mark at the start of the file is not part of the first key.
        let line = if index == 0 {
            line.trim_start_matches('\u{feff}').trim_start()
        } else {
            line
        };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            parsed.issues.push(ParseIssue {
                line: index + 1,
                message: format!("expected `key = value`, found {line:?}"),
            });
            continue;
        };
        let key = key.trim();
        if key.is_empty() {
            parsed.issues.push(ParseIssue {
                line: index + 1,
                message: "empty key".to_string(),
            });
            continue;
        }
        parsed
            .entries
            .push((key.to_string(), unescape(value.trim())));
    }
    parsed
}

/// Decodes `\n` and `\\`; any other backslash is kept as written.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The placeholder names (`{name}` → `name`) in a value, in order of appearance.
///
/// A name is one or more ASCII letters, digits or underscores; other braces are text.
pub fn placeholders(value: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_placeholder_name(&after[..close]) => {
                names.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    names
}

fn is_placeholder_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The user-interface strings of one language.
///
/// Get them with [`Strings::for_language`]; look a string up with [`Strings::get`] or
/// fill in its placeholders with [`Strings::format`].
#[derive(Debug)]
pub struct Strings {
    language: Language,
    map: HashMap<String, String>,
}

static ENGLISH: LazyLock<Strings> = LazyLock::new(|| Strings::from_text(Language::English));
static TRADITIONAL_CHINESE: LazyLock<Strings> =
    LazyLock::new(|| Strings::from_text(Language::TraditionalChinese));

impl Strings {
    /// The strings of `language`, parsed from the compiled-in file on first use and
    /// shared for the life of the program. Cheap to call every frame.
    pub fn for_language(language: Language) -> &'static Strings {
        match language {
            Language::English => &ENGLISH,
            Language::TraditionalChinese => &TRADITIONAL_CHINESE,
        }
    }

    fn from_text(language: Language) -> Strings {
        // Later duplicates win, as a translator appending a fix would expect; the unit
        // tests keep the shipped files free of duplicates anyway.
        let map = parse(language.source()).entries.into_iter().collect();
        Strings { language, map }
    }

    /// The language of these strings.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The string for `key`: this language's, else English, else `key` itself, so a
    /// missing translation shows up as visible English or a visible key, never a panic.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.try_get(key).unwrap_or(key)
    }

    /// The string for `key` in this language, else in English, else `None`. For keys
    /// built from data (`preset.<name>` for a preset from a user's file), where the
    /// caller has a better fallback than the key.
    pub fn try_get(&self, key: &str) -> Option<&str> {
        self.map
            .get(key)
            .or_else(|| {
                (self.language != Language::English)
                    .then(|| Strings::for_language(Language::English).map.get(key))
                    .flatten()
            })
            .map(String::as_str)
    }

    /// Whether this language itself defines `key` (no English fallback).
    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Every key this language defines, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// The string for `key` (as [`Strings::get`]) with each `{name}` replaced by the
    /// value paired with `name` in `args`. Placeholders without an argument are left
    /// as written, so a mistake shows on screen instead of vanishing.
    ///
    /// ```
    /// use lightbox::i18n::{Language, Strings};
    ///
    /// let s = Strings::for_language(Language::English);
    /// assert_eq!(s.format("status.slice", &[("i", "3"), ("n", "40")]), "Slice 3/40");
    /// ```
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(key), args)
    }
}

/// Replaces each `{name}` in `template` by its value in `args`.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let replaced = after.find('}').and_then(|close| {
            let name = &after[..close];
            if !is_placeholder_name(name) {
                return None;
            }
            let value = args.iter().find(|(n, _)| *n == name)?.1;
            Some((value, close))
        });
        match replaced {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn keys_of(text: &str) -> BTreeSet<String> {
        parse(text).entries.into_iter().map(|(k, _)| k).collect()
    }

    fn map_of(text: &str) -> BTreeMap<String, String> {
        parse(text).entries.into_iter().collect()
    }

    #[test]
    fn both_files_parse_cleanly() {
        for (name, text) in [("en.txt", EN_TXT), ("zh-TW.txt", ZH_TW_TXT)] {
            let parsed = parse(text);
            assert!(
                parsed.issues.is_empty(),
                "{name} has malformed lines: {:?}",
                parsed.issues
            );
            assert!(parsed.entries.len() > 100, "{name} looks truncated");
        }
    }

    #[test]
    fn both_files_have_the_same_keys() {
        let en = keys_of(EN_TXT);
        let zh = keys_of(ZH_TW_TXT);
        let missing_in_zh: Vec<_> = en.difference(&zh).collect();
        let missing_in_en: Vec<_> = zh.difference(&en).collect();
        assert!(
            missing_in_zh.is_empty() && missing_in_en.is_empty(),
            "key sets differ.\n  in en.txt but not zh-TW.txt: {missing_in_zh:?}\n  \
             in zh-TW.txt but not en.txt: {missing_in_en:?}"
        );
    }

    #[test]
    fn no_duplicate_keys() {
        for (name, text) in [("en.txt", EN_TXT), ("zh-TW.txt", ZH_TW_TXT)] {
            let mut seen = BTreeSet::new();
            let duplicates: Vec<_> = parse(text)
                .entries
                .into_iter()
                .filter_map(|(k, _)| (!seen.insert(k.clone())).then_some(k))
                .collect();
            assert!(
                duplicates.is_empty(),
                "{name} has duplicate keys: {duplicates:?}"
            );
        }
    }

    #[test]
    fn keys_are_stable_dotted_names() {
        for (name, text) in [("en.txt", EN_TXT), ("zh-TW.txt", ZH_TW_TXT)] {
            let bad: Vec<_> = keys_of(text)
                .into_iter()
                .filter(|k| {
                    !k.contains('.')
                        || k.starts_with('.')
                        || k.ends_with('.')
                        || k.contains("..")
                        || !k.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)
                        })
                })
                .collect();
            assert!(bad.is_empty(), "{name} has malformed keys: {bad:?}");
        }
    }

    #[test]
    fn no_empty_values() {
        for (name, text) in [("en.txt", EN_TXT), ("zh-TW.txt", ZH_TW_TXT)] {
            let empty: Vec<_> = parse(text)
                .entries
                .into_iter()
                .filter(|(_, v)| v.is_empty())
                .map(|(k, _)| k)
                .collect();
            assert!(empty.is_empty(), "{name} has empty values: {empty:?}");
        }
    }

    #[test]
    fn placeholders_survive_translation() {
        let en = map_of(EN_TXT);
        let zh = map_of(ZH_TW_TXT);
        let mut problems = Vec::new();
        for (key, en_value) in &en {
            let Some(zh_value) = zh.get(key) else {
                continue;
            };
            let en_names: BTreeSet<_> = placeholders(en_value).into_iter().collect();
            let zh_names: BTreeSet<_> = placeholders(zh_value).into_iter().collect();
            let lost: Vec<_> = en_names.difference(&zh_names).collect();
            let extra: Vec<_> = zh_names.difference(&en_names).collect();
            if !lost.is_empty() || !extra.is_empty() {
                problems.push(format!(
                    "{key}: missing in zh-TW {lost:?}, unknown in zh-TW {extra:?}"
                ));
            }
        }
        assert!(
            problems.is_empty(),
            "placeholder mismatches:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn chinese_values_avoid_simplified_only_characters() {
        // A spot check, not a converter: Simplified-only forms of characters this
        // vocabulary uses, which slip in easily from a Simplified input method.
        const SIMPLIFIED_ONLY: &str = "设层图宽纵测离区帧档开关显标签检选单说语错缩转误时数无请个张这\
                                       为资讯储载确删键径夹节录体复动态画脑脏统计积长强扫缓闭级详";
        let zh = map_of(ZH_TW_TXT);
        let hits: Vec<_> = zh
            .iter()
            .flat_map(|(key, value)| {
                value
                    .chars()
                    .filter(|c| SIMPLIFIED_ONLY.contains(*c))
                    .map(move |c| format!("{key}: {c}"))
            })
            .collect();
        assert!(
            hits.is_empty(),
            "Simplified characters in zh-TW.txt: {hits:?}"
        );
    }

    #[test]
    fn parses_comments_blanks_and_escapes() {
        let text = "\u{feff}# a comment\n\n   # indented comment\nfirst.key = one\n\
                    second.key=two = three  \n  spaced.key   =   padded value  \n\
                    multi.line = a\\nb\nback.slash = c:\\\\dir\\x\nempty.value =\n\
                    not a pair\n = no key\nhash.inside = # not a comment\n";
        let parsed = parse(text);
        let map: BTreeMap<_, _> = parsed.entries.iter().cloned().collect();
        assert_eq!(map["first.key"], "one");
        assert_eq!(map["second.key"], "two = three");
        assert_eq!(map["spaced.key"], "padded value");
        assert_eq!(map["multi.line"], "a\nb");
        assert_eq!(map["back.slash"], "c:\\dir\\x");
        assert_eq!(map["empty.value"], "");
        assert_eq!(map["hash.inside"], "# not a comment");
        assert_eq!(parsed.entries.len(), 7);
        let lines: Vec<_> = parsed.issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [10, 11]);
    }

    #[test]
    fn placeholder_names() {
        assert_eq!(
            placeholders("Scanning {done}/{total} files"),
            ["done", "total"]
        );
        assert_eq!(placeholders("{a} {not a name} {} {b_2}"), ["a", "b_2"]);
        assert!(placeholders("no braces").is_empty());
    }

    #[test]
    fn format_fills_placeholders() {
        let en = Strings::for_language(Language::English);
        assert_eq!(
            en.format("status.slice", &[("i", "3"), ("n", "40")]),
            "Slice 3/40"
        );
        assert_eq!(
            en.format("error.cannot_open", &[("path", "/x"), ("reason", "gone")]),
            "Cannot open /x: gone"
        );
        let zh = Strings::for_language(Language::TraditionalChinese);
        assert_eq!(
            zh.format("status.window", &[("w", "400"), ("l", "40")]),
            "窗寬 400 窗位 40"
        );
        // Missing arguments stay visible; stray braces are text.
        assert_eq!(fill("{a} {b} {c d} {", &[("a", "1")]), "1 {b} {c d} {");
        assert_eq!(fill("{a}{a}", &[("a", "x{b}")]), "x{b}x{b}");
    }

    #[test]
    fn get_falls_back_to_english_then_the_key() {
        let zh = Strings::for_language(Language::TraditionalChinese);
        assert_eq!(zh.get("preset.lung"), "肺窗");
        assert_eq!(zh.get("menu.file.open_folder"), "開啟資料夾…");
        assert_eq!(zh.get("no.such.key"), "no.such.key");
        assert_eq!(zh.try_get("no.such.key"), None);
        let en = Strings::for_language(Language::English);
        assert_eq!(en.get("app.title"), "Lightbox");
        assert_eq!(en.get(""), "");
        // The English fallback of a Chinese lookup.
        let mut partial = Strings::from_text(Language::TraditionalChinese);
        partial.map.remove("preset.lung");
        assert!(!partial.contains("preset.lung"));
        assert_eq!(partial.get("preset.lung"), "Lung");
    }

    #[test]
    fn key_terminology_is_present() {
        let zh = Strings::for_language(Language::TraditionalChinese);
        for (key, expected) in [
            ("tool.window_level", "窗寬/窗位"),
            ("preset.mediastinum", "縱膈腔窗"),
            ("preset.bone", "骨窗"),
            ("preset.brain", "腦窗"),
            ("browser.series", "序列"),
            ("browser.study", "檢查"),
            ("tool.distance", "距離"),
            ("tool.angle", "角度"),
        ] {
            assert_eq!(zh.get(key), expected, "{key}");
        }
        let en = Strings::for_language(Language::English);
        assert_eq!(
            en.get("measure.imager_pixel_spacing_note"),
            "Imager Pixel Spacing (at detector)"
        );
    }

    #[test]
    fn language_codes_and_serde() {
        assert_eq!(Language::default(), Language::English);
        assert_eq!(Language::English.code(), "en");
        assert_eq!(Language::TraditionalChinese.code(), "zh-TW");
        assert_eq!(Language::TraditionalChinese.native_name(), "繁體中文");
        assert_eq!(Language::English.native_name(), "English");
        for lang in Language::ALL {
            assert_eq!(Language::from_code(lang.code()), Some(lang));
            let json = serde_json::to_string(&lang).unwrap();
            assert_eq!(json, format!("\"{}\"", lang.code()));
            assert_eq!(serde_json::from_str::<Language>(&json).unwrap(), lang);
            assert_eq!(Strings::for_language(lang).language(), lang);
        }
        assert_eq!(
            Language::from_code("zh_Hant_TW"),
            Some(Language::TraditionalChinese)
        );
        assert_eq!(Language::from_code("EN-us"), Some(Language::English));
        assert_eq!(Language::from_code("zh-CN"), None);
        assert_eq!(Language::from_code("zh-Hans"), None);
        assert_eq!(Language::from_code("ja"), None);
    }
}
