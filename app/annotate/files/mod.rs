//! Annotation files: our own format, and the formats other tools read.
//!
//! One file per format, because each has its own coordinate convention, naming rule
//! and validation, and each is tested against its own reference implementation
//! (`tests/annotation_formats.rs` checks them with pycocotools, labelme and
//! jsonschema):
//!
//! - [`lightbox_json`]: our versioned format (`lightbox-annotations`, version 1), the
//!   only one that keeps everything (ids, grades, notes, annotators, times) and reads
//!   back; `assets/schema/lightbox-annotations-v1.schema.json` describes it.
//! - [`coco`]: COCO detection/segmentation JSON, for training detectors.
//! - [`labelme`]: one labelme JSON per annotated frame.
//! - [`masks`]: one binary PNG per frame and label.
//! - [`dicom_seg`]: one binary DICOM Segmentation per annotated series.
//! - [`dicom_derived`]: what the DICOM objects we write (SEG, SR) share: UIDs, the
//!   source's patient and study, the atomic Part 10 write.
//! - [`dicom_sr`]: one DICOM Comprehensive SR Measurement Report (TID 1500) per
//!   annotated series: per shape its outline, measurements, finding, grade and note.
//! - [`seg_import`]: the import of any of these files by content, and a DICOM
//!   Segmentation (ours or another tool's) read back as shapes.
//! - [`rtstruct_import`]: a DICOM RT Structure Set's contours (patient mm) put on the
//!   release's images as shapes.
//! - [`sr_import`]: a DICOM SR Measurement Report's (TID 1500) image regions read back
//!   as shapes with their finding, grade and note.
//! - [`merge`]: how shapes read from a file join the shapes a project already has.
//! - [`frames`]: what the exporters need to know about each annotated image.
//!
//! # File names
//!
//! Files written per frame (labelme, masks) are named after the DICOM file, with
//! `_f<frame>` before the extension for frames of multi-frame images, and lie in the
//! same sub-folders as the DICOM files under the release (`ST0002/SE0002/…`): a release
//! repeats file names (`IM0001.dcm`) in every series, so a flat folder would mix two
//! images' files. Names are made safe with [`safe_name`]; two frames or labels that
//! would still share a file are refused ([`FilesError::NameClash`]), never overwritten.
//! Every file goes through [`crate::fsutil::write_atomic`].

pub mod coco;
pub mod dicom_derived;
pub mod dicom_seg;
pub mod dicom_sr;
pub mod frames;
pub mod labelme;
pub mod lightbox_json;
pub mod masks;
pub mod merge;
pub mod rtstruct_import;
pub mod seg_import;
pub mod sr_import;

use crate::fsutil::ShowPath;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use frames::{FrameInfo, FrameInfos};

use super::labels::LabelSetError;
use super::shape::Shape;

/// Why an annotation file could not be read or written. Each message says what went
/// wrong and how to fix it, and ends with the path.
#[derive(Debug, Error)]
pub enum FilesError {
    /// The file could not be read.
    #[error("cannot read the annotation file: {source}; check the path and its permissions: {}", path.shown())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file or folder could not be written.
    #[error("cannot write: {source}; check that the folder exists and is writable: {}", path.shown())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not JSON, or not the JSON this format needs.
    #[error("not a valid annotation file: {message}; the file may be truncated or hand-edited wrongly: {}", path.shown())]
    Json {
        /// The file.
        path: PathBuf,
        /// What the parser said (with line and column).
        message: String,
    },
    /// The JSON is not a Lightbox annotation file.
    #[error("not a Lightbox annotation file (its \"format\" is {found:?}, not \"lightbox-annotations\"); import it with the matching importer: {}", path.shown())]
    Format {
        /// The file.
        path: PathBuf,
        /// The `format` it holds, or a note that it has none.
        found: String,
    },
    /// A version this build does not read.
    #[error("annotation file version {found} is not supported (this Lightbox reads version {supported}); update Lightbox: {}", path.shown())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: String,
        /// The version this build reads and writes.
        supported: u32,
    },
    /// A shape breaks a rule of the format.
    #[error("shape {id:?} is invalid: {reason}; correct or remove that shape: {}", path.shown())]
    Shape {
        /// The file.
        path: PathBuf,
        /// The shape's id (empty when it has none).
        id: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// The file's label set is unusable.
    #[error("the label set is invalid: {source}: {}", path.shown())]
    Labels {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: LabelSetError,
    },
    /// A shape's image (or frame) is not among the release's images.
    #[error("shape {id:?} is on image {sop_uid} frame {frame}, which the opened release does not have; export from the release the shapes were drawn on: {}", path.shown())]
    UnknownImage {
        /// Where the export was going.
        path: PathBuf,
        /// The shape's id.
        id: String,
        /// Its SOP Instance UID.
        sop_uid: String,
        /// Its frame (1-based).
        frame: u32,
    },
    /// Two different frames or labels would be written to the same file.
    #[error("{first} and {second} would be written to the same file; rename one label, or export into separate folders: {}", path.shown())]
    NameClash {
        /// The file both would be written to.
        path: PathBuf,
        /// The first frame or label.
        first: String,
        /// The second.
        second: String,
    },
    /// A PNG could not be encoded.
    #[error("cannot encode the PNG: {message}; the image may be too large: {}", path.shown())]
    Png {
        /// The file.
        path: PathBuf,
        /// What the encoder said.
        message: String,
    },
}

/// A file-name-safe version of `name`: letters and digits (any script), `-`, `_` and
/// `.` are kept, every other character (path separators, spaces, `:`, `*`, control
/// characters…) becomes `_`; a leading `.` becomes `_` (no hidden files, no `..`); an
/// empty name becomes `_`. Different names can map to the same safe name (`a b` and
/// `a_b`): writers detect that and refuse ([`FilesError::NameClash`]).
pub fn safe_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(..1, "_");
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// The shapes in file order: by study, series, SOP instance, frame, then id.
pub(crate) fn sorted(shapes: &[Shape]) -> Vec<&Shape> {
    let mut out: Vec<&Shape> = shapes.iter().collect();
    out.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    out
}

fn sort_key(s: &Shape) -> (&str, &str, &str, u32, &str) {
    (
        &s.image.study_uid,
        &s.image.series_uid,
        &s.image.sop_uid,
        s.image.frame,
        &s.id,
    )
}

/// Why a shape breaks the rules every format shares, or `None`: a non-empty id and
/// label, a frame from 1, at least 3 points for an area and exactly 1 for a point,
/// every coordinate finite.
pub(crate) fn shape_problem(shape: &Shape) -> Option<String> {
    if shape.id.trim().is_empty() {
        return Some("its id is empty".into());
    }
    if shape.label.trim().is_empty() {
        return Some("its label is empty".into());
    }
    if shape.image.sop_uid.is_empty() {
        return Some("its sop_uid is empty".into());
    }
    if shape.image.frame == 0 {
        return Some("frame is 0; frames count from 1".into());
    }
    let n = shape.points.len();
    if shape.kind.is_area() && n < 3 {
        return Some(format!(
            "a {} needs at least 3 points, it has {n}",
            shape.kind.as_str()
        ));
    }
    if !shape.kind.is_area() && n != 1 {
        return Some(format!("a point needs exactly 1 point, it has {n}"));
    }
    if shape.points.iter().flatten().any(|v| !v.is_finite()) {
        return Some("a coordinate is not a finite number".into());
    }
    None
}

/// Checks every shape with [`shape_problem`].
pub(crate) fn check_shapes(shapes: &[Shape], path: &Path) -> Result<(), FilesError> {
    for shape in shapes {
        if let Some(reason) = shape_problem(shape) {
            return Err(FilesError::Shape {
                path: path.to_path_buf(),
                id: shape.id.clone(),
                reason,
            });
        }
    }
    Ok(())
}

/// Pretty JSON with arrays of plain values on one line (`[78.5, 120.25]`), so point
/// lists stay readable and diff line by line. Floats are written by serde_json's
/// shortest round-trip formatting, so they read back exactly.
pub(crate) fn to_json_text<T: serde::Serialize>(
    value: &T,
    path: &Path,
) -> Result<String, FilesError> {
    let pretty = serde_json::to_string_pretty(value).map_err(|e| FilesError::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut out = compact_scalar_arrays(&pretty);
    out.push('\n');
    Ok(out)
}

/// Rewrites every multi-line array of `pretty` that holds no array or object onto one
/// line. Strings are skipped over whole, so brackets inside them are left alone.
fn compact_scalar_arrays(pretty: &str) -> String {
    let bytes = pretty.as_bytes();
    let mut out = String::with_capacity(pretty.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'[' => {
                if let Some((end, items)) = scalar_array(bytes, i) {
                    out.push_str(&pretty[copied..i]);
                    out.push('[');
                    out.push_str(&items.join(", "));
                    out.push(']');
                    i = end + 1;
                    copied = i;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&pretty[copied..]);
    out
}

/// The index just past the string starting at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// When the array opening at `start` holds only plain values: the index of its `]` and
/// its items, trimmed.
fn scalar_array(bytes: &[u8], start: usize) -> Option<(usize, Vec<String>)> {
    let mut items = Vec::new();
    let mut item_start = start + 1;
    let mut i = start + 1;
    let text = |a: usize, b: usize| String::from_utf8_lossy(&bytes[a..b]).trim().to_owned();
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'[' | b'{' => return None,
            b',' => {
                items.push(text(item_start, i));
                item_start = i + 1;
                i += 1;
            }
            b']' => {
                let last = text(item_start, i);
                if !last.is_empty() {
                    items.push(last);
                }
                return Some((i, items));
            }
            _ => i += 1,
        }
    }
    None
}

/// Writes `bytes` to `path` atomically, mapping the error.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), FilesError> {
    crate::fsutil::write_atomic(path, bytes).map_err(|source| FilesError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Creates `dir` and its parents.
pub(crate) fn create_dir(dir: &Path) -> Result<(), FilesError> {
    std::fs::create_dir_all(dir).map_err(|source| FilesError::Write {
        path: dir.to_path_buf(),
        source,
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Shapes and frames for the unit tests of every format.

    use super::super::shape::{Grade, Shape, ShapeImage, ShapeKind};
    use super::frames::{FrameInfo, FrameInfos};
    use crate::measure::PixelSpacing;

    /// A frame of `rows × cols`, single-frame unless `frames > 1`, in folder `ST1/SE1`.
    pub fn frame(sop: &str, file: &str, rows: u32, cols: u32, frames: u32) -> FrameInfo {
        FrameInfo {
            rows,
            cols,
            frames,
            spacing: PixelSpacing::from_attributes(Some([0.5, 0.5]), None),
            position_mm: Some([-100.0, -100.0, 20.0]),
            orientation: Some([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
            study_uid: "1.2.3".into(),
            series_uid: "1.2.3.4".into(),
            sop_uid: sop.into(),
            file_name: file.into(),
            rel_dir: "ST1/SE1".into(),
        }
    }

    /// A shape on `frame` of image `sop` with every other field filled.
    pub fn shape(id: &str, kind: ShapeKind, label: &str, sop: &str, frame: u32) -> Shape {
        let points = if kind.is_area() {
            vec![[2.0, 1.0], [6.0, 1.5], [5.5, 5.0], [1.5, 4.25]]
        } else {
            vec![[3.5, 2.5]]
        };
        Shape {
            id: id.into(),
            kind,
            label: label.into(),
            image: ShapeImage {
                study_uid: "1.2.3".into(),
                series_uid: "1.2.3.4".into(),
                sop_uid: sop.into(),
                file_name: format!("{sop}.dcm"),
                frame,
            },
            points,
            grade: Grade::Medium,
            score: None,
            source: None,
            source_parameters: Default::default(),
            note: "note".into(),
            annotator: "ann".into(),
            created: "2021-04-12T09:00:00Z".into(),
            modified: "2021-04-12T09:05:00Z".into(),
        }
    }

    /// Frames for images `a` (8×10, single frame, `a.dcm`) and `m` (6×7, 3 frames,
    /// `m.dcm`).
    pub fn frames() -> FrameInfos {
        [frame("a", "a.dcm", 8, 10, 1), frame("m", "m.dcm", 6, 7, 3)]
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_keep_letters_and_replace_the_rest() {
        assert_eq!(safe_name("nodule"), "nodule");
        assert_eq!(safe_name("ground-glass"), "ground-glass");
        assert_eq!(safe_name("a b/c\\d:e*?"), "a_b_c_d_e__");
        assert_eq!(safe_name(".."), "_.");
        assert_eq!(safe_name(".hidden"), "_hidden");
        assert_eq!(safe_name(""), "_");
        assert_eq!(safe_name("結節"), "結節");
    }

    #[test]
    fn scalar_arrays_go_on_one_line_and_strings_are_left_alone() {
        let v = serde_json::json!({
            "note": "a [b, c] \"quoted\" ]",
            "points": [[1.5, 2.0], [3.0, 4.25]],
            "empty": [],
            "objects": [{"x": [1, 2]}],
        });
        let text = to_json_text(&v, Path::new("x")).expect("serialises");
        assert!(text.contains("[1.5, 2.0]"), "{text}");
        assert!(text.contains("\"empty\": []"), "{text}");
        assert!(text.contains("\"x\": [1, 2]"), "{text}");
        assert!(text.contains(r#""a [b, c] \"quoted\" ]""#), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, v);
    }

    #[test]
    fn floats_read_back_exactly() {
        // serde_json's float_roundtrip feature: without it, 17-digit values can come
        // back one ulp off.
        let mut x = 0.1f64;
        let values: Vec<f64> = (0..2000)
            .map(|i| {
                x = (x * 7919.0 + f64::from(i) / 3.0).fract() * 10f64.powi(i % 7 - 2);
                x
            })
            .collect();
        let text = to_json_text(&values, Path::new("x")).expect("serialises");
        let back: Vec<f64> = serde_json::from_str(&text).expect("parses");
        assert_eq!(
            back.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}
