//! C-STORE of files: each file's SOP class proposed in its own transfer syntax and in
//! both uncompressed ones, its data set sent as the file holds it when that syntax is
//! accepted. An uncompressed file may go in the other uncompressed syntax (rewritten
//! without loss); a compressed one the server will not take as it is fails with the
//! reason, never transcoded. Files go on as few associations as their contexts allow.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;

use super::association::{Association, NO_CONTEXT_ACCEPTED, Proposed};
use super::contexts::{MAX_CONTEXTS, NATIVE};
use super::messages::{self, field, status};
use super::{
    Cancel, DimseServer, MAX_INSTANCE, PacsError, Progress, SendReport, TRANSFER_TIMEOUT,
    expect_response, refused,
};
use crate::dicom_file::{self, Sniff, walk};
use crate::pacs::transfer::SendFailure;

/// What a file is, read from its header before any association.
struct Plan {
    sop_class: String,
    sop_instance: String,
    ts: String,
}

/// The header of `path`: SOP class and instance, transfer syntax; why not, for a file
/// that cannot be sent.
fn plan(path: &Path) -> Result<Plan, String> {
    let file = dicom_file::open(path, true).map_err(|e| e.to_string())?;
    if file.is_dicomdir() {
        return Err("a DICOMDIR (an index of files), not an instance".into());
    }
    let sop_class = file
        .media_storage_sop_class
        .clone()
        .or_else(|| crate::attrs::text(&file.dataset, tags::SOP_CLASS_UID))
        .ok_or("it has no SOP Class UID")?;
    let sop_instance = crate::attrs::text(&file.dataset, tags::SOP_INSTANCE_UID)
        .ok_or("it has no SOP Instance UID")?;
    Ok(Plan {
        sop_class,
        sop_instance,
        ts: file.transfer_syntax,
    })
}

/// The (SOP class, transfer syntax) contexts a file needs: each uncompressed syntax
/// alone (so that an uncompressed file goes as it is) and its own.
fn needs(plan: &Plan) -> impl Iterator<Item = (&str, &str)> {
    let own = (!NATIVE.contains(&plan.ts.as_str())).then_some(plan.ts.as_str());
    NATIVE
        .into_iter()
        .chain(own)
        .map(|ts| (plan.sop_class.as_str(), ts))
}

/// The files from `start` that one association can take, and the contexts they need.
fn batch(plans: &[Result<Plan, String>], start: usize) -> (usize, Vec<(&str, &str)>) {
    let mut contexts: Vec<(&str, &str)> = Vec::new();
    let mut end = start;
    while let Some(next) = plans.get(end) {
        if let Ok(plan) = next {
            let new: Vec<_> = needs(plan).filter(|c| !contexts.contains(c)).collect();
            if contexts.len() + new.len() > MAX_CONTEXTS && !contexts.is_empty() {
                break;
            }
            contexts.extend(new);
        }
        end += 1;
    }
    (end, contexts)
}

/// A send in progress: the report and the progress shown.
struct Sending<'a> {
    report: SendReport,
    shown: Progress,
    progress: &'a mut dyn FnMut(&Progress),
}

impl Sending<'_> {
    /// One file done: sent (`Ok(bytes)`) or not (`Err(why)`).
    fn done(&mut self, path: &Path, outcome: Result<u64, String>) {
        match outcome {
            Ok(bytes) => {
                self.report.sent += 1;
                self.shown.bytes += bytes;
            }
            Err(reason) => self.report.failed.push(SendFailure {
                path: path.to_owned(),
                reason,
            }),
        }
        self.shown.done += 1;
        (self.progress)(&self.shown);
    }
}

/// C-STORE of each file, in its own transfer syntax when the server takes it (an
/// uncompressed one may be rewritten in another uncompressed syntax, a compressed one
/// is never transcoded). A file that cannot be read or is refused is listed with why
/// and the rest go on. `progress` after each file; `cancel` stops between files.
pub fn send(
    server: &DimseServer,
    files: &[PathBuf],
    progress: &mut dyn FnMut(&Progress),
    cancel: &Cancel,
) -> Result<SendReport, PacsError> {
    let plans: Vec<Result<Plan, String>> = files.iter().map(|p| plan(p)).collect();
    let mut sending = Sending {
        report: SendReport::default(),
        shown: Progress {
            done: 0,
            total: files.len(),
            bytes: 0,
        },
        progress,
    };
    let cancelled = || PacsError::Cancelled {
        server: server.to_string(),
    };
    let mut start = 0;
    while start < files.len() {
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        let (end, wanted) = batch(&plans, start);
        let proposed: Vec<Proposed> = wanted
            .iter()
            .map(|(class, ts)| Proposed {
                abstract_syntax: class,
                transfer_syntaxes: vec![ts],
            })
            .collect();
        let assoc = if proposed.is_empty() {
            None
        } else {
            match Association::open(server, &proposed, &[], "storing files", TRANSFER_TIMEOUT) {
                Ok(assoc) => Some(assoc),
                Err(PacsError::Refused { status, .. }) if status == NO_CONTEXT_ACCEPTED => None,
                Err(e) => return Err(e),
            }
        };
        let files = files[start..end].iter().zip(&plans[start..end]);
        match assoc {
            None => {
                for (path, plan) in files {
                    let why = match plan {
                        Err(reason) => reason.clone(),
                        Ok(_) => format!(
                            "{server} accepts none of the SOP classes and transfer syntaxes proposed"
                        ),
                    };
                    sending.done(path, Err(why));
                }
            }
            Some(mut assoc) => {
                let mut result = Ok(());
                for (path, plan) in files {
                    if cancel.is_cancelled() {
                        result = Err(cancelled());
                        break;
                    }
                    let outcome = match plan {
                        Err(reason) => Err(reason.clone()),
                        Ok(plan) => match store_one(&mut assoc, path, plan) {
                            Ok(outcome) => outcome,
                            Err(e) => {
                                result = Err(e);
                                break;
                            }
                        },
                    };
                    sending.done(path, outcome);
                }
                assoc.finish();
                result?;
            }
        }
        start = end;
    }
    Ok(sending.report)
}

/// Stores one file on an open association: `Ok(Ok(bytes sent))`, `Ok(Err(why not))`
/// for a file the server would not take, `Err` when the association failed.
fn store_one(
    assoc: &mut Association,
    path: &Path,
    plan: &Plan,
) -> Result<Result<u64, String>, PacsError> {
    assoc.set_what(format!("storing {}", path.display()));
    let class = plan.sop_class.as_str();
    let as_it_is = assoc.context(class, Some(&plan.ts));
    let native = || NATIVE.iter().find_map(|ts| assoc.context(class, Some(ts)));
    let prepared = match (as_it_is, messages::is_native(&plan.ts)) {
        (Some((pc, _)), _) => data_set_as_stored(path).map(|data| (pc, data)),
        (None, true) => match native() {
            Some((pc, ts)) => rewritten(path, &ts).map(|data| (pc, data)),
            None => Err(format!(
                "{} does not accept SOP class {class}",
                assoc.name()
            )),
        },
        (None, false) => Err(format!(
            "{} does not accept SOP class {class} in the file's transfer syntax {} (compressed files are not transcoded)",
            assoc.name(),
            plan.ts
        )),
    };
    let (pc, data) = match prepared {
        Ok(ready) => ready,
        Err(why) => return Ok(Err(why)),
    };
    let id = assoc.message_id();
    let command = messages::store_request(class, &plan.sop_instance, id);
    assoc.send(pc, command, Some(&data))?;
    let cmd = assoc.command()?;
    match expect_response(assoc, &cmd, field::C_STORE_RSP, id)? {
        status::SUCCESS => Ok(Ok(data.len() as u64)),
        s if messages::is_warning(s) => Ok(Ok(data.len() as u64)),
        s => Ok(Err(refused(assoc, &cmd, s).to_string())),
    }
}

/// The file's data set as it is stored in it (the bytes after the file meta).
fn data_set_as_stored(path: &Path) -> Result<Vec<u8>, String> {
    let unreadable = |e: std::io::Error| format!("cannot read it: {e}");
    let len = std::fs::metadata(path).map_err(unreadable)?.len();
    if len > MAX_INSTANCE {
        return Err(format!("it is larger than {MAX_INSTANCE} bytes"));
    }
    let mut bytes = std::fs::read(path).map_err(unreadable)?;
    let start = match dicom_file::sniff(&bytes[..bytes.len().min(132)]) {
        Sniff::Preamble => 128,
        Sniff::NoPreamble => 0,
        Sniff::BareDataset => return Ok(bytes),
        Sniff::NotDicom => return Err("not a DICOM file".into()),
    };
    let rest = &bytes[start..];
    let meta = walk::walk_meta(&mut walk::SeekSource::new(
        Cursor::new(rest),
        rest.len() as u64,
    ))
    .map_err(|e| format!("invalid DICOM: {e}"))?;
    bytes.drain(..start + meta.bytes as usize);
    // A deflated data set may end on an odd byte; on the network it is padded to even
    // length with one NUL (PS3.5 A.5).
    if bytes.len() % 2 == 1 {
        bytes.push(0);
    }
    Ok(bytes)
}

/// The file's data set rewritten in the uncompressed transfer syntax `ts`.
fn rewritten(path: &Path, ts: &str) -> Result<Vec<u8>, String> {
    let file = dicom_file::open(path, false).map_err(|e| e.to_string())?;
    messages::encode_data_set(&file.dataset, ts)
}
