//! Files as the user sees them: written atomically (a crash leaves the old file or
//! the new one, never half of one), retried while Windows lets another program hold
//! them, their paths shown the way the user writes them, and the user's folders
//! for our data and cache.

mod held;
mod shown;
mod sqlite_path;
mod user_dirs;

use std::io::Write;
use std::path::Path;

pub use held::{PAUSE_BUDGET, is_held_by_another_program, is_windows_held_code, retry_while_held};
pub use shown::{ShowPath, Shown, shown_windows};
pub use sqlite_path::sqlite_path;
pub use user_dirs::{Platform, UserDir, app_dir, data_dir, user_dir_from};

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
/// Creating the temporary file and the rename are retried while another program
/// holds the file (Windows only, see [`retry_while_held`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = while_held(|| std::fs::File::create(&tmp))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Renames `from` to `to`, replacing `to`, retried while another program holds
/// either file (Windows only). For a temporary file finished by its own writer.
pub fn rename(from: &Path, to: &Path) -> std::io::Result<()> {
    while_held(|| std::fs::rename(from, to))
}

/// `op`, retried with real pauses while it fails because the file is held.
fn while_held<T>(op: impl FnMut() -> std::io::Result<T>) -> std::io::Result<T> {
    retry_while_held(op, is_held_by_another_program, std::thread::sleep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("keep.csv");
        write_atomic(&path, b"old").expect("first write");
        write_atomic(&path, b"new").expect("second write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["keep.csv"]);
    }

    #[test]
    fn a_failed_write_cleans_up_and_is_not_retried_off_windows() {
        let dir = tempfile::tempdir().expect("temp dir");
        // The target is a folder: the rename fails, the temporary file is removed.
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).expect("mkdir");
        std::fs::write(path.join("inside"), b"x").expect("write");
        let start = std::time::Instant::now();
        assert!(write_atomic(&path, b"x").is_err());
        // On Windows replacing a folder is "access denied", which is retried.
        if !cfg!(windows) {
            assert!(start.elapsed() < std::time::Duration::from_millis(500));
        }
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
