//! Long transfers: progress reported after each instance, a cancel flag checked between
//! instances, and what a retrieval or a send did.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

/// A cancel flag shared between the thread that transfers and the one that asks it to
/// stop.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not yet raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the transfer to stop after the instance in flight.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// How far a transfer is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Instances done (stored, skipped as present, or failed).
    pub done: usize,
    /// Instances in all, when known (0: not yet known).
    pub total: usize,
    /// Bytes moved so far.
    pub bytes: u64,
}

/// What a retrieval did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetrieveReport {
    /// The study.
    pub study_uid: String,
    /// The study's folder (`out/<study UID>`).
    pub folder: PathBuf,
    /// Instances written by this call.
    pub retrieved: usize,
    /// Instances that were already in the folder and were not fetched again.
    pub already_present: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// What a send did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    /// Files the server stored.
    pub sent: usize,
    /// Files not stored, each with why.
    pub failed: Vec<SendFailure>,
}

/// A file the server did not store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SendFailure {
    /// The file.
    pub path: PathBuf,
    /// Why (unreadable, not DICOM, refused with a status).
    pub reason: String,
}
