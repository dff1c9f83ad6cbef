//! DIMSE: C-ECHO, C-FIND, C-GET and C-STORE over the DICOM upper layer (dicom-ul, sync,
//! plain TCP), for the archives that speak no DICOMweb.
//!
//! Why these verbs: C-GET brings a study back over the one association we open, so
//! unlike C-MOVE it needs no port of ours that the archive must be configured to reach
//! (a workstation behind a firewall or NAT can still retrieve). Before a C-GET, a C-FIND
//! lists the study's SOP Instance UIDs (its series, then each one's instances): what is already in the folder is
//! not asked for again (a retry after a failure or a cancel fetches only what is
//! missing), and the count is the progress total. Each storage SOP class is proposed
//! in every common transfer syntax, one presentation context each, so the archive sends
//! every instance as it holds it; the data set is written after a file meta of our own
//! exactly as it arrived, never decoded and re-encoded.
//!
//! Every reply is untrusted: command sets and identifiers are bounded, an instance is
//! at most [`MAX_INSTANCE`] bytes, the UIDs that name files are checked
//! ([`super::local`]), no wait outlasts its limit, and every error names the server.

mod association;
mod contexts;
mod messages;
mod retrieve;
mod store;

use std::time::Duration;

use dicom_core::Tag;
use dicom_dictionary_std::uids;
use dicom_object::InMemDicomObject;

use super::query::RETURN_KEYS;
use super::{
    Cancel, DimseServer, PacsError, Progress, Query, RetrieveReport, SendReport, StudyMatch,
};
use association::Association;
use messages::{Command, field, status};

/// How long a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the server may stay silent during an echo or a query.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may stay silent during a retrieval or a send (an archive may
/// fetch a study from slow storage before the first instance).
pub const TRANSFER_TIMEOUT: Duration = Duration::from_secs(300);
/// The most bytes of one instance.
pub const MAX_INSTANCE: u64 = 2 << 30;
/// The most bytes of one query match.
const MAX_IDENTIFIER: u64 = 16 << 20;

/// Study Root Query/Retrieve – FIND.
const FIND: &str = uids::STUDY_ROOT_QUERY_RETRIEVE_INFORMATION_MODEL_FIND;

/// Checks that `cmd` answers message `id` with a `expected` response.
fn expect_response(
    assoc: &mut Association,
    cmd: &Command,
    expected: u16,
    id: u16,
) -> Result<u16, PacsError> {
    if cmd.field() != Some(expected) {
        let got = cmd
            .field()
            .map_or_else(|| "none".into(), messages::status_text);
        return Err(assoc.bad_reply(format!(
            "command {got} where the response {} was expected",
            messages::status_text(expected)
        )));
    }
    let to = cmd.number(dicom_dictionary_std::tags::MESSAGE_ID_BEING_RESPONDED_TO);
    if to != Some(id) {
        return Err(assoc.bad_reply(format!("a response to message {to:?}, not to {id}")));
    }
    cmd.status()
        .ok_or_else(|| assoc.bad_reply("a response without a status"))
}

/// A failure status as [`PacsError::Refused`].
fn refused(assoc: &Association, cmd: &Command, status: u16) -> PacsError {
    PacsError::Refused {
        server: assoc.name().to_owned(),
        what: assoc.what().to_owned(),
        status: messages::status_text(status),
        detail: cmd.status_detail(status),
    }
}

/// The service `abstract_syntax` as accepted, or a refusal saying the server lacks it.
fn service_context(
    assoc: &Association,
    abstract_syntax: &str,
    name: &str,
) -> Result<(u8, String), PacsError> {
    assoc
        .context(abstract_syntax, None)
        .ok_or_else(|| PacsError::Refused {
            server: assoc.name().to_owned(),
            what: assoc.what().to_owned(),
            status: "service not offered".into(),
            detail: format!("it did not accept {name}"),
        })
}

/// Sends a C-FIND or C-GET request (`field`) of service `abstract_syntax` with
/// `identifier` in the accepted transfer syntax; returns the presentation context, its
/// transfer syntax and the message ID its responses answer.
fn send_query_request(
    assoc: &mut Association,
    (abstract_syntax, name): (&str, &str),
    field: u16,
    identifier: &InMemDicomObject,
) -> Result<(u8, String, u16), PacsError> {
    let (pc, ts) = service_context(assoc, abstract_syntax, name)?;
    let data = messages::encode_data_set(identifier, &ts).map_err(PacsError::BadInput)?;
    let id = assoc.message_id();
    assoc.send(
        pc,
        messages::request(field, abstract_syntax, id, true),
        Some(&data),
    )?;
    Ok((pc, ts, id))
}

/// Ends the association (released, or aborted when broken) and passes `result` on.
fn finish<T>(assoc: Association, result: Result<T, PacsError>) -> Result<T, PacsError> {
    assoc.finish();
    result
}

/// C-ECHO: the server answers the Verification service.
pub fn echo(server: &DimseServer) -> Result<(), PacsError> {
    let mut assoc = Association::open(
        server,
        &[contexts::service(uids::VERIFICATION)],
        &[],
        "the echo (C-ECHO)",
        QUERY_TIMEOUT,
    )?;
    let result = echo_on(&mut assoc);
    finish(assoc, result)
}

fn echo_on(assoc: &mut Association) -> Result<(), PacsError> {
    let (pc, _) = service_context(assoc, uids::VERIFICATION, "Verification (C-ECHO)")?;
    let id = assoc.message_id();
    assoc.send(
        pc,
        messages::request(field::C_ECHO_RQ, uids::VERIFICATION, id, false),
        None,
    )?;
    let cmd = assoc.command()?;
    match expect_response(assoc, &cmd, field::C_ECHO_RSP, id)? {
        status::SUCCESS => Ok(()),
        s => Err(refused(assoc, &cmd, s)),
    }
}

/// C-FIND at study level (Study Root): the matches in the order the server sent them,
/// at most `query.limit` (the rest cancelled).
pub fn find(server: &DimseServer, query: &Query) -> Result<Vec<StudyMatch>, PacsError> {
    let mut assoc = Association::open(
        server,
        &[contexts::service(FIND)],
        &[],
        "the study query",
        QUERY_TIMEOUT,
    )?;
    let keys = query.matching_keys();
    let asked: Vec<Tag> = RETURN_KEYS
        .into_iter()
        .filter(|t| !keys.iter().any(|(k, _)| k == t))
        .collect();
    let identifier = messages::identifier("STUDY", &keys, &asked);
    let limit = query.limit.filter(|l| *l > 0).map(|l| l as usize);
    let mut found = Vec::new();
    let result = query_on(&mut assoc, &identifier, limit, &mut |_, obj| {
        // A match without a Study Instance UID cannot be retrieved: left out.
        found.extend(StudyMatch::from_values(|tag| {
            crate::attrs::texts(&obj, tag)
        }));
        Ok(())
    });
    finish(assoc, result).map(|()| found)
}

/// One C-FIND on an open association: `on_match` gets each identifier; after `limit`
/// of them the rest are cancelled (C-CANCEL) and skipped.
fn query_on(
    assoc: &mut Association,
    identifier: &InMemDicomObject,
    limit: Option<usize>,
    on_match: &mut dyn FnMut(&mut Association, InMemDicomObject) -> Result<(), PacsError>,
) -> Result<(), PacsError> {
    let (pc, ts, id) = send_query_request(
        assoc,
        (FIND, "Study Root Query/Retrieve – FIND"),
        field::C_FIND_RQ,
        identifier,
    )?;
    let mut count = 0;
    let mut cancelled = false;
    loop {
        let cmd = assoc.command()?;
        match expect_response(assoc, &cmd, field::C_FIND_RSP, id)? {
            status::PENDING | status::PENDING_WARNING => {
                if !cmd.has_data_set() {
                    continue;
                }
                let mut bytes = Vec::new();
                assoc.read_data(cmd.context, &mut bytes, MAX_IDENTIFIER)?;
                if cancelled {
                    continue;
                }
                let ts = assoc.syntax_of(cmd.context).unwrap_or_else(|| ts.clone());
                let obj = messages::decode_data_set(&bytes, &ts).map_err(|e| assoc.bad_reply(e))?;
                on_match(assoc, obj)?;
                count += 1;
                if limit.is_some_and(|l| count >= l) {
                    assoc.send(pc, messages::cancel_request(id), None)?;
                    cancelled = true;
                }
            }
            status::SUCCESS => return Ok(()),
            status::CANCELLED if cancelled => return Ok(()),
            s if messages::is_warning(s) => return Ok(()),
            s => return Err(refused(assoc, &cmd, s)),
        }
    }
}

pub use retrieve::retrieve;
pub use store::send;
