//! Claims rows matched to the release's images, and what matches nothing.
//!
//! A claims row names a study (`StudyInstanceId`) and usually a series
//! (`SeriesInstanceId`); it joins by series when it names one, else by study, and
//! then stands for every series of that study. Both leftovers are findings for the
//! reviewer, not errors: claims rows whose images never arrived, and series that no
//! claims row covers. UIDs are compared trimmed and exactly.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::codes;
use super::icd;
use super::table::{ClaimsTable, SERIES_UID_COLUMN, STUDY_UID_COLUMN};
use crate::i18n::Language;
use crate::index::Index;
use crate::review::ReleaseImages;

/// A series of the release.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SeriesKey {
    /// Study Instance UID.
    pub study_uid: String,
    /// Series Instance UID.
    pub series_uid: String,
}

/// Claims rows (0-based indices into the claims table) matched to a release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClaimsJoin {
    /// Rows that name a series of the release, by Series Instance UID.
    pub series_rows: BTreeMap<String, Vec<usize>>,
    /// Rows that name a study of the release and no series, by Study Instance UID.
    pub study_only_rows: BTreeMap<String, Vec<usize>>,
    /// Every row that names a study of the release (series rows, study-only rows and
    /// rows naming a series the release lacks), by Study Instance UID.
    pub study_rows: BTreeMap<String, Vec<usize>>,
    /// Rows whose series (or, naming none, whose study) is not in the release.
    pub rows_without_images: Vec<usize>,
    /// Series of the release that no row covers, in release order.
    pub series_without_claims: Vec<SeriesKey>,
}

impl ClaimsJoin {
    /// Joins `table` to the release's series, given as (study UID, series UID) pairs
    /// (repeats are ignored).
    pub fn build<'a>(
        table: &ClaimsTable,
        series: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut release: Vec<SeriesKey> = Vec::new();
        let mut seen = BTreeSet::new();
        for (study_uid, series_uid) in series {
            if seen.insert(series_uid) {
                release.push(SeriesKey {
                    study_uid: study_uid.to_owned(),
                    series_uid: series_uid.to_owned(),
                });
            }
        }
        let studies: BTreeSet<&str> = release.iter().map(|s| s.study_uid.as_str()).collect();
        let series_study: BTreeMap<&str, &str> = release
            .iter()
            .map(|s| (s.series_uid.as_str(), s.study_uid.as_str()))
            .collect();
        let mut join = Self::default();
        for row in 0..table.len() {
            let study = table.value_or_empty(row, STUDY_UID_COLUMN);
            let series = table.value_or_empty(row, SERIES_UID_COLUMN);
            // The study a row belongs to in the release: its series' study, else its own.
            let in_study = series_study
                .get(series)
                .copied()
                .or_else(|| studies.get(study).copied());
            if let Some(st) = in_study {
                join.study_rows.entry(st.to_owned()).or_default().push(row);
            }
            if series_study.contains_key(series) {
                join.series_rows
                    .entry(series.to_owned())
                    .or_default()
                    .push(row);
            } else if series.is_empty() && studies.contains(study) {
                join.study_only_rows
                    .entry(study.to_owned())
                    .or_default()
                    .push(row);
            } else {
                join.rows_without_images.push(row);
            }
        }
        join.series_without_claims = release
            .into_iter()
            .filter(|s| {
                !join.series_rows.contains_key(&s.series_uid)
                    && !join.study_only_rows.contains_key(&s.study_uid)
            })
            .collect();
        join
    }

    /// Joins `table` to the series of a flat release view.
    pub fn from_images(table: &ClaimsTable, images: &ReleaseImages) -> Self {
        Self::build(
            table,
            images
                .images
                .iter()
                .map(|i| (i.study_uid.as_str(), i.series_uid.as_str())),
        )
    }

    /// Joins `table` to the series of a scanned release.
    pub fn from_index(table: &ClaimsTable, index: &Index) -> Self {
        Self::build(
            table,
            index.studies().flat_map(|st| {
                st.series
                    .iter()
                    .map(|se| (st.study_uid.as_str(), se.series_uid.as_str()))
            }),
        )
    }

    /// The rows describing one series: those naming it, then the study-only rows of
    /// its study.
    pub fn rows_for_series(&self, study_uid: &str, series_uid: &str) -> Vec<usize> {
        let own = self.series_rows.get(series_uid).into_iter().flatten();
        let study = self.study_only_rows.get(study_uid).into_iter().flatten();
        own.chain(study).copied().collect()
    }

    /// Every row naming a study of the release (see [`ClaimsJoin::study_rows`]).
    pub fn rows_for_study(&self, study_uid: &str) -> &[usize] {
        self.study_rows.get(study_uid).map_or(&[], Vec::as_slice)
    }
}

/// A one-line description of a series from its first claims row, for the browser:
/// modality, body region decoded in `language`, principal diagnosis, age and sex,
/// e.g. `CT · chest · J18.9 · 67 M`. Empty parts are left out; `None` without rows.
pub fn series_summary(table: &ClaimsTable, rows: &[usize], language: Language) -> Option<String> {
    let row = *rows.first()?;
    let value = |column: &str| table.value_or_empty(row, column);
    let region = value("CURE_PATH");
    let readings = codes::decode("CURE_PATH", region, language);
    let region = if readings.is_empty() {
        region.to_owned()
    } else {
        readings.join(" / ")
    };
    let icd1 = value("ICD1");
    let diagnosis = icd::dotted(icd1).unwrap_or_else(|| icd1.to_owned());
    let person = format!("{} {}", value("PATIENT_AGE"), value("PATIENT_SEX"));
    let parts: Vec<String> = [value("MODALITY").to_owned(), region, diagnosis, person]
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    Some(parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[[&str; 7]]) -> ClaimsTable {
        let columns = [
            "StudyInstanceId",
            "SeriesInstanceId",
            "MODALITY",
            "CURE_PATH",
            "ICD1",
            "PATIENT_AGE",
            "PATIENT_SEX",
        ];
        ClaimsTable::new(
            columns.iter().map(|s| (*s).to_owned()).collect(),
            rows.iter()
                .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        )
    }

    #[test]
    fn rows_join_by_series_else_by_study() {
        let t = table(&[
            ["1", "1.1", "CT", "U", "J189", "67", "M"],
            ["2", "", "MR", "H", "", "", ""],
            ["1", "1.9", "CT", "U", "", "", ""],
            ["9", "9.1", "CT", "U", "", "", ""],
            ["", "", "", "", "", "", ""],
        ]);
        let release = [
            ("1", "1.1"),
            ("1", "1.1"),
            ("1", "1.2"),
            ("2", "2.1"),
            ("2", "2.2"),
        ];
        let j = ClaimsJoin::build(&t, release);
        assert_eq!(j.series_rows.get("1.1"), Some(&vec![0]));
        assert_eq!(j.study_only_rows.get("2"), Some(&vec![1]));
        assert_eq!(j.rows_for_study("1"), [0, 2]);
        assert_eq!(j.rows_for_series("2", "2.2"), [1]);
        assert_eq!(j.rows_without_images, [2, 3, 4]);
        assert_eq!(
            j.series_without_claims,
            [SeriesKey {
                study_uid: "1".into(),
                series_uid: "1.2".into()
            }]
        );
    }

    #[test]
    fn summary_in_each_language() {
        let t = table(&[["1", "1.1", "CT", "U", "J189", "67", "M"]]);
        assert_eq!(
            series_summary(&t, &[0], Language::English).as_deref(),
            Some("CT · chest · J18.9 · 67 M")
        );
        assert_eq!(
            series_summary(&t, &[0], Language::TraditionalChinese).as_deref(),
            Some("CT · 胸部 · J18.9 · 67 M")
        );
        assert_eq!(series_summary(&t, &[], Language::English), None);
        let bare = table(&[["1", "1.1", "", "Z", "486", "", ""]]);
        assert_eq!(
            series_summary(&bare, &[0], Language::English).as_deref(),
            Some("Z · 486")
        );
    }
}
