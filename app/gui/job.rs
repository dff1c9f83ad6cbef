//! One result computed on its own thread and taken in by the UI thread when ready.
//!
//! The slow work of the viewer (claims, a rules evaluation, a file's tags, the
//! keep-list and annotation exports) runs as a [`Job`]: the UI thread never waits
//! on it, the window repaints when the result is there, and dropping a job abandons
//! its result (a newer request simply replaces the old job). The scan, which reports
//! progress and partial indexes as it goes, has its own worker (`app/scan.rs`).

use crossbeam_channel::{Receiver, TryRecvError, bounded};

/// Work running on a thread of its own.
pub struct Job<T> {
    rx: Receiver<T>,
}

impl<T> std::fmt::Debug for Job<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.rx.is_empty() {
            "Job (running)"
        } else {
            "Job (done)"
        })
    }
}

/// What [`Job::poll`] found.
#[derive(Debug)]
pub enum Polled<T> {
    /// Still running.
    Running,
    /// Finished with this result.
    Done(T),
    /// The thread ended without a result (it panicked).
    Lost,
}

impl<T: Send + 'static> Job<T> {
    /// Runs `work` on a new thread called `name`; `ctx` repaints when it is done.
    ///
    /// # Errors
    /// The system would not start a thread.
    pub fn spawn(
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = bounded(1);
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name(format!("lightbox-{name}"))
            .spawn(move || {
                // The receiver is gone when the job was abandoned meanwhile.
                if tx.send(work()).is_ok() {
                    ctx.request_repaint();
                }
            })?;
        Ok(Self { rx })
    }

    /// The result, once there.
    fn poll(&self) -> Polled<T> {
        match self.rx.try_recv() {
            Ok(result) => Polled::Done(result),
            Err(TryRecvError::Empty) => Polled::Running,
            Err(TryRecvError::Disconnected) => Polled::Lost,
        }
    }

    /// How the job in `slot` ended, emptying the slot: `Done` or `Lost`; `None` while
    /// it runs or when the slot holds no job.
    pub fn finished(slot: &mut Option<Self>) -> Option<Polled<T>> {
        match slot.as_ref()?.poll() {
            Polled::Running => None,
            ended => {
                *slot = None;
                Some(ended)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Polls until the job is no longer running (a few seconds at most).
    fn wait<T: Send + 'static>(job: &Job<T>) -> Polled<T> {
        for _ in 0..500 {
            match job.poll() {
                Polled::Running => std::thread::sleep(std::time::Duration::from_millis(10)),
                other => return other,
            }
        }
        Polled::Running
    }

    #[test]
    fn a_job_hands_over_its_result_once() {
        let ctx = egui::Context::default();
        let job = Job::spawn(&ctx, "test", || 6 * 7).expect("a thread");
        assert!(matches!(wait(&job), Polled::Done(42)));
        // The sender is gone with its thread: nothing more comes.
        assert!(matches!(job.poll(), Polled::Lost));
        // Taken from a slot, a finished job empties it.
        let mut slot = Some(Job::spawn(&ctx, "test", || 1).expect("a thread"));
        let mut ended = None;
        for _ in 0..500 {
            ended = Job::finished(&mut slot);
            if ended.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(matches!(ended, Some(Polled::Done(1))) && slot.is_none());
    }

    #[test]
    fn a_panicking_job_is_lost_not_running_forever() {
        let ctx = egui::Context::default();
        let job: Job<u8> =
            Job::spawn(&ctx, "test-panic", || panic!("on purpose")).expect("a thread");
        assert!(matches!(wait(&job), Polled::Lost));
    }
}
