//! DICOM RLE Lossless encoder (PS3.5 Annex G, transfer syntax 1.2.840.10008.1.2.5).
//!
//! Why this module exists: `lightbox synth` generates a synthetic sample release
//! whose series deliberately use several transfer syntaxes, so that the viewer's
//! decode paths are exercised by realistic files. The DICOM toolkit crates we
//! depend on only *decode* RLE Lossless; this module provides the matching
//! deterministic, pure-Rust *encoder* for one frame.
//!
//! The output of [`encode_frame`] is one complete RLE fragment (the value of one
//! encapsulated Pixel Data item): a 64-byte header holding the number of
//! segments and their offsets, followed by one PackBits-compressed segment per
//! byte plane. Segments are ordered sample by sample (R, G, B for colour) and,
//! within a sample, from the most significant byte to the least significant
//! byte. Every row is compressed separately (no run crosses a row boundary) and
//! every segment is padded with a zero byte to an even length, so the fragment
//! length is always even.

use thiserror::Error;

/// Size in bytes of the RLE header that precedes the segments.
const HEADER_LEN: usize = 64;

/// Maximum number of segments the 64-byte RLE header can describe.
const MAX_SEGMENTS: usize = 15;

/// Longest literal or replicate run that a single PackBits header can describe.
const MAX_RUN: usize = 128;

/// Reasons why a frame cannot be RLE-encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RleEncodeError {
    /// Rows or columns is zero.
    #[error("frame has zero size ({rows} rows x {cols} columns)")]
    EmptyFrame {
        /// Number of rows requested.
        rows: u32,
        /// Number of columns requested.
        cols: u32,
    },
    /// Samples per pixel other than 1 or 3.
    #[error("unsupported samples per pixel {0} (expected 1 or 3)")]
    UnsupportedSamplesPerPixel(u8),
    /// Bits allocated other than 8, 16 or 32.
    #[error("unsupported bits allocated {0} (expected 8, 16 or 32)")]
    UnsupportedBitsAllocated(u8),
    /// The input buffer does not hold exactly one frame.
    #[error("frame buffer has {actual} bytes but {expected} were expected")]
    LengthMismatch {
        /// Number of bytes implied by the frame geometry.
        expected: usize,
        /// Number of bytes actually supplied.
        actual: usize,
    },
    /// The frame geometry overflows the address space or the 32-bit segment
    /// offsets of the RLE header.
    #[error("frame is too large for an RLE fragment")]
    TooLarge,
}

/// Encodes one native little-endian frame as a DICOM RLE Lossless fragment.
///
/// `samples_le` must hold exactly `rows * cols * samples_per_pixel *
/// bits_allocated / 8` bytes in little-endian byte order, colour samples
/// pixel-interleaved (Planar Configuration 0). `samples_per_pixel` must be 1 or
/// 3 and `bits_allocated` 8, 16 or 32. Signed data is encoded as its bit
/// pattern, which is what the RLE transfer syntax stores.
///
/// Returns the complete fragment (header plus even-length segments), ready to
/// be placed in one encapsulated Pixel Data item.
///
/// # Errors
///
/// Returns [`RleEncodeError`] for an empty frame, unsupported sample layout,
/// a buffer of the wrong length, or a frame whose encoded size cannot be
/// described by the 32-bit offsets of the RLE header.
pub fn encode_frame(
    samples_le: &[u8],
    rows: u32,
    cols: u32,
    samples_per_pixel: u8,
    bits_allocated: u8,
) -> Result<Vec<u8>, RleEncodeError> {
    if rows == 0 || cols == 0 {
        return Err(RleEncodeError::EmptyFrame { rows, cols });
    }
    if samples_per_pixel != 1 && samples_per_pixel != 3 {
        return Err(RleEncodeError::UnsupportedSamplesPerPixel(
            samples_per_pixel,
        ));
    }
    let bytes_per_sample: usize = match bits_allocated {
        8 => 1,
        16 => 2,
        32 => 4,
        other => return Err(RleEncodeError::UnsupportedBitsAllocated(other)),
    };
    let spp = usize::from(samples_per_pixel);
    let rows_us = usize::try_from(rows).map_err(|_| RleEncodeError::TooLarge)?;
    let cols_us = usize::try_from(cols).map_err(|_| RleEncodeError::TooLarge)?;
    let pixel_stride = spp * bytes_per_sample;
    let row_stride = cols_us
        .checked_mul(pixel_stride)
        .ok_or(RleEncodeError::TooLarge)?;
    let expected = rows_us
        .checked_mul(row_stride)
        .ok_or(RleEncodeError::TooLarge)?;
    if samples_le.len() != expected {
        return Err(RleEncodeError::LengthMismatch {
            expected,
            actual: samples_le.len(),
        });
    }

    // At most 3 samples x 4 bytes = 12 segments, always within the header.
    let segment_count = spp * bytes_per_sample;

    let mut out = vec![0u8; HEADER_LEN];
    let mut offsets = [0u32; MAX_SEGMENTS];
    let mut plane = Vec::with_capacity(cols_us);

    let mut segment_index = 0usize;
    for sample in 0..spp {
        for byte_from_msb in 0..bytes_per_sample {
            // Little-endian input: the most significant byte is the last one.
            let byte_in_sample = bytes_per_sample - 1 - byte_from_msb;
            let first = sample * bytes_per_sample + byte_in_sample;

            let offset = u32::try_from(out.len()).map_err(|_| RleEncodeError::TooLarge)?;
            if let Some(slot) = offsets.get_mut(segment_index) {
                *slot = offset;
            }
            segment_index += 1;

            for row in samples_le.chunks_exact(row_stride) {
                plane.clear();
                plane.extend(row.iter().skip(first).step_by(pixel_stride).copied());
                pack_bits_row(&plane, &mut out);
            }
            if !out.len().is_multiple_of(2) {
                out.push(0);
            }
        }
    }
    // The offsets of the segments must all fit in 32 bits, and so must the
    // end of the last segment for decoders that compute segment lengths.
    u32::try_from(out.len()).map_err(|_| RleEncodeError::TooLarge)?;

    let count = u32::try_from(segment_count).map_err(|_| RleEncodeError::TooLarge)?;
    out[0..4].copy_from_slice(&count.to_le_bytes());
    for (slot, offset) in out[4..HEADER_LEN].chunks_exact_mut(4).zip(offsets) {
        slot.copy_from_slice(&offset.to_le_bytes());
    }
    Ok(out)
}

/// Appends the PackBits encoding of one row of one byte plane to `out`.
///
/// Runs of three or more equal bytes become replicate runs; a run of two
/// becomes a replicate run only when no literal run is pending (where it costs
/// the same as a literal and avoids splitting the following literal). All runs
/// are at most 128 bytes long and the no-op header -128 is never emitted.
fn pack_bits_row(row: &[u8], out: &mut Vec<u8>) {
    let mut literal_start = 0usize;
    let mut i = 0usize;
    while i < row.len() {
        let value = row[i];
        let run = row[i..]
            .iter()
            .take(MAX_RUN)
            .take_while(|&&b| b == value)
            .count();
        let literal_pending = i > literal_start;
        if run >= 3 || (run == 2 && !literal_pending) {
            flush_literal(&row[literal_start..i], out);
            // `run` is in 2..=128, so 1 - run is in -127..=-1.
            let header = (1 - run as i16) as i8;
            out.push(header as u8);
            out.push(value);
            i += run;
            literal_start = i;
        } else {
            i += run;
            if i - literal_start >= MAX_RUN {
                flush_literal(&row[literal_start..literal_start + MAX_RUN], out);
                literal_start += MAX_RUN;
            }
        }
    }
    flush_literal(&row[literal_start..], out);
}

/// Appends `bytes` as one or more literal runs of at most 128 bytes each.
fn flush_literal(bytes: &[u8], out: &mut Vec<u8>) {
    for chunk in bytes.chunks(MAX_RUN) {
        // `chunk.len()` is in 1..=128, so the header is in 0..=127.
        out.push((chunk.len() - 1) as u8);
        out.extend_from_slice(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_word(buf: &[u8], index: usize) -> u32 {
        let mut word = [0u8; 4];
        word.copy_from_slice(&buf[index * 4..index * 4 + 4]);
        u32::from_le_bytes(word)
    }

    #[test]
    fn tiny_8bit_frame_matches_hand_computed_bytes() {
        // Row 0: 5 5 5 1 2 ; row 1: 7 7 9 9 9
        let frame = [5u8, 5, 5, 1, 2, 7, 7, 9, 9, 9];
        let out = encode_frame(&frame, 2, 5, 1, 8).unwrap();
        let mut expected = vec![0u8; 64];
        expected[0] = 1; // one segment
        expected[4] = 64; // starting right after the header
        // Row 0: replicate 3 x 5, literal [1, 2].
        // Row 1: replicate 2 x 7, replicate 3 x 9. Then one pad byte.
        expected.extend_from_slice(&[0xFE, 5, 0x01, 1, 2, 0xFF, 7, 0xFE, 9, 0x00]);
        assert_eq!(out, expected);
    }

    #[test]
    fn sixteen_bit_segments_are_msb_first_and_even() {
        // One row of three 16-bit samples 0x0102, 0x0304, 0x0506.
        let frame = [0x02u8, 0x01, 0x04, 0x03, 0x06, 0x05];
        let out = encode_frame(&frame, 1, 3, 1, 16).unwrap();
        assert_eq!(header_word(&out, 0), 2);
        assert_eq!(header_word(&out, 1), 64);
        assert_eq!(header_word(&out, 2), 64 + 4);
        assert_eq!(&out[64..68], &[0x02, 0x01, 0x03, 0x05]);
        assert_eq!(&out[68..72], &[0x02, 0x02, 0x04, 0x06]);
        assert_eq!(out.len(), 72);
        for unused in 3..16 {
            assert_eq!(header_word(&out, unused), 0);
        }
    }

    #[test]
    fn long_runs_are_split_at_128_and_bad_input_is_rejected() {
        let frame = vec![42u8; 300];
        let out = encode_frame(&frame, 1, 300, 1, 8).unwrap();
        // 128 + 128 + 44 replicate runs.
        assert_eq!(&out[64..], &[0x81, 42, 0x81, 42, 0xD5, 42]);

        let literal: Vec<u8> = (0..=255u8).cycle().take(130).collect();
        let out = encode_frame(&literal, 1, 130, 1, 8).unwrap();
        assert_eq!(out[64], 127);
        assert_eq!(out[64 + 129], 1);
        assert_eq!(out.len(), 64 + 1 + 128 + 1 + 2);

        assert!(matches!(
            encode_frame(&[0u8; 5], 2, 2, 1, 8),
            Err(RleEncodeError::LengthMismatch { .. })
        ));
        assert!(encode_frame(&[0u8; 4], 2, 2, 2, 8).is_err());
        assert!(encode_frame(&[0u8; 4], 2, 2, 1, 12).is_err());
        assert!(encode_frame(&[], 0, 2, 1, 8).is_err());
    }
}
