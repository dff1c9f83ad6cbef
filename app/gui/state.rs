//! What the viewer remembers between runs (eframe storage), kept apart from
//! runtime things (GPU resources, threads, decoded frames).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::graphics::GraphicsSetting;
use crate::i18n::Language;
use crate::pacs::NamedServer;

/// How the centre area is split into viewports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Layout {
    /// One viewport.
    #[default]
    One,
    /// Two side by side.
    OneByTwo,
    /// Two stacked.
    TwoByOne,
    /// Four.
    TwoByTwo,
}

impl Layout {
    /// Every layout, for the menu.
    pub const ALL: [Layout; 4] = [
        Layout::One,
        Layout::OneByTwo,
        Layout::TwoByOne,
        Layout::TwoByTwo,
    ];

    /// Columns and rows of the grid.
    pub fn grid(self) -> (usize, usize) {
        match self {
            Self::One => (1, 1),
            Self::OneByTwo => (2, 1),
            Self::TwoByOne => (1, 2),
            Self::TwoByTwo => (2, 2),
        }
    }

    /// Number of viewports.
    pub fn count(self) -> usize {
        let (c, r) = self.grid();
        c * r
    }

    /// The i18n key of its menu label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::One => "menu.view.layout_1x1",
            Self::OneByTwo => "menu.view.layout_1x2",
            Self::TwoByOne => "menu.view.layout_2x1",
            Self::TwoByTwo => "menu.view.layout_2x2",
        }
    }
}

/// The persisted settings and layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// UI language.
    pub language: Language,
    /// Viewport layout.
    pub layout: Layout,
    /// The folder opened last.
    pub last_folder: Option<PathBuf>,
    /// Decoded-frame cache budget in MiB.
    pub cache_mib: u64,
    /// Cine speed in frames per second.
    pub cine_fps: f32,
    /// Show the DICOM tag panel.
    pub show_tags: bool,
    /// Show the corner overlays.
    pub show_overlays: bool,
    /// Scroll viewports that share a Frame of Reference together.
    pub linked_scrolling: bool,
    /// The reviewer's name, stored with every decision.
    pub reviewer: String,
    /// The project code that names the keep-list.
    pub project_code: String,
    /// Freehand traces are simplified to this tolerance (mm; pixels when the image
    /// has no pixel spacing).
    pub freehand_tolerance_mm: f64,
    /// The radius of the brush and the eraser (mm; pixels when the image has no pixel
    /// spacing).
    pub brush_radius_mm: f64,
    /// The model server (MONAI Label), `http://host:port`; empty: none, and nothing is
    /// ever sent anywhere.
    pub model_server: String,
    /// The graphics backend tried first (applies at the next start).
    pub graphics: GraphicsSetting,
    /// The PACS servers named in Settings ▸ PACS; empty: none, and no socket is ever
    /// opened for one.
    pub pacs_servers: Vec<NamedServer>,
    /// The folder the PACS window retrieved into last.
    pub pacs_folder: Option<PathBuf>,
    /// The hanging protocols (Settings ▸ Hanging protocols), per user.
    pub hanging_protocols: Vec<crate::hanging::HangingProtocol>,
    /// Apply the matching hanging protocol when a series of another study is opened
    /// from the browser (else only on Ctrl+Shift+H). On by default.
    pub apply_hanging: bool,
}

impl Default for State {
    fn default() -> Self {
        Self {
            language: Language::default(),
            layout: Layout::default(),
            last_folder: None,
            cache_mib: 2048,
            cine_fps: 10.0,
            show_tags: true,
            show_overlays: true,
            linked_scrolling: true,
            reviewer: crate::review::session::login_name(),
            project_code: String::new(),
            freehand_tolerance_mm: 0.2,
            // A few mm: the size of the quick fixes after a proposal on CT.
            brush_radius_mm: 3.0,
            model_server: String::new(),
            graphics: GraphicsSetting::default(),
            pacs_servers: Vec::new(),
            pacs_folder: None,
            hanging_protocols: crate::hanging::defaults(),
            apply_hanging: true,
        }
    }
}

impl State {
    /// The state eframe saved for `app_id` (its `app.ron`, key [`eframe::APP_KEY`]), read
    /// before the window opens: the graphics setting and language are needed to open
    /// it. `None` when there is none or it cannot be read (then defaults apply; eframe
    /// will say the same when it reads the file).
    pub fn load_saved(app_id: &str) -> Option<State> {
        let path = eframe::storage_dir(app_id)?.join("app.ron");
        let text = std::fs::read_to_string(path).ok()?;
        Self::from_app_ron(&text)
    }

    /// Parses the text of eframe's `app.ron` (a map of keys to RON strings).
    pub fn from_app_ron(text: &str) -> Option<State> {
        let map: std::collections::HashMap<String, String> = ron::from_str(text).ok()?;
        ron::from_str(map.get(eframe::APP_KEY)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saved_state_is_read_as_eframe_writes_it() {
        let state = State {
            graphics: GraphicsSetting::Gl,
            language: Language::TraditionalChinese,
            pacs_servers: vec![
                NamedServer {
                    name: "web".into(),
                    server: crate::pacs::Server::DicomWeb(
                        crate::pacs::DicomWebServer::parse("http://pacs:8042/dicom-web")
                            .expect("url"),
                    ),
                },
                NamedServer {
                    name: "dimse".into(),
                    server: crate::pacs::Server::Dimse(
                        crate::pacs::DimseServer::parse("ORTHANC@pacs:4242", Some("ME"))
                            .expect("address"),
                    ),
                },
            ],
            pacs_folder: Some(PathBuf::from("/data/pacs")),
            ..State::default()
        };
        // What eframe's FileStorage writes: the app's RON inside a RON map.
        let mut storage: std::collections::HashMap<String, String> = Default::default();
        storage.insert(eframe::APP_KEY.to_owned(), ron::to_string(&state).unwrap());
        storage.insert("egui".to_owned(), "(windows: {})".to_owned());
        let text = ron::ser::to_string_pretty(&storage, ron::ser::PrettyConfig::default()).unwrap();
        assert_eq!(State::from_app_ron(&text), Some(state));
        // A state saved before the setting existed reads as automatic.
        let old = r#"{"app": "(layout: TwoByTwo)"}"#;
        let s = State::from_app_ron(old).unwrap();
        assert_eq!(s.graphics, GraphicsSetting::Automatic);
        assert_eq!(s.layout, Layout::TwoByTwo);
        assert!(s.pacs_servers.is_empty() && s.pacs_folder.is_none());
        assert_eq!(State::from_app_ron("not ron"), None);
    }
}
