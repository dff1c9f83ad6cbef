//! What the http clients (the model server's, the DICOMweb PACS's) share: one agent
//! setup that contacts only the address given (no proxy from the environment, no
//! redirects followed, statuses returned rather than raised), transport errors sorted
//! into what the user can act on, message snippets, multipart boundaries and URL path
//! segments.

use std::time::{Duration, Instant};

/// An agent that reaches only the URLs it is given: no proxy, no redirects, a
/// `connect` limit, https through the system's trusted certificates.
pub fn agent(connect: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(connect))
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        )
        .user_agent(concat!("lightbox/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// A transport failure sorted by what the user can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server could not be reached (refused, host not found…).
    Connect(String),
    /// A time limit passed; `connecting` when it was the connect or resolve limit.
    Timeout {
        /// Whether the limit was the connect (or name lookup) one.
        connecting: bool,
        /// Which limit, for messages.
        stage: String,
    },
    /// The TLS handshake or the certificate failed.
    Tls(String),
    /// The URL cannot be used.
    BadUrl(String),
    /// Anything else: the reply broke http.
    Other(String),
}

/// Sorts a ureq error.
pub fn classify(e: ureq::Error) -> Failure {
    match e {
        ureq::Error::Timeout(t) => Failure::Timeout {
            connecting: matches!(t, ureq::Timeout::Connect | ureq::Timeout::Resolve),
            stage: format!("{t} limit"),
        },
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                Failure::Connect("connection refused (is the server running on that port?)".into())
            }
            std::io::ErrorKind::TimedOut => Failure::Timeout {
                connecting: false,
                stage: "network".into(),
            },
            _ if is_tls_message(&io.to_string()) => Failure::Tls(io.to_string()),
            _ => Failure::Connect(io.to_string()),
        },
        ureq::Error::HostNotFound => Failure::Connect("host not found".into()),
        ureq::Error::ConnectionFailed => Failure::Connect("connection failed".into()),
        ureq::Error::BadUri(u) => Failure::BadUrl(u),
        ureq::Error::Rustls(e) => Failure::Tls(e.to_string()),
        ureq::Error::Tls(e) => Failure::Tls(e.to_string()),
        e => Failure::Other(e.to_string()),
    }
}

/// Why a reply's body could not be read.
#[derive(Debug)]
pub enum BodyFailure {
    /// It is longer than the limit given.
    TooLarge,
    /// The transfer failed.
    Transport(ureq::Error),
}

/// The most bytes read of an error reply, for its message.
pub const MAX_ERROR_BODY: u64 = 64 << 10;

/// A reply's whole body, at most `limit` bytes (untrusted input stays bounded).
pub fn read_body(
    reply: &mut ureq::http::Response<ureq::Body>,
    limit: u64,
) -> Result<Vec<u8>, BodyFailure> {
    reply
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => BodyFailure::TooLarge,
            e => BodyFailure::Transport(e),
        })
}

/// Whether an I/O error's text is about TLS (rustls reports some handshake failures
/// as I/O errors).
fn is_tls_message(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "alert",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// The start of a body as text, for messages: 300 characters at most, one line.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// A multipart boundary that none of `parts` contains.
pub fn boundary(parts: &[&[u8]]) -> String {
    let mut seed = Instant::now().elapsed().as_nanos() as u64
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
    loop {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let b = format!("lightbox-{seed:016x}");
        if !parts
            .iter()
            .any(|data| data.windows(b.len()).any(|w| w == b.as_bytes()))
        {
            return b;
        }
    }
}

/// `text` as one URL path segment or query value (unreserved characters kept, the
/// rest %-encoded).
pub fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_boundaries() {
        assert_eq!(path_segment("a b/c^*"), "a%20b%2Fc%5E%2A");
        let data = b"--lightbox-";
        let b = boundary(&[data]);
        assert!(b.starts_with("lightbox-") && !data.windows(b.len()).any(|w| w == b.as_bytes()));
        assert_eq!(snippet(b" a\n\n b "), "a b");
    }
}
