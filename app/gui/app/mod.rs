//! The viewer application: panels, keyboard, the command loop, background scanning.

use crate::fsutil::ShowPath;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, unbounded};
use egui::{Rect, Vec2};

use super::about::{self, About};
use super::annotate_tool::AnnotationView;
use super::annotate_ui::{self, AnnotateUi, PanelContext};
use super::browser::{self, BrowserView, Row, browser_ui};
use super::claims_ui::{ClaimsUi, claims_panel_ui};
use super::command::{Command, Node, SeriesRef};
use super::fonts;
use super::measure_tool::{self, Measurement, Tool};
use super::review_ui::{self, ExportForm, FilteredSeries, ReviewUi};
use super::rules_ui::{self, RulesUi};
use super::state::{Layout, State};
use super::suggest_ui;
use super::tags::{TagTable, tags_ui};
use super::thumbnails::Thumbnails;
use super::viewport::{
    Hover, ViewportInput, ViewportResources, ViewportState, fit_zoom, frames_of, viewport_ui,
};
use crate::annotate::export::ExportFormat;
use crate::i18n::{Language, Strings};
use crate::index::{Index, ScanOptions, ScanProgress, Series};
use crate::loader::{FrameKey, FrameLoader, prefetch_order};
use crate::presets::Presets;
use crate::review::takeout::{UndecidedPolicy, write_keep_list};
use crate::review::{Level, ReviewSession, Target};
use crate::store::StoreNotice;
use crate::store::location::Fallback;

/// The review of a scanned release as the scan thread opened it (the store's
/// fingerprint and first recompute are work over every image: not for the UI thread).
type OpenedReview = Result<(ReviewSession, Option<Fallback>, Vec<StoreNotice>), String>;

/// Messages from the scanning thread.
enum ScanMessage {
    Progress(ScanProgress),
    Partial(Box<Index>),
    Done(Box<Result<(Index, OpenedReview), String>>),
}

/// How far `--screenshot` has got.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ScreenshotStep {
    /// Waiting for the first image to be drawn (frames counted since).
    WaitingForImage(u32),
    /// Requested; the flag turns true when the file is written.
    Requested,
}

/// A `--screenshot` run: where to save, how far it got, and how it ended.
struct ScreenshotJob {
    path: PathBuf,
    step: ScreenshotStep,
    done: Arc<AtomicBool>,
    failure: Arc<Mutex<Option<String>>>,
}

/// The Lightbox viewer.
pub struct LightboxApp {
    /// Persisted settings.
    pub state: State,
    index: Option<Arc<Index>>,
    series_pos: HashMap<String, (usize, usize, usize)>,
    frames: HashMap<String, Arc<Vec<(FrameKey, usize)>>>,
    scan: Option<Receiver<ScanMessage>>,
    scan_progress: Option<ScanProgress>,
    scan_path: Option<PathBuf>,
    loader: FrameLoader,
    viewports: Vec<ViewportState>,
    active: usize,
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
    show_settings: bool,
    error: Option<String>,
    last_request: Vec<FrameKey>,
    screenshot: Option<ScreenshotJob>,
    show_shortcuts: bool,
    /// Image size and viewport size (points) drawn last, per viewport, for fit-relative zooming.
    last_sizes: Vec<Option<([f32; 2], Vec2)>>,
    /// What a left drag does.
    tool: Tool,
    /// Measurements per image (kept for the session; annotations are persisted by a later issue).
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
    last_transforms: Vec<Option<(Rect, super::gpu::Affine2)>>,
    /// The pre-labelling rules: editor, live counts, evaluation worker.
    rules: RulesUi,
    /// Help ▸ About, with the graphics backend in use.
    about: About,
}

mod annotation_commands;
mod keys;
mod rules_commands;

/// The tabs of the right panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum SideTab {
    /// Decisions on the selected node, counts, the decision log.
    #[default]
    Review,
    /// The claims of the study or series shown, and the patient's history.
    Claims,
    /// The DICOM tags of the current image.
    Tags,
    /// Annotation shapes: labels, attributes, measurements, geometry.
    Annotations,
    /// The pre-labelling rules, their counts and conflicts.
    Rules,
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
            rs.renderer.write().callback_resources.insert(resources);
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
        let mut app = Self {
            state,
            index: None,
            series_pos: HashMap::new(),
            frames: HashMap::new(),
            scan: None,
            scan_progress: None,
            scan_path: None,
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
            presets: Presets::default(),
            presets_source: None,
            error: None,
            last_request: Vec::new(),
            screenshot: screenshot.map(|path| ScreenshotJob {
                path,
                step: ScreenshotStep::WaitingForImage(0),
                done: Arc::new(AtomicBool::new(false)),
                failure: Arc::new(Mutex::new(None)),
            }),
            show_shortcuts: false,
            show_settings: false,
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
        };
        let (presets, source, problem) = Presets::load();
        app.presets = presets;
        app.presets_source = source;
        app.error = problem;
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
        let v = &self.viewports[self.active];
        let Some(r) = &v.series else {
            return Vec::new();
        };
        let Some(frames) = self.frames.get(&r.series_uid) else {
            return Vec::new();
        };
        frames
            .get(v.slice)
            .and_then(|(k, _)| self.measurements.get(k))
            .map(|list| list.iter().map(|m| m.label.clone()).collect())
            .unwrap_or_default()
    }

    /// The project's annotations, once the review is open (for tests).
    pub fn annotations(&self) -> Option<&crate::annotate::Annotations> {
        self.review.session.as_ref().map(|s| s.annotations())
    }

    /// Where an image point of the active viewport's frame was drawn last, in screen
    /// points (for tests that click on the image).
    pub fn screen_pos_of(&self, point_in_image: [f64; 2]) -> Option<egui::Pos2> {
        let (rect, to_screen) = self.last_transforms.get(self.active)?.as_ref()?;
        let p = to_screen.apply(point_in_image);
        Some(rect.min + Vec2::new(p[0] as f32, p[1] as f32))
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
    fn frames_for(&mut self, r: &SeriesRef) -> Arc<Vec<(FrameKey, usize)>> {
        if let Some(f) = self.frames.get(&r.series_uid) {
            return Arc::clone(f);
        }
        let frames = Arc::new(self.series(r).map(frames_of).unwrap_or_default());
        self.frames
            .insert(r.series_uid.clone(), Arc::clone(&frames));
        frames
    }

    /// Applies one command: the only place state changes.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        let n_frames = |app: &mut Self, v: usize| {
            app.viewports[v]
                .series
                .clone()
                .map_or(0, |r| app.frames_for(&r).len())
        };
        match command {
            Command::OpenFolder(path) => self.start_scan(ctx, path),
            Command::SetLanguage(l) => self.state.language = l,
            Command::SetLayout(l) => {
                self.state.layout = l;
                self.active = self.active.min(l.count() - 1);
            }
            Command::ShowSeries { viewport, series } => {
                if let Some(v) = self.viewports.get_mut(viewport) {
                    v.show(series);
                    self.active = viewport;
                }
            }
            Command::Activate(v) => self.active = v.min(self.state.layout.count() - 1),
            Command::Scroll { viewport, delta } => {
                let n = n_frames(self, viewport);
                if n > 0 {
                    let v = &mut self.viewports[viewport];
                    v.slice = (v.slice as i64 + delta).clamp(0, n as i64 - 1) as usize;
                    self.sync_linked(viewport);
                }
            }
            Command::ScrollToEnd { viewport, last } => {
                let n = n_frames(self, viewport);
                self.viewports[viewport].slice = if last { n.saturating_sub(1) } else { 0 };
                self.sync_linked(viewport);
            }
            Command::SetVoi {
                viewport,
                voi,
                label,
            } => {
                let v = &mut self.viewports[viewport];
                v.voi = Some(voi);
                v.voi_label = label;
            }
            Command::Zoom {
                viewport,
                factor,
                anchor,
            } => {
                let zoom = self.current_zoom(viewport);
                let v = &mut self.viewports[viewport];
                let new_zoom = (zoom * factor).clamp(0.02, 64.0);
                let applied = new_zoom / zoom;
                // Keep the point under the anchor fixed.
                let a = Vec2::new(anchor[0], anchor[1]);
                v.pan = a + (v.pan - a) * applied;
                v.zoom = Some(new_zoom);
            }
            Command::Pan { viewport, delta } => {
                self.viewports[viewport].pan += Vec2::new(delta[0], delta[1])
            }
            Command::Fit(v) => {
                let vp = &mut self.viewports[v];
                vp.zoom = None;
                vp.pan = Vec2::ZERO;
            }
            Command::ActualPixels(v) => {
                let ppp = ctx.pixels_per_point();
                let vp = &mut self.viewports[v];
                vp.zoom = Some(1.0 / ppp);
                vp.pan = Vec2::ZERO;
            }
            Command::Reset(v) => {
                let vp = &mut self.viewports[v];
                let (series, slice) = (vp.series.take(), vp.slice);
                *vp = ViewportState {
                    series,
                    slice,
                    ..ViewportState::default()
                };
            }
            Command::Invert(v) => self.viewports[v].invert ^= true,
            Command::Rotate {
                viewport,
                quarter_turns,
            } => {
                let vp = &mut self.viewports[viewport];
                vp.quarter_turns = (vp.quarter_turns as i32 + quarter_turns).rem_euclid(4) as u32;
            }
            Command::Flip {
                viewport,
                horizontal,
            } => {
                let vp = &mut self.viewports[viewport];
                if horizontal {
                    vp.flip_h ^= true;
                } else {
                    vp.flip_v ^= true;
                }
            }
            Command::ToggleCine(v) => {
                let vp = &mut self.viewports[v];
                vp.cine ^= true;
                vp.cine_accum = 0.0;
            }
            Command::SetCineFps(f) => self.state.cine_fps = f.clamp(1.0, 60.0),
            Command::ToggleTags => self.state.show_tags ^= true,
            Command::ToggleOverlays => self.state.show_overlays ^= true,
            Command::ToggleLinkedScrolling => self.state.linked_scrolling ^= true,
            Command::SetTool(t) => self.tool = t,
            Command::AddMeasurement { key, measurement } => {
                self.measurements.entry(key).or_default().push(measurement)
            }
            Command::Select(node) => {
                if let Node::Series(r) = &node {
                    self.viewports[self.active].show(r.clone());
                    self.collapsed.remove(&r.study_uid);
                }
                self.selected = Some(node);
                self.scroll_to_selected = true;
            }
            Command::StepNode(delta) => {
                if let Some(index) = self.index.clone() {
                    let rows = self.visible_rows(&index);
                    let from = self.selected_or_shown();
                    if let Some(node) = browser::step(&index, &rows, from.as_ref(), delta) {
                        self.apply(ctx, Command::Select(node));
                    }
                }
            }
            Command::SelectParent => match self.selected_or_shown() {
                Some(Node::Series(r)) => self.apply(ctx, Command::Select(Node::Study(r.study_uid))),
                Some(Node::Study(uid)) => {
                    self.collapsed.insert(uid);
                }
                None => {}
            },
            Command::SelectChild => {
                if let Some(Node::Study(uid)) = self.selected_or_shown() {
                    self.collapsed.remove(&uid);
                    let first = self
                        .index
                        .as_ref()
                        .and_then(|i| i.studies().find(|st| st.study_uid == uid))
                        .and_then(|st| st.series.first())
                        .map(|se| se.series_uid.clone());
                    if let Some(series_uid) = first {
                        self.apply(
                            ctx,
                            Command::Select(Node::Series(SeriesRef {
                                study_uid: uid,
                                series_uid,
                            })),
                        );
                    }
                }
            }
            Command::ToggleCollapsed(uid) => {
                if !self.collapsed.remove(&uid) {
                    self.collapsed.insert(uid);
                }
            }
            Command::Decide {
                label,
                targets,
                decision,
                reason,
            } => self.store_decisions(|session| {
                let command = session.decide_command(label, &targets, decision, &reason);
                session.apply(&command).map_err(|e| e.to_string())
            }),
            Command::DecideSelected(decision) => {
                if let Some(node) = self.selected_or_shown() {
                    let command = review_ui::decide(self.s(), &node, decision, &self.review.reason);
                    self.apply(ctx, command);
                }
            }
            Command::DecideCurrentImage(decision) => {
                if let Some(instance) = self.current_instance(self.active) {
                    let s = self.s();
                    let label = format!(
                        "{} {} {}",
                        s.get(review_ui::decision_key(decision)),
                        Level::Image.as_str(),
                        instance.file_name
                    );
                    let target = Target {
                        level: Level::Image,
                        uid: instance.sop_uid,
                    };
                    let reason = self.review.reason.clone();
                    self.apply(
                        ctx,
                        Command::Decide {
                            label,
                            targets: vec![target],
                            decision,
                            reason,
                        },
                    );
                }
            }
            Command::Undo => self
                .store_decisions(|session| session.undo().map(|_| ()).map_err(|e| e.to_string())),
            Command::Redo => self
                .store_decisions(|session| session.redo().map(|_| ()).map_err(|e| e.to_string())),
            Command::NextUndecided(delta) => {
                if let Some(node) = self.next_undecided_study(delta) {
                    self.apply(ctx, Command::Select(node));
                    self.apply(ctx, Command::SelectChild);
                    if let Some(Node::Series(r)) = &self.selected {
                        self.selected = Some(Node::Study(r.study_uid.clone()));
                    }
                }
            }
            Command::SetReviewFilter(f) => self.review.filter = f,
            Command::AskBulk(b) => self.review.bulk = Some(b),
            Command::EditRules(text) => {
                self.rules.text = text;
                self.rules.edited(ctx);
                // Stored a moment later (see `store_rules_draft_when_due`).
                self.rules
                    .draft_edited_at
                    .get_or_insert_with(std::time::Instant::now);
            }
            Command::LoadRules(path) => {
                self.rules.load(ctx, self.s(), &path);
                self.store_rules_draft();
            }
            Command::SaveRules(path) => {
                self.rules.save(self.s(), &path);
                self.store_rules_draft();
            }
            Command::ApplyRules => self.apply_rules(),
            Command::ReviewSuggestions { ids, accept } => {
                self.review.suggestion_bulk = None;
                self.review_suggestions(&ids, accept);
            }
            Command::ReviewSelectedSuggestions(accept) => {
                let ids = match (self.selected_or_shown(), &self.review.session) {
                    (Some(node), Some(session)) => suggest_ui::pending_ids(session, &node),
                    _ => Vec::new(),
                };
                self.review_suggestions(&ids, accept);
            }
            Command::AskSuggestionBulk(b) => self.review.suggestion_bulk = Some(b),
            Command::CancelSuggestionBulk => self.review.suggestion_bulk = None,
            Command::CancelBulk => self.review.bulk = None,
            Command::ConfirmBulk => {
                if let Some(b) = self.review.bulk.take() {
                    let s = self.s();
                    let label = s.format(
                        "bulk.label",
                        &[
                            ("decision", s.get(review_ui::decision_key(b.decision))),
                            ("series", &b.targets.len().to_string()),
                        ],
                    );
                    let reason = self.review.reason.clone();
                    self.apply(
                        ctx,
                        Command::Decide {
                            label,
                            targets: b.targets,
                            decision: b.decision,
                            reason,
                        },
                    );
                }
            }
            Command::ImportDecisions(path) => self.store_decisions(|session| {
                let (_, command) = session
                    .import_command(&path, false)
                    .map_err(|e| e.to_string())?;
                session.apply(&command).map_err(|e| e.to_string())
            }),
            Command::OpenExport => {
                if self.review.export.is_none() {
                    self.review.export = Some(ExportForm::default());
                }
            }
            Command::CloseExport => self.review.export = None,
            Command::ExportKeepList => self.export_keep_list(),
            Command::ExportSummary(path) => {
                if let Some(session) = &self.review.session {
                    self.review.error = crate::review::summary::write_summary_csv(
                        &path,
                        session.images(),
                        session.effective(),
                    )
                    .err()
                    .map(|e| e.to_string());
                }
            }
            Command::ExportDecisions(path) => {
                if let Some(session) = &self.review.session {
                    self.review.error = crate::review::decisions_csv::write_decisions_csv(
                        &path,
                        session.decisions(),
                    )
                    .err()
                    .map(|e| e.to_string());
                }
            }
            Command::SaveProjectAs(path) => self.store_decisions(|session| {
                session
                    .store_mut()
                    .save_as(&path)
                    .map_err(|e| e.to_string())
            }),
            Command::AcceptChangedImages => {
                if let Some(session) = self.review.session.as_mut() {
                    match session.accept_changed_images() {
                        Ok(()) => {
                            self.review.images_changed = false;
                            self.review.notice = None;
                        }
                        Err(e) => self.review.error = Some(e.to_string()),
                    }
                }
            }
            Command::SetCacheMib(mib) => {
                self.state.cache_mib = mib.clamp(64, 1 << 20);
                self.loader
                    .set_budget((self.state.cache_mib as usize) << 20);
            }
            Command::DeleteLastMeasurement(v) => {
                if let Some(key) = self.current_key(v)
                    && let Some(list) = self.measurements.get_mut(&key)
                {
                    list.pop();
                }
            }
            Command::SelectShape(_)
            | Command::ChangeShapes { .. }
            | Command::EditSelectedShape(_)
            | Command::SetDrawLabel(_)
            | Command::DeleteSelection(_)
            | Command::CopyShape
            | Command::PasteShape { .. }
            | Command::PropagateShape { .. }
            | Command::SetLabelSet(_)
            | Command::ExportAnnotations(_)
            | Command::ImportAnnotations(_) => self.apply_annotation(ctx, command),
        }
    }

    /// The study after (or before) the selected one, in browser order, that still has
    /// undecided images; wraps around.
    fn next_undecided_study(&self, delta: i32) -> Option<Node> {
        let index = self.index.as_ref()?;
        let session = self.review.session.as_ref()?;
        let studies: Vec<&str> = index.studies().map(|st| st.study_uid.as_str()).collect();
        if studies.is_empty() {
            return None;
        }
        let current = match self.selected_or_shown() {
            Some(Node::Study(uid)) => Some(uid),
            Some(Node::Series(r)) => Some(r.study_uid),
            None => None,
        };
        let n = studies.len() as i64;
        let start = current
            .and_then(|c| studies.iter().position(|s| *s == c))
            .map_or(if delta > 0 { -1 } else { n }, |p| p as i64);
        (1..=n)
            .map(|k| (start + k * i64::from(delta.signum())).rem_euclid(n) as usize)
            .find(|&i| {
                session
                    .counts(studies[i])
                    .is_some_and(|c| c.undecided_images > 0)
            })
            .map(|i| Node::Study(studies[i].to_owned()))
    }

    /// `TAKEOUT/` of the release root, where the keep-list goes by default.
    fn default_takeout_dir(&self) -> Option<PathBuf> {
        let index = self.index.as_ref()?;
        crate::release::takeout_dir(&index.root, &index.layout)
    }

    /// Writes the keep-list as the export window says and reports the outcome there.
    fn export_keep_list(&mut self) {
        let default_dir = self.default_takeout_dir();
        let s = self.s();
        let (Some(session), Some(form)) = (&self.review.session, self.review.export.as_mut())
        else {
            return;
        };
        let Some(dir) = form.out_dir.clone().or(default_dir) else {
            form.outcome = Some((s.get("export.choose_dir").to_owned(), false));
            return;
        };
        if let Err(e) = std::fs::create_dir_all(&dir) {
            form.outcome = Some((format!("{e}: {}", dir.shown()), false));
            return;
        }
        let policy = if form.undecided_drop {
            UndecidedPolicy::Drop
        } else {
            UndecidedPolicy::Refuse
        };
        form.outcome = Some(
            match write_keep_list(
                &dir,
                self.state.project_code.trim(),
                session.images(),
                session.effective(),
                policy,
                form.overwrite,
            ) {
                Ok(r) => (
                    s.format(
                        "export.done",
                        &[
                            ("path", &r.path.shown().to_string()),
                            ("studies", &r.study_rows.to_string()),
                            ("series", &r.series_rows.to_string()),
                            ("images", &r.image_rows.to_string()),
                            ("kept", &r.kept_images.to_string()),
                        ],
                    ),
                    true,
                ),
                Err(e) => (e.to_string(), false),
            },
        );
        form.overwrite = false;
    }

    /// True when a series passes the text, review and claims filters.
    fn passes_filters(&self, study: &crate::index::Study, series: &Series) -> bool {
        let f = &self.review.filter;
        browser::matches_text(&self.filter, study, series)
            && self.review.passes(study, series)
            && self
                .claims
                .passes(f.body_region.as_deref(), &f.icd_prefix, study, series)
    }

    /// The browser rows the filters let through.
    fn visible_rows(&self, index: &Index) -> Vec<Row> {
        browser::visible_rows(
            index,
            &|st, se| self.passes_filters(st, se),
            &self.collapsed,
        )
    }

    /// The selected node, else the series the active viewport shows.
    fn selected_or_shown(&self) -> Option<Node> {
        self.selected
            .clone()
            .or_else(|| self.viewports[self.active].series.clone().map(Node::Series))
    }

    /// The instance a viewport shows now.
    fn current_instance(&mut self, v: usize) -> Option<crate::index::Instance> {
        let r = self.viewports[v].series.clone()?;
        let frames = self.frames_for(&r);
        let (_, i) = frames.get(self.viewports[v].slice.min(frames.len().saturating_sub(1)))?;
        self.series(&r)?.instances.get(*i).cloned()
    }

    /// Moves every other visible viewport on the same Frame of Reference to the
    /// image nearest to `source`'s slice position (along the slice normal).
    fn sync_linked(&mut self, source: usize) {
        if !self.state.linked_scrolling {
            return;
        }
        let Some(src) = self.current_instance(source) else {
            return;
        };
        let (Some(frame_of_reference), Some(normal), Some(pos)) = (
            src.frame_of_reference_uid.clone(),
            src.normal(),
            src.position_mm,
        ) else {
            return;
        };
        let along = |p: [f64; 3]| p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
        let target = along(pos);
        for v in 0..self.state.layout.count() {
            let Some(r) = self.viewports[v].series.clone().filter(|_| v != source) else {
                continue;
            };
            let Some(series) = self.series(&r) else {
                continue;
            };
            if series
                .instances
                .first()
                .and_then(|i| i.frame_of_reference_uid.as_deref())
                != Some(frame_of_reference.as_str())
            {
                continue;
            }
            let nearest = series
                .instances
                .iter()
                .enumerate()
                .filter_map(|(i, inst)| inst.position_mm.map(|p| (i, (along(p) - target).abs())))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i);
            if let Some(i) = nearest {
                // Single-frame instances: the frame index equals the instance index.
                let frames = self.frames_for(&r);
                if let Some(slice) = frames.iter().position(|(_, inst)| *inst == i) {
                    self.viewports[v].slice = slice;
                }
            }
        }
    }

    /// The zoom a viewport shows now (fit resolved), for relative zooming.
    fn current_zoom(&self, viewport: usize) -> f32 {
        let v = &self.viewports[viewport];
        if let Some(z) = v.zoom {
            return z;
        }
        // Without a frame size yet, assume the frame fills the viewport.
        self.last_sizes
            .get(viewport)
            .copied()
            .flatten()
            .map_or(1.0, |(image, size)| fit_zoom(image, size, v.quarter_turns))
    }

    fn start_scan(&mut self, ctx: &egui::Context, path: PathBuf) {
        let (tx, rx) = unbounded();
        let repaint = ctx.clone();
        let scan_path = path.clone();
        let reviewer = Some(self.state.reviewer.trim().to_owned())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "unknown".to_owned());
        let spawned = std::thread::Builder::new()
            .name("lightbox-scan".into())
            .spawn(move || {
                let progress_tx = tx.clone();
                let progress_ctx = repaint.clone();
                let progress = move |p: ScanProgress| {
                    let _ = progress_tx.send(ScanMessage::Progress(p));
                    progress_ctx.request_repaint();
                };
                let partial_tx = tx.clone();
                let partial_ctx = repaint.clone();
                let partial = move |index: Index| {
                    let _ = partial_tx.send(ScanMessage::Partial(Box::new(index)));
                    partial_ctx.request_repaint();
                };
                let result = Index::open_streaming(
                    &scan_path,
                    &ScanOptions::default(),
                    &progress,
                    Some(&partial),
                )
                .map(|index| {
                    let review =
                        ReviewSession::open_for_index(&index, &reviewer).map_err(|e| e.to_string());
                    (index, review)
                })
                .map_err(|e| e.to_string());
                let _ = tx.send(ScanMessage::Done(Box::new(result)));
                repaint.request_repaint();
            });
        match spawned {
            Ok(_) => {
                // A new release: forget the old one's tree, frames, thumbnails and measurements.
                self.index = None;
                self.frames.clear();
                self.thumbs.clear();
                self.measurements.clear();
                self.viewports = vec![ViewportState::default(); 4];
                self.scan = Some(rx);
                self.scan_progress = None;
                self.scan_path = Some(path);
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn poll_scan(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.scan else {
            return;
        };
        let mut latest = None;
        let mut done = None;
        while let Ok(msg) = rx.try_recv() {
            match msg {
                ScanMessage::Progress(p) => self.scan_progress = Some(p),
                ScanMessage::Partial(index) => latest = Some(index),
                ScanMessage::Done(r) => done = Some(r),
            }
        }
        if let Some(result) = done {
            self.scan = None;
            match *result {
                Ok((index, review)) => {
                    self.install_index(index);
                    self.state.last_folder = self.scan_path.clone();
                    self.error = None;
                    self.install_review(review);
                    self.load_project_rules(ctx);
                    if let Some(index) = self.index.clone() {
                        self.claims.load(index, ctx);
                    }
                }
                Err(e) => self.error = Some(e),
            }
        } else if let Some(index) = latest {
            self.install_index(*index);
        }
    }

    /// Shows the review the scan thread opened (or why it could not), with what the
    /// user should know about its store.
    fn install_review(&mut self, review: OpenedReview) {
        let s = self.s();
        self.review.session = None;
        self.review.notice = None;
        self.review.images_changed = false;
        self.review.error = None;
        match review {
            Ok((session, fallback, notices)) => {
                if let Some(f) = fallback {
                    self.review.notice = Some(s.format(
                        "review.store_fallback",
                        &[
                            ("folder", &f.folder.shown().to_string()),
                            ("path", &session.store().path().shown().to_string()),
                        ],
                    ));
                }
                for n in notices {
                    let StoreNotice::ImagesChanged(c) = n;
                    self.review.images_changed = true;
                    self.review.notice = Some(s.format(
                        "review.images_changed",
                        &[
                            ("added", &c.added.to_string()),
                            ("removed", &c.removed.to_string()),
                            ("changed", &c.changed.to_string()),
                        ],
                    ));
                }
                let labels = session.labels();
                if labels.get(&self.annotate.draw_label).is_none()
                    && let Some(first) = labels.labels.first()
                {
                    self.annotate.draw_label = first.name.clone();
                }
                self.annotate.selection = None;
                self.review.session = Some(session);
                self.review.refresh_log();
            }
            Err(e) => self.review.error = Some(e),
        }
    }

    /// Stores a decision command and refreshes what shows it.
    fn store_decisions(&mut self, run: impl FnOnce(&mut ReviewSession) -> Result<(), String>) {
        let Some(session) = self.review.session.as_mut() else {
            return;
        };
        self.review.error = run(session).err();
        self.review.refresh_log();
    }

    /// Shows a (partial or final) index; the first one of a scan also fills the viewports.
    fn install_index(&mut self, index: Index) {
        self.series_pos.clear();
        for (p, patient) in index.patients.iter().enumerate() {
            for (st, study) in patient.studies.iter().enumerate() {
                for (se, series) in study.series.iter().enumerate() {
                    self.series_pos
                        .insert(series.series_uid.clone(), (p, st, se));
                }
            }
        }
        // Series may have grown since the last partial index.
        self.frames.clear();
        self.modalities = index
            .series()
            .filter_map(|se| se.modality.clone())
            .collect();
        self.modalities.sort();
        self.modalities.dedup();
        let first_of_scan = self.index.is_none();
        if first_of_scan {
            // Show the first series in each visible viewport, like a PACS opening a study.
            let first: Vec<SeriesRef> = index
                .studies()
                .flat_map(|st| {
                    st.series.iter().map(|se| SeriesRef {
                        study_uid: st.study_uid.clone(),
                        series_uid: se.series_uid.clone(),
                    })
                })
                .take(self.state.layout.count())
                .collect();
            for (v, r) in self.viewports.iter_mut().zip(first) {
                v.show(r);
            }
            self.active = 0;
        }
        self.index = Some(Arc::new(index));
    }

    /// Keys act on the active viewport unless a text field has focus.
    fn keyboard(&self, ctx: &egui::Context) -> Vec<Command> {
        if ctx.egui_wants_keyboard_input() {
            return Vec::new();
        }
        let v = self.active;
        let modality = self.viewports[v]
            .series
            .as_ref()
            .and_then(|r| self.series(r))
            .and_then(|s| s.modality.clone())
            .unwrap_or_default();
        let cx = keys::KeyContext {
            viewport: v,
            viewports: self.state.layout.count(),
            tool: self.tool,
            shape_selected: self.annotate.selection.is_some(),
            voi: self.viewports[v].voi.as_ref(),
            presets: self.presets.for_modality(&modality),
            labels: self.review.session.as_ref().map(|s| s.labels()),
            cine_fps: self.state.cine_fps,
            strings: self.s(),
        };
        ctx.input(|i| keys::commands(&i.events, &cx))
    }
}

impl eframe::App for LightboxApp {
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_scan(&ctx);
        if self.claims.poll()
            && let Some(facts) = self.claims.loaded.as_ref().map(|l| l.facts.clone())
        {
            self.rules.set_facts(&ctx, facts);
        }
        self.rules.poll();
        self.store_rules_draft_when_due(&ctx);
        let mut commands: Vec<Command> = Vec::new();
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if let Some(dir) = dropped.into_iter().find(|p| p.is_dir()) {
            commands.push(Command::OpenFolder(dir));
        }
        commands.extend(self.keyboard(&ctx));
        let s = self.s();

        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button(s.get("menu.file"), |ui| {
                    if ui.button(s.get("menu.file.open_folder")).clicked() {
                        if let Some(dir) = rfd::FileDialog::new().pick_folder() {
                            commands.push(Command::OpenFolder(dir));
                        }
                        ui.close();
                    }
                    ui.separator();
                    let has_review = self.review.session.is_some();
                    if ui
                        .add_enabled(
                            has_review,
                            egui::Button::new(s.get("menu.file.import_decisions")),
                        )
                        .clicked()
                    {
                        if let Some(p) = rfd::FileDialog::new()
                            .add_filter("csv", &["csv"])
                            .pick_file()
                        {
                            commands.push(Command::ImportDecisions(p));
                        }
                        ui.close();
                    }
                    if ui
                        .add_enabled(
                            has_review,
                            egui::Button::new(s.get("menu.file.export_keep_list")),
                        )
                        .clicked()
                    {
                        commands.push(Command::OpenExport);
                        ui.close();
                    }
                    if ui
                        .add_enabled(
                            has_review,
                            egui::Button::new(s.get("menu.file.save_project_as")),
                        )
                        .clicked()
                    {
                        if let Some(p) = rfd::FileDialog::new()
                            .set_file_name("review.lightbox.sqlite")
                            .save_file()
                        {
                            commands.push(Command::SaveProjectAs(p));
                        }
                        ui.close();
                    }
                    ui.separator();
                    ui.add_enabled_ui(has_review, |ui| {
                        ui.menu_button(s.get("menu.file.export_annotations"), |ui| {
                            for format in ExportFormat::ALL {
                                if ui
                                    .button(s.get(&format!("annotate.export.{}", format.as_str())))
                                    .clicked()
                                {
                                    if let Some(folder) = rfd::FileDialog::new().pick_folder() {
                                        commands.push(Command::ExportAnnotations(
                                            annotate_ui::AnnotationExport { format, folder },
                                        ));
                                    }
                                    ui.close();
                                }
                            }
                        });
                        if ui.button(s.get("menu.file.import_annotations")).clicked() {
                            if let Some(p) = rfd::FileDialog::new()
                                .add_filter("json", &["json"])
                                .pick_file()
                            {
                                commands.push(Command::ImportAnnotations(p));
                            }
                            ui.close();
                        }
                    });
                    ui.separator();
                    if ui.button(s.get("menu.file.settings")).clicked() {
                        self.show_settings = true;
                        ui.close();
                    }
                    if ui.button(s.get("menu.file.quit")).clicked() {
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                });
                ui.menu_button(s.get("menu.edit"), |ui| {
                    let session = self.review.session.as_ref();
                    let undo = session.and_then(|x| x.undo_label()).map(str::to_owned);
                    let redo = session.and_then(|x| x.redo_label()).map(str::to_owned);
                    let text = |key: &str, label: &Option<String>| match label {
                        Some(l) => format!("{} — {l}", s.get(key)),
                        None => s.get(key).to_owned(),
                    };
                    if ui
                        .add_enabled(
                            undo.is_some(),
                            egui::Button::new(text("menu.edit.undo", &undo))
                                .shortcut_text("Ctrl+Z"),
                        )
                        .clicked()
                    {
                        commands.push(Command::Undo);
                        ui.close();
                    }
                    if ui
                        .add_enabled(
                            redo.is_some(),
                            egui::Button::new(text("menu.edit.redo", &redo))
                                .shortcut_text("Ctrl+Y"),
                        )
                        .clicked()
                    {
                        commands.push(Command::Redo);
                        ui.close();
                    }
                });
                ui.menu_button(s.get("menu.view"), |ui| {
                    for l in Layout::ALL {
                        if ui
                            .radio(self.state.layout == l, s.get(l.label_key()))
                            .clicked()
                        {
                            commands.push(Command::SetLayout(l));
                        }
                    }
                    ui.separator();
                    if ui
                        .checkbox(
                            &mut self.state.show_tags.clone(),
                            s.get("menu.view.show_tags"),
                        )
                        .clicked()
                    {
                        commands.push(Command::ToggleTags);
                    }
                    if ui
                        .checkbox(
                            &mut self.state.show_overlays.clone(),
                            s.get("menu.view.show_overlays"),
                        )
                        .clicked()
                    {
                        commands.push(Command::ToggleOverlays);
                    }
                    if ui.button(s.get("menu.view.reset_view")).clicked() {
                        commands.push(Command::Reset(self.active));
                    }
                });
                ui.menu_button(s.get("menu.language"), |ui| {
                    for l in Language::ALL {
                        if ui
                            .radio(self.state.language == l, l.native_name())
                            .clicked()
                        {
                            commands.push(Command::SetLanguage(l));
                        }
                    }
                });
                ui.menu_button(s.get("menu.help"), |ui| {
                    if ui.button(s.get("menu.help.shortcuts")).clicked() {
                        self.show_shortcuts = true;
                        ui.close();
                    }
                    if ui.button(s.get("menu.help.about")).clicked() {
                        self.about.open = true;
                        ui.close();
                    }
                });
            });
        });

        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| self.status_bar(ui, s));
        });

        egui::Panel::left("browser")
            .resizable(true)
            .default_size(320.0)
            .show(ui, |ui| {
                ui.heading(s.get("browser.title"));
                if let Some(p) = self.scan_progress.filter(|_| self.scan.is_some()) {
                    let frac = if p.total == 0 {
                        0.0
                    } else {
                        p.done as f32 / p.total as f32
                    };
                    ui.add(egui::ProgressBar::new(frac).text(s.format(
                        "browser.scanning",
                        &[
                            ("done", &p.done.to_string()),
                            ("total", &p.total.to_string()),
                        ],
                    )));
                } else if self.scan.is_some() {
                    ui.spinner();
                }
                // Drawn without a release too: the filter box holds the panel's width.
                let index = self.index.clone();
                let rows = index
                    .as_deref()
                    .map(|i| self.visible_rows(i))
                    .unwrap_or_default();
                if let Some(index) = index.as_deref() {
                    // The series the filters let through, collapsed studies included.
                    let filtered = || -> Vec<FilteredSeries> {
                        index
                            .studies()
                            .flat_map(|st| st.series.iter().map(move |se| (st, se)))
                            .filter(|(st, se)| self.passes_filters(st, se))
                            .map(|(st, se)| FilteredSeries {
                                study_uid: st.study_uid.clone(),
                                series_uid: se.series_uid.clone(),
                                images: se.instances.len(),
                            })
                            .collect()
                    };
                    let regions = self.claims.body_regions(self.state.language);
                    commands.extend(review_ui::filter_ui(
                        ui,
                        s,
                        &self.review,
                        &self.modalities,
                        &regions,
                        &filtered,
                    ));
                }
                let view = BrowserView {
                    s,
                    index: index.as_deref(),
                    rows: &rows,
                    collapsed: &self.collapsed,
                    selected: self.selected.as_ref(),
                    scroll_to_selected: std::mem::take(&mut self.scroll_to_selected),
                    thumbs: &self.thumbs,
                    mark: &|node| self.review.mark(node),
                    suggestion: &|node| {
                        self.review
                            .session
                            .as_ref()
                            .and_then(|session| suggest_ui::pending_mark(session, s, node))
                    },
                    claims_line: &|st, se| self.claims.series_line(st, se, self.state.language),
                };
                commands.extend(browser_ui(ui, &view, &mut self.filter));
            });

        let current_path = self.current_key(self.active).map(|k| k.path.to_path_buf());
        if self.state.show_tags {
            if let Some(p) = &current_path {
                self.tags.show_file(p, ui.ctx());
            }
            let image = self.current_instance(self.active).map(|i| i.sop_uid);
            let selected = self.selected_or_shown();
            egui::Panel::right("side")
                .resizable(true)
                .default_size(360.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        for (tab, key) in [
                            (SideTab::Review, "review.title"),
                            (SideTab::Claims, "claims.title"),
                            (SideTab::Annotations, "annotate.title"),
                            (SideTab::Rules, "rules.title"),
                            (SideTab::Tags, "tags.title"),
                        ] {
                            ui.selectable_value(&mut self.side_tab, tab, s.get(key));
                        }
                    });
                    ui.separator();
                    match self.side_tab {
                        SideTab::Review => {
                            egui::ScrollArea::vertical()
                                .id_salt("review-panel")
                                .auto_shrink(false)
                                .show(ui, |ui| {
                                    commands.extend(review_ui::review_panel_ui(
                                        ui,
                                        s,
                                        &mut self.review,
                                        self.index.as_deref(),
                                        selected.as_ref(),
                                        image.as_deref(),
                                    ));
                                });
                        }
                        SideTab::Claims => {
                            // The selected study (all its rows) or series (its rows).
                            let (study_uid, series_ref) = match selected.clone() {
                                Some(Node::Study(uid)) => (Some(uid), None),
                                Some(Node::Series(r)) => (Some(r.study_uid.clone()), Some(r)),
                                None => (None, None),
                            };
                            let study = study_uid.and_then(|uid| {
                                self.index
                                    .as_ref()
                                    .and_then(|i| i.studies().find(|st| st.study_uid == uid))
                            });
                            let series = series_ref.as_ref().and_then(|r| self.series(r));
                            egui::ScrollArea::vertical()
                                .id_salt("claims-panel")
                                .auto_shrink(false)
                                .show(ui, |ui| {
                                    claims_panel_ui(
                                        ui,
                                        s,
                                        self.state.language,
                                        &self.claims,
                                        study,
                                        series,
                                    );
                                });
                        }
                        SideTab::Tags => tags_ui(ui, s, &self.tags, &mut self.tag_filter),
                        SideTab::Rules => {
                            let review_open = self.review.session.is_some();
                            egui::ScrollArea::vertical()
                                .id_salt("rules-panel")
                                .auto_shrink(false)
                                .show(ui, |ui| {
                                    commands.extend(rules_ui::rules_panel_ui(
                                        ui,
                                        s,
                                        &mut self.rules,
                                        review_open,
                                    ));
                                });
                        }
                        SideTab::Annotations => {
                            let frame = self.current_shape_image(self.active).map(|(i, _)| i.key());
                            let series_uid = self.viewports[self.active]
                                .series
                                .as_ref()
                                .map(|r| r.series_uid.clone());
                            if let Some(session) = self.review.session.as_ref() {
                                let series_shapes = series_uid.map_or(0, |uid| {
                                    session
                                        .annotations()
                                        .iter()
                                        .filter(|sh| sh.image.series_uid == uid)
                                        .count()
                                });
                                let panel = PanelContext {
                                    annotations: session.annotations(),
                                    labels: session.labels(),
                                    frame,
                                    tool: self.tool,
                                    series_shapes,
                                };
                                egui::ScrollArea::vertical()
                                    .id_salt("annotation-panel")
                                    .auto_shrink(false)
                                    .show(ui, |ui| {
                                        commands.extend(annotate_ui::annotation_panel_ui(
                                            ui,
                                            s,
                                            &mut self.annotate,
                                            &panel,
                                        ));
                                    });
                            }
                        }
                    }
                });
        }

        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(e) = &self.error {
                ui.colored_label(egui::Color32::LIGHT_RED, e);
            }
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().slider_width = 90.0;
                for tools in [&Tool::ALL[..], &Tool::ANNOTATION[..]] {
                    if let Some(tool) = measure_tool::tool_buttons(ui, s, tools, self.tool) {
                        commands.push(Command::SetTool(tool));
                    }
                    ui.separator();
                }
                if ui
                    .selectable_label(
                        self.state.linked_scrolling,
                        s.get("action.linked_scrolling"),
                    )
                    .on_hover_text("L")
                    .clicked()
                {
                    commands.push(Command::ToggleLinkedScrolling);
                }
                let fps = self.state.cine_fps;
                let mut new_fps = fps;
                ui.add(egui::Slider::new(&mut new_fps, 1.0..=60.0).text(s.get("action.fps")));
                if new_fps != fps {
                    commands.push(Command::SetCineFps(new_fps));
                }
            });
            // Never wider than the panel, whatever the toolbar asked for.
            let area = ui.available_rect_before_wrap().intersect(ui.clip_rect());
            let (cols, rows) = self.state.layout.grid();
            let cell = Vec2::new(area.width() / cols as f32, area.height() / rows as f32);
            self.hover = None;
            for v in 0..self.state.layout.count() {
                let (c, r) = (v % cols, v / cols);
                let rect = Rect::from_min_size(
                    area.min + Vec2::new(c as f32 * cell.x, r as f32 * cell.y),
                    cell,
                )
                .shrink(1.0);
                let out = self.draw_viewport(ui, v, rect);
                commands.extend(out);
            }
        });

        if let Some(b) = &self.review.bulk {
            commands.extend(review_ui::bulk_window(&ctx, s, b));
        }
        if let Some(b) = &self.review.suggestion_bulk {
            commands.extend(review_ui::suggestion_bulk_window(&ctx, s, b));
        }
        if self.review.export.is_some() {
            let default_dir = self.default_takeout_dir();
            let file_name = self.review.session.as_ref().map_or(String::new(), |x| {
                format!(
                    "{}_{}.csv",
                    self.state.project_code.trim(),
                    x.images().release_id.as_deref().unwrap_or("?")
                )
            });
            if let Some(form) = self.review.export.as_mut() {
                commands.extend(review_ui::export_window(
                    &ctx,
                    s,
                    form,
                    &mut self.state.project_code,
                    default_dir.as_deref(),
                    &file_name,
                ));
            }
        }
        if self.show_settings {
            let mut open = true;
            egui::Window::new(s.get("settings.title"))
                .open(&mut open)
                .show(&ctx, |ui| {
                    let mut mib = self.state.cache_mib;
                    ui.horizontal(|ui| {
                        ui.label(s.get("settings.cache_size"));
                        ui.add(egui::DragValue::new(&mut mib).range(64..=65536).speed(64));
                    });
                    if mib != self.state.cache_mib {
                        commands.push(Command::SetCacheMib(mib));
                    }
                    ui.horizontal(|ui| {
                        ui.label(s.get("settings.language"));
                        for l in Language::ALL {
                            if ui
                                .radio(self.state.language == l, l.native_name())
                                .clicked()
                            {
                                commands.push(Command::SetLanguage(l));
                            }
                        }
                    });
                    ui.horizontal(|ui| {
                        ui.label(s.get("settings.reviewer"));
                        ui.text_edit_singleline(&mut self.state.reviewer);
                    });
                    ui.horizontal(|ui| {
                        ui.label(s.get("settings.freehand_tolerance"));
                        ui.add(
                            egui::DragValue::new(&mut self.state.freehand_tolerance_mm)
                                .range(0.0..=10.0)
                                .speed(0.05)
                                .suffix(" mm"),
                        );
                    });
                    ui.horizontal(|ui| {
                        ui.label(s.get("settings.window_presets_file"));
                        match &self.presets_source {
                            Some(p) => ui.monospace(p.shown().to_string()),
                            None => ui.monospace("assets/window-presets.json (built in)"),
                        };
                    });
                    about::graphics_setting_ui(ui, s, &mut self.state.graphics);
                });
            self.show_settings = open;
        }
        self.about.show(&ctx, s);
        if self.show_shortcuts {
            egui::Window::new(s.get("shortcuts.title"))
                .open(&mut self.show_shortcuts)
                .show(&ctx, |ui| {
                    egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                        for (k, a) in SHORTCUTS {
                            ui.monospace(*k);
                            ui.label(s.get(a));
                            ui.end_row();
                        }
                    });
                });
        }

        if let Some(set) = annotate_ui::label_editor_ui(&ctx, s, &mut self.annotate) {
            commands.push(Command::SetLabelSet(set));
        }
        for c in commands {
            self.apply(&ctx, c);
        }
        self.measure_selected_shape();
        self.advance_cine(&ctx);
        let thumbnail_frames = self.update_thumbnails(&ctx);
        self.request_frames(thumbnail_frames);
        self.screenshot_step(&ctx);
    }
}

/// Key → i18n key of the action, for the shortcuts window.
const SHORTCUTS: &[(&str, &str)] = &[
    ("↓ → / ↑ ←", "shortcuts.next_slice"),
    ("PgDn / PgUp", "tool.scroll"),
    ("Home / End", "shortcuts.first_slice"),
    ("1 … 7", "preset.title"),
    ("8", "preset.file_window"),
    ("9", "preset.auto_min_max"),
    ("0", "preset.auto_percentile"),
    ("R", "action.reset"),
    ("I", "action.invert"),
    ("F", "action.fit"),
    ("A", "action.actual_pixels"),
    ("[ / ]", "action.rotate_left"),
    ("H / V", "action.flip_horizontal"),
    ("Space", "action.play"),
    ("+ / -", "action.fps"),
    ("Tab", "tool.scroll"),
    ("T", "menu.view.show_tags"),
    ("O", "menu.view.show_overlays"),
    ("Mouse L / R / M", "tool.window_level"),
    ("W", "tool.window_level"),
    ("M", "tool.distance"),
    ("G", "tool.angle"),
    ("E", "tool.ellipse_roi"),
    ("B", "tool.rectangle_roi"),
    ("X", "tool.probe"),
    ("Delete", "action.delete_measurement"),
    ("S", "tool.edit_shapes"),
    ("Q / Shift+Q", "tool.polygon"),
    ("Shift+B / Shift+E", "tool.rectangle_shape"),
    ("C", "tool.point"),
    ("1 … 0 (annotating)", "annotate.draw_label"),
    ("Enter / Esc", "annotate.close_cancel"),
    ("Ctrl+C / Ctrl+V", "annotate.copy"),
    ("Ctrl+Shift+↓ / ↑", "annotate.propagate"),
    ("K / D / U", "shortcuts.decide"),
    ("N / P", "shortcuts.next_undecided"),
    ("Y / Shift+Y", "shortcuts.suggestions"),
    ("L", "action.linked_scrolling"),
    ("Ctrl+↓ / Ctrl+↑", "browser.walk"),
    ("Ctrl+← / Ctrl+→", "browser.expand"),
];

impl LightboxApp {
    /// The frame key a viewport shows now.
    fn current_key(&mut self, v: usize) -> Option<FrameKey> {
        let r = self.viewports[v].series.clone()?;
        let frames = self.frames_for(&r);
        frames
            .get(self.viewports[v].slice.min(frames.len().saturating_sub(1)))
            .map(|(k, _)| k.clone())
    }

    fn draw_viewport(&mut self, ui: &mut egui::Ui, v: usize, rect: Rect) -> Vec<Command> {
        let shape_image = self.current_shape_image(v);
        let series_ref = self.viewports[v].series.clone();
        let frames = series_ref
            .as_ref()
            .map(|r| self.frames_for(r))
            .unwrap_or_default();
        let slice = self.viewports[v].slice.min(frames.len().saturating_sub(1));
        let current = frames.get(slice).cloned();
        let frame = current.as_ref().and_then(|(k, _)| self.loader.get(k));
        let error = current.as_ref().and_then(|(k, _)| {
            if frame.is_none() {
                self.loader.error(k)
            } else {
                None
            }
        });
        if let Some(f) = &frame {
            self.last_sizes[v] = Some(([f.cols as f32, f.rows as f32], rect.size()));
        }
        let key_for_measurements = current.as_ref().map(|(k, _)| k.clone());
        let series = series_ref.as_ref().and_then(|r| self.series(r));
        let instance = current
            .as_ref()
            .and_then(|(_, i)| series.and_then(|s| s.instances.get(*i)));
        let annotations = self.review.session.as_ref().map(|session| {
            let key = shape_image.as_ref().map(|(img, _)| img.key());
            AnnotationView {
                shapes: key
                    .map(|k| {
                        session
                            .annotations()
                            .on_frame(&k)
                            .filter(|sh| !self.annotate.hidden_annotators.contains(&sh.annotator))
                            .collect()
                    })
                    .unwrap_or_default(),
                labels: session.labels(),
                selection: self.annotate.selection.as_ref(),
                draw_label: &self.annotate.draw_label,
                annotator: session.reviewer(),
                image: shape_image.as_ref().map(|(img, _)| img.clone()),
                spacing: shape_image.as_ref().map(|(_, sp)| *sp).unwrap_or_default(),
                freehand_tolerance_mm: self.state.freehand_tolerance_mm,
            }
        });
        let input = ViewportInput {
            annotations,
            index: v,
            active: v == self.active,
            state: &self.viewports[v],
            series,
            frame_count: frames.len(),
            instance,
            frame,
            key: current.map(|(k, _)| k),
            error,
            show_overlays: self.state.show_overlays,
            tool: self.tool,
            measurements: key_for_measurements
                .as_ref()
                .and_then(|k| self.measurements.get(k))
                .map_or(&[], Vec::as_slice),
        };
        let out = viewport_ui(ui, rect, &input);
        self.last_transforms[v] = out.to_screen.map(|t| (rect, t));
        if out.hover.is_some() {
            self.hover = out.hover;
        }
        let mut commands = out.commands;
        if let Some(series) = ui
            .interact(rect, ui.scope_id().with(("drop", v)), egui::Sense::hover())
            .dnd_release_payload::<SeriesRef>()
        {
            commands.push(Command::ShowSeries {
                viewport: v,
                series: (*series).clone(),
            });
        }
        commands
    }

    fn status_bar(&mut self, ui: &mut egui::Ui, s: &Strings) {
        let v = self.active;
        let n = self.viewports[v]
            .series
            .clone()
            .map_or(0, |r| self.frames_for(&r).len());
        if n > 0 {
            ui.label(s.format(
                "status.slice",
                &[
                    ("i", &(self.viewports[v].slice + 1).to_string()),
                    ("n", &n.to_string()),
                ],
            ));
            ui.separator();
        }
        if let Some(h) = self.hover {
            ui.label(s.format(
                "status.pixel",
                &[("x", &h.pixel.0.to_string()), ("y", &h.pixel.1.to_string())],
            ));
            if let Some(val) = h.value {
                let modality = self.viewports[v]
                    .series
                    .as_ref()
                    .and_then(|r| self.series(r))
                    .and_then(|se| se.modality.clone());
                let text = format!("{val:.1}");
                if modality.as_deref() == Some("CT") {
                    ui.label(s.format(
                        "status.value_unit",
                        &[("v", &text), ("unit", s.get("unit.hu"))],
                    ));
                } else {
                    ui.label(s.format("status.value", &[("v", &text)]));
                }
            }
            ui.separator();
        }
        let key = self.current_key(v);
        if let Some(frame) = key.and_then(|k| self.loader.get(&k)) {
            if let crate::window::Voi::Window(w) = self.viewports[v].resolved_voi(&frame) {
                ui.label(s.format(
                    "status.window",
                    &[
                        ("w", &format!("{:.0}", w.width)),
                        ("l", &format!("{:.0}", w.center)),
                    ],
                ));
                ui.separator();
            }
            let image = [frame.cols as f32, frame.rows as f32];
            let size = self.last_sizes[v].map_or(Vec2::splat(512.0), |(_, s)| s);
            let zoom = self.viewports[v].effective_zoom(image, size) * ui.ctx().pixels_per_point();
            ui.label(s.format("status.zoom", &[("z", &format!("{:.0}", zoom * 100.0))]));
            ui.separator();
        }
        if let Some(session) = &self.review.session {
            ui.label(review_ui::counts_text(
                s,
                session.effective().release_counts(),
            ));
            ui.separator();
        }
        let (bytes, count) = self.loader.cache_usage();
        ui.label(format!("{count} / {:.0} MiB", bytes as f64 / 1048576.0));
        if self.viewports[v].cine {
            ui.separator();
            ui.label(s.format(
                "action.fps_value",
                &[("fps", &format!("{:.0}", self.state.cine_fps))],
            ));
        }
    }

    /// Advances cine viewports by elapsed time × fps.
    fn advance_cine(&mut self, ctx: &egui::Context) {
        let dt = f64::from(ctx.input(|i| i.stable_dt)).min(0.25);
        let mut any = false;
        for v in 0..self.state.layout.count() {
            if !self.viewports[v].cine {
                continue;
            }
            any = true;
            let n = self.viewports[v]
                .series
                .clone()
                .map_or(0, |r| self.frames_for(&r).len());
            let vp = &mut self.viewports[v];
            vp.cine_accum += dt * f64::from(self.state.cine_fps);
            let steps = vp.cine_accum.floor() as usize;
            if steps > 0 && n > 0 {
                vp.cine_accum -= steps as f64;
                vp.slice = (vp.slice + steps) % n;
            }
        }
        if any {
            ctx.request_repaint();
        }
    }

    /// Tells the loader what to decode: each visible viewport's stack around its slice,
    /// the active one first, limited to what the cache can hold.
    fn request_frames(&mut self, thumbnail_frames: Vec<FrameKey>) {
        let count = self.state.layout.count();
        let mut order: Vec<usize> = (0..count).collect();
        order.sort_by_key(|v| *v != self.active);
        let budget = (self.state.cache_mib as usize) << 20;
        let mut keys = Vec::new();
        for v in order {
            let Some(r) = self.viewports[v].series.clone() else {
                continue;
            };
            let frames = self.frames_for(&r);
            let per_frame =
                self.series(&r)
                    .and_then(|s| s.instances.first())
                    .map_or(512 * 512 * 2, |i| {
                        (i.rows as usize
                            * i.cols as usize
                            * usize::from(i.samples_per_pixel.max(1)))
                        .max(1)
                            * if i.samples_per_pixel == 3 { 1 } else { 2 }
                    });
            let fits = (budget / count / per_frame).max(1);
            keys.extend(
                prefetch_order(self.viewports[v].slice, frames.len())
                    .into_iter()
                    .take(fits)
                    .map(|i| frames[i].0.clone()),
            );
        }
        // Thumbnails last: the middle image of each series that has none yet.
        keys.extend(thumbnail_frames);
        if keys != self.last_request {
            self.loader.request(keys.clone());
            self.last_request = keys;
        }
    }

    /// Series without a thumbnail and the frame to make it from.
    fn missing_thumbnails(&mut self) -> Vec<(String, FrameKey)> {
        let Some(index) = self.index.clone() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for study in index.studies() {
            for series in &study.series {
                if self.thumbs.has(&series.series_uid) {
                    continue;
                }
                let r = SeriesRef {
                    study_uid: study.study_uid.clone(),
                    series_uid: series.series_uid.clone(),
                };
                let frames = self.frames_for(&r);
                if let Some((key, _)) = frames.get(frames.len() / 2) {
                    out.push((series.series_uid.clone(), key.clone()));
                }
            }
        }
        out
    }

    /// Turns decoded middle frames into thumbnails (a few per frame); returns the
    /// frames still needed for the others.
    fn update_thumbnails(&mut self, ctx: &egui::Context) -> Vec<FrameKey> {
        let mut still_missing = Vec::new();
        let mut made = 0;
        for (uid, key) in self.missing_thumbnails() {
            match self.loader.get(&key).filter(|_| made < 8) {
                Some(frame) => {
                    self.thumbs.make(ctx, &uid, &frame);
                    made += 1;
                }
                None => still_missing.push(key),
            }
        }
        still_missing
    }

    /// `--screenshot`: once the first image has been on screen, save the window and quit.
    fn screenshot_step(&mut self, ctx: &egui::Context) {
        let ready = self
            .current_key(self.active)
            .is_some_and(|k| self.loader.get(&k).is_some());
        let Some(ScreenshotJob {
            path,
            step,
            done,
            failure,
        }) = &mut self.screenshot
        else {
            return;
        };
        if done.load(Ordering::Acquire) {
            if let Ok(mut f) = failure.lock()
                && let Some(e) = f.take()
            {
                eprintln!("error: {e}");
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        match step {
            ScreenshotStep::WaitingForImage(n) => {
                if ready || self.error.is_some() {
                    *n += 1;
                }
                // A few frames after the image is ready, so the GPU has drawn it.
                if *n >= 3 {
                    let (path, done, failure) =
                        (path.clone(), Arc::clone(done), Arc::clone(failure));
                    let repaint = ctx.clone();
                    ctx.request_screenshot(move |image| {
                        if let Err(e) = save_png(&path, &image)
                            && let Ok(mut f) = failure.lock()
                        {
                            *f = Some(format!("cannot write screenshot: {e}: {}", path.shown()));
                        }
                        done.store(true, Ordering::Release);
                        repaint.request_repaint();
                    });
                    *step = ScreenshotStep::Requested;
                }
                ctx.request_repaint();
            }
            ScreenshotStep::Requested => ctx.request_repaint(),
        }
    }
}

/// Writes an egui screenshot as PNG (atomically).
fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgba,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
    )
    .map_err(|e| e.to_string())?;
    crate::fsutil::write_atomic(path, &png).map_err(|e| e.to_string())
}
