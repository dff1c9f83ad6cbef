//! What the review verbs (`decide`, `takeout`) share: scanning the release and opening
//! its project store, as the viewer does.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use lightbox::index::Index;
use lightbox::review::{ReleaseImages, ReviewSession};
use lightbox::store::{self, StoreNotice};

/// The release and its project store.
#[derive(Args)]
pub struct StoreArgs {
    /// Release root, release folder or folder of DICOM files.
    pub path: PathBuf,
    /// Project store file (default: `<root>/lightbox/<release>.lightbox.sqlite`, or the
    /// user's data folder when the release folder is read-only).
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Reviewer name recorded with each decision (default: the login name).
    #[arg(long, value_name = "NAME")]
    pub reviewer: Option<String>,
    /// Accept that the release's images changed since the store was made.
    #[arg(long)]
    pub accept_changed_images: bool,
}

/// The login name, for the audit log when `--reviewer` is not given.
pub fn default_reviewer() -> String {
    ["LIGHTBOX_REVIEWER", "USERNAME", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Scans the release and opens its review; explains store notices on stderr.
pub fn open(a: &StoreArgs) -> anyhow::Result<(Index, ReviewSession)> {
    let index = super::scan::scan(&a.path, false, true)?;
    let images = ReleaseImages::from_index(&index);
    let path = match &a.store {
        Some(p) => p.clone(),
        None => {
            let location = store::choose(&index.root, &index.layout, &store::projects_dir());
            if let Some(f) = &location.fallback {
                eprintln!(
                    "note: {} is not writable ({}); the project store is {}",
                    f.folder.display(),
                    f.reason,
                    location.path.display()
                );
            }
            location.path
        }
    };
    let reviewer = a.reviewer.clone().unwrap_or_else(default_reviewer);
    let (mut session, notices) = ReviewSession::open(images.clone(), &path, &reviewer)
        .with_context(|| "cannot open the project store".to_owned())?;
    for notice in notices {
        match notice {
            StoreNotice::ImagesChanged(c) if a.accept_changed_images => {
                session
                    .store_mut()
                    .accept_images(&images)
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
                path.display()
            ),
        }
    }
    Ok((index, session))
}
