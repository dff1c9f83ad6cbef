//! The `lightbox` binary: the GUI (issue 3) and the command-line verbs.

// On Windows the exe opens no console window when started from Explorer; CLI output still
// reaches a terminal through `windows_console` (and the `lightbox.com` twin, packaging/).
#![cfg_attr(windows, windows_subsystem = "windows")]

mod cli;
#[cfg(windows)]
mod windows_console;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, which turns `lightbox … | head` into a panic on the next
    // print; restore the default so the process just ends, as Unix tools do.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    #[cfg(windows)]
    windows_console::attach_parent_console_for_cli();
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", cli::describe(&e));
            ExitCode::from(2)
        }
    }
}
