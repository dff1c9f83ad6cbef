//! A retrieval or a send on a worker thread: the work runs as a [`Job`], reports its
//! progress after each instance through a channel the UI drains every frame, and
//! stops when Cancel raises its [`Cancel`] flag (what arrived stays).

use std::path::PathBuf;

use crossbeam_channel::{Receiver, unbounded};

use crate::gui::job::{Job, Polled};
use crate::pacs::{Cancel, Progress};

/// What a transfer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferKind {
    /// Studies copied from the server into a folder.
    Retrieve,
    /// The release's annotations stored on the server.
    Send,
}

/// How far a transfer is: the study (from 0) of how many, and the instances of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// The study in flight, from 0 (always 0 for a send).
    pub study: usize,
    /// Studies in all (1 for a send).
    pub studies: usize,
    /// Instances done and in all, bytes moved, of that study (or of the send).
    pub progress: Progress,
}

impl Step {
    /// The part done, 0 to 1, counting the studies before the one in flight.
    pub fn fraction(&self) -> f32 {
        let within = if self.progress.total == 0 {
            0.0
        } else {
            self.progress.done as f32 / self.progress.total as f32
        };
        ((self.study as f32 + within) / self.studies.max(1) as f32).clamp(0.0, 1.0)
    }
}

/// How a transfer ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// What was done, a line each (a study retrieved, files stored, files not stored).
    pub lines: Vec<String>,
    /// What failed, a line each, naming the server.
    pub errors: Vec<String>,
    /// The folder Open opens (retrievals that stored or found something).
    pub open: Option<PathBuf>,
}

impl Outcome {
    /// An outcome that is one error.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            errors: vec![text.into()],
            ..Self::default()
        }
    }
}

/// A transfer running on its own thread.
pub struct Transfer {
    /// What it does.
    pub kind: TransferKind,
    /// The last progress reported.
    pub progress: Option<Step>,
    steps: Receiver<Step>,
    cancel: Cancel,
    job: Option<Job<Outcome>>,
}

impl std::fmt::Debug for Transfer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transfer")
            .field("kind", &self.kind)
            .field("progress", &self.progress)
            .field("cancelled", &self.cancel.is_cancelled())
            .finish()
    }
}

impl Transfer {
    /// Runs `work` on a thread called `name`; it reports progress through the function
    /// it is given and stops when the flag it is given is raised.
    ///
    /// # Errors
    /// The system would not start a thread.
    pub fn start(
        ctx: &egui::Context,
        kind: TransferKind,
        name: &str,
        work: impl FnOnce(&dyn Fn(Step), &Cancel) -> Outcome + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, steps) = unbounded();
        let cancel = Cancel::new();
        let flag = cancel.clone();
        let repaint = ctx.clone();
        let job = Job::spawn(ctx, name, move || {
            let report = move |step: Step| {
                // The receiver is gone when the transfer was abandoned.
                if tx.send(step).is_ok() {
                    repaint.request_repaint();
                }
            };
            work(&report, &flag)
        })?;
        Ok(Self {
            kind,
            progress: None,
            steps,
            cancel,
            job: Some(job),
        })
    }

    /// Asks the transfer to stop after the instance in flight.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Whether Cancel was pressed.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Takes in the progress reported since the last frame; the outcome once the
    /// transfer has ended.
    pub fn poll(&mut self) -> Option<Outcome> {
        // The job first: every step was sent before its result, so draining after
        // seeing the result misses none.
        let ended = Job::finished(&mut self.job);
        while let Ok(step) = self.steps.try_recv() {
            self.progress = Some(step);
        }
        match ended? {
            Polled::Done(outcome) => Some(outcome),
            Polled::Lost => Some(Outcome::error("the transfer stopped unexpectedly")),
            Polled::Running => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_reports_progress_and_stops_when_cancelled() {
        let ctx = egui::Context::default();
        let (go, wait) = unbounded::<()>();
        let mut transfer = Transfer::start(
            &ctx,
            TransferKind::Retrieve,
            "test",
            move |report, cancel| {
                for done in 1..=3 {
                    report(Step {
                        study: 0,
                        studies: 2,
                        progress: Progress {
                            done,
                            total: 4,
                            bytes: 10 * done as u64,
                        },
                    });
                }
                // Waits for the test to cancel.
                let _ = wait.recv();
                Outcome {
                    lines: vec![format!("cancelled: {}", cancel.is_cancelled())],
                    ..Outcome::default()
                }
            },
        )
        .expect("a thread");
        transfer.cancel();
        assert!(transfer.is_cancelled());
        go.send(()).expect("the worker waits");
        let mut outcome = None;
        for _ in 0..500 {
            outcome = transfer.poll();
            if outcome.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let outcome = outcome.expect("the transfer ended");
        assert_eq!(outcome.lines, ["cancelled: true"]);
        let last = transfer.progress.expect("progress");
        assert_eq!((last.progress.done, last.progress.bytes), (3, 30));
        assert!((last.fraction() - 0.375).abs() < 1e-6);
    }
}
