//! Why a PACS operation failed: every variant names the server (as [`super::Server`]
//! displays it) and says what to check.

use std::path::PathBuf;

use thiserror::Error;

/// Why a PACS could not be used.
#[derive(Debug, Error)]
pub enum PacsError {
    /// The address given is not one we can use.
    #[error("{given} is not a PACS address: {reason}")]
    BadAddress {
        /// What was given.
        given: String,
        /// Why, and the form expected.
        reason: String,
    },
    /// Something the user gave cannot be used (a study UID that is not a UID…).
    #[error("{0}")]
    BadInput(String),
    /// The server could not be reached.
    #[error("cannot reach {server}: {reason}")]
    Connect {
        /// The server.
        server: String,
        /// Why (connection refused, host not found…).
        reason: String,
    },
    /// The server did not answer in time.
    #[error("{server} did not answer {what} within {seconds} s")]
    Timeout {
        /// The server.
        server: String,
        /// The request.
        what: String,
        /// The limit.
        seconds: u64,
    },
    /// The TLS handshake or the server's certificate failed.
    #[error(
        "TLS with {server} failed: {reason} (is the certificate trusted by this computer, and the address https?)"
    )]
    Tls {
        /// The server.
        server: String,
        /// Why.
        reason: String,
    },
    /// The server answered with a refusal (an HTTP error status, a rejected
    /// association, a DIMSE failure status).
    #[error("{server} refused {what}: {status}{}", detail_suffix(.detail))]
    Refused {
        /// The server.
        server: String,
        /// The request.
        what: String,
        /// The status as the protocol gives it (`HTTP 404`, `0xA700`, `association rejected`).
        status: String,
        /// What the server said, shortened; may be empty.
        detail: String,
    },
    /// The reply broke the protocol (bad multipart, not JSON, not DICOM, too large).
    #[error("{server} sent a bad reply to {what}: {reason}")]
    BadReply {
        /// The server.
        server: String,
        /// The request.
        what: String,
        /// What was wrong.
        reason: String,
    },
    /// The user cancelled; what was complete is kept.
    #[error("cancelled the transfer with {server}")]
    Cancelled {
        /// The server.
        server: String,
    },
    /// A local file could not be read or written.
    #[error("{reason}: {}", .path.display())]
    Local {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// `: detail` when there is one.
fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

impl PacsError {
    /// A local file error.
    pub fn local(path: impl Into<PathBuf>, reason: impl std::fmt::Display) -> Self {
        PacsError::Local {
            path: path.into(),
            reason: reason.to_string(),
        }
    }
}
