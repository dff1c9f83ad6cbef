//! One annotation shape and its attributes.

use serde::{Deserialize, Serialize};

/// How a shape was drawn. Every kind but [`ShapeKind::Point`] is a closed ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeKind {
    /// Clicked vertex by vertex.
    Polygon,
    /// Traced with the mouse, then simplified.
    Freehand,
    /// Dragged as an axis-aligned rectangle (stored as its 4 corners).
    Rectangle,
    /// Dragged as an axis-aligned ellipse (stored as a polygon of many vertices).
    Ellipse,
    /// A single landmark point.
    Point,
}

impl ShapeKind {
    /// Every kind, in menu order.
    pub const ALL: [Self; 5] = [
        Self::Polygon,
        Self::Freehand,
        Self::Rectangle,
        Self::Ellipse,
        Self::Point,
    ];

    /// The stable lower-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Polygon => "polygon",
            Self::Freehand => "freehand",
            Self::Rectangle => "rectangle",
            Self::Ellipse => "ellipse",
            Self::Point => "point",
        }
    }

    /// True for kinds that enclose an area (all but points).
    pub fn is_area(self) -> bool {
        self != Self::Point
    }
}

/// How suspicious the annotator thinks the finding is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grade {
    /// Not graded.
    #[default]
    None,
    /// Low suspicion.
    Low,
    /// Medium suspicion.
    Medium,
    /// High suspicion.
    High,
}

impl Grade {
    /// Every grade, lowest first.
    pub const ALL: [Self; 4] = [Self::None, Self::Low, Self::Medium, Self::High];

    /// The stable lower-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// The frame a shape is drawn on: which image, which frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ImageKey {
    /// SOP Instance UID of the image.
    pub sop_uid: String,
    /// DICOM frame number, 1-based (1 for a single-frame image).
    pub frame: u32,
}

/// Where a shape lies in the release: the image's UIDs and file name, and the frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShapeImage {
    /// Study Instance UID.
    pub study_uid: String,
    /// Series Instance UID.
    pub series_uid: String,
    /// SOP Instance UID.
    pub sop_uid: String,
    /// The DICOM file's name (no folder).
    pub file_name: String,
    /// DICOM frame number, 1-based.
    pub frame: u32,
}

impl ShapeImage {
    /// The frame's key.
    pub fn key(&self) -> ImageKey {
        ImageKey {
            sop_uid: self.sop_uid.clone(),
            frame: self.frame,
        }
    }
}

/// One annotation: a shape on one frame with its label and attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    /// Unique and stable: kept through edits, exports and imports.
    pub id: String,
    /// How it was drawn.
    pub kind: ShapeKind,
    /// The label's name (one of the project's label set).
    pub label: String,
    /// The frame it is drawn on.
    pub image: ShapeImage,
    /// The ring's vertices (open: the first is not repeated), or the one point of a
    /// landmark, in image pixel coordinates (see the module doc of [`crate::annotate`]).
    pub points: Vec<[f64; 2]>,
    /// Suspicion grade.
    pub grade: Grade,
    /// A model's confidence in the finding (higher is surer, usually 0–1); `None` for a
    /// reader's shape. Agreement ranks scored findings for AP, FROC and ROC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// How the shape was made when not drawn by hand (`region-grow`, `interpolated`);
    /// `None` for a hand-drawn or imported shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The parameters `source` ran with (window, seed, key frames), for the record.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub source_parameters: serde_json::Map<String, serde_json::Value>,
    /// Free-text note.
    pub note: String,
    /// Who drew it (the reviewer name of the session).
    pub annotator: String,
    /// When it was created (RFC 3339, UTC).
    pub created: String,
    /// When it was last changed (RFC 3339, UTC).
    pub modified: String,
}

/// Statistics of the pixels inside a shape, in modality units (HU for CT), over the
/// pixels whose centre is inside (the mask's rule), padding and non-finite excluded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PixelStats {
    /// Pixels counted.
    pub count: u64,
    /// Mean value.
    pub mean: Option<f64>,
    /// Sample standard deviation (divides by n − 1).
    pub sd: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

/// What a closed shape measures. Lengths are in `unit` ("mm" with a calibrated pixel
/// spacing, else "px"), areas in its square.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    /// "mm" or "px".
    pub unit: String,
    /// Enclosed area (even-odd: a self-overlapping ring counts its overlap once).
    pub area: f64,
    /// Length of the ring.
    pub perimeter: f64,
    /// Longest distance between two vertices.
    pub longest_diameter: f64,
    /// Its two end points, in image pixel coordinates.
    pub longest_diameter_points: [[f64; 2]; 2],
    /// The longest chord inside the shape perpendicular to the longest diameter
    /// (RECIST's short axis).
    pub perpendicular: f64,
    /// Its two end points, in image pixel coordinates.
    pub perpendicular_points: [[f64; 2]; 2],
    /// Statistics of the pixels inside, when the frame's values were at hand.
    pub stats: Option<PixelStats>,
}
