//! The Image Pixel module of a data set: how to read the stored values.

use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use crate::attrs::{int, text};

/// Photometric Interpretation values we know how to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Photometric {
    /// Greyscale, minimum shown white.
    Monochrome1,
    /// Greyscale, minimum shown black.
    Monochrome2,
    /// Indexed colour through the palette LUTs.
    PaletteColor,
    /// Red, green, blue.
    Rgb,
    /// Full-range YCbCr (JFIF).
    YbrFull,
    /// Full-range YCbCr with Cb, Cr horizontally subsampled by two.
    YbrFull422,
    /// Studio-range YCbCr, 4:2:2 subsampled.
    YbrPartial422,
    /// Studio-range YCbCr, 4:2:0 subsampled.
    YbrPartial420,
    /// JPEG 2000 irreversible colour transform (the codec undoes it).
    YbrIct,
    /// JPEG 2000 reversible colour transform (the codec undoes it).
    YbrRct,
}

impl Photometric {
    /// Parses the attribute value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "MONOCHROME1" => Self::Monochrome1,
            "MONOCHROME2" => Self::Monochrome2,
            "PALETTE COLOR" => Self::PaletteColor,
            "RGB" => Self::Rgb,
            "YBR_FULL" => Self::YbrFull,
            "YBR_FULL_422" => Self::YbrFull422,
            "YBR_PARTIAL_422" => Self::YbrPartial422,
            "YBR_PARTIAL_420" => Self::YbrPartial420,
            "YBR_ICT" => Self::YbrIct,
            "YBR_RCT" => Self::YbrRct,
            _ => return None,
        })
    }

    /// True for MONOCHROME1 and MONOCHROME2.
    pub fn is_monochrome(self) -> bool {
        matches!(self, Self::Monochrome1 | Self::Monochrome2)
    }
}

/// Where the sample values are and how they are laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelDescription {
    /// Rows.
    pub rows: u32,
    /// Columns.
    pub cols: u32,
    /// Number of Frames.
    pub frames: u32,
    /// Samples per Pixel (1 or 3).
    pub samples_per_pixel: u16,
    /// Bits Allocated (1, 8, 16, 32, or 64 for Double Float Pixel Data).
    pub bits_allocated: u16,
    /// Bits Stored.
    pub bits_stored: u16,
    /// High Bit.
    pub high_bit: u16,
    /// Pixel Representation 1: two's complement.
    pub signed: bool,
    /// Photometric Interpretation.
    pub photometric: Photometric,
    /// Planar Configuration 1: colour-by-plane.
    pub planar: bool,
    /// Pixel Padding Value, when given.
    pub padding_value: Option<i64>,
    /// The pixel data is Float (32) or Double Float (64) Pixel Data.
    pub float_data: bool,
}

/// Why the pixel module cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DescriptionError {
    /// A required attribute is missing or invalid.
    #[error("missing or invalid {0}")]
    Attribute(&'static str),
    /// Photometric Interpretation we cannot show.
    #[error("unsupported photometric interpretation {0:?}")]
    Photometric(String),
    /// Bit depths we cannot read.
    #[error("unsupported bit depth: Bits Allocated {allocated}, Bits Stored {stored}")]
    Bits {
        /// Bits Allocated.
        allocated: u16,
        /// Bits Stored.
        stored: u16,
    },
}

impl PixelDescription {
    /// Reads the description from a data set.
    pub fn from_dataset(obj: &InMemDicomObject) -> Result<Self, DescriptionError> {
        let float_data = obj.get(tags::FLOAT_PIXEL_DATA).is_some()
            || obj.get(tags::DOUBLE_FLOAT_PIXEL_DATA).is_some();
        let rows = int(obj, tags::ROWS)
            .filter(|v| *v > 0)
            .ok_or(DescriptionError::Attribute("Rows"))?;
        let cols = int(obj, tags::COLUMNS)
            .filter(|v| *v > 0)
            .ok_or(DescriptionError::Attribute("Columns"))?;
        let samples_per_pixel = int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1);
        if samples_per_pixel != 1 && samples_per_pixel != 3 {
            return Err(DescriptionError::Attribute("SamplesPerPixel"));
        }
        let bits_allocated =
            int(obj, tags::BITS_ALLOCATED).ok_or(DescriptionError::Attribute("BitsAllocated"))?;
        let bits_stored = int(obj, tags::BITS_STORED).unwrap_or(bits_allocated);
        let high_bit = int(obj, tags::HIGH_BIT).unwrap_or(bits_stored - 1);
        let bits_ok = matches!(bits_allocated, 1 | 8 | 16 | 32 | 64)
            && (1..=bits_allocated).contains(&bits_stored)
            && high_bit >= bits_stored - 1
            && high_bit < bits_allocated;
        if !bits_ok {
            return Err(DescriptionError::Bits {
                allocated: bits_allocated as u16,
                stored: bits_stored as u16,
            });
        }
        let photometric_text = text(obj, tags::PHOTOMETRIC_INTERPRETATION).unwrap_or_else(|| {
            if samples_per_pixel == 3 {
                "RGB"
            } else {
                "MONOCHROME2"
            }
            .to_owned()
        });
        let photometric = Photometric::parse(&photometric_text)
            .ok_or(DescriptionError::Photometric(photometric_text))?;
        Ok(Self {
            rows: rows as u32,
            cols: cols as u32,
            frames: int(obj, tags::NUMBER_OF_FRAMES)
                .filter(|n| *n >= 1)
                .map_or(1, |n| n as u32),
            samples_per_pixel: samples_per_pixel as u16,
            bits_allocated: bits_allocated as u16,
            bits_stored: bits_stored as u16,
            high_bit: high_bit as u16,
            signed: int(obj, tags::PIXEL_REPRESENTATION) == Some(1),
            photometric,
            planar: int(obj, tags::PLANAR_CONFIGURATION) == Some(1),
            padding_value: int(obj, tags::PIXEL_PADDING_VALUE),
            float_data,
        })
    }

    /// Pixels in one frame.
    pub fn pixels_per_frame(&self) -> usize {
        self.rows as usize * self.cols as usize
    }

    /// Bytes one uncompressed frame takes (bit-packed for 1-bit data; YBR_FULL_422 uses 2 samples a pixel).
    pub fn native_frame_bits(&self) -> usize {
        let samples = if self.photometric == Photometric::YbrFull422 && self.samples_per_pixel == 3
        {
            2
        } else {
            usize::from(self.samples_per_pixel)
        };
        self.pixels_per_frame() * samples * usize::from(self.bits_allocated)
    }

    /// Brings a raw integer sample to its value: keep bits `high_bit-bits_stored+1 ..= high_bit`,
    /// then sign-extend when Pixel Representation is 1.
    #[inline]
    pub fn normalize(&self, raw: u64) -> i64 {
        let shift = u32::from(self.high_bit + 1 - self.bits_stored);
        let bits = u32::from(self.bits_stored);
        let v = (raw >> shift) & (u64::MAX >> (64 - bits));
        if self.signed && bits < 64 && (v >> (bits - 1)) & 1 == 1 {
            (v as i64) - (1i64 << bits)
        } else {
            v as i64
        }
    }
}
