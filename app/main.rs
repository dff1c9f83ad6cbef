//! The `lightbox` binary: the GUI (issue 3) and the command-line verbs.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", cli::describe(&e));
            ExitCode::from(2)
        }
    }
}
