//! Importing a DICOM Segmentation (ours or another tool's) as shapes of another
//! annotator: each segment's mask on each source frame becomes outlines traced along
//! the pixel edges ([`crate::assist::contour::rings`], no simplification, so the
//! centre-rule mask of the outlines is the segment's mask), labelled by the segment
//! label, marked `source: dicom-seg`.
//!
//! A frame's source image comes from its Derivation Image Sequence, as the standard
//! asks writers to give it; a writer that gave only the plane position (some 3-D
//! pipelines) is matched to the release's image at that position. Binary SEG only, in
//! a native (uncompressed) transfer syntax; fractional segmentations are refused with
//! the reason. Holes in a segment are filled: a shape is one outline.

use std::collections::BTreeMap;
use std::path::Path;

use dicom_core::Tag;
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;

use super::FilesError;
use super::lightbox_json::AnnotationFile;
use crate::annotate::labels::{Code, Label, LabelCodes, LabelSet};
use crate::annotate::new_shape_id;
use crate::annotate::shape::{Grade, Shape, ShapeImage, ShapeKind};
use crate::assist::contour::rings;
use crate::index::{Index, Instance};

/// The provenance written on imported shapes.
pub const SOURCE: &str = "dicom-seg";

/// The colour of labels a Segmentation brings that the project lacks.
const NEW_LABEL_COLOUR: &str = "#c0c0c0";

/// Reads an annotation file to import: a DICOM file as a Segmentation ([`read_seg`]),
/// anything else as our JSON. The CLI and the viewer import through it.
///
/// # Errors
/// As [`read_seg`] and [`super::lightbox_json::read`].
pub fn read_any(path: &Path, index: &Index) -> Result<AnnotationFile, FilesError> {
    use std::io::Read;
    let mut head = [0u8; 132];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|source| FilesError::Read {
            path: path.to_owned(),
            source,
        })?;
    match crate::dicom_file::sniff(&head[..n]) {
        crate::dicom_file::Sniff::NotDicom => super::lightbox_json::read(path),
        _ => read_seg(path, index),
    }
}

/// Reads the Segmentation at `path`, made on images of the release `index` holds, as
/// an annotation file to merge.
///
/// # Errors
/// [`FilesError::Read`] for a file that is not a binary Segmentation we can read or
/// whose frames name no image of the release.
pub fn read_seg(path: &Path, index: &Index) -> Result<AnnotationFile, FilesError> {
    let refuse = |reason: String| FilesError::Read {
        path: path.to_owned(),
        source: std::io::Error::other(reason),
    };
    let file = crate::dicom_file::open(path, false).map_err(|e| refuse(e.to_string()))?;
    let ds = &file.dataset;
    let text = |tag: Tag| {
        ds.element(tag)
            .ok()
            .and_then(|e| e.to_str().ok())
            .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
            .unwrap_or_default()
    };
    let number = |obj: &InMemDicomObject, tag: Tag| {
        obj.element(tag).ok().and_then(|e| e.to_int::<i64>().ok())
    };
    if text(tags::SOP_CLASS_UID) != uids::SEGMENTATION_STORAGE {
        return Err(refuse(format!(
            "not a DICOM Segmentation (SOP Class {})",
            text(tags::SOP_CLASS_UID)
        )));
    }
    if text(tags::SEGMENTATION_TYPE) != "BINARY" {
        return Err(refuse(format!(
            "a {} segmentation; only BINARY ones are read",
            text(tags::SEGMENTATION_TYPE)
        )));
    }
    let (rows, cols) = (
        number(ds, tags::ROWS).unwrap_or(0) as usize,
        number(ds, tags::COLUMNS).unwrap_or(0) as usize,
    );
    let frames = number(ds, tags::NUMBER_OF_FRAMES).unwrap_or(1).max(0) as usize;
    if rows == 0 || cols == 0 || rows * cols > 1 << 26 {
        return Err(refuse(format!("unusable size {cols} × {rows}")));
    }
    let bits = ds
        .element(tags::PIXEL_DATA)
        .ok()
        .and_then(|e| e.to_bytes().ok())
        .ok_or_else(|| refuse("no native Pixel Data (encapsulated SEG is not read)".into()))?;
    let plane = rows * cols;
    if bits.len() * 8 < plane * frames {
        return Err(refuse(format!(
            "Pixel Data holds {} bytes, {frames} frames of {cols} × {rows} need {}",
            bits.len(),
            (plane * frames).div_ceil(8)
        )));
    }
    let creator = text(tags::CONTENT_CREATOR_NAME).replace('^', " ");
    let annotator = if creator.trim().is_empty() {
        "DICOM SEG".to_owned()
    } else {
        format!("{} (DICOM SEG)", creator.trim())
    };
    let segments = segment_labels(ds);
    let per_frame = items(ds, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
    let shared = items(ds, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE);
    let seg_uid = text(tags::SOP_INSTANCE_UID);
    let mut shapes = Vec::new();
    for (k, item) in per_frame.iter().take(frames).enumerate() {
        let segment = first(item, tags::SEGMENT_IDENTIFICATION_SEQUENCE)
            .or_else(|| {
                shared
                    .first()
                    .and_then(|s| first(s, tags::SEGMENT_IDENTIFICATION_SEQUENCE))
            })
            .and_then(|s| number(&s, tags::REFERENCED_SEGMENT_NUMBER))
            .ok_or_else(|| refuse(format!("frame {} names no segment", k + 1)))?;
        let (instance, frame) = source_of(item, index)
            .ok_or_else(|| refuse(format!("frame {} names no image of this release", k + 1)))?;
        if (instance.rows as usize, instance.cols as usize) != (rows, cols) {
            return Err(refuse(format!(
                "frame {} is {cols} × {rows} but its image {} is {} × {}",
                k + 1,
                instance.file_name,
                instance.cols,
                instance.rows
            )));
        }
        let mask: Vec<bool> = (0..plane)
            .map(|i| {
                let bit = k * plane + i;
                bits[bit / 8] >> (bit % 8) & 1 == 1
            })
            .collect();
        let label = segments
            .get(&segment)
            .map_or_else(|| format!("segment {segment}"), |l| l.name.clone());
        let spacing = instance.pixel_spacing();
        for ring in rings(&mask, rows, cols, 0.0, &spacing) {
            let mut parameters = serde_json::Map::new();
            parameters.insert("file".into(), path.display().to_string().into());
            parameters.insert("sop_instance_uid".into(), seg_uid.clone().into());
            parameters.insert("segment_number".into(), segment.into());
            shapes.push(Shape {
                id: new_shape_id(&annotator),
                kind: ShapeKind::Polygon,
                label: label.clone(),
                image: ShapeImage {
                    study_uid: instance.study_uid.clone(),
                    series_uid: instance.series_uid.clone(),
                    sop_uid: instance.sop_uid.clone(),
                    file_name: instance.file_name.clone(),
                    frame,
                },
                points: ring,
                grade: Grade::None,
                score: None,
                source: Some(SOURCE.into()),
                source_parameters: parameters,
                note: String::new(),
                annotator: annotator.clone(),
                created: String::new(),
                modified: String::new(),
            });
        }
    }
    Ok(AnnotationFile {
        release_id: None,
        labels: LabelSet {
            labels: segments.into_values().collect(),
        },
        shapes,
    })
}

/// The items of sequence `tag` (none when absent).
fn items(obj: &InMemDicomObject, tag: Tag) -> Vec<InMemDicomObject> {
    obj.element(tag)
        .ok()
        .and_then(|e| e.items())
        .map(<[InMemDicomObject]>::to_vec)
        .unwrap_or_default()
}

/// The first item of sequence `tag`.
fn first(obj: &InMemDicomObject, tag: Tag) -> Option<InMemDicomObject> {
    items(obj, tag).into_iter().next()
}

/// A code sequence's first item as a [`Code`].
fn code(obj: &InMemDicomObject, tag: Tag) -> Option<Code> {
    let item = first(obj, tag)?;
    let text = |t: Tag| {
        item.element(t)
            .ok()
            .and_then(|e| e.to_str().ok())
            .map(|s| s.trim().to_owned())
    };
    Some(Code {
        scheme: text(tags::CODING_SCHEME_DESIGNATOR)?,
        value: text(tags::CODE_VALUE).or_else(|| text(tags::LONG_CODE_VALUE))?,
        meaning: text(tags::CODE_MEANING).unwrap_or_default(),
    })
}

/// Each segment's label (its Segment Label, else `segment N`) with its codes.
fn segment_labels(ds: &InMemDicomObject) -> BTreeMap<i64, Label> {
    items(ds, tags::SEGMENT_SEQUENCE)
        .iter()
        .filter_map(|s| {
            let n = s.element(tags::SEGMENT_NUMBER).ok()?.to_int::<i64>().ok()?;
            let name = s
                .element(tags::SEGMENT_LABEL)
                .ok()
                .and_then(|e| e.to_str().ok())
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| format!("segment {n}"));
            let codes = code(s, tags::SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE)
                .zip(code(s, tags::SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE))
                .map(|(category, kind)| LabelCodes { category, kind });
            Some((
                n,
                Label {
                    name,
                    colour: NEW_LABEL_COLOUR.into(),
                    hotkey: String::new(),
                    description: "added on import: a segment of a DICOM Segmentation".into(),
                    codes,
                },
            ))
        })
        .collect()
}

/// The image (and frame, from 1) a frame was derived from: its Derivation Image
/// Sequence, else the release's image at its plane position.
fn source_of<'a>(item: &InMemDicomObject, index: &'a Index) -> Option<(&'a Instance, u32)> {
    let by_reference = first(item, tags::DERIVATION_IMAGE_SEQUENCE)
        .and_then(|d| first(&d, tags::SOURCE_IMAGE_SEQUENCE))
        .and_then(|s| {
            let uid = s
                .element(tags::REFERENCED_SOP_INSTANCE_UID)
                .ok()?
                .to_str()
                .ok()?;
            let uid = uid.trim_end_matches(['\0', ' ']).to_owned();
            let frame = s
                .element(tags::REFERENCED_FRAME_NUMBER)
                .ok()
                .and_then(|e| e.to_int::<u32>().ok())
                .unwrap_or(1);
            index
                .instances()
                .find(|i| i.sop_uid == uid)
                .map(|i| (i, frame))
        });
    by_reference.or_else(|| {
        let position: Vec<f64> = first(item, tags::PLANE_POSITION_SEQUENCE)?
            .element(tags::IMAGE_POSITION_PATIENT)
            .ok()?
            .to_multi_float64()
            .ok()?;
        let [x, y, z] = <[f64; 3]>::try_from(position).ok()?;
        index
            .instances()
            .find(|i| {
                i.position_mm
                    .is_some_and(|p| (p[0] - x).abs() + (p[1] - y).abs() + (p[2] - z).abs() < 1e-3)
            })
            .map(|i| (i, 1))
    })
}
