//! Running the cross-built Windows exe under Wine, for the black-box Windows tests.
//!
//! The users run `lightbox.exe` on Windows 10; CI has Linux and Wine. These helpers give
//! each test its own throw-away Wine prefix (made by `tests/windows/wine-prefix.sh`, which
//! adds the `ProcessPrng` stub Rust's std needs under Wine 8), map drive letters onto temp
//! folders so the exe sees real Windows paths (`D:\…`), and run the exe with an
//! environment that cannot leak the Linux test settings into the Windows process (Wine
//! passes the whole Unix environment through).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The Windows exe named by `LIGHTBOX_WINDOWS_EXE`. Unset: a CI run (`CI=true`) fails,
/// since CI must test the exe; anywhere else the test is skipped with a printed reason.
pub fn windows_exe() -> Option<PathBuf> {
    if let Some(exe) = std::env::var_os("LIGHTBOX_WINDOWS_EXE") {
        let exe = PathBuf::from(exe);
        assert!(
            exe.is_file(),
            "LIGHTBOX_WINDOWS_EXE names no file: {}",
            exe.display()
        );
        return Some(exe);
    }
    let how = "cross-build it (bash packaging/windows/build.sh, or cargo build --release \
               --target x86_64-pc-windows-gnu) and set LIGHTBOX_WINDOWS_EXE to lightbox.exe";
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI must cross-build the exe: LIGHTBOX_WINDOWS_EXE is not set; {how}"
    );
    // Straight to stderr: the test harness captures eprintln! of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: LIGHTBOX_WINDOWS_EXE is not set; to run this test under Wine, {how}"
    );
    None
}

/// A private Wine prefix that runs one exe; `wineserver -k` and removal on drop.
pub struct Wine {
    /// Holds the prefix and the Unix home the Windows process sees.
    dir: tempfile::TempDir,
    exe: PathBuf,
    /// Mapped drive letters and their Unix folders.
    drives: Vec<(char, PathBuf)>,
}

impl Wine {
    /// Makes a fresh 64-bit prefix for `exe`; fails the test with the fix when Wine or
    /// mingw-w64 is missing.
    pub fn new(exe: &Path) -> Wine {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("home")).expect("mkdir home");
        let script = super::repo().join("tests/windows/wine-prefix.sh");
        let mut cmd = Command::new("bash");
        cmd.arg(&script).arg(dir.path().join("prefix"));
        let out = with_env(&mut cmd, dir.path())
            .output()
            .expect("bash runs tests/windows/wine-prefix.sh");
        assert!(
            out.status.success(),
            "making the Wine prefix failed (needs: apt-get install wine wine64 \
             gcc-mingw-w64-x86-64): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Wine {
            dir,
            exe: exe.to_path_buf(),
            drives: Vec::new(),
        }
    }

    /// Keeps a wineserver and Wine's services up until drop, so that each of many runs
    /// takes 0.1 s instead of 3 s. For runs without a display only: the services
    /// (explorer.exe holds the display driver) start here, outside any `xvfb-run`, and a
    /// later GUI run would find no Vulkan or GL. Started with no stdio, or they would hold
    /// the pipes of the first run whose output is read, and that read would never end.
    pub fn keep_running(&self) {
        for (program, arg) in [("wineserver", "-p"), ("wine", "wineboot")] {
            let mut cmd = Command::new(program);
            cmd.arg(arg)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let _ = self.configure(&mut cmd).status();
        }
    }

    /// The prefix folder (`drive_c/` inside).
    pub fn prefix(&self) -> PathBuf {
        self.dir.path().join("prefix")
    }

    /// The Unix home folder the Windows process is given: nothing of ours may land there.
    pub fn unix_home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The exe this prefix runs.
    pub fn exe(&self) -> &Path {
        &self.exe
    }

    /// Maps drive `letter` (`'d'`) onto the Unix folder `target`.
    pub fn map_drive(&mut self, letter: char, target: &Path) {
        let letter = letter.to_ascii_lowercase();
        let link = self.prefix().join(format!("dosdevices/{letter}:"));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link).expect("map the drive letter");
        self.drives.retain(|(l, _)| *l != letter);
        self.drives.push((letter, target.to_path_buf()));
    }

    /// The Windows path of a Unix path: through the mapped drive that holds it (the
    /// deepest), else Wine's `Z:` (the Unix root). Backslashes, upper-case drive letter.
    pub fn windows_path(&self, unix: &Path) -> String {
        let (letter, rel) = self
            .drives
            .iter()
            .filter_map(|(l, root)| unix.strip_prefix(root).ok().map(|rel| (*l, rel)))
            .max_by_key(|(_, rel)| std::cmp::Reverse(rel.components().count()))
            .unwrap_or(('z', unix.strip_prefix("/").unwrap_or(unix)));
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        format!("{}:\\{}", letter.to_ascii_uppercase(), rel.join("\\"))
    }

    /// The Windows user's `%LOCALAPPDATA%` inside the prefix
    /// (`drive_c/users/<name>/AppData/Local`).
    pub fn local_app_data(&self) -> PathBuf {
        self.user_profile().join("AppData/Local")
    }

    /// The Windows user's `%APPDATA%` inside the prefix.
    pub fn roaming_app_data(&self) -> PathBuf {
        self.user_profile().join("AppData/Roaming")
    }

    /// `drive_c/users/<name>`: the one profile folder that is not `Public`.
    fn user_profile(&self) -> PathBuf {
        let users = self.prefix().join("drive_c/users");
        std::fs::read_dir(&users)
            .expect("the prefix has drive_c/users")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.file_name().is_some_and(|n| n != "Public"))
            .expect("a user profile in drive_c/users")
    }

    /// `wine <exe>` with this prefix's environment; add the arguments.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new("wine");
        cmd.arg(&self.exe);
        self.configure(&mut cmd);
        cmd
    }

    /// Gives `cmd` (`wine …`, or a wrapper such as `xvfb-run -a wine …`) this prefix's
    /// environment.
    pub fn configure<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        with_env(cmd, self.dir.path())
    }

    /// Runs the exe with `args` (Windows paths) and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .output()
            .expect("wine runs (apt-get install wine wine64)")
    }

    /// Runs the exe and fails the test with its stderr unless it succeeds.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        succeeded(args, self.run(args))
    }
}

/// Fails the test with the exe's stderr unless `out` (of a run with `args`) succeeded.
pub fn succeeded(args: &[&str], out: Output) -> Output {
    assert!(
        out.status.success(),
        "lightbox.exe {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Drop for Wine {
    fn drop(&mut self) {
        // End this prefix's wineserver before its folder goes.
        let mut cmd = Command::new("wineserver");
        cmd.arg("-k");
        let _ = self.configure(&mut cmd).output();
    }
}

/// The environment of a Wine command in the prefix under `dir`: our settings removed,
/// UTF-8 arguments and file names, a private Unix home, Wine quiet.
fn with_env<'c>(cmd: &'c mut Command, dir: &Path) -> &'c mut Command {
    for var in [
        "LIGHTBOX_CACHE_DIR",
        "LIGHTBOX_DATA_DIR",
        "LIGHTBOX_REVIEWER",
        "LIGHTBOX_GRAPHICS",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
        "WINEDEBUG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("WINEPREFIX", dir.join("prefix"))
        .env("WINEARCH", "win64")
        .env("WINEDEBUG", "-all")
        // No Mono/Gecko installers: they would ask for a download.
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env("HOME", dir.join("home"))
        .env("LC_ALL", "C.UTF-8")
}
