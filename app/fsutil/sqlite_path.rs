//! The name to give SQLite for a database file.
//!
//! Windows 10 refuses a path of 260 characters or more unless it is written `\\?\…`
//! (long paths are off by default and need an administrator to turn on). Rust's std adds
//! that prefix itself to every long path it opens; SQLite (C) passes the name to
//! `CreateFileW` as it gets it, so a project store or claims database deep in a NAS
//! folder tree would fail to open while every other file there reads fine (found by
//! `tests/windows_cli.rs`, which traces Wine's path conversions). Its `-wal`, `-shm` and
//! `-journal` files are named after the database, so the prefix covers them too.

use std::path::{Path, PathBuf};

/// `path` as SQLite must be given it: on Windows the absolute path written `\\?\D:\…`
/// (`\\?\UNC\server\share\…` for a share); unchanged when already verbatim, when it
/// cannot be made absolute, and on other systems.
pub fn sqlite_path(path: &Path) -> PathBuf {
    #[cfg(windows)]
    {
        verbatim(path)
    }
    #[cfg(not(windows))]
    {
        path.to_path_buf()
    }
}

#[cfg(windows)]
fn verbatim(path: &Path) -> PathBuf {
    use std::ffi::OsString;
    use std::path::{Component, Prefix};

    let Ok(absolute) = std::path::absolute(path) else {
        return path.to_path_buf();
    };
    let mut components = absolute.components();
    let Some(Component::Prefix(prefix)) = components.next() else {
        return absolute;
    };
    let mut name = match prefix.kind() {
        Prefix::Disk(_) => OsString::from(r"\\?\"),
        Prefix::UNC(server, share) => {
            let mut name = OsString::from(r"\\?\UNC\");
            name.push(server);
            name.push(r"\");
            name.push(share);
            name.push(components.as_path());
            return PathBuf::from(name);
        }
        _ => return absolute,
    };
    name.push(absolute.as_os_str());
    PathBuf::from(name)
}
