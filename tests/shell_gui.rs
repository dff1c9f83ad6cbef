//! The viewer's shell driven through its menus, windows and drag-and-drop, as a
//! user would, with egui_kittest: a folder dropped on the window opens; File, Edit,
//! View and Help do what they say (the file dialogs aside: they are the system's);
//! the settings window edits the settings; the shortcuts window lists the keys.
#![cfg(feature = "gui")]

mod common;

use common::gui::{has_label, scroll_and_click, type_at, wait_for};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use lightbox::gui::LightboxApp;
use lightbox::gui::state::Layout;
use lightbox::i18n::Language;

/// True when the widget labelled `label` is disabled.
fn disabled(h: &Harness<'static, LightboxApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().is_disabled()
}

/// Opens a top-level menu and waits for it to show `item`.
fn open_menu(h: &mut Harness<'static, LightboxApp>, menu: &str, item: &str) {
    h.get_by_label(menu).click();
    wait_for(h, item, |h| has_label(h, item));
}

/// A file or folder the system hands over at the end of a drag.
#[derive(Debug)]
struct DroppedPath(std::path::PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Drops `paths` on the window, as the system does at the end of a drag.
fn drop_paths(h: &mut Harness<'static, LightboxApp>, paths: &[std::path::PathBuf]) {
    for p in paths {
        h.input_mut()
            .dropped_files
            .push(std::sync::Arc::new(DroppedPath(p.clone())));
    }
    h.run_steps(2);
}

#[test]
fn menus_windows_and_a_dropped_folder() {
    let runtime = tempfile::Builder::new().prefix("xdg").tempdir().unwrap();
    // SAFETY: set before any other thread of this test binary reads the environment.
    unsafe { std::env::set_var("XDG_RUNTIME_DIR", runtime.path()) };
    let (_dir, root) = common::sample_copy();
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .wgpu()
        .build_eframe(|cc| LightboxApp::new(cc, None, None));
    h.run_steps(2);
    assert!(has_label(&h, "No studies"), "no release open");

    // Without a release the review items of File are disabled.
    open_menu(&mut h, "File", "Export keep-list…");
    for item in [
        "Import keep-list or decisions…",
        "Export keep-list…",
        "Save project as…",
    ] {
        assert!(disabled(&h, item), "{item} is disabled without a release");
    }
    assert!(!disabled(&h, "Open folder…"));
    h.key_press(Key::Escape);
    h.run_steps(2);

    // A dropped file is not a release: nothing opens. A dropped folder opens.
    let file = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "dcm"))
        .expect("a DICOM file in the sample")
        .into_path();
    drop_paths(&mut h, std::slice::from_ref(&file));
    h.run_steps(10);
    assert!(has_label(&h, "No studies"), "a dropped file opens nothing");
    drop_paths(&mut h, &[file, root.clone()]);
    wait_for(&mut h, "the dropped release to open", |h| {
        has_label(h, "0 kept, 0 dropped, 159 undecided") && has_label(h, "CT · chest · R91.1")
    });
    assert_eq!(h.state().state.last_folder.as_deref(), Some(root.as_path()));

    open_menu(&mut h, "File", "Export keep-list…");
    assert!(!disabled(&h, "Export keep-list…"), "enabled with a release");
    h.key_press(Key::Escape);
    h.run_steps(2);

    // Edit ▸ Undo / Redo name the decision and take it back / do it again.
    scroll_and_click(&mut h, "CHEST 5mm BONE");
    wait_for(&mut h, "the bone series", |h| has_label(h, "Slice 1/16"));
    open_menu(&mut h, "Edit", "Undo");
    assert!(
        disabled(&h, "Undo") && disabled(&h, "Redo"),
        "nothing to undo yet"
    );
    h.key_press(Key::Escape);
    h.run_steps(2);
    h.key_press(Key::K);
    wait_for(&mut h, "the series kept", |h| {
        has_label(h, "16 kept, 0 dropped, 143 undecided")
    });
    open_menu(&mut h, "Edit", "Undo —");
    h.get_by_label_contains("Undo —").click();
    wait_for(&mut h, "the keep undone", |h| {
        has_label(h, "0 kept, 0 dropped, 159 undecided")
    });
    open_menu(&mut h, "Edit", "Redo —");
    h.get_by_label_contains("Redo —").click();
    wait_for(&mut h, "the keep redone", |h| {
        has_label(h, "16 kept, 0 dropped, 143 undecided")
    });

    // View: layout, tags panel, overlays, reset view.
    open_menu(&mut h, "View", "Layout 1×2");
    h.get_by_label("Layout 1×2").click();
    h.run_steps(2);
    assert_eq!(h.state().state.layout, Layout::OneByTwo);
    assert!(h.state().state.show_tags && has_label(&h, "Review"));
    open_menu(&mut h, "View", "Show tags");
    h.get_by_label("Show tags").click();
    h.run_steps(2);
    assert!(!h.state().state.show_tags, "the side panel is hidden");
    assert!(!has_label(&h, "Claims"), "its tabs went with it");
    let overlays = h.state().state.show_overlays;
    open_menu(&mut h, "View", "Show overlays");
    h.get_by_label("Show overlays").click();
    h.run_steps(2);
    assert_eq!(h.state().state.show_overlays, !overlays);
    // 1:1 pixels then View ▸ Reset view: the fitted zoom again.
    let zoom = |h: &Harness<'static, LightboxApp>| {
        h.root()
            .query_all_by(|_| true)
            .filter_map(|n| n.value())
            .find(|v| v.starts_with("Zoom "))
    };
    let fitted = zoom(&h).expect("the status bar shows the zoom");
    h.key_press(Key::A);
    wait_for(&mut h, "1:1 pixels", |h| {
        zoom(h).as_deref() == Some("Zoom 100%")
    });
    assert_ne!(fitted, "Zoom 100%", "the fitted zoom is not 1:1");
    open_menu(&mut h, "View", "Reset view");
    h.get_by_label("Reset view").click();
    wait_for(&mut h, "the fitted zoom", |h| {
        zoom(h) == Some(fitted.clone())
    });
    h.key_press(Key::T);
    h.run_steps(2);
    assert!(h.state().state.show_tags, "T shows the side panel again");
    // The DICOM tags tab and its search.
    h.get_by_label("DICOM tags").click();
    wait_for(&mut h, "the tags of the image shown", |h| {
        has_label(h, "(0008,0060)") && has_label(h, "(0010,0010)")
    });
    let search = h
        .query_all_by_role(egui::accesskit::Role::TextInput)
        .map(|n| n.rect().center())
        .find(|c| c.x > 1000.0)
        .expect("the tag search");
    type_at(&mut h, search, "Modality");
    wait_for(&mut h, "the tags filtered", |h| {
        has_label(h, "(0008,0060)") && !has_label(h, "(0010,0010)")
    });
    h.key_press(Key::Escape);
    h.get_by_label("Review").click();
    h.run_steps(2);

    // File ▸ Settings…: reviewer name, language, the presets file, the cache size.
    open_menu(&mut h, "File", "Settings…");
    h.get_by_label("Settings…").click();
    wait_for(&mut h, "the settings window", |h| {
        has_label(h, "Reviewer name")
    });
    assert!(has_label(&h, "Cache size (MiB)"));
    // The working folder is the repository: its presets file is the one in use.
    assert!(has_label(&h, "assets/window-presets.json"));
    assert!(has_label(&h, "Freehand simplification tolerance"));
    // The text field on the row of its label.
    let on_row_of = |h: &Harness<'static, LightboxApp>, label: &str, role| {
        let row = h.get_by_label(label).rect();
        h.query_all_by_role(role)
            .find(|n| (row.min.y..=row.max.y).contains(&n.rect().center().y))
            .map(|n| n.rect().center())
            .unwrap_or_else(|| panic!("no {role:?} beside {label}"))
    };
    let field = on_row_of(&h, "Reviewer name", egui::accesskit::Role::TextInput);
    type_at(&mut h, field, "Dr. Lin");
    h.run_steps(2);
    assert_eq!(h.state().state.reviewer, "Dr. Lin");
    h.get_by_label("繁體中文").click();
    h.run_steps(2);
    assert_eq!(h.state().state.language, Language::TraditionalChinese);
    // The window's title, and so its id, change with the language.
    wait_for(&mut h, "the settings window in Chinese", |h| {
        has_label(h, "設定") && has_label(h, "English")
    });
    h.get_by_label("English").click();
    h.run_steps(2);
    assert_eq!(h.state().state.language, Language::English);
    h.get_by_label("Close window").click();
    wait_for(&mut h, "the settings window to close", |h| {
        !has_label(h, "Reviewer name")
    });

    // Help ▸ Keyboard shortcuts: the key table, as dispatch uses it. The list
    // scrolls inside the window (it used to make the window taller than the screen).
    open_menu(&mut h, "Help", "Keyboard shortcuts");
    h.get_by_label("Keyboard shortcuts").click();
    assert!(!has_label(&h, "Ctrl+Shift+↓ / Ctrl+Shift+↑"));
    wait_for(&mut h, "the shortcuts window", |h| {
        has_label(h, "Keep / drop / undecided: the image shown")
    });
    for text in [
        "Shift+K / Shift+D / Shift+U",
        "Ctrl+Shift+↓ / Ctrl+Shift+↑",
        "Ctrl+Z",
        "Ctrl+Y / Ctrl+Shift+Z",
        "Space",
        "Play cine",
        "Next viewport",
    ] {
        assert!(has_label(&h, text), "the shortcuts window lists {text}");
    }
    let window = h.get_by_label("Keyboard shortcuts").rect();
    assert!(
        window.max.y < 900.0,
        "the window fits the screen: {window:?}"
    );
    h.run_steps(10);
    h.get_by_label("Close window").click();
    wait_for(&mut h, "the shortcuts window to close", |h| {
        !has_label(h, "Ctrl+Shift+↓ / Ctrl+Shift+↑")
    });

    // File ▸ Quit asks the window to close.
    open_menu(&mut h, "File", "Quit");
    h.get_by_label("Quit").click();
    h.step();
    let closing = h
        .output()
        .viewport_output
        .values()
        .any(|v| v.commands.contains(&egui::ViewportCommand::Close));
    assert!(closing, "Quit closes the window");
}
