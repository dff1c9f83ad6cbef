//! Keyword matching in free text: folding, word starts, report sentences and negation.
//!
//! DICOM descriptions and reports are typed by people on Taiwanese keyboards, so the
//! same word arrives as `CT`, `ct` or full-width `ＣＴ`, with ideographic spaces and
//! runs of blanks. Both sides are folded the same way ([`fold`]) before comparing.
//! A Latin keyword must start a word (`ct` is not in "abstract", `nodule` is in
//! "Nodules"), which a plain substring search gets wrong; Chinese has no spaces, so a
//! CJK keyword matches anywhere.
//!
//! Reports state what is absent as often as what is present ("No pneumothorax.",
//! "肺部未見結節"), and a reviewer pre-labelling by keyword wants the second kind only.
//! So report text is split into sentences, and an occurrence is negated when a
//! negation cue ([`NEGATION_CUES`]) comes before it in the same sentence; a keyword
//! matches a report when at least one occurrence is not negated. This is the NegEx
//! idea cut down to what is cheap and predictable; it does not know about scope words
//! such as "but", so "no effusion but a nodule" reads as a negated nodule.

/// Negation cues, folded. English cues are whole words (`no` does not fire in
/// "nodule" or "normal"); Chinese cues match anywhere.
pub const NEGATION_CUES: [&str; 12] = [
    "no",
    "not",
    "without",
    "negative for",
    "free of",
    "absence of",
    "denies",
    "無",
    "未見",
    "否認",
    "沒有",
    "未發現",
];

/// The most characters of a report sentence kept as provenance.
pub const SENTENCE_CHARS_SHOWN: usize = 100;

/// `c` folded: full-width ASCII (U+FF01..U+FF5E) to ASCII, the ideographic space to a
/// space, then lower case. Yields one or more chars (lower-casing may expand).
fn fold_char(c: char) -> impl Iterator<Item = char> {
    let narrow = match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    narrow.to_lowercase()
}

/// Text folded for matching: widths folded, lower case, every whitespace run one
/// space, trimmed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().flat_map(fold_char) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// True when the char ending at byte `at` of `text` (if any) is an ASCII letter or digit.
fn alnum_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// True when the char starting at byte `at` of `text` (if any) is an ASCII letter or digit.
fn alnum_at(text: &str, at: usize) -> bool {
    text[at..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A keyword of a rule, folded, with how it must sit in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyword {
    /// As written in the rules file.
    pub source: String,
    /// Folded ([`fold`]).
    folded: String,
    /// True for a Latin keyword (starts with an ASCII letter or digit): it must start
    /// a word in the text.
    word_start: bool,
}

impl Keyword {
    /// The keyword `source`; `None` when it folds to nothing.
    pub fn new(source: &str) -> Option<Self> {
        let folded = fold(source);
        let word_start = alnum_at(&folded, 0);
        (!folded.is_empty()).then(|| Self {
            source: source.to_owned(),
            folded,
            word_start,
        })
    }

    /// Byte offsets in `folded_text` where the keyword occurs (starting a word when it
    /// is Latin).
    fn occurrences<'t>(&'t self, folded_text: &'t str) -> impl Iterator<Item = usize> + 't {
        folded_text
            .match_indices(self.folded.as_str())
            .map(|(at, _)| at)
            .filter(move |at| !self.word_start || !alnum_before(folded_text, *at))
    }

    /// True when the keyword occurs in `folded_text` (already [`fold`]ed).
    pub fn is_in(&self, folded_text: &str) -> bool {
        self.occurrences(folded_text).next().is_some()
    }

    /// True when the keyword occurs in the sentence at least once with no negation cue
    /// before it.
    pub fn is_affirmed_in(&self, sentence: &Sentence) -> bool {
        self.occurrences(&sentence.folded)
            .any(|at| !sentence.cue_ends.iter().any(|end| *end <= at))
    }
}

/// One sentence of a report, folded, with where its negation cues end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The sentence as written, trimmed and cut to [`SENTENCE_CHARS_SHOWN`] chars
    /// (with `…`), for provenance.
    pub shown: String,
    /// Folded ([`fold`]).
    pub folded: String,
    /// Byte offsets in `folded` just after each negation cue.
    cue_ends: Vec<usize>,
}

impl Sentence {
    /// A sentence from its text.
    pub fn new(text: &str) -> Self {
        let folded = fold(text);
        let cue_ends = negation_cue_ends(&folded);
        Self {
            shown: shorten(text.trim(), SENTENCE_CHARS_SHOWN),
            folded,
            cue_ends,
        }
    }
}

/// `text` cut to `chars` chars, with `…` when cut.
fn shorten(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Where each negation cue ends in `folded`, ascending.
fn negation_cue_ends(folded: &str) -> Vec<usize> {
    let mut ends: Vec<usize> = NEGATION_CUES
        .iter()
        .flat_map(|cue| {
            let latin = alnum_at(cue, 0);
            folded
                .match_indices(cue)
                .filter(move |(at, _)| {
                    !latin || (!alnum_before(folded, *at) && !alnum_at(folded, at + cue.len()))
                })
                .map(|(at, _)| at + cue.len())
        })
        .collect();
    ends.sort_unstable();
    ends
}

/// A report split into non-empty sentences: at `。；！？;!?`, at line breaks, and at
/// `.` followed by whitespace or the end (so `1.5 cm` and `C34.1` stay whole).
pub fn sentences(report: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = report.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let ends = match c {
            '。' | '；' | '！' | '？' | ';' | '!' | '?' | '\n' | '\r' | '．' => true,
            '.' => chars.peek().is_none_or(|(_, next)| next.is_whitespace()),
            _ => false,
        };
        if ends {
            push_sentence(&mut out, &report[start..at + c.len_utf8()]);
            start = at + c.len_utf8();
        }
    }
    push_sentence(&mut out, &report[start..]);
    out
}

/// Adds `text` as a sentence unless it is blank or punctuation only.
fn push_sentence(out: &mut Vec<Sentence>, text: &str) {
    if text.chars().any(char::is_alphanumeric) {
        out.push(Sentence::new(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(s: &str) -> Keyword {
        Keyword::new(s).expect("keyword")
    }

    fn in_text(k: &str, text: &str) -> bool {
        kw(k).is_in(&fold(text))
    }

    fn in_report(k: &str, report: &str) -> bool {
        let k = kw(k);
        sentences(report).iter().any(|s| k.is_affirmed_in(s))
    }

    #[test]
    fn folding_widths_case_and_spaces() {
        assert_eq!(fold("  ＣＴ\u{3000}\u{3000}Chest\t\n W/O "), "ct chest w/o");
        assert_eq!(fold("ＡＢＣ１２３！"), "abc123!");
        assert_eq!(fold("肺部　結節"), "肺部 結節");
        assert!(in_text("ct", "ＣＴ ＣＨＥＳＴ"));
        assert!(in_text("ＣＴ", "ct chest"));
        assert!(in_text("chest pa", "CHEST\u{3000}  PA"));
        assert_eq!(Keyword::new(" \u{3000} "), None);
    }

    #[test]
    fn latin_keywords_start_a_word_cjk_anywhere() {
        assert!(in_text("nodule", "Nodules in RUL"));
        assert!(in_text("nodule", "LUNG NODULE"));
        assert!(in_text("nodule", "f/u-nodule"));
        assert!(!in_text("ct", "abstract"));
        assert!(in_text("ct", "CTA chest"));
        assert!(!in_text("nodule", "multinodular"));
        assert!(in_text("結節", "右上肺葉結節"));
        assert!(in_text("結節", "肺結節ｆ/ｕ"));
        assert!(!in_text("結節", "肺部"));
    }

    #[test]
    fn sentences_split_at_punctuation_and_line_breaks() {
        let s: Vec<String> = sentences("No nodule. Known 1.5 cm nodule; stable!\n肺部正常。結節？")
            .into_iter()
            .map(|s| s.shown)
            .collect();
        assert_eq!(
            s,
            [
                "No nodule.",
                "Known 1.5 cm nodule;",
                "stable!",
                "肺部正常。",
                "結節？"
            ]
        );
        assert!(sentences(" . \n ").is_empty());
        let long = "x".repeat(150);
        assert_eq!(
            sentences(&long)[0].shown.chars().count(),
            SENTENCE_CHARS_SHOWN + 1
        );
    }

    #[test]
    fn english_negation_before_in_the_same_sentence() {
        assert!(!in_report("pneumothorax", "No pneumothorax."));
        assert!(!in_report("nodule", "No definite nodule is seen."));
        assert!(!in_report("effusion", "Negative for pleural effusion."));
        assert!(!in_report("nodule", "Lungs free of nodules."));
        assert!(!in_report("mass", "There is not a mass."));
        assert!(!in_report("fracture", "Without fracture"));
        assert!(in_report("nodule", "No nodule. Known nodule in RUL."));
        assert!(in_report("nodule", "Nodule in RUL, no change."));
        assert!(in_report(
            "pneumothorax",
            "No effusion.\nSmall pneumothorax"
        ));
    }

    #[test]
    fn no_is_a_whole_word_cue() {
        assert!(in_report("mass", "Nodule and mass in RUL."));
        assert!(in_report("nodule", "Normal heart. Nodule at apex."));
        assert!(in_report("nodule", "Normal heart, nodule at apex."));
        assert!(in_report("opacity", "Known opacity."));
        assert!(!in_report("opacity", "no opacity"));
    }

    #[test]
    fn chinese_negation() {
        assert!(!in_report("結節", "肺部未見結節"));
        assert!(!in_report("結節", "未見明顯結節。"));
        assert!(!in_report("氣胸", "無氣胸"));
        assert!(!in_report("腫塊", "沒有腫塊"));
        assert!(!in_report("肺炎", "否認肺炎病史"));
        assert!(!in_report("積水", "未發現積水"));
        assert!(in_report("結節", "結節，無變化"));
        assert!(in_report("結節", "無氣胸。右上肺結節。"));
        assert!(!in_report("nodule", "未見 nodule"));
        assert!(!in_report("結節", "ＮＯ 結節"));
    }
}
