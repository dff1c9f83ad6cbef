//! Hanging protocols: how a study is laid out when it opens, chosen by modality and
//! body part (issue 17).
//!
//! Why in the core: which protocol applies to which study, and which series lands in
//! which viewport, is a rule a user edits in Settings and expects to be predictable;
//! it is tested here without a window. The viewer applies the chosen protocol (layout,
//! series, window preset, prior, MPR) as one command.

use serde::{Deserialize, Serialize};

use crate::index::tree::{Series, Study};

/// One hanging protocol: when it applies and what it sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HangingProtocol {
    /// Its name in Settings.
    pub name: String,
    /// The modality it applies to (`CT`, `MR`…); empty: any.
    pub modality: String,
    /// The body part it applies to (Body Part Examined, without case); empty: any.
    pub body_part: String,
    /// Viewport columns and rows (1 × 1, 2 × 1, 1 × 2 or 2 × 2).
    pub grid: [u8; 2],
    /// Which series goes where: one pattern per viewport, matched against the series
    /// description without case (first match; empty: the series opened).
    pub series: Vec<String>,
    /// The window preset by name (e.g. `lung`); empty: the file's window.
    pub preset: String,
    /// Show the prior study beside it (in the next free viewport).
    pub compare_prior: bool,
    /// Turn MPR on.
    pub mpr: bool,
}

impl Default for HangingProtocol {
    fn default() -> Self {
        Self {
            name: String::new(),
            modality: String::new(),
            body_part: String::new(),
            grid: [1, 1],
            series: Vec::new(),
            preset: String::new(),
            compare_prior: false,
            mpr: false,
        }
    }
}

impl HangingProtocol {
    /// How specific it is for a study of `modality` and `body_part`: `None` when it
    /// does not apply; more named fields rank higher.
    pub fn specificity(&self, modality: Option<&str>, body_part: Option<&str>) -> Option<u8> {
        let field = |want: &str, have: Option<&str>| -> Option<u8> {
            if want.trim().is_empty() {
                Some(0)
            } else {
                have.filter(|h| h.trim().eq_ignore_ascii_case(want.trim()))
                    .map(|_| 1)
            }
        };
        Some(field(&self.modality, modality)? * 2 + field(&self.body_part, body_part)?)
    }
}

/// The protocols a new user starts with: chest CT with its prior in the lung window,
/// head CT in the brain window, CT otherwise with MPR, MR one viewport.
pub fn defaults() -> Vec<HangingProtocol> {
    vec![
        HangingProtocol {
            name: "CT chest: prior, lung".to_owned(),
            modality: "CT".to_owned(),
            body_part: "CHEST".to_owned(),
            grid: [2, 1],
            preset: "lung".to_owned(),
            compare_prior: true,
            ..HangingProtocol::default()
        },
        HangingProtocol {
            name: "CT head: brain".to_owned(),
            modality: "CT".to_owned(),
            body_part: "HEAD".to_owned(),
            preset: "brain".to_owned(),
            ..HangingProtocol::default()
        },
        HangingProtocol {
            name: "MR".to_owned(),
            modality: "MR".to_owned(),
            ..HangingProtocol::default()
        },
    ]
}

/// The most specific protocol of `protocols` for `series` (first of equals).
pub fn choose<'a>(
    protocols: &'a [HangingProtocol],
    series: &Series,
) -> Option<&'a HangingProtocol> {
    let modality = series.modality.as_deref();
    let body_part = series.body_part.as_deref();
    protocols
        .iter()
        .filter_map(|p| Some((p.specificity(modality, body_part)?, p)))
        .fold(
            None,
            |best: Option<(u8, &HangingProtocol)>, (rank, p)| match best {
                Some((b, _)) if b >= rank => best,
                _ => Some((rank, p)),
            },
        )
        .map(|(_, p)| p)
}

/// The series of `study` for each viewport of `protocol`: a pattern's first match by
/// description (without case), `opened` for an empty pattern or the first viewport
/// when nothing matches; `None` where a pattern matches nothing.
pub fn placement<'a>(
    protocol: &HangingProtocol,
    study: &'a Study,
    opened: &'a Series,
) -> Vec<Option<&'a Series>> {
    let count = usize::from(protocol.grid[0].max(1)) * usize::from(protocol.grid[1].max(1));
    (0..count)
        .map(
            |v| match protocol.series.get(v).map(|p| p.trim().to_lowercase()) {
                None if v == 0 => Some(opened),
                None => None,
                Some(p) if p.is_empty() => Some(opened),
                Some(p) => study
                    .series
                    .iter()
                    .find(|s| {
                        s.description
                            .as_deref()
                            .is_some_and(|d| d.to_lowercase().contains(&p))
                    })
                    .or((v == 0).then_some(opened)),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(uid: &str, modality: &str, body: Option<&str>, description: &str) -> Series {
        Series {
            series_uid: uid.to_owned(),
            modality: Some(modality.to_owned()),
            number: None,
            description: Some(description.to_owned()),
            body_part: body.map(str::to_owned),
            instances: Vec::new(),
        }
    }

    #[test]
    fn the_most_specific_protocol_wins() {
        let p = defaults();
        let chest = series("1", "CT", Some("chest"), "CHEST 5mm");
        assert_eq!(
            choose(&p, &chest).map(|p| p.name.as_str()),
            Some("CT chest: prior, lung")
        );
        let abdomen = series("2", "CT", Some("ABDOMEN"), "ABD");
        assert_eq!(choose(&p, &abdomen), None, "no CT-any protocol by default");
        let mut with_any = p.clone();
        with_any.push(HangingProtocol {
            name: "any CT".to_owned(),
            modality: "ct".to_owned(),
            ..HangingProtocol::default()
        });
        assert_eq!(
            choose(&with_any, &abdomen).map(|p| p.name.as_str()),
            Some("any CT")
        );
        assert_eq!(
            choose(&with_any, &chest).map(|p| p.name.as_str()),
            Some("CT chest: prior, lung"),
            "modality and body part beat modality alone"
        );
        let knee = series("3", "MR", Some("KNEE"), "PD SAG");
        assert_eq!(choose(&p, &knee).map(|p| p.name.as_str()), Some("MR"));
    }

    #[test]
    fn series_are_placed_by_description() {
        let study = Study {
            study_uid: "s".to_owned(),
            patient_id: "p".to_owned(),
            study_date: None,
            description: None,
            accession_number: None,
            series: vec![
                series("a", "CT", None, "CHEST 5mm"),
                series("b", "CT", None, "CHEST 5mm BONE"),
            ],
        };
        let protocol = HangingProtocol {
            grid: [2, 2],
            series: vec![String::new(), "bone".to_owned(), "lung".to_owned()],
            ..HangingProtocol::default()
        };
        let opened = &study.series[0];
        let placed: Vec<Option<&str>> = placement(&protocol, &study, opened)
            .iter()
            .map(|s| s.map(|s| s.series_uid.as_str()))
            .collect();
        assert_eq!(placed, vec![Some("a"), Some("b"), None, None]);
    }
}
