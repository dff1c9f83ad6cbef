//! Python reference stacks for tests: a virtual environment per requirements file.
//!
//! Some truths come from independent implementations in Python (pydicom, scikit-image,
//! shapely, pycocotools, labelme). Each runs in its own venv under `target/` (or where
//! `$LIGHTBOX_<NAME>_VENV` says, so CI and developers can share one), created on first
//! use with pinned wheels only. Without Python or PyPI on first use the test fails with
//! the fix; it never passes silently. `.ci/run` prepares the venvs up front.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The venv's interpreter (its layout differs on Windows).
fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts/python.exe")
    } else {
        venv.join("bin/python")
    }
}

/// Runs a command, turning "cannot start it" into a failure that says what to install.
pub fn run(cmd: &mut Command, what: &str, fix: &str) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}\n{fix}"))
}

/// Panics with both output streams unless `out` succeeded, so setup problems are explicit.
pub fn require_success(out: &Output, what: &str, fix: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}\n{fix}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The interpreter of venv `name` (`target/<name>-venv`, or `$LIGHTBOX_<NAME>_VENV`),
/// created if needed with `requirements` installed unless its stamp says they are.
///
/// The stamp file records what was installed, so changing a pin reinstalls.
pub fn venv(name: &str, requirements: &[&str]) -> PathBuf {
    let var = format!("LIGHTBOX_{}_VENV", name.to_uppercase());
    let venv = std::env::var_os(&var)
        .map(PathBuf::from)
        .unwrap_or_else(|| super::repo().join(format!("target/{name}-venv")));
    let python = venv_python(&venv);
    let no_venv =
        "Python 3 with the venv module is required (Debian: apt-get install python3 python3-venv).";
    if !python.exists() {
        let system_python = if cfg!(windows) { "python" } else { "python3" };
        let out = run(
            Command::new(system_python).args(["-m", "venv"]).arg(&venv),
            &format!("creating the {name} venv"),
            no_venv,
        );
        if !out.status.success() {
            // Debian without python3-venv leaves a venv with no pip behind: remove it
            // so the next run tries again instead of failing in pip.
            let _ = std::fs::remove_dir_all(&venv);
        }
        require_success(&out, "python3 -m venv", no_venv);
    }
    let stamp = venv.join(format!("lightbox-{name}-requirements.txt"));
    let wanted = requirements.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    let fix = format!(
        "pip needs PyPI on first use; {no_venv} A broken venv can be deleted: rm -rf {}",
        venv.display()
    );
    let out = run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--only-binary=:all:",
            ])
            .args(requirements),
        &format!("installing the {name} reference stack"),
        &fix,
    );
    require_success(&out, "pip install", &fix);
    std::fs::write(&stamp, wanted).expect("write the venv stamp");
    python
}
