//! One association with the server: negotiated with dicom-ul (sync, plain TCP), then
//! DIMSE messages sent and received over it as command and data fragments.
//!
//! The socket's read time-out is a short tick, not the limit: a wait for the next PDU
//! wakes every tick to look at the caller's cancel flag, and gives up with
//! [`PacsError::Timeout`] only when nothing complete arrived within the limit. (dicom-ul
//! keeps the bytes of a PDU read in part, so a tick in the middle of one loses nothing.)
//! Every error names the server; one from the network or a broken reply marks the
//! association broken, and [`Association::finish`] then aborts it instead of releasing.

use std::collections::VecDeque;
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use dicom_ul::association::Error as UlError;
use dicom_ul::pdu::{AssociationRJ, AssociationRJResult, PDataValue, PDataValueType, Pdu};
use dicom_ul::{ClientAssociation, ClientAssociationOptions};

use super::messages::Command;
use super::{CONNECT_TIMEOUT, DimseServer, PacsError};
use crate::dicom_file::error_chain;

/// The largest PDU we accept (the server splits what it sends to fit).
const MAX_PDU: u32 = 256 << 10;
/// How often a wait for the server wakes up to look at the cancel flag.
const TICK: Duration = Duration::from_millis(200);
/// The most bytes of one command set (a few hundred in practice).
const MAX_COMMAND: usize = 64 << 10;
/// The refusal status when the server accepted none of the contexts proposed.
pub const NO_CONTEXT_ACCEPTED: &str = "no presentation context accepted";
/// How long the release may take.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(10);

/// A presentation context to propose: an abstract syntax and the transfer syntaxes
/// it may use.
pub struct Proposed<'a> {
    /// The SOP class (or service) UID.
    pub abstract_syntax: &'a str,
    /// Transfer syntax UIDs, preferred first.
    pub transfer_syntaxes: Vec<&'a str>,
}

/// An established association and what is half read on it.
pub struct Association<'a> {
    server: &'a DimseServer,
    name: String,
    what: String,
    limit: Duration,
    ul: ClientAssociation<TcpStream>,
    pending: VecDeque<PDataValue>,
    command: Vec<u8>,
    next_id: u16,
    broken: bool,
}

/// Whether an I/O error is a read or write time-out.
fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// The I/O error under a dicom-ul error, if one caused it.
fn io_cause<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

/// An A-ASSOCIATE-RJ in words, with what to check.
fn rejection(rj: &AssociationRJ, server: &DimseServer) -> String {
    use dicom_ul::pdu::{AssociationRJServiceUserReason as User, AssociationRJSource as Source};
    let hint = match &rj.source {
        Source::ServiceUser(User::CalledAETitleNotRecognized) => {
            format!(": is {} its AE title?", server.called_aet)
        }
        Source::ServiceUser(User::CallingAETitleNotRecognized) => {
            format!(": the server must know our AE title {}", server.calling_aet)
        }
        _ => String::new(),
    };
    let kind = match rj.result {
        AssociationRJResult::Permanent => "permanent",
        AssociationRJResult::Transient => "transient, try again later",
    };
    format!("{} ({kind}){hint}", rj.source)
}

impl<'a> Association<'a> {
    /// Connects to `server` and negotiates `contexts`, offering the SCP role for the
    /// SOP classes in `scp_roles` (C-GET's C-STORE sub-operations). `what` names the
    /// operation in errors; `limit` is how long the server may stay silent.
    pub fn open(
        server: &'a DimseServer,
        contexts: &[Proposed<'_>],
        scp_roles: &[&str],
        what: &str,
        limit: Duration,
    ) -> Result<Self, PacsError> {
        let mut options = ClientAssociationOptions::new()
            .calling_ae_title(server.calling_aet.as_str())
            .called_ae_title(server.called_aet.as_str())
            .max_pdu_length(MAX_PDU)
            .connection_timeout(CONNECT_TIMEOUT)
            .read_timeout(limit)
            .write_timeout(limit);
        for pc in contexts {
            options =
                options.with_presentation_context(pc.abstract_syntax, pc.transfer_syntaxes.clone());
        }
        for class in scp_roles {
            options = options.with_role_selection(*class, false, true);
        }
        let name = server.to_string();
        let port = server.port;
        let ul = options.establish(server.socket_address()).map_err(|e| {
            match classify(&name, server, e, "the association request", limit) {
                PacsError::BadReply {
                    server,
                    what,
                    reason,
                } => PacsError::BadReply {
                    reason: format!(
                        "the answer is not DICOM (is {port} its DICOM port?): {reason}"
                    ),
                    server,
                    what,
                },
                e => e,
            }
        })?;
        let mut assoc = Self {
            server,
            name,
            what: what.to_owned(),
            limit,
            ul,
            pending: VecDeque::new(),
            command: Vec::new(),
            next_id: 0,
            broken: false,
        };
        assoc.set_read_timeout(TICK)?;
        Ok(assoc)
    }

    /// The server as errors name it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Names the operation in progress, for errors.
    pub fn set_what(&mut self, what: impl Into<String>) {
        self.what = what.into();
    }

    /// The operation in progress.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// The accepted presentation context for `abstract_syntax` in transfer syntax `ts`
    /// (any, when `None`): its id and transfer syntax.
    pub fn context(&self, abstract_syntax: &str, ts: Option<&str>) -> Option<(u8, String)> {
        self.ul
            .presentation_contexts()
            .iter()
            .map(|pc| {
                (
                    pc.id,
                    pc.abstract_syntax.trim_end_matches(['\0', ' ']),
                    pc.transfer_syntax.trim_end_matches(['\0', ' ']),
                )
            })
            .find(|(_, a, t)| *a == abstract_syntax && ts.is_none_or(|ts| ts == *t))
            .map(|(id, _, t)| (id, t.to_owned()))
    }

    /// The transfer syntax of accepted presentation context `id`.
    pub fn syntax_of(&self, id: u8) -> Option<String> {
        self.ul
            .presentation_contexts()
            .iter()
            .find(|pc| pc.id == id)
            .map(|pc| pc.transfer_syntax.trim_end_matches(['\0', ' ']).to_owned())
    }

    /// A new Message ID.
    pub fn message_id(&mut self) -> u16 {
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        self.next_id
    }

    /// A failure in the reply, marking the association broken.
    pub fn bad_reply(&mut self, reason: impl Into<String>) -> PacsError {
        self.broken = true;
        PacsError::BadReply {
            server: self.name.clone(),
            what: self.what.clone(),
            reason: reason.into(),
        }
    }

    /// Marks the association broken: it will be aborted, not released.
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }

    /// A dicom-ul error as ours, marking the association broken.
    fn failed(&mut self, e: UlError) -> PacsError {
        self.broken = true;
        classify(&self.name, self.server, e, &self.what, self.limit)
    }

    /// An I/O error while sending, marking the association broken.
    fn io_failed(&mut self, e: &std::io::Error) -> PacsError {
        self.broken = true;
        io_error(&self.name, e, &self.what, self.limit)
    }

    fn set_read_timeout(&mut self, timeout: Duration) -> Result<(), PacsError> {
        self.ul
            .inner_stream()
            .set_read_timeout(Some(timeout))
            .map_err(|e| {
                self.broken = true;
                PacsError::Connect {
                    server: self.name.clone(),
                    reason: e.to_string(),
                }
            })
    }

    /// Sends a message: its command set, then its data set if there is one.
    pub fn send(
        &mut self,
        context: u8,
        command: Vec<u8>,
        data: Option<&[u8]>,
    ) -> Result<(), PacsError> {
        let pdu = Pdu::PData {
            data: vec![PDataValue {
                presentation_context_id: context,
                value_type: PDataValueType::Command,
                is_last: true,
                data: command,
            }],
        };
        self.ul.send(&pdu).map_err(|e| self.failed(e))?;
        if let Some(data) = data {
            let mut writer = self.ul.send_pdata(context);
            let sent = writer.write_all(data).and_then(|()| writer.finish());
            sent.map_err(|e| self.io_failed(&e))?;
        }
        Ok(())
    }

    /// The next PDU; `None` when `interrupt` said so while waiting.
    fn receive(&mut self, interrupt: &dyn Fn() -> bool) -> Result<Option<Pdu>, PacsError> {
        let started = Instant::now();
        loop {
            match self.ul.receive() {
                Ok(pdu) => return Ok(Some(pdu)),
                Err(e) if io_cause(&e).is_some_and(is_timeout) => {
                    if interrupt() {
                        return Ok(None);
                    }
                    if started.elapsed() >= self.limit {
                        self.broken = true;
                        return Err(PacsError::Timeout {
                            server: self.name.clone(),
                            what: self.what.clone(),
                            seconds: self.limit.as_secs(),
                        });
                    }
                }
                Err(e) => return Err(self.failed(e)),
            }
        }
    }

    /// The next presentation data value; `None` when interrupted.
    fn next_value(
        &mut self,
        interrupt: &dyn Fn() -> bool,
    ) -> Result<Option<PDataValue>, PacsError> {
        loop {
            if let Some(value) = self.pending.pop_front() {
                return Ok(Some(value));
            }
            match self.receive(interrupt)? {
                None => return Ok(None),
                Some(Pdu::PData { data }) => self.pending.extend(data),
                Some(Pdu::AbortRQ { source }) => {
                    return Err(self.bad_reply(format!("it aborted the association ({source:?})")));
                }
                Some(Pdu::ReleaseRQ) => {
                    return Err(self.bad_reply("it asked to release the association midway"));
                }
                Some(other) => {
                    let text = other.short_description().to_string();
                    return Err(self.bad_reply(format!("an unexpected PDU: {text}")));
                }
            }
        }
    }

    /// The next command set; `None` when `interrupt` said so while waiting (what had
    /// arrived of the command is kept for the next call).
    pub fn read_command(
        &mut self,
        interrupt: &dyn Fn() -> bool,
    ) -> Result<Option<Command>, PacsError> {
        loop {
            let Some(value) = self.next_value(interrupt)? else {
                return Ok(None);
            };
            if value.value_type != PDataValueType::Command {
                return Err(self.bad_reply("a data set where a command was expected"));
            }
            if self.command.len() + value.data.len() > MAX_COMMAND {
                return Err(self.bad_reply(format!("a command set over {MAX_COMMAND} bytes")));
            }
            self.command.extend_from_slice(&value.data);
            if value.is_last {
                let bytes = std::mem::take(&mut self.command);
                return Command::parse(value.presentation_context_id, &bytes)
                    .map(Some)
                    .map_err(|e| self.bad_reply(e));
            }
        }
    }

    /// The next command set, waited for as long as the limit allows.
    pub fn command(&mut self) -> Result<Command, PacsError> {
        loop {
            if let Some(cmd) = self.read_command(&|| false)? {
                return Ok(cmd);
            }
        }
    }

    /// The data set after a command on `context`, appended to `into`; more than
    /// `max` bytes in all is an error.
    pub fn read_data(
        &mut self,
        context: u8,
        into: &mut Vec<u8>,
        max: u64,
    ) -> Result<(), PacsError> {
        loop {
            let Some(value) = self.next_value(&|| false)? else {
                continue;
            };
            if value.value_type != PDataValueType::Data {
                return Err(self.bad_reply("a command where a data set was expected"));
            }
            if value.presentation_context_id != context {
                return Err(self.bad_reply(format!(
                    "a data set on presentation context {} after a command on {context}",
                    value.presentation_context_id
                )));
            }
            if (into.len() + value.data.len()) as u64 > max {
                return Err(self.bad_reply(format!("a data set larger than {max} bytes")));
            }
            if into.is_empty() {
                // The first fragment replaces the allocation instead of being copied.
                *into = value.data;
            } else {
                into.extend_from_slice(&value.data);
            }
            if value.is_last {
                return Ok(());
            }
        }
    }

    /// Ends the association: released when it is in order, aborted when broken. A
    /// failure to release changes nothing for the caller: the work is done.
    pub fn finish(mut self) {
        if self.broken {
            let _ = self.ul.abort();
        } else {
            let _ = self.set_read_timeout(RELEASE_TIMEOUT);
            let _ = self.ul.release();
        }
    }
}

/// A dicom-ul error in our terms.
fn classify(
    name: &str,
    server: &DimseServer,
    e: UlError,
    what: &str,
    limit: Duration,
) -> PacsError {
    let bad = |reason: String| PacsError::BadReply {
        server: name.to_owned(),
        what: what.to_owned(),
        reason,
    };
    match &e {
        UlError::Rejected { association_rj, .. } => PacsError::Refused {
            server: name.to_owned(),
            what: "the association".into(),
            status: "association rejected".into(),
            detail: rejection(association_rj, server),
        },
        UlError::NoAcceptedPresentationContexts { .. } => PacsError::Refused {
            server: name.to_owned(),
            what: what.to_owned(),
            status: NO_CONTEXT_ACCEPTED.into(),
            detail: "it offers none of the services or SOP classes proposed".into(),
        },
        UlError::Connect { source, .. } if is_timeout(source) => PacsError::Timeout {
            server: name.to_owned(),
            what: "the connection".into(),
            seconds: CONNECT_TIMEOUT.as_secs(),
        },
        UlError::Connect { source, .. } | UlError::ToAddress { source, .. } => PacsError::Connect {
            server: name.to_owned(),
            reason: source.to_string(),
        },
        UlError::ConnectionClosed { .. } => bad("it closed the connection".into()),
        UlError::Aborted { .. } => bad("it aborted the association".into()),
        _ => match io_cause(&e) {
            Some(io) => io_error(name, io, what, limit),
            None => bad(error_chain(&e)),
        },
    }
}

/// An I/O error on an open connection in our terms.
fn io_error(name: &str, e: &std::io::Error, what: &str, limit: Duration) -> PacsError {
    use std::io::ErrorKind as K;
    if is_timeout(e) {
        return PacsError::Timeout {
            server: name.to_owned(),
            what: what.to_owned(),
            seconds: limit.as_secs(),
        };
    }
    match e.kind() {
        K::ConnectionRefused
        | K::ConnectionReset
        | K::ConnectionAborted
        | K::NotConnected
        | K::BrokenPipe
        | K::UnexpectedEof => PacsError::Connect {
            server: name.to_owned(),
            reason: format!("the connection was lost during {what}: {e}"),
        },
        _ => PacsError::BadReply {
            server: name.to_owned(),
            what: what.to_owned(),
            reason: e.to_string(),
        },
    }
}
