//! Importing DICOM annotation objects, and a DICOM Segmentation (ours or another
//! tool's) in particular.
//!
//! [`read_any`] is the one entry of the CLI's and the viewer's import: it tells the
//! formats apart by content, not by file name (a PACS names files by UID): a file that
//! is not DICOM is our JSON; a DICOM file goes to the reader of its SOP Class —
//! Segmentation here, RT Structure Set ([`super::rtstruct_import`]), Comprehensive,
//! Enhanced, Comprehensive 3D or Extensible SR ([`super::sr_import`]). Every import
//! makes shapes of another annotator (`"<who> (DICOM SEG)"`, `(RTSTRUCT)`,
//! `(DICOM SR)`), marked with their `source`, so merging never overwrites a reader's
//! own shapes; the shape and label builders they share live here.
//!
//! A Segmentation's segments' masks on each source frame become outlines traced along
//! the pixel edges ([`crate::assist::contour::rings`], no simplification, so the
//! centre-rule mask of the outlines is the segment's mask), labelled by the segment
//! label, marked `source: dicom-seg`.
//!
//! A frame's source image comes from its Derivation Image Sequence, as the standard
//! asks writers to give it; a writer that gave only the plane position (some 3-D
//! pipelines) is matched to the release's image at that position. Binary SEG only, in
//! a native (uncompressed) transfer syntax; fractional segmentations are refused with
//! the reason. Holes in a segment are filled: a shape is one outline.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;

use super::FilesError;
use super::dicom_derived::{items, read_code, refused};
use super::lightbox_json::AnnotationFile;
use crate::annotate::labels::{Label, LabelCodes, LabelSet};
use crate::annotate::new_shape_id;
use crate::annotate::shape::{Grade, Shape, ShapeImage, ShapeKind};
use crate::assist::contour::rings;
use crate::attrs::{first_item, int, text};
use crate::index::{Index, Instance};

/// The provenance written on imported shapes.
pub const SOURCE: &str = "dicom-seg";

/// The colour of labels an import brings that the project lacks, when the file gives
/// none.
pub const NEW_LABEL_COLOUR: &str = "#c0c0c0";

/// SR storage classes whose content tree may hold a TID 1500 Measurement Report with
/// spatial coordinates: Enhanced, Comprehensive, Comprehensive 3D and Extensible SR.
pub const SR_CLASSES: [&str; 4] = [
    uids::ENHANCED_SR_STORAGE,
    uids::COMPREHENSIVE_SR_STORAGE,
    uids::COMPREHENSIVE3_DSR_STORAGE,
    uids::EXTENSIBLE_SR_STORAGE,
];

/// What an import read: the shapes and labels to merge, and what it left out and why
/// (one line each, naming the file's part: a contour on no image of the release, a
/// graphic type shapes cannot hold…), for the caller to show.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The shapes and the labels they use.
    pub file: AnnotationFile,
    /// What was left out, one message a line; empty when everything was read.
    pub warnings: Vec<String>,
}

impl From<AnnotationFile> for Imported {
    /// A file read whole, nothing left out.
    fn from(file: AnnotationFile) -> Self {
        Imported {
            file,
            warnings: Vec::new(),
        }
    }
}

impl Imported {
    /// The `shapes` and `labels` an import of `path` read, with its `warnings`;
    /// refused when no shape came of it: with `nothing` when nothing was left out
    /// either, else saying that none of its `parts` became a shape and why.
    pub fn of(
        path: &Path,
        shapes: Vec<Shape>,
        labels: Vec<Label>,
        warnings: Vec<String>,
        nothing: impl FnOnce() -> String,
        parts: &str,
    ) -> Result<Self, FilesError> {
        if shapes.is_empty() {
            let why = if warnings.is_empty() {
                nothing()
            } else {
                format!(
                    "none of its {parts} became a shape: {}",
                    warnings.join("; ")
                )
            };
            return Err(refused(path, why));
        }
        Ok(Imported {
            file: AnnotationFile {
                release_id: None,
                labels: LabelSet { labels },
                shapes,
            },
            warnings,
        })
    }
}

/// Reads an annotation file to import, by content (see the module doc): our JSON, or
/// a DICOM SEG, RTSTRUCT or SR; an SR's coded findings become the names of the labels
/// of `labels` (the project's) with those codes. The CLI and the viewer import through
/// it and show its warnings.
///
/// # Errors
/// [`FilesError::Read`] naming the file when it cannot be read, is a DICOM object of
/// another kind, or names no image of the release; the JSON reader's errors for our
/// JSON ([`super::lightbox_json::read`]).
pub fn read_any(path: &Path, index: &Index, labels: &LabelSet) -> Result<Imported, FilesError> {
    use std::io::Read;
    let mut head = [0u8; 132];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|source| FilesError::Read {
            path: path.to_owned(),
            source,
        })?;
    if crate::dicom_file::sniff(&head[..n]) == crate::dicom_file::Sniff::NotDicom {
        return super::lightbox_json::read(path).map(Imported::from);
    }
    let ds = crate::dicom_file::open(path, false)
        .map_err(|e| refused(path, e.to_string()))?
        .dataset;
    let class = text(&ds, tags::SOP_CLASS_UID).unwrap_or_default();
    match class.as_str() {
        uids::SEGMENTATION_STORAGE => seg_from(&ds, path, index).map(Imported::from),
        uids::RT_STRUCTURE_SET_STORAGE => super::rtstruct_import::from_dataset(&ds, path, index),
        c if SR_CLASSES.contains(&c) => super::sr_import::from_dataset(&ds, path, index, labels),
        _ => Err(refused(
            path,
            format!(
                "a DICOM object of SOP Class {class:?}, not one Lightbox imports \
                 (a Segmentation, an RT Structure Set or a Comprehensive, Enhanced, \
                 Comprehensive 3D or Extensible SR)"
            ),
        )),
    }
}

/// `"<who> (<format>)"`, or the format alone when `who` is blank: the annotator of
/// imported shapes, kept apart from the project's own readers.
pub fn annotator_name(who: &str, format: &str) -> String {
    let who = who.replace('^', " ");
    let who = who.split_whitespace().collect::<Vec<_>>().join(" ");
    if who.is_empty() {
        format.to_owned()
    } else {
        format!("{who} ({format})")
    }
}

/// A label an import adds when the project lacks it: `colour` or
/// [`NEW_LABEL_COLOUR`], no hotkey, `description` saying where it came from.
pub fn imported_label(
    name: &str,
    colour: Option<[u8; 3]>,
    description: &str,
    codes: Option<LabelCodes>,
) -> Label {
    Label {
        name: name.to_owned(),
        colour: colour.map_or_else(
            || NEW_LABEL_COLOUR.to_owned(),
            |[r, g, b]| format!("#{r:02x}{g:02x}{b:02x}"),
        ),
        hotkey: String::new(),
        description: description.to_owned(),
        codes,
    }
}

/// What an imported shape is, apart from the image it is on.
#[derive(Debug, Clone)]
pub struct ImportedShape {
    /// Its id (a new one when the file gives none).
    pub id: String,
    /// Its kind.
    pub kind: ShapeKind,
    /// Its label's name.
    pub label: String,
    /// Its points, in image pixel coordinates.
    pub points: Vec<[f64; 2]>,
    /// Its grade.
    pub grade: Grade,
    /// Its note.
    pub note: String,
    /// The annotator (see [`annotator_name`]).
    pub annotator: String,
    /// Its provenance (`dicom-seg`, `rtstruct`, `dicom-sr`).
    pub source: &'static str,
    /// Where in the file it came from (file, SOP Instance UID, segment or ROI…).
    pub parameters: serde_json::Map<String, serde_json::Value>,
}

impl ImportedShape {
    /// The shape on `frame` (from 1) of `instance`, not yet stamped with times (the
    /// store stamps them).
    pub fn on(self, instance: &Instance, frame: u32) -> Shape {
        Shape {
            id: self.id,
            kind: self.kind,
            label: self.label,
            image: ShapeImage {
                study_uid: instance.study_uid.clone(),
                series_uid: instance.series_uid.clone(),
                sop_uid: instance.sop_uid.clone(),
                file_name: instance.file_name.clone(),
                frame,
            },
            points: self.points,
            grade: self.grade,
            score: None,
            source: Some(self.source.into()),
            source_parameters: self.parameters,
            note: self.note,
            annotator: self.annotator,
            created: String::new(),
            modified: String::new(),
        }
    }
}

/// `source_parameters` naming the imported file and object.
pub fn file_parameters(path: &Path, sop_uid: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut parameters = serde_json::Map::new();
    parameters.insert("file".into(), path.display().to_string().into());
    parameters.insert("sop_instance_uid".into(), sop_uid.into());
    parameters
}

/// Reads the Segmentation at `path`, made on images of the release `index` holds, as
/// an annotation file to merge.
///
/// # Errors
/// [`FilesError::Read`] for a file that is not a binary Segmentation we can read or
/// whose frames name no image of the release.
pub fn read_seg(path: &Path, index: &Index) -> Result<AnnotationFile, FilesError> {
    let file = crate::dicom_file::open(path, false).map_err(|e| refused(path, e.to_string()))?;
    seg_from(&file.dataset, path, index)
}

/// [`read_seg`] of the data set `ds` read from `path`.
fn seg_from(
    ds: &InMemDicomObject,
    path: &Path,
    index: &Index,
) -> Result<AnnotationFile, FilesError> {
    let refuse = |reason: String| refused(path, reason);
    let class = text(ds, tags::SOP_CLASS_UID).unwrap_or_default();
    if class != uids::SEGMENTATION_STORAGE {
        return Err(refuse(format!(
            "not a DICOM Segmentation (SOP Class {class})"
        )));
    }
    let kind = text(ds, tags::SEGMENTATION_TYPE).unwrap_or_default();
    if kind != "BINARY" {
        return Err(refuse(format!(
            "a {kind} segmentation; only BINARY ones are read"
        )));
    }
    let (rows, cols) = (
        int(ds, tags::ROWS).unwrap_or(0).max(0) as usize,
        int(ds, tags::COLUMNS).unwrap_or(0).max(0) as usize,
    );
    let frames = int(ds, tags::NUMBER_OF_FRAMES).unwrap_or(1).max(0) as usize;
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
    let annotator = annotator_name(
        &text(ds, tags::CONTENT_CREATOR_NAME).unwrap_or_default(),
        "DICOM SEG",
    );
    let segments = segment_labels(ds);
    let per_frame = items(ds, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
    let shared = items(ds, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE);
    let seg_uid = text(ds, tags::SOP_INSTANCE_UID).unwrap_or_default();
    let by_uid = ImagesByUid::new(index);
    let mut shapes = Vec::new();
    for (k, item) in per_frame.iter().take(frames).enumerate() {
        let segment = first_item(item, tags::SEGMENT_IDENTIFICATION_SEQUENCE)
            .or_else(|| {
                shared
                    .first()
                    .and_then(|s| first_item(s, tags::SEGMENT_IDENTIFICATION_SEQUENCE))
            })
            .and_then(|s| int(s, tags::REFERENCED_SEGMENT_NUMBER))
            .ok_or_else(|| refuse(format!("frame {} names no segment", k + 1)))?;
        let (instance, frame) = source_of(item, index, &by_uid)
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
            let mut parameters = file_parameters(path, &seg_uid);
            parameters.insert("segment_number".into(), segment.into());
            let shape = ImportedShape {
                id: new_shape_id(&annotator),
                kind: ShapeKind::Polygon,
                label: label.clone(),
                points: ring,
                grade: Grade::None,
                note: String::new(),
                annotator: annotator.clone(),
                source: SOURCE,
                parameters,
            };
            shapes.push(shape.on(instance, frame));
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

/// Each segment's label (its Segment Label, else `segment N`) with its codes.
fn segment_labels(ds: &InMemDicomObject) -> BTreeMap<i64, Label> {
    items(ds, tags::SEGMENT_SEQUENCE)
        .iter()
        .filter_map(|s| {
            let n = int(s, tags::SEGMENT_NUMBER)?;
            let name = text(s, tags::SEGMENT_LABEL).unwrap_or_else(|| format!("segment {n}"));
            let codes = read_code(s, tags::SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE)
                .zip(read_code(s, tags::SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE))
                .map(|(category, kind)| LabelCodes { category, kind });
            let label = imported_label(
                &name,
                None,
                "added on import: a segment of a DICOM Segmentation",
                codes,
            );
            Some((n, label))
        })
        .collect()
}

/// The release's images by SOP Instance UID, built once per import: a file names its
/// images by UID, frame after frame.
pub(super) struct ImagesByUid<'a>(HashMap<&'a str, &'a Instance>);

impl<'a> ImagesByUid<'a> {
    /// The images of `index`.
    pub(super) fn new(index: &'a Index) -> Self {
        Self(index.instances().map(|i| (i.sop_uid.as_str(), i)).collect())
    }

    /// The image with SOP Instance UID `uid`.
    pub(super) fn get(&self, uid: &str) -> Option<&'a Instance> {
        self.0.get(uid).copied()
    }
}

/// The image (and frame, from 1) a frame was derived from: its Derivation Image
/// Sequence, else the release's image at its plane position.
fn source_of<'a>(
    item: &InMemDicomObject,
    index: &'a Index,
    by_uid: &ImagesByUid<'a>,
) -> Option<(&'a Instance, u32)> {
    let by_reference = first_item(item, tags::DERIVATION_IMAGE_SEQUENCE)
        .and_then(|d| first_item(d, tags::SOURCE_IMAGE_SEQUENCE))
        .and_then(|s| {
            let uid = text(s, tags::REFERENCED_SOP_INSTANCE_UID)?;
            let frame = int(s, tags::REFERENCED_FRAME_NUMBER)
                .and_then(|f| u32::try_from(f).ok())
                .unwrap_or(1);
            by_uid.get(&uid).map(|i| (i, frame))
        });
    by_reference.or_else(|| {
        let position = first_item(item, tags::PLANE_POSITION_SEQUENCE)
            .and_then(|p| crate::attrs::floats(p, tags::IMAGE_POSITION_PATIENT))?;
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
