//! Finding the bytes of frame `n` in the Pixel Data element.

use std::borrow::Cow;

use dicom_core::value::Value;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::PixelError;
use super::desc::PixelDescription;

/// The whole native (uncompressed) pixel data as little-endian bytes.
///
/// The parser already turned big-endian OW/OL/OF/OD values into native numbers;
/// 32-bit samples that were stored as OW words need their halves swapped back.
pub fn native_pixel_bytes<'a>(
    obj: &'a InMemDicomObject,
    desc: &PixelDescription,
    big_endian: bool,
) -> Result<Cow<'a, [u8]>, PixelError> {
    let elem = [
        tags::PIXEL_DATA,
        tags::FLOAT_PIXEL_DATA,
        tags::DOUBLE_FLOAT_PIXEL_DATA,
    ]
    .into_iter()
    .find_map(|t| obj.get(t))
    .ok_or(PixelError::NoPixelData)?;
    let bytes = match elem.value() {
        Value::Primitive(p) => p.to_bytes(),
        _ => {
            return Err(PixelError::Corrupt(
                "native pixel data is encapsulated".into(),
            ));
        }
    };
    let is_ow = elem.vr() == dicom_core::VR::OW;
    if big_endian && is_ow && desc.bits_allocated == 32 {
        let mut swapped = bytes.into_owned();
        for word in swapped.chunks_exact_mut(4) {
            word.swap(0, 2);
            word.swap(1, 3);
        }
        return Ok(Cow::Owned(swapped));
    }
    Ok(bytes)
}

/// The bytes of frame `frame` of native pixel data (bit offsets for 1-bit data are frame-aligned).
pub fn native_frame<'a>(
    all: &'a [u8],
    desc: &PixelDescription,
    frame: u32,
) -> Result<Cow<'a, [u8]>, PixelError> {
    let frame_bits = desc.native_frame_bits();
    let start_bit = frame_bits * frame as usize;
    let end_bit = start_bit + frame_bits;
    if end_bit.div_ceil(8) > all.len() {
        return Err(PixelError::Corrupt(format!(
            "pixel data has {} bytes; frame {frame} needs bytes up to {}",
            all.len(),
            end_bit.div_ceil(8)
        )));
    }
    if start_bit.is_multiple_of(8) {
        return Ok(Cow::Borrowed(&all[start_bit / 8..end_bit.div_ceil(8)]));
    }
    // 1-bit frames need not start on a byte boundary: re-pack from bit 0.
    let mut out = vec![0u8; frame_bits.div_ceil(8)];
    for i in 0..frame_bits {
        let b = start_bit + i;
        if all[b / 8] >> (b % 8) & 1 == 1 {
            out[i / 8] |= 1 << (i % 8);
        }
    }
    Ok(Cow::Owned(out))
}

/// The compressed bytes of frame `frame` of encapsulated pixel data.
///
/// Fragments map to frames one to one when their counts match; otherwise the
/// Basic Offset Table decides; without one, a single-frame image is all the
/// fragments, and a multi-frame image is split where a fragment starts a new
/// codestream (JPEG SOI, JPEG 2000 SOC or a JP2 signature).
pub fn encapsulated_frame<'a>(
    obj: &'a InMemDicomObject,
    frames: u32,
    frame: u32,
) -> Result<Cow<'a, [u8]>, PixelError> {
    let elem = obj.get(tags::PIXEL_DATA).ok_or(PixelError::NoPixelData)?;
    let (offsets, fragments) = match elem.value() {
        Value::PixelSequence(seq) => (seq.offset_table(), seq.fragments()),
        _ => {
            return Err(PixelError::Corrupt(
                "pixel data of a compressed transfer syntax is not encapsulated".into(),
            ));
        }
    };
    if fragments.is_empty() {
        return Err(PixelError::Corrupt(
            "encapsulated pixel data has no fragments".into(),
        ));
    }
    let frame_idx = frame as usize;
    let concat = |frags: &[Vec<u8>]| -> Cow<'a, [u8]> { Cow::Owned(frags.concat()) };
    if frames == 1 {
        return Ok(if fragments.len() == 1 {
            Cow::Borrowed(&fragments[0][..])
        } else {
            concat(fragments)
        });
    }
    if fragments.len() == frames as usize {
        return Ok(Cow::Borrowed(&fragments[frame_idx][..]));
    }
    let groups: Vec<(usize, usize)> = if offsets.len() == frames as usize {
        // Offsets count bytes from the first fragment's item tag; each item adds 8 header bytes.
        let mut starts = Vec::with_capacity(fragments.len());
        let mut pos = 0u64;
        for f in fragments {
            starts.push(pos);
            pos += f.len() as u64 + 8;
        }
        let index_of = |off: u32| starts.iter().position(|s| *s == u64::from(off));
        let mut firsts = Vec::with_capacity(offsets.len());
        for off in offsets {
            firsts.push(index_of(*off).ok_or_else(|| {
                PixelError::Corrupt(format!(
                    "basic offset table entry {off} points inside a fragment"
                ))
            })?);
        }
        firsts
            .iter()
            .enumerate()
            .map(|(i, &a)| (a, firsts.get(i + 1).copied().unwrap_or(fragments.len())))
            .collect()
    } else {
        let starts: Vec<usize> = fragments
            .iter()
            .enumerate()
            .filter(|(_, f)| starts_codestream(f))
            .map(|(i, _)| i)
            .collect();
        starts
            .iter()
            .enumerate()
            .map(|(i, &a)| (a, starts.get(i + 1).copied().unwrap_or(fragments.len())))
            .collect()
    };
    let &(a, b) = groups.get(frame_idx).ok_or_else(|| {
        PixelError::Corrupt(format!(
            "cannot find frame {frame}: {} fragments for {frames} frames",
            fragments.len()
        ))
    })?;
    Ok(if b == a + 1 {
        Cow::Borrowed(&fragments[a][..])
    } else {
        concat(&fragments[a..b])
    })
}

fn starts_codestream(f: &[u8]) -> bool {
    f.starts_with(&[0xFF, 0xD8]) // JPEG / JPEG-LS SOI
        || f.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) // JPEG 2000 SOC + SIZ
        || f.starts_with(&[0, 0, 0, 0x0C, b'j', b'P']) // JP2 signature box
}
