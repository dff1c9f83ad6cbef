//! What the index keeps of each file: identifiers, geometry and the tags a reviewer needs.

use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use serde::{Deserialize, Serialize};

use crate::attrs::{float, floats, int, text};
use crate::measure::PixelSpacing;

/// One DICOM file (one SOP instance) as the index knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// The file name as on disk (what the keep-list names).
    pub file_name: String,
    /// File size in bytes when scanned.
    pub file_size: u64,
    /// Modification time in nanoseconds since the Unix epoch when scanned.
    pub mtime_ns: i64,
    /// Transfer syntax UID.
    pub transfer_syntax: String,
    /// SOP Class UID.
    pub sop_class_uid: String,
    /// SOP Instance UID.
    pub sop_uid: String,
    /// Instance Number.
    pub number: Option<i64>,
    /// Number of Frames (1 when absent).
    pub frames: u32,
    /// Rows.
    pub rows: u32,
    /// Columns.
    pub cols: u32,
    /// Samples per Pixel.
    pub samples_per_pixel: u16,
    /// Bits Allocated.
    pub bits_allocated: u16,
    /// Photometric Interpretation.
    pub photometric: Option<String>,
    /// Patient ID (encrypted in a release).
    pub patient_id: String,
    /// Patient's Sex.
    pub patient_sex: Option<String>,
    /// Patient's Age (`045Y`).
    pub patient_age: Option<String>,
    /// Study Instance UID.
    pub study_uid: String,
    /// Study Date (`YYYYMMDD`).
    pub study_date: Option<String>,
    /// Study Time.
    pub study_time: Option<String>,
    /// Study Description.
    pub study_description: Option<String>,
    /// Accession Number.
    pub accession_number: Option<String>,
    /// Series Instance UID.
    pub series_uid: String,
    /// Series Number.
    pub series_number: Option<i64>,
    /// Series Description.
    pub series_description: Option<String>,
    /// Series Date.
    pub series_date: Option<String>,
    /// Modality.
    pub modality: Option<String>,
    /// Body Part Examined.
    pub body_part: Option<String>,
    /// Protocol Name.
    pub protocol_name: Option<String>,
    /// Content Date.
    pub content_date: Option<String>,
    /// Pixel Spacing (row spacing, column spacing) in mm.
    pub pixel_spacing_mm: Option<[f64; 2]>,
    /// Imager Pixel Spacing in mm (projection radiography: at the detector).
    pub imager_pixel_spacing_mm: Option<[f64; 2]>,
    /// Slice Thickness in mm.
    pub slice_thickness_mm: Option<f64>,
    /// Slice Location in mm.
    pub slice_location_mm: Option<f64>,
    /// Image Position (Patient) in mm.
    pub position_mm: Option<[f64; 3]>,
    /// Image Orientation (Patient): row then column direction cosines.
    pub orientation: Option<[f64; 6]>,
    /// Frame of Reference UID.
    pub frame_of_reference_uid: Option<String>,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Manufacturer's Model Name.
    pub model_name: Option<String>,
    /// Patient Identity Removed (`YES`/`NO`).
    pub identity_removed: Option<String>,
    /// De-identification Method.
    pub deidentification_method: Option<String>,
    /// Burned In Annotation (`YES`/`NO`).
    pub burned_in_annotation: Option<String>,
    /// What was read with a warning (no SOP Instance UID, trailing bytes cut off);
    /// empty for a well-formed file.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// The warning of an instance indexed without SOP Instance UID.
pub const NO_SOP_UID_WARNING: &str = "no SOPInstanceUID (0008,0018): indexed by its path; it can be reviewed, but a keep-list cannot name it by UID";

/// A required attribute that is missing.
#[derive(Debug, thiserror::Error)]
#[error("missing required attribute {0}")]
pub struct MissingAttribute(pub &'static str);

fn pair(v: Option<Vec<f64>>) -> Option<[f64; 2]> {
    v.and_then(|v| v.get(..2).map(|s| [s[0], s[1]]))
}

impl Instance {
    /// Reads the index fields from a parsed header.
    pub fn from_dataset(
        path: &Path,
        file_size: u64,
        mtime_ns: i64,
        transfer_syntax: &str,
        obj: &InMemDicomObject,
    ) -> Result<Self, MissingAttribute> {
        let required = |tag, name| text(obj, tag).ok_or(MissingAttribute(name));
        Ok(Self {
            path: path.to_path_buf(),
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            file_size,
            mtime_ns,
            transfer_syntax: transfer_syntax.to_owned(),
            sop_class_uid: text(obj, tags::SOP_CLASS_UID).unwrap_or_default(),
            // Missing: keyed by path when the index is assembled (see `index::path_key`).
            sop_uid: text(obj, tags::SOP_INSTANCE_UID).unwrap_or_default(),
            number: int(obj, tags::INSTANCE_NUMBER),
            frames: int(obj, tags::NUMBER_OF_FRAMES)
                .filter(|n| *n >= 1)
                .map_or(1, |n| n as u32),
            rows: int(obj, tags::ROWS).unwrap_or(0).max(0) as u32,
            cols: int(obj, tags::COLUMNS).unwrap_or(0).max(0) as u32,
            samples_per_pixel: int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1) as u16,
            bits_allocated: int(obj, tags::BITS_ALLOCATED).unwrap_or(0) as u16,
            photometric: text(obj, tags::PHOTOMETRIC_INTERPRETATION),
            patient_id: text(obj, tags::PATIENT_ID).unwrap_or_default(),
            patient_sex: text(obj, tags::PATIENT_SEX),
            patient_age: text(obj, tags::PATIENT_AGE),
            study_uid: required(tags::STUDY_INSTANCE_UID, "StudyInstanceUID")?,
            study_date: text(obj, tags::STUDY_DATE),
            study_time: text(obj, tags::STUDY_TIME),
            study_description: text(obj, tags::STUDY_DESCRIPTION),
            accession_number: text(obj, tags::ACCESSION_NUMBER),
            series_uid: required(tags::SERIES_INSTANCE_UID, "SeriesInstanceUID")?,
            series_number: int(obj, tags::SERIES_NUMBER),
            series_description: text(obj, tags::SERIES_DESCRIPTION),
            series_date: text(obj, tags::SERIES_DATE),
            modality: text(obj, tags::MODALITY),
            body_part: text(obj, tags::BODY_PART_EXAMINED),
            protocol_name: text(obj, tags::PROTOCOL_NAME),
            content_date: text(obj, tags::CONTENT_DATE),
            pixel_spacing_mm: pair(floats(obj, tags::PIXEL_SPACING)),
            imager_pixel_spacing_mm: pair(floats(obj, tags::IMAGER_PIXEL_SPACING)),
            slice_thickness_mm: float(obj, tags::SLICE_THICKNESS),
            slice_location_mm: float(obj, tags::SLICE_LOCATION),
            position_mm: floats(obj, tags::IMAGE_POSITION_PATIENT)
                .and_then(|v| v.get(..3).map(|s| [s[0], s[1], s[2]])),
            orientation: floats(obj, tags::IMAGE_ORIENTATION_PATIENT)
                .and_then(|v| v.get(..6).map(|s| [s[0], s[1], s[2], s[3], s[4], s[5]])),
            frame_of_reference_uid: text(obj, tags::FRAME_OF_REFERENCE_UID),
            manufacturer: text(obj, tags::MANUFACTURER),
            model_name: text(obj, tags::MANUFACTURER_MODEL_NAME),
            identity_removed: text(obj, tags::PATIENT_IDENTITY_REMOVED),
            deidentification_method: text(obj, tags::DEIDENTIFICATION_METHOD),
            burned_in_annotation: text(obj, tags::BURNED_IN_ANNOTATION),
            warnings: if text(obj, tags::SOP_INSTANCE_UID).is_none() {
                vec![NO_SOP_UID_WARNING.to_owned()]
            } else {
                Vec::new()
            },
        })
    }

    /// Bytes the uncompressed pixel data needs (for the truncation check).
    pub fn native_pixel_bytes(&self) -> u64 {
        let bits = u64::from(self.rows)
            * u64::from(self.cols)
            * u64::from(self.samples_per_pixel)
            * u64::from(self.bits_allocated)
            * u64::from(self.frames);
        bits.div_ceil(8)
    }

    /// The spacing to measure with: Pixel Spacing, else Imager Pixel Spacing, else
    /// none (pixels); see [`PixelSpacing::from_attributes`].
    pub fn pixel_spacing(&self) -> PixelSpacing {
        PixelSpacing::from_attributes(self.pixel_spacing_mm, self.imager_pixel_spacing_mm)
    }

    /// The slice normal (row × column direction) when the orientation is known.
    pub fn normal(&self) -> Option<[f64; 3]> {
        slice_normal(self.orientation?)
    }
}

/// The unit slice normal of an Image Orientation (Patient) `o` (row cosines, then
/// column cosines): row direction × column direction; `None` when degenerate.
pub fn slice_normal(o: [f64; 6]) -> Option<[f64; 3]> {
    let n = [
        o[1] * o[5] - o[2] * o[4],
        o[2] * o[3] - o[0] * o[5],
        o[0] * o[4] - o[1] * o[3],
    ];
    let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
    (len > 1e-6 && len.is_finite()).then(|| [n[0] / len, n[1] / len, n[2] / len])
}
