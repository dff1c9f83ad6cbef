//! The no-network guarantee, checked with `strace` on the real binary: with no server
//! configured, neither the CLI verbs a session uses nor the viewer (under Xvfb, until
//! its first image is drawn and saved) opens an internet socket (AF_INET or AF_INET6;
//! the X server's local socket is allowed). A PACS echo to a loopback port shows up in
//! the same trace, so the check is seen to catch a socket when there is one.
#![cfg(unix)]

mod common;

use std::path::Path;
use std::process::Command;

use common::s;

/// The trace of a run whose arguments start with `first`.
fn trace_path(log_dir: &Path, first: &str) -> std::path::PathBuf {
    let name: String = first
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    log_dir.join(format!("strace-{name}.log"))
}

/// Runs `lightbox args…` under `strace -f` (socket calls only, wrapped by `wrapper` if
/// given), and returns the trace's lines that open internet sockets.
fn inet_sockets(wrapper: &[&str], args: &[&str], log_dir: &Path) -> Vec<String> {
    let log = trace_path(log_dir, args.first().copied().unwrap_or("app"));
    let mut cmd = match wrapper.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg("strace");
            c
        }
        None => Command::new("strace"),
    };
    cmd.args(["-f", "-e", "trace=socket,connect", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_lightbox"))
        .args(args)
        .env("LIGHTBOX_CACHE_DIR", log_dir.join("cache"));
    let runtime = log_dir.join("xdg");
    std::fs::create_dir_all(&runtime).expect("mkdir");
    cmd.env("XDG_RUNTIME_DIR", &runtime);
    let out = cmd
        .output()
        .expect("strace is needed for this test: apt-get install strace");
    assert!(
        std::fs::metadata(&log).is_ok(),
        "strace wrote no trace: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&log)
        .expect("the trace")
        .lines()
        .filter(|l| l.contains("AF_INET"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_session_without_a_server_opens_no_internet_socket() {
    let (_copy, root) = common::sample_copy();
    let work = tempfile::tempdir().expect("temp dir");
    let store = work.path().join("review.lightbox.sqlite");
    let example = common::repo().join("sample-data/annotations/example.json");
    let seg = work.path().join("seg");
    let [import, export] = common::seg_export_sessions(&root, &example, &store, &seg);
    let sessions: [&[&str]; 5] = [
        &["index", s(&root)],
        &["claims", s(&root)],
        &import,
        &export,
        &[
            "takeout",
            s(&root),
            "--store",
            s(&store),
            "--project-code",
            "T",
            "--out",
            s(work.path()),
            "--undecided",
            "drop",
        ],
    ];
    for args in sessions {
        let found = inet_sockets(&[], args, work.path());
        assert!(
            std::fs::read_to_string(trace_path(work.path(), args[0]))
                .is_ok_and(|t| t.contains("+++ exited with 0 +++")),
            "lightbox {args:?} did not run to the end"
        );
        assert!(found.is_empty(), "lightbox {args:?} opened: {found:?}");
    }
}

#[cfg(feature = "gui")]
#[test]
fn the_viewer_without_a_server_opens_no_internet_socket() {
    let (_copy, root) = common::sample_copy();
    let work = tempfile::tempdir().expect("temp dir");
    let shot = work.path().join("window.png");
    let found = inet_sockets(
        &["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"],
        &[s(&root), "--screenshot", s(&shot)],
        work.path(),
    );
    assert!(shot.is_file(), "the viewer drew nothing");
    assert!(found.is_empty(), "the viewer opened: {found:?}");
}

#[test]
fn the_check_sees_a_socket_when_there_is_one() {
    let work = tempfile::tempdir().expect("temp dir");
    let closed = format!("http://127.0.0.1:{}/dicom-web", common::free_port());
    let found = inet_sockets(&[], &["pacs", "echo", "--dicomweb", &closed], work.path());
    assert!(
        found
            .iter()
            .any(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains("socket(AF_INET")),
        "no AF_INET socket in the trace of a PACS echo: {found:?}"
    );
}
