//! Where a release lives on disk.
//!
//! A release arrives from the NAS as a root holding `IMAGE/<release>/` and
//! `DATA/ADHOC_<release>.*`, but reviewers also open the release folder itself or
//! any folder of DICOM files. Everything downstream (claims, keep-list names,
//! the project store) keys on the release id, so it is decided here once.

use std::path::{Path, PathBuf};

/// How the opened folder relates to the NHI release layout.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ReleaseLayout {
    /// A root with `IMAGE/<release>/` (and usually `DATA/ADHOC_<release>.*`).
    Root {
        /// The release id, e.g. `20210407_102537`.
        release_id: String,
        /// `IMAGE/<release>/`: the folder that is scanned.
        image_dir: PathBuf,
        /// `DATA/` when present.
        data_dir: Option<PathBuf>,
    },
    /// The `IMAGE/<release>/` folder itself (its name is the release id).
    ReleaseFolder {
        /// The release id taken from the folder name.
        release_id: String,
    },
    /// Any other folder: release id unknown.
    Plain,
}

impl ReleaseLayout {
    /// The release id when the layout tells it.
    pub fn release_id(&self) -> Option<&str> {
        match self {
            Self::Root { release_id, .. } | Self::ReleaseFolder { release_id } => Some(release_id),
            Self::Plain => None,
        }
    }
}

/// `DATA/` of the NAS root the opened folder belongs to, when it exists: the root's
/// `DATA/` for a release root, `../../DATA` of an `IMAGE/<release>/` folder; `None` for
/// any other folder. Claims and reports are read from there.
pub fn data_dir(opened: &Path, layout: &ReleaseLayout) -> Option<PathBuf> {
    match layout {
        ReleaseLayout::Root { data_dir, .. } => data_dir.clone(),
        ReleaseLayout::ReleaseFolder { .. } => opened
            .parent()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.eq_ignore_ascii_case("IMAGE"))
            })
            .and_then(Path::parent)
            .map(|r| r.join("DATA"))
            .filter(|d| d.is_dir()),
        ReleaseLayout::Plain => None,
    }
}

/// `TAKEOUT/` of the NAS root the opened folder belongs to, where the keep-list goes:
/// `<root>/TAKEOUT` for a release root, `<root>/TAKEOUT` above `IMAGE/<release>/` for a
/// release folder; `None` for any other folder (the user must say where).
pub fn takeout_dir(opened: &Path, layout: &ReleaseLayout) -> Option<PathBuf> {
    match layout {
        ReleaseLayout::Root { .. } => Some(opened.join("TAKEOUT")),
        ReleaseLayout::ReleaseFolder { .. } => {
            let image = opened.parent()?;
            (image.file_name() == Some("IMAGE".as_ref()))
                .then(|| image.parent().map(|root| root.join("TAKEOUT")))
                .flatten()
        }
        ReleaseLayout::Plain => None,
    }
}

/// True when `s` matches `^[0-9]{8}_[0-9]{6}$`.
pub fn is_release_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 15
        && b[8] == b'_'
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[9..].iter().all(u8::is_ascii_digit)
}

/// Decides the layout of `path` and the folder to scan for DICOM files.
///
/// A root is recognised by `IMAGE/` holding exactly one folder whose name is a
/// release id; when it holds several, the one that has a matching
/// `DATA/ADHOC_<release>.*` wins, then the newest id (ids start with a date).
pub fn detect_layout(path: &Path) -> (ReleaseLayout, PathBuf) {
    let image = path.join("IMAGE");
    if image.is_dir() {
        let data_dir = Some(path.join("DATA")).filter(|d| d.is_dir());
        let mut ids: Vec<String> = std::fs::read_dir(&image)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|n| is_release_id(n))
            .collect();
        ids.sort();
        let has_claims = |id: &str| {
            data_dir.as_ref().is_some_and(|d| {
                ["csv", "sqlite"]
                    .iter()
                    .any(|ext| d.join(format!("ADHOC_{id}.{ext}")).is_file())
            })
        };
        let chosen = ids
            .iter()
            .rev()
            .find(|id| has_claims(id))
            .or(ids.last())
            .cloned();
        if let Some(release_id) = chosen {
            let image_dir = image.join(&release_id);
            return (
                ReleaseLayout::Root {
                    release_id,
                    image_dir: image_dir.clone(),
                    data_dir,
                },
                image_dir,
            );
        }
    }
    if let Some(name) = path.file_name().and_then(|n| n.to_str())
        && is_release_id(name)
    {
        return (
            ReleaseLayout::ReleaseFolder {
                release_id: name.to_owned(),
            },
            path.to_path_buf(),
        );
    }
    (ReleaseLayout::Plain, path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_id_regex() {
        assert!(is_release_id("20210407_102537"));
        for bad in [
            "2021040_102537",
            "20210407-102537",
            "20210407_1025370",
            "2021040a_102537",
            "",
        ] {
            assert!(!is_release_id(bad), "{bad}");
        }
    }

    #[test]
    fn detects_root_release_and_plain() {
        let dir = tempfile::tempdir().unwrap();
        let rel = dir.path().join("IMAGE/20210407_102537");
        std::fs::create_dir_all(&rel).unwrap();
        std::fs::create_dir_all(dir.path().join("DATA")).unwrap();
        let (layout, scan) = detect_layout(dir.path());
        assert_eq!(layout.release_id(), Some("20210407_102537"));
        assert_eq!(scan, rel);
        let (layout, scan) = detect_layout(&rel);
        assert!(matches!(layout, ReleaseLayout::ReleaseFolder { .. }));
        assert_eq!(scan, rel);
        let (layout, _) = detect_layout(&dir.path().join("DATA"));
        assert_eq!(layout, ReleaseLayout::Plain);
    }
}
