//! The `lightbox` binary: the GUI (issue 3) and the command-line verbs.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, which turns `lightbox … | head` into a panic on the next
    // print; restore the default so the process just ends, as Unix tools do.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", cli::describe(&e));
            ExitCode::from(2)
        }
    }
}
