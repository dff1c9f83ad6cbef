//! Opening a release: the scan runs on a worker thread that also opens the review
//! (fingerprinting every image is not work for the UI thread); partial indexes show
//! as they come, the final one with its review and claims.
//!
//! A release the cache already holds opens at once from the cache's snapshot (no walk
//! of a 100,000-file folder before the browser fills): the worker sends that index
//! with its review, then checks every file's size and mtime with a note in the
//! browser ("Checking N files for changes…"), and sends an updated index only when
//! something changed. The user's selection and viewports stay through that update.

use std::path::PathBuf;
use std::sync::Arc;

use crossbeam_channel::{Receiver, unbounded};

use crate::fsutil::ShowPath;
use crate::gui::command::SeriesRef;
use crate::gui::viewport::ViewportState;
use crate::index::{Index, PendingCheck, ScanOptions, ScanProgress};
use crate::review::ReviewSession;
use crate::store::StoreNotice;
use crate::store::location::Fallback;

use super::LightboxApp;

/// The review of a scanned release as the scan thread opened it.
type OpenedReview = Result<(ReviewSession, Option<Fallback>, Vec<StoreNotice>), String>;

/// What a scan has finished with: the index and its review, or why it failed.
type ScanResult = Result<(Index, OpenedReview), String>;

/// Messages from the scanning thread.
enum ScanMessage {
    Progress(ScanProgress),
    Partial(Box<Index>),
    /// The index from the cache, to show at once; its review and the check follow.
    Cached(Arc<Index>),
    /// The review of the cached index.
    CachedReview(Box<OpenedReview>),
    /// The check found the cached index current: nothing more comes.
    Unchanged,
    Done(Box<ScanResult>),
}

/// What the scanning thread sent, in order, as [`ScanWorker::poll`] hands it on.
pub(super) enum ScanEvent {
    /// A larger partial index (only the newest of a poll).
    Partial(Box<Index>),
    /// The index from the cache: show it now.
    Cached(Arc<Index>),
    /// The review of the cached index.
    CachedReview(Box<OpenedReview>),
    /// The check found the cached index current: the worker is done.
    Unchanged,
    /// Finished: a scan, or a check that found changes (the updated index).
    Done(Box<ScanResult>),
}

/// A release being scanned on a worker thread.
pub(super) struct ScanWorker {
    rx: Receiver<ScanMessage>,
    /// Files read of files found, once the scan has counted them (while checking:
    /// files stat-ed of the files in the cached index).
    pub progress: Option<ScanProgress>,
    /// The folder being scanned.
    pub path: PathBuf,
    /// The index shown came from the cache and its files are being checked for
    /// changes (the browser says so).
    pub checking: bool,
}

/// Sends what the scanning thread has to say and wakes the UI for it.
#[derive(Clone)]
struct Sender {
    tx: crossbeam_channel::Sender<ScanMessage>,
    ctx: egui::Context,
}

impl Sender {
    fn send(&self, msg: ScanMessage) {
        // The UI may have moved on to another folder: nobody to tell.
        let _ = self.tx.send(msg);
        self.ctx.request_repaint();
    }
}

/// The review of `index` as `reviewer`, opened on the scanning thread.
fn open_review(index: &Index, reviewer: &str) -> OpenedReview {
    ReviewSession::open_for_index(index, reviewer).map_err(|e| e.to_string())
}

/// The scanning thread: the cached index and its check when the cache holds the
/// folder, else a full scan with partial indexes.
fn scan_thread(out: &Sender, path: &std::path::Path, reviewer: &str) {
    let options = ScanOptions::default();
    let progress = |p: ScanProgress| out.send(ScanMessage::Progress(p));
    if let Ok(Some(cached)) = Index::open_cached(path, &options) {
        let check: PendingCheck = cached.check;
        let index = Arc::new(cached.index);
        out.send(ScanMessage::Cached(Arc::clone(&index)));
        let review = open_review(&index, reviewer);
        out.send(ScanMessage::CachedReview(Box::new(review)));
        drop(index);
        let result = match check.run(&progress) {
            Ok(checked) => match checked.index {
                None => {
                    out.send(ScanMessage::Unchanged);
                    return;
                }
                Some(index) => {
                    let review = open_review(&index, reviewer);
                    Ok((index, review))
                }
            },
            Err(e) => Err(e.to_string()),
        };
        out.send(ScanMessage::Done(Box::new(result)));
        return;
    }
    let partial = |index: Index| out.send(ScanMessage::Partial(Box::new(index)));
    let result = Index::open_streaming(path, &options, &progress, Some(&partial))
        .map(|index| {
            let review = open_review(&index, reviewer);
            (index, review)
        })
        .map_err(|e| e.to_string());
    out.send(ScanMessage::Done(Box::new(result)));
}

impl ScanWorker {
    /// Starts scanning `path` and opening its review as `reviewer`.
    fn start(ctx: &egui::Context, path: PathBuf, reviewer: String) -> std::io::Result<Self> {
        let (tx, rx) = unbounded();
        let out = Sender {
            tx,
            ctx: ctx.clone(),
        };
        let scan_path = path.clone();
        std::thread::Builder::new()
            .name("lightbox-scan".into())
            .spawn(move || scan_thread(&out, &scan_path, &reviewer))?;
        Ok(Self {
            rx,
            progress: None,
            path,
            checking: false,
        })
    }

    /// Takes what the thread sent since the last poll, in order: the latest progress
    /// is kept, of the partial indexes only the newest is handed on.
    pub(super) fn poll(&mut self) -> Vec<ScanEvent> {
        let mut events = Vec::new();
        while let Ok(msg) = self.rx.try_recv() {
            match msg {
                ScanMessage::Progress(p) => self.progress = Some(p),
                ScanMessage::Partial(index) => {
                    events.retain(|e| !matches!(e, ScanEvent::Partial(_)));
                    events.push(ScanEvent::Partial(index));
                }
                ScanMessage::Cached(index) => {
                    // The check's progress starts over from here.
                    self.progress = None;
                    self.checking = true;
                    events.push(ScanEvent::Cached(index));
                }
                ScanMessage::CachedReview(r) => events.push(ScanEvent::CachedReview(r)),
                ScanMessage::Unchanged => {
                    self.checking = false;
                    events.push(ScanEvent::Unchanged);
                }
                ScanMessage::Done(r) => {
                    self.checking = false;
                    events.push(ScanEvent::Done(r));
                }
            }
        }
        events
    }
}

impl LightboxApp {
    /// Starts scanning a release; the old one's tree, frames, thumbnails and
    /// measurements go once the scan has started.
    pub(super) fn start_scan(&mut self, ctx: &egui::Context, path: PathBuf) {
        let reviewer = Some(self.state.reviewer.trim().to_owned())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "unknown".to_owned());
        match ScanWorker::start(ctx, path, reviewer) {
            Ok(worker) => {
                self.index = None;
                self.frames.get_mut().clear();
                self.thumbs.clear();
                self.measurements.clear();
                self.viewports = vec![ViewportState::default(); 4];
                self.scan = Some(worker);
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Shows what the scan has found since the last frame.
    pub(super) fn poll_scan(&mut self, ctx: &egui::Context) {
        let Some(scan) = self.scan.as_mut() else {
            return;
        };
        let path = scan.path.clone();
        for event in scan.poll() {
            match event {
                ScanEvent::Partial(index) => self.install_index(Arc::new(*index)),
                ScanEvent::Cached(index) => self.install_folder(path.clone(), index),
                ScanEvent::CachedReview(review) => self.install_release_review(ctx, *review),
                ScanEvent::Unchanged => self.scan = None,
                ScanEvent::Done(result) => {
                    self.scan = None;
                    match *result {
                        Ok((index, review)) => {
                            self.install_folder(path.clone(), Arc::new(index));
                            self.install_release_review(ctx, review);
                        }
                        Err(e) => self.error = Some(e),
                    }
                }
            }
        }
    }

    /// Shows a finished index (scanned, cached, or updated by the check) of `path`.
    fn install_folder(&mut self, path: PathBuf, index: Arc<Index>) {
        self.install_index(index);
        self.state.last_folder = Some(path);
        self.error = None;
    }

    /// Shows the review of the index shown, then loads the project's rules and the
    /// claims.
    fn install_release_review(&mut self, ctx: &egui::Context, review: OpenedReview) {
        self.install_review(review);
        self.load_project_rules(ctx);
        if let Some(index) = self.index.clone() {
            self.claims.load(index, ctx);
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

    /// Shows a (partial or final) index; the first one of a scan also fills the viewports.
    fn install_index(&mut self, index: Arc<Index>) {
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
        self.frames.get_mut().clear();
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
        self.index = Some(index);
    }
}
