//! What the coded claims values mean, and what each claims column is called.
//!
//! The code tables are the manual's (`assets/claims-codes.tsv`, the same file as the
//! spec's) and the column names its claims table (`assets/claims-columns.tsv`),
//! both compiled in as text so that staff can check them against the manual line by
//! line. A code can have several readings: the manual lists CASE_TYPE `A3` twice
//! (預防保健 / 代辦勞保局特定案件), and a claims row alone does not tell which is meant,
//! so every reading is returned and the UI shows them all.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

use crate::i18n::Language;

/// The code tables: `column<TAB>code<TAB>zh_TW<TAB>en`, with a header line.
pub const CLAIMS_CODES_TSV: &str = include_str!("../../assets/claims-codes.tsv");

/// The claims columns of the manual: `column<TAB>zh_TW<TAB>en`, with a header line.
pub const CLAIMS_COLUMNS_TSV: &str = include_str!("../../assets/claims-columns.tsv");

/// A text in both UI languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bilingual {
    /// Traditional Chinese (Taiwan).
    pub zh_tw: &'static str,
    /// English.
    pub en: &'static str,
}

impl Bilingual {
    /// The text in `language`.
    pub fn text(&self, language: Language) -> &'static str {
        match language {
            Language::English => self.en,
            Language::TraditionalChinese => self.zh_tw,
        }
    }
}

/// One claims column of the manual and its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ColumnLabel {
    /// The column as the manual spells it (`HOSP_ID`).
    pub column: &'static str,
    /// Its name in each language.
    pub label: Bilingual,
}

/// The readings of every (column, code), columns upper-cased.
type CodeMap = HashMap<(String, String), Vec<Bilingual>>;

static CODES: LazyLock<CodeMap> = LazyLock::new(|| {
    let mut map: CodeMap = HashMap::new();
    for fields in tsv_rows(CLAIMS_CODES_TSV, 4) {
        map.entry((fields[0].to_ascii_uppercase(), fields[1].to_owned()))
            .or_default()
            .push(Bilingual {
                zh_tw: fields[2],
                en: fields[3],
            });
    }
    map
});

static COLUMNS: LazyLock<Vec<ColumnLabel>> = LazyLock::new(|| {
    tsv_rows(CLAIMS_COLUMNS_TSV, 3)
        .map(|fields| ColumnLabel {
            column: fields[0],
            label: Bilingual {
                zh_tw: fields[1],
                en: fields[2],
            },
        })
        .collect()
});

/// The data lines of a compiled-in table that have exactly `width` non-empty fields
/// (the unit tests check that no line is passed over).
fn tsv_rows(text: &'static str, width: usize) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .skip(1)
        .map(|line| line.split('\t').map(str::trim).collect::<Vec<_>>())
        .filter(move |f| f.len() == width && f.iter().all(|v| !v.is_empty()))
}

/// The readings of `code` in `column`, in the manual's order, in `language`; empty
/// when the column has no code table or the code is not in it. Codes are compared
/// trimmed and case-insensitively, and a numeric code also without leading zeros
/// (`01` reads as `1`), as some exports pad them.
pub fn decode(column: &str, code: &str, language: Language) -> Vec<&'static str> {
    readings(column, code)
        .iter()
        .map(|r| r.text(language))
        .collect()
}

/// The readings of `code` in `column` in both languages (see [`decode`]).
pub fn readings(column: &str, code: &str) -> &'static [Bilingual] {
    let column = column.trim().to_ascii_uppercase();
    let code = code.trim().to_ascii_uppercase();
    let unpadded = if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        let stripped = code.trim_start_matches('0');
        Some(if stripped.is_empty() { "0" } else { stripped }.to_owned())
    } else {
        None
    };
    let codes: &'static CodeMap = &CODES;
    std::iter::once(code)
        .chain(unpadded)
        .find_map(|c| codes.get(&(column.clone(), c)))
        .map_or(&[], Vec::as_slice)
}

/// True when the manual gives a code table for `column` (any case).
pub fn is_coded_column(column: &str) -> bool {
    let column = column.trim().to_ascii_uppercase();
    CODES.keys().any(|(c, _)| *c == column)
}

/// The claims columns of the manual, in its order.
pub fn claims_columns() -> &'static [ColumnLabel] {
    &COLUMNS
}

/// The manual's column named `column` (any case), if it is one.
pub fn claims_column(column: &str) -> Option<&'static ColumnLabel> {
    let column = column.trim();
    COLUMNS
        .iter()
        .find(|c| c.column.eq_ignore_ascii_case(column))
}

/// True when `column` is one of the manual's claims columns (any case).
pub fn is_claims_column(column: &str) -> bool {
    claims_column(column).is_some()
}

/// The name of `column` in `language`, `None` for a column the manual does not list.
pub fn column_label(column: &str, language: Language) -> Option<&'static str> {
    claims_column(column).map(|c| c.label.text(language))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_lines(text: &str) -> usize {
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count()
    }

    #[test]
    fn every_line_of_both_tables_is_read() {
        let codes: usize = CODES.values().map(Vec::len).sum();
        assert_eq!(codes, data_lines(CLAIMS_CODES_TSV));
        assert_eq!(COLUMNS.len(), data_lines(CLAIMS_COLUMNS_TSV));
    }

    #[test]
    fn a3_has_both_readings_and_only_a3_is_ambiguous() {
        assert_eq!(
            decode("CASE_TYPE", "A3", Language::English),
            [
                "preventive care",
                "agency (labour insurance): specific case"
            ]
        );
        assert_eq!(
            decode("case_type", " a3 ", Language::TraditionalChinese),
            ["預防保健", "代辦勞保局特定案件"]
        );
        let ambiguous: Vec<_> = CODES.iter().filter(|(_, r)| r.len() > 1).collect();
        assert_eq!(ambiguous.len(), 1, "{ambiguous:?}");
    }

    #[test]
    fn padded_numbers_and_unknown_codes() {
        assert_eq!(
            decode("CASE_TYPE", "01", Language::English),
            ["general case"]
        );
        assert_eq!(
            decode("CASE_TYPE", "00", Language::English),
            ["global deduction case"]
        );
        assert_eq!(
            decode("CURE_PATH", "U", Language::TraditionalChinese),
            ["胸部"]
        );
        assert!(decode("CURE_PATH", "Z", Language::English).is_empty());
        assert!(decode("PATIENT_ID", "1", Language::English).is_empty());
        assert!(decode("CASE_TYPE", "", Language::English).is_empty());
        assert!(is_coded_column("hosp_cnt_type"));
        assert!(!is_coded_column("ICD1"));
    }

    #[test]
    fn column_labels_follow_the_manual() {
        assert_eq!(claims_columns().len(), 25);
        assert_eq!(claims_columns()[0].column, "HOSP_ID");
        assert_eq!(
            column_label("icd3", Language::TraditionalChinese),
            Some("次診斷代碼(二)")
        );
        assert_eq!(
            column_label("CURE_PATH", Language::TraditionalChinese),
            Some("診療部位")
        );
        assert_eq!(column_label("T_AMT", Language::English), None);
        assert!(is_claims_column("seriesinstanceid"));
    }
}
