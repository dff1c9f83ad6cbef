//! One claims row as a reader sees it: every field with its name, its decoded
//! meaning and, for diagnoses, the ICD-10-CM title.
//!
//! The GUI panel and `lightbox claims` show the same thing, so the reading of a row
//! is built here once, in the UI language, and both only lay it out.

use serde::Serialize;

use super::codes;
use super::icd;
use super::table::ClaimsTable;
use crate::i18n::Language;

/// One field of a claims (or history) row, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldView {
    /// The column as the file spells it.
    pub column: String,
    /// The column's name in the UI language; `None` for a column the manual does
    /// not list (an extra column, shown under its own name).
    pub label: Option<&'static str>,
    /// The value, trimmed.
    pub value: String,
    /// What a coded value means, in the UI language: several readings when the
    /// manual gives several (CASE_TYPE `A3`), none when the column has no code table
    /// or the code is not in it.
    pub readings: Vec<&'static str>,
    /// For a diagnosis column, the code written the ICD-10-CM way (`J18.9`) when it
    /// is one.
    pub icd_code: Option<String>,
    /// For a diagnosis column, the ICD-10-CM title when the code is one.
    pub icd_title: Option<&'static str>,
}

/// True for a diagnosis column: one whose name contains `ICD` (ICD1..ICD5 of the
/// claims, ICD columns of history files).
pub fn is_icd_column(column: &str) -> bool {
    column.to_ascii_uppercase().contains("ICD")
}

/// Every field of `row` of `table` in column order, read in `language`; empty when
/// the row does not exist.
pub fn row_fields(table: &ClaimsTable, row: usize, language: Language) -> Vec<FieldView> {
    let Some(values) = table.rows.get(row) else {
        return Vec::new();
    };
    table
        .columns
        .iter()
        .zip(values)
        .map(|(column, value)| {
            let value = value.trim();
            let diagnosis = is_icd_column(column) && !value.is_empty();
            FieldView {
                column: column.clone(),
                label: codes::column_label(column, language),
                value: value.to_owned(),
                readings: codes::decode(column, value, language),
                icd_code: diagnosis.then(|| icd::dotted(value)).flatten(),
                icd_title: diagnosis.then(|| icd::title(value)).flatten(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_reads_with_labels_codes_and_titles() {
        let table = ClaimsTable::new(
            ["CASE_TYPE", "ICD1", "ICD2", "備註"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            vec![vec![
                "A3".into(),
                "J189 ".into(),
                "486".into(),
                "複診".into(),
            ]],
        );
        let fields = row_fields(&table, 0, Language::TraditionalChinese);
        assert_eq!(fields.len(), 4);
        assert_eq!(fields[0].label, Some("案件分類"));
        assert_eq!(fields[0].readings, ["預防保健", "代辦勞保局特定案件"]);
        assert_eq!(fields[1].value, "J189");
        assert_eq!(fields[1].icd_code.as_deref(), Some("J18.9"));
        assert_eq!(fields[1].icd_title, Some("Pneumonia, unspecified organism"));
        assert_eq!(
            (fields[2].icd_code.as_deref(), fields[2].icd_title),
            (None, None)
        );
        assert_eq!(fields[3].label, None);
        assert_eq!(fields[3].value, "複診");
        assert!(row_fields(&table, 1, Language::English).is_empty());
        assert!(is_icd_column("icd5") && !is_icd_column("CURE_PATH"));
    }
}
