//! Settings ▸ PACS servers: the named servers (Test, Edit, Remove each) and the
//! editor of one, whose fields are checked as they are typed by the same parse
//! functions the command line uses; the reason a server cannot be saved is shown
//! under the fields.

use egui::{Color32, RichText};

use super::{PacsCommand, PacsUi};
use crate::gui::command::Command;
use crate::i18n::Strings;
use crate::pacs::server::DEFAULT_CALLING_AET;
use crate::pacs::{DicomWebServer, DimseServer, NamedServer, Server};

/// How a server is reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Protocol {
    /// DICOMweb: one service URL.
    #[default]
    DicomWeb,
    /// DIMSE: AE title, host and port, and our AE title.
    Dimse,
}

/// The server editor's fields, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDraft {
    /// The server edited (its position in the list); `None`: a new one.
    pub editing: Option<usize>,
    /// The name shown in the PACS window.
    pub name: String,
    /// DICOMweb or DIMSE.
    pub protocol: Protocol,
    /// The DICOMweb service root.
    pub url: String,
    /// The PACS's AE title (DIMSE).
    pub called_aet: String,
    /// Its host (DIMSE).
    pub host: String,
    /// Its port (DIMSE), as typed.
    pub port: String,
    /// Our AE title (DIMSE).
    pub calling_aet: String,
}

impl Default for ServerDraft {
    fn default() -> Self {
        Self {
            editing: None,
            name: String::new(),
            protocol: Protocol::DicomWeb,
            url: String::new(),
            called_aet: String::new(),
            host: String::new(),
            port: String::new(),
            calling_aet: DEFAULT_CALLING_AET.to_owned(),
        }
    }
}

impl ServerDraft {
    /// The editor on the `index`-th server.
    pub fn of(index: usize, named: &NamedServer) -> Self {
        let mut draft = Self {
            editing: Some(index),
            name: named.name.clone(),
            ..Self::default()
        };
        match &named.server {
            Server::DicomWeb(s) => draft.url = s.base_url.clone(),
            Server::Dimse(s) => {
                draft.protocol = Protocol::Dimse;
                draft.called_aet = s.called_aet.clone();
                draft.host = s.host.clone();
                draft.port = s.port.to_string();
                draft.calling_aet = s.calling_aet.clone();
            }
        }
        draft
    }

    /// The server the fields make, or why it cannot be saved (`servers`: those
    /// configured, whose names must stay unique).
    pub fn server(&self, s: &Strings, servers: &[NamedServer]) -> Result<NamedServer, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(s.get("pacs.name_missing").to_owned());
        }
        let taken = servers
            .iter()
            .enumerate()
            .any(|(i, other)| other.name == name && Some(i) != self.editing);
        if taken {
            return Err(s.format("pacs.name_taken", &[("name", name)]));
        }
        let server = match self.protocol {
            Protocol::DicomWeb => DicomWebServer::parse(&self.url).map(Server::DicomWeb),
            Protocol::Dimse => {
                let host = self.host.trim();
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.to_owned()
                };
                let address = format!("{}@{host}:{}", self.called_aet.trim(), self.port.trim());
                DimseServer::parse(&address, Some(&self.calling_aet)).map(Server::Dimse)
            }
        };
        Ok(NamedServer {
            name: name.to_owned(),
            server: server.map_err(|e| e.to_string())?,
        })
    }
}

/// Where a server is, in one line: its URL, or `AET@host:port (calling AE)`.
pub fn address(server: &Server) -> String {
    match server {
        Server::DicomWeb(s) => s.base_url.clone(),
        Server::Dimse(s) => format!(
            "{}@{} ({})",
            s.called_aet,
            s.socket_address(),
            s.calling_aet
        ),
    }
}

/// The PACS servers section of the Settings window.
#[must_use]
pub fn settings_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    pacs: &PacsUi,
    servers: &[NamedServer],
) -> Vec<Command> {
    let mut out = Vec::new();
    if servers.is_empty() {
        ui.label(s.get("pacs.none_configured"));
    }
    egui::Grid::new("pacs-servers")
        .num_columns(6)
        .striped(true)
        .show(ui, |ui| {
            for (i, named) in servers.iter().enumerate() {
                ui.strong(&named.name);
                ui.monospace(address(&named.server));
                let echo = pacs.echo_of(named);
                let running = echo.is_some_and(|e| e.job.is_some());
                if ui
                    .add_enabled(!running, egui::Button::new(s.get("pacs.test")))
                    .on_hover_text(s.get("pacs.test_hint"))
                    .clicked()
                {
                    out.push(Command::Pacs(PacsCommand::TestServer(i)));
                }
                if ui.button(s.get("pacs.edit")).clicked() {
                    out.push(Command::Pacs(PacsCommand::EditServer(Some(i))));
                }
                if ui.button(s.get("pacs.remove")).clicked() {
                    out.push(Command::Pacs(PacsCommand::RemoveServer(i)));
                }
                match echo.and_then(|e| e.result.as_ref()) {
                    _ if running => {
                        ui.spinner();
                    }
                    Some(Ok(ms)) => {
                        let text = s.format("pacs.test_ok", &[("ms", &ms.to_string())]);
                        ui.label(RichText::new(text).color(Color32::from_rgb(80, 200, 120)));
                    }
                    Some(Err(_)) => {
                        ui.label(
                            RichText::new(s.get("pacs.test_failed")).color(Color32::LIGHT_RED),
                        );
                    }
                    None => {
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
    // Why a test failed, below the list: the reasons are long and name the server.
    for named in servers {
        if let Some(Err(e)) = pacs.echo_of(named).and_then(|e| e.result.as_ref()) {
            let text = format!("{}: {e}", named.name);
            ui.add(egui::Label::new(RichText::new(text).color(Color32::LIGHT_RED)).wrap());
        }
    }
    match &pacs.draft {
        Some(draft) => out.extend(editor_ui(ui, s, draft, servers)),
        None => {
            if ui.button(s.get("pacs.add")).clicked() {
                out.push(Command::Pacs(PacsCommand::EditServer(None)));
            }
        }
    }
    out
}

/// A text field labelled for people and for assistive technology (tests find it by
/// its label).
fn field(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str, width: f32) -> bool {
    let label = ui.label(label);
    let edit = egui::TextEdit::singleline(text)
        .hint_text(hint)
        .desired_width(width);
    let changed = ui.add(edit).labelled_by(label.id).changed();
    ui.end_row();
    changed
}

/// The editor of one server: its fields, what is wrong with them, Save and Cancel.
fn editor_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    shown: &ServerDraft,
    servers: &[NamedServer],
) -> Vec<Command> {
    let mut out = Vec::new();
    let mut draft = shown.clone();
    ui.separator();
    ui.strong(s.get(if draft.editing.is_some() {
        "pacs.edit_title"
    } else {
        "pacs.add_title"
    }));
    egui::Grid::new("pacs-server-editor")
        .num_columns(2)
        .show(ui, |ui| {
            field(ui, s.get("pacs.name"), &mut draft.name, "archive", 260.0);
            ui.label(s.get("pacs.protocol"));
            ui.horizontal(|ui| {
                ui.radio_value(&mut draft.protocol, Protocol::DicomWeb, "DICOMweb");
                ui.radio_value(&mut draft.protocol, Protocol::Dimse, "DIMSE (DICOM)");
            });
            ui.end_row();
            match draft.protocol {
                Protocol::DicomWeb => {
                    let hint = "http://pacs:8042/dicom-web";
                    field(ui, s.get("pacs.url"), &mut draft.url, hint, 320.0);
                }
                Protocol::Dimse => {
                    field(
                        ui,
                        s.get("pacs.called_aet"),
                        &mut draft.called_aet,
                        "ORTHANC",
                        160.0,
                    );
                    field(ui, s.get("pacs.host"), &mut draft.host, "pacs.local", 220.0);
                    field(ui, s.get("pacs.port"), &mut draft.port, "4242", 80.0);
                    field(
                        ui,
                        s.get("pacs.calling_aet"),
                        &mut draft.calling_aet,
                        DEFAULT_CALLING_AET,
                        160.0,
                    );
                }
            }
        });
    let checked = draft.server(s, servers);
    if let Err(why) = &checked {
        ui.label(RichText::new(why).color(Color32::LIGHT_RED));
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(checked.is_ok(), egui::Button::new(s.get("common.save")))
            .clicked()
        {
            out.push(Command::Pacs(PacsCommand::SaveDraft));
        }
        if ui.button(s.get("common.cancel")).clicked() {
            out.push(Command::Pacs(PacsCommand::CancelDraft));
        }
    });
    if draft != *shown {
        out.insert(0, Command::Pacs(PacsCommand::SetDraft(draft)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn a_draft_is_checked_by_the_parse_functions() {
        let s = Strings::for_language(Language::English);
        let web = ServerDraft {
            name: " archive ".into(),
            url: "http://127.0.0.1:8042/dicom-web/".into(),
            ..ServerDraft::default()
        };
        let named = web.server(s, &[]).expect("valid");
        assert_eq!(named.name, "archive");
        assert_eq!(address(&named.server), "http://127.0.0.1:8042/dicom-web");
        // The same name twice is refused, except for the server being edited.
        let e = web.server(s, std::slice::from_ref(&named)).unwrap_err();
        assert!(e.contains("archive"), "{e}");
        let editing = ServerDraft {
            editing: Some(0),
            ..web.clone()
        };
        assert!(editing.server(s, std::slice::from_ref(&named)).is_ok());
        assert_eq!(
            ServerDraft::of(0, &named).server(s, std::slice::from_ref(&named)),
            Ok(named)
        );
        let no_scheme = ServerDraft {
            url: "pacs:8042".into(),
            ..web.clone()
        };
        assert!(no_scheme.server(s, &[]).unwrap_err().contains("http://"));
        let unnamed = ServerDraft {
            name: " ".into(),
            ..web
        };
        assert!(unnamed.server(s, &[]).is_err());

        let dimse = ServerDraft {
            name: "dimse".into(),
            protocol: Protocol::Dimse,
            called_aet: "ORTHANC".into(),
            host: "::1".into(),
            port: "4242".into(),
            ..ServerDraft::default()
        };
        let named = dimse.server(s, &[]).expect("valid");
        assert_eq!(address(&named.server), "ORTHANC@[::1]:4242 (LIGHTBOX)");
        assert_eq!(ServerDraft::of(3, &named).server(s, &[]), Ok(named));
        for bad in [
            ServerDraft {
                port: "0".into(),
                ..dimse.clone()
            },
            ServerDraft {
                called_aet: String::new(),
                ..dimse.clone()
            },
            ServerDraft {
                calling_aet: "A_TITLE_LONGER_THAN_16".into(),
                ..dimse.clone()
            },
            ServerDraft {
                host: String::new(),
                ..dimse
            },
        ] {
            assert!(bad.server(s, &[]).is_err(), "{bad:?}");
        }
    }
}
