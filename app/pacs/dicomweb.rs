//! DICOMweb: QIDO-RS to find studies, WADO-RS to retrieve their instances, STOW-RS to
//! store ours, over http or https (the system's trusted certificates) with
//! [`crate::net::agent`]: only the server's own URL is contacted, no proxy, no
//! redirects.
//!
//! A study is retrieved instance by instance (`…/studies/{st}/series/{se}/instances/{sop}`,
//! the instances listed first by QIDO-RS) on a few connections at once: a retry or a
//! resumed retrieval fetches only the instances missing from the folder, and each
//! instance arrives in its original transfer syntax (`transfer-syntax=*`), byte for
//! byte.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use serde_json::Value;

use super::local::{Stored, StudyFolder, check_uid};
use super::query::RETURN_KEYS;
use super::transfer::SendFailure;
use super::{
    Cancel, DicomWebServer, PacsError, Progress, Query, RetrieveReport, SendReport, StudyMatch,
};
use crate::net::{self, BodyFailure, Failure, path_segment, snippet};

/// How long a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a query may take.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one instance may take to arrive or to be stored.
pub const INSTANCE_TIMEOUT: Duration = Duration::from_secs(600);
/// The most bytes of JSON read from a reply.
const MAX_JSON: u64 = 64 << 20;
/// The most bytes of one instance (a large multi-frame object still fits).
const MAX_INSTANCE: u64 = 2 << 30;
/// How many instances are fetched at once.
const CONNECTIONS: usize = 4;
/// How often a request that failed in transport is tried in all.
const ATTEMPTS: usize = 3;
/// What WADO-RS is asked for: the instances as stored.
const ACCEPT_DICOM: &str = r#"multipart/related; type="application/dicom"; transfer-syntax=*"#;

/// One server's requests.
struct Client<'a> {
    server: &'a DicomWebServer,
    agent: ureq::Agent,
}

/// `tag` as DICOM JSON names it (`0020000D`).
fn tag_key(tag: Tag) -> String {
    format!("{:04X}{:04X}", tag.group(), tag.element())
}

/// An attribute's values in a DICOM JSON object, as text (person names by their
/// alphabetic group).
fn json_values(object: &Value, tag: Tag) -> Vec<String> {
    object[tag_key(tag)]["Value"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Object(pn) => pn
                        .get("Alphabetic")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl<'a> Client<'a> {
    fn new(server: &'a DicomWebServer) -> Self {
        Self {
            server,
            agent: net::agent(CONNECT_TIMEOUT),
        }
    }

    fn name(&self) -> String {
        self.server.to_string()
    }

    /// A transport failure, named.
    fn transport(&self, e: ureq::Error, what: &str, limit: Duration) -> PacsError {
        let server = self.name();
        match net::classify(e) {
            Failure::Timeout { connecting, .. } => PacsError::Timeout {
                server,
                what: what.into(),
                seconds: if connecting { CONNECT_TIMEOUT } else { limit }.as_secs(),
            },
            Failure::Connect(reason) => PacsError::Connect { server, reason },
            Failure::Tls(reason) => PacsError::Tls { server, reason },
            Failure::BadUrl(reason) => PacsError::BadAddress {
                given: self.server.base_url.clone(),
                reason,
            },
            Failure::Other(reason) => self.bad_reply(what, reason),
        }
    }

    fn bad_reply(&self, what: &str, reason: impl Into<String>) -> PacsError {
        PacsError::BadReply {
            server: self.name(),
            what: what.into(),
            reason: reason.into(),
        }
    }

    /// An error status as [`PacsError::Refused`] with the start of what the server said.
    fn refused(&self, reply: &mut ureq::http::Response<ureq::Body>, what: &str) -> PacsError {
        let status = reply.status();
        let body = net::read_body(reply, net::MAX_ERROR_BODY).unwrap_or_default();
        let detail = match (status.as_u16(), reply.headers().get("location")) {
            (300..=399, Some(to)) => format!(
                "a redirect to {} (not followed: give that address)",
                String::from_utf8_lossy(to.as_bytes())
            ),
            (401 | 403, _) => "the server wants credentials this build does not send".into(),
            _ => snippet(&body),
        };
        PacsError::Refused {
            server: self.name(),
            what: what.into(),
            status: format!("HTTP {}", status.as_u16()),
            detail,
        }
    }

    /// Reads a reply's body, at most `limit` bytes.
    fn read_body(
        &self,
        reply: &mut ureq::http::Response<ureq::Body>,
        limit: u64,
        what: &str,
        timeout: Duration,
    ) -> Result<Vec<u8>, PacsError> {
        net::read_body(reply, limit).map_err(|e| match e {
            BodyFailure::TooLarge => {
                self.bad_reply(what, format!("the reply is larger than {limit} bytes"))
            }
            BodyFailure::Transport(e) => self.transport(e, what, timeout),
        })
    }

    /// GETs a QIDO-RS `path` (with its query) and parses the array of objects; no
    /// content is an empty array.
    fn qido(&self, path: &str, what: &str) -> Result<Vec<Value>, PacsError> {
        let mut reply = self
            .agent
            .get(format!("{}{path}", self.server.base_url))
            .config()
            .timeout_global(Some(QUERY_TIMEOUT))
            .build()
            .header("Accept", "application/dicom+json")
            .call()
            .map_err(|e| self.transport(e, what, QUERY_TIMEOUT))?;
        match reply.status().as_u16() {
            204 => return Ok(Vec::new()),
            200..300 => {}
            _ => return Err(self.refused(&mut reply, what)),
        }
        let bytes = self.read_body(&mut reply, MAX_JSON, what, QUERY_TIMEOUT)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err(self.bad_reply(what, "the reply is not a JSON array")),
            Err(e) => Err(self.bad_reply(what, format!("not JSON ({e}): {}", snippet(&bytes)))),
        }
    }

    /// One instance by WADO-RS, as Part 10 bytes.
    fn instance(&self, study: &str, series: &str, sop: &str) -> Result<Vec<u8>, PacsError> {
        let what = format!("instance {sop}");
        let url = format!(
            "{}/studies/{study}/series/{series}/instances/{sop}",
            self.server.base_url
        );
        let mut reply = self
            .agent
            .get(&url)
            .config()
            .timeout_global(Some(INSTANCE_TIMEOUT))
            .build()
            .header("Accept", ACCEPT_DICOM)
            .call()
            .map_err(|e| self.transport(e, &what, INSTANCE_TIMEOUT))?;
        if !reply.status().is_success() {
            return Err(self.refused(&mut reply, &what));
        }
        let content_type = reply
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = self.read_body(&mut reply, MAX_INSTANCE, &what, INSTANCE_TIMEOUT)?;
        if content_type
            .to_ascii_lowercase()
            .starts_with("application/dicom")
        {
            return Ok(bytes);
        }
        let boundary =
            super::multipart::boundary(&content_type).map_err(|e| self.bad_reply(&what, e))?;
        let parts =
            super::multipart::parts(&bytes, &boundary).map_err(|e| self.bad_reply(&what, e))?;
        match parts.as_slice() {
            [one] => Ok(one.body.to_vec()),
            _ => Err(self.bad_reply(
                &what,
                format!("{} parts instead of one instance", parts.len()),
            )),
        }
    }

    /// `op`, tried again after a transport failure (never after a refusal or a bad
    /// reply), up to [`ATTEMPTS`] times.
    fn with_retries<T>(
        &self,
        cancel: &Cancel,
        mut op: impl FnMut() -> Result<T, PacsError>,
    ) -> Result<T, PacsError> {
        let mut attempt = 1;
        loop {
            match op() {
                Err(PacsError::Connect { .. } | PacsError::Timeout { .. })
                    if attempt < ATTEMPTS && !cancel.is_cancelled() =>
                {
                    std::thread::sleep(Duration::from_millis(250 << attempt));
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}

/// Asks for one study: the server answers QIDO-RS.
pub fn echo(server: &DicomWebServer) -> Result<(), PacsError> {
    Client::new(server)
        .qido("/studies?limit=1", "a test query")
        .map(drop)
}

/// QIDO-RS `/studies` with the query's keys.
pub fn find(server: &DicomWebServer, query: &Query) -> Result<Vec<StudyMatch>, PacsError> {
    let mut params: Vec<String> = query
        .matching_keys()
        .into_iter()
        .map(|(tag, value)| format!("{}={}", tag_key(tag), path_segment(&value)))
        .collect();
    params.extend(
        RETURN_KEYS
            .iter()
            .map(|t| format!("includefield={}", tag_key(*t))),
    );
    if let Some(limit) = query.limit {
        params.push(format!("limit={limit}"));
    }
    let items =
        Client::new(server).qido(&format!("/studies?{}", params.join("&")), "the study query")?;
    Ok(items
        .iter()
        .filter_map(|item| StudyMatch::from_values(|tag| json_values(item, tag)))
        .collect())
}

/// The study's instances as (series UID, SOP Instance UID), by QIDO-RS.
fn list_instances(client: &Client, study_uid: &str) -> Result<Vec<(String, String)>, PacsError> {
    let what = format!("the list of study {study_uid}'s instances");
    let items = client.qido(
        &format!(
            "/studies/{study_uid}/instances?includefield={}",
            tag_key(tags::SERIES_INSTANCE_UID)
        ),
        &what,
    )?;
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        let one = |tag| {
            json_values(item, tag)
                .into_iter()
                .next()
                .unwrap_or_default()
        };
        let (series, sop) = (one(tags::SERIES_INSTANCE_UID), one(tags::SOP_INSTANCE_UID));
        for uid in [&series, &sop] {
            check_uid(uid).map_err(|e| client.bad_reply(&what, e))?;
        }
        out.push((series, sop));
    }
    if out.is_empty() {
        return Err(PacsError::Refused {
            server: client.name(),
            what: format!("study {study_uid}"),
            status: "no instances".into(),
            detail: "the server does not hold that study".into(),
        });
    }
    Ok(out)
}

/// WADO-RS, instance by instance, into `out/<study UID>/…`.
pub fn retrieve(
    server: &DicomWebServer,
    study_uid: &str,
    out: &Path,
    progress: &mut dyn FnMut(&Progress),
    cancel: &Cancel,
) -> Result<RetrieveReport, PacsError> {
    let client = Client::new(server);
    let listed = list_instances(&client, study_uid)?;
    let folder = StudyFolder::open(out, study_uid)?;
    let todo: Vec<&(String, String)> = listed.iter().filter(|(_, sop)| !folder.has(sop)).collect();
    let mut report = RetrieveReport {
        study_uid: study_uid.into(),
        folder: folder.folder().to_owned(),
        already_present: listed.len() - todo.len(),
        ..RetrieveReport::default()
    };
    let mut shown = Progress {
        done: report.already_present,
        total: listed.len(),
        bytes: 0,
    };
    progress(&shown);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut failure = None;
    std::thread::scope(|scope| {
        let (send, arrived) = mpsc::sync_channel(CONNECTIONS);
        for _ in 0..CONNECTIONS.min(todo.len()) {
            let (send, next, stop, todo, client, folder) =
                (send.clone(), &next, &stop, &todo, &client, &folder);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) && !cancel.is_cancelled() {
                    let Some((series, sop)) = todo.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let got = client
                        .with_retries(cancel, || client.instance(study_uid, series, sop))
                        .and_then(|bytes| folder.store_part10(&client.name(), &bytes));
                    if send.send(got).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        for stored in arrived {
            match stored {
                Ok(Stored::New(_, size)) => {
                    report.retrieved += 1;
                    report.bytes += size;
                    shown.bytes += size;
                }
                Ok(Stored::AlreadyPresent(_)) => report.already_present += 1,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    failure.get_or_insert(e);
                    continue;
                }
            }
            shown.done += 1;
            progress(&shown);
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    if cancel.is_cancelled() && shown.done < shown.total {
        return Err(PacsError::Cancelled {
            server: client.name(),
        });
    }
    Ok(report)
}

/// STOW-RS, one request per file.
pub fn send(
    server: &DicomWebServer,
    files: &[PathBuf],
    progress: &mut dyn FnMut(&Progress),
    cancel: &Cancel,
) -> Result<SendReport, PacsError> {
    let client = Client::new(server);
    let mut report = SendReport::default();
    let mut shown = Progress {
        done: 0,
        total: files.len(),
        bytes: 0,
    };
    for path in files {
        if cancel.is_cancelled() {
            return Err(PacsError::Cancelled {
                server: client.name(),
            });
        }
        let fail = |reason: String| SendFailure {
            path: path.clone(),
            reason,
        };
        match std::fs::read(path) {
            Err(e) => report.failed.push(fail(format!("cannot read it: {e}"))),
            Ok(bytes) if !is_part10(&bytes) => {
                report
                    .failed
                    .push(fail("not a DICOM file (no DICM prefix)".into()));
            }
            Ok(bytes) => match client.with_retries(cancel, || stow(&client, &bytes, path))? {
                None => {
                    report.sent += 1;
                    shown.bytes += bytes.len() as u64;
                }
                Some(reason) => report.failed.push(fail(reason)),
            },
        }
        shown.done += 1;
        progress(&shown);
    }
    Ok(report)
}

/// Whether `bytes` are DICOM Part 10 (preamble and `DICM`, or `DICM` first).
fn is_part10(bytes: &[u8]) -> bool {
    bytes.get(128..132) == Some(b"DICM") || bytes.starts_with(b"DICM")
}

/// Stores one file: `None` when stored, else the server's reason. Only transport
/// failures are errors (they may be retried).
fn stow(client: &Client, bytes: &[u8], path: &Path) -> Result<Option<String>, PacsError> {
    let what = format!("storing {}", path.display());
    let boundary = net::boundary(&[bytes]);
    let body = super::multipart::body(&[bytes], "application/dicom", &boundary);
    let mut reply = client
        .agent
        .post(format!("{}/studies", client.server.base_url))
        .config()
        .timeout_global(Some(INSTANCE_TIMEOUT))
        .build()
        .header(
            "Content-Type",
            format!(r#"multipart/related; type="application/dicom"; boundary={boundary}"#),
        )
        .header("Accept", "application/dicom+json")
        .send(&body[..])
        .map_err(|e| client.transport(e, &what, INSTANCE_TIMEOUT))?;
    let status = reply.status().as_u16();
    let answer = reply
        .body_mut()
        .with_config()
        .limit(MAX_JSON)
        .read_to_vec()
        .unwrap_or_default();
    let json: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
    let failed = &json[tag_key(tags::FAILED_SOP_SEQUENCE)]["Value"];
    let reasons: Vec<String> = failed
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            json_values(item, tags::FAILURE_REASON)
                .first()
                .and_then(|r| r.parse::<u16>().ok())
                .map_or_else(
                    || "failed".to_owned(),
                    |r| format!("failure reason 0x{r:04X}"),
                )
        })
        .collect();
    match status {
        200 if reasons.is_empty() => Ok(None),
        200..300 | 409 => Ok(Some(format!(
            "{} refused it (HTTP {status}{})",
            client.name(),
            if reasons.is_empty() {
                String::new()
            } else {
                format!(", {}", reasons.join(", "))
            }
        ))),
        _ => Ok(Some(format!(
            "{} refused it (HTTP {status}: {})",
            client.name(),
            snippet(&answer)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dicom_json_values() {
        let item = json!({
            "00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^JANE"}]},
            "00201208": {"vr": "IS", "Value": [32]},
            "00080061": {"vr": "CS", "Value": ["CT", "SEG"]},
            "00080050": {"vr": "SH"}
        });
        assert_eq!(json_values(&item, tags::PATIENT_NAME), ["DOE^JANE"]);
        assert_eq!(
            json_values(&item, tags::NUMBER_OF_STUDY_RELATED_INSTANCES),
            ["32"]
        );
        assert_eq!(json_values(&item, tags::MODALITIES_IN_STUDY), ["CT", "SEG"]);
        assert!(json_values(&item, tags::ACCESSION_NUMBER).is_empty());
        assert_eq!(tag_key(tags::STUDY_INSTANCE_UID), "0020000D");
    }
}
