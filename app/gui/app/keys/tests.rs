//! Every key and modifier, in the contexts that change what keys do, against the
//! table recorded before the key table was rebuilt (issue 13): the dispatch may be
//! reorganised, what a key press does may not change unnoticed.
//!
//! `LIGHTBOX_RECORD_KEYS=1 cargo test --lib keys` rewrites the record; a change to
//! it must be explained in the commit that makes it.

use std::fmt::Write as _;

use egui::{Event, Key, Modifiers};

use super::{KeyContext, commands};
use crate::annotate::LabelSet;
use crate::gui::command::VoiChoice;
use crate::gui::measure_tool::Tool;
use crate::i18n::{Language, Strings};
use crate::presets::Presets;

/// The recorded dispatch.
const RECORD: &str = "tests/data/key-dispatch.txt";

/// Every pair of a context and an event that asks for a command, one per line.
fn dispatch_table() -> String {
    let presets = Presets::bundled();
    let ct = presets.for_modality("CT");
    let labels = LabelSet::default();
    let strings = Strings::for_language(Language::English);
    let file_window = VoiChoice::File(1);
    let contexts = [
        (
            "viewing",
            KeyContext {
                viewport: 1,
                viewports: 4,
                tool: Tool::WindowLevel,
                shape_selected: false,
                voi: Some(&file_window),
                presets: ct,
                labels: Some(&labels),
                cine_fps: 10.0,
                strings,
            },
        ),
        (
            "editing a selected shape",
            KeyContext {
                viewport: 0,
                viewports: 1,
                tool: Tool::EditShapes,
                shape_selected: true,
                voi: None,
                presets: ct,
                labels: Some(&labels),
                cine_fps: 60.0,
                strings,
            },
        ),
        (
            "drawing without a review",
            KeyContext {
                viewport: 0,
                viewports: 2,
                tool: Tool::AnnotatePolygon,
                shape_selected: false,
                voi: None,
                presets: &[],
                labels: None,
                cine_fps: 1.0,
                strings,
            },
        ),
    ];
    let modifiers = [
        ("", Modifiers::NONE),
        ("Shift+", Modifiers::SHIFT),
        ("Ctrl+", Modifiers::CTRL),
        ("Cmd+", Modifiers::COMMAND),
        ("Ctrl+Shift+", Modifiers::CTRL | Modifiers::SHIFT),
        ("Alt+", Modifiers::ALT),
        ("Alt+Shift+", Modifiers::ALT | Modifiers::SHIFT),
    ];
    let mut events: Vec<(String, Event)> = Vec::new();
    for key in Key::ALL {
        for (name, m) in modifiers {
            let event = Event::Key {
                key: *key,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: m,
            };
            events.push((format!("{name}{}", key.name()), event));
        }
    }
    events.push(("Copy".into(), Event::Copy));
    events.push(("Paste".into(), Event::Paste("clip".into())));
    let mut out = String::new();
    for (context, cx) in &contexts {
        for (name, event) in &events {
            let produced = commands(std::slice::from_ref(event), cx);
            if !produced.is_empty() {
                let _ = writeln!(out, "{context} | {name} | {produced:?}");
            }
        }
    }
    out
}

#[test]
fn every_key_does_what_it_did_before_the_key_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(RECORD);
    let table = dispatch_table();
    if std::env::var_os("LIGHTBOX_RECORD_KEYS").is_some() {
        std::fs::write(&path, &table).expect("write the record");
    }
    let recorded = std::fs::read_to_string(&path).expect("the recorded dispatch");
    // Not vacuous: keys with and without each modifier act in each context.
    for line in [
        "viewing | K | [DecideSelected(Keep)]",
        "viewing | Shift+K | [DecideCurrentImage(Keep)]",
        "viewing | Ctrl+Z | [Undo]",
        "editing a selected shape | Escape | [SelectShape(None)]",
        "viewing | Ctrl+Shift+P | [ShowWindow { window: Pacs, open: true }]",
    ] {
        assert!(recorded.contains(line), "the record holds {line}");
    }
    if table != recorded {
        let changed: Vec<String> = diff(&recorded, &table);
        panic!(
            "key dispatch differs from {RECORD} ({} lines):\n{}",
            changed.len(),
            changed.join("\n")
        );
    }
}

/// Lines only one of the two texts holds, marked `-` (recorded) or `+` (now).
fn diff(recorded: &str, now: &str) -> Vec<String> {
    let old: std::collections::HashSet<&str> = recorded.lines().collect();
    let new: std::collections::HashSet<&str> = now.lines().collect();
    let mut out: Vec<String> = recorded
        .lines()
        .filter(|l| !new.contains(l))
        .map(|l| format!("- {l}"))
        .collect();
    out.extend(
        now.lines()
            .filter(|l| !old.contains(l))
            .map(|l| format!("+ {l}")),
    );
    out
}

#[test]
fn the_shortcuts_window_writes_every_binding_of_the_table() {
    let lines = super::shortcut_lines();
    assert_eq!(lines.len(), super::ROWS.len() + super::POINTER_ROWS.len());
    for (row, (text, help)) in super::ROWS.iter().zip(&lines) {
        assert_eq!(row.help, *help);
        for b in row.bindings {
            if let super::Trigger::Key(k, mods) = b.trigger {
                let written = format!("{}{}", mods.prefix(), super::key_name(k));
                // A run of digits is written "1 … 7": its ends are there.
                let digit = super::key_name(k).chars().all(|c| c.is_ascii_digit());
                assert!(
                    text.contains(&written) || digit && text.contains('…'),
                    "{text:?} lacks {written:?}"
                );
            }
        }
    }
    let find = |help: &str| {
        lines
            .iter()
            .find(|(_, h)| *h == help)
            .map(|(t, _)| t.as_str())
    };
    assert_eq!(find("preset.title"), Some("1 … 7"));
    assert_eq!(find("menu.edit.redo"), Some("Ctrl+Y / Ctrl+Shift+Z"));
    assert_eq!(
        find("shortcuts.decide_image"),
        Some("Shift+K / Shift+D / Shift+U")
    );
}

#[test]
fn every_line_of_the_shortcuts_window_has_its_text_in_both_languages() {
    for language in [Language::English, Language::TraditionalChinese] {
        let s = Strings::for_language(language);
        for (keys, help) in super::shortcut_lines() {
            assert!(
                s.try_get(help).is_some(),
                "{language:?} lacks {help} ({keys})"
            );
        }
    }
}

#[test]
fn every_tool_button_names_its_key_from_the_table() {
    let hints: Vec<String> = Tool::ALL
        .iter()
        .chain(&Tool::ANNOTATION)
        .map(|(t, _)| super::keys_of(super::Action::Tool(*t)))
        .collect();
    assert_eq!(
        hints,
        [
            "W", "M", "G", "E", "B", "X", "S", "Q", "Shift+Q", "Shift+B", "Shift+E", "C",
            "Shift+G", "Shift+W", "Shift+F", "J", "Shift+J"
        ]
    );
    assert_eq!(super::keys_of(super::Action::Undo), "Ctrl+Z");
    assert_eq!(super::keys_of(super::Action::Delete), "Delete / Backspace");
    // File ▸ PACS… writes its key from the table too.
    assert_eq!(super::keys_of(super::Action::Pacs), "Ctrl+Shift+P");
}
