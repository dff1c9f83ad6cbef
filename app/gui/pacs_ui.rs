//! The PACS in the viewer (issue 16): the servers named in Settings ▸ PACS servers
//! (added, edited, removed, tested with an echo) and the PACS window of File ▸ PACS…
//! (search a server, retrieve studies into a folder that then opens as the release,
//! send the release's annotations as DICOM SEG and SR).
//!
//! Nothing here opens a socket by itself: every network call starts from a button
//! (Test, Search, Retrieve, Send) and runs off the UI thread, an echo or a search as
//! a [`Job`], a transfer on a [`Transfer`] worker that reports its progress and stops
//! on Cancel. With no server configured there is nothing to press.
//!
//! | file | job |
//! |---|---|
//! | `pacs_ui.rs` | the commands, the runtime state, polling the jobs |
//! | `pacs_ui/settings.rs` | Settings ▸ PACS servers: the list, the editor and its validation, Test |
//! | `pacs_ui/window.rs` | the PACS window: server, query, results, retrieve, send, progress |
//! | `pacs_ui/transfer.rs` | a retrieval or a send on a worker thread: progress, cancel, outcome |

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::job::{Job, Polled};
use crate::pacs::{DateRange, NamedServer, Query, StudyMatch};

mod settings;
mod transfer;
mod window;

pub use settings::{Protocol, ServerDraft, settings_ui};
pub use transfer::{Outcome, Step, Transfer, TransferKind};
pub use window::{PacsView, pacs_window};

/// What the user asked of the PACS part (one [`super::command::Command::Pacs`]).
#[derive(Debug, Clone, PartialEq)]
pub enum PacsCommand {
    /// Open the server editor on a new server (`None`) or on the n-th one.
    EditServer(Option<usize>),
    /// The editor's fields, as typed.
    SetDraft(ServerDraft),
    /// Close the editor without saving.
    CancelDraft,
    /// Save the editor's server (when it is valid).
    SaveDraft,
    /// Remove the n-th server.
    RemoveServer(usize),
    /// Check that the n-th server answers (echo), off the UI thread.
    TestServer(usize),
    /// The server the PACS window uses, by name.
    ChooseServer(String),
    /// The query fields, as typed.
    SetQuery(QueryForm),
    /// Search the chosen server, off the UI thread.
    Search,
    /// Select (true) or unselect a study of the results, by Study Instance UID.
    SelectStudy(String, bool),
    /// The folder studies are retrieved into (remembered).
    SetFolder(PathBuf),
    /// Retrieve the selected studies into the folder, on a worker thread.
    Retrieve,
    /// Export the open release's annotations as DICOM SEG and SR and send them, on a
    /// worker thread.
    SendAnnotations,
    /// Stop the transfer in flight after the instance in flight (what arrived stays).
    Cancel,
}

/// The PACS window's query fields, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryForm {
    /// Patient ID (wildcards `*` and `?`).
    pub patient_id: String,
    /// Patient's name (wildcards `*` and `?`).
    pub patient_name: String,
    /// The first study date, `YYYYMMDD` or `YYYY-MM-DD`; empty: open.
    pub date_from: String,
    /// The last study date; empty: open.
    pub date_to: String,
    /// A modality the study holds.
    pub modality: String,
    /// Accession number.
    pub accession: String,
}

impl QueryForm {
    /// The query the fields make, or why the dates cannot be used.
    pub fn query(&self) -> Result<Query, String> {
        // The two fields as one DICOM range (`FROM-TO`, either end open), parsed once.
        let (from, to) = (self.date_from.trim(), self.date_to.trim());
        let study_date = if from.is_empty() && to.is_empty() {
            None
        } else {
            Some(DateRange::parse(&format!("{from}-{to}"))?)
        };
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(Query {
            patient_id: text(&self.patient_id),
            patient_name: text(&self.patient_name),
            study_date,
            modality: text(&self.modality),
            accession: text(&self.accession),
            study_uid: None,
            limit: None,
        })
    }
}

/// What a search found: the server's name and its studies, or why not.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The server asked, by name.
    pub server: String,
    /// Its studies, or the error (naming the server).
    pub result: Result<Vec<StudyMatch>, String>,
}

/// An echo asked of a server: the server as it was tested, the job while it runs,
/// then the time it took in ms or the error (naming the server).
#[derive(Debug)]
pub struct Echo {
    /// The server tested.
    pub server: NamedServer,
    /// The echo running.
    pub job: Option<Job<Result<u64, String>>>,
    /// How it ended.
    pub result: Option<Result<u64, String>>,
}

/// The PACS part's runtime state (the servers themselves are in the persisted
/// [`super::state::State`]).
#[derive(Debug, Default)]
pub struct PacsUi {
    /// The server editor of Settings ▸ PACS servers (open while `Some`).
    pub draft: Option<ServerDraft>,
    /// The echoes asked, the newest last.
    pub echoes: Vec<Echo>,
    /// The server the window uses, by name (empty: the first one).
    pub chosen: String,
    /// The query fields.
    pub query: QueryForm,
    /// The search running.
    pub search: Option<Job<Found>>,
    /// The last search's answer.
    pub found: Option<Found>,
    /// The studies selected in the results, by Study Instance UID.
    pub selected: BTreeSet<String>,
    /// The retrieval or send running.
    pub transfer: Option<Transfer>,
    /// How the last transfer ended, with its last progress.
    pub outcome: Option<(TransferKind, Outcome, Option<Step>)>,
}

impl PacsUi {
    /// The server the window uses: the chosen one, else the first.
    pub fn chosen_server<'a>(&self, servers: &'a [NamedServer]) -> Option<&'a NamedServer> {
        servers
            .iter()
            .find(|s| s.name == self.chosen)
            .or(servers.first())
    }

    /// The echo of `server` as it is now (none when it changed since it was tested).
    pub fn echo_of(&self, server: &NamedServer) -> Option<&Echo> {
        self.echoes.iter().rev().find(|e| e.server == *server)
    }

    /// Takes in whatever the echoes, the search and the transfer finished.
    pub fn poll(&mut self) {
        for echo in &mut self.echoes {
            match Job::finished(&mut echo.job) {
                Some(Polled::Done(result)) => echo.result = Some(result),
                Some(Polled::Lost) => echo.result = Some(Err("the test stopped".into())),
                Some(Polled::Running) | None => {}
            }
        }
        match Job::finished(&mut self.search) {
            Some(Polled::Done(found)) => self.found = Some(found),
            Some(Polled::Lost) => {
                self.found = Some(Found {
                    server: self.chosen.clone(),
                    result: Err("the search stopped unexpectedly".into()),
                });
            }
            Some(Polled::Running) | None => {}
        }
        if let Some(transfer) = self.transfer.as_mut()
            && let Some(outcome) = transfer.poll()
        {
            self.outcome = Some((transfer.kind, outcome, transfer.progress.clone()));
            self.transfer = None;
        }
    }
}

/// A study date as people read it: `2021-04-07` from `20210407`.
pub fn shown_date(date: &str) -> String {
    if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..])
    } else {
        date.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_form_makes_a_query() {
        let form = QueryForm {
            patient_id: " P1 ".into(),
            date_from: "2021-04-01".into(),
            date_to: String::new(),
            modality: "CT".into(),
            ..QueryForm::default()
        };
        let q = form.query().expect("a query");
        assert_eq!(q.patient_id.as_deref(), Some("P1"));
        assert_eq!(q.patient_name, None);
        assert_eq!(
            q.study_date.as_ref().map(DateRange::to_dicom).as_deref(),
            Some("20210401-")
        );
        let both = QueryForm {
            date_from: "20210401".into(),
            date_to: "2021-04-30".into(),
            ..QueryForm::default()
        };
        assert_eq!(
            both.query()
                .expect("a range")
                .study_date
                .map(|d| d.to_dicom()),
            Some("20210401-20210430".into())
        );
        assert_eq!(
            QueryForm::default().query().expect("empty").study_date,
            None
        );
        for (from, to) in [("2021-13-01", ""), ("", "x"), ("20210402", "20210401")] {
            let bad = QueryForm {
                date_from: from.into(),
                date_to: to.into(),
                ..QueryForm::default()
            };
            assert!(bad.query().is_err(), "{from}..{to}");
        }
    }

    #[test]
    fn the_first_server_is_chosen_until_one_is() {
        let server = |name: &str| NamedServer {
            name: name.into(),
            server: crate::pacs::Server::DicomWeb(
                crate::pacs::DicomWebServer::parse("http://h/dicom-web").expect("url"),
            ),
        };
        let servers = [server("a"), server("b")];
        let mut ui = PacsUi::default();
        assert_eq!(
            ui.chosen_server(&servers).map(|s| s.name.as_str()),
            Some("a")
        );
        ui.chosen = "b".into();
        assert_eq!(
            ui.chosen_server(&servers).map(|s| s.name.as_str()),
            Some("b")
        );
        assert!(ui.chosen_server(&[]).is_none());
        assert_eq!(shown_date("20210407"), "2021-04-07");
        assert_eq!(shown_date("2021"), "2021");
    }
}
