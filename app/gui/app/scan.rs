//! Opening a release: the scan runs on a worker thread that also opens the review
//! (fingerprinting every image is not work for the UI thread); partial indexes show
//! as they come, the final one with its review and claims.

use std::path::PathBuf;
use std::sync::Arc;

use crossbeam_channel::{Receiver, unbounded};

use crate::fsutil::ShowPath;
use crate::gui::command::SeriesRef;
use crate::gui::viewport::ViewportState;
use crate::index::{Index, ScanOptions, ScanProgress};
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
    Done(Box<ScanResult>),
}

/// What [`ScanWorker::poll`] found.
pub(super) enum ScanPoll {
    /// Still scanning, nothing new to show.
    Running,
    /// A larger partial index.
    Partial(Box<Index>),
    /// Finished.
    Done(Box<ScanResult>),
}

/// A release being scanned on a worker thread.
pub(super) struct ScanWorker {
    rx: Receiver<ScanMessage>,
    /// Files read of files found, once the scan has counted them.
    pub progress: Option<ScanProgress>,
    /// The folder being scanned.
    pub path: PathBuf,
}

impl ScanWorker {
    /// Starts scanning `path` and opening its review as `reviewer`.
    fn start(ctx: &egui::Context, path: PathBuf, reviewer: String) -> std::io::Result<Self> {
        let (tx, rx) = unbounded();
        let repaint = ctx.clone();
        let scan_path = path.clone();
        std::thread::Builder::new()
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
            })?;
        Ok(Self {
            rx,
            progress: None,
            path,
        })
    }

    /// Takes what the thread sent since the last poll: the latest progress, and the
    /// result or else the newest partial index.
    pub(super) fn poll(&mut self) -> ScanPoll {
        let mut latest = None;
        let mut done = None;
        while let Ok(msg) = self.rx.try_recv() {
            match msg {
                ScanMessage::Progress(p) => self.progress = Some(p),
                ScanMessage::Partial(index) => latest = Some(index),
                ScanMessage::Done(r) => done = Some(r),
            }
        }
        match (done, latest) {
            (Some(result), _) => ScanPoll::Done(result),
            (None, Some(index)) => ScanPoll::Partial(index),
            (None, None) => ScanPoll::Running,
        }
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
        match scan.poll() {
            ScanPoll::Running => {}
            ScanPoll::Partial(index) => self.install_index(*index),
            ScanPoll::Done(result) => {
                let path = self.scan.take().map(|s| s.path);
                match *result {
                    Ok((index, review)) => {
                        self.install_index(index);
                        self.state.last_folder = path;
                        self.error = None;
                        self.install_review(review);
                        self.load_project_rules(ctx);
                        if let Some(index) = self.index.clone() {
                            self.claims.load(index, ctx);
                        }
                    }
                    Err(e) => self.error = Some(e),
                }
            }
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
        self.index = Some(Arc::new(index));
    }
}
