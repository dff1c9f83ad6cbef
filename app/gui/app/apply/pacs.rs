//! The PACS: the servers of Settings ▸ PACS servers (edited, removed, tested with an
//! echo as a `Job`), and the PACS window's search (a `Job`), retrieval and send (a
//! [`Transfer`] each, with progress and Cancel). Nothing is contacted unless one of
//! these commands asks.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::super::LightboxApp;
use crate::annotate::export::{ExportFormat, export};
use crate::annotate::{LabelSet, Shape};
use crate::fsutil::{ShowPath, data_dir};
use crate::gui::job::Job;
use crate::gui::pacs_ui::{
    Echo, Found, Outcome, PacsCommand, ServerDraft, Step, Transfer, TransferKind,
};
use crate::i18n::Strings;
use crate::index::Index;
use crate::pacs::{Cancel, NamedServer, PacsError, Progress, Server};

/// Where retrieved studies go until the user chooses a folder: `PACS` in our data
/// folder (`%APPDATA%\Lightbox\PACS`, `~/.local/share/lightbox/PACS`).
fn default_pacs_folder() -> PathBuf {
    data_dir().join("PACS")
}

impl LightboxApp {
    /// Applies a PACS command.
    pub(super) fn apply_pacs(&mut self, ctx: &egui::Context, command: PacsCommand) {
        use PacsCommand as P;
        match command {
            P::EditServer(None) => self.pacs.draft = Some(ServerDraft::default()),
            P::EditServer(Some(i)) => {
                self.pacs.draft = self
                    .state
                    .pacs_servers
                    .get(i)
                    .map(|named| ServerDraft::of(i, named));
            }
            P::SetDraft(draft) => self.pacs.draft = Some(draft),
            P::CancelDraft => self.pacs.draft = None,
            P::SaveDraft => self.save_server(),
            P::RemoveServer(i) => {
                if i < self.state.pacs_servers.len() {
                    self.state.pacs_servers.remove(i);
                    self.pacs.draft = None;
                }
            }
            P::TestServer(i) => self.test_server(ctx, i),
            P::ChooseServer(name) => {
                self.pacs.chosen = name;
                self.pacs.selected.clear();
            }
            P::SetQuery(form) => self.pacs.query = form,
            P::Search => self.search_pacs(ctx),
            P::SelectStudy(uid, true) => {
                self.pacs.selected.insert(uid);
            }
            P::SelectStudy(uid, false) => {
                self.pacs.selected.remove(&uid);
            }
            P::SetFolder(folder) => self.state.pacs_folder = Some(folder),
            P::Retrieve => self.retrieve_studies(ctx),
            P::SendAnnotations => self.send_annotations(ctx),
            P::Cancel => {
                if let Some(transfer) = &self.pacs.transfer {
                    transfer.cancel();
                }
            }
        }
    }

    /// The folder studies are retrieved into: the one chosen last, else `PACS` in our
    /// data folder.
    pub(in super::super) fn pacs_folder(&self) -> PathBuf {
        self.state
            .pacs_folder
            .clone()
            .unwrap_or_else(default_pacs_folder)
    }

    /// Saves the editor's server when it is valid (the editor says why otherwise).
    fn save_server(&mut self) {
        let Some(draft) = &self.pacs.draft else {
            return;
        };
        let Ok(named) = draft.server(self.s(), &self.state.pacs_servers) else {
            return;
        };
        let servers = &mut self.state.pacs_servers;
        match draft.editing.and_then(|i| servers.get_mut(i)) {
            Some(old) => {
                if self.pacs.chosen == old.name {
                    self.pacs.chosen = named.name.clone();
                }
                *old = named;
            }
            None => servers.push(named),
        }
        self.pacs.draft = None;
    }

    /// Echoes the `i`-th server off the UI thread.
    fn test_server(&mut self, ctx: &egui::Context, i: usize) {
        let Some(named) = self.state.pacs_servers.get(i).cloned() else {
            return;
        };
        let server = named.server.clone();
        let work = move || {
            let started = Instant::now();
            server
                .echo()
                .map(|()| started.elapsed().as_millis() as u64)
                .map_err(|e| e.to_string())
        };
        let (job, result) = match Job::spawn(ctx, "pacs-echo", work) {
            Ok(job) => (Some(job), None),
            Err(e) => (None, Some(Err(e.to_string()))),
        };
        self.pacs.echoes.retain(|e| e.server != named);
        self.pacs.echoes.push(Echo {
            server: named,
            job,
            result,
        });
    }

    /// Searches the chosen server off the UI thread.
    fn search_pacs(&mut self, ctx: &egui::Context) {
        if self.pacs.search.is_some() {
            return;
        }
        let Some(named) = self.pacs.chosen_server(&self.state.pacs_servers).cloned() else {
            return;
        };
        let query = match self.pacs.query.query() {
            Ok(q) => q,
            Err(e) => {
                self.pacs.found = Some(Found {
                    server: named.name,
                    result: Err(e),
                });
                return;
            }
        };
        self.pacs.selected.clear();
        let name = named.name.clone();
        let work = move || Found {
            server: named.name,
            result: named.server.find(&query).map_err(|e| e.to_string()),
        };
        match Job::spawn(ctx, "pacs-search", work) {
            Ok(job) => self.pacs.search = Some(job),
            Err(e) => {
                self.pacs.found = Some(Found {
                    server: name,
                    result: Err(e.to_string()),
                });
            }
        }
    }

    /// Retrieves the selected studies of the results into the folder, on a worker.
    fn retrieve_studies(&mut self, ctx: &egui::Context) {
        if self.pacs.transfer.is_some() {
            return;
        }
        let Some(named) = self.pacs.chosen_server(&self.state.pacs_servers).cloned() else {
            return;
        };
        let studies: Vec<String> = match &self.pacs.found {
            Some(Found {
                server,
                result: Ok(found),
            }) if *server == named.name => found
                .iter()
                .filter(|m| self.pacs.selected.contains(&m.study_uid))
                .map(|m| m.study_uid.clone())
                .collect(),
            _ => Vec::new(),
        };
        if studies.is_empty() {
            return;
        }
        let out = self.pacs_folder();
        self.state.pacs_folder = Some(out.clone());
        let s = self.s();
        let work = move |report: &dyn Fn(Step), cancel: &Cancel| {
            retrieve(s, &named.server, &studies, &out, report, cancel)
        };
        self.start_transfer(ctx, TransferKind::Retrieve, "pacs-retrieve", work);
    }

    /// Exports the release's annotations as DICOM SEG and SR into a temporary folder
    /// and sends them to the chosen server, on a worker.
    fn send_annotations(&mut self, ctx: &egui::Context) {
        if self.pacs.transfer.is_some() {
            return;
        }
        let (Some(index), Some(session)) = (self.index.clone(), self.review.session.as_ref())
        else {
            return;
        };
        let Some(named) = self.pacs.chosen_server(&self.state.pacs_servers).cloned() else {
            return;
        };
        let release = Release {
            index,
            id: session.images().release_id.clone(),
            labels: session.labels().clone(),
            shapes: session.annotations().iter().cloned().collect(),
        };
        let s = self.s();
        let work =
            move |report: &dyn Fn(Step), cancel: &Cancel| send(s, &named, &release, report, cancel);
        self.start_transfer(ctx, TransferKind::Send, "pacs-send", work);
    }

    /// Starts a transfer (or says why it could not start).
    fn start_transfer(
        &mut self,
        ctx: &egui::Context,
        kind: TransferKind,
        name: &str,
        work: impl FnOnce(&dyn Fn(Step), &Cancel) -> Outcome + Send + 'static,
    ) {
        match Transfer::start(ctx, kind, name, work) {
            Ok(transfer) => {
                self.pacs.transfer = Some(transfer);
                self.pacs.outcome = None;
            }
            Err(e) => self.pacs.outcome = Some((kind, Outcome::error(e.to_string()), None)),
        }
    }
}

/// Retrieves `studies` one after the other into `out`: a line per study retrieved,
/// an error per study that failed (the others go on), until Cancel. Open opens the
/// study's folder (one study) or `out` (several), when there is something there.
fn retrieve(
    s: &Strings,
    server: &Server,
    studies: &[String],
    out: &Path,
    report: &dyn Fn(Step),
    cancel: &Cancel,
) -> Outcome {
    let mut outcome = Outcome::default();
    for (i, uid) in studies.iter().enumerate() {
        if cancel.is_cancelled() {
            break;
        }
        let mut progress = |p: &Progress| {
            report(Step {
                study: i,
                studies: studies.len(),
                progress: p.clone(),
            });
        };
        match server.retrieve(uid, out, &mut progress, cancel) {
            Ok(r) => outcome.lines.push(s.format(
                "pacs.retrieved",
                &[
                    ("new", &r.retrieved.to_string()),
                    ("mb", &format!("{:.1}", r.bytes as f64 / 1e6)),
                    ("present", &r.already_present.to_string()),
                    ("folder", &r.folder.shown().to_string()),
                ],
            )),
            Err(PacsError::Cancelled { .. }) => break,
            Err(e) => outcome.errors.push(e.to_string()),
        }
    }
    if cancel.is_cancelled() {
        outcome.lines.push(s.get("pacs.cancelled").to_owned());
    }
    let folder = match studies {
        [one] => out.join(one),
        _ => out.to_owned(),
    };
    outcome.open = folder.is_dir().then_some(folder);
    outcome
}

/// What a send exports: the release's index, id, label set and shapes.
struct Release {
    index: Arc<Index>,
    id: Option<String>,
    labels: LabelSet,
    shapes: Vec<Shape>,
}

/// A new temporary folder for the exported objects (removed after the send).
fn temporary_folder() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("lightbox-pacs-send-{}-{nanos}", std::process::id()))
}

/// Exports `release`'s annotations as DICOM SEG and SR and sends them to `named`:
/// "N stored, M not stored" and a line for each file not stored with the reason.
fn send(
    s: &Strings,
    named: &NamedServer,
    release: &Release,
    report: &dyn Fn(Step),
    cancel: &Cancel,
) -> Outcome {
    let dir = temporary_folder();
    let outcome = export_and_send(s, named, release, &dir, report, cancel);
    // Best effort: a temporary folder left behind is the system's to clear.
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

/// [`send`] in its temporary folder `dir`.
fn export_and_send(
    s: &Strings,
    named: &NamedServer,
    release: &Release,
    dir: &Path,
    report: &dyn Fn(Step),
    cancel: &Cancel,
) -> Outcome {
    let mut files = Vec::new();
    for format in [ExportFormat::DicomSeg, ExportFormat::DicomSr] {
        let exported = export(
            format,
            &dir.join(format.as_str()),
            &release.index,
            release.id.as_deref(),
            &release.labels,
            &release.shapes,
        );
        match exported {
            Ok(r) => files.extend(r.files),
            Err(e) => return Outcome::error(e.to_string()),
        }
    }
    if files.is_empty() {
        return Outcome {
            lines: vec![s.get("pacs.nothing_to_send").to_owned()],
            ..Outcome::default()
        };
    }
    let mut progress = |p: &Progress| {
        report(Step {
            study: 0,
            studies: 1,
            progress: p.clone(),
        });
    };
    progress(&Progress {
        done: 0,
        total: files.len(),
        bytes: 0,
    });
    match named.server.send(&files, &mut progress, cancel) {
        Ok(r) => Outcome {
            lines: vec![s.format(
                "pacs.sent",
                &[
                    ("sent", &r.sent.to_string()),
                    ("failed", &r.failed.len().to_string()),
                    ("server", &named.name),
                ],
            )],
            errors: r
                .failed
                .iter()
                .map(|f| {
                    let file = f.path.file_name().map_or_else(
                        || f.path.shown().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    s.format("pacs.not_stored", &[("file", &file), ("reason", &f.reason)])
                })
                .collect(),
            open: None,
        },
        Err(PacsError::Cancelled { .. }) => Outcome {
            lines: vec![s.get("pacs.cancelled").to_owned()],
            ..Outcome::default()
        },
        Err(e) => Outcome::error(e.to_string()),
    }
}
