//! Opening one DICOM file, with or without its 128-byte preamble.
//!
//! Releases contain files written by many tools: Part 10 files with a preamble,
//! files that start directly with `DICM`, and the occasional bare data set
//! (implicit VR little endian, no file meta). This module sniffs which one a file
//! is from its first bytes, so the scanner can skip `Thumbs.db` without an error
//! and report a broken `.dcm` with the reason.
//!
//! Before the parser sees a byte, [`walk`] checks every declared length against the
//! bytes that exist (the parser allocates a value's declared length before reading
//! it), and cuts off trailing bytes too few to be an element.

pub mod walk;

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use dicom_dictionary_std::{tags, uids};
use dicom_object::file::ReadPreamble;
use dicom_object::{InMemDicomObject, OpenFileOptions};
use walk::{Encoding, Patched, SeekSource, StreamSource, Walked};

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniff {
    /// 128-byte preamble then `DICM`.
    Preamble,
    /// `DICM` at offset 0 (the preamble was left out).
    NoPreamble,
    /// No file meta, but the bytes start like an implicit VR little endian data set.
    BareDataset,
    /// Not DICOM.
    NotDicom,
}

/// Classifies a file from its first (up to) 132 bytes.
pub fn sniff(head: &[u8]) -> Sniff {
    if head.len() >= 132 && &head[128..132] == b"DICM" {
        return Sniff::Preamble;
    }
    if head.len() >= 4 && &head[..4] == b"DICM" {
        return Sniff::NoPreamble;
    }
    // A bare data set begins with a low group tag (0008 is typical) written
    // little endian, followed by a 4-byte length that fits in the file.
    if head.len() >= 8 {
        let group = u16::from_le_bytes([head[0], head[1]]);
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if (group == 0x0008 || group == 0x0002) && len < 1024 {
            return Sniff::BareDataset;
        }
    }
    Sniff::NotDicom
}

/// A parsed file: its data set and the transfer syntax it was encoded with.
pub struct DicomFile {
    /// The data set (file meta excluded).
    pub dataset: InMemDicomObject,
    /// Transfer syntax UID from the file meta (implicit VR LE for bare data sets).
    pub transfer_syntax: String,
    /// Media Storage SOP Class UID from the file meta, when there is one.
    pub media_storage_sop_class: Option<String>,
    /// What was read with a warning (trailing bytes cut off…), for the index to report.
    pub warnings: Vec<String>,
}

impl DicomFile {
    /// True for a DICOMDIR (Media Storage Directory Storage): an index of other files.
    pub fn is_dicomdir(&self) -> bool {
        self.media_storage_sop_class.as_deref() == Some(uids::MEDIA_STORAGE_DIRECTORY_STORAGE)
    }
}

/// Why a file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The file could not be read at all.
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    /// The file does not start like DICOM.
    #[error("not a DICOM file (no DICM magic at offset 128 or 0)")]
    NotDicom,
    /// The DICOM parser gave up.
    #[error("invalid DICOM: {0}")]
    Parse(String),
    /// A declared length or the structure does not fit the bytes of the file
    /// (found before parsing, so before any allocation).
    #[error("invalid DICOM: {0}")]
    Structure(#[from] walk::WalkError),
}

/// Buffer size for reading a file (headers are small; values are skipped or read whole).
const READ_BUFFER_BYTES: usize = 16 * 1024;

/// Transfer Syntax UID of deflated explicit VR little endian.
const DEFLATED: &str = uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN;

/// The encoding of the data set for a transfer syntax (every compressed syntax is
/// explicit VR little endian; deflate is inflated first).
fn encoding_of(ts: &str) -> Encoding {
    match ts {
        uids::IMPLICIT_VR_LITTLE_ENDIAN => Encoding::ImplicitLe,
        crate::pixel::EXPLICIT_VR_BIG_ENDIAN => Encoding::ExplicitBe,
        _ => Encoding::ExplicitLe,
    }
}

/// Opens `path`; with `headers_only` the parser stops before Pixel Data.
///
/// Every declared length is checked against the file before the parser runs
/// ([`walk`]), so a corrupt length is refused with its element and the bytes left
/// instead of costing an allocation of that size.
pub fn open(path: &Path, headers_only: bool) -> Result<DicomFile, OpenError> {
    let mut file = File::open(path)?;
    let file_len = file.metadata()?.len();
    let mut head = [0u8; 132];
    let n = read_up_to(&mut file, &mut head)?;
    let kind = sniff(&head[..n]);
    match kind {
        Sniff::NotDicom => Err(OpenError::NotDicom),
        Sniff::BareDataset => {
            let ts = uids::IMPLICIT_VR_LITTLE_ENDIAN;
            let (dataset, warnings) =
                read_checked_dataset(file, 0, file_len, ts, Encoding::ImplicitLe, false)?;
            if dataset.get(tags::SOP_INSTANCE_UID).is_none() {
                return Err(OpenError::NotDicom);
            }
            Ok(DicomFile {
                dataset,
                transfer_syntax: ts.to_owned(),
                media_storage_sop_class: None,
                warnings,
            })
        }
        Sniff::Preamble | Sniff::NoPreamble => {
            let start = if kind == Sniff::Preamble { 128 } else { 0 };
            open_part10(file, start, file_len, headers_only)
                .or_else(|reason| implicit_despite_meta(path, start, file_len).ok_or(reason))
        }
    }
}

/// A Part 10 file from `start` (where `DICM` is): meta, then the data set, both checked.
fn open_part10(
    file: File,
    start: u64,
    file_len: u64,
    headers_only: bool,
) -> Result<DicomFile, OpenError> {
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, file);
    reader.seek(SeekFrom::Start(start))?;
    let meta = walk::walk_meta(&mut SeekSource::new(&mut reader, file_len - start))?;
    let walked = if meta.transfer_syntax == DEFLATED {
        // The inflated length is known only by inflating: stream it, keeping nothing.
        let inflated = flate2::read::DeflateDecoder::new(&mut reader);
        walk::walk_dataset(
            &mut StreamSource::new(inflated),
            Encoding::ExplicitLe,
            headers_only,
        )?;
        None
    } else {
        let left = file_len - start - meta.bytes;
        let mut src = SeekSource::new(&mut reader, left);
        // The whole data set, even for headers only: a corrupt Pixel Data length
        // is a problem the index should report, and checking it is a seek.
        Some(walk::walk_dataset(
            &mut src,
            encoding_of(&meta.transfer_syntax),
            false,
        )?)
    };
    reader.seek(SeekFrom::Start(start))?;
    let (limit, warnings) = trailing(walked.as_ref(), meta.bytes);
    let patches = walked.map_or_else(Vec::new, |w| shifted(w.patches, meta.bytes));
    let mut options = OpenFileOptions::new().read_preamble(ReadPreamble::Never);
    if headers_only {
        options = options.read_until(tags::PIXEL_DATA);
    }
    let obj = options
        .from_reader(Patched::new(reader.take(limit), patches))
        .map_err(|e| OpenError::Parse(error_chain(&e)))?;
    let transfer_syntax = obj.meta().transfer_syntax().to_owned();
    let sop_class = obj.meta().media_storage_sop_class_uid().to_owned();
    Ok(DicomFile {
        dataset: obj.into_inner(),
        transfer_syntax,
        media_storage_sop_class: Some(sop_class).filter(|s| !s.is_empty()),
        warnings,
    })
}

/// How many bytes (from `base` on) the parser may read, and the warning when a
/// few trailing bytes after the last element are left out.
fn trailing(walked: Option<&Walked>, base: u64) -> (u64, Vec<String>) {
    let mut warnings = walked.map_or_else(Vec::new, |w| w.warnings.clone());
    match walked {
        Some(w) if w.trailing_bytes > 0 => {
            warnings.push(format!(
                "{} trailing byte(s) after the last element ignored",
                w.trailing_bytes
            ));
            (base + w.end, warnings)
        }
        _ => (u64::MAX, warnings),
    }
}

/// Patches at offsets from the data set, moved to offsets from `base` bytes earlier.
fn shifted(patches: Vec<(u64, [u8; 2])>, base: u64) -> Vec<(u64, [u8; 2])> {
    patches.into_iter().map(|(at, b)| (at + base, b)).collect()
}

/// Checks, then parses, a data set of `encoding` that starts at `start`.
fn read_checked_dataset(
    file: File,
    start: u64,
    file_len: u64,
    ts: &str,
    encoding: Encoding,
    stop_at_pixel_data: bool,
) -> Result<(InMemDicomObject, Vec<String>), OpenError> {
    let registry = dicom_transfer_syntax_registry::TransferSyntaxRegistry;
    let Some(syntax) = dicom_encoding::TransferSyntaxIndex::get(&registry, ts) else {
        return Err(OpenError::Parse(format!(
            "transfer syntax {ts} not registered"
        )));
    };
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, file);
    reader.seek(SeekFrom::Start(start))?;
    let walked = walk::walk_dataset(
        &mut SeekSource::new(&mut reader, file_len - start),
        encoding,
        stop_at_pixel_data,
    )?;
    reader.seek(SeekFrom::Start(start))?;
    let (limit, warnings) = trailing(Some(&walked), 0);
    let reader = Patched::new(reader.take(limit), walked.patches);
    let dataset = InMemDicomObject::read_dataset_with_ts(reader, syntax)
        .map_err(|e| OpenError::Parse(error_chain(&e)))?;
    Ok((dataset, warnings))
}

/// Some writers put an implicit VR data set behind file meta that says explicit VR.
/// When the normal parse fails, this reads the data set as implicit VR little endian
/// (keeping the meta's transfer syntax for the pixel data) and accepts it when it
/// yields an image instance.
fn implicit_despite_meta(path: &Path, start: u64, file_len: u64) -> Option<DicomFile> {
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut reader = BufReader::new(file);
    let meta = walk::walk_meta(&mut SeekSource::new(&mut reader, file_len - start)).ok()?;
    reader.seek(SeekFrom::Start(start)).ok()?;
    let table = dicom_object::FileMetaTable::from_reader(&mut reader).ok()?;
    let file = reader.into_inner();
    let (dataset, warnings) = read_checked_dataset(
        file,
        start + meta.bytes,
        file_len,
        uids::IMPLICIT_VR_LITTLE_ENDIAN,
        Encoding::ImplicitLe,
        false,
    )
    .ok()?;
    dataset.get(tags::SOP_INSTANCE_UID)?;
    Some(DicomFile {
        dataset,
        transfer_syntax: table.transfer_syntax().to_owned(),
        media_storage_sop_class: Some(table.media_storage_sop_class_uid().to_owned())
            .filter(|s| !s.is_empty()),
        warnings,
    })
}

/// Reads until `buf` is full or the file ends; returns the number of bytes read.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Flattens an error and its sources into one line (`a: b: c`).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let msg = inner.to_string();
        if !s.contains(&msg) {
            s.push_str(": ");
            s.push_str(&msg);
        }
        source = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_kind() {
        let mut pre = vec![0u8; 128];
        pre.extend_from_slice(b"DICM");
        assert_eq!(sniff(&pre), Sniff::Preamble);
        assert_eq!(sniff(b"DICM\x02\x00\x00\x00"), Sniff::NoPreamble);
        assert_eq!(sniff(&[0x08, 0, 0x05, 0, 10, 0, 0, 0]), Sniff::BareDataset);
        assert_eq!(sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), Sniff::NotDicom); // Thumbs.db (OLE)
        assert_eq!(sniff(b"[.ShellClassInfo]"), Sniff::NotDicom); // desktop.ini
    }
}
