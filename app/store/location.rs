//! Where a release's project store lives.
//!
//! Next to the release by default, so that the review travels with the data when the
//! team copies the folder, and so that one store serves one release whichever way it
//! was opened: `<root>/lightbox/<release>.lightbox.sqlite`. Never inside the folder
//! that is scanned, because the images must stay exactly as delivered and a rescan
//! must not meet our files:
//!
//! - a release root (`IMAGE/<release>/` inside): in the root, beside `IMAGE/` and `DATA/`;
//! - the release folder `…/IMAGE/<release>/` itself: in the root above `IMAGE/`, the
//!   same file as when the root is opened;
//! - any other folder (a release folder not under `IMAGE/`, a plain folder of DICOM
//!   files): in its parent folder, named after the release id or else the folder.
//!
//! When that folder cannot be written (a read-only NAS copy, a DVD), the store goes to
//! the user's data folder under the same name: release ids are unique, so a later
//! copy of the same release finds the review again, and the fingerprint check catches
//! a different release that merely shares a folder name. Writability is found out by
//! writing a probe file, not from permission bits, which lie on network shares and
//! for administrators.

use std::path::{Path, PathBuf};

use crate::release::ReleaseLayout;

/// The folder, inside the chosen parent, that holds project stores.
const STORE_FOLDER: &str = "lightbox";

/// Where the store of an opened folder goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLocation {
    /// The store file.
    pub path: PathBuf,
    /// Set when the default folder could not be written and the store went to the
    /// user's data folder instead.
    pub fallback: Option<Fallback>,
}

/// Why the default folder was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    /// The default folder that could not be written.
    pub folder: PathBuf,
    /// The error writing a probe file there.
    pub reason: String,
}

/// The user's folder for project stores that cannot sit beside their release:
/// `%APPDATA%\Lightbox\projects` on Windows (`%USERPROFILE%\AppData\Roaming\…`
/// without `APPDATA`), `$XDG_DATA_HOME/lightbox/projects` or
/// `~/.local/share/lightbox/projects` elsewhere; `$LIGHTBOX_DATA_DIR/projects` when
/// that variable is set (tests). See [`crate::fsutil::user_dir_from`].
pub fn projects_dir() -> PathBuf {
    crate::fsutil::data_dir().join("projects")
}

/// The store location for the folder the user opened (`opened`, absolute, with its
/// `layout`), falling back to `fallback_dir` (normally [`projects_dir`]) when the
/// default folder cannot be written. Creates the default folder when it can.
pub fn choose(opened: &Path, layout: &ReleaseLayout, fallback_dir: &Path) -> StoreLocation {
    let file_name = format!("{}.lightbox.sqlite", store_name(opened, layout));
    let folder = default_parent(opened, layout).join(STORE_FOLDER);
    match probe_writable(&folder) {
        Ok(()) => StoreLocation {
            path: folder.join(file_name),
            fallback: None,
        },
        Err(e) => StoreLocation {
            path: fallback_dir.join(file_name),
            fallback: Some(Fallback {
                folder,
                reason: e.to_string(),
            }),
        },
    }
}

/// The folder that gets the `lightbox/` folder (see the module documentation).
fn default_parent(opened: &Path, layout: &ReleaseLayout) -> PathBuf {
    let parent = opened.parent().unwrap_or(opened);
    match layout {
        ReleaseLayout::Root { .. } => opened.to_path_buf(),
        ReleaseLayout::ReleaseFolder { .. } if parent.file_name() == Some("IMAGE".as_ref()) => {
            parent.parent().unwrap_or(parent).to_path_buf()
        }
        ReleaseLayout::ReleaseFolder { .. } | ReleaseLayout::Plain => parent.to_path_buf(),
    }
}

/// The release id, or the opened folder's name reduced to the characters the NAS
/// allows in file names (`A-Z a-z 0-9 _ -`, anything else becomes `_`).
fn store_name(opened: &Path, layout: &ReleaseLayout) -> String {
    if let Some(id) = layout.release_id() {
        return id.to_owned();
    }
    let name: String = opened
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "folder".to_owned()
    } else {
        name
    }
}

/// Creates `folder` and writes and removes a probe file in it. Written directly,
/// not through `fsutil::write_atomic`: a fresh file of our own is never held by
/// another program, and a read-only folder's "access denied" must fall back at
/// once rather than be retried for two seconds.
fn probe_writable(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let probe = folder.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"lightbox")?;
    std::fs::remove_file(&probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_layout(root: &Path) -> ReleaseLayout {
        ReleaseLayout::Root {
            release_id: "20210407_102537".into(),
            image_dir: root.join("IMAGE/20210407_102537"),
            data_dir: None,
        }
    }

    #[test]
    fn root_and_its_release_folder_share_one_store() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("nas");
        let release = root.join("IMAGE/20210407_102537");
        std::fs::create_dir_all(&release).expect("mkdir");
        let fallback = dir.path().join("fallback");
        let expected = root.join("lightbox/20210407_102537.lightbox.sqlite");

        let from_root = choose(&root, &root_layout(&root), &fallback);
        assert_eq!(from_root.path, expected);
        assert_eq!(from_root.fallback, None);
        let folder_layout = ReleaseLayout::ReleaseFolder {
            release_id: "20210407_102537".into(),
        };
        assert_eq!(choose(&release, &folder_layout, &fallback).path, expected);
        assert!(root.join("lightbox").is_dir());
        let left: Vec<_> = std::fs::read_dir(root.join("lightbox"))
            .expect("list")
            .collect();
        assert!(left.is_empty(), "the probe file is removed: {left:?}");
    }

    #[test]
    fn other_folders_get_a_sibling_store_named_after_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fallback = dir.path().join("fallback");
        let plain = dir.path().join("scans from 2021 (CT)");
        std::fs::create_dir_all(&plain).expect("mkdir");
        assert_eq!(
            choose(&plain, &ReleaseLayout::Plain, &fallback).path,
            dir.path()
                .join("lightbox/scans_from_2021__CT_.lightbox.sqlite")
        );
        let loose = dir.path().join("20210407_102537");
        let layout = ReleaseLayout::ReleaseFolder {
            release_id: "20210407_102537".into(),
        };
        assert_eq!(
            choose(&loose, &layout, &fallback).path,
            dir.path().join("lightbox/20210407_102537.lightbox.sqlite")
        );
    }

    #[test]
    fn unwritable_folder_falls_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A file where the `lightbox` folder should go: creating it fails for everyone,
        // root included (tests/store.rs checks a read-only folder).
        let root = dir.path().join("nas");
        std::fs::create_dir_all(&root).expect("mkdir");
        std::fs::write(root.join("lightbox"), b"in the way").expect("write");
        let fallback = dir.path().join("fallback");
        let location = choose(&root, &root_layout(&root), &fallback);
        assert_eq!(
            location.path,
            fallback.join("20210407_102537.lightbox.sqlite")
        );
        let why = location.fallback.expect("fell back");
        assert_eq!(why.folder, root.join("lightbox"));
        assert!(!why.reason.is_empty());
    }
}
