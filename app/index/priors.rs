//! The prior of a series: the same patient's most recent earlier study of the same
//! modality and body part, and the series in it that best matches (what "compare with
//! prior" shows beside the current one).
//!
//! Why here and not in the viewer: which prior a reader is shown must be explainable
//! and testable without a window, and a script may ask the same question.

use super::Index;
use super::tree::{Series, Study};

/// The prior study and series of series `series_uid`, if the release holds one:
/// the latest study of the same patient dated before the series' study with a series
/// of the same modality (and body part, when both say), and in it the series facing
/// the same way (slice normals most nearly parallel), then with the same description,
/// then with the most images.
pub fn prior_of<'a>(index: &'a Index, series_uid: &str) -> Option<(&'a Study, &'a Series)> {
    let (patient, study, series) = index.patients.iter().find_map(|p| {
        p.studies.iter().find_map(|st| {
            st.series
                .iter()
                .find(|se| se.series_uid == series_uid)
                .map(|se| (p, st, se))
        })
    })?;
    let date = study.study_date.as_deref()?;
    let matches = |candidate: &Series| {
        candidate.modality == series.modality
            && match (&candidate.body_part, &series.body_part) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            }
    };
    let prior = patient
        .studies
        .iter()
        .filter(|st| st.study_uid != study.study_uid)
        .filter(|st| st.study_date.as_deref().is_some_and(|d| d < date))
        .filter(|st| st.series.iter().any(matches))
        .max_by(|a, b| a.study_date.cmp(&b.study_date))?;
    let normal = series.instances.first().and_then(|i| i.normal());
    let facing = |s: &Series| match (normal, s.instances.first().and_then(|i| i.normal())) {
        (Some(a), Some(b)) => (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]).abs(),
        _ => 0.0,
    };
    let best = prior.series.iter().filter(|s| matches(s)).max_by(|a, b| {
        facing(a)
            .total_cmp(&facing(b))
            .then_with(|| {
                (a.description == series.description).cmp(&(b.description == series.description))
            })
            .then_with(|| a.instances.len().cmp(&b.instances.len()))
    })?;
    Some((prior, best))
}
