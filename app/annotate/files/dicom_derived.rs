//! What the DICOM objects Lightbox writes from annotations (SEG, SR) share: new UIDs,
//! the header copied from the source images (patient, study, frame of reference), the
//! atomic write of a Part 10 file, and the sequence and code items they are built of;
//! and what the importers of DICOM objects (SEG, RTSTRUCT, SR) share when they read
//! them back: sequence items, coded concepts, the error that names the file.
//!
//! A derived object belongs to the source's patient and study, in a new series
//! (PS3.3 C.7.3.1): the viewer and the PACS must file it beside the images it
//! describes, so the Patient, General Study and Patient Study modules are copied
//! element by element from the first source image, never rebuilt from our index.

use std::path::{Path, PathBuf};

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

use super::FilesError;
use crate::annotate::labels::Code;
use crate::synth::dicom_out::Dataset;

/// Our implementation's UID and version name, in the file meta of what we write (our
/// SEG and SR, the synthetic sample, the instances a DIMSE retrieval stores).
pub(crate) const IMPLEMENTATION_CLASS_UID: &str = "2.25.1078402398203129813941096361";
/// See [`IMPLEMENTATION_CLASS_UID`].
pub(crate) const IMPLEMENTATION_VERSION: &str = "LIGHTBOX_0_1";

/// The elements copied from the source image: Patient, General Study, Patient Study
/// and the Frame of Reference UID.
const COPIED: [Tag; 15] = [
    tags::PATIENT_NAME,
    tags::PATIENT_ID,
    tags::PATIENT_BIRTH_DATE,
    tags::PATIENT_SEX,
    tags::PATIENT_AGE,
    tags::STUDY_INSTANCE_UID,
    tags::STUDY_DATE,
    tags::STUDY_TIME,
    tags::REFERRING_PHYSICIAN_NAME,
    tags::STUDY_ID,
    tags::ACCESSION_NUMBER,
    tags::STUDY_DESCRIPTION,
    tags::FRAME_OF_REFERENCE_UID,
    tags::POSITION_REFERENCE_INDICATOR,
    tags::BODY_PART_EXAMINED,
];

/// Elements a derived object must have even when the source lacks them (type 2: present,
/// maybe empty).
const TYPE2: [(Tag, VR); 8] = [
    (tags::PATIENT_NAME, VR::PN),
    (tags::PATIENT_ID, VR::LO),
    (tags::PATIENT_BIRTH_DATE, VR::DA),
    (tags::PATIENT_SEX, VR::CS),
    (tags::STUDY_DATE, VR::DA),
    (tags::STUDY_TIME, VR::TM),
    (tags::REFERRING_PHYSICIAN_NAME, VR::PN),
    (tags::STUDY_ID, VR::SH),
];

/// A new UID under the `2.25` root from 128 random bits (PS3.5 B.2), different every
/// call.
pub fn new_uid() -> String {
    let mut bytes = [0u8; 16];
    // The OS generator; a failure (no entropy source) falls back to the clock and a
    // counter, still unique within this process and very unlikely to repeat elsewhere.
    if getrandom::fill(&mut bytes).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        bytes = (nanos ^ (u128::from(n) << 64) ^ u128::from(std::process::id())).to_le_bytes();
    }
    // A version-4 UUID, as an integer (ITU-T X.667): at most 39 digits.
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    format!("2.25.{}", u128::from_be_bytes(bytes))
}

/// Reads the header of a source image (no pixel data).
///
/// # Errors
/// [`FilesError::Read`] naming the file.
pub fn read_source(path: &Path) -> Result<InMemDicomObject, FilesError> {
    crate::dicom_file::open(path, true)
        .map(|f| f.dataset)
        .map_err(|e| FilesError::Read {
            path: path.to_owned(),
            source: std::io::Error::other(e.to_string()),
        })
}

/// A new data set of a derived object in a new series of `source`'s study: the
/// patient and study copied, `modality`, new Series Instance UID, `series_number`,
/// `series_description`, today's content date and time, Lightbox as the manufacturer.
/// The caller adds the SOP Class and Instance UIDs and the object's own modules.
pub fn derived_header(
    source: &InMemDicomObject,
    modality: &str,
    series_number: i64,
    series_description: &str,
) -> Dataset {
    let mut ds = Dataset::new();
    for (tag, vr) in TYPE2 {
        ds.0.put(DataElement::new(tag, vr, PrimitiveValue::Empty));
    }
    for tag in COPIED {
        if let Ok(e) = source.element(tag) {
            ds.0.put(e.clone());
        }
    }
    // Frame of Reference module: Position Reference Indicator is type 2.
    if source.element(tags::FRAME_OF_REFERENCE_UID).is_ok()
        && source.element(tags::POSITION_REFERENCE_INDICATOR).is_err()
    {
        ds.0.put(DataElement::new(
            tags::POSITION_REFERENCE_INDICATOR,
            VR::LO,
            PrimitiveValue::Empty,
        ));
    }
    let (date, time) = now_da_tm();
    ds.text(tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 192")
        .text(tags::MODALITY, VR::CS, modality)
        .text(tags::SERIES_INSTANCE_UID, VR::UI, &new_uid())
        .is(tags::SERIES_NUMBER, series_number)
        .text(tags::SERIES_DESCRIPTION, VR::LO, series_description)
        .text(tags::MANUFACTURER, VR::LO, "Lightbox")
        .text(tags::MANUFACTURER_MODEL_NAME, VR::LO, "Lightbox")
        .text(tags::DEVICE_SERIAL_NUMBER, VR::LO, "1")
        .text(tags::SOFTWARE_VERSIONS, VR::LO, env!("CARGO_PKG_VERSION"))
        .is(tags::INSTANCE_NUMBER, 1)
        .text(tags::CONTENT_DATE, VR::DA, &date)
        .text(tags::CONTENT_TIME, VR::TM, &time)
        .text(tags::INSTANCE_CREATION_DATE, VR::DA, &date)
        .text(tags::INSTANCE_CREATION_TIME, VR::TM, &time);
    ds
}

/// Today's date and the time now (UTC), as DA and TM.
fn now_da_tm() -> (String, String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let t = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}{m:02}{d:02}"),
        format!("{:02}{:02}{:02}", t / 3600, t / 60 % 60, t % 60),
    )
}

/// Writes `ds` as a Part 10 file (Explicit VR Little Endian) of `sop_class`,
/// `sop_uid` at `path`, atomically.
///
/// # Errors
/// [`FilesError::Write`] naming the file.
pub fn write_part10(
    mut ds: Dataset,
    sop_class: &str,
    sop_uid: &str,
    path: &Path,
) -> Result<PathBuf, FilesError> {
    let fail = |message: String| FilesError::Write {
        path: path.to_owned(),
        source: std::io::Error::other(message),
    };
    ds.text(tags::SOP_CLASS_UID, VR::UI, sop_class)
        .text(tags::SOP_INSTANCE_UID, VR::UI, sop_uid);
    let meta = FileMetaTableBuilder::new()
        .transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN)
        .media_storage_sop_class_uid(sop_class)
        .media_storage_sop_instance_uid(sop_uid)
        .implementation_class_uid(IMPLEMENTATION_CLASS_UID)
        .implementation_version_name(IMPLEMENTATION_VERSION);
    let file = ds.0.with_meta(meta).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    file.write_all(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    crate::fsutil::write_atomic(path, &bytes).map_err(|source| FilesError::Write {
        path: path.to_owned(),
        source,
    })?;
    Ok(path.to_owned())
}

/// A Code Sequence item (PS3.3 8.8) of `(value, scheme, meaning)`: the value as Code
/// Value when it fits SH, else as Long Code Value.
pub fn code_item((value, scheme, meaning): (&str, &str, &str)) -> InMemDicomObject {
    item(|d| {
        if value.len() <= 16 && value.is_ascii() && !value.contains('\\') {
            d.text(tags::CODE_VALUE, VR::SH, value);
        } else {
            d.text(tags::LONG_CODE_VALUE, VR::UC, value);
        }
        d.text(
            tags::CODING_SCHEME_DESIGNATOR,
            VR::SH,
            &truncate(scheme, 16),
        )
        .text(tags::CODE_MEANING, VR::LO, &truncate(meaning, 64));
    })
}

/// A sequence item built by `fill`.
pub fn item(fill: impl FnOnce(&mut Dataset)) -> InMemDicomObject {
    let mut d = Dataset::new();
    fill(&mut d);
    d.0
}

/// Puts a sequence of `items` at `tag`.
pub fn put_seq(ds: &mut InMemDicomObject, tag: Tag, items: Vec<InMemDicomObject>) {
    ds.put(DataElement::new(tag, VR::SQ, DataSetSequence::from(items)));
}

/// `text` cut to `max` characters (a VR's limit).
pub fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The items of sequence `tag` of `obj` (none when it is absent or not a sequence).
pub fn items(obj: &InMemDicomObject, tag: Tag) -> &[InMemDicomObject] {
    obj.get(tag).and_then(|e| e.items()).unwrap_or(&[])
}

/// The first item of code sequence `tag` as a [`Code`]: its Coding Scheme Designator,
/// Code Value (or Long Code Value, or URN Code Value) and Code Meaning (empty when
/// absent); `None` without a scheme or value.
pub fn read_code(obj: &InMemDicomObject, tag: Tag) -> Option<Code> {
    let item = items(obj, tag).first()?;
    let text = |t: Tag| crate::attrs::text(item, t);
    Some(Code {
        scheme: text(tags::CODING_SCHEME_DESIGNATOR)?,
        value: text(tags::CODE_VALUE)
            .or_else(|| text(tags::LONG_CODE_VALUE))
            .or_else(|| text(tags::URN_CODE_VALUE))?,
        meaning: text(tags::CODE_MEANING).unwrap_or_default(),
    })
}

/// True when `code` is the concept `(value, scheme, _)`, whatever its meaning says.
pub fn is_code(code: Option<&Code>, (value, scheme, _): (&str, &str, &str)) -> bool {
    code.is_some_and(|c| c.value == value && c.scheme == scheme)
}

/// The error of an import refusing `path` for `reason`.
pub fn refused(path: &Path, reason: impl Into<String>) -> FilesError {
    FilesError::Read {
        path: path.to_owned(),
        source: std::io::Error::other(reason.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_uids_are_valid_2_25_uids_and_differ() {
        let (a, b) = (new_uid(), new_uid());
        assert_ne!(a, b);
        for u in [&a, &b] {
            assert!(u.starts_with("2.25.") && u.len() <= 64, "{u}");
            let n = &u[5..];
            assert!(
                n.bytes().all(|c| c.is_ascii_digit()) && !n.starts_with('0'),
                "{u}"
            );
        }
    }

    #[test]
    fn dates_are_civil() {
        let (d, t) = now_da_tm();
        assert_eq!((d.len(), t.len()), (8, 6));
        assert!(d.as_str() >= "20260101", "{d}");
    }
}
