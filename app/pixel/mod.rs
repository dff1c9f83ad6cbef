//! Decoding frames to stored values (greyscale) or 8-bit RGB (colour).
//!
//! We take only the data-set parser from dicom-rs and do the pixel work here:
//! dicom-pixeldata 0.10 refuses or mis-reads 12-bit JPEG, 1- and 32-bit data,
//! native YBR_FULL_422 and APP14-marked JPEG, and its layout rules are hard to
//! override one case at a time. Every transfer syntax ends in the same place:
//! integer bit patterns that [`desc::PixelDescription::normalize`] masks to Bits
//! Stored and sign-extends as the DICOM header (not the codestream) says.

pub mod colour;
pub mod desc;
pub mod frames;
pub mod limits;
pub mod samples;

use std::path::{Path, PathBuf};

use dicom_dictionary_std::uids;
use dicom_object::InMemDicomObject;

use crate::codec;
use crate::dicom_file::{self, OpenError};
pub use colour::ColourSpace;
use desc::{DescriptionError, Photometric, PixelDescription};
pub use samples::Samples;

/// Why a frame could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum PixelError {
    /// The file could not be opened or parsed.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The image pixel module is incomplete or unsupported.
    #[error(transparent)]
    Description(#[from] DescriptionError),
    /// There is no Pixel Data element.
    #[error("no pixel data")]
    NoPixelData,
    /// The frame index is past the last frame.
    #[error("frame {frame} out of range: the image has {frames} frame(s), counted from 0")]
    FrameOutOfRange {
        /// Requested frame.
        frame: u32,
        /// Frames in the image.
        frames: u32,
    },
    /// No decoder for this transfer syntax.
    #[error("unsupported transfer syntax {name} ({uid})")]
    UnsupportedTransferSyntax {
        /// Its name.
        name: String,
        /// Its UID.
        uid: String,
    },
    /// A feature of the data we do not handle.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The pixel data is inconsistent with the header.
    #[error("corrupt pixel data: {0}")]
    Corrupt(String),
    /// A codec failed.
    #[error("{codec} decoder: {message}")]
    Codec {
        /// Which codec.
        codec: &'static str,
        /// Its message.
        message: String,
    },
}

/// Explicit VR Big Endian (retired, so dicom-rs marks its constant deprecated; files still exist).
pub const EXPLICIT_VR_BIG_ENDIAN: &str = "1.2.840.10008.1.2.2";

/// True for the uncompressed (native) transfer syntaxes.
pub fn is_native_syntax(uid: &str) -> bool {
    matches!(
        uid,
        uids::IMPLICIT_VR_LITTLE_ENDIAN
            | uids::EXPLICIT_VR_LITTLE_ENDIAN
            | EXPLICIT_VR_BIG_ENDIAN
            | uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN
    )
}

/// The name of a transfer syntax, or the UID when it is unknown.
pub fn transfer_syntax_name(uid: &str) -> String {
    dicom_encoding::TransferSyntaxIndex::get(
        &dicom_transfer_syntax_registry::TransferSyntaxRegistry,
        uid,
    )
    .map_or_else(|| "unknown".to_owned(), |ts| ts.name().to_owned())
}

/// One decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Rows.
    pub rows: u32,
    /// Columns.
    pub cols: u32,
    /// The pixels.
    pub pixels: FramePixels,
}

/// Pixels of a decoded frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FramePixels {
    /// Greyscale stored values (before the Modality LUT).
    Grey(Samples),
    /// Colour as 8-bit RGB triples (YCbCr converted, palettes applied).
    Rgb(Vec<u8>),
}

/// A whole DICOM image file, parsed, ready to decode frames from.
pub struct DicomImage {
    /// The file.
    pub path: PathBuf,
    /// Its data set, Pixel Data included.
    pub dataset: InMemDicomObject,
    /// Its transfer syntax UID.
    pub transfer_syntax: String,
    /// How its pixels are stored.
    pub desc: PixelDescription,
}

impl DicomImage {
    /// Opens and parses `path` entirely.
    pub fn open(path: &Path) -> Result<Self, PixelError> {
        let file = dicom_file::open(path, false)?;
        let desc = PixelDescription::from_dataset(&file.dataset)?;
        Ok(Self {
            path: path.to_path_buf(),
            dataset: file.dataset,
            transfer_syntax: file.transfer_syntax,
            desc,
        })
    }

    /// Decodes frame `frame` (from 0); colour comes out as RGB.
    pub fn decode_frame(&self, frame: u32) -> Result<Frame, PixelError> {
        let (frame, space) = self.decode_frame_in_colour_space(frame)?;
        match (frame.pixels, space) {
            (FramePixels::Rgb(mut triples), Some(space)) => {
                space.to_rgb_in_place(&mut triples);
                Ok(Frame {
                    pixels: FramePixels::Rgb(triples),
                    ..frame
                })
            }
            (pixels, _) => Ok(Frame { pixels, ..frame }),
        }
    }

    /// Decodes frame `frame` (from 0) and leaves colour triples in the colour space
    /// they are stored in (returned beside them), so the viewer's shader converts
    /// YCbCr on the GPU. Palettes are applied (their output is RGB).
    pub fn decode_frame_in_colour_space(
        &self,
        frame: u32,
    ) -> Result<(Frame, Option<ColourSpace>), PixelError> {
        let d = &self.desc;
        if frame >= d.frames {
            return Err(PixelError::FrameOutOfRange {
                frame,
                frames: d.frames,
            });
        }
        limits::check_frame_size(d)?;
        let (samples, colour) = self.decode_samples(frame)?;
        let (pixels, space) = if d.photometric.is_monochrome() {
            (FramePixels::Grey(samples), None)
        } else {
            let (triples, space) = self.to_colour_triples(&samples, colour)?;
            (FramePixels::Rgb(triples), Some(space))
        };
        Ok((
            Frame {
                rows: d.rows,
                cols: d.cols,
                pixels,
            },
            space,
        ))
    }

    /// Decodes to interleaved samples and says what colour space they are in.
    fn decode_samples(&self, frame: u32) -> Result<(Samples, ColourSpace), PixelError> {
        let d = &self.desc;
        let ts = self.transfer_syntax.as_str();
        let spp = usize::from(d.samples_per_pixel);
        let header_colour = ColourSpace::from_photometric(d.photometric);
        if is_native_syntax(ts) {
            let all = frames::native_pixel_bytes(&self.dataset, d, ts == EXPLICIT_VR_BIG_ENDIAN)?;
            let bytes = frames::native_frame(&all, d, frame)?;
            if d.photometric == Photometric::YbrFull422 && spp == 3 {
                if d.bits_allocated != 8 {
                    return Err(PixelError::Unsupported(format!(
                        "native YBR_FULL_422 with Bits Allocated {}",
                        d.bits_allocated
                    )));
                }
                let expanded = colour::expand_422(&bytes, d.rows as usize, d.cols as usize)?;
                let s = samples::from_native_bytes(&expanded, d, 3, false)?;
                return Ok((s, ColourSpace::YbrFull));
            }
            let s = samples::from_native_bytes(&bytes, d, spp, d.planar)?;
            return Ok((s, header_colour));
        }
        let data = frames::encapsulated_frame(&self.dataset, d.frames, frame)?;
        // Codecs deliver values from bit 0: no High Bit shift.
        let at_bit0 = PixelDescription {
            high_bit: d.bits_stored - 1,
            ..d.clone()
        };
        let pixels = d.pixels_per_frame();
        let check_len = |got: usize, codec: &'static str| {
            if got < pixels * spp {
                Err(PixelError::Codec {
                    codec,
                    message: format!("decoded {got} samples, the header needs {}", pixels * spp),
                })
            } else {
                Ok(())
            }
        };
        match ts {
            uids::RLE_LOSSLESS => {
                let bps = usize::from(d.bits_allocated / 8).max(1);
                let bytes =
                    codec::rle_decode::decode_frame(&data, pixels, spp, bps).map_err(|e| {
                        PixelError::Codec {
                            codec: "RLE",
                            message: e.to_string(),
                        }
                    })?;
                Ok((
                    samples::from_native_bytes(&bytes, d, spp, false)?,
                    header_colour,
                ))
            }
            uids::JPEG_BASELINE8_BIT | uids::JPEG_EXTENDED12_BIT => {
                limits::check_codestream(&data, d, "JPEG")?;
                let img = codec::jpeg_dct::decode(&data).map_err(|e| PixelError::Codec {
                    codec: "JPEG",
                    message: e.to_string(),
                })?;
                check_len(img.samples.len(), "JPEG")?;
                let colour = match (img.components, img.adobe_transform) {
                    (3, Some(0)) => ColourSpace::Rgb,
                    (3, Some(_)) => ColourSpace::YbrFull,
                    (3, None) if img.jfif || header_colour != ColourSpace::Rgb => {
                        ColourSpace::YbrFull
                    }
                    _ => header_colour,
                };
                let s = Samples::from_raw_ints(
                    img.samples[..pixels * spp].iter().map(|v| u64::from(*v)),
                    &at_bit0,
                );
                Ok((s, colour))
            }
            uids::JPEG_LOSSLESS | uids::JPEG_LOSSLESS_SV1 => {
                limits::check_codestream(&data, d, "JPEG lossless")?;
                let mut decoder = jpeg_decoder::Decoder::new(&data[..]);
                let raw = decoder.decode().map_err(|e| PixelError::Codec {
                    codec: "JPEG lossless",
                    message: e.to_string(),
                })?;
                let info = decoder.info().ok_or(PixelError::Codec {
                    codec: "JPEG lossless",
                    message: "no frame header".into(),
                })?;
                let s = match info.pixel_format {
                    jpeg_decoder::PixelFormat::L16 => {
                        check_len(raw.len() / 2, "JPEG lossless")?;
                        // jpeg-decoder returns 16-bit samples in native byte order.
                        Samples::from_raw_ints(
                            raw.chunks_exact(2)
                                .take(pixels * spp)
                                .map(|c| u64::from(u16::from_ne_bytes([c[0], c[1]]))),
                            &at_bit0,
                        )
                    }
                    _ => {
                        check_len(raw.len(), "JPEG lossless")?;
                        Samples::from_raw_ints(
                            raw[..pixels * spp].iter().map(|v| u64::from(*v)),
                            &at_bit0,
                        )
                    }
                };
                Ok((s, header_colour))
            }
            uids::JPEGLS_LOSSLESS | uids::JPEGLS_NEAR_LOSSLESS => {
                limits::check_codestream(&data, d, "JPEG-LS")?;
                let img = codec::jpegls::decode(&data).map_err(|e| PixelError::Codec {
                    codec: "JPEG-LS",
                    message: e.to_string(),
                })?;
                check_len(img.samples.len(), "JPEG-LS")?;
                let s = Samples::from_raw_ints(
                    img.samples[..pixels * spp].iter().map(|v| u64::from(*v)),
                    &at_bit0,
                );
                Ok((s, header_colour))
            }
            uids::JPEG2000_LOSSLESS
            | uids::JPEG2000
            | uids::HTJ2K_LOSSLESS
            | uids::HTJ2K_LOSSLESS_RPCL
            | uids::HTJ2K => {
                limits::check_codestream(&data, d, "JPEG 2000")?;
                let img = jpeg2k::Image::from_bytes(&data).map_err(|e| PixelError::Codec {
                    codec: "JPEG 2000",
                    message: e.to_string(),
                })?;
                let comps = img.components();
                if comps.len() < spp {
                    return Err(PixelError::Codec {
                        codec: "JPEG 2000",
                        message: format!("{} components, the header says {spp}", comps.len()),
                    });
                }
                for c in &comps[..spp] {
                    check_len(c.data().len() * spp, "JPEG 2000")?;
                }
                let raw = (0..pixels * spp).map(|k| comps[k % spp].data()[k / spp] as i64 as u64);
                let s = Samples::from_raw_ints(raw, &at_bit0);
                // The codec undoes the ICT/RCT colour transform itself.
                let colour = if spp == 3
                    && matches!(d.photometric, Photometric::YbrIct | Photometric::YbrRct)
                {
                    ColourSpace::Rgb
                } else {
                    header_colour
                };
                Ok((s, colour))
            }
            other => Err(PixelError::UnsupportedTransferSyntax {
                name: transfer_syntax_name(other),
                uid: other.to_owned(),
            }),
        }
    }

    /// Turns decoded colour or palette samples into 8-bit triples: RGB for palettes,
    /// else the samples in `colour`, scaled to 8 bits.
    fn to_colour_triples(
        &self,
        samples: &Samples,
        colour: ColourSpace,
    ) -> Result<(Vec<u8>, ColourSpace), PixelError> {
        let d = &self.desc;
        let n = d.pixels_per_frame();
        if d.photometric == Photometric::PaletteColor {
            let palette = colour::Palette::from_dataset(&self.dataset)?;
            let mut out = Vec::with_capacity(n * 3);
            for i in 0..n {
                out.extend_from_slice(&palette.lookup(samples.get_int(i)));
            }
            return Ok((out, ColourSpace::Rgb));
        }
        if d.samples_per_pixel != 3 {
            return Err(PixelError::Unsupported(format!(
                "{:?} with {} sample(s) per pixel",
                d.photometric, d.samples_per_pixel
            )));
        }
        let shift = d.bits_stored.saturating_sub(8);
        let out: Vec<u8> = (0..n * 3)
            .map(|i| (samples.get_int(i).max(0) >> shift).min(255) as u8)
            .collect();
        Ok((out, colour))
    }
}
