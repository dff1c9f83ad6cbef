//! The viewer's keys: what each key press does, given what the viewer shows.
//!
//! A pure function of the key events and a [`KeyContext`], so it is tested without
//! a window.

use egui::{Event, Key};

use crate::annotate::LabelSet;
use crate::gui::annotate_ui::ShapeEdit;
use crate::gui::command::{Command, VoiChoice};
use crate::gui::measure_tool::Tool;
use crate::i18n::Strings;
use crate::presets::Preset;
use crate::review::Decision;
use crate::window::Window;

/// What the keys act on: the active viewport and what it shows.
pub struct KeyContext<'a> {
    /// The active viewport.
    pub viewport: usize,
    /// How many viewports the layout shows.
    pub viewports: usize,
    /// What a left drag does now.
    pub tool: Tool,
    /// True when a shape is selected.
    pub shape_selected: bool,
    /// The active viewport's VOI.
    pub voi: Option<&'a VoiChoice>,
    /// The window presets of the active viewport's modality.
    pub presets: &'a [Preset],
    /// The project's annotation labels (`None` before the review opens).
    pub labels: Option<&'a LabelSet>,
    /// The cine speed.
    pub cine_fps: f32,
    /// The strings of the UI language.
    pub strings: &'static Strings,
}

/// The commands the key events of one frame ask for.
pub fn commands(events: &[Event], cx: &KeyContext<'_>) -> Vec<Command> {
    let v = cx.viewport;
    let mut out = Vec::new();
    // The modifiers held when `k` went down, read from the key event itself: a
    // quick Shift+K can be released again before the frame reads `i.modifiers`.
    let press = |k: Key| {
        events.iter().find_map(|e| match e {
            Event::Key {
                key,
                pressed: true,
                modifiers,
                ..
            } if *key == k => Some(*modifiers),
            _ => None,
        })
    };
    let with_command = |k: Key| press(k).is_some_and(|m| m.ctrl || m.command);
    // Plain keys (Shift allowed): no Ctrl, Cmd or Alt.
    let pressed = |k: Key| press(k).is_some_and(|m| !m.ctrl && !m.command && !m.alt);
    for (k, d) in [
        (Key::ArrowDown, 1),
        (Key::ArrowRight, 1),
        (Key::ArrowUp, -1),
        (Key::ArrowLeft, -1),
        (Key::PageDown, 10),
        (Key::PageUp, -10),
    ] {
        if pressed(k) {
            out.push(Command::Scroll {
                viewport: v,
                delta: d,
            });
        }
    }
    if pressed(Key::Home) {
        out.push(Command::ScrollToEnd {
            viewport: v,
            last: false,
        });
    }
    if pressed(Key::End) {
        out.push(Command::ScrollToEnd {
            viewport: v,
            last: true,
        });
    }
    let digits = [
        Key::Num1,
        Key::Num2,
        Key::Num3,
        Key::Num4,
        Key::Num5,
        Key::Num6,
        Key::Num7,
    ];
    let annotating = cx.tool.is_annotation();
    if annotating {
        out.extend(label_hotkeys(events, cx));
    }
    for (k, p) in digits.iter().zip(cx.presets) {
        if pressed(*k) && !annotating {
            out.push(Command::SetVoi {
                viewport: v,
                voi: VoiChoice::Window(Window {
                    center: p.center,
                    width: p.width,
                    function: Default::default(),
                }),
                label: cx
                    .strings
                    .try_get(&format!("preset.{}", p.name))
                    .unwrap_or(&p.name)
                    .to_owned(),
            });
        }
    }
    let s = cx.strings;
    if pressed(Key::Num8) && !annotating {
        let next = match cx.voi {
            Some(VoiChoice::File(n)) => n + 1,
            _ => 0,
        };
        out.push(Command::SetVoi {
            viewport: v,
            voi: VoiChoice::File(next),
            label: s.format("preset.file_window_n", &[("n", &(next + 1).to_string())]),
        });
    }
    if pressed(Key::Num9) && !annotating {
        out.push(Command::SetVoi {
            viewport: v,
            voi: VoiChoice::AutoMinMax,
            label: s.get("preset.auto_min_max").to_owned(),
        });
    }
    if pressed(Key::Num0) && !annotating {
        out.push(Command::SetVoi {
            viewport: v,
            voi: VoiChoice::AutoPercentile,
            label: s.get("preset.auto_percentile").to_owned(),
        });
    }
    if with_command(Key::Z) {
        out.push(if press(Key::Z).is_some_and(|m| m.shift) {
            Command::Redo
        } else {
            Command::Undo
        });
    }
    if with_command(Key::Y) {
        out.push(Command::Redo);
    }
    // Ctrl+arrows walk the browser tree; plain arrows stay with the stack.
    for (key, command) in [
        (Key::ArrowDown, Command::StepNode(1)),
        (Key::ArrowUp, Command::StepNode(-1)),
        (Key::ArrowLeft, Command::SelectParent),
        (Key::ArrowRight, Command::SelectChild),
    ] {
        if with_command(key) && !press(key).is_some_and(|m| m.shift) {
            out.push(command);
        }
    }
    // Ctrl+Shift+↓/↑ copies the selected shape to the next/previous slice.
    for (key, delta) in [(Key::ArrowDown, 1), (Key::ArrowUp, -1)] {
        if with_command(key) && press(key).is_some_and(|m| m.shift) {
            out.push(Command::PropagateShape { viewport: v, delta });
        }
    }
    // Copy and paste: egui turns Ctrl+C / Ctrl+V into Copy / Paste events
    // (the paste carrying the system clipboard's text, when there is any).
    let paste = events.iter().find_map(|e| match e {
        Event::Paste(text) => Some(text.clone()),
        _ => None,
    });
    if events.iter().any(|e| matches!(e, Event::Copy)) || with_command(Key::C) {
        out.push(Command::CopyShape);
    }
    if paste.is_some() || with_command(Key::V) {
        out.push(Command::PasteShape {
            viewport: v,
            text: paste,
        });
    }
    for (k, c) in [
        (Key::R, Command::Reset(v)),
        (Key::I, Command::Invert(v)),
        (Key::F, Command::Fit(v)),
        (Key::A, Command::ActualPixels(v)),
        (
            Key::OpenBracket,
            Command::Rotate {
                viewport: v,
                quarter_turns: -1,
            },
        ),
        (
            Key::CloseBracket,
            Command::Rotate {
                viewport: v,
                quarter_turns: 1,
            },
        ),
        (
            Key::H,
            Command::Flip {
                viewport: v,
                horizontal: true,
            },
        ),
        (
            Key::V,
            Command::Flip {
                viewport: v,
                horizontal: false,
            },
        ),
        (Key::Space, Command::ToggleCine(v)),
        (Key::T, Command::ToggleTags),
        (Key::O, Command::ToggleOverlays),
        (Key::L, Command::ToggleLinkedScrolling),
        (Key::W, Command::SetTool(Tool::WindowLevel)),
        (Key::M, Command::SetTool(Tool::Distance)),
        (Key::G, Command::SetTool(Tool::Angle)),
        (Key::X, Command::SetTool(Tool::Probe)),
        (Key::S, Command::SetTool(Tool::EditShapes)),
        (Key::C, Command::SetTool(Tool::AnnotatePoint)),
        (Key::Delete, Command::DeleteSelection(v)),
        (Key::Backspace, Command::DeleteSelection(v)),
    ] {
        if pressed(k) {
            out.push(c);
        }
    }
    // Shift picks the annotation twin of a measuring tool.
    for (k, plain, shifted) in [
        (Key::E, Tool::Ellipse, Tool::AnnotateEllipse),
        (Key::B, Tool::Rectangle, Tool::AnnotateRectangle),
        (Key::Q, Tool::AnnotatePolygon, Tool::AnnotateFreehand),
    ] {
        if let Some(m) = press(k).filter(|m| !m.ctrl && !m.command && !m.alt) {
            out.push(Command::SetTool(if m.shift { shifted } else { plain }));
        }
    }
    if pressed(Key::Escape) && cx.shape_selected {
        out.push(Command::SelectShape(None));
    }
    // Review: K/D/U decide the selected node, Shift+K/D/U the image shown;
    // N/P jump to the next or previous study with undecided images.
    for (key, decision) in [
        (Key::K, Decision::Keep),
        (Key::D, Decision::Drop),
        (Key::U, Decision::Undecided),
    ] {
        if pressed(key) {
            out.push(if press(key).is_some_and(|m| m.shift) {
                Command::DecideCurrentImage(decision)
            } else {
                Command::DecideSelected(decision)
            });
        }
    }
    // Y / Shift+Y accept / reject the suggestions about the selection.
    if let Some(m) = press(Key::Y).filter(|m| !m.ctrl && !m.command && !m.alt) {
        out.push(Command::ReviewSelectedSuggestions(!m.shift));
    }
    if pressed(Key::N) {
        out.push(Command::NextUndecided(1));
    }
    if pressed(Key::P) {
        out.push(Command::NextUndecided(-1));
    }
    if pressed(Key::Tab) {
        out.push(Command::Activate((v + 1) % cx.viewports));
    }
    if pressed(Key::Plus) || pressed(Key::Equals) {
        out.push(Command::SetCineFps(cx.cine_fps + 1.0));
    }
    if pressed(Key::Minus) {
        out.push(Command::SetCineFps(cx.cine_fps - 1.0));
    }
    out
}

/// Label hotkeys (digits) while an annotation tool is active: they pick the label
/// new shapes get, and relabel the selected shape.
fn label_hotkeys(events: &[Event], cx: &KeyContext<'_>) -> Vec<Command> {
    let Some(labels) = cx.labels else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for event in events {
        let Event::Key {
            key,
            pressed: true,
            modifiers,
            ..
        } = event
        else {
            continue;
        };
        if modifiers.ctrl || modifiers.command || modifiers.alt {
            continue;
        }
        let Some(digit) = key.name().chars().next().filter(char::is_ascii_digit) else {
            continue;
        };
        if let Some(label) = labels.by_hotkey(digit) {
            out.push(Command::SetDrawLabel(label.name.clone()));
            if cx.tool == Tool::EditShapes && cx.shape_selected {
                out.push(Command::EditSelectedShape(ShapeEdit::SetLabel(
                    label.name.clone(),
                )));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
