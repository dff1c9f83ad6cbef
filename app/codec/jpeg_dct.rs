//! Sequential DCT JPEG decoder (ITU-T T.81 baseline and extended sequential,
//! Huffman coded), 8-bit and 12-bit sample precision.
//!
//! Why this module exists: DICOM transfer syntax 1.2.840.10008.1.2.4.51
//! ("JPEG Extended", very common in older CT archives) stores 12-bit sequential
//! DCT JPEG, which the pure-Rust JPEG decoders we could use (`jpeg-decoder`,
//! `zune-jpeg`) refuse ("unsupported JPEG feature: SamplePrecision(12)"). Those
//! decoders also apply colour transforms on their own, which is wrong for DICOM
//! when the Photometric Interpretation or an Adobe APP14 marker says "no
//! transform". This decoder therefore outputs the raw component samples, and the
//! caller performs any colour conversion based on the DICOM header.
//!
//! The arithmetic follows IJG libjpeg 6b, the library that dcmtk embeds, so that
//! results equal dcmtk's `dcmdjpeg` output:
//! - the "islow" integer inverse DCT of `jidctint.c` (`CONST_BITS` = 13,
//!   `PASS1_BITS` = 2 for 8-bit and 1 for 12-bit data) including libjpeg's
//!   wrap-around range-limit table;
//! - libjpeg's default "fancy" (triangle filter) upsampling for h2v1 and h2v2
//!   chroma, and plain replication for other integral sampling ratios;
//! - libjpeg's handling of damaged entropy-coded data: a segment that runs out
//!   of data is completed with zero bits and the following MCUs of that restart
//!   interval are left at mid-grey, and restart markers are resynchronised the
//!   way `jpeg_resync_to_restart` does. A missing EOI marker is accepted.
//!
//! Supported: SOF0 and SOF1, precision 8 and 12, 1 to 4 components, sampling
//! factors 1 to 4 with integral ratios, interleaved and non-interleaved scans
//! (several scans each carrying a subset of the components), 8-bit and 16-bit
//! DQT tables, DHT, DRI with RST0-RST7, APP0 JFIF and APP14 Adobe detection.
//! Progressive, lossless, hierarchical, arithmetic-coded and JPEG-LS
//! codestreams are rejected with [`DctError::Unsupported`]. Malformed headers
//! are reported as errors; the decoder never panics on any input.

use thiserror::Error;

/// Largest number of output samples (width x height x components) accepted,
/// so that a corrupt header cannot request an absurd allocation (256 Mi samples
/// = 512 MiB of `u16`).
const MAX_SAMPLES: u64 = 1 << 28;

/// Scaling of the fixed-point constants in the islow IDCT (`jidctint.c`).
const CONST_BITS: u32 = 13;

/// Zig-zag scan position to natural (row-major) coefficient index, followed by
/// 16 extra entries as in libjpeg's `jpeg_natural_order`, so that a corrupt run
/// length can never index outside a block.
const NATURAL_ORDER: [usize; 80] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    63, 63, 63, 63, 63, 63,
];

/// Start of image (marker codes are the byte that follows 0xFF).
const SOI: u8 = 0xD8;
/// End of image.
const EOI: u8 = 0xD9;
/// Start of scan.
const SOS: u8 = 0xDA;
/// First restart marker (RST0); RST7 is `RST0 + 7`.
const RST0: u8 = 0xD0;

/// Decoded image: per-component samples upsampled to full size,
/// pixel-interleaved, row-major, NO colour conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DctImage {
    /// Image width in pixels (from the SOF header).
    pub width: u32,
    /// Image height in pixels (from the SOF header).
    pub height: u32,
    /// Number of components per pixel (1 to 4), in SOF order.
    pub components: u8,
    /// Sample precision in bits (8 or 12); every sample is below `1 << precision`.
    pub precision: u8,
    /// `width * height * components` samples, pixel-interleaved, row-major.
    /// Components are exactly as coded (e.g. YCbCr stays YCbCr).
    pub samples: Vec<u16>,
    /// The transform flag of an APP14 "Adobe" marker (0 = none / RGB or CMYK,
    /// 1 = YCbCr, 2 = YCCK), if such a marker is present.
    pub adobe_transform: Option<u8>,
    /// Whether an APP0 "JFIF" marker is present (which implies YCbCr for three
    /// components).
    pub jfif: bool,
}

/// Reasons why a codestream cannot be decoded.
#[derive(Debug, Error)]
pub enum DctError {
    /// The data does not start with an SOI marker.
    #[error("not a JPEG codestream (no SOI marker at the start)")]
    NotJpeg,
    /// The data ended inside a marker segment.
    #[error("JPEG data truncated inside {0} segment")]
    Truncated(&'static str),
    /// A valid JPEG feature this decoder does not implement.
    #[error("unsupported JPEG feature: {0}")]
    Unsupported(String),
    /// Header data that violates the JPEG specification.
    #[error("malformed JPEG data: {0}")]
    Malformed(String),
    /// The image exceeds the decoder's size limit.
    #[error("JPEG image {width}x{height} with {components} components exceeds the size limit")]
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Declared number of components.
        components: u8,
    },
}

/// Decodes one sequential DCT JPEG codestream (SOF0 or SOF1, Huffman coded,
/// 8- or 12-bit) into raw, upsampled, pixel-interleaved component samples.
pub fn decode(data: &[u8]) -> Result<DctImage, DctError> {
    if data.len() < 2 || data[0] != 0xFF || data[1] != SOI {
        return Err(DctError::NotJpeg);
    }
    let mut dec = Decoder {
        data,
        pos: 2,
        qt: [None; 4],
        dc: [None, None, None, None],
        ac: [None, None, None, None],
        restart_interval: 0,
        frame: None,
        adobe_transform: None,
        jfif: false,
        scans: 0,
        pending: None,
    };
    dec.run()
}

/// One frame component and its decoded (not yet upsampled) sample plane.
struct Component {
    /// Component identifier from the SOF header.
    id: u8,
    /// Horizontal sampling factor.
    h: usize,
    /// Vertical sampling factor.
    v: usize,
    /// Quantisation table selector.
    tq: usize,
    /// Width of the component in samples (libjpeg's `downsampled_width`).
    width: usize,
    /// Height of the component in samples (libjpeg's `downsampled_height`).
    height: usize,
    /// Plane width in blocks (covers every MCU of an interleaved scan).
    blocks_w: usize,
    /// Decoded samples, `blocks_w * 8` per row, `blocks_h * 8` rows.
    plane: Vec<u16>,
    /// Whether a scan has already carried this component.
    coded: bool,
}

/// Frame header (SOF) information.
struct Frame {
    precision: u8,
    width: usize,
    height: usize,
    h_max: usize,
    v_max: usize,
    mcus_x: usize,
    mcus_y: usize,
    comps: Vec<Component>,
}

/// Sample-precision dependent IDCT parameters (libjpeg's `BITS_IN_JSAMPLE`).
#[derive(Clone, Copy)]
struct Precision {
    /// `PASS1_BITS` of `jidctint.c`.
    pass1_bits: u32,
    /// `MAXJSAMPLE`.
    max: i64,
    /// `CENTERJSAMPLE`.
    center: i64,
    /// `RANGE_MASK` = `MAXJSAMPLE * 4 + 3`.
    mask: i64,
}

impl Precision {
    fn new(bits: u8) -> Self {
        let max = (1i64 << bits) - 1;
        Precision {
            pass1_bits: if bits == 8 { 2 } else { 1 },
            max,
            center: 1i64 << (bits - 1),
            mask: max * 4 + 3,
        }
    }

    /// libjpeg's post-IDCT `range_limit[x & RANGE_MASK]` lookup, computed.
    #[inline(always)]
    fn limit(&self, x: i64) -> u16 {
        let n = self.max + 1;
        let mut v = x & self.mask;
        if v >= 2 * n {
            v -= 4 * n;
        }
        (v + self.center).clamp(0, self.max) as u16
    }
}

/// Number of bits resolved by one lookup in a Huffman table.
const LOOKAHEAD: u32 = 9;

/// A Huffman decoding table (libjpeg's `d_derived_tbl`).
#[derive(Clone)]
struct Huffman {
    /// Indexed by the next `LOOKAHEAD` bits: `(code length, symbol)`, length 0
    /// when the code is longer than `LOOKAHEAD` bits.
    lookup: Vec<(u8, u8)>,
    /// Largest code of each length (index 1..=16), -1 if none; index 17 is a
    /// sentinel.
    maxcode: [i32; 18],
    /// Symbol index minus the first code of each length.
    valoffset: [i32; 17],
    /// Symbols in code order.
    values: Vec<u8>,
}

impl Huffman {
    fn new(counts: &[u8; 16], values: &[u8]) -> Result<Self, DctError> {
        let mut maxcode = [-1i32; 18];
        let mut valoffset = [0i32; 17];
        let mut lookup = vec![(0u8, 0u8); 1 << LOOKAHEAD];
        let mut code: u32 = 0;
        let mut p: usize = 0;
        for len in 1..=16u32 {
            let n = usize::from(counts[len as usize - 1]);
            if n > 0 {
                valoffset[len as usize] = p as i32 - code as i32;
                for _ in 0..n {
                    let sym = *values
                        .get(p)
                        .ok_or_else(|| DctError::Malformed("Huffman table too short".into()))?;
                    if len <= LOOKAHEAD {
                        let shift = LOOKAHEAD - len;
                        let start = (code << shift) as usize;
                        let end = start + (1usize << shift);
                        if let Some(slots) = lookup.get_mut(start..end) {
                            slots.fill((len as u8, sym));
                        }
                    }
                    code += 1;
                    p += 1;
                }
                maxcode[len as usize] = code as i32 - 1;
            }
            if code >= (1u32 << len) {
                return Err(DctError::Malformed(
                    "bad Huffman table (code overflow)".into(),
                ));
            }
            code <<= 1;
        }
        maxcode[17] = i32::MAX;
        Ok(Huffman {
            lookup,
            maxcode,
            valoffset,
            values: values.to_vec(),
        })
    }
}

/// Entropy-coded segment reader with libjpeg's marker and end-of-data rules.
struct BitReader<'a> {
    data: &'a [u8],
    /// Next byte to read.
    pos: usize,
    /// Bit buffer, left-aligned.
    buf: u64,
    /// Number of valid bits in `buf`.
    nbits: u32,
    /// Marker met while reading (libjpeg's `unread_marker`); `pos` is then just
    /// past the marker code. The end of the data reads as an EOI marker.
    unread: Option<u8>,
    /// Bits were needed beyond the end of the segment; libjpeg's
    /// `insufficient_data` flag.
    insufficient: bool,
}

impl<'a> BitReader<'a> {
    fn fill(&mut self) {
        while self.nbits <= 56 {
            if self.unread.is_some() {
                return;
            }
            let Some(&b) = self.data.get(self.pos) else {
                self.unread = Some(EOI);
                return;
            };
            if b == 0xFF {
                let mut p = self.pos + 1;
                while self.data.get(p) == Some(&0xFF) {
                    p += 1;
                }
                match self.data.get(p) {
                    Some(0) => self.pos = p + 1,
                    Some(&m) => {
                        self.unread = Some(m);
                        self.pos = p + 1;
                        return;
                    }
                    None => {
                        self.unread = Some(EOI);
                        self.pos = p;
                        return;
                    }
                }
            } else {
                self.pos += 1;
            }
            self.buf |= u64::from(b) << (56 - self.nbits);
            self.nbits += 8;
        }
    }

    /// The next `n` (1..=32) bits, zero-padded past the end of the segment.
    #[inline(always)]
    fn peek(&mut self, n: u32) -> u32 {
        if self.nbits < n {
            self.fill();
        }
        (self.buf >> (64 - n)) as u32
    }

    #[inline(always)]
    fn consume(&mut self, n: u32) {
        if n > self.nbits {
            self.insufficient = true;
            self.buf = 0;
            self.nbits = 0;
        } else {
            self.buf <<= n;
            self.nbits -= n;
        }
    }

    /// Decodes one Huffman symbol (libjpeg's `HUFF_DECODE`).
    #[inline(always)]
    fn decode(&mut self, t: &Huffman) -> u8 {
        let look = self.peek(LOOKAHEAD) as usize;
        if let Some(&(len, sym)) = t.lookup.get(look)
            && len != 0
        {
            self.consume(u32::from(len));
            return sym;
        }
        let bits = self.peek(17);
        for len in (LOOKAHEAD + 1)..=17 {
            let code = (bits >> (17 - len)) as i32;
            if code <= t.maxcode[len as usize] {
                self.consume(len);
                if len > 16 {
                    // libjpeg: JWRN_HUFF_BAD_CODE, fake a zero.
                    return 0;
                }
                let idx = code + t.valoffset[len as usize];
                return usize::try_from(idx)
                    .ok()
                    .and_then(|i| t.values.get(i))
                    .copied()
                    .unwrap_or(0);
            }
        }
        0
    }

    /// Reads `s` (0..=15) extra bits and sign-extends them (`HUFF_EXTEND`).
    #[inline(always)]
    fn receive_extend(&mut self, s: u32) -> i32 {
        if s == 0 {
            return 0;
        }
        let r = self.peek(s) as i32;
        self.consume(s);
        if r < (1 << (s - 1)) {
            r + (-1i32 << s) + 1
        } else {
            r
        }
    }

    /// Restart processing: discard buffered bits, find and check the RSTn
    /// marker (libjpeg's `process_restart` / `read_restart_marker` /
    /// `jpeg_resync_to_restart`).
    fn restart(&mut self, expected: u8) {
        self.buf = 0;
        self.nbits = 0;
        let mut marker = match self.unread {
            Some(m) => m,
            None => next_marker(self.data, &mut self.pos),
        };
        self.unread = Some(marker);
        loop {
            let action = if marker < 0xC0 {
                2
            } else if !(RST0..=RST0 + 7).contains(&marker) {
                3
            } else {
                let n = marker - RST0;
                if n == (expected + 1) & 7 || n == (expected + 2) & 7 {
                    3
                } else if n == (expected + 7) & 7 || n == (expected + 6) & 7 {
                    2
                } else {
                    1
                }
            };
            match action {
                1 => {
                    self.unread = None;
                    self.insufficient = false;
                    return;
                }
                2 => {
                    marker = next_marker(self.data, &mut self.pos);
                    self.unread = Some(marker);
                }
                _ => return,
            }
        }
    }
}

/// libjpeg's `next_marker`: skips garbage up to the next marker and returns its
/// code with `pos` just past it. The end of the data reads as EOI.
fn next_marker(data: &[u8], pos: &mut usize) -> u8 {
    loop {
        while data.get(*pos).is_some_and(|&b| b != 0xFF) {
            *pos += 1;
        }
        while data.get(*pos) == Some(&0xFF) {
            *pos += 1;
        }
        match data.get(*pos) {
            None => return EOI,
            Some(&c) => {
                *pos += 1;
                if c != 0 {
                    return c;
                }
            }
        }
    }
}

/// Marker-segment parser and decoder state.
struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
    /// Quantisation tables in natural order.
    qt: [Option<[u16; 64]>; 4],
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
    restart_interval: usize,
    frame: Option<Frame>,
    adobe_transform: Option<u8>,
    jfif: bool,
    scans: usize,
    /// Marker already read by the entropy decoder, to be handled next.
    pending: Option<u8>,
}

impl<'a> Decoder<'a> {
    /// Reads the payload of a marker segment whose length field is at `pos`.
    fn segment(&mut self, what: &'static str) -> Result<&'a [u8], DctError> {
        let data = self.data;
        let len_bytes = data
            .get(self.pos..self.pos + 2)
            .ok_or(DctError::Truncated(what))?;
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        if len < 2 {
            return Err(DctError::Malformed(format!("{what} segment length {len}")));
        }
        let body = data
            .get(self.pos + 2..self.pos + len)
            .ok_or(DctError::Truncated(what))?;
        self.pos += len;
        Ok(body)
    }

    fn run(&mut self) -> Result<DctImage, DctError> {
        loop {
            let marker = match self.pending.take() {
                Some(m) => m,
                None => next_marker(self.data, &mut self.pos),
            };
            match marker {
                0xC0 | 0xC1 => {
                    let body = self.segment("SOF")?;
                    self.read_sof(body)?;
                }
                0xC2 => return Err(unsupported("progressive DCT (SOF2)")),
                0xC3 => return Err(unsupported("lossless JPEG (SOF3)")),
                0xC5..=0xC7 => return Err(unsupported("hierarchical JPEG (SOF5-SOF7)")),
                0xC8 => return Err(unsupported("reserved JPG marker (0xFFC8)")),
                0xC9..=0xCB => return Err(unsupported("arithmetic coding (SOF9-SOF11)")),
                0xCD..=0xCF => return Err(unsupported("arithmetic coding (SOF13-SOF15)")),
                0xF7 | 0xF8 => return Err(unsupported("JPEG-LS (SOF55/LSE)")),
                0xDC => return Err(unsupported("DNL marker (image height defined after scan)")),
                0xC4 => {
                    let body = self.segment("DHT")?;
                    self.read_dht(body)?;
                }
                0xDB => {
                    let body = self.segment("DQT")?;
                    self.read_dqt(body)?;
                }
                0xDD => {
                    let body = self.segment("DRI")?;
                    if body.len() != 2 {
                        return Err(DctError::Malformed("DRI segment length".into()));
                    }
                    self.restart_interval = usize::from(u16::from_be_bytes([body[0], body[1]]));
                }
                0xE0 => {
                    let body = self.segment("APP0")?;
                    if body.len() >= 14 && body.starts_with(b"JFIF\0") {
                        self.jfif = true;
                    }
                }
                0xEE => {
                    let body = self.segment("APP14")?;
                    if body.len() >= 12 && body.starts_with(b"Adobe") {
                        self.adobe_transform = Some(body[11]);
                    }
                }
                SOS => {
                    let body = self.segment("SOS")?;
                    self.read_scan(body)?;
                }
                EOI => break,
                SOI => return Err(DctError::Malformed("unexpected SOI marker".into())),
                // TEM and restart markers outside a scan carry no data.
                0x01 | 0xD0..=0xD7 => {}
                // APPn, COM, DAC, DHP, EXP, JPGn and reserved markers: skip.
                _ => {
                    self.segment("marker")?;
                }
            }
        }
        self.finish()
    }

    fn read_sof(&mut self, b: &[u8]) -> Result<(), DctError> {
        if self.frame.is_some() {
            return Err(DctError::Malformed("more than one SOF marker".into()));
        }
        if b.len() < 6 {
            return Err(DctError::Truncated("SOF"));
        }
        let precision = b[0];
        let height = u16::from_be_bytes([b[1], b[2]]);
        let width = u16::from_be_bytes([b[3], b[4]]);
        let n = b[5];
        if precision != 8 && precision != 12 {
            return Err(unsupported(&format!("sample precision {precision}")));
        }
        if height == 0 {
            return Err(unsupported("image height 0 (DNL marker)"));
        }
        if width == 0 {
            return Err(DctError::Malformed("image width 0".into()));
        }
        if n == 0 || n > 4 {
            return Err(unsupported(&format!("{n} components")));
        }
        if b.len() != 6 + 3 * usize::from(n) {
            return Err(DctError::Malformed("SOF segment length".into()));
        }
        let (width, height) = (usize::from(width), usize::from(height));
        let samples = width as u64 * height as u64 * u64::from(n);
        if samples > MAX_SAMPLES {
            return Err(DctError::TooLarge {
                width: width as u32,
                height: height as u32,
                components: n,
            });
        }
        let mut raw = Vec::with_capacity(usize::from(n));
        for c in b[6..].chunks_exact(3) {
            let (id, h, v, tq) = (c[0], usize::from(c[1] >> 4), usize::from(c[1] & 15), c[2]);
            if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
                return Err(DctError::Malformed(format!("sampling factors {h}x{v}")));
            }
            if tq > 3 {
                return Err(DctError::Malformed(format!("quantisation table {tq}")));
            }
            if raw.iter().any(|&(other, _, _, _)| other == id) {
                return Err(DctError::Malformed(format!("duplicate component id {id}")));
            }
            raw.push((id, h, v, usize::from(tq)));
        }
        let h_max = raw.iter().map(|c| c.1).max().unwrap_or(1);
        let v_max = raw.iter().map(|c| c.2).max().unwrap_or(1);
        let mcus_x = width.div_ceil(8 * h_max);
        let mcus_y = height.div_ceil(8 * v_max);
        let center = 1u16 << (precision - 1);
        let mut plane_total: u64 = 0;
        let mut comps = Vec::with_capacity(raw.len());
        for (id, h, v, tq) in raw {
            if h_max % h != 0 || v_max % v != 0 {
                return Err(unsupported(&format!(
                    "fractional sampling ratio {h_max}x{v_max} : {h}x{v}"
                )));
            }
            let blocks_w = mcus_x * h;
            let blocks_h = mcus_y * v;
            plane_total += blocks_w as u64 * blocks_h as u64 * 64;
            if plane_total > 2 * MAX_SAMPLES {
                return Err(DctError::TooLarge {
                    width: width as u32,
                    height: height as u32,
                    components: n,
                });
            }
            comps.push(Component {
                id,
                h,
                v,
                tq,
                width: (width * h).div_ceil(h_max),
                height: (height * v).div_ceil(v_max),
                blocks_w,
                plane: vec![center; blocks_w * blocks_h * 64],
                coded: false,
            });
        }
        self.frame = Some(Frame {
            precision,
            width,
            height,
            h_max,
            v_max,
            mcus_x,
            mcus_y,
            comps,
        });
        Ok(())
    }

    fn read_dht(&mut self, mut b: &[u8]) -> Result<(), DctError> {
        while !b.is_empty() {
            if b.len() < 17 {
                return Err(DctError::Truncated("DHT"));
            }
            let (class, id) = (b[0] >> 4, usize::from(b[0] & 15));
            let mut counts = [0u8; 16];
            counts.copy_from_slice(&b[1..17]);
            let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
            if total > 256 {
                return Err(DctError::Malformed(
                    "Huffman table with over 256 codes".into(),
                ));
            }
            let values = b.get(17..17 + total).ok_or(DctError::Truncated("DHT"))?;
            if class > 1 || id > 3 {
                return Err(DctError::Malformed(format!(
                    "Huffman table class {class} id {id}"
                )));
            }
            let table = Huffman::new(&counts, values)?;
            if class == 0 {
                self.dc[id] = Some(table);
            } else {
                self.ac[id] = Some(table);
            }
            b = &b[17 + total..];
        }
        Ok(())
    }

    fn read_dqt(&mut self, mut b: &[u8]) -> Result<(), DctError> {
        while let Some(&pq_tq) = b.first() {
            let (pq, tq) = (pq_tq >> 4, usize::from(pq_tq & 15));
            if pq > 1 || tq > 3 {
                return Err(DctError::Malformed(format!(
                    "quantisation table precision {pq} id {tq}"
                )));
            }
            let size = if pq == 0 { 64 } else { 128 };
            let vals = b.get(1..1 + size).ok_or(DctError::Truncated("DQT"))?;
            let mut table = [0u16; 64];
            for (k, &natural) in NATURAL_ORDER[..64].iter().enumerate() {
                table[natural] = if pq == 0 {
                    u16::from(vals[k])
                } else {
                    u16::from_be_bytes([vals[2 * k], vals[2 * k + 1]])
                };
            }
            self.qt[tq] = Some(table);
            b = &b[1 + size..];
        }
        Ok(())
    }

    fn read_scan(&mut self, b: &[u8]) -> Result<(), DctError> {
        let frame = self
            .frame
            .as_mut()
            .ok_or_else(|| DctError::Malformed("SOS before SOF".into()))?;
        let ns = usize::from(*b.first().ok_or(DctError::Truncated("SOS"))?);
        if ns == 0 || ns > 4 || b.len() != 4 + 2 * ns {
            return Err(DctError::Malformed(format!(
                "SOS with {ns} components, length {}",
                b.len()
            )));
        }
        // Per scan component: (frame index, DC table, AC table, quant table).
        let mut sel: Vec<(usize, &Huffman, &Huffman, [u16; 64])> = Vec::with_capacity(ns);
        for c in b[1..1 + 2 * ns].chunks_exact(2) {
            let ci = frame
                .comps
                .iter()
                .position(|comp| comp.id == c[0])
                .ok_or_else(|| {
                    DctError::Malformed(format!("SOS names unknown component {}", c[0]))
                })?;
            if sel.iter().any(|s| s.0 == ci) {
                return Err(DctError::Malformed("component repeated in SOS".into()));
            }
            if frame.comps[ci].coded {
                // Sequential JPEG codes each component in exactly one scan;
                // this also bounds the work a hostile file can cause.
                return Err(DctError::Malformed(format!(
                    "component {} coded in more than one scan",
                    c[0]
                )));
            }
            let (td, ta) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
            let dc =
                self.dc.get(td).and_then(Option::as_ref).ok_or_else(|| {
                    DctError::Malformed(format!("DC Huffman table {td} not defined"))
                })?;
            let ac =
                self.ac.get(ta).and_then(Option::as_ref).ok_or_else(|| {
                    DctError::Malformed(format!("AC Huffman table {ta} not defined"))
                })?;
            let tq = frame.comps[ci].tq;
            let q = self.qt[tq].ok_or_else(|| {
                DctError::Malformed(format!("quantisation table {tq} not defined"))
            })?;
            sel.push((ci, dc, ac, q));
        }
        for s in &sel {
            frame.comps[s.0].coded = true;
        }
        // Ss, Se, Ah/Al are ignored for sequential scans (libjpeg only warns).
        if ns > 1 {
            let blocks: usize = sel
                .iter()
                .map(|s| frame.comps[s.0].h * frame.comps[s.0].v)
                .sum();
            if blocks > 10 {
                return Err(DctError::Malformed(format!("{blocks} blocks per MCU")));
            }
        }
        let prec = Precision::new(frame.precision);
        let mut br = BitReader {
            data: self.data,
            pos: self.pos,
            buf: 0,
            nbits: 0,
            unread: None,
            insufficient: false,
        };
        // (MCUs across, MCU count) of this scan; a non-interleaved scan has
        // one block per MCU and covers only the component's own extent.
        let (mcus_x, mcus_total) = if ns == 1 {
            let c = &frame.comps[sel[0].0];
            let bx = c.width.div_ceil(8);
            (bx, bx * c.height.div_ceil(8))
        } else {
            (frame.mcus_x, frame.mcus_x * frame.mcus_y)
        };
        let mut pred = [0i32; 4];
        let mut restarts_to_go = self.restart_interval;
        let mut next_restart: u8 = 0;
        let mut coef = [0i32; 64];
        for mcu in 0..mcus_total {
            if self.restart_interval != 0 {
                if restarts_to_go == 0 {
                    br.restart(next_restart);
                    next_restart = (next_restart + 1) & 7;
                    pred = [0; 4];
                    restarts_to_go = self.restart_interval;
                }
                restarts_to_go -= 1;
            }
            let skip = br.insufficient;
            let (mx, my) = (mcu % mcus_x, mcu / mcus_x);
            for (si, &(ci, dc, ac, ref q)) in sel.iter().enumerate() {
                let comp = &mut frame.comps[ci];
                let (bw, bh) = if ns == 1 { (1, 1) } else { (comp.h, comp.v) };
                let stride = comp.blocks_w * 8;
                for by in 0..bh {
                    for bx in 0..bw {
                        if skip {
                            // Out of data: libjpeg leaves the MCU's coefficients
                            // at zero, which the IDCT maps to mid-grey. The
                            // plane was initialised to mid-grey already.
                            continue;
                        }
                        coef.fill(0);
                        decode_block(&mut br, dc, ac, &mut pred[si], &mut coef)?;
                        let (col, row) = (mx * bw + bx, my * bh + by);
                        let off = row * 8 * stride + col * 8;
                        if col < comp.blocks_w
                            && let Some(out) = comp.plane.get_mut(off..off + 7 * stride + 8)
                        {
                            idct_islow(&coef, q, out, stride, &prec);
                        }
                    }
                }
            }
        }
        // Continue parsing after the entropy-coded data; a marker already met
        // by the bit reader is handed back to the marker loop.
        self.pos = br.pos;
        self.pending = br.unread;
        self.scans += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<DctImage, DctError> {
        let frame = self
            .frame
            .take()
            .ok_or_else(|| DctError::Malformed("no SOF marker before EOI".into()))?;
        if self.scans == 0 {
            return Err(DctError::Malformed("no scan (SOS) before EOI".into()));
        }
        let nc = frame.comps.len();
        let (w, h) = (frame.width, frame.height);
        let mut out = vec![0u16; w * h * nc];
        let mut row = vec![0u16; 2 * w + 16];
        let mut sums = vec![0u32; w + 8];
        for (ci, comp) in frame.comps.iter().enumerate() {
            let hx = frame.h_max / comp.h;
            let vx = frame.v_max / comp.v;
            let stride = comp.blocks_w * 8;
            let cw = comp.width;
            let last_row = comp.height.saturating_sub(1);
            let plane_row = |r: usize| -> &[u16] {
                let start = r.min(last_row) * stride;
                comp.plane.get(start..start + cw).unwrap_or(&[])
            };
            for y in 0..h {
                let line: &[u16] = match (hx, vx) {
                    (1, 1) => plane_row(y),
                    (2, 1) if cw > 2 => {
                        h2v1_fancy(plane_row(y), &mut row);
                        &row
                    }
                    (2, 2) if cw > 2 => {
                        let near = y / 2;
                        let far = if y % 2 == 0 {
                            near.saturating_sub(1)
                        } else {
                            near + 1
                        };
                        h2v2_fancy(plane_row(near), plane_row(far), &mut sums, &mut row);
                        &row
                    }
                    _ => {
                        let src = plane_row(y / vx);
                        for (x, dst) in row.iter_mut().take(w).enumerate() {
                            *dst = src.get(x / hx).copied().unwrap_or(0);
                        }
                        &row
                    }
                };
                let out_row = &mut out[y * w * nc..(y + 1) * w * nc];
                if nc == 1 {
                    let n = w.min(line.len());
                    out_row[..n].copy_from_slice(&line[..n]);
                } else {
                    for (dst, &s) in out_row.iter_mut().skip(ci).step_by(nc).zip(line) {
                        *dst = s;
                    }
                }
            }
        }
        Ok(DctImage {
            width: w as u32,
            height: h as u32,
            components: nc as u8,
            precision: frame.precision,
            samples: out,
            adobe_transform: self.adobe_transform,
            jfif: self.jfif,
        })
    }
}

fn unsupported(what: &str) -> DctError {
    DctError::Unsupported(what.to_string())
}

/// Decodes the Huffman-coded coefficients of one block into natural order
/// (libjpeg 6b `decode_mcu`).
#[inline(always)]
fn decode_block(
    br: &mut BitReader<'_>,
    dc: &Huffman,
    ac: &Huffman,
    pred: &mut i32,
    coef: &mut [i32; 64],
) -> Result<(), DctError> {
    let s = u32::from(br.decode(dc));
    if s > 15 {
        return Err(DctError::Malformed(format!("DC difference category {s}")));
    }
    let diff = br.receive_extend(s);
    *pred = pred.wrapping_add(diff);
    // libjpeg stores coefficients as 16-bit JCOEF.
    coef[0] = i32::from(*pred as i16);
    let mut k = 1usize;
    while k < 64 {
        let rs = br.decode(ac);
        let r = usize::from(rs >> 4);
        let s = u32::from(rs & 15);
        if s != 0 {
            k += r;
            let v = br.receive_extend(s);
            coef[NATURAL_ORDER[k]] = v;
        } else {
            if r != 15 {
                break;
            }
            k += 15;
        }
        k += 1;
    }
    Ok(())
}

const FIX_0_298631336: i64 = 2446;
const FIX_0_390180644: i64 = 3196;
const FIX_0_541196100: i64 = 4433;
const FIX_0_765366865: i64 = 6270;
const FIX_0_899976223: i64 = 7373;
const FIX_1_175875602: i64 = 9633;
const FIX_1_501321110: i64 = 12299;
const FIX_1_847759065: i64 = 15137;
const FIX_1_961570560: i64 = 16069;
const FIX_2_053119869: i64 = 16819;
const FIX_2_562915447: i64 = 20995;
const FIX_3_072711026: i64 = 25172;

#[inline(always)]
fn descale(x: i64, n: u32) -> i64 {
    (x + (1i64 << (n - 1))) >> n
}

/// The 1-D 8-point islow butterfly of `jidctint.c` on `v[0..8]`, returning
/// the eight outputs before descaling.
#[inline(always)]
fn idct_1d(v: [i64; 8]) -> [i64; 8] {
    // Even part.
    let z2 = v[2];
    let z3 = v[6];
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 + z3 * -FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    let tmp0 = (v[0] + v[4]) << CONST_BITS;
    let tmp1 = (v[0] - v[4]) << CONST_BITS;
    let tmp10 = tmp0 + tmp3;
    let tmp13 = tmp0 - tmp3;
    let tmp11 = tmp1 + tmp2;
    let tmp12 = tmp1 - tmp2;
    // Odd part.
    let (mut t0, mut t1, mut t2, mut t3) = (v[7], v[5], v[3], v[1]);
    let z1 = t0 + t3;
    let z2 = t1 + t2;
    let z3 = t0 + t2;
    let z4 = t1 + t3;
    let z5 = (z3 + z4) * FIX_1_175875602;
    t0 *= FIX_0_298631336;
    t1 *= FIX_2_053119869;
    t2 *= FIX_3_072711026;
    t3 *= FIX_1_501321110;
    let z1 = z1 * -FIX_0_899976223;
    let z2 = z2 * -FIX_2_562915447;
    let z3 = z3 * -FIX_1_961570560 + z5;
    let z4 = z4 * -FIX_0_390180644 + z5;
    t0 += z1 + z3;
    t1 += z2 + z4;
    t2 += z2 + z3;
    t3 += z1 + z4;
    [
        tmp10 + t3,
        tmp11 + t2,
        tmp12 + t1,
        tmp13 + t0,
        tmp13 - t0,
        tmp12 - t1,
        tmp11 - t2,
        tmp10 - t3,
    ]
}

/// libjpeg's `jpeg_idct_islow`: dequantises, inverse transforms and range
/// limits one block into `out` (8 rows of `stride` samples).
///
/// Arithmetic is done in `i64` like libjpeg's `INT32` (a C `long` on 64-bit
/// Linux); the column-pass workspace is a C `int`, emulated by wrapping casts,
/// so corrupt data cannot overflow.
fn idct_islow(coef: &[i32; 64], q: &[u16; 64], out: &mut [u16], stride: usize, p: &Precision) {
    let pass1 = p.pass1_bits;
    let mut ws = [0i32; 64];
    // Pass 1: columns.
    for c in 0..8 {
        let mut v = [0i64; 8];
        for (r, val) in v.iter_mut().enumerate() {
            *val = i64::from(coef[r * 8 + c]) * i64::from(q[r * 8 + c]);
        }
        if v[1..].iter().all(|&x| x == 0) {
            let dc = (v[0] << pass1) as i32;
            for r in 0..8 {
                ws[r * 8 + c] = dc;
            }
            continue;
        }
        let o = idct_1d(v);
        for r in 0..8 {
            ws[r * 8 + c] = descale(o[r], CONST_BITS - pass1) as i32;
        }
    }
    // Pass 2: rows.
    let shift = CONST_BITS + pass1 + 3;
    for r in 0..8 {
        let w = &ws[r * 8..r * 8 + 8];
        let Some(dst) = out.get_mut(r * stride..r * stride + 8) else {
            return;
        };
        if w[1..].iter().all(|&x| x == 0) {
            let s = p.limit(descale(i64::from(w[0]), pass1 + 3));
            dst.fill(s);
            continue;
        }
        let v = [
            i64::from(w[0]),
            i64::from(w[1]),
            i64::from(w[2]),
            i64::from(w[3]),
            i64::from(w[4]),
            i64::from(w[5]),
            i64::from(w[6]),
            i64::from(w[7]),
        ];
        let o = idct_1d(v);
        for (d, &x) in dst.iter_mut().zip(o.iter()) {
            *d = p.limit(descale(x, shift));
        }
    }
}

/// libjpeg 6b `h2v1_fancy_upsample` for one row (`input.len() > 2`).
fn h2v1_fancy(input: &[u16], out: &mut [u16]) {
    let n = input.len();
    if n < 3 || out.len() < 2 * n {
        return;
    }
    let px = |i: usize| u32::from(input[i]);
    out[0] = input[0];
    out[1] = ((px(0) * 3 + px(1) + 2) >> 2) as u16;
    for i in 1..n - 1 {
        let v = px(i) * 3;
        out[2 * i] = ((v + px(i - 1) + 1) >> 2) as u16;
        out[2 * i + 1] = ((v + px(i + 1) + 2) >> 2) as u16;
    }
    out[2 * n - 2] = ((px(n - 1) * 3 + px(n - 2) + 1) >> 2) as u16;
    out[2 * n - 1] = input[n - 1];
}

/// libjpeg 6b `h2v2_fancy_upsample` for one output row: `near` is the nearest
/// input row, `far` the next nearest (above for even, below for odd rows).
fn h2v2_fancy(near: &[u16], far: &[u16], sums: &mut [u32], out: &mut [u16]) {
    let n = near.len();
    if n < 3 || far.len() != n || sums.len() < n || out.len() < 2 * n {
        return;
    }
    for ((s, &a), &b) in sums.iter_mut().zip(near).zip(far) {
        *s = u32::from(a) * 3 + u32::from(b);
    }
    out[0] = ((sums[0] * 4 + 8) >> 4) as u16;
    out[1] = ((sums[0] * 3 + sums[1] + 7) >> 4) as u16;
    for i in 1..n - 1 {
        out[2 * i] = ((sums[i] * 3 + sums[i - 1] + 8) >> 4) as u16;
        out[2 * i + 1] = ((sums[i] * 3 + sums[i + 1] + 7) >> 4) as u16;
    }
    out[2 * n - 2] = ((sums[n - 1] * 3 + sums[n - 2] + 8) >> 4) as u16;
    out[2 * n - 1] = ((sums[n - 1] * 4 + 7) >> 4) as u16;
}

#[cfg(test)]
mod tests {
    use super::*;

    // 16x16 12-bit monochrome extended sequential (SOF1) codestream made by
    // dcmtk 3.6.7 `dcmcjpeg +ee`; the expected samples are `dcmdjpeg` output.
    // The image spans the full 0..=4095 range, so range limiting is exercised.
    const TINY12_JPEG: [u8; 412] = [
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x03, 0x02, 0x02, 0x03, 0x02,
        0x02, 0x03, 0x03, 0x03, 0x03, 0x04, 0x03, 0x03, 0x04, 0x05, 0x08, 0x05, 0x05, 0x04, 0x04,
        0x05, 0x0A, 0x07, 0x07, 0x06, 0x08, 0x0C, 0x0A, 0x0C, 0x0C, 0x0B, 0x0A, 0x0B, 0x0B, 0x0D,
        0x0E, 0x12, 0x10, 0x0D, 0x0E, 0x11, 0x0E, 0x0B, 0x0B, 0x10, 0x16, 0x10, 0x11, 0x13, 0x14,
        0x15, 0x15, 0x15, 0x0C, 0x0F, 0x17, 0x18, 0x16, 0x14, 0x18, 0x12, 0x14, 0x15, 0x14, 0xFF,
        0xC1, 0x00, 0x0B, 0x0C, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xC4, 0x00,
        0x16, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x0C, 0x0A, 0x0B, 0xFF, 0xC4, 0x00, 0x22, 0x10, 0x00, 0x02, 0x02, 0x02,
        0x01, 0x04, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x04, 0x02,
        0x05, 0x01, 0x06, 0x08, 0x07, 0x0A, 0x0B, 0x13, 0x09, 0x0C, 0x12, 0x15, 0xFF, 0xDA, 0x00,
        0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0xAF, 0x4E, 0xD8, 0x67, 0xB5, 0x0F, 0xE8, 0x67,
        0x6A, 0xAD, 0xDC, 0xAD, 0xB5, 0x59, 0x2D, 0x77, 0x52, 0xEC, 0x62, 0x8D, 0x1B, 0x5E, 0xA4,
        0x0B, 0x91, 0xA8, 0xD9, 0x69, 0x6D, 0x59, 0xC6, 0x62, 0x46, 0xD4, 0x50, 0x50, 0xB7, 0xFC,
        0x65, 0xB0, 0xCC, 0x39, 0x32, 0x4C, 0x83, 0xD7, 0xEB, 0x4A, 0x07, 0x4F, 0x2A, 0xCF, 0xB6,
        0x59, 0xBB, 0x6A, 0x55, 0xBE, 0x78, 0xCF, 0xAC, 0x15, 0xB0, 0xF4, 0xA9, 0x0B, 0x7B, 0x6D,
        0x3C, 0x3D, 0xCF, 0xD3, 0xB8, 0xA5, 0x03, 0xD8, 0x35, 0xCC, 0xE3, 0x10, 0xF2, 0xCF, 0x80,
        0xEA, 0x86, 0xB9, 0xC5, 0x84, 0xD0, 0x8B, 0x2B, 0x6C, 0x05, 0x05, 0x8C, 0xE2, 0xF1, 0x92,
        0xA5, 0x24, 0x9D, 0x0C, 0xB1, 0x28, 0xFB, 0xA0, 0x5C, 0xA2, 0x97, 0xC5, 0x3F, 0xE5, 0x3B,
        0xE3, 0xB7, 0x6C, 0x27, 0x62, 0x67, 0xCF, 0x67, 0x6D, 0xFF, 0x00, 0x58, 0x3E, 0x05, 0x38,
        0xAF, 0xCD, 0xBE, 0x9C, 0x7C, 0x94, 0x20, 0xBE, 0xBF, 0x71, 0xC9, 0xBB, 0x6D, 0x92, 0x9F,
        0x44, 0xEA, 0x77, 0x47, 0xB6, 0x58, 0x55, 0x9B, 0x5F, 0xA8, 0x95, 0xD4, 0x67, 0xAF, 0x5F,
        0x2F, 0xB0, 0xD6, 0xEA, 0x36, 0xE1, 0x5F, 0x6A, 0xD4, 0x29, 0x26, 0x3A, 0x56, 0x69, 0x6D,
        0x25, 0x66, 0xC8, 0x09, 0x2C, 0xDE, 0x0C, 0xF5, 0x66, 0x3E, 0xFB, 0x57, 0x45, 0x6F, 0xA5,
        0xBE, 0x6F, 0x6F, 0xAD, 0x75, 0x33, 0xEC, 0xB4, 0xA8, 0x42, 0xB7, 0xB9, 0x68, 0xF7, 0x36,
        0x1A, 0xDC, 0xA5, 0xFC, 0x2A, 0x7A, 0x6B, 0x3C, 0x72, 0x5F, 0x81, 0x50, 0x33, 0x84, 0x0C,
        0x64, 0x65, 0x90, 0xC9, 0x95, 0x56, 0xBE, 0x0C, 0xCF, 0xF3, 0xEE, 0x91, 0x52, 0x31, 0xC9,
        0x09, 0x84, 0x8A, 0x94, 0xDF, 0xFF, 0xD9,
    ];
    const TINY12_EXPECTED: [u16; 256] = [
        2083, 2223, 2119, 2159, 2368, 2605, 2543, 2619, 2711, 2751, 2863, 3049, 0, 0, 1, 3271,
        2129, 2026, 2338, 2319, 2428, 2175, 2392, 2725, 2554, 2895, 2746, 2897, 0, 4, 0, 3261,
        2236, 2157, 2021, 2420, 2278, 2488, 2407, 2555, 2731, 2903, 2889, 2982, 7, 0, 0, 3435,
        2237, 2181, 2057, 2266, 2397, 2419, 2451, 2567, 3047, 2770, 2854, 3008, 0, 0, 2, 2986,
        2025, 2247, 2339, 2330, 2408, 2784, 2395, 2636, 2950, 2723, 2990, 2962, 3, 5, 0, 3306,
        2027, 2402, 2149, 2323, 2388, 2470, 2573, 2647, 2696, 2823, 2991, 2731, 0, 6, 0, 3079,
        1980, 2180, 2013, 2408, 2292, 2367, 2391, 2551, 2542, 2774, 3162, 2782, 0, 3, 1, 3023,
        2163, 2028, 2208, 2165, 2585, 2342, 2576, 2434, 2680, 2626, 2736, 3069, 0, 3, 0, 3270,
        1798, 2216, 2276, 2246, 4091, 4095, 2513, 2619, 2511, 2501, 2592, 3159, 2, 0, 5, 3046,
        2227, 2103, 2322, 4093, 4095, 4094, 4086, 2613, 2649, 2856, 2527, 2709, 0, 0, 2, 3044,
        2051, 2159, 2319, 4095, 4095, 4090, 4095, 2523, 2570, 2699, 2673, 2746, 3, 2, 0, 2997,
        2055, 2277, 2260, 2242, 4093, 4094, 4095, 2830, 2474, 2496, 2802, 2648, 0, 3, 4, 3032,
        1989, 2285, 2265, 2310, 2257, 2519, 2218, 2605, 2640, 2626, 2878, 2733, 0, 4, 0, 2799,
        2028, 1931, 2139, 2250, 2417, 2388, 2391, 2586, 2519, 2780, 2572, 3022, 0, 0, 0, 3019,
        2039, 1978, 2392, 2207, 2319, 2465, 2436, 2459, 2603, 2667, 2866, 2698, 4, 1, 3, 3046,
        2245, 1954, 1926, 2172, 2434, 2434, 2282, 2421, 2708, 2685, 2583, 2784, 0, 0, 0, 2732,
    ];
    const COL8_JPEG: [u8; 689] = [
        0xFF, 0xD8, 0xFF, 0xC1, 0x00, 0x11, 0x08, 0x00, 0x0C, 0x00, 0x14, 0x03, 0x01, 0x22, 0x00,
        0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xFF, 0xDD, 0x00, 0x04, 0x00, 0x01, 0xFF, 0xDB, 0x00,
        0x84, 0x00, 0x10, 0x0B, 0x0C, 0x0E, 0x0C, 0x0A, 0x10, 0x0E, 0x0D, 0x0E, 0x12, 0x11, 0x10,
        0x13, 0x18, 0x28, 0x1A, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23, 0x25, 0x1D, 0x28, 0x3A, 0x33,
        0x3D, 0x3C, 0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5C, 0x4E, 0x40, 0x44, 0x57, 0x45, 0x37,
        0x38, 0x50, 0x6D, 0x51, 0x57, 0x5F, 0x62, 0x67, 0x68, 0x67, 0x3E, 0x4D, 0x71, 0x79, 0x70,
        0x64, 0x78, 0x5C, 0x65, 0x67, 0x63, 0x01, 0x11, 0x12, 0x12, 0x18, 0x15, 0x18, 0x2F, 0x1A,
        0x1A, 0x2F, 0x63, 0x42, 0x38, 0x42, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
        0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
        0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63,
        0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0xFF, 0xC4, 0x01, 0xA2,
        0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x01,
        0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x10, 0x00,
        0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05, 0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7D,
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61,
        0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52,
        0xD1, 0xF0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25,
        0x26, 0x27, 0x28, 0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45,
        0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64,
        0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83,
        0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
        0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6,
        0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3,
        0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8,
        0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0x11, 0x00, 0x02,
        0x01, 0x02, 0x04, 0x04, 0x03, 0x04, 0x07, 0x05, 0x04, 0x04, 0x00, 0x01, 0x02, 0x77, 0x00,
        0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
        0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52,
        0xF0, 0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19,
        0x1A, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45,
        0x46, 0x47, 0x48, 0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64,
        0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82,
        0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
        0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5,
        0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2,
        0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8,
        0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFF, 0xDA, 0x00, 0x0C,
        0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x00, 0x00, 0xB9, 0x65, 0x14, 0x92, 0xB7,
        0x97, 0x12, 0xB3, 0x1C, 0x67, 0x00, 0x76, 0x15, 0x7E, 0x1D, 0xBC, 0x0C, 0x1F, 0xA5, 0x67,
        0x59, 0x4D, 0x22, 0x7C, 0xD1, 0xBB, 0x21, 0x3C, 0x65, 0x49, 0x1C, 0x55, 0xC8, 0x58, 0xED,
        0x1D, 0x2B, 0xA6, 0x8C, 0x96, 0xDD, 0x4D, 0xEA, 0x92, 0x56, 0x3F, 0xFF, 0xD0, 0x4F, 0x01,
        0x13, 0xFD, 0x8B, 0x37, 0x00, 0xFF, 0x00, 0xA4, 0x37, 0xFE, 0x82, 0xB5, 0xD3, 0x64, 0xFF,
        0x00, 0x74, 0x7F, 0x9F, 0xC6, 0xB9, 0xBF, 0x00, 0x12, 0x34, 0x49, 0xB0, 0x7F, 0xE5, 0xE5,
        0xBF, 0xF4, 0x15, 0xAE, 0x9F, 0x27, 0xD7, 0xF4, 0xAE, 0x0C, 0xE0, 0xCF, 0xFF, 0xD9,
    ];
    const COL8_EXPECTED: [u8; 720] = [
        104, 211, 203, 145, 210, 203, 143, 209, 203, 138, 207, 203, 170, 206, 203, 173, 205, 202,
        154, 204, 201, 163, 204, 199, 156, 206, 196, 165, 207, 193, 177, 211, 191, 184, 214, 187,
        186, 217, 184, 184, 220, 181, 184, 222, 179, 184, 167, 134, 6, 57, 45, 0, 1, 1, 7, 1, 1,
        200, 1, 1, 117, 210, 203, 145, 209, 203, 140, 208, 203, 138, 207, 203, 164, 206, 203, 163,
        206, 203, 149, 206, 201, 164, 206, 199, 163, 207, 197, 168, 209, 194, 175, 212, 191, 179,
        214, 187, 181, 217, 184, 183, 220, 181, 187, 221, 179, 190, 167, 134, 7, 56, 45, 2, 1, 1,
        10, 1, 1, 205, 1, 1, 124, 207, 204, 135, 207, 204, 130, 207, 204, 135, 207, 204, 154, 208,
        204, 150, 208, 203, 144, 209, 202, 163, 210, 200, 173, 211, 198, 176, 213, 195, 179, 214,
        191, 180, 216, 188, 182, 217, 185, 186, 219, 182, 195, 220, 180, 201, 165, 134, 3, 56, 45,
        0, 1, 1, 8, 1, 1, 204, 1, 1, 132, 204, 204, 130, 205, 204, 131, 206, 204, 143, 207, 204,
        154, 209, 205, 149, 211, 204, 151, 213, 203, 166, 214, 201, 179, 216, 199, 182, 216, 195,
        186, 217, 192, 187, 217, 189, 189, 217, 185, 193, 217, 182, 200, 217, 181, 206, 163, 135,
        0, 55, 46, 0, 1, 1, 1, 1, 1, 196, 1, 1, 142, 201, 205, 134, 202, 205, 141, 204, 205, 153,
        207, 205, 153, 211, 206, 154, 214, 205, 160, 217, 203, 163, 219, 201, 171, 220, 199, 177,
        220, 196, 185, 220, 193, 189, 219, 189, 190, 217, 186, 192, 216, 183, 196, 214, 182, 199,
        161, 136, 0, 54, 46, 0, 1, 1, 0, 1, 1, 194, 1, 1, 136, 198, 205, 130, 200, 205, 140, 203,
        206, 142, 207, 206, 135, 212, 206, 154, 216, 205, 171, 220, 204, 157, 223, 202, 162, 224,
        199, 169, 224, 196, 177, 222, 193, 182, 220, 189, 183, 217, 187, 184, 214, 184, 187, 212,
        182, 190, 158, 136, 4, 53, 46, 0, 1, 1, 5, 1, 1, 198, 1, 1, 129, 196, 205, 127, 198, 205,
        140, 202, 206, 134, 206, 206, 128, 213, 206, 177, 218, 205, 214, 222, 204, 191, 225, 202,
        165, 226, 199, 169, 226, 196, 173, 224, 193, 175, 220, 189, 176, 217, 187, 180, 213, 184,
        187, 210, 182, 193, 156, 136, 4, 53, 46, 0, 1, 1, 7, 1, 1, 201, 1, 1, 135, 195, 205, 138,
        197, 205, 153, 201, 205, 144, 206, 205, 146, 212, 205, 221, 217, 205, 255, 222, 203, 249,
        225, 201, 175, 226, 199, 176, 226, 196, 175, 223, 192, 174, 220, 189, 175, 216, 186, 182,
        212, 183, 194, 209, 181, 203, 155, 135, 0, 53, 46, 0, 1, 1, 3, 1, 1, 199, 1, 1, 125, 194,
        204, 144, 196, 204, 148, 200, 204, 145, 205, 204, 177, 210, 204, 234, 215, 203, 255, 220,
        202, 253, 223, 200, 159, 224, 198, 166, 223, 195, 174, 221, 191, 179, 218, 188, 180, 214,
        184, 181, 211, 182, 184, 208, 180, 187, 155, 134, 4, 53, 45, 0, 1, 1, 8, 1, 1, 213, 1, 1,
        128, 195, 202, 137, 197, 202, 134, 200, 202, 126, 204, 202, 138, 208, 202, 163, 212, 201,
        170, 216, 200, 159, 218, 198, 162, 219, 196, 168, 219, 193, 176, 218, 190, 181, 216, 186,
        183, 213, 183, 184, 211, 180, 187, 209, 178, 189, 156, 133, 2, 53, 45, 0, 1, 1, 5, 1, 1,
        209, 1, 1, 141, 198, 199, 141, 199, 199, 143, 200, 200, 149, 202, 200, 154, 205, 200, 156,
        207, 199, 153, 209, 198, 150, 211, 196, 159, 213, 194, 165, 213, 190, 173, 213, 187, 178,
        213, 184, 180, 212, 181, 181, 211, 178, 183, 210, 175, 186, 158, 131, 1, 53, 44, 0, 1, 1,
        2, 1, 1, 205, 1, 1, 121, 199, 198, 115, 199, 198, 125, 201, 199, 148, 202, 199, 158, 203,
        199, 152, 205, 198, 154, 206, 197, 164, 208, 195, 151, 209, 192, 158, 210, 189, 166, 211,
        186, 171, 211, 182, 172, 211, 180, 173, 211, 177, 176, 211, 174, 179, 158, 130, 3, 54, 44,
        0, 1, 1, 3, 1, 1, 205, 1, 1,
    ];

    #[test]
    fn decodes_12bit_like_dcmtk() {
        let img = decode(&TINY12_JPEG).expect("valid codestream");
        assert_eq!((img.width, img.height, img.components), (16, 16, 1));
        assert_eq!(img.precision, 12);
        assert!(img.jfif);
        assert_eq!(img.adobe_transform, None);
        assert_eq!(img.samples, TINY12_EXPECTED);
    }

    // 20x12 8-bit YCbCr, luma 2x2 / chroma 1x1, restart interval 1 (made with
    // the PVRG encoder); expected samples are dcmtk `dcmdjpeg +cn` output, i.e.
    // libjpeg's fancy h2v2 upsampling without colour conversion.
    #[test]
    fn decodes_subsampled_colour_with_restarts_like_dcmtk() {
        let img = decode(&COL8_JPEG).expect("valid codestream");
        assert_eq!((img.width, img.height, img.components), (20, 12, 3));
        assert_eq!(img.precision, 8);
        let expected: Vec<u16> = COL8_EXPECTED.iter().map(|&v| u16::from(v)).collect();
        assert_eq!(img.samples, expected);
    }

    #[test]
    fn rejects_malformed_and_unsupported_input() {
        assert!(matches!(decode(&[]), Err(DctError::NotJpeg)));
        assert!(matches!(decode(b"GIF89a"), Err(DctError::NotJpeg)));
        assert!(decode(&[0xFF, 0xD8, 0xFF, 0xD9]).is_err());
        // Header cut short inside the DQT segment.
        assert!(matches!(
            decode(&TINY12_JPEG[..30]),
            Err(DctError::Truncated(_))
        ));
        // Same stream relabelled as progressive (SOF2) or lossless (SOF3).
        for sof in [0xC2, 0xC3, 0xC9] {
            let mut data = TINY12_JPEG.to_vec();
            let at = data
                .windows(2)
                .position(|w| w == [0xFF, 0xC1])
                .expect("SOF1 present");
            data[at + 1] = sof;
            assert!(matches!(decode(&data), Err(DctError::Unsupported(_))));
        }
        // Every prefix and many random corruptions must fail or decode, never
        // panic (overflow checks are on in test builds).
        for stream in [&TINY12_JPEG[..], &COL8_JPEG[..]] {
            for len in 0..stream.len() {
                let _ = decode(&stream[..len]);
            }
            let mut seed: u32 = 0x1234_5678;
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as usize
            };
            for _ in 0..1500 {
                let mut data = stream.to_vec();
                for _ in 0..1 + next() % 4 {
                    let at = next() % data.len();
                    data[at] = next() as u8;
                }
                if let Ok(img) = decode(&data) {
                    let expected = img.width as usize * img.height as usize;
                    assert_eq!(img.samples.len(), expected * usize::from(img.components));
                    assert!(img.samples.iter().all(|&s| s < 1 << img.precision));
                }
            }
        }
    }
}
