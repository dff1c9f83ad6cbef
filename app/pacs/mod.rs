//! A PACS, off unless configured (issue 16): query a site's archive, retrieve whole
//! studies into a local folder that then opens like any release, and send our SEG and
//! SR objects back.
//!
//! Two protocols reach the same four operations ([`Server::echo`], [`Server::find`],
//! [`Server::retrieve`], [`Server::send`]): DICOMweb ([`dicomweb`]: QIDO-RS, WADO-RS,
//! STOW-RS over http or https) and DIMSE ([`dimse`]: C-ECHO, C-FIND, C-GET, C-STORE
//! over the DICOM upper layer). Nothing here opens a socket until a [`Server`] is
//! used: the viewer and the CLI make one only from an address the user gave, so a
//! session with no server configured never touches the network.
//!
//! Every reply is untrusted input: sizes are bounded, UIDs that name files are checked
//! to be UIDs ([`local::check_uid`]), and every error names the server. Retrieved
//! instances are written one file per SOP Instance UID, atomically ([`local`]), so a
//! retry after a failure or a cancel fetches only what is missing and never stores an
//! instance twice.

use std::path::{Path, PathBuf};

pub mod dicomweb;
pub mod dimse;
mod error;
pub mod local;
pub mod multipart;
pub mod query;
pub mod server;
pub mod transfer;

pub use error::PacsError;
pub use query::{DateRange, Query, StudyMatch};
pub use server::{DicomWebServer, DimseServer, NamedServer, Server};
pub use transfer::{Cancel, Progress, RetrieveReport, SendReport};

impl Server {
    /// Checks that the server answers: C-ECHO, or a QIDO-RS query for one study.
    pub fn echo(&self) -> Result<(), PacsError> {
        match self {
            Server::DicomWeb(s) => dicomweb::echo(s),
            Server::Dimse(s) => dimse::echo(s),
        }
    }

    /// The studies that match `query`, in the order the server gave them.
    pub fn find(&self, query: &Query) -> Result<Vec<StudyMatch>, PacsError> {
        match self {
            Server::DicomWeb(s) => dicomweb::find(s, query),
            Server::Dimse(s) => dimse::find(s, query),
        }
    }

    /// Retrieves every instance of study `study_uid` into `out`
    /// (`out/<study UID>/<series UID>/<SOP Instance UID>.dcm`), skipping instances
    /// already there. `progress` is called after each instance; `cancel` stops between
    /// instances (what arrived stays, complete).
    pub fn retrieve(
        &self,
        study_uid: &str,
        out: &Path,
        progress: &mut dyn FnMut(&Progress),
        cancel: &Cancel,
    ) -> Result<RetrieveReport, PacsError> {
        local::check_uid(study_uid).map_err(PacsError::BadInput)?;
        match self {
            Server::DicomWeb(s) => dicomweb::retrieve(s, study_uid, out, progress, cancel),
            Server::Dimse(s) => dimse::retrieve(s, study_uid, out, progress, cancel),
        }
    }

    /// Stores `files` (DICOM Part 10) on the server. A file that cannot be read or that
    /// the server refuses is listed in the report with its reason and the rest go on;
    /// an error is returned only when the server cannot be used at all.
    pub fn send(
        &self,
        files: &[PathBuf],
        progress: &mut dyn FnMut(&Progress),
        cancel: &Cancel,
    ) -> Result<SendReport, PacsError> {
        match self {
            Server::DicomWeb(s) => dicomweb::send(s, files, progress, cancel),
            Server::Dimse(s) => dimse::send(s, files, progress, cancel),
        }
    }
}
