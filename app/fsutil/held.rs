//! Retrying a file operation while another program holds the file open.
//!
//! On Windows an antivirus scanner (Defender) or the search indexer opens a file
//! for a moment right after it is written, and while it does, creating or
//! replacing that file fails with a sharing violation, a lock violation or "access
//! denied". Those failures end by themselves within a second or so, so the
//! operation is retried with a doubling pause for a bounded time. Other errors, and
//! every error on other systems (where the same numbers mean unrelated things),
//! fail at once.

use std::io;
use std::time::Duration;

/// `ERROR_ACCESS_DENIED`: also what replacing a file that is open without
/// `FILE_SHARE_DELETE` gives, and what a file pending deletion gives.
const ERROR_ACCESS_DENIED: i32 = 5;
/// `ERROR_SHARING_VIOLATION`: another process has the file open.
const ERROR_SHARING_VIOLATION: i32 = 32;
/// `ERROR_LOCK_VIOLATION`: another process has locked a region of the file.
const ERROR_LOCK_VIOLATION: i32 = 33;

/// The first pause after a failed try.
const FIRST_PAUSE: Duration = Duration::from_millis(10);
/// The most time spent pausing for one operation before giving up.
pub const PAUSE_BUDGET: Duration = Duration::from_secs(2);

/// Whether a raw Windows error code means the file is held by another program for
/// a moment (sharing violation, lock violation, access denied). Pure, so that it
/// can be tested anywhere; only meaningful for codes from Windows.
pub fn is_windows_held_code(code: i32) -> bool {
    matches!(
        code,
        ERROR_SHARING_VIOLATION | ERROR_LOCK_VIOLATION | ERROR_ACCESS_DENIED
    )
}

/// Whether `e` may go away if retried: a Windows "held" code, on Windows only.
pub fn is_held_by_another_program(e: &io::Error) -> bool {
    cfg!(windows) && e.raw_os_error().is_some_and(is_windows_held_code)
}

/// Runs `op` until it succeeds, fails with an error `held` does not accept, or
/// [`PAUSE_BUDGET`] of pauses (10 ms, doubling, the last one cut to what is left)
/// are spent; `pause` sleeps (a test passes a recorder). The final error of an
/// exhausted retry says that another program held the file.
pub fn retry_while_held<T>(
    mut op: impl FnMut() -> io::Result<T>,
    held: impl Fn(&io::Error) -> bool,
    mut pause: impl FnMut(Duration),
) -> io::Result<T> {
    let mut paused = Duration::ZERO;
    let mut next = FIRST_PAUSE;
    let mut tries = 0u32;
    loop {
        tries += 1;
        match op() {
            Ok(v) => return Ok(v),
            Err(e) if !held(&e) => return Err(e),
            Err(e) if paused >= PAUSE_BUDGET => return Err(gave_up(&e, tries, paused)),
            Err(_) => {
                let wait = next.min(PAUSE_BUDGET - paused);
                pause(wait);
                paused += wait;
                next *= 2;
            }
        }
    }
}

/// The error after the last try: the cause, how long we tried, and what to do.
fn gave_up(last: &io::Error, tries: u32, paused: Duration) -> io::Error {
    let who = if last.raw_os_error() == Some(ERROR_ACCESS_DENIED) {
        "access was denied; the file may be read-only, or held open by another program"
    } else {
        "the file was held open by another program"
    };
    io::Error::new(
        last.kind(),
        format!(
            "{last}: {who} (an antivirus, the search indexer, or the file open in Excel) \
             for {:.1} s over {tries} tries; close it or wait and try again",
            paused.as_secs_f64()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Classifies by Windows codes whatever the test runs on.
    fn held_code(e: &io::Error) -> bool {
        e.raw_os_error().is_some_and(is_windows_held_code)
    }

    #[test]
    fn windows_codes_are_classified() {
        assert!(is_windows_held_code(32));
        assert!(is_windows_held_code(33));
        assert!(is_windows_held_code(5));
        // ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ERROR_DISK_FULL, ERROR_INVALID_NAME.
        for other in [2, 3, 112, 123, 0] {
            assert!(!is_windows_held_code(other), "{other}");
        }
    }

    #[test]
    fn not_retried_on_other_systems() {
        // On Linux 5 is EIO, 32 EPIPE, 33 EDOM: nothing to wait for.
        let e = io::Error::from_raw_os_error(32);
        assert_eq!(is_held_by_another_program(&e), cfg!(windows));
    }

    #[test]
    fn two_sharing_violations_then_success() {
        let mut calls = 0;
        let mut pauses = Vec::new();
        let result = retry_while_held(
            || {
                calls += 1;
                if calls <= 2 {
                    Err(io::Error::from_raw_os_error(32))
                } else {
                    Ok(calls)
                }
            },
            held_code,
            |d| pauses.push(d),
        );
        assert_eq!(result.expect("third try succeeds"), 3);
        assert_eq!(
            pauses,
            [Duration::from_millis(10), Duration::from_millis(20)]
        );
    }

    #[test]
    fn held_forever_gives_up_within_the_budget() {
        let mut calls = 0u32;
        let mut paused = Duration::ZERO;
        let err = retry_while_held(
            || -> io::Result<()> {
                calls += 1;
                Err(io::Error::from_raw_os_error(33))
            },
            held_code,
            |d| paused += d,
        )
        .expect_err("never succeeds");
        assert_eq!(paused, PAUSE_BUDGET);
        // 10+20+…+640 = 1270 ms, then the 730 ms left: 8 pauses, 9 tries.
        assert_eq!(calls, 9);
        let text = err.to_string();
        assert!(text.contains("held open by another program"), "{text}");
        assert!(text.contains("9 tries"), "{text}");
    }

    #[test]
    fn access_denied_says_it_may_be_read_only() {
        let err = retry_while_held(
            || -> io::Result<()> { Err(io::Error::from_raw_os_error(5)) },
            held_code,
            |_| {},
        )
        .expect_err("never succeeds");
        assert!(err.to_string().contains("read-only"), "{err}");
    }

    #[test]
    fn other_errors_fail_at_once() {
        let mut calls = 0;
        let mut pauses = 0;
        let err = retry_while_held(
            || -> io::Result<()> {
                calls += 1;
                Err(io::Error::from_raw_os_error(2))
            },
            held_code,
            |_| pauses += 1,
        )
        .expect_err("fails");
        assert_eq!((calls, pauses), (1, 0));
        assert_eq!(
            err.raw_os_error(),
            Some(2),
            "the error is passed on unchanged"
        );
    }

    #[test]
    fn real_pauses_are_bounded() {
        // With the real sleep: a forever-held operation returns within the budget.
        let start = std::time::Instant::now();
        let _ = retry_while_held(
            || -> io::Result<()> { Err(io::Error::from_raw_os_error(32)) },
            held_code,
            std::thread::sleep,
        );
        let took = start.elapsed();
        assert!(
            took >= PAUSE_BUDGET && took < PAUSE_BUDGET + Duration::from_millis(500),
            "{took:?}"
        );
    }
}
