//! Paths as the user writes them, for messages.
//!
//! Windows has spellings a user never types: `std::fs::canonicalize` and long-path
//! handling give verbatim paths (`\\?\D:\data`, `\\?\UNC\server\share`), and a
//! folder joined with a relative `IMAGE/x` keeps its forward slashes
//! (`D:\a\IMAGE/x`). A message shows `D:\data`, `\\server\share` and `D:\a\IMAGE\x`,
//! which is also what a user can paste into Explorer. Elsewhere a path is shown as
//! it is. Only for showing: the path that is opened stays the one we were given.

use std::fmt;
use std::path::Path;

/// `path.shown()`: like `path.display()`, but as a user of this platform writes
/// the path (see the module documentation). Use it wherever a path reaches a person.
pub trait ShowPath {
    /// The path for a message.
    fn shown(&self) -> Shown<'_>;
}

impl ShowPath for Path {
    fn shown(&self) -> Shown<'_> {
        Shown(self)
    }
}

/// A path displayed as its user writes it; made by [`ShowPath::shown`].
pub struct Shown<'a>(&'a Path);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string_lossy();
        if cfg!(windows) {
            f.write_str(&shown_windows(&text))
        } else {
            f.write_str(&text)
        }
    }
}

/// The Windows spelling of a path's text: the verbatim prefix dropped from drive
/// and UNC paths, `/` written `\`. Other verbatim and device paths
/// (`\\?\Volume{…}\`, `\\.\COM1`) keep their prefix. Pure, so it is tested on
/// every platform.
pub fn shown_windows(text: &str) -> String {
    let plain = if let Some(rest) = strip_prefix_ignore_case(text, r"\\?\UNC\") {
        format!(r"\\{rest}")
    } else if let Some(rest) = text.strip_prefix(r"\\?\").filter(|r| starts_with_drive(r)) {
        rest.to_owned()
    } else {
        text.to_owned()
    };
    plain.replace('/', "\\")
}

/// `text` without `prefix`, compared without regard to ASCII case (`UNC` may be
/// written `unc`).
fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Whether `text` starts with a drive: a letter and a colon, then the end or a separator.
fn starts_with_drive(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && b.get(2).is_none_or(|&c| c == b'\\' || c == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_drive_paths_lose_their_prefix() {
        assert_eq!(shown_windows(r"\\?\D:\data\x"), r"D:\data\x");
        assert_eq!(shown_windows(r"\\?\D:\"), r"D:\");
        assert_eq!(
            shown_windows(r"\\?\D:\研究資料\release 1\IMAGE"),
            r"D:\研究資料\release 1\IMAGE"
        );
    }

    #[test]
    fn verbatim_unc_paths_become_double_backslash() {
        assert_eq!(
            shown_windows(r"\\?\UNC\server\share\x"),
            r"\\server\share\x"
        );
        assert_eq!(shown_windows(r"\\?\unc\nas\data"), r"\\nas\data");
    }

    #[test]
    fn forward_slashes_become_backslashes() {
        assert_eq!(shown_windows(r"D:\a\b/c"), r"D:\a\b\c");
        assert_eq!(shown_windows("out/keep.csv"), r"out\keep.csv");
        assert_eq!(shown_windows(r"\\?\D:\a\IMAGE/x"), r"D:\a\IMAGE\x");
    }

    #[test]
    fn ordinary_and_device_paths_are_kept() {
        for p in [
            r"D:\data\x",
            r"\\server\share\x",
            r"relative\x",
            r"\\?\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\x",
            r"\\.\COM1",
            r"\\?\",
            "",
        ] {
            assert_eq!(shown_windows(p), p);
        }
        // Not a drive: a verbatim path to a folder literally named "ab:c".
        assert_eq!(shown_windows(r"\\?\ab:c"), r"\\?\ab:c");
    }

    #[test]
    fn joined_paths_show_with_this_platforms_separators() {
        let joined = Path::new(r"D:\a").join("b/c");
        let expected = if cfg!(windows) {
            r"D:\a\b\c"
        } else {
            r"D:\a/b/c"
        };
        assert_eq!(joined.shown().to_string(), expected);
        assert_eq!(format!("{}", joined.as_path().shown()), expected);
        // Linux paths are never rewritten.
        if !cfg!(windows) {
            assert_eq!(Path::new(r"/tmp/a\b").shown().to_string(), r"/tmp/a\b");
        }
    }
}
