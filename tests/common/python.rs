//! Python reference stacks for tests: the virtual environments of `tests/venvs.txt`.
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

/// One venv of `tests/venvs.txt`: its pip binary policy and requirement files.
struct VenvSpec {
    policy: String,
    files: Vec<String>,
}

/// The line of `tests/venvs.txt` that names venv `name`.
fn spec(name: &str) -> VenvSpec {
    let path = super::repo().join("tests/venvs.txt");
    let table =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    table
        .lines()
        .map(str::split_whitespace)
        .find_map(|mut words| {
            (words.next() == Some(name)).then(|| VenvSpec {
                policy: words.next().unwrap_or_default().to_owned(),
                files: words.map(str::to_owned).collect(),
            })
        })
        .unwrap_or_else(|| panic!("no venv {name} in {}", path.display()))
}

/// The interpreter of venv `name` of `tests/venvs.txt` (`target/<name>-venv`, or
/// `$LIGHTBOX_<NAME>_VENV`), created if needed with its pins installed unless its stamp
/// says they are.
///
/// The stamp file records what was installed, so changing a pin reinstalls.
pub fn venv(name: &str) -> PathBuf {
    let spec = spec(name);
    let files: Vec<&str> = spec.files.iter().map(String::as_str).collect();
    let requirements = requirements(&files);
    let var = format!("LIGHTBOX_{}_VENV", name.to_uppercase());
    let venv = std::env::var_os(&var)
        .map(PathBuf::from)
        .unwrap_or_else(|| super::repo().join(format!("target/{name}-venv")));
    let python = venv_python(&venv);
    // Tests of one binary run on threads and binaries may run side by side: one creates
    // and fills the venv while the others wait, instead of finding it half made.
    let _lock = lock(&venv);
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
                &spec.policy,
            ])
            .args(requirements),
        &format!("installing the {name} reference stack"),
        &fix,
    );
    require_success(&out, "pip install", &fix);
    std::fs::write(&stamp, wanted).expect("write the venv stamp");
    python
}

/// Holds an exclusive lock on `<venv>.lock` until dropped (an `flock` conflicts between
/// open files of one process too, so it serialises threads as well as processes).
fn lock(venv: &Path) -> std::fs::File {
    let path = venv.with_extension("lock");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("create {}: {e}", parent.display()));
    }
    let file = std::fs::File::create(&path)
        .unwrap_or_else(|e| panic!("create the venv lock {}: {e}", path.display()));
    file.lock()
        .unwrap_or_else(|e| panic!("lock {}: {e}", path.display()));
    file
}

/// The pins of requirements files under `tests/` (relative paths), without comments
/// and blank lines, in order.
fn requirements(files: &[&str]) -> Vec<String> {
    files
        .iter()
        .map(|name| super::repo().join("tests").join(name))
        .flat_map(|path| {
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Runs `script` (under `tests/`) in venv `venv` (of `tests/venvs.txt`) on `input`
/// written as JSON, and returns the JSON it prints.
pub fn reference_json(venv: &str, script: &str, input: &serde_json::Value) -> serde_json::Value {
    let python = self::venv(venv);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input.json");
    std::fs::write(&path, input.to_string()).expect("write the input");
    let fix = format!("see tests/venvs.txt ({venv})");
    let out = run(
        Command::new(&python)
            .arg(super::repo().join("tests").join(script))
            .arg(&path),
        script,
        &fix,
    );
    require_success(&out, script, &fix);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{script} printed no JSON: {e}"))
}
