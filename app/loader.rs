//! Decoding frames on worker threads into a bounded LRU cache.
//!
//! The viewer never decodes on the UI thread: it tells the loader which frames it
//! wants, nearest to the current slice first, and reads whatever is ready. The
//! cache is bounded in bytes (default 2 GiB) and evicts the least recently used
//! frame. The loader knows nothing about egui: it calls a `notify` closure when a
//! frame is ready (the viewer passes `request_repaint`).
//!
//! The cache bound says nothing about decodes in progress: eight workers decoding
//! eight huge frames at once hold eight parsed files and eight sets of decoded
//! samples. So the workers also share a decode budget ([`DEFAULT_DECODE_BUDGET_BYTES`]):
//! before opening a file a worker reserves its size, before decoding the frame's
//! working memory ([`decode_cost_bytes`]), and waits while the reservations of the
//! others leave no room (one decode always proceeds, so a frame larger than the
//! budget still loads, alone).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::display_frame::DisplayFrame;
use crate::pixel::DicomImage;
use crate::pixel::desc::PixelDescription;

/// Default memory for decodes in flight, over all workers: 1 GiB.
pub const DEFAULT_DECODE_BUDGET_BYTES: usize = 1 << 30;

/// Working bytes per decoded sample: 4 for the decoded value, up to 4 for the compact
/// copy, 8 for the statistics' modality values.
const WORKING_BYTES_PER_SAMPLE: usize = 16;

/// Memory one frame's decode needs beyond the parsed file.
pub fn decode_cost_bytes(desc: &PixelDescription) -> usize {
    desc.pixels_per_frame() * usize::from(desc.samples_per_pixel) * WORKING_BYTES_PER_SAMPLE
}

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
    /// Bytes reserved by decodes in progress.
    decoding_bytes: usize,
    /// The most bytes decodes in progress may reserve together.
    decode_budget: usize,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// Signalled when decode reservations are released.
    budget_freed: Condvar,
    notify: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked mid-decode leaves consistent data behind: keep going.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until `bytes` fit the decode budget (or nothing else is decoding), then
    /// reserves them.
    fn reserve(&self, bytes: usize) {
        let mut st = self.lock();
        while st.decoding_bytes > 0 && st.decoding_bytes + bytes > st.decode_budget && !st.shutdown
        {
            st = self
                .budget_freed
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        st.decoding_bytes += bytes;
    }

    /// Gives back a reservation.
    fn release(&self, bytes: usize) {
        let mut st = self.lock();
        st.decoding_bytes = st.decoding_bytes.saturating_sub(bytes);
        drop(st);
        self.budget_freed.notify_all();
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
                decoding_bytes: 0,
                decode_budget: DEFAULT_DECODE_BUDGET_BYTES,
            }),
            wake: Condvar::new(),
            budget_freed: Condvar::new(),
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

    /// Changes the memory budget of decodes in flight (see the module doc).
    pub fn set_decode_budget(&self, budget_bytes: usize) {
        self.shared.lock().decode_budget = budget_bytes;
        self.shared.budget_freed.notify_all();
    }
}

impl Drop for FrameLoader {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_all();
        self.shared.budget_freed.notify_all();
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
        let reused = last.as_ref().filter(|(p, _)| *p == key.path);
        // The parsed file holds about its size (Pixel Data included).
        let file_bytes = match reused {
            Some(_) => 0,
            None => std::fs::metadata(&key.path).map_or(0, |m| m.len() as usize),
        };
        shared.reserve(file_bytes);
        let image = match reused {
            Some((_, img)) => Ok(Arc::clone(img)),
            None => {
                last = None; // let the previous file go before reading the next
                DicomImage::open(&key.path).map(Arc::new)
            }
        };
        let decode_bytes = image.as_ref().map_or(0, |img| decode_cost_bytes(&img.desc));
        // Re-reserve the whole in one step, so two workers never wait on each other's halves.
        shared.release(file_bytes);
        shared.reserve(file_bytes + decode_bytes);
        let result = image.and_then(|img| {
            let f = DisplayFrame::decode(&img, key.frame);
            last = Some((Arc::clone(&key.path), img));
            f
        });
        shared.release(file_bytes + decode_bytes);
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
    fn decode_reservations_wait_for_room_but_one_always_proceeds() {
        let loader = FrameLoader::new(1, 1 << 20, Arc::new(|| {}));
        loader.set_decode_budget(100);
        let shared = Arc::clone(&loader.shared);
        shared.reserve(250); // alone: over the budget, proceeds
        let waiter = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                shared.reserve(60);
                let held = shared.lock().decoding_bytes;
                shared.release(60);
                held
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!waiter.is_finished(), "60 more bytes do not fit beside 250");
        shared.release(250);
        assert_eq!(
            waiter.join().unwrap(),
            60,
            "reserved once the first was released"
        );
        assert_eq!(shared.lock().decoding_bytes, 0);
    }

    #[test]
    fn prefetch_alternates_around_the_current_slice() {
        assert_eq!(prefetch_order(2, 5), vec![2, 3, 1, 4, 0]);
        assert_eq!(prefetch_order(0, 3), vec![0, 1, 2]);
        assert_eq!(prefetch_order(4, 5), vec![4, 3, 2, 1, 0]);
        assert!(prefetch_order(0, 0).is_empty());
    }
}
