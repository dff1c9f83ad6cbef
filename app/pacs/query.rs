//! A study-level query (patient ID or name, study date range, modality, accession
//! number) and what each match says, one shape for QIDO-RS and C-FIND alike.

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use serde::Serialize;

/// Which studies to find. Empty fields match anything; `*` and `?` are wildcards in
/// the patient ID and name, as DICOM matching defines them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Patient ID (0010,0020).
    pub patient_id: Option<String>,
    /// Patient's Name (0010,0010), `FAMILY^GIVEN`.
    pub patient_name: Option<String>,
    /// Study Date (0008,0020).
    pub study_date: Option<DateRange>,
    /// A modality the study holds (Modalities in Study, 0008,0061).
    pub modality: Option<String>,
    /// Accession Number (0008,0050).
    pub accession: Option<String>,
    /// Study Instance UID (0020,000D).
    pub study_uid: Option<String>,
    /// The most matches to ask for.
    pub limit: Option<u32>,
}

/// An inclusive range of dates, `YYYYMMDD`, either end open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateRange {
    /// The first day, if bounded.
    pub from: Option<String>,
    /// The last day, if bounded.
    pub to: Option<String>,
}

impl DateRange {
    /// Parses `FROM-TO`, `FROM-`, `-TO` or one day; dates as `YYYYMMDD` or `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let day = |d: &str| -> Result<Option<String>, String> {
            if d.is_empty() {
                return Ok(None);
            }
            let digits: String = d.chars().filter(|c| *c != '-').collect();
            let iso = d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-';
            let plain = d.len() == 8;
            let month = digits.get(4..6).and_then(|m| m.parse::<u8>().ok());
            let day_of = digits.get(6..8).and_then(|m| m.parse::<u8>().ok());
            if (iso || plain)
                && digits.len() == 8
                && digits.bytes().all(|b| b.is_ascii_digit())
                && month.is_some_and(|m| (1..=12).contains(&m))
                && day_of.is_some_and(|d| (1..=31).contains(&d))
            {
                Ok(Some(digits))
            } else {
                Err(format!(
                    "{d:?} is not a date: give YYYYMMDD or YYYY-MM-DD (a range: FROM-TO, FROM-, -TO)"
                ))
            }
        };
        // ISO dates hold dashes themselves: split on the dash between two dates.
        let (from, to) = match text.len() {
            8 | 10 => (text, text),
            _ => {
                // An open start first: `-2024-12-31` has a dash at byte 8 too.
                let split = text
                    .starts_with('-')
                    .then_some(0)
                    .or_else(|| {
                        [8usize, 10]
                            .into_iter()
                            .find(|&n| text.as_bytes().get(n) == Some(&b'-'))
                    })
                    .ok_or_else(|| {
                        format!("{text:?} is not a date range: give FROM-TO, FROM-, -TO or one day")
                    })?;
                (&text[..split], &text[split + 1..])
            }
        };
        let range = Self {
            from: day(from)?,
            to: day(to)?,
        };
        if let (Some(f), Some(t)) = (&range.from, &range.to)
            && f > t
        {
            return Err(format!("{text:?} ends before it starts"));
        }
        Ok(range)
    }

    /// The DICOM range matching form: `FROM-TO`, `FROM-`, `-TO`, or one date.
    pub fn to_dicom(&self) -> String {
        match (&self.from, &self.to) {
            (Some(f), Some(t)) if f == t => f.clone(),
            (f, t) => format!(
                "{}-{}",
                f.as_deref().unwrap_or(""),
                t.as_deref().unwrap_or("")
            ),
        }
    }
}

impl Query {
    /// The (tag, value) pairs to match on, as both protocols send them.
    pub fn matching_keys(&self) -> Vec<(Tag, String)> {
        let mut keys = Vec::new();
        let mut put = |tag: Tag, value: &Option<String>| {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                keys.push((tag, v.to_owned()));
            }
        };
        put(tags::PATIENT_ID, &self.patient_id);
        put(tags::PATIENT_NAME, &self.patient_name);
        put(
            tags::STUDY_DATE,
            &self.study_date.as_ref().map(DateRange::to_dicom),
        );
        put(tags::MODALITIES_IN_STUDY, &self.modality);
        put(tags::ACCESSION_NUMBER, &self.accession);
        put(tags::STUDY_INSTANCE_UID, &self.study_uid);
        keys
    }
}

/// The attributes every study match is asked to return.
pub const RETURN_KEYS: [Tag; 11] = [
    tags::STUDY_INSTANCE_UID,
    tags::PATIENT_ID,
    tags::PATIENT_NAME,
    tags::STUDY_DATE,
    tags::STUDY_TIME,
    tags::ACCESSION_NUMBER,
    tags::MODALITIES_IN_STUDY,
    tags::STUDY_DESCRIPTION,
    tags::NUMBER_OF_STUDY_RELATED_SERIES,
    tags::NUMBER_OF_STUDY_RELATED_INSTANCES,
    tags::STUDY_ID,
];

/// One study the server found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StudyMatch {
    /// Study Instance UID.
    pub study_uid: String,
    /// Patient ID.
    pub patient_id: String,
    /// Patient's Name, `^` between the components as DICOM writes it.
    pub patient_name: String,
    /// Study Date, `YYYYMMDD`.
    pub study_date: String,
    /// Study Time.
    pub study_time: String,
    /// Accession Number.
    pub accession: String,
    /// Modalities in Study.
    pub modalities: Vec<String>,
    /// Study Description.
    pub description: String,
    /// Number of Study Related Series, if the server said.
    pub series_count: Option<u32>,
    /// Number of Study Related Instances, if the server said.
    pub instance_count: Option<u32>,
}

impl StudyMatch {
    /// A match from its attributes: `values(tag)` gives an attribute's values as text
    /// (none when absent). `None` without a Study Instance UID.
    pub fn from_values(values: impl Fn(Tag) -> Vec<String>) -> Option<Self> {
        let one = |tag| {
            values(tag)
                .into_iter()
                .next()
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        let count = |tag| one(tag).parse().ok();
        let study_uid = one(tags::STUDY_INSTANCE_UID);
        if study_uid.is_empty() {
            return None;
        }
        Some(Self {
            study_uid,
            patient_id: one(tags::PATIENT_ID),
            patient_name: one(tags::PATIENT_NAME),
            study_date: one(tags::STUDY_DATE),
            study_time: one(tags::STUDY_TIME),
            accession: one(tags::ACCESSION_NUMBER),
            modalities: values(tags::MODALITIES_IN_STUDY)
                .into_iter()
                .flat_map(|v| {
                    v.split('\\')
                        .map(|m| m.trim().to_owned())
                        .collect::<Vec<_>>()
                })
                .filter(|m| !m.is_empty())
                .collect(),
            description: one(tags::STUDY_DESCRIPTION),
            series_count: count(tags::NUMBER_OF_STUDY_RELATED_SERIES),
            instance_count: count(tags::NUMBER_OF_STUDY_RELATED_INSTANCES),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges() {
        let r = |t: &str| DateRange::parse(t).map(|r| r.to_dicom());
        assert_eq!(r("20240101-20241231").as_deref(), Ok("20240101-20241231"));
        assert_eq!(
            r("2024-01-01-2024-12-31").as_deref(),
            Ok("20240101-20241231")
        );
        assert_eq!(r("20240101-").as_deref(), Ok("20240101-"));
        assert_eq!(r("-20241231").as_deref(), Ok("-20241231"));
        assert_eq!(r("-2024-12-31").as_deref(), Ok("-20241231"));
        assert_eq!(r("2024-03-05").as_deref(), Ok("20240305"));
        assert_eq!(r("20240305").as_deref(), Ok("20240305"));
        for bad in [
            "2024",
            "20241301",
            "20240132",
            "2024010a",
            "20241231-20240101",
            "x-y",
        ] {
            assert!(DateRange::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_given_fields_are_matched() {
        let q = Query {
            patient_id: Some("P1".into()),
            modality: Some(" ".into()),
            study_date: Some(DateRange::parse("20240101-").expect("range")),
            ..Query::default()
        };
        assert_eq!(
            q.matching_keys(),
            vec![
                (tags::PATIENT_ID, "P1".into()),
                (tags::STUDY_DATE, "20240101-".into())
            ]
        );
    }

    #[test]
    fn matches_need_a_study_uid() {
        assert!(StudyMatch::from_values(|_| Vec::new()).is_none());
        let m = StudyMatch::from_values(|t| match t {
            tags::STUDY_INSTANCE_UID => vec!["1.2.3".into()],
            tags::MODALITIES_IN_STUDY => vec!["CT\\SEG".into(), "SR".into()],
            tags::NUMBER_OF_STUDY_RELATED_INSTANCES => vec![" 32 ".into()],
            _ => Vec::new(),
        })
        .expect("match");
        assert_eq!(m.modalities, ["CT", "SEG", "SR"]);
        assert_eq!((m.instance_count, m.series_count), (Some(32), None));
    }
}
