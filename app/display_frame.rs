//! A decoded frame in the compact form the viewer caches and uploads.
//!
//! The viewer keeps whole series in memory, so a frame is stored in its stored
//! type (2 bytes a pixel for 16-bit data, not 4 or 8) together with everything the
//! GPU needs to finish it: the rescale, the file's VOIs, padding, inversion, and
//! the statistics for the automatic windows.

use std::sync::Arc;

use dicom_dictionary_std::tags;

use crate::attrs::text;
use crate::pixel::{ColourSpace, DicomImage, FramePixels, PixelError, Samples};
use crate::window::{FileVoi, ModalityTransform, file_vois, presentation_inverted};

/// Pixel values in their compact stored form.
#[derive(Debug, Clone)]
pub enum CompactPixels {
    /// Signed stored values that fit 16 bits.
    I16(Arc<[i16]>),
    /// Unsigned stored values that fit 16 bits.
    U16(Arc<[u16]>),
    /// Anything wider, or float data.
    F32(Arc<[f32]>),
    /// 8-bit colour triples in `space` (YCbCr is converted by the viewer's shader).
    Colour8 {
        /// Interleaved triples, row by row.
        triples: Arc<[u8]>,
        /// Their colour space.
        space: ColourSpace,
    },
}

impl CompactPixels {
    /// Bytes held.
    pub fn byte_len(&self) -> usize {
        match self {
            Self::I16(v) => v.len() * 2,
            Self::U16(v) => v.len() * 2,
            Self::F32(v) => v.len() * 4,
            Self::Colour8 { triples, .. } => triples.len(),
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Self::I16(v) => v.len(),
            Self::U16(v) => v.len(),
            Self::F32(v) => v.len(),
            Self::Colour8 { triples, .. } => triples.len(),
        }
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stored value `i` as f32 (greyscale only; 0 for colour).
    #[inline]
    pub fn stored(&self, i: usize) -> f32 {
        match self {
            Self::I16(v) => f32::from(v[i]),
            Self::U16(v) => f32::from(v[i]),
            Self::F32(v) => v[i],
            Self::Colour8 { .. } => 0.0,
        }
    }

    /// Every stored value as f32, for an R32Float texture upload.
    pub fn stored_f32(&self) -> Vec<f32> {
        match self {
            Self::I16(v) => v.iter().map(|x| f32::from(*x)).collect(),
            Self::U16(v) => v.iter().map(|x| f32::from(*x)).collect(),
            Self::F32(v) => v.to_vec(),
            Self::Colour8 { .. } => Vec::new(),
        }
    }
}

/// Modality-value statistics of a greyscale frame (padding excluded), for auto windows.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameStats {
    /// Minimum modality value.
    pub min: f64,
    /// Maximum modality value.
    pub max: f64,
    /// 1st percentile.
    pub p1: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// A frame ready for display.
#[derive(Debug, Clone)]
pub struct DisplayFrame {
    /// Rows.
    pub rows: u32,
    /// Columns.
    pub cols: u32,
    /// Pixels.
    pub pixels: CompactPixels,
    /// Stored → modality value.
    pub modality: ModalityTransform,
    /// The windows and VOI LUTs the file offers.
    pub file_vois: Vec<FileVoi>,
    /// Pixel Padding Value (greyscale).
    pub padding_value: Option<f32>,
    /// MONOCHROME1 or Presentation LUT Shape INVERSE.
    pub inverted: bool,
    /// Statistics of the modality values (greyscale).
    pub stats: FrameStats,
}

impl DisplayFrame {
    /// Decodes `frame` of `image` into display form.
    pub fn decode(image: &DicomImage, frame: u32) -> Result<Self, PixelError> {
        let (decoded, space) = image.decode_frame_in_colour_space(frame)?;
        let desc = &image.desc;
        let modality = ModalityTransform::for_frame(&image.dataset, frame, desc.signed);
        let monochrome1 = text(&image.dataset, tags::PHOTOMETRIC_INTERPRETATION)
            .is_some_and(|p| p == "MONOCHROME1");
        let (pixels, stats) = match decoded.pixels {
            FramePixels::Rgb(triples) => (
                CompactPixels::Colour8 {
                    triples: triples.into(),
                    space: space.unwrap_or(ColourSpace::Rgb),
                },
                FrameStats::default(),
            ),
            FramePixels::Grey(samples) => {
                let stats = stats_of(&samples, &modality, desc.padding_value);
                (compact(samples), stats)
            }
        };
        Ok(Self {
            rows: decoded.rows,
            cols: decoded.cols,
            pixels,
            modality,
            file_vois: file_vois(&image.dataset, frame, desc.signed),
            padding_value: desc.padding_value.map(|p| p as f32),
            inverted: presentation_inverted(&image.dataset, monochrome1),
            stats,
        })
    }

    /// Bytes this frame holds in memory.
    pub fn byte_len(&self) -> usize {
        self.pixels.byte_len()
    }

    /// Modality values of every pixel and the padding mask (greyscale; `None` for colour),
    /// for ROI statistics.
    pub fn modality_values(&self) -> Option<(Vec<f64>, Vec<bool>)> {
        if matches!(self.pixels, CompactPixels::Colour8 { .. }) {
            return None;
        }
        let n = self.pixels.len();
        let mut values = Vec::with_capacity(n);
        let mut padding = Vec::with_capacity(n);
        for i in 0..n {
            let stored = self.pixels.stored(i);
            padding.push(self.padding_value == Some(stored));
            values.push(self.modality.apply(f64::from(stored)));
        }
        Some((values, padding))
    }

    /// The modality value at pixel `(col, row)`, `None` outside, on padding or for colour.
    pub fn modality_value(&self, col: u32, row: u32) -> Option<f64> {
        if col >= self.cols
            || row >= self.rows
            || matches!(self.pixels, CompactPixels::Colour8 { .. })
        {
            return None;
        }
        let stored = self.pixels.stored((row * self.cols + col) as usize);
        if self.padding_value == Some(stored) {
            return None;
        }
        Some(self.modality.apply(f64::from(stored)))
    }
}

/// Stores samples in the narrowest type that holds them exactly.
fn compact(samples: Samples) -> CompactPixels {
    match samples {
        Samples::I32(v) => {
            let (lo, hi) = v
                .iter()
                .fold((i32::MAX, i32::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
            if lo >= 0 && hi <= i32::from(u16::MAX) {
                CompactPixels::U16(v.iter().map(|x| *x as u16).collect())
            } else if lo >= i32::from(i16::MIN) && hi <= i32::from(i16::MAX) {
                CompactPixels::I16(v.iter().map(|x| *x as i16).collect())
            } else {
                CompactPixels::F32(v.iter().map(|x| *x as f32).collect())
            }
        }
        Samples::U32(v) => CompactPixels::F32(v.iter().map(|x| *x as f32).collect()),
        Samples::F32(v) => CompactPixels::F32(v.into()),
        Samples::F64(v) => CompactPixels::F32(v.iter().map(|x| *x as f32).collect()),
    }
}

/// Min, max and 1st/99th percentiles of the modality values, padding and NaN excluded.
fn stats_of(samples: &Samples, modality: &ModalityTransform, padding: Option<i64>) -> FrameStats {
    let mut values: Vec<f64> = (0..samples.len())
        .filter(|&i| samples.is_float() || padding != Some(samples.get_int(i)))
        .map(|i| modality.apply(samples.get(i)))
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        return FrameStats::default();
    }
    let n = values.len();
    let at = |q: f64| ((n - 1) as f64 * q).round() as usize;
    let (i1, i99) = (at(0.01), at(0.99));
    let p1 = *values.select_nth_unstable_by(i1, f64::total_cmp).1;
    let p99 = *values.select_nth_unstable_by(i99, f64::total_cmp).1;
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    FrameStats { min, max, p1, p99 }
}
