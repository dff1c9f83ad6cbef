//! Decoding frames on worker threads into a bounded LRU cache.
//!
//! The viewer never decodes on the UI thread: it tells the loader which frames it
//! wants, nearest to the current slice first, and reads whatever is ready. The
//! cache is bounded in bytes (default 2 GiB) and evicts the least recently used
//! frame. The loader knows nothing about egui: it calls a `notify` closure when a
//! frame is ready (the viewer passes `request_repaint`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::display_frame::DisplayFrame;
use crate::pixel::DicomImage;

/// One frame of one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FrameKey {
    /// The file.
    pub path: Arc<Path>,
    /// Frame index from 0.
    pub frame: u32,
}

/// An LRU cache of decoded frames bounded in bytes.
#[derive(Debug)]
pub struct FrameCache {
    entries: HashMap<FrameKey, (Arc<DisplayFrame>, u64)>,
    bytes: usize,
    budget: usize,
    tick: u64,
}

impl FrameCache {
    /// An empty cache holding at most `budget` bytes of pixels.
    pub fn new(budget: usize) -> Self {
        Self {
            entries: HashMap::new(),
            bytes: 0,
            budget,
            tick: 0,
        }
    }

    /// The frame, marking it recently used.
    pub fn get(&mut self, key: &FrameKey) -> Option<Arc<DisplayFrame>> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(key).map(|(f, t)| {
            *t = tick;
            Arc::clone(f)
        })
    }

    /// True when the frame is cached (does not count as a use).
    pub fn contains(&self, key: &FrameKey) -> bool {
        self.entries.contains_key(key)
    }

    /// Adds a frame, evicting the least recently used ones beyond the budget
    /// (never the frame just added).
    pub fn insert(&mut self, key: FrameKey, frame: Arc<DisplayFrame>) {
        self.tick += 1;
        self.bytes += frame.byte_len();
        if let Some((old, _)) = self.entries.insert(key.clone(), (frame, self.tick)) {
            self.bytes -= old.byte_len();
        }
        while self.bytes > self.budget && self.entries.len() > 1 {
            let Some(oldest) = self
                .entries
                .iter()
                .filter(|(k, _)| **k != key)
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((f, _)) = self.entries.remove(&oldest) {
                self.bytes -= f.byte_len();
            }
        }
    }

    /// Bytes of pixels held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Frames held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Changes the budget (evicts at the next insert).
    pub fn set_budget(&mut self, budget: usize) {
        self.budget = budget;
    }
}

/// Indices of a stack in prefetch order: the current one, then alternately after and before it.
pub fn prefetch_order(current: usize, len: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(len);
    if current < len {
        out.push(current);
    }
    for d in 1..len {
        if current + d < len {
            out.push(current + d);
        }
        if d <= current {
            out.push(current - d);
        }
    }
    out
}

type Notify = Arc<dyn Fn() + Send + Sync>;

struct State {
    queue: VecDeque<FrameKey>,
    in_flight: HashSet<FrameKey>,
    cache: FrameCache,
    errors: HashMap<FrameKey, String>,
    shutdown: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    notify: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked mid-decode leaves consistent data behind: keep going.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Worker threads that decode requested frames into a shared [`FrameCache`].
pub struct FrameLoader {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl FrameLoader {
    /// Starts `threads` workers with a cache of `budget_bytes`; `notify` runs after each frame.
    pub fn new(threads: usize, budget_bytes: usize, notify: Notify) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                in_flight: HashSet::new(),
                cache: FrameCache::new(budget_bytes),
                errors: HashMap::new(),
                shutdown: false,
            }),
            wake: Condvar::new(),
            notify,
        });
        let workers = (0..threads.max(1))
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("lightbox-decode-{i}"))
                    .spawn(move || worker(&shared))
            })
            .filter_map(Result::ok)
            .collect();
        Self { shared, workers }
    }

    /// Replaces the wish list: frames in the order they are wanted.
    pub fn request(&self, keys: Vec<FrameKey>) {
        let mut st = self.shared.lock();
        st.queue = keys
            .into_iter()
            .filter(|k| !st.cache.contains(k) && !st.errors.contains_key(k))
            .collect();
        drop(st);
        self.shared.wake.notify_all();
    }

    /// The frame when decoded.
    pub fn get(&self, key: &FrameKey) -> Option<Arc<DisplayFrame>> {
        self.shared.lock().cache.get(key)
    }

    /// Why the frame could not be decoded, if it could not.
    pub fn error(&self, key: &FrameKey) -> Option<String> {
        self.shared.lock().errors.get(key).cloned()
    }

    /// Bytes and frames held by the cache.
    pub fn cache_usage(&self) -> (usize, usize) {
        let st = self.shared.lock();
        (st.cache.bytes(), st.cache.len())
    }

    /// Changes the cache budget.
    pub fn set_budget(&self, budget_bytes: usize) {
        self.shared.lock().cache.set_budget(budget_bytes);
    }
}

impl Drop for FrameLoader {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn worker(shared: &Shared) {
    // The last file opened: consecutive frames of a multi-frame file parse it once.
    let mut last: Option<(Arc<Path>, Arc<DicomImage>)> = None;
    loop {
        let key = {
            let mut st = shared.lock();
            loop {
                if st.shutdown {
                    return;
                }
                if let Some(k) = st.queue.pop_front() {
                    if st.cache.contains(&k) || st.in_flight.contains(&k) {
                        continue;
                    }
                    st.in_flight.insert(k.clone());
                    break k;
                }
                st = shared
                    .wake
                    .wait(st)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
        };
        let image = match &last {
            Some((p, img)) if *p == key.path => Ok(Arc::clone(img)),
            _ => DicomImage::open(&key.path).map(Arc::new),
        };
        let result = image.and_then(|img| {
            let f = DisplayFrame::decode(&img, key.frame);
            last = Some((Arc::clone(&key.path), img));
            f
        });
        let mut st = shared.lock();
        st.in_flight.remove(&key);
        match result {
            Ok(frame) => st.cache.insert(key, Arc::new(frame)),
            Err(e) => {
                st.errors.insert(key, e.to_string());
            }
        }
        drop(st);
        (shared.notify)();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefetch_alternates_around_the_current_slice() {
        assert_eq!(prefetch_order(2, 5), vec![2, 3, 1, 4, 0]);
        assert_eq!(prefetch_order(0, 3), vec![0, 1, 2]);
        assert_eq!(prefetch_order(4, 5), vec![4, 3, 2, 1, 0]);
        assert!(prefetch_order(0, 0).is_empty());
    }
}
