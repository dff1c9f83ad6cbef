//! Paths in a release that differ only by letter case.
//!
//! Windows (NTFS by default) and macOS compare names without case: of `IM1.dcm` and
//! `im1.DCM` in one folder, or of folders `SE1/` and `se1/`, only one can exist
//! there. A release holding both is not what it claims on the machines it is
//! reviewed on, so the index reports every such pair on every platform instead of
//! merging them or keeping one silently.

use crate::fsutil::ShowPath;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::scan::FileStamp;

/// One `(path, reason)` for every file or folder whose relative path equals an
/// earlier one's but for case; the reason names the earlier one.
pub fn collisions(scan_dir: &Path, files: &[FileStamp]) -> Vec<(PathBuf, String)> {
    // Every file and every folder between it and `scan_dir`, once.
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut out = Vec::new();
    let mut reported: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for f in files {
        let Ok(rel) = f.path.strip_prefix(scan_dir) else {
            continue;
        };
        let mut prefix = PathBuf::new();
        for component in rel.components() {
            prefix.push(component);
            let key = fold(&prefix);
            match seen.get(&key) {
                None => {
                    seen.insert(key, prefix.clone());
                }
                Some(first) if *first != prefix && reported.insert(prefix.clone()) => {
                    let kind = if prefix == rel { "file" } else { "folder" };
                    out.push((
                        scan_dir.join(&prefix),
                        format!(
                            "{kind} name differs only by case from {} (on Windows only one of them can exist)",
                            scan_dir.join(first).shown()
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    out
}

/// The case-folded form of a path, as Windows compares names (close to its
/// upcase table: Unicode lower case).
fn fold(p: &Path) -> String {
    p.to_string_lossy().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(p: &str) -> FileStamp {
        FileStamp {
            path: PathBuf::from("/r").join(p),
            size: 0,
            mtime_ns: 0,
        }
    }

    #[test]
    fn names_files_and_folders_that_differ_only_by_case() {
        let files = [
            stamp("A/IM1.dcm"),
            stamp("A/im1.DCM"),
            stamp("A/IM2.dcm"),
            stamp("B/x.dcm"),
            stamp("b/y.dcm"),
            stamp("b/z.dcm"),
        ];
        let found = collisions(Path::new("/r"), &files);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, Path::new("/r/A/im1.DCM"));
        assert!(
            found[0]
                .1
                .starts_with("file name differs only by case from /r/A/IM1.dcm")
        );
        assert_eq!(found[1].0, Path::new("/r/b"));
        assert!(
            found[1]
                .1
                .contains("folder name differs only by case from /r/B")
        );
        assert!(collisions(Path::new("/r"), &files[2..4]).is_empty());
    }
}
