//! The viewer application: the app struct and the frame's orchestration.
//!
//! Each frame: workers report ([`LightboxApp::poll_workers`]), input and every panel
//! and window turn what the user did into [`Command`]s while reading the state, then
//! [`LightboxApp::apply`] (`apply/`) makes the changes, the only place that does (what
//! the frame drew, sizes and maps of the viewports, is kept by `record_drawn`).
//! The rooms, one job each (ARCHITECTURE.md has the table):
//!
//! | file | job |
//! |---|---|
//! | `keys.rs` | the key table: dispatch and the shortcuts window |
//! | `menu.rs` | the menu bar |
//! | `browser_panel.rs`, `side_panel.rs`, `central_panel.rs`, `status_bar.rs` | the panels |
//! | `windows.rs` | settings (with its PACS servers), shortcuts, about, export, confirmations, label editor, the PACS window |
//! | `apply/` | the commands, by domain |
//! | `scan.rs` | opening a release: the scan worker, installing its index and review |
//! | `workers.rs` | the keep-list worker; polling every worker at the start of a frame |
//! | `frames.rs` | what to decode next, thumbnails, cine |
//! | `screenshot.rs` | `--screenshot` |

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use egui::{Rect, Vec2};

use super::about::About;
use super::annotate_tool::ShapeLayerResources;
use super::annotate_ui::AnnotateUi;
use super::claims_ui::ClaimsUi;
use super::command::{Command, Node, SeriesRef, SideTab, WindowKind};
use super::dataset_ui::DatasetUi;
use super::fonts;
use super::gpu::Affine2;
use super::job::Job;
use super::measure_tool::{Measurement, Tool};
use super::mpr_ui::MprUi;
use super::mpr_ui::gpu::MprResources;
use super::pacs_ui::PacsUi;
use super::review_ui::ReviewUi;
use super::rules_ui::RulesUi;
use super::state::State;
use super::tags::TagTable;
use super::thumbnails::Thumbnails;
use super::viewport::{Hover, ViewportResources, ViewportState, frames_of};
use crate::i18n::Strings;
use crate::index::{Index, Series};
use crate::loader::{FrameKey, FrameLoader};
use crate::presets::Presets;

mod apply;
mod browser_panel;
mod central_panel;
mod frames;
pub(in crate::gui) mod keys;
mod menu;
mod scan;
mod screenshot;
mod side_panel;
mod status_bar;
mod windows;
mod workers;

use scan::ScanWorker;
use screenshot::ScreenshotJob;

/// The frames of a series in display order: each frame's key and its instance's index.
type SeriesFrames = Arc<Vec<(FrameKey, usize)>>;

/// The viewer.
pub struct LightboxApp {
    /// Persisted settings.
    pub state: State,
    index: Option<Arc<Index>>,
    /// Where each series is in the index: patient, study, series positions.
    series_pos: HashMap<String, (usize, usize, usize)>,
    /// Each series' frames, computed when first asked for (a cache, hence the cell).
    frames: RefCell<HashMap<String, SeriesFrames>>,
    /// The scan of the release being opened.
    scan: Option<ScanWorker>,
    /// The keep-list being written: the export window's report and whether it
    /// succeeded.
    keep_list: Option<Job<(String, bool)>>,
    loader: FrameLoader,
    viewports: Vec<ViewportState>,
    active: usize,
    /// The browser's text filter.
    filter: String,
    /// The browser node keys act on.
    selected: Option<Node>,
    /// Studies whose series the browser hides.
    collapsed: HashSet<String>,
    /// Scroll the browser to the selection on the next frame.
    scroll_to_selected: bool,
    tag_filter: String,
    tags: TagTable,
    hover: Option<Hover>,
    presets: Presets,
    /// Where the presets came from (`None`: built in).
    presets_source: Option<PathBuf>,
    /// The windows the menus open.
    windows: OpenWindows,
    error: Option<String>,
    last_request: Vec<FrameKey>,
    screenshot: Option<ScreenshotJob>,
    /// Image size and viewport size (points) drawn last, per viewport, for fit-relative zooming.
    last_sizes: Vec<Option<([f32; 2], Vec2)>>,
    /// What a left drag does.
    tool: Tool,
    /// Measurements per image (kept for the session).
    measurements: HashMap<FrameKey, Vec<Measurement>>,
    /// Series thumbnails for the browser.
    thumbs: Thumbnails,
    /// The keep/drop review of the open release.
    review: ReviewUi,
    /// Which tab the right panel shows.
    side_tab: SideTab,
    /// The release's claims.
    claims: ClaimsUi,
    /// The modalities of the release, for the browser filter.
    modalities: Vec<String>,
    /// The annotation tools' and panel's state.
    annotate: AnnotateUi,
    /// Each viewport's rectangle and image-to-screen map, as drawn last.
    last_transforms: Vec<Option<(Rect, Affine2)>>,
    /// The pre-labelling rules: editor, live counts, evaluation worker.
    rules: RulesUi,
    /// What Help ▸ About says about graphics.
    about: About,
    /// The Dataset tab: description and agreement, and their jobs.
    dataset: DatasetUi,
    /// The PACS servers' editor and tests, and the PACS window's search and transfers.
    pacs: PacsUi,
    /// The MPR mode: its volume, camera and measurements.
    mpr: MprUi,
    /// Registrations of linked scrolling between series in different frames of
    /// reference: (from, to) series UIDs → mm to add along the slice normal.
    link_offsets: HashMap<(String, String), f64>,
    /// The 2-D viewports' 3-D cursor: its frame of reference and patient point, mm.
    cursor_3d: Option<(String, [f64; 3])>,
}

/// Which of the menus' windows are open.
#[derive(Debug, Clone, Copy, Default)]
struct OpenWindows {
    settings: bool,
    shortcuts: bool,
    about: bool,
    pacs: bool,
}

impl OpenWindows {
    /// The flag of one window.
    fn flag(&mut self, window: WindowKind) -> &mut bool {
        match window {
            WindowKind::Settings => &mut self.settings,
            WindowKind::Shortcuts => &mut self.shortcuts,
            WindowKind::About => &mut self.about,
            WindowKind::Pacs => &mut self.pacs,
        }
    }
}

impl LightboxApp {
    /// Creates the app: restores the state, installs fonts and GPU resources, starts scanning `path`.
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        path: Option<PathBuf>,
        screenshot: Option<PathBuf>,
    ) -> Self {
        let state: State = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        fonts::install(&cc.egui_ctx);
        if let Some(rs) = cc.wgpu_render_state.as_ref() {
            let resources = ViewportResources::new(&rs.device, rs.target_format);
            let shapes = ShapeLayerResources::new(&rs.device, rs.target_format);
            let mut renderer = rs.renderer.write();
            renderer.callback_resources.insert(resources);
            renderer.callback_resources.insert(shapes);
            renderer
                .callback_resources
                .insert(MprResources::new(&rs.device, rs.target_format));
        }
        let ctx = cc.egui_ctx.clone();
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 8);
        let loader = FrameLoader::new(
            threads,
            (state.cache_mib as usize) << 20,
            Arc::new(move || ctx.request_repaint()),
        );
        let (presets, presets_source, error) = Presets::load();
        let mut app = Self {
            state,
            index: None,
            series_pos: HashMap::new(),
            frames: RefCell::default(),
            scan: None,
            keep_list: None,
            loader,
            viewports: vec![ViewportState::default(); 4],
            active: 0,
            filter: String::new(),
            selected: None,
            collapsed: HashSet::new(),
            scroll_to_selected: false,
            tag_filter: String::new(),
            tags: TagTable::default(),
            hover: None,
            presets,
            presets_source,
            windows: OpenWindows::default(),
            error,
            last_request: Vec::new(),
            screenshot: screenshot.map(ScreenshotJob::new),
            last_sizes: vec![None; 4],
            tool: Tool::default(),
            measurements: HashMap::new(),
            thumbs: Thumbnails::default(),
            review: ReviewUi::default(),
            side_tab: SideTab::default(),
            claims: ClaimsUi::default(),
            modalities: Vec::new(),
            annotate: AnnotateUi::default(),
            last_transforms: vec![None; 4],
            rules: RulesUi::default(),
            about: About::new(cc),
            dataset: DatasetUi::default(),
            pacs: PacsUi::default(),
            mpr: MprUi::default(),
            link_offsets: HashMap::new(),
            cursor_3d: None,
        };
        let start = path.or_else(|| app.state.last_folder.clone());
        if let Some(p) = start {
            app.apply(&cc.egui_ctx, Command::OpenFolder(p));
        }
        app
    }

    /// Keeps how the graphics backend was chosen, for Help ▸ About.
    pub fn set_graphics_report(&mut self, report: super::graphics::Report) {
        self.about.set_report(report);
    }

    /// Frames held by the decode cache (for benchmarks and tests).
    pub fn cached_frames(&self) -> usize {
        self.loader.cache_usage().1
    }

    /// The results of the measurements on the image the active viewport shows (for tests).
    pub fn measurement_labels(&self) -> Vec<String> {
        self.current_key(self.active)
            .and_then(|k| self.measurements.get(&k))
            .map(|list| list.iter().map(|m| m.label.clone()).collect())
            .unwrap_or_default()
    }

    /// The project's annotations, once the review is open (for tests).
    pub fn annotations(&self) -> Option<&crate::annotate::Annotations> {
        self.review.session.as_ref().map(|s| s.annotations())
    }

    /// The project's label set, once the review is open (for tests).
    pub fn labels(&self) -> Option<&crate::annotate::LabelSet> {
        self.review.session.as_ref().map(|s| s.labels())
    }

    /// The SOP Instance UID of the image the active viewport shows (for tests).
    pub fn current_sop(&self) -> Option<String> {
        self.current_instance(self.active).map(|i| i.sop_uid)
    }

    /// Click-to-segment's typed window, if any (for tests).
    pub fn segment_window(&self) -> Option<[f64; 2]> {
        self.annotate.segment.window
    }

    /// Grow from seeds' proposal, not yet stored (for tests).
    pub fn seeds_proposal(&self) -> &[crate::annotate::Shape] {
        &self.annotate.seeds.proposal
    }

    /// The attributes the Dataset tab's split is stratified by (for tests).
    pub fn split_strata(&self) -> &[String] {
        &self.dataset.strata
    }

    /// The PACS part's state: its search, transfer and outcome (for tests).
    pub fn pacs(&self) -> &PacsUi {
        &self.pacs
    }

    /// Where an image point of the active viewport's frame was drawn last, in screen
    /// points (for tests that click on the image).
    pub fn screen_pos_of(&self, point_in_image: [f64; 2]) -> Option<egui::Pos2> {
        let (rect, to_screen) = self.last_transforms.get(self.active)?.as_ref()?;
        let p = to_screen.apply(point_in_image);
        Some(rect.min + Vec2::new(p[0] as f32, p[1] as f32))
    }

    /// The MPR views' camera and volume grid, while MPR shows a volume (for tests).
    pub fn mpr_view(&self) -> Option<(&super::mpr_ui::MprCamera, &crate::mpr::grid::VoxelGrid)> {
        let camera = self.mpr.camera.as_ref()?;
        let volume = self.mpr.volume.as_ref()?;
        Some((camera, &volume.grid))
    }

    /// The distances measured in the MPR views (for tests).
    pub fn mpr_measurements(&self) -> &[super::mpr_ui::MprMeasurement] {
        &self.mpr.measurements
    }

    /// The series viewport `v` shows and its position in the stack (for tests).
    pub fn viewport_view(&self, v: usize) -> Option<(&SeriesRef, usize)> {
        let state = self.viewports.get(v)?;
        Some((state.series.as_ref()?, state.slice))
    }

    /// Series still waiting for their browser thumbnail (for tests).
    pub fn thumbnails_pending(&self) -> usize {
        self.index.as_ref().map_or(0, |i| {
            i.series()
                .filter(|s| !self.thumbs.has(&s.series_uid))
                .count()
        })
    }

    /// The strings of the current language.
    fn s(&self) -> &'static Strings {
        Strings::for_language(self.state.language)
    }

    /// The series a reference names.
    fn series(&self, r: &SeriesRef) -> Option<&Series> {
        let index = self.index.as_deref()?;
        let &(p, st, se) = self.series_pos.get(&r.series_uid)?;
        index.patients.get(p)?.studies.get(st)?.series.get(se)
    }

    /// The frames of a series, computed once.
    fn frames_for(&self, r: &SeriesRef) -> SeriesFrames {
        if let Some(f) = self.frames.borrow().get(&r.series_uid) {
            return Arc::clone(f);
        }
        let frames = Arc::new(self.series(r).map(frames_of).unwrap_or_default());
        self.frames
            .borrow_mut()
            .insert(r.series_uid.clone(), Arc::clone(&frames));
        frames
    }

    /// The frames of the series a viewport shows (none when it shows none).
    fn viewport_frames(&self, v: usize) -> SeriesFrames {
        self.viewports[v]
            .series
            .as_ref()
            .map(|r| self.frames_for(r))
            .unwrap_or_default()
    }

    /// The frame key a viewport shows now.
    fn current_key(&self, v: usize) -> Option<FrameKey> {
        let frames = self.viewport_frames(v);
        frames
            .get(self.viewports[v].slice.min(frames.len().saturating_sub(1)))
            .map(|(k, _)| k.clone())
    }

    /// The instance a viewport shows now.
    fn current_instance(&self, v: usize) -> Option<crate::index::Instance> {
        let r = self.viewports[v].series.as_ref()?;
        let frames = self.frames_for(r);
        let (_, i) = frames.get(self.viewports[v].slice.min(frames.len().saturating_sub(1)))?;
        self.series(r)?.instances.get(*i).cloned()
    }

    /// The selected node, else the series the active viewport shows.
    fn selected_or_shown(&self) -> Option<Node> {
        self.selected
            .clone()
            .or_else(|| self.viewports[self.active].series.clone().map(Node::Series))
    }

    /// True when a series passes the text, review and claims filters.
    fn passes_filters(&self, study: &crate::index::Study, series: &Series) -> bool {
        let f = &self.review.filter;
        super::browser::matches_text(&self.filter, study, series)
            && self.review.passes(study, series)
            && self
                .claims
                .passes(f.body_region.as_deref(), &f.icd_prefix, study, series)
    }

    /// The browser rows the filters let through.
    fn visible_rows(&self, index: &Index) -> Vec<super::browser::Row> {
        super::browser::visible_rows(
            index,
            &|st, se| self.passes_filters(st, se),
            &self.collapsed,
        )
    }

    /// Commands from the keyboard and from a folder dropped on the window.
    fn input_commands(&self, ctx: &egui::Context) -> Vec<Command> {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        let mut commands: Vec<Command> = dropped
            .into_iter()
            .find(|p| p.is_dir())
            .map(Command::OpenFolder)
            .into_iter()
            .collect();
        if !ctx.egui_wants_keyboard_input() {
            let cx = self.key_context();
            commands.extend(ctx.input(|i| keys::commands(&i.events, &cx)));
        }
        commands
    }

    /// What the keys act on: the active viewport and what it shows.
    fn key_context(&self) -> keys::KeyContext<'_> {
        let v = self.active;
        let modality = self.viewports[v]
            .series
            .as_ref()
            .and_then(|r| self.series(r))
            .and_then(|s| s.modality.as_deref())
            .unwrap_or_default();
        keys::KeyContext {
            viewport: v,
            viewports: self.state.layout.count(),
            tool: self.tool,
            shape_selected: self.annotate.selection.is_some(),
            voi: self.viewports[v].voi.as_ref(),
            presets: self.presets.for_modality(modality),
            labels: self.review.session.as_ref().map(|s| s.labels()),
            cine_fps: self.state.cine_fps,
            strings: self.s(),
        }
    }
}

impl eframe::App for LightboxApp {
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_workers(&ctx);
        let s = self.s();
        let mut commands = self.input_commands(&ctx);
        commands.extend(menu::menu_bar(ui, &self.menu_view()));
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| self.status_bar(ui, s));
        });
        commands.extend(self.browser_panel(ui, s));
        if self.state.show_tags {
            commands.extend(self.side_panel(ui, s));
        }
        let drawn = self.central_panel(ui, s);
        commands.extend(self.windows(&ctx, s));
        // What was drawn is what the next frame's zoom, hover and tests work from.
        commands.extend(self.record_drawn(drawn));
        self.scroll_to_selected = false;
        for c in commands {
            self.apply(&ctx, c);
        }
        self.measure_selected_shape();
        self.update_selected_lesion();
        self.advance_cine(&ctx);
        let thumbnail_frames = self.update_thumbnails(&ctx);
        self.request_frames(thumbnail_frames);
        self.screenshot_step(&ctx);
    }
}
