//! What the benches share.

use std::time::{Duration, Instant};

/// The fastest of `runs` calls of `f`, and the last result: the least noisy figure on
/// a shared machine.
pub fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut fastest = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        fastest = fastest.min(start.elapsed());
        out = Some(value);
    }
    (fastest, out.expect("runs > 0"))
}
