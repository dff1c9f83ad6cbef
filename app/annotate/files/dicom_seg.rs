//! DICOM Segmentation export (PS3.3 A.51, binary): one Segmentation object per
//! annotated series, `<series UID>.seg.dcm`, that PACS viewers (OHIF, Slicer, Weasis
//! plug-ins) and AI pipelines (highdicom, MONAI) read.
//!
//! - **Segments.** One per label used on the series, in the label set's order, with its
//!   colour (as CIELab) and its codes ([`crate::annotate::LabelCodes`]); a label
//!   without codes gets a private code (`99LIGHTBOX`) of its name. A segment is
//!   `MANUAL` unless one of its shapes was proposed by a tool (`source`), then
//!   `SEMIAUTOMATIC`.
//! - **Frames.** Only where a segment is present: one frame per segment and source
//!   frame, the union of that label's area shapes on it, rasterised by our centre rule
//!   ([`crate::annotate::raster::mask`]) bit for bit, as every other export does.
//!   Frames are ordered by segment, then along the series.
//! - **References.** Each frame's Derivation Image Sequence names its source image
//!   (and frame of a multi-frame one); the shared groups hold the pixel spacing and
//!   the orientation, each frame its position, when the source has them; the Common
//!   Instance Reference module lists every source image.
//! - **Who.** The annotators are the content creators (the first in Content Creator's
//!   Name, all of them in the Content Description).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;

use super::dicom_derived::{
    code_item, derived_header, item, new_uid, put_seq, read_source, truncate, write_part10,
};
use super::{FilesError, safe_name};
use crate::annotate::labels::{Code, LabelSet};
use crate::annotate::raster::mask;
use crate::annotate::shape::Shape;
use crate::index::{Index, Instance};

/// The private coding scheme of labels without codes.
pub const PRIVATE_SCHEME: &str = "99LIGHTBOX";

/// One segment: a label and its shapes' frames.
struct Segment<'a> {
    number: u16,
    label: String,
    colour: [u8; 3],
    category: Code,
    kind: Code,
    semiautomatic: bool,
    /// Source frames (index into the series' frames) and their masks.
    frames: Vec<(usize, Vec<bool>)>,
    /// Shapes drawn by (for the content creators).
    annotators: BTreeSet<&'a str>,
}

/// One frame of the source series: its instance and frame number (from 1).
struct SourceFrame<'a> {
    instance: &'a Instance,
    frame: u32,
}

/// Writes one Segmentation object per series with area shapes among `shapes` into
/// `out_dir`; returns the files written.
///
/// # Errors
/// [`FilesError::UnknownImage`] for a shape on an image the release lacks,
/// [`FilesError::Write`] for a series whose frames differ in size or a file that
/// cannot be written, [`FilesError::Read`] for a source that cannot be read.
pub fn write_dir(
    out_dir: &Path,
    index: &Index,
    labels: &LabelSet,
    shapes: &[Shape],
) -> Result<Vec<PathBuf>, FilesError> {
    let mut by_series: BTreeMap<&str, Vec<&Shape>> = BTreeMap::new();
    for shape in shapes.iter().filter(|s| s.kind.is_area()) {
        by_series
            .entry(shape.image.series_uid.as_str())
            .or_default()
            .push(shape);
    }
    super::create_dir(out_dir)?;
    let mut written = Vec::new();
    for (series_uid, shapes) in by_series {
        let path = out_dir.join(format!("{}.seg.dcm", safe_name(series_uid)));
        let Some(series) = index.series().find(|s| s.series_uid == series_uid) else {
            let first = shapes[0];
            return Err(FilesError::UnknownImage {
                path,
                id: first.id.clone(),
                sop_uid: first.image.sop_uid.clone(),
                frame: first.image.frame,
            });
        };
        let frames: Vec<SourceFrame<'_>> = series
            .instances
            .iter()
            .flat_map(|instance| {
                (1..=instance.frames.max(1)).map(move |frame| SourceFrame { instance, frame })
            })
            .collect();
        written.push(write_series(&path, labels, &shapes, &frames)?);
    }
    Ok(written)
}

/// The segments of one series' shapes, in label-set order (unknown labels last, by
/// name).
fn segments<'a>(
    path: &Path,
    labels: &LabelSet,
    shapes: &[&'a Shape],
    frames: &[SourceFrame<'_>],
    [rows, cols]: [u32; 2],
) -> Result<Vec<Segment<'a>>, FilesError> {
    let rank = |name: &str| {
        labels
            .labels
            .iter()
            .position(|l| l.name == name)
            .unwrap_or(usize::MAX)
    };
    let mut names: Vec<&str> = shapes.iter().map(|s| s.label.as_str()).collect();
    names.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    names.dedup();
    let mut out = Vec::with_capacity(names.len());
    for (k, name) in names.into_iter().enumerate() {
        let label = labels.get(name);
        let private = |meaning: &str| Code {
            scheme: PRIVATE_SCHEME.into(),
            value: name.to_owned(),
            meaning: meaning.to_owned(),
        };
        let (category, kind) = match label.and_then(|l| l.codes.clone()) {
            Some(c) => (c.category, c.kind),
            None => (private("Lightbox label"), private(name)),
        };
        let mine: Vec<&Shape> = shapes.iter().copied().filter(|s| s.label == name).collect();
        let mut masks: BTreeMap<usize, Vec<bool>> = BTreeMap::new();
        for shape in &mine {
            let Some(f) = frames.iter().position(|f| {
                f.instance.sop_uid == shape.image.sop_uid && f.frame == shape.image.frame
            }) else {
                return Err(FilesError::UnknownImage {
                    path: path.to_owned(),
                    id: shape.id.clone(),
                    sop_uid: shape.image.sop_uid.clone(),
                    frame: shape.image.frame,
                });
            };
            let m = masks
                .entry(f)
                .or_insert_with(|| vec![false; (rows * cols) as usize]);
            for (out, inside) in m.iter_mut().zip(mask(&shape.points, rows, cols)) {
                *out |= inside;
            }
        }
        out.push(Segment {
            number: u16::try_from(k + 1).unwrap_or(u16::MAX),
            label: name.to_owned(),
            colour: label.and_then(|l| l.rgb()).unwrap_or([255, 255, 255]),
            category,
            kind,
            semiautomatic: mine.iter().any(|s| s.source.is_some()),
            frames: masks
                .into_iter()
                .filter(|(_, m)| m.contains(&true))
                .collect(),
            annotators: mine.iter().map(|s| s.annotator.as_str()).collect(),
        });
    }
    Ok(out)
}

/// Writes the Segmentation object of one series.
fn write_series(
    path: &Path,
    labels: &LabelSet,
    shapes: &[&Shape],
    frames: &[SourceFrame<'_>],
) -> Result<PathBuf, FilesError> {
    let first = frames
        .first()
        .map(|f| f.instance)
        .ok_or_else(|| FilesError::Write {
            path: path.to_owned(),
            source: std::io::Error::other("the series has no images"),
        })?;
    let size = [first.rows, first.cols];
    if let Some(other) = frames
        .iter()
        .find(|f| [f.instance.rows, f.instance.cols] != size)
    {
        return Err(FilesError::Write {
            path: path.to_owned(),
            source: std::io::Error::other(format!(
                "the series' images differ in size ({} × {} and {} × {}); a Segmentation needs one size",
                first.cols, first.rows, other.instance.cols, other.instance.rows
            )),
        });
    }
    let segments = segments(path, labels, shapes, frames, size)?;
    let source = read_source(&first.path)?;
    let mut ds = derived_header(&source, "SEG", 9901, "Lightbox segmentation");
    let annotators: BTreeSet<&str> = segments
        .iter()
        .flat_map(|s| s.annotators.iter().copied())
        .collect();
    let creators: Vec<&str> = annotators.iter().copied().collect();
    ds.text(tags::IMAGE_TYPE, VR::CS, "DERIVED\\PRIMARY")
        .text(tags::CONTENT_LABEL, VR::CS, "LIGHTBOX")
        .text(
            tags::CONTENT_DESCRIPTION,
            VR::LO,
            &truncate(&format!("Annotations by {}", creators.join(", ")), 64),
        )
        .text(
            tags::CONTENT_CREATOR_NAME,
            VR::PN,
            creators.first().copied().unwrap_or(""),
        )
        .text(tags::SEGMENTATION_TYPE, VR::CS, "BINARY")
        .us(tags::SAMPLES_PER_PIXEL, 1)
        .text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2")
        .us(tags::ROWS, size[0] as u16)
        .us(tags::COLUMNS, size[1] as u16)
        .us(tags::BITS_ALLOCATED, 1)
        .us(tags::BITS_STORED, 1)
        .us(tags::HIGH_BIT, 0)
        .us(tags::PIXEL_REPRESENTATION, 0)
        .text(tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "00");
    let geometry =
        first.orientation.is_some() && frames.iter().all(|f| f.instance.position_mm.is_some());
    if !geometry {
        // General Image: Patient Orientation is type 2C where the image has no
        // Image Orientation (Patient): the source's, or empty.
        let orientation = source
            .element(tags::PATIENT_ORIENTATION)
            .ok()
            .cloned()
            .unwrap_or_else(|| {
                DataElement::new(tags::PATIENT_ORIENTATION, VR::CS, PrimitiveValue::Empty)
            });
        ds.0.put(orientation);
    }
    let organisation = new_uid();
    put_seq(
        &mut ds.0,
        tags::SEGMENT_SEQUENCE,
        segments.iter().map(segment_item).collect(),
    );
    put_seq(
        &mut ds.0,
        tags::DIMENSION_ORGANIZATION_SEQUENCE,
        vec![item(|d| {
            d.text(tags::DIMENSION_ORGANIZATION_UID, VR::UI, &organisation);
        })],
    );
    let mut dimensions = vec![(
        tags::REFERENCED_SEGMENT_NUMBER,
        tags::SEGMENT_IDENTIFICATION_SEQUENCE,
    )];
    if geometry {
        dimensions.push((tags::IMAGE_POSITION_PATIENT, tags::PLANE_POSITION_SEQUENCE));
    }
    put_seq(
        &mut ds.0,
        tags::DIMENSION_INDEX_SEQUENCE,
        dimensions
            .iter()
            .map(|(pointer, group)| {
                item(|d| {
                    d.0.put(at(tags::DIMENSION_INDEX_POINTER, *pointer));
                    d.0.put(at(tags::FUNCTIONAL_GROUP_POINTER, *group));
                    d.text(tags::DIMENSION_ORGANIZATION_UID, VR::UI, &organisation);
                })
            })
            .collect(),
    );
    put_seq(
        &mut ds.0,
        tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE,
        vec![shared_groups(first)],
    );
    let mut per_frame = Vec::new();
    let mut bits = Vec::new();
    for segment in &segments {
        for (f, m) in &segment.frames {
            per_frame.push(frame_groups(&frames[*f], segment.number, *f, geometry));
            bits.push(m.as_slice());
        }
    }
    ds.is(tags::NUMBER_OF_FRAMES, per_frame.len() as i64);
    put_seq(
        &mut ds.0,
        tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE,
        per_frame,
    );
    put_seq(
        &mut ds.0,
        tags::REFERENCED_SERIES_SEQUENCE,
        vec![referenced_series(frames)],
    );
    ds.0.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(pack_bits(&bits).into()),
    ));
    write_part10(ds, uids::SEGMENTATION_STORAGE, &new_uid(), path)
}

/// Masks packed one bit a pixel, frame after frame with no padding between them, the
/// first pixel in the lowest bit (PS3.5 8.1.1); the whole padded to an even length.
pub fn pack_bits(frames: &[&[bool]]) -> Vec<u8> {
    let total: usize = frames.iter().map(|f| f.len()).sum();
    let mut out = vec![0u8; total.div_ceil(8).next_multiple_of(2)];
    for (i, inside) in frames.iter().flat_map(|f| f.iter()).enumerate() {
        if *inside {
            out[i / 8] |= 1 << (i % 8);
        }
    }
    out
}

/// The Segment Sequence item of a segment.
fn segment_item(s: &Segment<'_>) -> InMemDicomObject {
    item(|d| {
        d.us(tags::SEGMENT_NUMBER, s.number)
            .text(tags::SEGMENT_LABEL, VR::LO, &truncate(&s.label, 64))
            .text(
                tags::SEGMENT_ALGORITHM_TYPE,
                VR::CS,
                if s.semiautomatic {
                    "SEMIAUTOMATIC"
                } else {
                    "MANUAL"
                },
            );
        if s.semiautomatic {
            d.text(
                tags::SEGMENT_ALGORITHM_NAME,
                VR::LO,
                "Lightbox assisted annotation",
            );
        }
        d.0.put(DataElement::new(
            tags::RECOMMENDED_DISPLAY_CIE_LAB_VALUE,
            VR::US,
            PrimitiveValue::U16(cielab(s.colour).to_vec().into()),
        ));
        put_seq(
            &mut d.0,
            tags::SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE,
            vec![code_of(&s.category)],
        );
        put_seq(
            &mut d.0,
            tags::SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE,
            vec![code_of(&s.kind)],
        );
    })
}

/// The shared functional groups: pixel measures and plane orientation, when known.
fn shared_groups(first: &Instance) -> InMemDicomObject {
    item(|d| {
        if let Some([row_mm, col_mm]) = first.pixel_spacing_mm {
            let thickness = first.slice_thickness_mm;
            put_seq(
                &mut d.0,
                tags::PIXEL_MEASURES_SEQUENCE,
                vec![item(|m| {
                    m.ds(tags::PIXEL_SPACING, &[row_mm, col_mm]);
                    if let Some(t) = thickness {
                        m.ds(tags::SLICE_THICKNESS, &[t]);
                    }
                })],
            );
        }
        if let Some(o) = first.orientation {
            put_seq(
                &mut d.0,
                tags::PLANE_ORIENTATION_SEQUENCE,
                vec![item(|m| {
                    m.ds(tags::IMAGE_ORIENTATION_PATIENT, &o);
                })],
            );
        }
    })
}

/// One frame's functional groups: its source, its dimension index, its segment and
/// (with `geometry`) its position. `position` is its place along the series (from 0).
fn frame_groups(
    source: &SourceFrame<'_>,
    segment: u16,
    position: usize,
    geometry: bool,
) -> InMemDicomObject {
    item(|d| {
        let instance = source.instance;
        let source_item = item(|s| {
            s.text(
                tags::REFERENCED_SOP_CLASS_UID,
                VR::UI,
                &instance.sop_class_uid,
            )
            .text(tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, &instance.sop_uid);
            if instance.frames > 1 {
                s.is(tags::REFERENCED_FRAME_NUMBER, i64::from(source.frame));
            }
            put_seq(
                &mut s.0,
                tags::PURPOSE_OF_REFERENCE_CODE_SEQUENCE,
                vec![code_of(&dcm(
                    "121322",
                    "Source image for image processing operation",
                ))],
            );
        });
        let derivation = item(|s| {
            put_seq(&mut s.0, tags::SOURCE_IMAGE_SEQUENCE, vec![source_item]);
            put_seq(
                &mut s.0,
                tags::DERIVATION_CODE_SEQUENCE,
                vec![code_of(&dcm("113076", "Segmentation"))],
            );
        });
        put_seq(&mut d.0, tags::DERIVATION_IMAGE_SEQUENCE, vec![derivation]);
        let mut index = vec![u32::from(segment)];
        if geometry {
            index.push(u32::try_from(position + 1).unwrap_or(u32::MAX));
        }
        put_seq(
            &mut d.0,
            tags::FRAME_CONTENT_SEQUENCE,
            vec![item(|f| {
                f.0.put(DataElement::new(
                    tags::DIMENSION_INDEX_VALUES,
                    VR::UL,
                    PrimitiveValue::U32(index.into()),
                ));
            })],
        );
        if geometry && let Some(p) = instance.position_mm {
            put_seq(
                &mut d.0,
                tags::PLANE_POSITION_SEQUENCE,
                vec![item(|f| {
                    f.ds(tags::IMAGE_POSITION_PATIENT, &p);
                })],
            );
        }
        put_seq(
            &mut d.0,
            tags::SEGMENT_IDENTIFICATION_SEQUENCE,
            vec![item(|f| {
                f.us(tags::REFERENCED_SEGMENT_NUMBER, segment);
            })],
        );
    })
}

/// The Common Instance Reference module's one series: every source image.
fn referenced_series(frames: &[SourceFrame<'_>]) -> InMemDicomObject {
    let mut seen = BTreeSet::new();
    let instances: Vec<InMemDicomObject> = frames
        .iter()
        .filter(|f| seen.insert(f.instance.sop_uid.as_str()))
        .map(|f| {
            item(|d| {
                d.text(
                    tags::REFERENCED_SOP_CLASS_UID,
                    VR::UI,
                    &f.instance.sop_class_uid,
                )
                .text(
                    tags::REFERENCED_SOP_INSTANCE_UID,
                    VR::UI,
                    &f.instance.sop_uid,
                );
            })
        })
        .collect();
    let series_uid = frames
        .first()
        .map_or("", |f| f.instance.series_uid.as_str())
        .to_owned();
    item(|d| {
        d.text(tags::SERIES_INSTANCE_UID, VR::UI, &series_uid);
        put_seq(&mut d.0, tags::REFERENCED_INSTANCE_SEQUENCE, instances);
    })
}

/// The code sequence item of `code`.
fn code_of(code: &Code) -> InMemDicomObject {
    code_item((&code.value, &code.scheme, &code.meaning))
}

/// A code of the DICOM Controlled Terminology.
fn dcm(value: &str, meaning: &str) -> Code {
    Code {
        scheme: "DCM".into(),
        value: value.into(),
        meaning: meaning.into(),
    }
}

/// An Attribute Tag element.
fn at(tag: Tag, value: Tag) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::AT, PrimitiveValue::Tags(vec![value].into()))
}

/// An sRGB colour as DICOM's scaled CIELab (PS3.3 C.10.7.1.1): L* 0..100 and a*, b*
/// −128..127 mapped to 0..65535, through XYZ with the D65 white.
pub fn cielab([r, g, b]: [u8; 3]) -> [u16; 3] {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = (lin(r), lin(g), lin(b));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.950_47;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.088_83;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    let (l, a, bb) = (116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz));
    let scale = |v: f64, lo: f64, hi: f64| {
        ((v - lo) / (hi - lo) * 65535.0).round().clamp(0.0, 65535.0) as u16
    };
    [
        scale(l, 0.0, 100.0),
        scale(a, -128.0, 127.0),
        scale(bb, -128.0, 127.0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_packed_lowest_first_without_padding_between_frames() {
        // Two 3-pixel frames: 1,0,1 and 1,1,0 → bits 0, 2, 3, 4 → 0b0001_1101.
        let (a, b) = ([true, false, true], [true, true, false]);
        assert_eq!(pack_bits(&[&a, &b]), vec![0b0001_1101, 0]);
        // 9 pixels take 2 bytes, padded to even.
        assert_eq!(pack_bits(&[&[true; 9]]), vec![0xff, 0x01]);
    }

    #[test]
    fn cielab_of_white_black_and_red_by_hand() {
        // White: L* 100, a* = b* = 0 → (65535, 32896, 32896) with the −128..127 scale.
        let w = cielab([255, 255, 255]);
        assert_eq!(w[0], 65535);
        assert!(
            (i32::from(w[1]) - 32896).abs() <= 40 && (i32::from(w[2]) - 32896).abs() <= 40,
            "{w:?}"
        );
        assert_eq!(cielab([0, 0, 0]), [0, 32896, 32896]);
        // sRGB red: L* 53.24, a* 80.09, b* 67.20.
        let r = cielab([255, 0, 0]);
        let back = |v: u16, lo: f64, hi: f64| f64::from(v) / 65535.0 * (hi - lo) + lo;
        assert!((back(r[0], 0.0, 100.0) - 53.24).abs() < 0.1, "{r:?}");
        assert!((back(r[1], -128.0, 127.0) - 80.09).abs() < 0.2, "{r:?}");
        assert!((back(r[2], -128.0, 127.0) - 67.20).abs() < 0.2, "{r:?}");
    }
}
