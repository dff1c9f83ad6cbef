//! Building and encoding one synthetic DICOM file.

use dicom_core::value::{PixelFragmentSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

use crate::codec::{j2k_encode, jpeg_lossless_encode, rle_encode};

/// The transfer syntaxes `synth` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Implicit VR Little Endian.
    ImplicitLe,
    /// Explicit VR Little Endian.
    ExplicitLe,
    /// Deflated Explicit VR Little Endian.
    Deflated,
    /// RLE Lossless.
    Rle,
    /// JPEG Lossless, first-order prediction (SV1).
    JpegLossless,
    /// JPEG 2000 lossless.
    J2kLossless,
    /// JPEG baseline (8-bit colour clip).
    JpegBaseline,
}

impl Syntax {
    /// Its UID.
    pub fn uid(self) -> &'static str {
        match self {
            Self::ImplicitLe => uids::IMPLICIT_VR_LITTLE_ENDIAN,
            Self::ExplicitLe => uids::EXPLICIT_VR_LITTLE_ENDIAN,
            Self::Deflated => uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
            Self::Rle => uids::RLE_LOSSLESS,
            Self::JpegLossless => uids::JPEG_LOSSLESS_SV1,
            Self::J2kLossless => uids::JPEG2000_LOSSLESS,
            Self::JpegBaseline => uids::JPEG_BASELINE8_BIT,
        }
    }
}

/// Pixels of one instance, before encoding.
pub enum Pixels {
    /// Greyscale integer stored values (one frame).
    Grey {
        /// Stored values.
        values: Vec<i32>,
        /// Pixel Representation 1.
        signed: bool,
        /// Bits Stored (Bits Allocated is 16).
        bits_stored: u16,
    },
    /// Frames of 8-bit RGB, written as YBR_FULL_422 JPEG baseline.
    RgbFrames(Vec<Vec<u8>>),
}

/// Why a synthetic file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// An encoder failed.
    #[error("encoding {what}: {message}")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's message.
        message: String,
    },
    /// Writing the DICOM stream failed.
    #[error("writing DICOM: {0}")]
    Write(String),
    /// File system error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn enc_err(what: &'static str) -> impl FnOnce(String) -> SynthError {
    move |message| SynthError::Encode { what, message }
}

/// A data set under construction.
pub struct Dataset(pub InMemDicomObject);

impl Dataset {
    /// An empty data set.
    pub fn new() -> Self {
        Self(InMemDicomObject::new_empty())
    }

    /// Puts a text attribute.
    pub fn text(&mut self, tag: Tag, vr: VR, value: &str) -> &mut Self {
        self.0
            .put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
        self
    }

    /// Puts a US attribute.
    pub fn us(&mut self, tag: Tag, value: u16) -> &mut Self {
        self.0
            .put(DataElement::new(tag, VR::US, PrimitiveValue::from(value)));
        self
    }

    /// Puts a DS attribute with one or more values.
    pub fn ds(&mut self, tag: Tag, values: &[f64]) -> &mut Self {
        let s: Vec<String> = values.iter().map(|v| format_ds(*v)).collect();
        self.text(tag, VR::DS, &s.join("\\"))
    }

    /// Puts an IS attribute.
    pub fn is(&mut self, tag: Tag, value: i64) -> &mut Self {
        self.text(tag, VR::IS, &value.to_string())
    }
}

impl Default for Dataset {
    fn default() -> Self {
        Self::new()
    }
}

/// A decimal string of at most 16 characters.
pub fn format_ds(v: f64) -> String {
    let mut s = format!("{v:.6}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    if s == "-0" {
        s = "0".into();
    }
    s.truncate(16);
    s
}

/// Adds the image pixel attributes and the encoded Pixel Data, then serialises the
/// whole file (preamble included) to bytes; with `bare`, the data set alone, with
/// no preamble and no file meta (as old archives hold them; implicit VR LE only).
#[allow(clippy::too_many_arguments)]
pub fn encode_file(
    mut ds: Dataset,
    bare: bool,
    pixels: Pixels,
    rows: u32,
    cols: u32,
    syntax: Syntax,
    sop_class: &str,
    sop_uid: &str,
) -> Result<Vec<u8>, SynthError> {
    ds.us(tags::ROWS, rows as u16)
        .us(tags::COLUMNS, cols as u16);
    let pixel_element = match pixels {
        Pixels::Grey {
            values,
            signed,
            bits_stored,
        } => {
            ds.us(tags::SAMPLES_PER_PIXEL, 1)
                .us(tags::BITS_ALLOCATED, 16)
                .us(tags::BITS_STORED, bits_stored)
                .us(tags::HIGH_BIT, bits_stored - 1)
                .us(tags::PIXEL_REPRESENTATION, u16::from(signed));
            let mask = (1u32 << bits_stored) - 1;
            let words: Vec<u16> = values.iter().map(|v| (*v as u32 & mask) as u16).collect();
            let le: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            let fragment = match syntax {
                Syntax::ImplicitLe | Syntax::ExplicitLe | Syntax::Deflated => None,
                Syntax::Rle => Some(
                    rle_encode::encode_frame(&le, rows, cols, 1, 16)
                        .map_err(|e| enc_err("RLE")(e.to_string()))?,
                ),
                Syntax::JpegLossless => Some(
                    jpeg_lossless_encode::encode_frame(&words, rows, cols, bits_stored as u8)
                        .map_err(|e| enc_err("JPEG lossless")(e.to_string()))?,
                ),
                Syntax::J2kLossless => Some(
                    j2k_encode::encode_frame_lossless(
                        &values,
                        rows,
                        cols,
                        1,
                        bits_stored as u8,
                        signed,
                    )
                    .map_err(|e| enc_err("JPEG 2000")(e.to_string()))?,
                ),
                Syntax::JpegBaseline => {
                    return Err(enc_err("JPEG baseline")(
                        "greyscale 16-bit is not baseline".into(),
                    ));
                }
            };
            match fragment {
                None => {
                    DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::U16(words.into()))
                }
                Some(f) => encapsulated(vec![f]),
            }
        }
        Pixels::RgbFrames(frames) => {
            ds.us(tags::SAMPLES_PER_PIXEL, 3)
                .text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "YBR_FULL_422")
                .us(tags::PLANAR_CONFIGURATION, 0)
                .us(tags::BITS_ALLOCATED, 8)
                .us(tags::BITS_STORED, 8)
                .us(tags::HIGH_BIT, 7)
                .us(tags::PIXEL_REPRESENTATION, 0)
                .is(tags::NUMBER_OF_FRAMES, frames.len() as i64)
                .text(tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "01")
                .text(tags::LOSSY_IMAGE_COMPRESSION_METHOD, VR::CS, "ISO_10918_1");
            let mut fragments = Vec::with_capacity(frames.len());
            for rgb in frames {
                let mut out = Vec::new();
                let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
                encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_2);
                encoder
                    .encode(&rgb, cols as u16, rows as u16, jpeg_encoder::ColorType::Rgb)
                    .map_err(|e| enc_err("JPEG baseline")(e.to_string()))?;
                fragments.push(out);
            }
            encapsulated(fragments)
        }
    };
    ds.0.put(pixel_element);
    let meta = FileMetaTableBuilder::new()
        .transfer_syntax(syntax.uid())
        .media_storage_sop_class_uid(sop_class)
        .media_storage_sop_instance_uid(sop_uid)
        .implementation_class_uid(crate::annotate::files::dicom_derived::IMPLEMENTATION_CLASS_UID)
        .implementation_version_name("LIGHTBOX_SYNTH");
    let file =
        ds.0.with_meta(meta)
            .map_err(|e| SynthError::Write(e.to_string()))?;
    let mut bytes = Vec::new();
    let written = if bare {
        file.write_dataset(&mut bytes)
    } else {
        file.write_all(&mut bytes)
    };
    written.map_err(|e| SynthError::Write(e.to_string()))?;
    Ok(bytes)
}

/// Encapsulated Pixel Data: one fragment per frame, padded to even length, empty offset table.
fn encapsulated(mut fragments: Vec<Vec<u8>>) -> DataElement<InMemDicomObject> {
    for f in &mut fragments {
        if f.len() % 2 == 1 {
            f.push(0);
        }
    }
    DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        Value::PixelSequence(PixelFragmentSequence::new(Vec::<u32>::new(), fragments)),
    )
}
