//! Where retrieved instances go: `out/<study UID>/<series UID>/<SOP Instance UID>.dcm`,
//! each written atomically and byte for byte as it arrived. The file name is the SOP
//! Instance UID, so a retry sees what is already there and never stores an instance
//! twice; the UIDs that make the names are checked to be UIDs first, as they come from
//! the server.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use dicom_dictionary_std::tags;
use dicom_object::OpenFileOptions;
use dicom_object::file::ReadPreamble;

use super::PacsError;
use crate::fsutil::write_atomic;

/// Checks that `uid` is a DICOM UID (1–64 characters, digits in dot-separated
/// components), so that it can name a file and a folder.
pub fn check_uid(uid: &str) -> Result<(), String> {
    let ok = !uid.is_empty()
        && uid.len() <= 64
        && uid
            .split('.')
            .all(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{uid:?} is not a DICOM UID (digits and dots, at most 64)"
        ))
    }
}

/// The local folder of one study being retrieved; shared by the threads that store
/// into it.
#[derive(Debug)]
pub struct StudyFolder {
    study_uid: String,
    folder: PathBuf,
    present: Mutex<HashSet<String>>,
}

/// What became of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Written now, this many bytes.
    New(PathBuf, u64),
    /// Already in the folder: left as it was.
    AlreadyPresent(PathBuf),
}

impl StudyFolder {
    /// The folder `out/<study_uid>`, created if needed, with the instances already in it.
    pub fn open(out: &Path, study_uid: &str) -> Result<Self, PacsError> {
        check_uid(study_uid).map_err(|reason| PacsError::local(out, reason))?;
        let folder = out.join(study_uid);
        std::fs::create_dir_all(&folder)
            .map_err(|e| PacsError::local(&folder, format!("cannot create the folder: {e}")))?;
        let mut present = HashSet::new();
        let series = std::fs::read_dir(&folder)
            .map_err(|e| PacsError::local(&folder, format!("cannot list the folder: {e}")))?;
        for series in series.flatten().filter(|e| e.path().is_dir()) {
            for file in std::fs::read_dir(series.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = file.file_name().to_string_lossy().into_owned();
                if let Some(sop) = name.strip_suffix(".dcm")
                    && check_uid(sop).is_ok()
                {
                    present.insert(sop.to_owned());
                }
            }
        }
        Ok(Self {
            study_uid: study_uid.to_owned(),
            folder,
            present: Mutex::new(present),
        })
    }

    /// The study's folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The SOP Instance UIDs in the folder.
    fn present(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        // The set stays right if a storing thread panicked: it is changed in one insert.
        self.present.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many instances the folder holds.
    pub fn len(&self) -> usize {
        self.present().len()
    }

    /// Whether the folder holds no instance.
    pub fn is_empty(&self) -> bool {
        self.present().is_empty()
    }

    /// Whether instance `sop_uid` is already in the folder.
    pub fn has(&self, sop_uid: &str) -> bool {
        self.present().contains(sop_uid)
    }

    /// Stores one instance as it came (`bytes`: DICOM Part 10, with or without the
    /// preamble; one without gets a zero preamble). Its Study Instance UID must be this
    /// study's; `server` names where it came from in errors.
    pub fn store_part10(&self, server: &str, bytes: &[u8]) -> Result<Stored, PacsError> {
        let bad = |reason: String| PacsError::BadReply {
            server: server.into(),
            what: format!("the retrieval of study {}", self.study_uid),
            reason,
        };
        let header = OpenFileOptions::new()
            .read_preamble(ReadPreamble::Auto)
            .read_until(tags::PIXEL_DATA)
            .from_reader(bytes)
            .map_err(|e| bad(format!("an instance is not DICOM: {e}")))?;
        let text = |tag, name: &str| -> Result<String, PacsError> {
            header
                .element(tag)
                .ok()
                .and_then(|e| e.to_str().ok())
                .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
                .ok_or_else(|| bad(format!("an instance has no {name}")))
        };
        let study = text(tags::STUDY_INSTANCE_UID, "Study Instance UID")?;
        let series = text(tags::SERIES_INSTANCE_UID, "Series Instance UID")?;
        let sop = text(tags::SOP_INSTANCE_UID, "SOP Instance UID")?;
        if study != self.study_uid {
            return Err(bad(format!(
                "instance {sop} belongs to study {study}, not the one asked for"
            )));
        }
        for uid in [&series, &sop] {
            check_uid(uid).map_err(&bad)?;
        }
        let path = self.folder.join(&series).join(format!("{sop}.dcm"));
        if self.has(&sop) {
            return Ok(Stored::AlreadyPresent(path));
        }
        let dir = self.folder.join(&series);
        std::fs::create_dir_all(&dir)
            .map_err(|e| PacsError::local(&dir, format!("cannot create the folder: {e}")))?;
        let write = |bytes: &[u8]| {
            write_atomic(&path, bytes)
                .map_err(|e| PacsError::local(&path, format!("cannot write the instance: {e}")))
        };
        if bytes.starts_with(b"DICM") {
            let mut with_preamble = vec![0u8; 128];
            with_preamble.extend_from_slice(bytes);
            write(&with_preamble)?;
        } else {
            write(bytes)?;
        }
        let size = bytes.len() as u64 + if bytes.starts_with(b"DICM") { 128 } else { 0 };
        self.present().insert(sop);
        Ok(Stored::New(path, size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_that_can_name_files() {
        for ok in ["1.2.840.10008.1.1", "2.25.123", "1"] {
            assert!(check_uid(ok).is_ok(), "{ok}");
        }
        let long = "1.".repeat(32) + "1";
        for bad in ["", "1..2", ".1", "1.", "1.2/../3", "1.2.a", "..", &long] {
            assert!(check_uid(bad).is_err(), "{bad}");
        }
    }
}
