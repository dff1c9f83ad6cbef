//! The user's folders for our data (project stores) and cache (index caches).
//!
//! Windows: `%APPDATA%` (roaming: a project store follows the user to another
//! workstation of the domain) and `%LOCALAPPDATA%` (the cache is per machine);
//! elsewhere the XDG folders. The choice is a pure function of the environment, so
//! a test can give it Windows values on any system. A variable that is empty or
//! relative is ignored (an empty `APPDATA` must not put stores in whatever folder the
//! app was started from); when none is usable the profile folder (`USERPROFILE`,
//! `HOME`) gives the usual place, and only without one does the temp folder serve.

use std::ffi::OsString;
use std::path::PathBuf;

/// Which of the user's folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserDir {
    /// Data that must last (project stores): `%APPDATA%`, `$XDG_DATA_HOME`.
    Data,
    /// Data that may be thrown away (index caches): `%LOCALAPPDATA%`, `$XDG_CACHE_HOME`.
    Cache,
}

/// Whose rules for folders and absolute paths apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// `%APPDATA%`, `%LOCALAPPDATA%`, `%USERPROFILE%`; `C:\…` and `\\server\…` are absolute.
    Windows,
    /// XDG base directories and `$HOME`; `/…` is absolute.
    Unix,
}

impl Platform {
    /// The platform this build runs on.
    pub const fn current() -> Self {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

/// The base folder for `dir` (without our own folder name) from the environment
/// `var` under `platform`'s rules; `None` when no variable gives an absolute path
/// (the caller then uses the temp folder).
pub fn user_dir_from(
    dir: UserDir,
    platform: Platform,
    var: impl Fn(&str) -> Option<OsString>,
) -> Option<PathBuf> {
    let usable = |name: &str| {
        var(name)
            .filter(|v| is_absolute(platform, &v.to_string_lossy()))
            .map(PathBuf::from)
    };
    let (own, profile, under_profile): (&str, &str, &[&str]) = match (platform, dir) {
        (Platform::Windows, UserDir::Data) => ("APPDATA", "USERPROFILE", &["AppData", "Roaming"]),
        (Platform::Windows, UserDir::Cache) => {
            ("LOCALAPPDATA", "USERPROFILE", &["AppData", "Local"])
        }
        (Platform::Unix, UserDir::Data) => ("XDG_DATA_HOME", "HOME", &[".local", "share"]),
        (Platform::Unix, UserDir::Cache) => ("XDG_CACHE_HOME", "HOME", &[".cache"]),
    };
    usable(own).or_else(|| {
        usable(profile).map(|mut p| {
            p.extend(under_profile);
            p
        })
    })
}

/// `override_var` when it is set to a non-empty value, else the user's `dir`
/// folder with `name` inside (temp folder when the environment gives none).
pub fn app_dir(dir: UserDir, override_var: &str, name: &str) -> PathBuf {
    if let Some(d) = std::env::var_os(override_var).filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    user_dir_from(dir, Platform::current(), |v| std::env::var_os(v))
        .unwrap_or_else(std::env::temp_dir)
        .join(name)
}

/// Our data folder: `%APPDATA%\Lightbox` on Windows (`%USERPROFILE%\AppData\Roaming\…`
/// without `APPDATA`), `$XDG_DATA_HOME/lightbox` or `~/.local/share/lightbox`
/// elsewhere; `$LIGHTBOX_DATA_DIR` when that variable is set (tests).
pub fn data_dir() -> PathBuf {
    let name = if cfg!(windows) {
        "Lightbox"
    } else {
        "lightbox"
    };
    app_dir(UserDir::Data, "LIGHTBOX_DATA_DIR", name)
}

/// Whether `text` is an absolute path under `platform`'s rules: `X:\` or `X:/` or
/// `\\` on Windows (`X:` alone is relative to that drive's current folder), `/` elsewhere.
fn is_absolute(platform: Platform, text: &str) -> bool {
    match platform {
        Platform::Unix => text.starts_with('/'),
        Platform::Windows => {
            let b = text.as_bytes();
            let drive = b.len() >= 3
                && b[0].is_ascii_alphabetic()
                && b[1] == b':'
                && (b[2] == b'\\' || b[2] == b'/');
            drive || text.starts_with(r"\\") || text.starts_with("//")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    const WIN: &[(&str, &str)] = &[
        ("APPDATA", r"C:\Users\chen\AppData\Roaming"),
        ("LOCALAPPDATA", r"C:\Users\chen\AppData\Local"),
        ("USERPROFILE", r"C:\Users\chen"),
        ("HOME", "/home/ignored"),
        ("XDG_DATA_HOME", "/ignored"),
    ];

    #[test]
    fn windows_uses_appdata_and_localappdata() {
        assert_eq!(
            user_dir_from(UserDir::Data, Platform::Windows, env(WIN)),
            Some(PathBuf::from(r"C:\Users\chen\AppData\Roaming"))
        );
        assert_eq!(
            user_dir_from(UserDir::Cache, Platform::Windows, env(WIN)),
            Some(PathBuf::from(r"C:\Users\chen\AppData\Local"))
        );
        let unc = [("APPDATA", r"\\dc01\profiles$\chen\AppData\Roaming")];
        assert_eq!(
            user_dir_from(UserDir::Data, Platform::Windows, env(&unc)),
            Some(PathBuf::from(r"\\dc01\profiles$\chen\AppData\Roaming"))
        );
    }

    #[test]
    fn windows_without_appdata_uses_the_profile() {
        for appdata in [None, Some(""), Some("AppData"), Some("D:")] {
            let mut vars = vec![("USERPROFILE", r"D:\Users\lin")];
            if let Some(v) = appdata {
                vars.push(("APPDATA", v));
                vars.push(("LOCALAPPDATA", v));
            }
            let mut roaming = PathBuf::from(r"D:\Users\lin");
            roaming.extend(["AppData", "Roaming"]);
            let mut local = PathBuf::from(r"D:\Users\lin");
            local.extend(["AppData", "Local"]);
            assert_eq!(
                user_dir_from(UserDir::Data, Platform::Windows, env(&vars)),
                Some(roaming),
                "APPDATA={appdata:?}"
            );
            assert_eq!(
                user_dir_from(UserDir::Cache, Platform::Windows, env(&vars)),
                Some(local),
                "LOCALAPPDATA={appdata:?}"
            );
        }
    }

    #[test]
    fn nothing_usable_is_none_never_the_current_folder() {
        let vars = [("APPDATA", ""), ("USERPROFILE", "."), ("HOME", "/home/x")];
        assert_eq!(
            user_dir_from(UserDir::Data, Platform::Windows, env(&vars)),
            None
        );
        let vars = [("XDG_CACHE_HOME", "cache"), ("HOME", "")];
        assert_eq!(
            user_dir_from(UserDir::Cache, Platform::Unix, env(&vars)),
            None
        );
    }

    #[test]
    fn unix_uses_xdg_then_home() {
        let vars = [("XDG_DATA_HOME", "/data/x"), ("HOME", "/home/x")];
        assert_eq!(
            user_dir_from(UserDir::Data, Platform::Unix, env(&vars)),
            Some(PathBuf::from("/data/x"))
        );
        assert_eq!(
            user_dir_from(UserDir::Cache, Platform::Unix, env(&vars)),
            Some(PathBuf::from("/home/x/.cache"))
        );
        let vars = [("HOME", "/home/x"), ("APPDATA", r"C:\ignored")];
        assert_eq!(
            user_dir_from(UserDir::Data, Platform::Unix, env(&vars)),
            Some(PathBuf::from("/home/x/.local/share"))
        );
    }

    #[test]
    fn windows_absolute_paths() {
        for yes in [r"C:\x", "c:/x", r"\\server\share", r"\\?\D:\x"] {
            assert!(is_absolute(Platform::Windows, yes), "{yes}");
        }
        for no in ["", "C:", "C:x", r"x\y", r"\x", "."] {
            assert!(!is_absolute(Platform::Windows, no), "{no}");
        }
    }
}
