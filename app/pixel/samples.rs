//! Stored sample values of one frame, in a type wide enough for every bit depth.

use super::PixelError;
use super::desc::PixelDescription;

/// Sample values of a frame, pixel-interleaved, after masking to Bits Stored and sign extension.
#[derive(Debug, Clone, PartialEq)]
pub enum Samples {
    /// Integer samples up to 32 bits signed or 31 bits unsigned.
    I32(Vec<i32>),
    /// Unsigned 32-bit samples.
    U32(Vec<u32>),
    /// Float Pixel Data.
    F32(Vec<f32>),
    /// Double Float Pixel Data.
    F64(Vec<f64>),
}

impl Samples {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Self::I32(v) => v.len(),
            Self::U32(v) => v.len(),
            Self::F32(v) => v.len(),
            Self::F64(v) => v.len(),
        }
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sample `i` as f64 (exact for every variant but F64 itself).
    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        match self {
            Self::I32(v) => f64::from(v[i]),
            Self::U32(v) => f64::from(v[i]),
            Self::F32(v) => f64::from(v[i]),
            Self::F64(v) => v[i],
        }
    }

    /// Integer sample `i` (floats are rounded); for LUT lookups and padding tests.
    #[inline]
    pub fn get_int(&self, i: usize) -> i64 {
        match self {
            Self::I32(v) => i64::from(v[i]),
            Self::U32(v) => i64::from(v[i]),
            Self::F32(v) => v[i].round() as i64,
            Self::F64(v) => v[i].round() as i64,
        }
    }

    /// True for float pixel data.
    pub fn is_float(&self) -> bool {
        matches!(self, Self::F32(_) | Self::F64(_))
    }

    /// Builds integer samples from raw integers, applying Bits Stored / High Bit / sign.
    pub fn from_raw_ints(raw: impl Iterator<Item = u64>, desc: &PixelDescription) -> Self {
        if desc.bits_stored == 32 && !desc.signed {
            Self::U32(raw.map(|r| desc.normalize(r) as u32).collect())
        } else {
            Self::I32(raw.map(|r| desc.normalize(r) as i32).collect())
        }
    }
}

/// Reads native little-endian bytes of one frame (`samples_per_pixel` samples a pixel,
/// planar when `planar`) into interleaved samples.
pub fn from_native_bytes(
    bytes: &[u8],
    desc: &PixelDescription,
    samples_per_pixel: usize,
    planar: bool,
) -> Result<Samples, PixelError> {
    let n = desc.pixels_per_frame() * samples_per_pixel;
    let bits = usize::from(desc.bits_allocated);
    if (n * bits).div_ceil(8) > bytes.len() {
        return Err(PixelError::Corrupt(format!(
            "frame has {} bytes, needs {}",
            bytes.len(),
            (n * bits).div_ceil(8)
        )));
    }
    // Index of the k-th interleaved sample in the stored order.
    let pixels = desc.pixels_per_frame();
    let src_index = |k: usize| {
        if planar && samples_per_pixel > 1 {
            (k % samples_per_pixel) * pixels + k / samples_per_pixel
        } else {
            k
        }
    };
    let le = |i: usize, w: usize| {
        let mut v = 0u64;
        for b in (0..w).rev() {
            v = v << 8 | u64::from(bytes[i * w + b]);
        }
        v
    };
    Ok(match (bits, desc.float_data) {
        (32, true) => Samples::F32(
            (0..n)
                .map(|k| f32::from_bits(le(src_index(k), 4) as u32))
                .collect(),
        ),
        (64, true) => Samples::F64(
            (0..n)
                .map(|k| f64::from_bits(le(src_index(k), 8)))
                .collect(),
        ),
        (1, _) => Samples::I32(
            (0..n)
                .map(|k| {
                    let i = src_index(k);
                    i32::from(bytes[i / 8] >> (i % 8) & 1)
                })
                .collect(),
        ),
        (8, _) => Samples::from_raw_ints((0..n).map(|k| u64::from(bytes[src_index(k)])), desc),
        (16, _) if !planar && !desc.signed && desc.bits_stored == 16 => {
            // The common CT/MR case: a straight copy.
            Samples::I32(
                bytes[..n * 2]
                    .chunks_exact(2)
                    .map(|c| i32::from(u16::from_le_bytes([c[0], c[1]])))
                    .collect(),
            )
        }
        (16, _) if !planar && desc.signed && desc.bits_stored == 16 => Samples::I32(
            bytes[..n * 2]
                .chunks_exact(2)
                .map(|c| i32::from(i16::from_le_bytes([c[0], c[1]])))
                .collect(),
        ),
        (16 | 32, _) => {
            let w = bits / 8;
            Samples::from_raw_ints((0..n).map(|k| le(src_index(k), w)), desc)
        }
        _ => {
            return Err(PixelError::Unsupported(format!(
                "Bits Allocated {bits} for integer pixel data"
            )));
        }
    })
}
