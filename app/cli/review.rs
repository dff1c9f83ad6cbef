//! What the review verbs (`decide`, `takeout`) share: scanning the release and opening
//! its project store, as the viewer does.

use lightbox::fsutil::ShowPath;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use lightbox::index::{Index, Series};
use lightbox::review::{self, ReleaseImages, ReviewSession};
use lightbox::store::StoreNotice;

/// The release and its project store.
#[derive(Args)]
pub struct StoreArgs {
    /// Release root, release folder or folder of DICOM files.
    pub path: PathBuf,
    /// Project store file (default: `<root>/lightbox/<release>.lightbox.sqlite`, or the
    /// user's data folder when the release folder is read-only).
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Reviewer name recorded with each decision (default: `LIGHTBOX_REVIEWER`, else the
    /// login name).
    #[arg(long, value_name = "NAME")]
    pub reviewer: Option<String>,
    /// Accept that the release's images changed since the store was made.
    #[arg(long)]
    pub accept_changed_images: bool,
}

/// The series of `index` with Series Instance UID `uid`, or an error naming it.
pub fn series_by_uid<'i>(index: &'i Index, uid: &str) -> anyhow::Result<&'i Series> {
    index
        .series()
        .find(|s| s.series_uid == uid)
        .with_context(|| format!("no series with UID {uid} in this release"))
}

/// Scans the release and opens its review; explains store notices on stderr.
pub fn open(a: &StoreArgs) -> anyhow::Result<(Index, ReviewSession)> {
    let index = super::scan::scan(&a.path, false, true)?;
    let reviewer = a.reviewer.clone().unwrap_or_else(|| {
        Some(review::session::login_name())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "unknown".to_owned())
    });
    let (mut session, notices) = match &a.store {
        Some(path) => ReviewSession::open(ReleaseImages::from_index(&index), path, &reviewer),
        None => ReviewSession::open_for_index(&index, &reviewer).map(|(s, fallback, n)| {
            if let Some(f) = fallback {
                eprintln!(
                    "note: {} is not writable ({}); the project store is {}",
                    f.folder.shown(),
                    f.reason,
                    s.store().path().shown()
                );
            }
            (s, n)
        }),
    }
    .context("cannot open the project store")?;
    let path = session.store().path().to_path_buf();
    for notice in notices {
        match notice {
            StoreNotice::ImagesChanged(c) if a.accept_changed_images => {
                session
                    .accept_changed_images()
                    .context("cannot accept the changed images")?;
                eprintln!(
                    "note: accepted the changed release ({} added, {} removed, {} changed files)",
                    c.added, c.removed, c.changed
                );
            }
            StoreNotice::ImagesChanged(c) => eprintln!(
                "warning: the release changed since this project store was made: {} added, {} \
                 removed, {} changed files; decisions are kept by UID (pass \
                 --accept-changed-images to record the new images): {}",
                c.added,
                c.removed,
                c.changed,
                path.shown()
            ),
        }
    }
    Ok((index, session))
}
