//! DICOM RLE Lossless decoding (PS3.5 Annex G), for any sample size.
//!
//! Ours rather than dicom-rs's because that one refuses 32-bit samples; the
//! format is small enough that owning it costs less than working around it.

/// Why an RLE frame cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub enum RleError {
    /// The 64-byte header is missing or inconsistent.
    #[error("RLE header: {0}")]
    Header(String),
    /// A segment ends before it fills its byte plane.
    #[error("RLE segment {segment} is short: {got} of {want} bytes")]
    ShortSegment {
        /// Segment index.
        segment: usize,
        /// Bytes decoded.
        got: usize,
        /// Bytes needed.
        want: usize,
    },
}

/// Decodes one RLE frame into little-endian, pixel-interleaved bytes
/// (`samples_per_pixel` samples of `bytes_per_sample` bytes each per pixel).
pub fn decode_frame(
    data: &[u8],
    pixels: usize,
    samples_per_pixel: usize,
    bytes_per_sample: usize,
) -> Result<Vec<u8>, RleError> {
    if data.len() < 64 {
        return Err(RleError::Header(format!("{} bytes, need 64", data.len())));
    }
    let word = |i: usize| {
        u32::from_le_bytes([
            data[i * 4],
            data[i * 4 + 1],
            data[i * 4 + 2],
            data[i * 4 + 3],
        ]) as usize
    };
    let segments = word(0);
    let want_segments = samples_per_pixel * bytes_per_sample;
    if segments != want_segments || segments > 15 {
        return Err(RleError::Header(format!(
            "{segments} segments, expected {want_segments}"
        )));
    }
    let offsets: Vec<usize> = (1..=segments).map(word).collect();
    let mut out = vec![0u8; pixels * want_segments];
    let mut plane = Vec::with_capacity(pixels);
    for (seg, &start) in offsets.iter().enumerate() {
        let end = offsets.get(seg + 1).copied().unwrap_or(data.len());
        if start < 64 || start > end || end > data.len() {
            return Err(RleError::Header(format!(
                "segment {seg} offset {start} out of range"
            )));
        }
        unpack_bits(&data[start..end], pixels, &mut plane);
        if plane.len() < pixels {
            return Err(RleError::ShortSegment {
                segment: seg,
                got: plane.len(),
                want: pixels,
            });
        }
        // Segments run most significant byte first within each sample.
        let sample = seg / bytes_per_sample;
        let byte = bytes_per_sample - 1 - seg % bytes_per_sample;
        let stride = want_segments;
        let base = sample * bytes_per_sample + byte;
        for (p, &v) in plane.iter().take(pixels).enumerate() {
            out[p * stride + base] = v;
        }
    }
    Ok(out)
}

/// PackBits: a header byte n ≥ 0 copies n+1 literal bytes, −127..−1 repeats the next byte 1−n times, −128 is a no-op.
fn unpack_bits(src: &[u8], limit: usize, out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < src.len() && out.len() < limit {
        let n = src[i] as i8;
        i += 1;
        if n >= 0 {
            let count = n as usize + 1;
            let end = (i + count).min(src.len());
            out.extend_from_slice(&src[i..end]);
            i = end;
        } else if n != -128 {
            if let Some(&b) = src.get(i) {
                out.extend(std::iter::repeat_n(b, (1 - i32::from(n)) as usize));
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(offsets: &[u32]) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(&(offsets.len() as u32).to_le_bytes());
        for (i, o) in offsets.iter().enumerate() {
            h[4 + i * 4..8 + i * 4].copy_from_slice(&o.to_le_bytes());
        }
        h
    }

    #[test]
    fn sixteen_bit_planes_msb_first() {
        // Two pixels 0x0102, 0x0304: MSB plane [01 03] literal, LSB plane [02 04] literal.
        let mut d = header(&[64, 67]);
        d.extend_from_slice(&[1, 0x01, 0x03, 1, 0x02, 0x04]);
        assert_eq!(
            decode_frame(&d, 2, 1, 2).unwrap(),
            vec![0x02, 0x01, 0x04, 0x03]
        );
    }

    #[test]
    fn replicate_run_and_noop() {
        // -3 repeats 4 times; -128 is skipped.
        let mut d = header(&[64]);
        d.extend_from_slice(&[0x80, (-3i8) as u8, 7]);
        assert_eq!(decode_frame(&d, 4, 1, 1).unwrap(), vec![7; 4]);
    }

    #[test]
    fn short_segment_is_an_error() {
        let mut d = header(&[64]);
        d.extend_from_slice(&[0, 9]);
        assert!(matches!(
            decode_frame(&d, 4, 1, 1),
            Err(RleError::ShortSegment { .. })
        ));
    }
}
