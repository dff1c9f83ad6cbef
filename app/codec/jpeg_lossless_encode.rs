//! JPEG Lossless (ITU T.81 process 14, first-order prediction) encoder for
//! DICOM transfer syntax 1.2.840.10008.1.2.4.70.
//!
//! Why this module exists: `lightbox synth` generates a synthetic sample release
//! whose series use several transfer syntaxes, including the JPEG Lossless
//! "SV1" syntax that is very common in real CT/MR archives. The crates we use
//! can only *decode* it, so this module provides a small, deterministic,
//! pure-Rust *encoder* for one greyscale frame.
//!
//! The codestream produced by [`encode_frame`] is: SOI, SOF3 (one component,
//! sampling 1x1), one DHT holding a Huffman table built from the frame's own
//! difference statistics (ITU T.81 Annex K.2, code lengths limited to 16 bits),
//! SOS with predictor selection value 1 (Ss=1, Se=0, Ah=0, Al=0: point
//! transform 0), the entropy-coded differences with 0xFF byte stuffing, and
//! EOI. Prediction follows ITU T.81 H.1.2.1: the first sample of the frame is
//! predicted by 2^(P-1), the rest of the first row by the sample to the left,
//! the first sample of every other row by the sample above, and every other
//! sample by the sample to the left. Differences are taken modulo 2^16;
//! difference category 16 (only reachable at 16-bit precision) carries no
//! additional bits. No restart intervals are used.

use thiserror::Error;

/// Number of difference categories (SSSS values 0..=16) for lossless coding.
const CATEGORIES: usize = 17;

/// Longest Huffman code length a JPEG DHT segment can describe.
const MAX_CODE_LEN: usize = 16;

/// Reasons why a frame cannot be JPEG-Lossless encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JpegLosslessEncodeError {
    /// Rows or columns is zero or larger than the 16-bit SOF3 fields allow.
    #[error("unsupported frame size {rows} x {cols} (each must be 1..=65535)")]
    UnsupportedSize {
        /// Number of rows requested.
        rows: u32,
        /// Number of columns requested.
        cols: u32,
    },
    /// Sample precision outside 2..=16 bits.
    #[error("unsupported precision {0} (expected 2..=16)")]
    UnsupportedPrecision(u8),
    /// The sample buffer does not hold exactly `rows * cols` samples.
    #[error("frame buffer has {actual} samples but {expected} were expected")]
    LengthMismatch {
        /// Number of samples implied by the frame geometry.
        expected: usize,
        /// Number of samples actually supplied.
        actual: usize,
    },
    /// A sample does not fit in `precision` bits.
    #[error("sample {value} at index {index} does not fit in {precision} bits")]
    SampleOutOfRange {
        /// Index of the first offending sample.
        index: usize,
        /// Its value.
        value: u16,
        /// The declared precision.
        precision: u8,
    },
}

/// Encodes one greyscale frame as a complete JPEG Lossless (process 14,
/// selection value 1, point transform 0) codestream.
///
/// `samples` holds `rows * cols` samples in row-major order, each below
/// `2^precision`. Signed DICOM data must be passed as its two's complement bit
/// pattern masked to `precision` bits (this is how DICOM stores signed data in
/// JPEG Lossless). `precision` (the SOF3 sample precision, normally DICOM Bits
/// Stored) must be in 2..=16.
///
/// The returned codestream starts with SOI and ends with EOI. It may have an
/// odd length; the DICOM writer pads the encapsulated fragment to even length.
///
/// # Errors
///
/// Returns [`JpegLosslessEncodeError`] for an unsupported size or precision, a
/// buffer of the wrong length, or a sample that does not fit in `precision`
/// bits.
pub fn encode_frame(
    samples: &[u16],
    rows: u32,
    cols: u32,
    precision: u8,
) -> Result<Vec<u8>, JpegLosslessEncodeError> {
    let (Ok(rows16), Ok(cols16)) = (u16::try_from(rows), u16::try_from(cols)) else {
        return Err(JpegLosslessEncodeError::UnsupportedSize { rows, cols });
    };
    if rows16 == 0 || cols16 == 0 {
        return Err(JpegLosslessEncodeError::UnsupportedSize { rows, cols });
    }
    if !(2..=16).contains(&precision) {
        return Err(JpegLosslessEncodeError::UnsupportedPrecision(precision));
    }
    let width = usize::from(cols16);
    let expected = usize::from(rows16) * width;
    if samples.len() != expected {
        return Err(JpegLosslessEncodeError::LengthMismatch {
            expected,
            actual: samples.len(),
        });
    }
    let max_value = (1u32 << precision) - 1;
    if let Some((index, &value)) = samples
        .iter()
        .enumerate()
        .find(|&(_, &v)| u32::from(v) > max_value)
    {
        return Err(JpegLosslessEncodeError::SampleOutOfRange {
            index,
            value,
            precision,
        });
    }

    // Pass 1: differences and their category statistics.
    let initial_prediction = 1i32 << (precision - 1);
    let mut diffs = Vec::with_capacity(samples.len());
    let mut freq = [0u64; CATEGORIES];
    for (i, &sample) in samples.iter().enumerate() {
        let prediction = if i == 0 {
            initial_prediction
        } else if i < width {
            i32::from(samples[i - 1])
        } else if i % width == 0 {
            i32::from(samples[i - width])
        } else {
            i32::from(samples[i - 1])
        };
        let diff = wrap_difference(i32::from(sample) - prediction);
        let category = category_of(diff);
        freq[usize::from(category)] += 1;
        diffs.push(diff);
    }

    let table = HuffmanTable::optimal(&freq);

    // Markers and headers.
    let mut out = Vec::with_capacity(samples.len() + 128);
    out.extend_from_slice(&[0xFF, 0xD8]); // SOI

    out.extend_from_slice(&[0xFF, 0xC3, 0x00, 11, precision]); // SOF3, Lf=11, P
    out.extend_from_slice(&rows16.to_be_bytes());
    out.extend_from_slice(&cols16.to_be_bytes());
    out.extend_from_slice(&[1, 1, 0x11, 0]); // Nf=1, C=1, H=V=1, Tq=0

    let dht_len = 2 + 1 + MAX_CODE_LEN + table.values.len();
    out.extend_from_slice(&[0xFF, 0xC4]);
    // At most 2 + 1 + 16 + 17 bytes, so this always fits in u16.
    out.extend_from_slice(&(dht_len as u16).to_be_bytes());
    out.push(0x00); // Tc=0 (lossless/DC class), Th=0
    out.extend_from_slice(&table.bits);
    out.extend_from_slice(&table.values);

    // SOS: Ls=8, Ns=1, Cs=1, Td=0/Ta=0, Ss=1 (predictor), Se=0, Ah=0/Al=0.
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 8, 1, 1, 0x00, 1, 0, 0x00]);

    // Pass 2: entropy-coded segment.
    let mut writer = BitWriter::new(out);
    for &diff in &diffs {
        let category = category_of(diff);
        let (code, size) = table.code(category);
        writer.put(u32::from(code), size);
        if category > 0 && category < 16 {
            let mask = (1u32 << category) - 1;
            // Negative differences are sent as the low bits of diff - 1.
            let extra = if diff < 0 { diff - 1 } else { diff };
            writer.put(extra as u32 & mask, category);
        }
    }
    let mut out = writer.finish();
    out.extend_from_slice(&[0xFF, 0xD9]); // EOI
    Ok(out)
}

/// Reduces a difference modulo 2^16 into the range -32767..=32768 used by
/// ITU T.81 H.1.2.1 (category 16 stands for +32768).
fn wrap_difference(diff: i32) -> i32 {
    if diff > 32768 {
        diff - 65536
    } else if diff < -32767 {
        diff + 65536
    } else {
        diff
    }
}

/// Returns the difference category SSSS: the bit length of `|diff|`.
fn category_of(diff: i32) -> u8 {
    // |diff| <= 32768, so the result is in 0..=16.
    (32 - diff.unsigned_abs().leading_zeros()) as u8
}

/// A Huffman table for the 17 lossless difference categories, in DHT form
/// (BITS and HUFFVAL) together with the derived encoder codes.
struct HuffmanTable {
    /// Number of codes of each length 1..=16.
    bits: [u8; MAX_CODE_LEN],
    /// Symbols in order of increasing code length.
    values: Vec<u8>,
    /// Code and code length per category (length 0: symbol unused).
    codes: [(u16, u8); CATEGORIES],
}

impl HuffmanTable {
    /// Builds the optimal length-limited table of ITU T.81 Annex K.2 for the
    /// given category frequencies. A reserved pseudo-symbol guarantees that no
    /// code consists only of 1-bits. Unused categories get no code.
    fn optimal(freq: &[u64; CATEGORIES]) -> Self {
        const RESERVED: usize = CATEGORIES;
        let mut f = [0u64; CATEGORIES + 1];
        f[..CATEGORIES].copy_from_slice(freq);
        f[RESERVED] = 1;
        let mut code_size = [0usize; CATEGORIES + 1];
        let mut others: [Option<usize>; CATEGORIES + 1] = [None; CATEGORIES + 1];

        // c1: least frequent symbol (ties: highest index), c2: the next one.
        while let Some(c1) = least_frequent(&f, None) {
            let Some(c2) = least_frequent(&f, Some(c1)) else {
                break;
            };
            f[c1] += f[c2];
            f[c2] = 0;
            let mut node = c1;
            code_size[node] += 1;
            while let Some(next) = others[node] {
                node = next;
                code_size[node] += 1;
            }
            others[node] = Some(c2);
            let mut node = c2;
            code_size[node] += 1;
            while let Some(next) = others[node] {
                node = next;
                code_size[node] += 1;
            }
        }

        // Count codes per length; with 18 symbols lengths stay below 32.
        let mut count = [0u32; 33];
        for &size in &code_size {
            if size > 0 {
                count[size.min(32)] += 1;
            }
        }
        // Limit code lengths to 16 bits (Annex K.2, Figure K.3).
        for i in (MAX_CODE_LEN + 1..=32).rev() {
            while count[i] > 0 {
                let mut j = i - 2;
                while j > 0 && count[j] == 0 {
                    j -= 1;
                }
                if j == 0 {
                    break;
                }
                count[i] -= 2;
                count[i - 1] += 1;
                count[j + 1] += 2;
                count[j] -= 1;
            }
        }
        // Remove the reserved pseudo-symbol from the longest length.
        if let Some(longest) = (1..=MAX_CODE_LEN).rev().find(|&len| count[len] > 0) {
            count[longest] -= 1;
        }

        let mut bits = [0u8; MAX_CODE_LEN];
        for (slot, &n) in bits.iter_mut().zip(&count[1..=MAX_CODE_LEN]) {
            // At most 18 codes in total.
            *slot = n as u8;
        }
        let mut values = Vec::with_capacity(CATEGORIES);
        for len in 1..=32 {
            for (symbol, &size) in code_size[..CATEGORIES].iter().enumerate() {
                if size == len {
                    values.push(symbol as u8);
                }
            }
        }
        // The length adjustment can only move codes; the number of real
        // symbols always equals the sum of BITS.
        let total: usize = bits.iter().map(|&b| usize::from(b)).sum();
        values.truncate(total);

        // Canonical code assignment (Annex C).
        let mut codes = [(0u16, 0u8); CATEGORIES];
        let mut code = 0u32;
        let mut k = 0usize;
        for (len_index, &n) in bits.iter().enumerate() {
            for _ in 0..n {
                if let Some(&symbol) = values.get(k)
                    && let Some(slot) = codes.get_mut(usize::from(symbol))
                {
                    *slot = (code as u16, (len_index + 1) as u8);
                }
                code += 1;
                k += 1;
            }
            code <<= 1;
        }
        Self {
            bits,
            values,
            codes,
        }
    }

    /// Returns the code and code length for `category`.
    fn code(&self, category: u8) -> (u16, u8) {
        self.codes
            .get(usize::from(category))
            .copied()
            .unwrap_or((0, 0))
    }
}

/// Finds the symbol with the smallest non-zero frequency, preferring the
/// highest index among ties, skipping `exclude`.
fn least_frequent(freq: &[u64], exclude: Option<usize>) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &f) in freq.iter().enumerate() {
        if f == 0 || Some(i) == exclude {
            continue;
        }
        match best {
            Some(b) if freq[b] < f => {}
            _ => best = Some(i),
        }
    }
    best
}

/// MSB-first bit writer that applies JPEG 0xFF byte stuffing.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    nbits: u32,
}

impl BitWriter {
    fn new(out: Vec<u8>) -> Self {
        Self {
            out,
            acc: 0,
            nbits: 0,
        }
    }

    /// Appends the low `size` bits of `value` (size <= 16).
    fn put(&mut self, value: u32, size: u8) {
        let size = u32::from(size.min(16));
        if size == 0 {
            return;
        }
        let mask = (1u64 << size) - 1;
        self.acc = (self.acc << size) | (u64::from(value) & mask);
        self.nbits += size;
        while self.nbits >= 8 {
            self.nbits -= 8;
            let byte = (self.acc >> self.nbits) as u8;
            self.emit(byte);
        }
        self.acc &= (1u64 << self.nbits) - 1;
    }

    fn emit(&mut self, byte: u8) {
        self.out.push(byte);
        if byte == 0xFF {
            self.out.push(0x00);
        }
    }

    /// Pads the last partial byte with 1-bits and returns the buffer.
    fn finish(mut self) -> Vec<u8> {
        if self.nbits > 0 {
            let pad = 8 - self.nbits;
            let byte = ((self.acc << pad) | ((1u64 << pad) - 1)) as u8;
            self.emit(byte);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_have_expected_markers_and_sof3_fields() {
        let samples: Vec<u16> = (0..12u16).map(|v| v * 300).collect();
        let out = encode_frame(&samples, 3, 4, 12).unwrap();
        assert_eq!(&out[..2], &[0xFF, 0xD8]);
        // SOF3: length 11, P=12, Y=3, X=4, one component 1 with 1x1 sampling.
        assert_eq!(
            &out[2..15],
            &[0xFF, 0xC3, 0, 11, 12, 0, 3, 0, 4, 1, 1, 0x11, 0]
        );
        assert_eq!(&out[15..17], &[0xFF, 0xC4]);
        let dht_len = usize::from(u16::from_be_bytes([out[17], out[18]]));
        let sos = 15 + 2 + dht_len;
        // SOS: Ns=1, Cs=1, Td/Ta=0, Ss=1 (predictor 1), Se=0, Ah/Al=0.
        assert_eq!(&out[sos..sos + 10], &[0xFF, 0xDA, 0, 8, 1, 1, 0, 1, 0, 0]);
        assert_eq!(&out[out.len() - 2..], &[0xFF, 0xD9]);
    }

    #[test]
    fn flat_frame_has_hand_computed_entropy_data() {
        // 2x2 frame, P=8, all samples 128 = 2^(P-1): every difference is 0.
        // Frequencies: category 0 x4 plus the reserved symbol -> both get a
        // 1-bit code; category 0 gets code '0'. Four 0-bits, then 1-padding.
        let out = encode_frame(&[128; 4], 2, 2, 8).unwrap();
        let dht = &out[15..];
        assert_eq!(&dht[..5], &[0xFF, 0xC4, 0, 20, 0x00]);
        let mut bits = [0u8; 16];
        bits[0] = 1;
        assert_eq!(&dht[5..21], &bits);
        assert_eq!(dht[21], 0); // HUFFVAL: category 0
        let sos = &dht[22..];
        assert_eq!(&sos[..10], &[0xFF, 0xDA, 0, 8, 1, 1, 0, 1, 0, 0]);
        assert_eq!(&sos[10..], &[0x0F, 0xFF, 0xD9]);
    }

    #[test]
    fn rejects_bad_input_and_wraps_16_bit_differences() {
        assert!(matches!(
            encode_frame(&[0; 3], 2, 2, 12),
            Err(JpegLosslessEncodeError::LengthMismatch { .. })
        ));
        assert!(matches!(
            encode_frame(&[4096; 4], 2, 2, 12),
            Err(JpegLosslessEncodeError::SampleOutOfRange { index: 0, .. })
        ));
        assert!(encode_frame(&[0; 4], 2, 2, 1).is_err());
        assert!(encode_frame(&[0; 4], 2, 2, 17).is_err());
        assert!(encode_frame(&[], 0, 2, 8).is_err());
        assert!(encode_frame(&[0; 70000], 1, 70000, 8).is_err());
        assert_eq!(wrap_difference(65535), -1);
        assert_eq!(wrap_difference(-32768), 32768);
        assert_eq!(category_of(32768), 16);
        assert_eq!(category_of(-255), 8);
        // 16-bit frame with a category-16 difference encodes without error.
        assert!(encode_frame(&[0, 32768, 0, 65535], 2, 2, 16).is_ok());
    }
}
