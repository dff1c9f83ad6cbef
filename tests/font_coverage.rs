//! The bundled CJK font (`assets/fonts/NotoSansTC-Lightbox-subset.otf`) is a subset cut
//! to the characters Lightbox shows. These tests read its `cmap` table (format 4 and
//! 12, parsed here so the crate needs no font library) and check that every character
//! of both UI string files and of every label in the claims code table has a glyph.
//!
//! When one fails, regenerate the font: `bash assets/fonts/make_subset.sh`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const FONT: &str = "assets/fonts/NotoSansTC-Lightbox-subset.otf";
const CLAIMS_COPY: &str = "assets/claims-codes.tsv";
const CLAIMS_SHARED: &str = "../shared/spec/claims-codes.tsv";
const I18N_FILES: [&str; 2] = ["assets/i18n/en.txt", "assets/i18n/zh-TW.txt"];
/// Text the viewer shows besides its UI strings: the rules editor's default content
/// and the sample's report sentences (suggestion provenance).
const SHOWN_FILES: [&str; 2] = [
    "assets/rules/default.toml",
    "sample-data/DATA/REPORT_20210407_102537.csv",
];
/// Common CJK punctuation and symbols the UI and the claims labels use.
const PUNCTUATION: &str = "，。、：；（）「」…—–·×²µ°≤";

fn path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read_text(relative: &str) -> String {
    let p = path(relative);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn be_u16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The characters a font's Unicode `cmap` subtables (format 4 and 12) map to a glyph
/// other than `.notdef`.
struct Cmap {
    chars: BTreeSet<char>,
}

impl Cmap {
    fn parse(font: &[u8]) -> Cmap {
        let cmap = table(font, b"cmap").expect("the font has no cmap table");
        let count = be_u16(cmap, 2).expect("cmap header") as usize;
        let mut chars = BTreeSet::new();
        for i in 0..count {
            let record = 4 + i * 8;
            let platform = be_u16(cmap, record).expect("cmap record");
            let encoding = be_u16(cmap, record + 2).expect("cmap record");
            let offset = be_u32(cmap, record + 4).expect("cmap record") as usize;
            let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
            let Some(sub) = cmap.get(offset..).filter(|_| unicode) else {
                continue;
            };
            match be_u16(sub, 0) {
                Some(4) => format4(sub, &mut chars),
                Some(12) => format12(sub, &mut chars),
                _ => {}
            }
        }
        Cmap { chars }
    }

    fn covers(&self, c: char) -> bool {
        self.chars.contains(&c)
    }

    /// The characters of `text` that are not covered, control characters aside.
    fn missing(&self, text: &str) -> BTreeSet<char> {
        text.chars()
            .filter(|&c| !c.is_control() && c != '\u{feff}' && !self.covers(c))
            .collect()
    }
}

/// The table `tag` of an OpenType font (not a collection).
fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    assert_ne!(
        font.get(..4),
        Some(&b"ttcf"[..]),
        "a collection, not a font"
    );
    let count = be_u16(font, 4)? as usize;
    (0..count).find_map(|i| {
        let record = 12 + i * 16;
        if font.get(record..record + 4)? != tag {
            return None;
        }
        let offset = be_u32(font, record + 8)? as usize;
        let length = be_u32(font, record + 12)? as usize;
        font.get(offset..offset + length)
    })
}

/// Segment mapping to delta values (BMP only).
fn format4(sub: &[u8], chars: &mut BTreeSet<char>) {
    let segments = be_u16(sub, 6).expect("format 4 header") as usize / 2;
    let end_codes = 14;
    let start_codes = end_codes + segments * 2 + 2;
    let deltas = start_codes + segments * 2;
    let range_offsets = deltas + segments * 2;
    for s in 0..segments {
        let end = be_u16(sub, end_codes + s * 2).expect("endCode");
        let start = be_u16(sub, start_codes + s * 2).expect("startCode");
        let delta = be_u16(sub, deltas + s * 2).expect("idDelta");
        let range_at = range_offsets + s * 2;
        let range_offset = be_u16(sub, range_at).expect("idRangeOffset") as usize;
        for code in start..=end {
            let glyph = if range_offset == 0 {
                code.wrapping_add(delta)
            } else {
                let at = range_at + range_offset + 2 * usize::from(code - start);
                match be_u16(sub, at) {
                    Some(0) | None => 0,
                    Some(g) => g.wrapping_add(delta),
                }
            };
            if glyph != 0 {
                chars.extend(char::from_u32(code.into()));
            }
        }
    }
}

/// Segmented coverage (all planes).
fn format12(sub: &[u8], chars: &mut BTreeSet<char>) {
    let groups = be_u32(sub, 12).expect("format 12 header") as usize;
    for g in 0..groups {
        let at = 16 + g * 12;
        let start = be_u32(sub, at).expect("startCharCode");
        let end = be_u32(sub, at + 4).expect("endCharCode");
        let first_glyph = be_u32(sub, at + 8).expect("startGlyphID");
        for code in start..=end {
            if first_glyph + (code - start) != 0 {
                chars.extend(char::from_u32(code));
            }
        }
    }
}

fn font_cmap() -> Cmap {
    let p = path(FONT);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    Cmap::parse(&bytes)
}

/// The zh_TW and en labels of the claims code table (the committed copy).
fn claims_labels() -> Vec<String> {
    let text = read_text(CLAIMS_COPY);
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .expect("empty claims table")
        .split('\t')
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .unwrap_or_else(|| panic!("claims table has no {name} column: {header:?}"))
    };
    let (zh, en) = (column("zh_TW"), column("en"));
    let mut labels = Vec::new();
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        for i in [zh, en] {
            let field = fields
                .get(i)
                .unwrap_or_else(|| panic!("claims table line {}: too few columns", n + 2));
            labels.push((*field).to_string());
        }
    }
    labels
}

fn describe(missing: &BTreeSet<char>) -> String {
    missing
        .iter()
        .map(|c| format!("{c} (U+{:04X})", u32::from(*c)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn font_covers_every_character_of_the_ui_strings() {
    let cmap = font_cmap();
    let mut report = Vec::new();
    for file in I18N_FILES.iter().chain(&SHOWN_FILES) {
        let missing = cmap.missing(read_text(file).trim_start_matches('\u{feff}'));
        if !missing.is_empty() {
            report.push(format!("{file}: {}", describe(&missing)));
        }
    }
    assert!(
        report.is_empty(),
        "{FONT} lacks glyphs (run `bash assets/fonts/make_subset.sh`):\n{}",
        report.join("\n")
    );
}

#[test]
fn font_covers_every_claims_label() {
    let cmap = font_cmap();
    let labels = claims_labels();
    assert!(labels.len() > 100, "claims table looks truncated");
    let missing: BTreeSet<char> = labels.iter().flat_map(|l| cmap.missing(l)).collect();
    assert!(
        missing.is_empty(),
        "{FONT} lacks glyphs for claims labels in {CLAIMS_COPY} \
         (run `bash assets/fonts/make_subset.sh`): {}",
        describe(&missing)
    );
}

#[test]
fn font_covers_every_claims_column_label() {
    let cmap = font_cmap();
    let text = read_text("assets/claims-columns.tsv");
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(rows.len() >= 25, "claims column table looks truncated");
    let missing: BTreeSet<char> = rows
        .iter()
        .filter_map(|l| l.split('\t').nth(1))
        .flat_map(|zh| cmap.missing(zh))
        .collect();
    assert!(
        missing.is_empty(),
        "{FONT} lacks glyphs for assets/claims-columns.tsv (run `bash assets/fonts/make_subset.sh`): {}",
        describe(&missing)
    );
}

#[test]
fn font_covers_ascii_and_common_punctuation() {
    let cmap = font_cmap();
    let ascii: String = (0x20u8..0x7f).map(char::from).collect();
    let missing = cmap.missing(&format!("{ascii}{PUNCTUATION}"));
    assert!(missing.is_empty(), "{FONT} lacks: {}", describe(&missing));
}

#[test]
fn the_cmap_parser_is_not_vacuous() {
    let cmap = font_cmap();
    // Characters of the subset, and a few that a subset for this UI does not need.
    assert!(cmap.covers('A') && cmap.covers('窗') && cmap.covers('≤'));
    assert!(!cmap.covers('龘') && !cmap.covers('가') && !cmap.covers('\u{1F600}'));
    assert!(
        (400..5_000).contains(&cmap.chars.len()),
        "{} characters: not a subset?",
        cmap.chars.len()
    );
}

#[test]
fn font_is_small_enough_to_commit() {
    let size = std::fs::metadata(path(FONT)).expect("font").len();
    assert!(size < 1_500_000, "{FONT} is {size} bytes");
}

#[test]
fn committed_claims_table_matches_the_shared_spec() {
    // CI clones may not have ../shared; when it is there, the copy must not drift, or
    // the font could lack a label's characters.
    let shared = path(CLAIMS_SHARED);
    if !shared.exists() {
        return;
    }
    let shared_text = std::fs::read_to_string(&shared).expect("shared claims table");
    assert!(
        shared_text == read_text(CLAIMS_COPY),
        "{CLAIMS_COPY} differs from {CLAIMS_SHARED}: run `bash assets/fonts/make_subset.sh`"
    );
}
