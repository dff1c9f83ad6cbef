//! JPEG 2000 lossless encoder (reversible 5/3 wavelet, raw J2K codestream) for
//! DICOM transfer syntax 1.2.840.10008.1.2.4.90.
//!
//! Why this module exists: `lightbox synth` generates a synthetic sample release
//! whose series use several transfer syntaxes, including "JPEG 2000 Image
//! Compression (Lossless Only)". The DICOM crates we use only *decode* it, so
//! this module drives the encoder of the pure-Rust `openjp2` crate (a port of
//! OpenJPEG) to produce one frame's codestream deterministically.
//!
//! The output is a bare J2K codestream (starting with SOC 0xFF4F, no JP2 boxes)
//! as DICOM requires: one tile, one quality layer at rate 0 (lossless),
//! reversible 5/3 wavelet, 64x64 code-blocks, LRCP progression, up to five
//! decomposition levels (fewer for small images), and no multiple component
//! transform, so three-component frames are stored as plain RGB (DICOM
//! Photometric Interpretation `RGB`, not `YBR_RCT`). The encoder is
//! single-threaded and the codestream contains the fixed OpenJPEG comment
//! marker, so the same input always yields the same bytes.

use core::ffi::{c_char, c_void};

use openjp2::openjpeg::{
    OPJ_CLRSPC_GRAY, OPJ_CLRSPC_SRGB, OPJ_CODEC_J2K, OPJ_LRCP, opj_cparameters_t,
    opj_stream_set_seek_function, opj_stream_set_skip_function, opj_stream_set_user_data,
    opj_stream_set_write_function, opj_stream_t,
};
use openjp2::{Codec, Stream, opj_image, opj_image_comptparm};
use thiserror::Error;

/// Largest number of resolution levels used (five wavelet decompositions).
const MAX_RESOLUTIONS: u32 = 6;

/// Internal buffer size of the output stream.
const STREAM_BUFFER: usize = 1 << 16;

/// Reasons why a frame cannot be JPEG 2000 encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum J2kEncodeError {
    /// Rows or columns is zero.
    #[error("frame has zero size ({rows} rows x {cols} columns)")]
    EmptyFrame {
        /// Number of rows requested.
        rows: u32,
        /// Number of columns requested.
        cols: u32,
    },
    /// Component count other than 1 or 3.
    #[error("unsupported component count {0} (expected 1 or 3)")]
    UnsupportedComponents(u8),
    /// Precision outside 1..=16 bits.
    #[error("unsupported precision {0} (expected 1..=16)")]
    UnsupportedPrecision(u8),
    /// The sample buffer does not hold exactly one frame.
    #[error("frame buffer has {actual} samples but {expected} were expected")]
    LengthMismatch {
        /// Number of samples implied by the frame geometry.
        expected: usize,
        /// Number of samples actually supplied.
        actual: usize,
    },
    /// A sample lies outside the range of the declared precision/signedness.
    #[error("sample {value} at index {index} is outside [{min}, {max}]")]
    SampleOutOfRange {
        /// Index of the first offending sample in the input.
        index: usize,
        /// Its value.
        value: i32,
        /// Smallest allowed value.
        min: i32,
        /// Largest allowed value.
        max: i32,
    },
    /// The frame geometry overflows the address space.
    #[error("frame is too large")]
    TooLarge,
    /// The OpenJPEG encoder reported a failure.
    #[error("JPEG 2000 encoder failed during {stage}: {message}")]
    Encoder {
        /// Which encoder step failed.
        stage: &'static str,
        /// Error messages reported by the encoder, if any.
        message: String,
    },
}

/// Encodes one frame as a lossless (reversible 5/3) JPEG 2000 codestream.
///
/// `samples` holds `rows * cols * components` values in row-major order, with
/// the components of a pixel adjacent (DICOM Planar Configuration 0).
/// `components` must be 1 (greyscale) or 3 (RGB, encoded without a component
/// transform). `precision` (DICOM Bits Stored) must be in 1..=16; with
/// `signed` set the samples must lie in `-2^(precision-1)..2^(precision-1)`,
/// otherwise in `0..2^precision`.
///
/// Returns the raw J2K codestream (SOC ... EOC). It may have an odd length;
/// the DICOM writer pads the encapsulated fragment to even length.
///
/// # Errors
///
/// Returns [`J2kEncodeError`] for an empty frame, unsupported component count
/// or precision, a buffer of the wrong length, an out-of-range sample, or a
/// failure reported by the encoder.
pub fn encode_frame_lossless(
    samples: &[i32],
    rows: u32,
    cols: u32,
    components: u8,
    precision: u8,
    signed: bool,
) -> Result<Vec<u8>, J2kEncodeError> {
    if rows == 0 || cols == 0 {
        return Err(J2kEncodeError::EmptyFrame { rows, cols });
    }
    if components != 1 && components != 3 {
        return Err(J2kEncodeError::UnsupportedComponents(components));
    }
    if !(1..=16).contains(&precision) {
        return Err(J2kEncodeError::UnsupportedPrecision(precision));
    }
    let ncomp = usize::from(components);
    let pixels = usize::try_from(rows)
        .ok()
        .zip(usize::try_from(cols).ok())
        .and_then(|(r, c)| r.checked_mul(c))
        .ok_or(J2kEncodeError::TooLarge)?;
    let expected = pixels.checked_mul(ncomp).ok_or(J2kEncodeError::TooLarge)?;
    if samples.len() != expected {
        return Err(J2kEncodeError::LengthMismatch {
            expected,
            actual: samples.len(),
        });
    }
    let (min, max) = if signed {
        (-(1i32 << (precision - 1)), (1i32 << (precision - 1)) - 1)
    } else {
        (0, (1i32 << precision) - 1)
    };
    if let Some((index, &value)) = samples
        .iter()
        .enumerate()
        .find(|&(_, &v)| v < min || v > max)
    {
        return Err(J2kEncodeError::SampleOutOfRange {
            index,
            value,
            min,
            max,
        });
    }

    // Image description and data.
    let comp_param = opj_image_comptparm {
        dx: 1,
        dy: 1,
        w: cols,
        h: rows,
        x0: 0,
        y0: 0,
        prec: u32::from(precision),
        bpp: u32::from(precision),
        sgnd: u32::from(signed),
    };
    let comp_params = vec![comp_param; ncomp];
    let colour_space = if ncomp == 1 {
        OPJ_CLRSPC_GRAY
    } else {
        OPJ_CLRSPC_SRGB
    };
    let mut image = opj_image::create(&comp_params, colour_space)
        .ok_or_else(|| encoder_error("image allocation", String::from("out of memory")))?;
    image.x0 = 0;
    image.y0 = 0;
    image.x1 = cols;
    image.y1 = rows;
    {
        let comps = image
            .comps_mut()
            .ok_or_else(|| encoder_error("image allocation", String::from("no components")))?;
        for (c, comp) in comps.iter_mut().enumerate() {
            let data = comp.data_mut().ok_or_else(|| {
                encoder_error("image allocation", String::from("no component data"))
            })?;
            if data.len() != pixels {
                return Err(encoder_error(
                    "image allocation",
                    String::from("component buffer has the wrong size"),
                ));
            }
            for (dst, &src) in data.iter_mut().zip(samples.iter().skip(c).step_by(ncomp)) {
                *dst = src;
            }
        }
    }

    let mut params = lossless_parameters(rows, cols);

    let mut errors = String::new();
    let mut codec = Codec::new_encoder(OPJ_CODEC_J2K)
        .ok_or_else(|| encoder_error("codec creation", String::new()))?;
    codec.set_error_handler(
        Some(collect_error_message),
        (&mut errors as *mut String).cast::<c_void>(),
    );

    let mut sink = Box::new(MemorySink::default());
    let sink_ptr: *mut MemorySink = &mut *sink;
    let mut stream = Stream::new_custom(STREAM_BUFFER, false);
    let stream_ptr = (&mut stream as *mut Stream).cast::<opj_stream_t>();
    // SAFETY: `stream_ptr` points to a live output `Stream`, which is exactly
    // what `opj_stream_create` hands out as `*mut opj_stream_t`; the setters
    // only store the callbacks and the user-data pointer. `sink_ptr` points to
    // a heap `MemorySink` that outlives `stream` (it is declared before it and
    // `stream` is dropped explicitly before `sink` is read again), and no free
    // function is registered, so ownership stays with `sink`.
    unsafe {
        opj_stream_set_write_function(stream_ptr, Some(sink_write));
        opj_stream_set_seek_function(stream_ptr, Some(sink_seek));
        opj_stream_set_skip_function(stream_ptr, Some(sink_skip));
        opj_stream_set_user_data(stream_ptr, sink_ptr.cast::<c_void>(), None);
    }

    let result = run_encoder(&mut codec, &mut params, &mut image, &mut stream);
    let flushed = stream.flush();
    // Dropping the stream and the codec ends every use of `sink_ptr` and of
    // the error-handler pointer to `errors`.
    drop(stream);
    drop(codec);
    if let Err(stage) = result {
        return Err(encoder_error(stage, errors));
    }
    if let Err(err) = flushed {
        return Err(encoder_error("flush", err.to_string()));
    }
    if sink.failed {
        return Err(encoder_error("write", String::from("output buffer error")));
    }
    let out = core::mem::take(&mut sink.data);
    if !out.starts_with(&[0xFF, 0x4F]) {
        return Err(encoder_error(
            "write",
            String::from("codestream does not start with SOC"),
        ));
    }
    Ok(out)
}

/// Coding parameters: lossless (one layer at rate 0), reversible 5/3 wavelet,
/// no multiple component transform, 64x64 code-blocks, LRCP progression.
#[expect(
    clippy::field_reassign_with_default,
    reason = "opj_cparameters_t implements Drop, so struct-update syntax is not allowed"
)]
fn lossless_parameters(rows: u32, cols: u32) -> opj_cparameters_t {
    let mut params = opj_cparameters_t::default();
    params.tcp_numlayers = 1;
    params.tcp_rates[0] = 0.0;
    params.cp_disto_alloc = 1;
    params.irreversible = 0;
    params.tcp_mct = 0;
    params.prog_order = OPJ_LRCP;
    params.cblockw_init = 64;
    params.cblockh_init = 64;
    params.numresolution = resolution_count(rows, cols);
    params
}

/// Runs the encoder steps, returning the name of the first failing step.
fn run_encoder(
    codec: &mut Codec,
    params: &mut opj_cparameters_t,
    image: &mut opj_image,
    stream: &mut Stream,
) -> Result<(), &'static str> {
    if codec.setup_encoder(params, image) == 0 {
        return Err("setup");
    }
    if codec.start_compress(image, stream) == 0 {
        return Err("start");
    }
    if codec.encode(stream) == 0 {
        return Err("encode");
    }
    if codec.end_compress(stream) == 0 {
        return Err("end");
    }
    Ok(())
}

/// Number of resolution levels: at most [`MAX_RESOLUTIONS`], and small enough
/// that the lowest resolution of the (single) tile is at least one sample wide
/// and high, which OpenJPEG requires.
fn resolution_count(rows: u32, cols: u32) -> i32 {
    let smallest = rows.min(cols).max(1);
    // floor(log2(smallest)) + 1 levels fit; smallest >= 1 so this is >= 1.
    let fitting = 32 - smallest.leading_zeros();
    fitting.min(MAX_RESOLUTIONS) as i32
}

fn encoder_error(stage: &'static str, message: String) -> J2kEncodeError {
    J2kEncodeError::Encoder {
        stage,
        message: message.trim().to_owned(),
    }
}

/// In-memory, seekable destination of the encoder's output stream.
#[derive(Default)]
struct MemorySink {
    data: Vec<u8>,
    pos: usize,
    failed: bool,
}

impl MemorySink {
    fn write(&mut self, bytes: &[u8]) -> bool {
        let Some(end) = self.pos.checked_add(bytes.len()) else {
            return false;
        };
        if end > self.data.len() {
            self.data.resize(end, 0);
        }
        match self.data.get_mut(self.pos..end) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.pos = end;
                true
            }
            None => false,
        }
    }

    fn move_to(&mut self, target: i64) -> bool {
        match usize::try_from(target) {
            Ok(pos) => {
                if pos > self.data.len() {
                    self.data.resize(pos, 0);
                }
                self.pos = pos;
                true
            }
            Err(_) => false,
        }
    }
}

/// Output-stream write callback: appends/overwrites at the current position.
unsafe extern "C" fn sink_write(buffer: *mut c_void, nb_bytes: usize, user: *mut c_void) -> usize {
    if nb_bytes == 0 {
        return 0;
    }
    if buffer.is_null() || user.is_null() {
        return usize::MAX;
    }
    // SAFETY: `user` is the `MemorySink` registered in `encode_frame_lossless`,
    // alive and not otherwise accessed while the stream exists; `buffer` holds
    // `nb_bytes` initialised bytes owned by the stream for this call.
    let (sink, bytes) = unsafe {
        (
            &mut *user.cast::<MemorySink>(),
            core::slice::from_raw_parts(buffer.cast::<u8>(), nb_bytes),
        )
    };
    if sink.write(bytes) {
        nb_bytes
    } else {
        sink.failed = true;
        usize::MAX
    }
}

/// Output-stream seek callback: moves to an absolute position.
unsafe extern "C" fn sink_seek(offset: i64, user: *mut c_void) -> i32 {
    if user.is_null() {
        return 0;
    }
    // SAFETY: see `sink_write`.
    let sink = unsafe { &mut *user.cast::<MemorySink>() };
    i32::from(sink.move_to(offset))
}

/// Output-stream skip callback: moves relative to the current position.
unsafe extern "C" fn sink_skip(offset: i64, user: *mut c_void) -> i64 {
    if user.is_null() {
        return -1;
    }
    // SAFETY: see `sink_write`.
    let sink = unsafe { &mut *user.cast::<MemorySink>() };
    let target = i64::try_from(sink.pos)
        .ok()
        .and_then(|pos| pos.checked_add(offset));
    match target {
        Some(target) if sink.move_to(target) => offset,
        _ => -1,
    }
}

/// Error-message callback: appends the encoder's message to a `String`.
unsafe extern "C" fn collect_error_message(msg: *const c_char, user: *mut c_void) {
    if msg.is_null() || user.is_null() {
        return;
    }
    // SAFETY: `user` is the `String` registered in `encode_frame_lossless`,
    // which outlives the codec and is not otherwise accessed while it exists;
    // `msg` is a NUL-terminated string valid for the duration of the call.
    let (errors, text) = unsafe { (&mut *user.cast::<String>(), core::ffi::CStr::from_ptr(msg)) };
    if !errors.is_empty() {
        errors.push(' ');
    }
    errors.push_str(&text.to_string_lossy());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker_at(buf: &[u8], pos: usize) -> u16 {
        u16::from_be_bytes([buf[pos], buf[pos + 1]])
    }

    #[test]
    fn codestream_starts_with_soc_and_siz_has_geometry() {
        let (rows, cols) = (20u32, 33u32);
        let samples: Vec<i32> = (0..rows * cols).map(|i| (i * 37 % 4096) as i32).collect();
        let out = encode_frame_lossless(&samples, rows, cols, 1, 12, false).unwrap();
        assert_eq!(marker_at(&out, 0), 0xFF4F); // SOC
        assert_eq!(marker_at(&out, 2), 0xFF51); // SIZ
        let siz = &out[4..];
        // Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4) ...
        assert_eq!(u32::from_be_bytes([siz[4], siz[5], siz[6], siz[7]]), cols);
        assert_eq!(u32::from_be_bytes([siz[8], siz[9], siz[10], siz[11]]), rows);
        // Csiz at offset 36, then Ssiz of component 0: unsigned, 12 bits.
        assert_eq!(u16::from_be_bytes([siz[36], siz[37]]), 1);
        assert_eq!(siz[38], 11);
        assert_eq!(marker_at(&out, out.len() - 2), 0xFFD9); // EOC
    }

    #[test]
    fn signed_rgb_siz_and_determinism() {
        let samples: Vec<i32> = (0..4 * 5 * 3).map(|i| (i * 7919) % 255 - 128).collect();
        let a = encode_frame_lossless(&samples, 4, 5, 3, 8, true).unwrap();
        let b = encode_frame_lossless(&samples, 4, 5, 3, 8, true).unwrap();
        assert_eq!(a, b);
        let siz = &a[4..];
        assert_eq!(u16::from_be_bytes([siz[36], siz[37]]), 3);
        for c in 0..3 {
            assert_eq!(siz[38 + 3 * c], 0x80 | 7); // signed, 8 bits
        }
        // COD follows SIZ; its SGcod multiple component transform byte is 0.
        let cod = 4 + usize::from(u16::from_be_bytes([siz[0], siz[1]]));
        assert_eq!(marker_at(&a, cod), 0xFF52);
        assert_eq!(a[cod + 2 + 2 + 1 + 1 + 2], 0);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            encode_frame_lossless(&[0; 5], 2, 2, 1, 8, false),
            Err(J2kEncodeError::LengthMismatch { .. })
        ));
        assert!(matches!(
            encode_frame_lossless(&[0, 0, 256, 0], 2, 2, 1, 8, false),
            Err(J2kEncodeError::SampleOutOfRange { index: 2, .. })
        ));
        assert!(encode_frame_lossless(&[-129, 0, 0, 0], 2, 2, 1, 8, true).is_err());
        assert!(encode_frame_lossless(&[0; 8], 2, 2, 2, 8, false).is_err());
        assert!(encode_frame_lossless(&[0; 4], 2, 2, 1, 17, false).is_err());
        assert!(encode_frame_lossless(&[], 0, 0, 1, 8, false).is_err());
        // A single pixel needs a single resolution level and still encodes.
        assert!(encode_frame_lossless(&[1], 1, 1, 1, 8, false).is_ok());
        assert_eq!(resolution_count(1, 1000), 1);
        assert_eq!(resolution_count(31, 1000), 5);
        assert_eq!(resolution_count(512, 512), 6);
    }
}
