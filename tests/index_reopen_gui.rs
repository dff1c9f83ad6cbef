//! Reopening a cached release in the viewer (issue 17): the cached index shows at
//! once, the browser says it is checking the files while the check runs, and the
//! check's update (a file deleted since the last scan) replaces the index.
#![cfg(feature = "gui")]

mod common;

use common::gui::{has_label, wait_for};
use egui_kittest::Harness;
use lightbox::gui::LightboxApp;
use lightbox::index::{Index, ScanOptions};

#[test]
fn a_cached_release_shows_at_once_then_the_check_note_and_its_update() {
    let runtime = tempfile::Builder::new().prefix("xdg").tempdir().unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    // SAFETY: set before any other thread of this test binary reads the environment.
    unsafe {
        std::env::set_var("XDG_RUNTIME_DIR", runtime.path());
        std::env::set_var("LIGHTBOX_CACHE_DIR", cache_dir.path());
    }
    let (_dir, root) = common::sample_copy();
    // The last scan, in the cache the viewer uses.
    let first = Index::open(&root, &ScanOptions::default(), &|_| {}).unwrap();
    let deleted = first.instances().next().unwrap().path.clone();
    std::fs::remove_file(&deleted).unwrap();

    // The check rewrites the cache when it finds a change: holding the cache's write
    // lock keeps the check (and its note) running until the test has seen the note.
    let cache = std::fs::read_dir(cache_dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "sqlite"))
        .expect("the cache file");
    let lock = rusqlite::Connection::open(&cache).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();

    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .wgpu()
        .build_eframe(move |cc| LightboxApp::new(cc, Some(root), None));
    // The cached index (159 images, the deleted one included) and the note.
    wait_for(&mut h, "the cached index and the check's note", |h| {
        has_label(h, "0 kept, 0 dropped, 159 undecided")
            && has_label(h, "Checking 162 files for changes")
    });
    lock.execute_batch("COMMIT").unwrap();
    drop(lock);
    // The check's update: the deleted file is gone, and so is the note.
    wait_for(&mut h, "the updated index without the note", |h| {
        has_label(h, "0 kept, 0 dropped, 158 undecided")
            && !has_label(h, "Checking 162 files for changes")
    });
}
