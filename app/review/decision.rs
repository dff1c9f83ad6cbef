//! The vocabulary of a review: what can be decided, on what, and the images it covers.

use serde::{Deserialize, Serialize};

use crate::index::Index;

/// Where in the tree a decision is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A whole study.
    Study,
    /// A whole series.
    Series,
    /// One image (one file, one SOP instance).
    Image,
}

impl Level {
    /// The stable lower-case name used in files and the project store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Study => "study",
            Self::Series => "series",
            Self::Image => "image",
        }
    }

    /// Parses [`Level::as_str`] (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "study" => Some(Self::Study),
            "series" => Some(Self::Series),
            "image" => Some(Self::Image),
            _ => None,
        }
    }
}

/// A reviewer's decision on a node.
///
/// `Undecided` set on a node is an explicit override: it hides a Keep or Drop
/// inherited from above, so "U on a series of a kept study" does what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Keep: goes into the keep-list.
    Keep,
    /// Drop: left out of the keep-list.
    Drop,
    /// Not decided yet.
    Undecided,
}

impl Decision {
    /// The stable lower-case name used in files and the project store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keep => "keep",
            Self::Drop => "drop",
            Self::Undecided => "undecided",
        }
    }

    /// Parses [`Decision::as_str`] (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "keep" => Some(Self::Keep),
            "drop" => Some(Self::Drop),
            "undecided" => Some(Self::Undecided),
            _ => None,
        }
    }
}

/// The node a decision is taken on: a study, series or SOP Instance UID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Target {
    /// The level of the node.
    pub level: Level,
    /// Study Instance UID, Series Instance UID or SOP Instance UID, by level.
    pub uid: String,
}

/// An explicit decision on one node, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The decision.
    pub decision: Decision,
    /// The reviewer's short reason (may be empty).
    pub reason: String,
    /// Who decided.
    pub reviewer: String,
    /// When, as RFC 3339 UTC (`2026-11-21T09:30:00Z`).
    pub time: String,
}

/// One image of the release as the review needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// Study Instance UID.
    pub study_uid: String,
    /// Series Instance UID.
    pub series_uid: String,
    /// SOP Instance UID.
    pub sop_uid: String,
    /// The file name as on disk (what the keep-list names).
    pub file_name: String,
    /// File size in bytes.
    pub bytes: u64,
    /// Modality of the image's series.
    pub modality: Option<String>,
    /// Body Part Examined of the image's series.
    pub body_part: Option<String>,
}

/// Every image of a release, sorted by study UID, series UID, file name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseImages {
    /// The release id (`20210407_102537`) when known.
    pub release_id: Option<String>,
    /// The images, sorted.
    pub images: Vec<ImageRef>,
}

impl ReleaseImages {
    /// Builds the view from hand-made images (sorts them).
    pub fn new(release_id: Option<String>, mut images: Vec<ImageRef>) -> Self {
        images.sort_by(|a, b| {
            (&a.study_uid, &a.series_uid, &a.file_name).cmp(&(
                &b.study_uid,
                &b.series_uid,
                &b.file_name,
            ))
        });
        Self { release_id, images }
    }

    /// The images of a scanned release.
    pub fn from_index(index: &Index) -> Self {
        let images = index
            .series()
            .flat_map(|series| {
                series.instances.iter().map(|i| ImageRef {
                    study_uid: i.study_uid.clone(),
                    series_uid: i.series_uid.clone(),
                    sop_uid: i.sop_uid.clone(),
                    file_name: i.file_name.clone(),
                    bytes: i.file_size,
                    modality: series.modality.clone(),
                    body_part: series.body_part.clone(),
                })
            })
            .collect();
        Self::new(index.release_id().map(str::to_owned), images)
    }
}
