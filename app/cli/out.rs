//! Standard output for the verbs: `outln!` instead of `println!`.
//!
//! When the reader of a pipe goes away (`lightbox index … | head`), Unix ends the process
//! with SIGPIPE (restored in `main`), but Windows reports a write error, on which `println!`
//! panics ("failed printing to stdout: Pipe not connected"). Here a vanished reader ends
//! the process quietly with exit code 0, as `head` expects; any other write error is
//! reported once and exits 2, the CLI's error code.

use std::io::Write;

/// Writes formatted text to standard output, ending the process when it cannot.
pub fn write(args: std::fmt::Arguments) {
    let result = std::io::stdout().lock().write_fmt(args);
    if let Err(e) = result {
        if reader_gone(&e) {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}

/// True when the error says the other end of the pipe was closed.
fn reader_gone(e: &std::io::Error) -> bool {
    // Windows: ERROR_BROKEN_PIPE (109) and ERROR_NO_DATA (232) map to BrokenPipe;
    // ERROR_PIPE_NOT_CONNECTED (233) does not, and is what a closed reader gives under Wine.
    e.kind() == std::io::ErrorKind::BrokenPipe || (cfg!(windows) && e.raw_os_error() == Some(233))
}

/// `println!` that ends the process quietly when the pipe's reader is gone.
macro_rules! outln {
    () => { $crate::cli::out::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out::write(format_args!("{}\n", format_args!($($arg)*))) };
}
