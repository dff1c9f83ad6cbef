//! The shapes of a project in memory, findable by id and by frame.
//!
//! The viewer asks "what is on this frame" every frame it paints, so shapes are
//! indexed by [`ImageKey`]; ids are unique across the project.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{ImageKey, Shape};

/// The next [`Annotations::revision`]: one counter for every collection in the
/// process, so two collections with different shapes never share a revision.
static NEXT_REVISION: AtomicU64 = AtomicU64::new(1);

/// Every shape of a project.
#[derive(Debug, Default, Clone)]
pub struct Annotations {
    by_id: BTreeMap<String, Shape>,
    by_frame: HashMap<ImageKey, BTreeSet<String>>,
    revision: u64,
}

impl Annotations {
    /// The collection of `shapes` (a later shape with an id already seen wins).
    pub fn from_shapes(shapes: impl IntoIterator<Item = Shape>) -> Self {
        let mut out = Self::default();
        for shape in shapes {
            out.set(&shape.id.clone(), Some(shape));
        }
        out
    }

    /// Sets (or with `None` removes) the shape with id `id`.
    pub fn set(&mut self, id: &str, shape: Option<Shape>) {
        self.revision = NEXT_REVISION.fetch_add(1, Ordering::Relaxed);
        if let Some(old) = self.by_id.remove(id) {
            let key = old.image.key();
            if let Some(ids) = self.by_frame.get_mut(&key) {
                ids.remove(id);
                if ids.is_empty() {
                    self.by_frame.remove(&key);
                }
            }
        }
        if let Some(shape) = shape {
            self.by_frame
                .entry(shape.image.key())
                .or_default()
                .insert(id.to_owned());
            self.by_id.insert(id.to_owned(), shape);
        }
    }

    /// Changes whenever a shape is set or removed, and differs between collections
    /// that were changed apart: what the viewer keys its cached drawing of the shapes
    /// by, instead of comparing every vertex every frame. 0 for an empty new collection.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The shape with this id.
    pub fn get(&self, id: &str) -> Option<&Shape> {
        self.by_id.get(id)
    }

    /// The shapes on one frame, by id order.
    pub fn on_frame<'a>(&'a self, key: &ImageKey) -> impl Iterator<Item = &'a Shape> + 'a {
        self.by_frame
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
    }

    /// The number of shapes on one frame.
    pub fn count_on_frame(&self, key: &ImageKey) -> usize {
        self.by_frame.get(key).map_or(0, BTreeSet::len)
    }

    /// Every shape, by id order.
    pub fn iter(&self) -> impl Iterator<Item = &Shape> {
        self.by_id.values()
    }

    /// The number of shapes.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when there are no shapes.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
