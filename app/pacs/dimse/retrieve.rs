//! C-GET of one study on one association: list its instances (C-FIND, series then
//! images), ask only for those missing from the folder (the whole study when none is
//! there, else per series by SOP Instance UID), and answer each C-STORE sub-operation
//! by writing the instance as it came. A server that will not list gets one C-GET of
//! the study, and [`StudyFolder::store_part10`] skips what is there.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;

use super::association::Association;
use super::messages::{self, Command, field, status};
use super::{
    Cancel, DimseServer, MAX_INSTANCE, PacsError, Progress, RetrieveReport, TRANSFER_TIMEOUT,
    contexts, finish, query_on, refused, send_query_request,
};
use crate::pacs::local::{Stored, StudyFolder, check_uid};

/// Study Root Query/Retrieve – GET.
const GET: &str = uids::STUDY_ROOT_QUERY_RETRIEVE_INFORMATION_MODEL_GET;
/// How long the server has to stop after a C-CANCEL before the association is aborted.
const CANCEL_GRACE: Duration = Duration::from_secs(10);
/// The most SOP Instance UIDs asked for in one C-GET (an explicit VR UI value holds
/// at most 64 KiB).
const UIDS_PER_GET: usize = 200;

/// C-GET of a study into `out/<study UID>/<series UID>/<SOP Instance UID>.dcm`: the
/// instances listed by C-FIND, those missing from the folder asked for, each stored as
/// it arrives. `progress` after each instance; `cancel` sends C-CANCEL (what arrived
/// stays).
pub fn retrieve(
    server: &DimseServer,
    study_uid: &str,
    out: &Path,
    progress: &mut dyn FnMut(&Progress),
    cancel: &Cancel,
) -> Result<RetrieveReport, PacsError> {
    let mut proposed = vec![contexts::service(super::FIND), contexts::service(GET)];
    proposed.extend(contexts::storage());
    let classes: Vec<&str> = contexts::storage_classes().collect();
    let what = format!("the retrieval of study {study_uid}");
    let mut assoc = Association::open(server, &proposed, &classes, &what, TRANSFER_TIMEOUT)?;
    let result = Retrieval::run(&mut assoc, study_uid, out, progress, cancel);
    finish(assoc, result)
}

/// A retrieval in progress.
struct Retrieval<'a> {
    study_uid: &'a str,
    folder: StudyFolder,
    report: RetrieveReport,
    shown: Progress,
    progress: &'a mut dyn FnMut(&Progress),
    cancel: &'a Cancel,
    /// Whether the instances already present were counted from the listing (so one
    /// that arrives again is not counted twice).
    listed: bool,
    /// The first instance that could not be stored.
    failure: Option<PacsError>,
}

/// How a C-GET ended.
struct Outcome {
    status: u16,
    response: Command,
}

impl<'a> Retrieval<'a> {
    fn run(
        assoc: &mut Association,
        study_uid: &'a str,
        out: &Path,
        progress: &'a mut dyn FnMut(&Progress),
        cancel: &'a Cancel,
    ) -> Result<RetrieveReport, PacsError> {
        let listed = list_instances(assoc, study_uid)?;
        if listed.as_ref().is_some_and(Vec::is_empty) {
            return Err(no_instances(assoc, study_uid));
        }
        let folder = StudyFolder::open(out, study_uid)?;
        let mut this = Retrieval {
            study_uid,
            report: RetrieveReport {
                study_uid: study_uid.to_owned(),
                folder: folder.folder().to_owned(),
                ..RetrieveReport::default()
            },
            folder,
            shown: Progress::default(),
            progress,
            cancel,
            listed: listed.is_some(),
            failure: None,
        };
        match &listed {
            Some(all) => this.missing_only(assoc, all)?,
            None => {
                (this.progress)(&this.shown);
                this.get(assoc, &study_identifier(study_uid))?;
                if this.shown.done == 0 {
                    return Err(no_instances(assoc, study_uid));
                }
            }
        }
        if let Some(all) = &listed {
            let missing = all.iter().filter(|(_, sop)| !this.folder.has(sop)).count();
            if missing > 0 {
                return Err(PacsError::Refused {
                    server: assoc.name().to_owned(),
                    what: assoc.what().to_owned(),
                    status: "incomplete".into(),
                    detail: format!(
                        "{missing} of the {} instances it listed did not arrive",
                        all.len()
                    ),
                });
            }
        }
        Ok(this.report)
    }

    /// Asks for the listed instances not in the folder: the whole study when none is
    /// there, else series by series.
    fn missing_only(
        &mut self,
        assoc: &mut Association,
        all: &[(String, String)],
    ) -> Result<(), PacsError> {
        let todo: Vec<&(String, String)> = all
            .iter()
            .filter(|(_, sop)| !self.folder.has(sop))
            .collect();
        self.report.already_present = all.len() - todo.len();
        self.shown = Progress {
            done: self.report.already_present,
            total: all.len(),
            bytes: 0,
        };
        (self.progress)(&self.shown);
        if todo.is_empty() {
            return Ok(());
        }
        if todo.len() == all.len() {
            return self.get(assoc, &study_identifier(self.study_uid));
        }
        let mut series: Vec<(&str, Vec<&str>)> = Vec::new();
        for (se, sop) in todo {
            match series.iter_mut().find(|(s, _)| s == se) {
                Some((_, sops)) => sops.push(sop),
                None => series.push((se, vec![sop])),
            }
        }
        for (se, sops) in series {
            for chunk in sops.chunks(UIDS_PER_GET) {
                let keys = [
                    (tags::STUDY_INSTANCE_UID, self.study_uid.to_owned()),
                    (tags::SERIES_INSTANCE_UID, se.to_owned()),
                    (tags::SOP_INSTANCE_UID, chunk.join("\\")),
                ];
                self.get(assoc, &messages::identifier("IMAGE", &keys, &[]))?;
            }
        }
        Ok(())
    }

    /// One C-GET, its sub-operations answered, its final status checked.
    fn get(
        &mut self,
        assoc: &mut Association,
        identifier: &InMemDicomObject,
    ) -> Result<(), PacsError> {
        if self.cancel.is_cancelled() {
            return Err(PacsError::Cancelled {
                server: assoc.name().to_owned(),
            });
        }
        let outcome = self.exchange(assoc, identifier);
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        let Outcome { status, response } = outcome?;
        match status {
            status::SUCCESS => Ok(()),
            _ if self.cancel.is_cancelled() => Err(PacsError::Cancelled {
                server: assoc.name().to_owned(),
            }),
            status::SUBOPERATIONS_FAILED => {
                let failed = response
                    .number(tags::NUMBER_OF_FAILED_SUBOPERATIONS)
                    .unwrap_or(0);
                let mut e = refused(assoc, &response, status);
                if let PacsError::Refused { detail, .. } = &mut e {
                    *detail = format!(
                        "{failed} instance(s) were not sent (of a SOP class or in a transfer syntax we did not propose?){}",
                        if detail.is_empty() {
                            String::new()
                        } else {
                            format!("; {detail}")
                        }
                    );
                }
                Err(e)
            }
            s if messages::is_warning(s) => Ok(()),
            s => Err(refused(assoc, &response, s)),
        }
    }

    /// Sends the C-GET-RQ and answers what comes until its final response. A cancel,
    /// or an instance that could not be stored, sends C-CANCEL; a server that does not
    /// stop within [`CANCEL_GRACE`] has the association aborted.
    fn exchange(
        &mut self,
        assoc: &mut Association,
        identifier: &InMemDicomObject,
    ) -> Result<Outcome, PacsError> {
        let (pc, _, id) = send_query_request(
            assoc,
            (GET, "Study Root Query/Retrieve – GET"),
            field::C_GET_RQ,
            identifier,
        )?;
        let mut cancel_sent: Option<Instant> = None;
        loop {
            if cancel_sent.is_none() && (self.cancel.is_cancelled() || self.failure.is_some()) {
                assoc.send(pc, messages::cancel_request(id), None)?;
                cancel_sent = Some(Instant::now());
            }
            let deadline = cancel_sent.map(|at| at + CANCEL_GRACE);
            let cancel = self.cancel;
            let waiting = cancel_sent.is_none();
            let interrupt = move || {
                (waiting && cancel.is_cancelled()) || deadline.is_some_and(|d| Instant::now() >= d)
            };
            let Some(cmd) = assoc.read_command(&interrupt)? else {
                if cancel_sent.is_some() {
                    assoc.mark_broken();
                    return Err(self.failure.take().unwrap_or_else(|| PacsError::Cancelled {
                        server: assoc.name().to_owned(),
                    }));
                }
                continue;
            };
            match cmd.field() {
                Some(field::C_STORE_RQ) => self.store(assoc, &cmd)?,
                Some(field::C_GET_RSP) => {
                    let status = super::expect_response(assoc, &cmd, field::C_GET_RSP, id)?;
                    if matches!(status, status::PENDING | status::PENDING_WARNING) {
                        self.total_from(&cmd);
                        continue;
                    }
                    return Ok(Outcome {
                        status,
                        response: cmd,
                    });
                }
                other => {
                    let got = other.map_or_else(|| "none".into(), messages::status_text);
                    return Err(assoc.bad_reply(format!("command {got} during a C-GET")));
                }
            }
        }
    }

    /// Without a listing, the total from a pending response's sub-operation counts.
    fn total_from(&mut self, cmd: &Command) {
        if self.listed || self.shown.total > 0 {
            return;
        }
        let n = |tag| usize::from(cmd.number(tag).unwrap_or(0));
        self.shown.total = n(tags::NUMBER_OF_REMAINING_SUBOPERATIONS)
            + n(tags::NUMBER_OF_COMPLETED_SUBOPERATIONS)
            + n(tags::NUMBER_OF_FAILED_SUBOPERATIONS)
            + n(tags::NUMBER_OF_WARNING_SUBOPERATIONS);
    }

    /// One C-STORE sub-operation: the data set after a file meta of ours, stored, and
    /// the response (success, or why not).
    fn store(&mut self, assoc: &mut Association, cmd: &Command) -> Result<(), PacsError> {
        let class = cmd.text(tags::AFFECTED_SOP_CLASS_UID);
        let instance = cmd.text(tags::AFFECTED_SOP_INSTANCE_UID);
        let Some(message_id) = cmd.number(tags::MESSAGE_ID) else {
            return Err(assoc.bad_reply("a C-STORE request without a Message ID"));
        };
        if !cmd.has_data_set() {
            return Err(assoc.bad_reply("a C-STORE request without a data set"));
        }
        let Some(ts) = assoc.syntax_of(cmd.context) else {
            return Err(assoc.bad_reply(format!(
                "a C-STORE request on presentation context {}, which was not accepted",
                cmd.context
            )));
        };
        let header = messages::part10_header(&class, &instance, &ts);
        let mut bytes = header.as_ref().map_or_else(|_| Vec::new(), Clone::clone);
        assoc.read_data(cmd.context, &mut bytes, MAX_INSTANCE)?;
        let stored = match header {
            Ok(_) => self.folder.store_part10(assoc.name(), &bytes),
            Err(reason) => Err(PacsError::BadReply {
                server: assoc.name().to_owned(),
                what: assoc.what().to_owned(),
                reason,
            }),
        };
        drop(bytes);
        let (status, comment) = match stored {
            Ok(Stored::New(_, size)) => {
                self.report.retrieved += 1;
                self.report.bytes += size;
                self.shown.bytes += size;
                self.shown.done += 1;
                (self.progress)(&self.shown);
                (status::SUCCESS, String::new())
            }
            Ok(Stored::AlreadyPresent(_)) => {
                if !self.listed {
                    self.report.already_present += 1;
                    self.shown.done += 1;
                    (self.progress)(&self.shown);
                }
                (status::SUCCESS, String::new())
            }
            Err(e) => {
                let status = match e {
                    PacsError::Local { .. } => status::OUT_OF_RESOURCES,
                    _ => status::CANNOT_UNDERSTAND,
                };
                let comment = e.to_string();
                self.failure.get_or_insert(e);
                (status, comment)
            }
        };
        let response = messages::store_response(&class, &instance, message_id, status, &comment);
        assoc.send(cmd.context, response, None)
    }
}

/// The refusal of a study the server does not hold.
fn no_instances(assoc: &Association, study_uid: &str) -> PacsError {
    PacsError::Refused {
        server: assoc.name().to_owned(),
        what: format!("study {study_uid}"),
        status: "no instances".into(),
        detail: "the server does not hold that study".into(),
    }
}

/// The identifier of a whole study.
fn study_identifier(study_uid: &str) -> InMemDicomObject {
    messages::identifier(
        "STUDY",
        &[(tags::STUDY_INSTANCE_UID, study_uid.to_owned())],
        &[],
    )
}

/// The study's instances as (series UID, SOP Instance UID), found hierarchically as
/// every archive allows: its series (C-FIND at series level), then each series'
/// instances (at image level). `None` when the server offers no C-FIND or refuses
/// the queries (then the study is asked for whole).
fn list_instances(
    assoc: &mut Association,
    study_uid: &str,
) -> Result<Option<Vec<(String, String)>>, PacsError> {
    let study = (tags::STUDY_INSTANCE_UID, study_uid.to_owned());
    let listed = list_uids(
        assoc,
        "SERIES",
        std::slice::from_ref(&study),
        tags::SERIES_INSTANCE_UID,
    )
    .and_then(|all_series| {
        let mut instances = Vec::new();
        for series in all_series {
            let keys = [study.clone(), (tags::SERIES_INSTANCE_UID, series.clone())];
            let sops = list_uids(assoc, "IMAGE", &keys, tags::SOP_INSTANCE_UID)?;
            instances.extend(sops.into_iter().map(|sop| (series.clone(), sop)));
        }
        Ok(instances)
    });
    match listed {
        Ok(instances) => Ok(Some(instances)),
        Err(PacsError::Refused { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The distinct values of UID `asked` in the matches of a C-FIND at `level`, each
/// checked to be a UID (they name folders and files).
fn list_uids(
    assoc: &mut Association,
    level: &str,
    keys: &[(dicom_core::Tag, String)],
    asked: dicom_core::Tag,
) -> Result<Vec<String>, PacsError> {
    let identifier = messages::identifier(level, keys, &[asked]);
    let mut listed = Vec::new();
    let mut seen = HashSet::new();
    query_on(assoc, &identifier, None, &mut |assoc, obj| {
        let uid = crate::attrs::text(&obj, asked).unwrap_or_default();
        check_uid(&uid).map_err(|e| assoc.bad_reply(format!("a {level} listed: {e}")))?;
        if seen.insert(uid.clone()) {
            listed.push(uid);
        }
        Ok(())
    })?;
    Ok(listed)
}
