//! Pure-Rust JPEG-LS decoder (ITU-T T.87 / ISO/IEC 14495-1) for the DICOM
//! transfer syntaxes 1.2.840.10008.1.2.4.80 (JPEG-LS lossless) and
//! 1.2.840.10008.1.2.4.81 (JPEG-LS near-lossless).
//!
//! Why this module exists: the reference JPEG-LS implementation (CharLS) is a
//! C++ library, and the usual Rust bindings build it from source. Lightbox must
//! build on Windows machines that have no C/C++ toolchain, so we decode
//! JPEG-LS ourselves instead of linking CharLS.
//!
//! Scope:
//! - sample precision 2..=16 bits, any number of components (1 and 3 are the
//!   DICOM cases; sample-interleaved scans are limited to 4 components);
//! - interleave modes none (one scan per component), line and sample;
//! - lossless (`NEAR = 0`) and near-lossless (`NEAR > 0`) scans;
//! - default and custom preset coding parameters (LSE id 1), oversize image
//!   dimensions (LSE id 4), restart intervals (DRI / RSTn);
//! - regular mode, run mode, run interruption, error modulo reduction, bias
//!   correction, limited-length Golomb codes and the marker bit-stuffing rule,
//!   all as specified in T.87 Annex A.
//!
//! Not supported (rejected with [`JlsError::Unsupported`]): mapping tables
//! (palettes, LSE ids 2/3 referenced by a scan), the HP colour transforms
//! (APP8 "mrfx"), point transforms, component subsampling and the DNL marker.
//!
//! Compatibility: CharLS 1.x (the JPEG-LS codec inside DCMTK) computes
//! non-standard default thresholds for sample maxima below 128 (6- and 7-bit
//! images); see [`decode`] for how such streams are handled.
//!
//! The decoder never panics on malformed input: all problems are reported as
//! [`JlsError`] values.

/// Decoded JPEG-LS image: samples as stored, pixel-interleaved (for 3 components: c0,c1,c2,c0,...), row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JlsImage {
    /// Number of columns.
    pub width: u32,
    /// Number of rows.
    pub height: u32,
    /// Number of components (samples per pixel).
    pub components: u8,
    /// Sample precision P from the frame header (2..=16).
    pub bits_per_sample: u8,
    /// `width * height * components` samples, pixel-interleaved, row-major.
    pub samples: Vec<u16>,
}

/// Reasons why a JPEG-LS codestream cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub enum JlsError {
    /// The data does not start with an SOI marker.
    #[error("not a JPEG-LS codestream: no SOI marker (FFD8) at offset 0")]
    NotJpegLs,
    /// The data ends before a complete structure could be read.
    #[error("truncated JPEG-LS data: {what} (offset {offset})")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Byte offset at which more data was needed.
        offset: usize,
    },
    /// A byte other than 0xFF was found where a marker was expected.
    #[error("bad marker at offset {offset}: expected 0xFF, found 0x{byte:02X}")]
    BadMarker {
        /// Byte offset of the unexpected byte.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// A marker that is not allowed at this position.
    #[error("unexpected marker 0xFF{marker:02X} at offset {offset}: {reason}")]
    UnexpectedMarker {
        /// Byte offset of the marker's 0xFF byte.
        offset: usize,
        /// Second byte of the marker.
        marker: u8,
        /// Why it is not acceptable.
        reason: &'static str,
    },
    /// A marker segment has invalid content.
    #[error("invalid {segment} segment at offset {offset}: {reason}")]
    InvalidSegment {
        /// Segment name (SOF55, SOS, LSE, DRI, ...).
        segment: &'static str,
        /// Byte offset of the segment's marker.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// A valid JPEG / JPEG-LS feature this decoder does not implement.
    #[error("unsupported JPEG-LS feature: {0}")]
    Unsupported(String),
    /// The entropy-coded data of a scan is corrupt.
    #[error("corrupt entropy-coded data in scan {scan}, line {line}: {reason}")]
    InvalidData {
        /// Zero-based scan number.
        scan: usize,
        /// Zero-based image line being decoded.
        line: u32,
        /// What went wrong.
        reason: &'static str,
    },
    /// The image is larger than this decoder is willing to allocate.
    #[error("image too large: {width} x {height} x {components} samples")]
    TooLarge {
        /// Number of columns.
        width: u32,
        /// Number of rows.
        height: u32,
        /// Number of components.
        components: u8,
    },
    /// The codestream ended before every component had been decoded.
    #[error("incomplete JPEG-LS image: {0}")]
    Incomplete(&'static str),
}

/// Largest number of samples (width x height x components) we decode: 2^28
/// samples (512 MiB of output), far above any DICOM frame.
const MAX_SAMPLES: u64 = 1 << 28;

/// Most components a sample-interleaved scan may have.
const MAX_SAMPLE_INTERLEAVED: usize = 4;

/// Run-length order table J (T.87 A.2.1).
const J: [u32; 32] = [
    0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13,
    14, 15,
];

/// Marker second bytes.
const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const DNL: u8 = 0xDC;
const DRI: u8 = 0xDD;
const SOF55: u8 = 0xF7;
const LSE: u8 = 0xF8;
const APP8: u8 = 0xE8;
const COM: u8 = 0xFE;

/// Decodes one complete JPEG-LS codestream (SOI ... EOI), e.g. one frame's
/// fragment of an encapsulated DICOM Pixel Data element.
///
/// Compatibility note: CharLS 1.x (embedded in DCMTK's `dcmcjpls`) computes
/// non-standard default thresholds when the sample maximum is below 128 (6- and
/// 7-bit images) and writes no LSE segment for them. Such streams are decoded
/// per T.87 first; only if that fails, or does not end exactly at the end of
/// the entropy-coded data, are they decoded again with the CharLS 1.x
/// thresholds, and that result is used if it is clean.
pub fn decode(data: &[u8]) -> Result<JlsImage, JlsError> {
    let mut info = DecodeInfo::default();
    let first = decode_with(data, false, &mut info);
    if !info.legacy_differs {
        return first;
    }
    match first {
        Ok(img) if info.clean => Ok(img),
        Ok(img) => {
            let mut alt = DecodeInfo::default();
            match decode_with(data, true, &mut alt) {
                Ok(legacy) if alt.clean => Ok(legacy),
                _ => Ok(img),
            }
        }
        Err(err @ JlsError::InvalidData { .. }) => {
            let mut alt = DecodeInfo::default();
            decode_with(data, true, &mut alt).map_err(|_| err)
        }
        Err(err) => Err(err),
    }
}

/// Side information gathered while decoding.
#[derive(Debug, Clone, Copy)]
struct DecodeInfo {
    /// Some scan uses default thresholds that CharLS 1.x computes differently.
    legacy_differs: bool,
    /// Every scan ended exactly at the end of its entropy-coded data.
    clean: bool,
}

impl Default for DecodeInfo {
    fn default() -> Self {
        DecodeInfo {
            legacy_differs: false,
            clean: true,
        }
    }
}

/// Decodes with standard (`legacy == false`) or CharLS 1.x default thresholds.
fn decode_with(data: &[u8], legacy: bool, info: &mut DecodeInfo) -> Result<JlsImage, JlsError> {
    if data.len() < 2 || data[0] != 0xFF || data[1] != SOI {
        return Err(JlsError::NotJpegLs);
    }
    let mut pos = 2usize;
    let mut frame: Option<Frame> = None;
    let mut preset = Preset::default();
    let mut restart_interval = 0u32;
    let mut image: Option<Vec<u16>> = None;
    let mut decoded: Vec<bool> = Vec::new();
    let mut scan_no = 0usize;

    loop {
        if pos >= data.len() {
            // Tolerate a missing EOI once every component has been decoded.
            if image.is_some() && decoded.iter().all(|&d| d) {
                break;
            }
            return Err(JlsError::Truncated {
                what: "marker expected",
                offset: pos,
            });
        }
        let marker_at = pos;
        let marker = read_marker(data, &mut pos)?;
        match marker {
            EOI => break,
            SOI => {
                return Err(JlsError::UnexpectedMarker {
                    offset: marker_at,
                    marker,
                    reason: "second SOI",
                });
            }
            0xD0..=0xD7 => {
                return Err(JlsError::UnexpectedMarker {
                    offset: marker_at,
                    marker,
                    reason: "restart marker outside a scan",
                });
            }
            SOF55 => {
                let seg = segment(data, &mut pos, marker_at)?;
                if frame.is_some() {
                    return Err(JlsError::UnexpectedMarker {
                        offset: marker_at,
                        marker,
                        reason: "second frame header",
                    });
                }
                frame = Some(parse_sof(seg, marker_at)?);
            }
            LSE => {
                let seg = segment(data, &mut pos, marker_at)?;
                parse_lse(seg, marker_at, &mut preset, frame.as_mut(), image.is_some())?;
            }
            DRI => {
                let seg = segment(data, &mut pos, marker_at)?;
                restart_interval = parse_dri(seg, marker_at)?;
            }
            APP8 => {
                let seg = segment(data, &mut pos, marker_at)?;
                // HP colour transform: APP8 "mrfx" followed by the transform id.
                if seg.len() >= 5 && &seg[..4] == b"mrfx" && seg[4] != 0 {
                    return Err(JlsError::Unsupported(format!(
                        "HP colour transform {} (APP8 \"mrfx\")",
                        seg[4]
                    )));
                }
            }
            0xE0..=0xEF | COM => {
                segment(data, &mut pos, marker_at)?;
            }
            DNL => {
                return Err(JlsError::Unsupported("DNL marker".into()));
            }
            SOS => {
                let seg = segment(data, &mut pos, marker_at)?;
                let Some(fr) = frame.as_ref() else {
                    return Err(JlsError::UnexpectedMarker {
                        offset: marker_at,
                        marker,
                        reason: "scan before frame header",
                    });
                };
                if fr.width == 0 || fr.height == 0 {
                    return Err(JlsError::Unsupported(
                        "zero image width or height (DNL / undefined dimensions)".into(),
                    ));
                }
                if image.is_none() {
                    image = Some(allocate(fr)?);
                    decoded = vec![false; fr.ids.len()];
                }
                let scan = parse_sos(seg, marker_at, fr)?;
                for &c in &scan.comps {
                    if decoded[c] {
                        return Err(JlsError::InvalidSegment {
                            segment: "SOS",
                            offset: marker_at,
                            reason: format!("component {} decoded twice", fr.ids[c]),
                        });
                    }
                }
                let invalid = |reason| JlsError::InvalidSegment {
                    segment: "SOS/LSE",
                    offset: marker_at,
                    reason,
                };
                let params =
                    Params::new(fr.precision, &preset, scan.near, legacy).map_err(invalid)?;
                if !legacy {
                    let alt = Params::new(fr.precision, &preset, scan.near, true);
                    info.legacy_differs |=
                        alt.is_ok_and(|a| (a.t1, a.t2, a.t3) != (params.t1, params.t2, params.t3));
                }
                let Some(out) = image.as_deref_mut() else {
                    return Err(JlsError::Incomplete("no output buffer"));
                };
                let job = ScanJob {
                    frame: fr,
                    scan: &scan,
                    params,
                    restart_interval,
                    index: scan_no,
                };
                let (next, clean) = decode_scan(data, pos, &job, out)?;
                pos = next;
                info.clean &= clean;
                for &c in &scan.comps {
                    decoded[c] = true;
                }
                scan_no += 1;
            }
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                return Err(JlsError::Unsupported(format!(
                    "JPEG frame type SOF{} (not JPEG-LS)",
                    marker - 0xC0
                )));
            }
            0xC4 | 0xC8 | 0xCC | 0xDB | 0xDE | 0xDF | 0xF0..=0xF6 | 0xF9..=0xFD => {
                // Other segments that carry a length: skip.
                segment(data, &mut pos, marker_at)?;
            }
            _ => {
                return Err(JlsError::UnexpectedMarker {
                    offset: marker_at,
                    marker,
                    reason: "unknown marker",
                });
            }
        }
    }

    let Some(fr) = frame else {
        return Err(JlsError::Incomplete("no frame header (SOF55)"));
    };
    let Some(samples) = image else {
        return Err(JlsError::Incomplete("no scan"));
    };
    if !decoded.iter().all(|&d| d) {
        return Err(JlsError::Incomplete("a component has no scan"));
    }
    Ok(JlsImage {
        width: fr.width,
        height: fr.height,
        components: u8::try_from(fr.ids.len()).unwrap_or(u8::MAX),
        bits_per_sample: fr.precision,
        samples,
    })
}

/// Reads a marker at `*pos` (skipping 0xFF fill bytes) and returns its second byte.
fn read_marker(data: &[u8], pos: &mut usize) -> Result<u8, JlsError> {
    let start = *pos;
    match data.get(start) {
        Some(0xFF) => {}
        Some(&byte) => {
            return Err(JlsError::BadMarker {
                offset: start,
                byte,
            });
        }
        None => {
            return Err(JlsError::Truncated {
                what: "marker expected",
                offset: start,
            });
        }
    }
    let mut p = start + 1;
    while data.get(p) == Some(&0xFF) {
        p += 1;
    }
    match data.get(p) {
        Some(&m) => {
            *pos = p + 1;
            Ok(m)
        }
        None => Err(JlsError::Truncated {
            what: "marker",
            offset: p,
        }),
    }
}

/// Reads a length-prefixed segment at `*pos`, returning its payload (without the length).
fn segment<'a>(data: &'a [u8], pos: &mut usize, marker_at: usize) -> Result<&'a [u8], JlsError> {
    let p = *pos;
    let len = match data.get(p..p + 2) {
        Some(b) => usize::from(u16::from_be_bytes([b[0], b[1]])),
        None => {
            return Err(JlsError::Truncated {
                what: "segment length",
                offset: p,
            });
        }
    };
    if len < 2 {
        return Err(JlsError::InvalidSegment {
            segment: "marker",
            offset: marker_at,
            reason: format!("segment length {len} < 2"),
        });
    }
    match data.get(p + 2..p + len) {
        Some(seg) => {
            *pos = p + len;
            Ok(seg)
        }
        None => Err(JlsError::Truncated {
            what: "marker segment",
            offset: data.len(),
        }),
    }
}

/// Frame header (SOF55) contents.
#[derive(Debug)]
struct Frame {
    width: u32,
    height: u32,
    precision: u8,
    ids: Vec<u8>,
}

/// Preset coding parameters from LSE id 1; 0 means "use the default".
#[derive(Debug, Default, Clone, Copy)]
struct Preset {
    maxval: i32,
    t1: i32,
    t2: i32,
    t3: i32,
    reset: i32,
}

/// Scan header (SOS) contents.
#[derive(Debug)]
struct Scan {
    /// Frame component indices, in scan order.
    comps: Vec<usize>,
    near: i32,
    ilv: u8,
}

/// Big-endian 16-bit value at `b[i..i + 2]` (0 if out of range).
fn be16(b: &[u8], i: usize) -> u32 {
    match b.get(i..i + 2) {
        Some(s) => u32::from(u16::from_be_bytes([s[0], s[1]])),
        None => 0,
    }
}

/// Parses a SOF55 (JPEG-LS frame header) payload.
fn parse_sof(seg: &[u8], offset: usize) -> Result<Frame, JlsError> {
    let bad = |reason: String| JlsError::InvalidSegment {
        segment: "SOF55",
        offset,
        reason,
    };
    if seg.len() < 6 {
        return Err(bad(format!("length {} too short", seg.len() + 2)));
    }
    let precision = seg[0];
    let height = be16(seg, 1);
    let width = be16(seg, 3);
    let nf = usize::from(seg[5]);
    if !(2..=16).contains(&precision) {
        return Err(bad(format!("sample precision {precision} not in 2..=16")));
    }
    if nf == 0 {
        return Err(bad("zero components".into()));
    }
    if seg.len() != 6 + 3 * nf {
        return Err(bad(format!(
            "length {} does not match {nf} components",
            seg.len() + 2
        )));
    }
    let mut ids = Vec::with_capacity(nf);
    let mut sampling = None;
    for c in 0..nf {
        let id = seg[6 + 3 * c];
        let hv = seg[7 + 3 * c];
        if ids.contains(&id) {
            return Err(bad(format!("duplicate component id {id}")));
        }
        match sampling {
            None => sampling = Some(hv),
            Some(s) if s != hv => {
                return Err(JlsError::Unsupported(
                    "component subsampling (differing sampling factors)".into(),
                ));
            }
            Some(_) => {}
        }
        ids.push(id);
    }
    Ok(Frame {
        width,
        height,
        precision,
        ids,
    })
}

/// Parses an LSE payload: preset parameters (id 1) update `preset`, oversize
/// dimensions (id 4) update `frame`, mapping tables (ids 2, 3) are ignored.
fn parse_lse(
    seg: &[u8],
    offset: usize,
    preset: &mut Preset,
    frame: Option<&mut Frame>,
    scans_started: bool,
) -> Result<(), JlsError> {
    let bad = |reason: String| JlsError::InvalidSegment {
        segment: "LSE",
        offset,
        reason,
    };
    let Some(&id) = seg.first() else {
        return Err(bad("empty segment".into()));
    };
    match id {
        1 => {
            if seg.len() != 11 {
                return Err(bad(format!(
                    "preset parameters segment length {} != 13",
                    seg.len() + 2
                )));
            }
            let v = |i: usize| be16(seg, i) as i32;
            *preset = Preset {
                maxval: v(1),
                t1: v(3),
                t2: v(5),
                t3: v(7),
                reset: v(9),
            };
            Ok(())
        }
        // Mapping table specification / continuation: only used by scans with
        // a non-zero table id, which we reject in the scan header.
        2 | 3 => Ok(()),
        4 => {
            let Some(fr) = frame else {
                return Err(bad("oversize dimensions before frame header".into()));
            };
            if scans_started {
                return Err(bad("oversize dimensions after first scan".into()));
            }
            let wxy = usize::from(seg.get(1).copied().unwrap_or(0));
            if !(2..=4).contains(&wxy) || seg.len() != 2 + 2 * wxy {
                return Err(bad("malformed oversize image dimension".into()));
            }
            let num = |b: &[u8]| b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
            let h = num(&seg[2..2 + wxy]);
            let w = num(&seg[2 + wxy..2 + 2 * wxy]);
            fr.height = u32::try_from(h).map_err(|_| bad("height too large".into()))?;
            fr.width = u32::try_from(w).map_err(|_| bad("width too large".into()))?;
            Ok(())
        }
        _ => Err(JlsError::Unsupported(format!("LSE segment id {id}"))),
    }
}

/// Parses a DRI payload: the restart interval in lines (1 to 4 bytes).
fn parse_dri(seg: &[u8], offset: usize) -> Result<u32, JlsError> {
    if !(1..=4).contains(&seg.len()) {
        return Err(JlsError::InvalidSegment {
            segment: "DRI",
            offset,
            reason: format!("length {} not in 3..=6", seg.len() + 2),
        });
    }
    Ok(seg.iter().fold(0u32, |acc, &x| (acc << 8) | u32::from(x)))
}

/// Parses an SOS payload against the frame's component ids.
fn parse_sos(seg: &[u8], offset: usize, frame: &Frame) -> Result<Scan, JlsError> {
    let bad = |reason: String| JlsError::InvalidSegment {
        segment: "SOS",
        offset,
        reason,
    };
    let Some(&ns) = seg.first() else {
        return Err(bad("empty segment".into()));
    };
    let ns = usize::from(ns);
    if ns == 0 || seg.len() != 4 + 2 * ns {
        return Err(bad(format!(
            "length {} does not match {ns} components",
            seg.len() + 2
        )));
    }
    let mut comps = Vec::with_capacity(ns);
    for i in 0..ns {
        let id = seg[1 + 2 * i];
        let table = seg[2 + 2 * i];
        let Some(c) = frame.ids.iter().position(|&f| f == id) else {
            return Err(bad(format!("unknown component id {id}")));
        };
        if comps.contains(&c) {
            return Err(bad(format!("component id {id} listed twice")));
        }
        if table != 0 {
            return Err(JlsError::Unsupported(format!(
                "mapping table {table} (palette) for component {id}"
            )));
        }
        comps.push(c);
    }
    let near = i32::from(seg[1 + 2 * ns]);
    let ilv = seg[2 + 2 * ns];
    let pt = seg[3 + 2 * ns];
    if ilv > 2 {
        return Err(bad(format!("interleave mode {ilv} not in 0..=2")));
    }
    if ns > 1 && ilv == 0 {
        return Err(bad(format!("{ns} components in a non-interleaved scan")));
    }
    if ns > MAX_SAMPLE_INTERLEAVED && ilv == 2 {
        return Err(JlsError::Unsupported(format!(
            "sample-interleaved scan with {ns} components"
        )));
    }
    if pt != 0 {
        return Err(JlsError::Unsupported(format!(
            "point transform (Al/Ah byte 0x{pt:02X})"
        )));
    }
    Ok(Scan { comps, near, ilv })
}

/// Allocates the zeroed output buffer, refusing absurd sizes without aborting.
fn allocate(fr: &Frame) -> Result<Vec<u16>, JlsError> {
    let n = u64::from(fr.width) * u64::from(fr.height) * fr.ids.len() as u64;
    let too_large = || JlsError::TooLarge {
        width: fr.width,
        height: fr.height,
        components: u8::try_from(fr.ids.len()).unwrap_or(u8::MAX),
    };
    if n > MAX_SAMPLES {
        return Err(too_large());
    }
    let n = usize::try_from(n).map_err(|_| too_large())?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| too_large())?;
    v.resize(n, 0);
    Ok(v)
}

/// Coding parameters of one scan (T.87 A.2.1 and C.2.4.1.1).
#[derive(Debug, Clone, Copy)]
struct Params {
    maxval: i32,
    near: i32,
    range: i32,
    qbpp: u32,
    limit: u32,
    t1: i32,
    t2: i32,
    t3: i32,
    reset: i32,
}

impl Params {
    /// `legacy` selects the CharLS 1.x default thresholds for MAXVAL < 128
    /// (the formula for MAXVAL >= 128 applied to all values).
    fn new(precision: u8, preset: &Preset, near: i32, legacy: bool) -> Result<Params, String> {
        let full = (1i32 << precision) - 1;
        let maxval = if preset.maxval == 0 {
            full
        } else {
            preset.maxval
        };
        if maxval < 1 || maxval > full {
            return Err(format!("MAXVAL {maxval} not in 1..={full}"));
        }
        if near > (maxval / 2).min(255) {
            return Err(format!("NEAR {near} too large for MAXVAL {maxval}"));
        }
        let range = (maxval + 2 * near) / (2 * near + 1) + 1;
        let qbpp = ceil_log2(range);
        let bpp = ceil_log2(maxval + 1).max(2);
        let limit = 2 * (bpp + bpp.max(8));

        // Default thresholds, T.87 C.2.4.1.1.
        let clamp = |i: i32, j: i32| if i > maxval || i < j { j } else { i };
        let (d1, d2, d3) = if maxval >= 128 || legacy {
            let factor = (maxval.min(4095) + 128) / 256;
            // BASIC_T1 = 3, BASIC_T2 = 7, BASIC_T3 = 21.
            let d1 = clamp(factor + 2 + 3 * near, near + 1);
            let d2 = clamp(factor * 4 + 3 + 5 * near, d1);
            let d3 = clamp(factor * 17 + 4 + 7 * near, d2);
            (d1, d2, d3)
        } else {
            let factor = 256 / (maxval + 1);
            let d1 = clamp((3 / factor + 3 * near).max(2), near + 1);
            let d2 = clamp((7 / factor + 5 * near).max(3), d1);
            let d3 = clamp((21 / factor + 7 * near).max(4), d2);
            (d1, d2, d3)
        };
        let t1 = if preset.t1 == 0 { d1 } else { preset.t1 };
        let t2 = if preset.t2 == 0 { d2 } else { preset.t2 };
        let t3 = if preset.t3 == 0 { d3 } else { preset.t3 };
        let reset = if preset.reset == 0 { 64 } else { preset.reset };
        if t1 < near + 1 || t1 > maxval || t2 < t1 || t2 > maxval || t3 < t2 || t3 > maxval {
            return Err(format!(
                "invalid thresholds T1={t1} T2={t2} T3={t3} (MAXVAL {maxval}, NEAR {near})"
            ));
        }
        if reset < 3 || reset > maxval.max(255) {
            return Err(format!("RESET {reset} not in 3..={}", maxval.max(255)));
        }
        Ok(Params {
            maxval,
            near,
            range,
            qbpp,
            limit,
            t1,
            t2,
            t3,
            reset,
        })
    }
}

/// Smallest `q` with `2^q >= v` (v >= 1).
fn ceil_log2(v: i32) -> u32 {
    let mut q = 0;
    while q < 31 && (1i64 << q) < i64::from(v) {
        q += 1;
    }
    q
}

/// Low-level failure inside the entropy decoder (mapped to [`JlsError::InvalidData`]).
#[derive(Debug, Clone, Copy)]
enum Fault {
    Code(&'static str),
}

type FResult<T> = Result<T, Fault>;

/// MSB-first bit reader over entropy-coded data implementing the JPEG-LS
/// marker stuffing rule: after a 0xFF byte only the 7 low bits of the next
/// byte are data; 0xFF followed by a byte >= 0x80 is a marker that ends the
/// entropy-coded segment. Past the segment's end zero bits are supplied and
/// counted, so that over-reading is detected.
struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte to load into the cache.
    pos: usize,
    /// Bits, MSB-aligned; bits below `bits` are zero.
    cache: u64,
    /// Number of valid bits in `cache`.
    bits: u32,
    /// The byte at `pos` follows a data 0xFF and carries 7 bits.
    after_ff: bool,
    /// A marker (or the end of the data) was reached at `pos`.
    at_end: bool,
    /// Zero bits appended past the end of the segment.
    padding: u64,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        let mut r = BitReader {
            data,
            pos,
            cache: 0,
            bits: 0,
            after_ff: false,
            at_end: false,
            padding: 0,
        };
        r.fill();
        r
    }

    /// Tops the cache up to at least 57 valid bits.
    #[inline]
    fn fill(&mut self) {
        while self.bits <= 56 {
            if self.at_end {
                self.padding += u64::from(64 - self.bits);
                self.bits = 64;
                return;
            }
            let Some(&b) = self.data.get(self.pos) else {
                self.at_end = true;
                continue;
            };
            if self.after_ff {
                // Checked to be < 0x80 when the 0xFF was loaded.
                self.cache |= u64::from(b & 0x7F) << (57 - self.bits);
                self.bits += 7;
                self.pos += 1;
                self.after_ff = false;
            } else if b == 0xFF {
                match self.data.get(self.pos + 1) {
                    Some(&n) if n < 0x80 => {
                        self.cache |= 0xFFu64 << (56 - self.bits);
                        self.bits += 8;
                        self.pos += 1;
                        self.after_ff = true;
                    }
                    _ => self.at_end = true,
                }
            } else {
                self.cache |= u64::from(b) << (56 - self.bits);
                self.bits += 8;
                self.pos += 1;
            }
        }
    }

    #[inline]
    fn consume(&mut self, n: u32) {
        self.cache = if n >= 64 { 0 } else { self.cache << n };
        self.bits -= n;
    }

    /// Reads `n <= 32` bits.
    #[inline]
    fn read_bits(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        if self.bits < n {
            self.fill();
        }
        let v = (self.cache >> (64 - n)) as u32;
        self.consume(n);
        v
    }

    #[inline]
    fn read_bit(&mut self) -> bool {
        if self.bits == 0 {
            self.fill();
        }
        let b = self.cache >> 63 != 0;
        self.consume(1);
        b
    }

    /// Counts 0 bits up to and including the next 1 bit; fails beyond `max` zeros.
    #[inline]
    fn read_unary(&mut self, max: u32) -> FResult<u32> {
        let mut count = 0u32;
        loop {
            let lz = self.cache.leading_zeros();
            if lz < self.bits {
                count += lz;
                self.consume(lz + 1);
                if count > max {
                    return Err(Fault::Code("Golomb code longer than LIMIT"));
                }
                return Ok(count);
            }
            count += self.bits;
            self.cache = 0;
            self.bits = 0;
            if count > max {
                return Err(Fault::Code("Golomb code longer than LIMIT"));
            }
            self.fill();
        }
    }

    /// Decodes one limited-length Golomb code (T.87 A.5.3 / A.7.2).
    #[inline]
    fn decode_value(&mut self, k: u32, limit: u32, qbpp: u32) -> FResult<i32> {
        let escape = limit.saturating_sub(qbpp + 1);
        let high = self.read_unary(escape)?;
        if high >= escape {
            return Ok(self.read_bits(qbpp) as i32 + 1);
        }
        if k == 0 {
            return Ok(high as i32);
        }
        Ok(((high << k) | self.read_bits(k)) as i32)
    }

    /// Number of zero bits consumed beyond the end of the segment.
    fn overrun(&self) -> u64 {
        self.padding.saturating_sub(u64::from(self.bits))
    }

    /// Whether only zero padding (< 8 bits) is left before the marker at `marker`.
    fn tail_is_clean(&self, marker: usize) -> bool {
        let padded = self.padding.min(u64::from(self.bits)) as u32;
        let real = self.bits - padded;
        self.pos == marker && real < 8 && (real == 0 || self.cache >> (64 - real) == 0)
    }

    /// Offset of the marker terminating the entropy-coded segment (or the data length).
    fn marker_position(&self) -> usize {
        let mut p = self.pos;
        while p < self.data.len() {
            if self.data[p] == 0xFF && self.data.get(p + 1).is_none_or(|&n| n >= 0x80) {
                return p;
            }
            p += 1;
        }
        self.data.len()
    }
}

/// Regular-mode context variables (A, B, C, N).
#[derive(Debug, Clone, Copy)]
struct Context {
    a: i64,
    b: i32,
    c: i32,
    n: i32,
}

/// Run-interruption context variables (A, N, Nn).
#[derive(Debug, Clone, Copy)]
struct RunContext {
    a: i64,
    n: i32,
    nn: i32,
}

/// Golomb parameter k: smallest k with N * 2^k >= A (capped at 24, which
/// only corrupt data can reach).
#[inline]
fn golomb_k(n: i32, a: i64) -> u32 {
    let n = i64::from(n.max(1));
    if a <= n {
        return 0;
    }
    let mut k = n.leading_zeros() - a.leading_zeros();
    if (n << k) < a {
        k += 1;
    }
    k.min(24)
}

/// Median edge detector prediction (T.87 A.4.1).
#[inline]
fn predict(ra: i32, rb: i32, rc: i32) -> i32 {
    if rc >= ra.max(rb) {
        ra.min(rb)
    } else if rc <= ra.min(rb) {
        ra.max(rb)
    } else {
        ra + rb - rc
    }
}

/// Decoding state of one scan: parameters, gradient quantisation table and contexts.
struct Decoder {
    p: Params,
    /// 2 * NEAR + 1.
    step: i32,
    /// RANGE * (2 * NEAR + 1).
    wrap: i32,
    /// Upper bound for mapped error values of a valid stream.
    max_merr: i32,
    /// Quantised gradient for difference d at index d + MAXVAL.
    qlut: Vec<i8>,
    ctx: [Context; 365],
    run: [RunContext; 2],
}

impl Decoder {
    fn new(p: Params) -> Decoder {
        // Gradient quantisation (T.87 A.3.3) as a table over -MAXVAL..=MAXVAL.
        let m = p.maxval;
        let mut qlut = vec![0i8; 2 * m as usize + 1];
        let bounds = [
            (-m, 1 - p.t3, -4),
            (1 - p.t3, 1 - p.t2, -3),
            (1 - p.t2, 1 - p.t1, -2),
            (1 - p.t1, -p.near, -1),
            (p.near + 1, p.t1, 1),
            (p.t1, p.t2, 2),
            (p.t2, p.t3, 3),
            (p.t3, m + 1, 4),
        ];
        for (lo, hi, q) in bounds {
            let lo = (lo.clamp(-m, m + 1) + m) as usize;
            let hi = (hi.clamp(-m, m + 1) + m) as usize;
            if let Some(r) = qlut.get_mut(lo..hi) {
                r.fill(q);
            }
        }
        let step = 2 * p.near + 1;
        let mut d = Decoder {
            p,
            step,
            wrap: p.range * step,
            max_merr: 4 * p.range + 4,
            qlut,
            ctx: [Context {
                a: 0,
                b: 0,
                c: 0,
                n: 1,
            }; 365],
            run: [RunContext { a: 0, n: 1, nn: 0 }; 2],
        };
        d.reset_contexts();
        d
    }

    /// Context initialisation (T.87 A.2.1).
    fn reset_contexts(&mut self) {
        let a = i64::from(((self.p.range + 32) / 64).max(2));
        self.ctx = [Context {
            a,
            b: 0,
            c: 0,
            n: 1,
        }; 365];
        self.run = [RunContext { a, n: 1, nn: 0 }; 2];
    }

    #[inline]
    fn quant(&self, d: i32) -> i32 {
        // Samples are always within 0..=MAXVAL, so d + MAXVAL is within the table.
        i32::from(self.qlut[(d + self.p.maxval) as usize])
    }

    /// Context number Q (signed, -364..=364) from the local gradients.
    #[inline]
    fn context_id(&self, ra: i32, rb: i32, rc: i32, rd: i32) -> i32 {
        (self.quant(rd - rb) * 9 + self.quant(rb - rc)) * 9 + self.quant(rc - ra)
    }

    /// Error modulo reduction + clamping of a reconstructed value (T.87 A.4.4 / A.7.2).
    #[inline]
    fn fix(&self, v: i32) -> i32 {
        let mut v = v;
        if v < -self.p.near {
            v += self.wrap;
        } else if v > self.p.maxval + self.p.near {
            v -= self.wrap;
        }
        v.clamp(0, self.p.maxval)
    }

    /// Decodes one sample in regular mode.
    #[inline]
    fn regular(&mut self, br: &mut BitReader, qs: i32, ra: i32, rb: i32, rc: i32) -> FResult<i32> {
        let p = self.p;
        let pred = predict(ra, rb, rc);
        let neg = qs < 0;
        let ctx = &mut self.ctx[qs.unsigned_abs() as usize];
        let k = golomb_k(ctx.n, ctx.a);
        let px = if neg { pred - ctx.c } else { pred + ctx.c }.clamp(0, p.maxval);
        let merr = br.decode_value(k, p.limit, p.qbpp)?;
        if merr > self.max_merr {
            return Err(Fault::Code("error value out of range"));
        }
        let mut err = (merr >> 1) ^ -(merr & 1);
        if k == 0 && p.near == 0 && 2 * ctx.b + ctx.n - 1 < 0 {
            err = !err;
        }
        // Context update (A.6.1) and bias correction (A.6.2).
        ctx.a += i64::from(err.abs());
        ctx.b += err * self.step;
        if ctx.n == p.reset {
            ctx.a >>= 1;
            ctx.b >>= 1;
            ctx.n >>= 1;
        }
        ctx.n += 1;
        if ctx.b + ctx.n <= 0 {
            ctx.b += ctx.n;
            if ctx.b <= -ctx.n {
                ctx.b = -ctx.n + 1;
            }
            if ctx.c > -128 {
                ctx.c -= 1;
            }
        } else if ctx.b > 0 {
            ctx.b -= ctx.n;
            if ctx.b > 0 {
                ctx.b = 0;
            }
            if ctx.c < 127 {
                ctx.c += 1;
            }
        }
        let e = err * self.step;
        Ok(self.fix(if neg { px - e } else { px + e }))
    }

    /// Decodes the prediction error of a run-interruption sample (T.87 A.7.2).
    #[inline]
    fn ri_error(&mut self, br: &mut BitReader, ritype: usize, run_index: usize) -> FResult<i32> {
        let p = self.p;
        let c = &mut self.run[ritype];
        let temp = if ritype == 1 {
            c.a + i64::from(c.n >> 1)
        } else {
            c.a
        };
        let k = golomb_k(c.n, temp);
        let em = br.decode_value(k, p.limit.saturating_sub(J[run_index] + 1), p.qbpp)?;
        if em > self.max_merr {
            return Err(Fault::Code("run interruption error out of range"));
        }
        let t = em + ritype as i32;
        let map = t & 1;
        let abs = (t + map) >> 1;
        let positive_map = i32::from(k == 0 && 2 * c.nn < c.n);
        let err = if map == positive_map { abs } else { -abs };
        if err < 0 {
            c.nn += 1;
        }
        c.a += i64::from((em + 1 - ritype as i32) >> 1);
        if c.n == p.reset {
            c.a >>= 1;
            c.n >>= 1;
            c.nn >>= 1;
        }
        c.n += 1;
        Ok(err)
    }

    /// Decodes the run length starting at `x` (1-based index into the line
    /// buffer, `w` samples in the line). Returns the number of samples in the
    /// run and whether the run was interrupted (an interruption sample follows).
    #[inline]
    fn run_length(
        &mut self,
        br: &mut BitReader,
        x: usize,
        w: usize,
        run_index: &mut usize,
    ) -> FResult<(usize, bool)> {
        let remaining = w + 1 - x;
        let mut count = 0usize;
        loop {
            if br.read_bit() {
                let r = 1usize << J[*run_index];
                let n = r.min(remaining - count);
                count += n;
                if n == r && *run_index < 31 {
                    *run_index += 1;
                }
                if count == remaining {
                    return Ok((count, false));
                }
            } else {
                count += br.read_bits(J[*run_index]) as usize;
                if count > remaining {
                    return Err(Fault::Code("run longer than line"));
                }
                return Ok((count, count < remaining));
            }
        }
    }

    /// Decodes one line of a single component. `prev` and `cur` hold the
    /// previous and current line with one guard sample on each side.
    fn line(
        &mut self,
        br: &mut BitReader,
        prev: &[i32],
        cur: &mut [i32],
        run_index: &mut usize,
    ) -> FResult<()> {
        let w = cur.len() - 2;
        let mut x = 1usize;
        while x <= w {
            let ra = cur[x - 1];
            let rb = prev[x];
            let rc = prev[x - 1];
            let rd = prev[x + 1];
            let qs = self.context_id(ra, rb, rc, rd);
            if qs != 0 {
                cur[x] = self.regular(br, qs, ra, rb, rc)?;
                x += 1;
                continue;
            }
            // Run mode.
            let (n, interrupted) = self.run_length(br, x, w, run_index)?;
            cur[x..x + n].fill(ra);
            x += n;
            if interrupted {
                let rb = prev[x];
                let rx = if (ra - rb).abs() <= self.p.near {
                    let err = self.ri_error(br, 1, *run_index)?;
                    self.fix(ra + err * self.step)
                } else {
                    let err = self.ri_error(br, 0, *run_index)? * self.step;
                    self.fix(if rb < ra { rb - err } else { rb + err })
                };
                cur[x] = rx;
                x += 1;
                *run_index = run_index.saturating_sub(1);
            }
        }
        Ok(())
    }

    /// Decodes one line of a sample-interleaved scan with `prev.len()` components.
    fn line_interleaved(
        &mut self,
        br: &mut BitReader,
        prev: &[Vec<i32>],
        cur: &mut [Vec<i32>],
        run_index: &mut usize,
    ) -> FResult<()> {
        let ns = cur.len();
        let w = cur.first().map_or(0, |l| l.len() - 2);
        let mut qs = [0i32; MAX_SAMPLE_INTERLEAVED];
        let mut x = 1usize;
        while x <= w {
            let mut all_zero = true;
            for c in 0..ns {
                let (p, l) = (&prev[c], &cur[c]);
                qs[c] = self.context_id(l[x - 1], p[x], p[x - 1], p[x + 1]);
                all_zero &= qs[c] == 0;
            }
            if !all_zero {
                for c in 0..ns {
                    let (ra, rb, rc) = (cur[c][x - 1], prev[c][x], prev[c][x - 1]);
                    cur[c][x] = self.regular(br, qs[c], ra, rb, rc)?;
                }
                x += 1;
                continue;
            }
            let (n, interrupted) = self.run_length(br, x, w, run_index)?;
            for l in cur.iter_mut() {
                let ra = l[x - 1];
                l[x..x + n].fill(ra);
            }
            x += n;
            if interrupted {
                for c in 0..ns {
                    let ra = cur[c][x - 1];
                    let rb = prev[c][x];
                    let err = self.ri_error(br, 0, *run_index)? * self.step;
                    cur[c][x] = self.fix(if rb < ra { rb - err } else { rb + err });
                }
                x += 1;
                *run_index = run_index.saturating_sub(1);
            }
        }
        Ok(())
    }
}

/// Everything needed to decode one scan.
struct ScanJob<'a> {
    frame: &'a Frame,
    scan: &'a Scan,
    params: Params,
    /// Lines per restart interval (0: no restart markers).
    restart_interval: u32,
    /// Zero-based scan number, for error messages.
    index: usize,
}

/// Decodes the entropy-coded data of one scan starting at `start`, writing
/// its components into `out` (the whole pixel-interleaved image); returns the
/// offset of the marker that follows and whether every interval ended exactly
/// at the end of its data.
fn decode_scan(
    data: &[u8],
    start: usize,
    job: &ScanJob,
    out: &mut [u16],
) -> Result<(usize, bool), JlsError> {
    let (fr, scan, restart_interval) = (job.frame, job.scan, job.restart_interval);
    let w = fr.width as usize;
    let mut clean = true;
    let h = fr.height;
    let nf = fr.ids.len();
    let ns = scan.comps.len();
    let mut dec = Decoder::new(job.params);
    let mut br = BitReader::new(data, start);
    let mut prev: Vec<Vec<i32>> = vec![vec![0; w + 2]; ns];
    let mut cur: Vec<Vec<i32>> = vec![vec![0; w + 2]; ns];
    let mut run_index = vec![0usize; ns];
    let sample_mode = scan.ilv == 2 && ns > 1;
    let mut rst_count = 0u8;
    let mut lines_in_interval = 0u32;
    let fault = |line: u32, reason: &'static str| JlsError::InvalidData {
        scan: job.index,
        line,
        reason,
    };

    for y in 0..h {
        if restart_interval > 0 && lines_in_interval == restart_interval {
            // Expect RSTm, then restart with fresh contexts and zero lines.
            if br.overrun() > 0 {
                return Err(fault(y, "entropy-coded data ends early"));
            }
            let mut p = br.marker_position();
            clean &= br.tail_is_clean(p);
            let at = p;
            let m = read_marker(data, &mut p)?;
            if m != 0xD0 + rst_count {
                return Err(JlsError::UnexpectedMarker {
                    offset: at,
                    marker: m,
                    reason: "expected restart marker",
                });
            }
            rst_count = (rst_count + 1) & 7;
            lines_in_interval = 0;
            br = BitReader::new(data, p);
            dec.reset_contexts();
            for l in prev.iter_mut().chain(cur.iter_mut()) {
                l.fill(0);
            }
            run_index.fill(0);
        }
        lines_in_interval += 1;

        std::mem::swap(&mut prev, &mut cur);
        for c in 0..ns {
            let (p, l) = (&prev[c], &mut cur[c]);
            l[0] = p[1];
            let last = p[w];
            prev[c][w + 1] = last;
        }
        if sample_mode {
            let mut ri = run_index[0];
            dec.line_interleaved(&mut br, &prev, &mut cur, &mut ri)
                .map_err(|Fault::Code(r)| fault(y, r))?;
            run_index[0] = ri;
        } else {
            for c in 0..ns {
                dec.line(&mut br, &prev[c], &mut cur[c], &mut run_index[c])
                    .map_err(|Fault::Code(r)| fault(y, r))?;
            }
        }

        if br.overrun() > 0 {
            return Err(fault(y, "entropy-coded data ends early"));
        }

        // Store the line.
        let row = y as usize * w;
        for (c, &fc) in scan.comps.iter().enumerate() {
            let line = &cur[c][1..=w];
            let dst = out.get_mut(row * nf..(row + w) * nf).unwrap_or(&mut []);
            for (px, &v) in dst.chunks_exact_mut(nf).zip(line) {
                px[fc] = v as u16;
            }
        }
    }
    if br.overrun() > 0 {
        return Err(fault(h.saturating_sub(1), "entropy-coded data ends early"));
    }
    let end = br.marker_position();
    clean &= br.tail_is_clean(end);
    Ok((end, clean))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 8x8, 8-bit, lossless, encoded by DCMTK 3.6.7 `dcmcjpls` (default
    /// options). Exercises run mode, regular mode, a stuffed 0xFF data byte
    /// and DCMTK's "FF FF D9" padding.
    const LOSSLESS_8: [u8; 76] = [
        0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07, 0x95, 0xF3, 0xF6, 0xFF,
        0x51, 0x11, 0x99, 0x99, 0xB1, 0x18, 0x00, 0x00, 0x06, 0x0B, 0x2E, 0x42, 0xA4, 0x9B, 0x50,
        0x00, 0x00, 0x1C, 0xE9, 0xE0, 0x00, 0x0F, 0xFC, 0x00, 0x00, 0x03, 0xA3, 0xF8, 0x00, 0x00,
        0x0C, 0xC9, 0x74, 0xB4, 0x5D, 0x2D, 0x27, 0x53, 0x40, 0x00, 0x00, 0x36, 0xA0, 0xFF, 0xFF,
        0xD9,
    ];

    /// The original image of [`LOSSLESS_8`] and [`NEAR_8`].
    const IMAGE_8: [u16; 64] = [
        10, 10, 10, 10, 10, 10, 10, 10, //
        10, 10, 10, 10, 10, 10, 10, 10, //
        10, 12, 14, 16, 18, 20, 22, 24, //
        10, 13, 17, 20, 24, 27, 31, 34, //
        200, 201, 199, 200, 202, 198, 200, 200, //
        200, 200, 200, 200, 50, 50, 50, 50, //
        0, 255, 0, 255, 0, 255, 0, 255, //
        77, 77, 77, 77, 77, 77, 77, 90,
    ];

    /// [`IMAGE_8`] encoded by `dcmcjpls +en +md 2` (NEAR = 2).
    const NEAR_8: [u8; 58] = [
        0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x02, 0x00, 0x00, 0x3B, 0xFB, 0xF9, 0xCE, 0xBC,
        0x8D, 0x20, 0x00, 0x75, 0x53, 0xA8, 0x00, 0x00, 0x3B, 0x83, 0xD5, 0x00, 0x00, 0x02, 0x54,
        0x00, 0x04, 0x45, 0xE2, 0x2F, 0x11, 0x78, 0x00, 0x00, 0x01, 0x94, 0xFF, 0xD9,
    ];

    /// [`NEAR_8`] as decoded by DCMTK's `dcmdjpls`.
    const NEAR_8_DECODED: [u16; 64] = [
        10, 10, 10, 10, 10, 10, 10, 10, //
        10, 10, 10, 10, 10, 10, 10, 10, //
        10, 10, 15, 15, 20, 20, 20, 25, //
        10, 15, 15, 20, 25, 26, 31, 36, //
        201, 201, 201, 201, 201, 196, 201, 201, //
        201, 201, 201, 201, 51, 51, 51, 51, //
        1, 255, 0, 255, 0, 255, 0, 255, //
        76, 79, 75, 79, 75, 79, 75, 90,
    ];

    /// 5x4, 16-bit, lossless, by `dcmcjpls`; carries an LSE preset segment.
    const LOSSLESS_16: [u8; 82] = [
        0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x10, 0x00, 0x04, 0x00, 0x05, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xF8, 0x00, 0x0D, 0x01, 0xFF, 0xFF, 0x00, 0x12, 0x00, 0x43, 0x01, 0x14, 0x00, 0x40,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0xA0, 0x03, 0xE8, 0xC0, 0x28,
        0x04, 0xFA, 0x0F, 0xA3, 0x00, 0x28, 0x02, 0x00, 0x11, 0x75, 0x7D, 0x63, 0x4C, 0x79, 0x8E,
        0x00, 0x01, 0x1C, 0xE5, 0xE8, 0x00, 0x00, 0x3C, 0x99, 0xBC, 0x88, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x0F, 0x95, 0xB0, 0xFF, 0xFF, 0xD9,
    ];

    const IMAGE_16: [u16; 20] = [
        0, 65535, 1000, 1000, 1000, //
        1000, 1000, 1000, 1000, 1001, //
        4095, 4000, 3900, 3800, 3700, //
        12345, 12345, 23456, 34567, 65535,
    ];

    /// 4x3 RGB, 8-bit, lossless, sample-interleaved (`dcmcjpls +is`).
    const RGB_SAMPLE: [u8; 64] = [
        0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x11, 0x08, 0x00, 0x03, 0x00, 0x04, 0x03, 0x01, 0x11, 0x00,
        0x02, 0x11, 0x00, 0x03, 0x11, 0x00, 0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x00,
        0x03, 0x00, 0x00, 0x02, 0x00, 0x58, 0x00, 0xA4, 0x95, 0x75, 0x33, 0x40, 0x00, 0x00, 0x3F,
        0xD0, 0x24, 0xA8, 0x21, 0x54, 0x00, 0x00, 0x07, 0x1E, 0xE1, 0x10, 0xC0, 0x00, 0x00, 0x7B,
        0x97, 0x00, 0xFF, 0xD9,
    ];

    const IMAGE_RGB: [u16; 36] = [
        255, 0, 9, 255, 0, 9, 255, 0, 9, 0, 0, 9, //
        255, 0, 9, 255, 0, 9, 255, 0, 9, 0, 128, 9, //
        1, 5, 200, 2, 6, 100, 3, 7, 50, 4, 8, 25,
    ];

    /// 8x6, 8-bit, lossless, restart interval of 2 lines (RST0, RST1),
    /// spliced from three independently `dcmcjpls`-encoded 8x2 strips.
    const RESTART_8: [u8; 77] = [
        0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x08, 0x00, 0x06, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xDD, 0x00, 0x04, 0x00, 0x02, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x0F, 0x20, 0x00, 0x08, 0x97, 0xB5, 0x73, 0x39, 0x19, 0x08, 0xFF, 0xD0,
        0x00, 0x00, 0x0F, 0x20, 0x08, 0x2B, 0xDA, 0xB9, 0x9C, 0x80, 0x00, 0x01, 0xC0, 0x00, 0x00,
        0xC4, 0xFF, 0xD1, 0x00, 0x00, 0x0F, 0x28, 0x00, 0x04, 0x53, 0x96, 0x69, 0xC8, 0xC8, 0x40,
        0xFF, 0xD9,
    ];

    /// Expected samples of [`RESTART_8`].
    fn restart_image() -> Vec<u16> {
        let mut v = Vec::new();
        for y in 0..6u16 {
            for x in 0..8u16 {
                v.push(match (x, y) {
                    (0..=2, _) => 40,
                    (5, 3) => 7,
                    _ => (x * 8 + y * 4) % 256,
                });
            }
        }
        v
    }

    fn check(data: &[u8], w: u32, h: u32, comps: u8, bits: u8, expected: &[u16]) {
        let img = decode(data).expect("test vector must decode");
        assert_eq!(
            (img.width, img.height, img.components, img.bits_per_sample),
            (w, h, comps, bits)
        );
        assert_eq!(img.samples, expected);
    }

    #[test]
    fn lossless_8bit_matches_original() {
        check(&LOSSLESS_8, 8, 8, 1, 8, &IMAGE_8);
    }

    #[test]
    fn near_lossless_matches_dcmdjpls() {
        check(&NEAR_8, 8, 8, 1, 8, &NEAR_8_DECODED);
        for (d, o) in NEAR_8_DECODED.iter().zip(IMAGE_8) {
            assert!(d.abs_diff(o) <= 2);
        }
    }

    #[test]
    fn lossless_16bit_with_preset_parameters() {
        check(&LOSSLESS_16, 5, 4, 1, 16, &IMAGE_16);
    }

    #[test]
    fn rgb_sample_interleaved() {
        check(&RGB_SAMPLE, 4, 3, 3, 8, &IMAGE_RGB);
    }

    #[test]
    fn restart_markers() {
        check(&RESTART_8, 8, 6, 1, 8, &restart_image());
    }

    #[test]
    fn quantisation_table_matches_t87() {
        for (bits, near, t) in [(8, 0, (3, 7, 21)), (12, 3, (5, 9, 30)), (4, 1, (2, 3, 4))] {
            let preset = Preset {
                t1: t.0,
                t2: t.1,
                t3: t.2,
                ..Preset::default()
            };
            let p = Params::new(bits, &preset, near, false).expect("valid");
            let dec = Decoder::new(p);
            for d in -p.maxval..=p.maxval {
                let q = if d <= -p.t3 {
                    -4
                } else if d <= -p.t2 {
                    -3
                } else if d <= -p.t1 {
                    -2
                } else if d < -p.near {
                    -1
                } else if d <= p.near {
                    0
                } else if d < p.t1 {
                    1
                } else if d < p.t2 {
                    2
                } else if d < p.t3 {
                    3
                } else {
                    4
                };
                assert_eq!(dec.quant(d), q, "d={d} bits={bits} near={near}");
            }
        }
    }

    #[test]
    fn default_thresholds_follow_t87() {
        let p = |bits, near| {
            let p = Params::new(bits, &Preset::default(), near, false).expect("valid");
            (p.t1, p.t2, p.t3, p.reset)
        };
        assert_eq!(p(8, 0), (3, 7, 21, 64));
        assert_eq!(p(12, 0), (18, 67, 276, 64));
        assert_eq!(p(16, 0), (18, 67, 276, 64));
        assert_eq!(p(16, 2), (24, 77, 290, 64));
        assert_eq!(p(6, 0), (2, 3, 5, 64));
        assert_eq!(p(6, 2), (6, 11, 19, 64));
    }

    #[test]
    fn corrupt_or_truncated_input_never_panics() {
        for v in [
            &LOSSLESS_8[..],
            &NEAR_8[..],
            &LOSSLESS_16[..],
            &RGB_SAMPLE[..],
            &RESTART_8[..],
        ] {
            for len in 0..v.len() {
                let _ = decode(&v[..len]);
            }
            let mut d = v.to_vec();
            for i in 0..d.len() {
                for x in [0x01, 0x10, 0x80, 0xFF] {
                    d[i] ^= x;
                    let _ = decode(&d);
                    d[i] ^= x;
                }
            }
        }
        // A truncated entropy-coded segment is reported, not padded silently.
        let mut cut = LOSSLESS_8[..40].to_vec();
        cut.extend_from_slice(&[0xFF, 0xD9]);
        assert!(matches!(decode(&cut), Err(JlsError::InvalidData { .. })));
    }

    #[test]
    fn rejects_garbage_and_unsupported_features() {
        assert!(matches!(decode(&[]), Err(JlsError::NotJpegLs)));
        assert!(matches!(
            decode(&[0xFF, 0xD8]),
            Err(JlsError::Truncated { .. })
        ));
        assert!(matches!(
            decode(&[0xFF, 0xD8, 0x12]),
            Err(JlsError::BadMarker {
                offset: 2,
                byte: 0x12
            })
        ));
        // Baseline JPEG frame header.
        let sof0 = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x02];
        assert!(matches!(decode(&sof0), Err(JlsError::Unsupported(_))));
        // HP colour transform (APP8 "mrfx", transform 1).
        let mut hp = RGB_SAMPLE[..21].to_vec();
        hp.extend_from_slice(&[0xFF, 0xE8, 0x00, 0x07, b'm', b'r', b'f', b'x', 1]);
        hp.extend_from_slice(&RGB_SAMPLE[21..]);
        assert!(matches!(decode(&hp), Err(JlsError::Unsupported(_))));
    }
}
