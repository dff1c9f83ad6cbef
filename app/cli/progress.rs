//! A progress bar on stderr for the verbs' long work, shown only once the work has
//! taken a second (quick runs and scripts see no flicker), never when `quiet`.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar that appears after one second.
pub struct DelayedBar {
    bar: ProgressBar,
    started: Instant,
    quiet: bool,
}

impl DelayedBar {
    /// A hidden bar drawn with indicatif's `template`.
    pub fn new(template: &str, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self {
            bar,
            started: Instant::now(),
            quiet,
        }
    }

    /// `done` of `total`, with `message`; shows the bar once a second has passed.
    pub fn update(&self, done: usize, total: usize, message: Option<String>) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
        if let Some(m) = message {
            self.bar.set_message(m);
        }
        if !self.quiet && self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
