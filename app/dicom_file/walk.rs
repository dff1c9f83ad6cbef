//! Checking every declared length against the bytes that exist, before parsing.
//!
//! dicom-parser 0.10 reserves and zero-fills a value's declared length before it
//! reads it (`try_reserve_exact` + `resize` in its stateful decoder). A corrupt
//! length of 0xFF37_2FFF on a 3.5 KB file therefore costs 4 GB and seconds before
//! the read fails, and on Windows an allocation that cannot be committed aborts the
//! process. This module walks the element headers first (explicit/implicit VR,
//! little/big endian, sequences and items of defined and undefined length,
//! encapsulated pixel data fragments), reading no values, and refuses any defined
//! length larger than the bytes left. Only a file that passes reaches the parser,
//! so no allocation the parser makes can exceed the file's own size.
//!
//! It also finds where the last complete element ends, so that a few bytes of
//! garbage after it (shorter than an element header; dcmtk and pydicom read such
//! files with a warning) can be cut off instead of failing the whole file.

use std::io::{self, BufRead, Read, Seek};

use dicom_core::Tag;
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_dictionary_std::StandardDataDictionary;

/// Nesting deeper than this is hostile, not a real data set.
const MAX_DEPTH: usize = 64;

const UNDEFINED: u32 = 0xFFFF_FFFF;
const PIXEL_DATA: Tag = Tag(0x7FE0, 0x0010);
const ITEM: Tag = Tag(0xFFFE, 0xE000);
const ITEM_END: Tag = Tag(0xFFFE, 0xE00D);
const SEQUENCE_END: Tag = Tag(0xFFFE, 0xE0DD);

/// How a data set is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Implicit VR little endian (VRs from the dictionary).
    ImplicitLe,
    /// Explicit VR little endian.
    ExplicitLe,
    /// Explicit VR big endian (retired, still found).
    ExplicitBe,
}

/// Why a walk refused the file.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// A defined length runs past the end of the data.
    #[error("element {tag} declares {declared} bytes but only {remaining} remain")]
    TooLong {
        /// The element (or item) that declares it, `(GGGG,EEEE)`.
        tag: String,
        /// Its declared length.
        declared: u32,
        /// Bytes left after its header.
        remaining: u64,
    },
    /// The structure is not DICOM (an item outside a sequence, nesting too deep…).
    #[error("{0}")]
    Structure(String),
    /// The bytes could not be read.
    #[error("cannot read file: {0}")]
    Io(#[from] io::Error),
}

/// What a successful walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walked {
    /// Bytes from the start of the walk to the end of the last complete top-level
    /// element (or to where a headers-only walk stopped).
    pub end: u64,
    /// Bytes after `end` that are too few to be an element (trailing garbage).
    pub trailing_bytes: u64,
    /// VR bytes to replace before parsing, at offsets from the start of the walk:
    /// blank VRs, read as dcmtk reads them (2-byte length), given a VR of that form.
    pub patches: Vec<(u64, [u8; 2])>,
    /// What was read with a warning.
    pub warnings: Vec<String>,
}

/// A byte source the walker can skip values in.
pub trait Source {
    /// Reads exactly `buf.len()` bytes, or as many as remain; returns how many.
    fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Skips `n` bytes; returns how many could be skipped (fewer at the end).
    fn skip(&mut self, n: u64) -> io::Result<u64>;
    /// Bytes read or skipped since the walk started.
    fn position(&self) -> u64;
    /// Bytes left, when known without reading them (a file); `None` for a stream.
    fn remaining(&self) -> Option<u64>;
}

/// A seekable file (or any seekable reader) of known length: values are skipped by seeking.
pub struct SeekSource<R> {
    inner: R,
    position: u64,
    len: u64,
}

impl<R: BufRead + Seek> SeekSource<R> {
    /// Walks `inner` from its current position, which is `len` bytes before its end.
    pub fn new(inner: R, len: u64) -> Self {
        Self {
            inner,
            position: 0,
            len,
        }
    }
}

impl<R: BufRead + Seek> Source for SeekSource<R> {
    fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_up_to(&mut self.inner, buf)?;
        self.position += n as u64;
        Ok(n)
    }

    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let n = n.min(self.len.saturating_sub(self.position));
        self.inner.seek_relative(n as i64)?;
        self.position += n;
        Ok(n)
    }

    fn position(&self) -> u64 {
        self.position
    }

    fn remaining(&self) -> Option<u64> {
        Some(self.len.saturating_sub(self.position))
    }
}

/// A stream (an inflated data set): values are skipped by reading and discarding,
/// so memory stays constant and the true length is found by reading to it.
pub struct StreamSource<R> {
    inner: R,
    position: u64,
}

impl<R: Read> StreamSource<R> {
    /// Walks `inner` from its current position.
    pub fn new(inner: R) -> Self {
        Self { inner, position: 0 }
    }
}

impl<R: Read> Source for StreamSource<R> {
    fn read_some(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_up_to(&mut self.inner, buf)?;
        self.position += n as u64;
        Ok(n)
    }

    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let got = io::copy(&mut (&mut self.inner).take(n), &mut io::sink())?;
        self.position += got;
        Ok(got)
    }

    fn position(&self) -> u64 {
        self.position
    }

    fn remaining(&self) -> Option<u64> {
        None
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The file meta group as the walk found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// Bytes from `DICM` to the end of the group (where the data set starts).
    pub bytes: u64,
    /// Transfer Syntax UID (trailing NULs and spaces removed; empty when absent).
    pub transfer_syntax: String,
}

/// Longest Transfer Syntax UID value read (a UID has at most 64 characters).
const MAX_UID_BYTES: u32 = 64;

/// Walks the file meta group from its `DICM` magic: explicit VR little endian,
/// sized by File Meta Information Group Length (0002,0000), as dicom-object reads it.
pub fn walk_meta<S: Source>(src: &mut S) -> Result<Meta, WalkError> {
    let mut magic = [0u8; 4];
    if src.read_some(&mut magic)? < 4 || &magic != b"DICM" {
        return Err(WalkError::Structure("no DICM magic".into()));
    }
    let mut w = Walker {
        src,
        stop_at_pixel_data: false,
        patches: Vec::new(),
        warnings: Vec::new(),
    };
    let group_length = match w.header(Encoding::ExplicitLe)? {
        Read4::Header(h) if h.tag == Tag(0x0002, 0x0000) && h.len == 4 => {
            let mut v = [0u8; 4];
            if w.src.read_some(&mut v)? < 4 {
                return Err(WalkError::Structure(
                    "the file meta group is cut short".into(),
                ));
            }
            u64::from(u32::from_le_bytes(v))
        }
        _ => {
            return Err(WalkError::Structure(
                "the file meta group does not start with its group length (0002,0000)".into(),
            ));
        }
    };
    let group_start = w.src.position();
    let mut transfer_syntax = String::new();
    while w.src.position() - group_start < group_length {
        let h = match w.header(Encoding::ExplicitLe)? {
            Read4::Header(h) => h,
            Read4::End | Read4::Partial { .. } => {
                return Err(WalkError::Structure(
                    "the file meta group is cut short".into(),
                ));
            }
        };
        if h.len == UNDEFINED {
            return Err(WalkError::Structure(format!(
                "file meta element {} of undefined length",
                h.tag
            )));
        }
        w.check_fits(h.tag, h.len)?;
        if h.tag == Tag(0x0002, 0x0010) && h.len <= MAX_UID_BYTES {
            let mut v = vec![0u8; h.len as usize];
            if w.src.read_some(&mut v)? < v.len() {
                return Err(too_long(h.tag, h.len, 0));
            }
            transfer_syntax = String::from_utf8_lossy(&v)
                .trim_end_matches(['\0', ' '])
                .to_owned();
        } else {
            w.skip_exact(h.tag, h.len)?;
        }
    }
    Ok(Meta {
        bytes: w.src.position(),
        transfer_syntax,
    })
}

/// Walks a whole data set. With `stop_at_pixel_data` the walk ends before a
/// top-level Pixel Data element, as a headers-only parse does.
pub fn walk_dataset<S: Source>(
    src: &mut S,
    encoding: Encoding,
    stop_at_pixel_data: bool,
) -> Result<Walked, WalkError> {
    let mut w = Walker {
        src,
        stop_at_pixel_data,
        patches: Vec::new(),
        warnings: Vec::new(),
    };
    let mut walked = w.top_level(encoding)?;
    walked.patches = w.patches;
    walked.warnings = w.warnings;
    Ok(walked)
}

/// One element header.
struct Header {
    tag: Tag,
    /// Explicit VR bytes; `None` in implicit VR.
    vr: Option<[u8; 2]>,
    len: u32,
}

struct Walker<'a, S> {
    src: &'a mut S,
    stop_at_pixel_data: bool,
    patches: Vec<(u64, [u8; 2])>,
    warnings: Vec<String>,
}

/// How a header read ended.
enum Read4 {
    Header(Header),
    /// The data ended cleanly before a header.
    End,
    /// The data ended `bytes` bytes into a header (whose tag is known after 4).
    Partial {
        /// Bytes of the cut header.
        bytes: u64,
        /// Its tag, when all 4 tag bytes were there.
        tag: Option<Tag>,
    },
}

impl<S: Source> Walker<'_, S> {
    fn top_level(&mut self, enc: Encoding) -> Result<Walked, WalkError> {
        let mut last_tag = Tag(0, 0);
        loop {
            let start = self.src.position();
            match self.header(enc)? {
                Read4::End => {
                    return Ok(Walked {
                        end: start,
                        trailing_bytes: 0,
                        patches: Vec::new(),
                        warnings: Vec::new(),
                    });
                }
                // A cut header whose tag could follow the last element is a truncated
                // file; anything else (padding, junk) is trailing garbage.
                Read4::Partial { tag: Some(tag), .. }
                    if tag > last_tag && tag.group() != 0xFFFE =>
                {
                    return Err(WalkError::Structure(format!(
                        "the file ends inside the header of element {}: truncated",
                        tag_text(tag)
                    )));
                }
                Read4::Partial { bytes, .. } => {
                    return Ok(Walked {
                        end: start,
                        trailing_bytes: bytes,
                        patches: Vec::new(),
                        warnings: Vec::new(),
                    });
                }
                Read4::Header(h) => {
                    last_tag = h.tag;
                    if self.stop_at_pixel_data && h.tag == PIXEL_DATA {
                        return Ok(Walked {
                            end: start,
                            trailing_bytes: 0,
                            patches: Vec::new(),
                            warnings: Vec::new(),
                        });
                    }
                    if h.tag.group() == 0xFFFE {
                        if h.tag == ITEM_END {
                            continue; // the parser ignores a stray item delimiter
                        }
                        return Err(WalkError::Structure(format!(
                            "item tag {} outside a sequence",
                            h.tag
                        )));
                    }
                    self.value(enc, &h, 0)?;
                }
            }
        }
    }

    /// Reads an element header (8 or 12 bytes).
    fn header(&mut self, enc: Encoding) -> Result<Read4, WalkError> {
        let mut tag = [0u8; 4];
        let n = self.src.read_some(&mut tag)?;
        if n == 0 {
            return Ok(Read4::End);
        }
        if n < 4 {
            return Ok(Read4::Partial {
                bytes: n as u64,
                tag: None,
            });
        }
        let be = enc == Encoding::ExplicitBe;
        let u16_at = |b: &[u8]| {
            if be {
                u16::from_be_bytes([b[0], b[1]])
            } else {
                u16::from_le_bytes([b[0], b[1]])
            }
        };
        let u32_at = |b: &[u8]| {
            if be {
                u32::from_be_bytes([b[0], b[1], b[2], b[3]])
            } else {
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            }
        };
        let tag = Tag(u16_at(&tag[0..2]), u16_at(&tag[2..4]));
        let mut rest = [0u8; 8];
        let short = |got: usize| {
            Ok(Read4::Partial {
                bytes: 4 + got as u64,
                tag: Some(tag),
            })
        };
        if enc == Encoding::ImplicitLe || tag.group() == 0xFFFE {
            let got = self.src.read_some(&mut rest[..4])?;
            if got < 4 {
                return short(got);
            }
            return Ok(Read4::Header(Header {
                tag,
                vr: None,
                len: u32_at(&rest[..4]),
            }));
        }
        let got = self.src.read_some(&mut rest[..4])?;
        if got < 4 {
            return short(got);
        }
        let mut vr = [rest[0], rest[1]];
        if &vr == b"  " || vr == [0, 0] {
            // dcmtk reads a blank VR with a 2-byte length; the parser would take it as
            // UN (4-byte length) and misread everything after it.
            let len = u16_at(&rest[2..4]);
            let fixed = match len % 4 {
                0 => *b"UL",
                2 => *b"US",
                _ => *b"LT",
            };
            self.patches.push((self.src.position() - 4, fixed));
            self.warnings.push(format!(
                "element {} has a blank VR: read with a 2-byte length, as {}",
                tag_text(tag),
                String::from_utf8_lossy(&fixed)
            ));
            vr = fixed;
        }
        let len = if has_short_length(vr) {
            u32::from(u16_at(&rest[2..4]))
        } else {
            let got = self.src.read_some(&mut rest[4..8])?;
            if got < 4 {
                return short(4 + got);
            }
            u32_at(&rest[4..8])
        };
        Ok(Read4::Header(Header {
            tag,
            vr: Some(vr),
            len,
        }))
    }

    /// Checks (and skips or descends into) the value after header `h`.
    fn value(&mut self, enc: Encoding, h: &Header, depth: usize) -> Result<(), WalkError> {
        if depth > MAX_DEPTH {
            return Err(WalkError::Structure(format!(
                "sequences nested deeper than {MAX_DEPTH} at element {}",
                h.tag
            )));
        }
        if h.len == UNDEFINED {
            if h.tag == PIXEL_DATA {
                return self.fragments(enc);
            }
            // The parser reads every other undefined-length element as a sequence.
            return self.sequence(enc, None, depth + 1);
        }
        self.check_fits(h.tag, h.len)?;
        let is_sequence = match h.vr {
            Some(vr) => &vr == b"SQ",
            None => implicit_is_sequence(h.tag),
        };
        if is_sequence {
            let end = self.src.position() + u64::from(h.len);
            return self.sequence(enc, Some(end), depth + 1);
        }
        self.skip_exact(h.tag, h.len)
    }

    /// Refuses `len` when more than the known remaining bytes.
    fn check_fits(&self, tag: Tag, len: u32) -> Result<(), WalkError> {
        match self.src.remaining() {
            Some(left) if u64::from(len) > left => Err(too_long(tag, len, left)),
            _ => Ok(()),
        }
    }

    fn skip_exact(&mut self, tag: Tag, len: u32) -> Result<(), WalkError> {
        let got = self.src.skip(u64::from(len))?;
        if got < u64::from(len) {
            return Err(too_long(tag, len, got));
        }
        Ok(())
    }

    /// Items of a sequence, up to `end` (defined length) or its delimiter.
    fn sequence(&mut self, enc: Encoding, end: Option<u64>, depth: usize) -> Result<(), WalkError> {
        loop {
            if end.is_some_and(|e| self.src.position() >= e) {
                return Ok(());
            }
            let h = self.item_header(enc)?;
            match h.tag {
                SEQUENCE_END if end.is_none() => return Ok(()),
                ITEM if h.len == UNDEFINED => self.items_dataset(enc, None, depth)?,
                ITEM => {
                    self.check_fits(h.tag, h.len)?;
                    let item_end = self.src.position() + u64::from(h.len);
                    self.items_dataset(enc, Some(item_end), depth)?;
                }
                other => {
                    return Err(WalkError::Structure(format!(
                        "expected an item in a sequence, found {other}"
                    )));
                }
            }
        }
    }

    /// The data set inside one item, up to `end` or its item delimiter.
    fn items_dataset(
        &mut self,
        enc: Encoding,
        end: Option<u64>,
        depth: usize,
    ) -> Result<(), WalkError> {
        loop {
            if end.is_some_and(|e| self.src.position() >= e) {
                return Ok(());
            }
            let h = match self.header(enc)? {
                Read4::Header(h) => h,
                Read4::End | Read4::Partial { .. } => {
                    return Err(WalkError::Structure(
                        "the data ends inside a sequence item".into(),
                    ));
                }
            };
            if h.tag == ITEM_END {
                return Ok(());
            }
            if h.tag.group() == 0xFFFE {
                return Err(WalkError::Structure(format!(
                    "unexpected {} inside an item",
                    h.tag
                )));
            }
            self.value(enc, &h, depth)?;
        }
    }

    /// Encapsulated pixel data: the offset table and fragments, each of defined length.
    fn fragments(&mut self, enc: Encoding) -> Result<(), WalkError> {
        loop {
            let h = self.item_header(enc)?;
            match h.tag {
                SEQUENCE_END => return Ok(()),
                ITEM if h.len == UNDEFINED => {
                    return Err(WalkError::Structure(
                        "a pixel data fragment of undefined length".into(),
                    ));
                }
                ITEM => {
                    self.check_fits(h.tag, h.len)?;
                    self.skip_exact(h.tag, h.len)?;
                }
                other => {
                    return Err(WalkError::Structure(format!(
                        "expected a pixel data fragment, found {other}"
                    )));
                }
            }
        }
    }

    /// An item or delimiter header (always tag + 4-byte length).
    fn item_header(&mut self, enc: Encoding) -> Result<Header, WalkError> {
        let mut b = [0u8; 8];
        if self.src.read_some(&mut b)? < 8 {
            return Err(WalkError::Structure(
                "the data ends inside a sequence".into(),
            ));
        }
        let be = enc == Encoding::ExplicitBe;
        let u16_at = |i: usize| {
            if be {
                u16::from_be_bytes([b[i], b[i + 1]])
            } else {
                u16::from_le_bytes([b[i], b[i + 1]])
            }
        };
        let len = if be {
            u32::from_be_bytes([b[4], b[5], b[6], b[7]])
        } else {
            u32::from_le_bytes([b[4], b[5], b[6], b[7]])
        };
        Ok(Header {
            tag: Tag(u16_at(0), u16_at(2)),
            vr: None,
            len,
        })
    }
}

/// A reader that replaces the bytes at given offsets (the walk's VR patches) as
/// they pass.
pub struct Patched<R> {
    inner: R,
    position: u64,
    patches: Vec<(u64, [u8; 2])>,
}

impl<R: Read> Patched<R> {
    /// Reads `inner`, whose first byte is at offset 0 of `patches`.
    pub fn new(inner: R, patches: Vec<(u64, [u8; 2])>) -> Self {
        Self {
            inner,
            position: 0,
            patches,
        }
    }
}

impl<R: Read> Read for Patched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let (from, to) = (self.position, self.position + n as u64);
        for (at, bytes) in &self.patches {
            for (k, b) in bytes.iter().enumerate() {
                let p = at + k as u64;
                if (from..to).contains(&p) {
                    buf[(p - from) as usize] = *b;
                }
            }
        }
        self.position = to;
        Ok(n)
    }
}

/// `(GGGG,EEEE)`, as dcmtk and the DICOM standard write a tag.
fn tag_text(tag: Tag) -> String {
    format!("({:04X},{:04X})", tag.group(), tag.element())
}

fn too_long(tag: Tag, declared: u32, remaining: u64) -> WalkError {
    WalkError::TooLong {
        tag: tag_text(tag),
        declared,
        remaining,
    }
}

/// Explicit VRs whose length field is 2 bytes (PS3.5 7.1.2); the others, and
/// unknown or blank VRs (dicom-parser reads them as UN), have 2 reserved bytes and a
/// 4-byte length.
fn has_short_length(vr: [u8; 2]) -> bool {
    matches!(
        &vr,
        b"AE"
            | b"AS"
            | b"AT"
            | b"CS"
            | b"DA"
            | b"DS"
            | b"DT"
            | b"FL"
            | b"FD"
            | b"IS"
            | b"LO"
            | b"LT"
            | b"PN"
            | b"SH"
            | b"SL"
            | b"SS"
            | b"ST"
            | b"TM"
            | b"UI"
            | b"UL"
            | b"US"
    )
}

/// In implicit VR the dictionary says which elements are sequences (as the parser's decoder does).
fn implicit_is_sequence(tag: Tag) -> bool {
    StandardDataDictionary
        .by_tag(tag)
        .is_some_and(|e| e.vr() == VirtualVr::Exact(dicom_core::VR::SQ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn walk(bytes: &[u8], enc: Encoding) -> Result<Walked, WalkError> {
        let mut src = SeekSource::new(Cursor::new(bytes), bytes.len() as u64);
        walk_dataset(&mut src, enc, false)
    }

    fn explicit_le(tag: (u16, u16), vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&tag.0.to_le_bytes());
        out.extend_from_slice(&tag.1.to_le_bytes());
        out.extend_from_slice(vr);
        if has_short_length(*vr) {
            out.extend_from_slice(&(value.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(value);
        out
    }

    #[test]
    fn refuses_a_pixel_data_length_past_the_end() {
        let mut bytes = explicit_le((0x0008, 0x0060), b"CS", b"CT");
        bytes.extend_from_slice(&[0xE0, 0x7F, 0x10, 0x00, b'O', b'W', 0, 0]);
        bytes.extend_from_slice(&0xFF37_2FFFu32.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 100]);
        let e = walk(&bytes, Encoding::ExplicitLe).unwrap_err().to_string();
        assert_eq!(
            e,
            "element (7FE0,0010) declares 4281806847 bytes but only 100 remain"
        );
        // The same through a stream (no known length) reads to the end to find out.
        let mut src = StreamSource::new(Cursor::new(&bytes));
        let e = walk_dataset(&mut src, Encoding::ExplicitLe, false).unwrap_err();
        assert!(e.to_string().contains("only 100 remain"), "{e}");
        // Headers only: the walk stops before Pixel Data, as the parser does.
        let mut src = SeekSource::new(Cursor::new(&bytes), bytes.len() as u64);
        let w = walk_dataset(&mut src, Encoding::ExplicitLe, true).unwrap();
        assert_eq!(w.end, 10);
    }

    #[test]
    fn finds_trailing_garbage_shorter_than_a_header() {
        let mut bytes = explicit_le((0x0008, 0x0060), b"CS", b"CT");
        bytes.extend_from_slice(&[0x02, 0x00, 0x01, 0x00, 5, 6]);
        let w = walk(&bytes, Encoding::ExplicitLe).unwrap();
        assert_eq!(
            w,
            Walked {
                end: 10,
                trailing_bytes: 6,
                patches: Vec::new(),
                warnings: Vec::new(),
            }
        );
        // NUL padding reads as tag (0000,0000): garbage too.
        let mut padded = explicit_le((0x0008, 0x0060), b"CS", b"CT");
        padded.extend_from_slice(&[0; 7]);
        assert_eq!(
            walk(&padded, Encoding::ExplicitLe).unwrap().trailing_bytes,
            7
        );
        // A cut header whose tag follows the last one is a truncated file.
        let mut cut = explicit_le((0x0008, 0x0060), b"CS", b"CT");
        cut.extend_from_slice(&[0x08, 0x00, 0x70, 0x00, b'L']);
        let e = walk(&cut, Encoding::ExplicitLe).unwrap_err().to_string();
        assert_eq!(
            e,
            "the file ends inside the header of element (0008,0070): truncated"
        );
    }

    #[test]
    fn checks_lengths_inside_nested_sequences_and_fragments() {
        // An undefined-length sequence with an undefined-length item holding a bad element.
        let mut bytes = vec![
            0x08, 0x00, 0x15, 0x11, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
        ];
        bytes.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        bytes.extend_from_slice(&[0x08, 0x00, 0x50, 0x11, b'U', b'I', 0xFF, 0x7F]);
        bytes.extend_from_slice(&[0u8; 16]);
        let e = walk(&bytes, Encoding::ExplicitLe).unwrap_err().to_string();
        assert!(e.starts_with("element (0008,1150) declares 32767"), "{e}");
        // Encapsulated pixel data: empty offset table, then a fragment too long.
        let mut px = vec![
            0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
        ];
        px.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0]);
        px.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0x00, 0x10, 0, 0]);
        px.extend_from_slice(&[0xFFu8; 8]);
        let e = walk(&px, Encoding::ExplicitLe).unwrap_err().to_string();
        assert_eq!(
            e,
            "element (FFFE,E000) declares 4096 bytes but only 8 remain"
        );
    }

    #[test]
    fn implicit_sequences_are_found_through_the_dictionary() {
        // (0008,1115) Referenced Series Sequence, defined length 24, one item of 16
        // holding an element whose length (0x1000) runs past the item and the file.
        let mut bytes = vec![0x08, 0x00, 0x15, 0x11, 24, 0, 0, 0];
        bytes.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 16, 0, 0, 0]);
        bytes.extend_from_slice(&[0x20, 0x00, 0x0E, 0x00, 0x00, 0x10, 0, 0]);
        bytes.extend_from_slice(&[0u8; 8]);
        let e = walk(&bytes, Encoding::ImplicitLe).unwrap_err().to_string();
        assert!(e.starts_with("element (0020,000E) declares 4096"), "{e}");
    }

    #[test]
    fn meta_gives_the_transfer_syntax_and_checks_its_lengths() {
        let ts = explicit_le((0x0002, 0x0010), b"UI", b"1.2.840.10008.1.2\0");
        let mut bytes = b"DICM".to_vec();
        bytes.extend_from_slice(&explicit_le(
            (0x0002, 0x0000),
            b"UL",
            &(ts.len() as u32).to_le_bytes(),
        ));
        bytes.extend_from_slice(&ts);
        bytes.extend_from_slice(&[0x08, 0x00, 0x60, 0x00, 2, 0, 0, 0, b'C', b'T']);
        let mut src = SeekSource::new(Cursor::new(&bytes), bytes.len() as u64);
        let meta = walk_meta(&mut src).unwrap();
        assert_eq!(meta.transfer_syntax, "1.2.840.10008.1.2");
        assert_eq!(meta.bytes, 4 + 12 + ts.len() as u64);
        let mut bad = bytes[..16].to_vec();
        bad.extend_from_slice(&explicit_le((0x0002, 0x0001), b"OB", &[0, 1]));
        bad[16 + 8..16 + 12].copy_from_slice(&0x7FFF_0000u32.to_le_bytes());
        let mut src = SeekSource::new(Cursor::new(&bad), bad.len() as u64);
        let e = walk_meta(&mut src).unwrap_err().to_string();
        assert!(
            e.starts_with("element (0002,0001) declares 2147418112"),
            "{e}"
        );
    }

    #[test]
    fn big_endian_lengths_are_read_big_endian() {
        let bytes = [0x00, 0x08, 0x00, 0x60, b'C', b'S', 0x00, 0x02, b'C', b'T'];
        assert_eq!(walk(&bytes, Encoding::ExplicitBe).unwrap().end, 10);
        assert!(walk(&bytes, Encoding::ExplicitLe).is_err());
    }
}
