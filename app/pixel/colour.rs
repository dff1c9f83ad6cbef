//! Colour conversions to 8-bit RGB: YCbCr (full and studio range), 4:2:2 expansion, palettes.

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::PixelError;
use super::desc::Photometric;

/// The colour space of 8-bit three-sample data.
///
/// The viewer uploads triples as stored and converts YCbCr in its shader
/// (shaders/image.wgsl, `ybr_to_rgb`); everything else converts on the CPU with
/// [`ColourSpace::to_rgb_in_place`], the reference the shader is tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourSpace {
    /// RGB (also palette output).
    Rgb,
    /// Full-range YCbCr (YBR_FULL, YBR_FULL_422, JFIF JPEG).
    YbrFull,
    /// Studio-range YCbCr (YBR_PARTIAL_422 / _420).
    YbrPartial,
}

impl ColourSpace {
    /// The colour space a Photometric Interpretation declares.
    pub(crate) fn from_photometric(p: Photometric) -> Self {
        match p {
            Photometric::YbrFull | Photometric::YbrFull422 => Self::YbrFull,
            Photometric::YbrPartial422 | Photometric::YbrPartial420 => Self::YbrPartial,
            _ => Self::Rgb,
        }
    }

    /// Converts interleaved triples in this space to RGB, in place.
    pub fn to_rgb_in_place(self, triples: &mut [u8]) {
        match self {
            Self::Rgb => {}
            Self::YbrFull => ybr_full_to_rgb(triples),
            Self::YbrPartial => ybr_partial_to_rgb(triples),
        }
    }
}

#[inline]
fn clamp_u8(v: f64) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Full-range YCbCr (JFIF, YBR_FULL) to RGB, in place on interleaved 8-bit triples.
///
/// Uses libjpeg's 16-bit fixed-point formula (jdcolor.c), so JPEG images match
/// what IJG-based viewers (dcmtk, most PACS) show, to the level.
pub fn ybr_full_to_rgb(buf: &mut [u8]) {
    const ONE_HALF: i32 = 1 << 15;
    const fn fix(x: f64) -> i32 {
        (x * 65536.0 + 0.5) as i32
    }
    for px in buf.chunks_exact_mut(3) {
        let (y, cb, cr) = (
            i32::from(px[0]),
            i32::from(px[1]) - 128,
            i32::from(px[2]) - 128,
        );
        let r = y + ((fix(1.402) * cr + ONE_HALF) >> 16);
        let g = y + ((-fix(0.344_14) * cb + ONE_HALF - fix(0.714_14) * cr) >> 16);
        let b = y + ((fix(1.772) * cb + ONE_HALF) >> 16);
        px[0] = r.clamp(0, 255) as u8;
        px[1] = g.clamp(0, 255) as u8;
        px[2] = b.clamp(0, 255) as u8;
    }
}

/// Studio-range YCbCr (YBR_PARTIAL_*) to RGB, in place (PS3.3 C.7.6.3.1.2).
pub fn ybr_partial_to_rgb(buf: &mut [u8]) {
    for px in buf.chunks_exact_mut(3) {
        let (y, cb, cr) = (
            1.164_4 * (f64::from(px[0]) - 16.0),
            f64::from(px[1]) - 128.0,
            f64::from(px[2]) - 128.0,
        );
        px[0] = clamp_u8(y + 1.596_0 * cr);
        px[1] = clamp_u8(y - 0.391_7 * cb - 0.813_0 * cr);
        px[2] = clamp_u8(y + 2.017_3 * cb);
    }
}

/// Expands native YBR_FULL_422 (Y0 Y1 Cb Cr per pixel pair) to Y Cb Cr per pixel.
pub fn expand_422(src: &[u8], rows: usize, cols: usize) -> Result<Vec<u8>, PixelError> {
    let pairs_per_row = cols.div_ceil(2);
    let need = rows * pairs_per_row * 4;
    if src.len() < need {
        return Err(PixelError::Corrupt(format!(
            "YBR_FULL_422 frame has {} bytes, needs {need}",
            src.len()
        )));
    }
    let mut out = Vec::with_capacity(rows * cols * 3);
    for r in 0..rows {
        for c in 0..cols {
            let q = (r * pairs_per_row + c / 2) * 4;
            out.extend_from_slice(&[src[q + c % 2], src[q + 2], src[q + 3]]);
        }
    }
    Ok(out)
}

/// The three palette colour LUTs of a PALETTE COLOR image.
#[derive(Debug, Clone)]
pub struct Palette {
    first_mapped: i64,
    /// Entries as 8-bit RGB.
    rgb: Vec<[u8; 3]>,
}

impl Palette {
    /// Reads the Red/Green/Blue Palette Color LUT Descriptors and Data.
    pub fn from_dataset(obj: &InMemDicomObject) -> Result<Self, PixelError> {
        let red = lut(
            obj,
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::SEGMENTED_RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        )?;
        let green = lut(
            obj,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::SEGMENTED_GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        )?;
        let blue = lut(
            obj,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            tags::SEGMENTED_BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        )?;
        let n = red.1.len().min(green.1.len()).min(blue.1.len());
        Ok(Self {
            first_mapped: red.0,
            rgb: (0..n).map(|i| [red.1[i], green.1[i], blue.1[i]]).collect(),
        })
    }

    /// The colour of stored value `v` (values outside the table take its first or last entry).
    #[inline]
    pub fn lookup(&self, v: i64) -> [u8; 3] {
        let i = (v - self.first_mapped).clamp(0, self.rgb.len() as i64 - 1) as usize;
        self.rgb[i]
    }
}

/// Reads one palette LUT as 8-bit entries: (first mapped value, entries).
/// Reads one palette LUT (plain, or segmented per PS3.3 C.7.9.2) as 8-bit entries.
fn lut(
    obj: &InMemDicomObject,
    desc_tag: Tag,
    data_tag: Tag,
    segmented_tag: Tag,
) -> Result<(i64, Vec<u8>), PixelError> {
    let missing = || {
        PixelError::Corrupt(format!(
            "PALETTE COLOR without {desc_tag} / {data_tag} or {segmented_tag}"
        ))
    };
    let desc = obj
        .get(desc_tag)
        .and_then(|e| e.to_multi_int::<i64>().ok())
        .filter(|d| d.len() == 3)
        .ok_or_else(missing)?;
    let entries = if desc[0] == 0 {
        65536
    } else {
        desc[0] as usize
    };
    let first_mapped = if desc[1] < 0 {
        desc[1] + 65536
    } else {
        desc[1]
    };
    let bits = desc[2];
    let words = |tag| {
        obj.get(tag).and_then(|e| e.to_bytes().ok()).map(|raw| {
            raw.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect::<Vec<u16>>()
        })
    };
    let plain = obj.get(data_tag).and_then(|e| e.to_bytes().ok());
    let values: Vec<u16> = if let Some(raw) = plain.as_deref().filter(|r| !r.is_empty()) {
        if bits == 8 && raw.len() < entries * 2 {
            raw.iter().map(|b| u16::from(*b)).collect()
        } else {
            raw.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect()
        }
    } else {
        let seg = words(segmented_tag).ok_or_else(missing)?;
        expand_segmented(&seg, entries)?
    };
    if values.is_empty() {
        return Err(missing());
    }
    // 16-bit entries keep their high byte; some writers mark 8-bit data as 16 bits.
    let max = values.iter().copied().max().unwrap_or(0);
    let shift = if bits == 8 || max <= 255 { 0 } else { 8 };
    Ok((
        first_mapped,
        values
            .iter()
            .take(entries)
            .map(|v| (v >> shift) as u8)
            .collect(),
    ))
}

/// Expands Segmented Palette Color LUT Data (PS3.3 C.7.9.2): discrete (opcode 0),
/// linear (1) and indirect (2) segments, up to `entries` values.
pub fn expand_segmented(words: &[u16], entries: usize) -> Result<Vec<u16>, PixelError> {
    let mut out: Vec<u16> = Vec::with_capacity(entries);
    expand_segments(words, 0, usize::MAX, entries, &mut out, 0)?;
    if out.is_empty() {
        return Err(PixelError::Corrupt("segmented palette LUT is empty".into()));
    }
    Ok(out)
}

/// Expands up to `count` segments starting at word `start` into `out`.
fn expand_segments(
    words: &[u16],
    start: usize,
    count: usize,
    entries: usize,
    out: &mut Vec<u16>,
    depth: u32,
) -> Result<(), PixelError> {
    let bad = |m: &str| PixelError::Corrupt(format!("segmented palette LUT: {m}"));
    if depth > 4 {
        return Err(bad("indirect segments nested too deeply"));
    }
    let mut i = start;
    let mut done = 0;
    while i + 1 < words.len() && done < count && out.len() < entries {
        let (opcode, length) = (words[i], usize::from(words[i + 1]));
        match opcode {
            0 => {
                let end = (i + 2 + length).min(words.len());
                out.extend_from_slice(&words[i + 2..end]);
                i = end;
            }
            1 => {
                let y1 = f64::from(
                    *words
                        .get(i + 2)
                        .ok_or_else(|| bad("linear segment cut short"))?,
                );
                let y0 = f64::from(*out.last().ok_or_else(|| bad("linear segment first"))?);
                for k in 1..=length {
                    out.push((y0 + (y1 - y0) * k as f64 / length as f64).round() as u16);
                }
                i += 3;
            }
            2 => {
                let lo = usize::from(
                    *words
                        .get(i + 2)
                        .ok_or_else(|| bad("indirect segment cut short"))?,
                );
                let hi = usize::from(
                    *words
                        .get(i + 3)
                        .ok_or_else(|| bad("indirect segment cut short"))?,
                );
                let byte_offset = hi << 16 | lo;
                expand_segments(words, byte_offset / 2, length, entries, out, depth + 1)?;
                i += 4;
            }
            other => return Err(bad(&format!("unknown opcode {other}"))),
        }
        done += 1;
    }
    out.truncate(entries);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segmented_lut_by_hand() {
        // Discrete [0, 10], linear to 40 over 3 steps (20, 30, 40), indirect: repeat the first segment.
        let words = [0, 2, 0, 10, 1, 3, 40, 2, 1, 0, 0];
        assert_eq!(
            expand_segmented(&words, 100).unwrap(),
            vec![0, 10, 20, 30, 40, 0, 10]
        );
        assert_eq!(expand_segmented(&words, 4).unwrap(), vec![0, 10, 20, 30]);
        assert!(
            expand_segmented(&[1, 3, 40], 10).is_err(),
            "linear needs a previous value"
        );
    }

    #[test]
    fn libjpeg_ycbcr_reference_values() {
        // Grey stays grey; pure red in JFIF YCbCr is (76, 85, 255) → (255, 0, 0) within rounding.
        let mut px = [128, 128, 128, 76, 85, 255];
        ybr_full_to_rgb(&mut px);
        assert_eq!(&px[..3], &[128, 128, 128]);
        assert!(px[3] >= 253 && px[4] <= 1 && px[5] <= 2, "{px:?}");
    }
}
