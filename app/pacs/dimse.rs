//! DIMSE: C-ECHO, C-FIND, C-GET and C-STORE over the DICOM upper layer (dicom-ul).

use std::path::{Path, PathBuf};

use super::{
    Cancel, DimseServer, PacsError, Progress, Query, RetrieveReport, SendReport, StudyMatch,
};

/// Not yet written.
fn not_yet(server: &DimseServer) -> PacsError {
    PacsError::Connect {
        server: server.to_string(),
        reason: "DIMSE is not built yet".into(),
    }
}

/// C-ECHO.
pub fn echo(server: &DimseServer) -> Result<(), PacsError> {
    Err(not_yet(server))
}

/// C-FIND at study level (Study Root).
pub fn find(server: &DimseServer, _query: &Query) -> Result<Vec<StudyMatch>, PacsError> {
    Err(not_yet(server))
}

/// C-GET of a study into `out/<study UID>/…`.
pub fn retrieve(
    server: &DimseServer,
    _study_uid: &str,
    _out: &Path,
    _progress: &mut dyn FnMut(&Progress),
    _cancel: &Cancel,
) -> Result<RetrieveReport, PacsError> {
    Err(not_yet(server))
}

/// C-STORE of files.
pub fn send(
    server: &DimseServer,
    _files: &[PathBuf],
    _progress: &mut dyn FnMut(&Progress),
    _cancel: &Cancel,
) -> Result<SendReport, PacsError> {
    Err(not_yet(server))
}
