//! The viewer's keys: one declarative table ([`ROWS`]) that both dispatches key
//! presses and fills Help ▸ Keyboard shortcuts, so the two can never disagree.
//!
//! A row is one line of the shortcuts window: an action's help text and the key
//! bindings that do it. Dispatch is a pure function of the frame's key events and a
//! [`KeyContext`] (what the active viewport shows), tested without a window against
//! the dispatch recorded before the table existed (`keys/tests.rs`).
//!
//! Keys the viewport handles itself while the pointer is on it (mouse buttons,
//! Enter/Esc while drawing) are listed in [`POINTER_ROWS`] for the window only.

mod table;

use egui::{Event, Key, Modifiers};

use crate::annotate::LabelSet;
use crate::gui::annotate_ui::ShapeEdit;
use crate::gui::command::{Command, VoiChoice, WindowKind};
use crate::gui::measure_tool::Tool;
use crate::gui::mpr_ui::MprCommand;
use crate::i18n::Strings;
use crate::presets::Preset;
use crate::review::Decision;
use crate::window::Window;

use Action as A;
use Key as K;

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

/// The modifiers a binding asks for. Ctrl is Cmd on a Mac.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mods {
    /// No Ctrl or Alt; Shift either way.
    Plain,
    /// No Ctrl, Alt or Shift.
    Bare,
    /// Shift, without Ctrl or Alt.
    Shift,
    /// Ctrl, with or without Shift (and Alt).
    Ctrl,
    /// Ctrl without Shift.
    CtrlBare,
    /// Ctrl and Shift.
    CtrlShift,
}

impl Mods {
    /// True when `m`, held as the key went down, is what the binding asks for.
    fn accept(self, m: Modifiers) -> bool {
        let ctrl = m.ctrl || m.command;
        let plain = !ctrl && !m.alt;
        match self {
            Mods::Plain => plain,
            Mods::Bare => plain && !m.shift,
            Mods::Shift => plain && m.shift,
            Mods::Ctrl => ctrl,
            Mods::CtrlBare => ctrl && !m.shift,
            Mods::CtrlShift => ctrl && m.shift,
        }
    }

    /// How the shortcuts window writes the modifiers before a key.
    fn prefix(self) -> &'static str {
        match self {
            Mods::Plain | Mods::Bare => "",
            Mods::Shift => "Shift+",
            Mods::Ctrl | Mods::CtrlBare => "Ctrl+",
            Mods::CtrlShift => "Ctrl+Shift+",
        }
    }
}

/// What starts a binding: a key, or the Copy / Paste event egui makes of the
/// system's copy and paste (Ctrl+C / Ctrl+V, the Edit menu of a remote session).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A key going down, with [`Mods`].
    Key(Key, Mods),
    /// egui's Copy event.
    CopyEvent,
    /// egui's Paste event (with the clipboard's text).
    PasteEvent,
}

/// When a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Always.
    Always,
    /// While a measuring tool (not an annotation tool) is active.
    Viewing,
    /// While an annotation tool is active.
    Annotating,
    /// While a shape is selected.
    ShapeSelected,
    /// While the grow-from-seeds tool is active.
    Seeding,
}

/// What a binding does; [`Action::commands`] makes the commands in a context.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    /// Move through the stack.
    Scroll(i64),
    /// First (false) or last (true) image.
    ScrollToEnd(bool),
    /// The n-th window preset of the modality.
    Preset(usize),
    /// The file's next window.
    FileWindow,
    /// Minimum to maximum.
    AutoMinMax,
    /// 1st to 99th percentile.
    AutoPercentile,
    /// The label with this hotkey, for new shapes and the selected one.
    Label(char),
    /// Undo the last decision or shape change.
    Undo,
    /// Redo it.
    Redo,
    /// Walk the browser tree.
    StepNode(i32),
    /// The selected series' study, or collapse the study.
    SelectParent,
    /// Expand the study and select its first series.
    SelectChild,
    /// Copy the selected shape to the next (1) or previous (-1) slice.
    Propagate(i64),
    /// Copy the selected shape.
    Copy,
    /// Paste a shape.
    Paste,
    /// Back to the file's window, fit, no rotation.
    Reset,
    /// Invert.
    Invert,
    /// Fit to the viewport.
    Fit,
    /// One image pixel per screen pixel.
    ActualPixels,
    /// Rotate by quarter turns.
    Rotate(i32),
    /// Mirror left↔right (true) or top↔bottom.
    Flip(bool),
    /// Start or stop cine.
    Cine,
    /// Faster (1) or slower (-1) cine.
    CineSpeed(i32),
    /// Show or hide the side panel.
    Tags,
    /// Show or hide the overlays.
    Overlays,
    /// Link scrolling.
    Linked,
    /// Pick a tool.
    Tool(Tool),
    /// Delete the selected vertex or shape, else the newest measurement.
    Delete,
    /// Select no shape.
    Deselect,
    /// Decide the selected node.
    DecideSelected(Decision),
    /// Decide the image shown.
    DecideImage(Decision),
    /// Accept (true) or reject the suggestions about the selection.
    Suggestions(bool),
    /// The next (1) or previous (-1) study with undecided images.
    NextUndecided(i32),
    /// Make the next viewport the active one.
    NextViewport,
    /// Fill the frames between the outlines of the label on the series.
    FillBetween,
    /// Store grow-from-seeds' proposal as shapes.
    AcceptSeeds,
    /// Clear grow-from-seeds' strokes and proposal.
    ClearSeeds,
    /// Open the PACS window.
    Pacs,
    /// MPR on or off.
    Mpr,
    /// Compare with the prior study.
    Prior,
    /// Link the viewports here (registration).
    LinkHere,
    /// Lay out the study by its hanging protocol.
    Hanging,
}

/// One binding: what starts it, when it applies, what it does.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The key (with modifiers) or event.
    pub trigger: Trigger,
    /// When it applies.
    pub when: When,
    /// What it does.
    pub action: Action,
}

/// One line of the shortcuts window: the help text's i18n key and its bindings.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The i18n key of what the bindings do.
    pub help: &'static str,
    /// The bindings, in the order they are written.
    pub bindings: &'static [Binding],
}

pub use table::ROWS;

/// What the viewport does with the pointer and while drawing (handled there, not
/// here): key text and the i18n key of the action, for the shortcuts window.
pub const POINTER_ROWS: &[(&str, &str)] = &[
    ("Mouse L / R / M", "shortcuts.pointer"),
    ("Enter / Esc", "annotate.close_cancel"),
    ("Shift + drag", "segment.widen"),
    ("Shift + click", "shortcuts.cursor_3d"),
];

/// The commands the key events of one frame ask for. An action runs once a frame
/// however many of its row's bindings fired (Ctrl+C arrives as a key and a Copy event).
#[must_use]
pub fn commands(events: &[Event], cx: &KeyContext<'_>) -> Vec<Command> {
    // The clipboard's text a paste brings (also for Ctrl+V), read once.
    let paste = events.iter().find_map(|e| match e {
        Event::Paste(text) => Some(text.clone()),
        _ => None,
    });
    let mut out = Vec::new();
    for row in ROWS {
        let mut done: Vec<Action> = Vec::new();
        for b in row.bindings {
            if done.contains(&b.action) || !applies(b.when, cx) {
                continue;
            }
            if fired(b.trigger, events) {
                done.push(b.action);
                out.extend(b.action.commands(cx, paste.clone()));
            }
        }
    }
    out
}

/// Whether a binding's condition holds.
fn applies(when: When, cx: &KeyContext<'_>) -> bool {
    match when {
        When::Always => true,
        When::Viewing => !cx.tool.is_annotation(),
        When::Annotating => cx.tool.is_annotation(),
        When::ShapeSelected => cx.shape_selected,
        When::Seeding => cx.tool == Tool::AnnotateSeeds,
    }
}

/// True when the trigger is among the frame's events.
fn fired(trigger: Trigger, events: &[Event]) -> bool {
    match trigger {
        // The modifiers held when the key went down, read from the key event itself:
        // a quick Shift+K can be released again before the frame reads `i.modifiers`.
        Trigger::Key(k, mods) => events
            .iter()
            .find_map(|e| match e {
                Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } if *key == k => Some(*modifiers),
                _ => None,
            })
            .is_some_and(|m| mods.accept(m)),
        Trigger::CopyEvent => events.iter().any(|e| matches!(e, Event::Copy)),
        Trigger::PasteEvent => events.iter().any(|e| matches!(e, Event::Paste(_))),
    }
}

impl Action {
    /// The commands the action makes in a context (`paste`: the clipboard's text).
    fn commands(self, cx: &KeyContext<'_>, paste: Option<String>) -> Vec<Command> {
        let v = cx.viewport;
        let s = cx.strings;
        let one = match self {
            A::Scroll(delta) => Command::Scroll { viewport: v, delta },
            A::ScrollToEnd(last) => Command::ScrollToEnd { viewport: v, last },
            A::Preset(n) => return preset(cx, n).into_iter().collect(),
            A::FileWindow => {
                let next = match cx.voi {
                    Some(VoiChoice::File(n)) => n + 1,
                    _ => 0,
                };
                Command::SetVoi {
                    viewport: v,
                    voi: VoiChoice::File(next),
                    label: s.format("preset.file_window_n", &[("n", &(next + 1).to_string())]),
                }
            }
            A::AutoMinMax => Command::SetVoi {
                viewport: v,
                voi: VoiChoice::AutoMinMax,
                label: s.get("preset.auto_min_max").to_owned(),
            },
            A::AutoPercentile => Command::SetVoi {
                viewport: v,
                voi: VoiChoice::AutoPercentile,
                label: s.get("preset.auto_percentile").to_owned(),
            },
            A::Label(digit) => return label_commands(cx, digit),
            A::Undo => Command::Undo,
            A::Redo => Command::Redo,
            A::StepNode(delta) => Command::StepNode(delta),
            A::SelectParent => Command::SelectParent,
            A::SelectChild => Command::SelectChild,
            A::Propagate(delta) => Command::PropagateShape { viewport: v, delta },
            A::Copy => Command::CopyShape,
            A::Paste => Command::PasteShape {
                viewport: v,
                text: paste,
            },
            A::Reset => Command::Reset(v),
            A::Invert => Command::Invert(v),
            A::Fit => Command::Fit(v),
            A::ActualPixels => Command::ActualPixels(v),
            A::Rotate(quarter_turns) => Command::Rotate {
                viewport: v,
                quarter_turns,
            },
            A::Flip(horizontal) => Command::Flip {
                viewport: v,
                horizontal,
            },
            A::Cine => Command::ToggleCine(v),
            A::CineSpeed(step) => Command::SetCineFps(cx.cine_fps + step as f32),
            A::Tags => Command::ToggleTags,
            A::Overlays => Command::ToggleOverlays,
            A::Linked => Command::ToggleLinkedScrolling,
            A::Tool(t) => Command::SetTool(t),
            A::Delete => Command::DeleteSelection(v),
            A::Deselect => Command::SelectShape(None),
            A::DecideSelected(d) => Command::DecideSelected(d),
            A::DecideImage(d) => Command::DecideCurrentImage(d),
            A::Suggestions(accept) => Command::ReviewSelectedSuggestions(accept),
            A::NextUndecided(delta) => Command::NextUndecided(delta),
            A::NextViewport => Command::Activate((v + 1) % cx.viewports.max(1)),
            A::FillBetween => Command::FillBetween,
            A::AcceptSeeds => Command::AcceptSeeds,
            A::ClearSeeds => Command::ClearSeeds,
            A::Pacs => Command::ShowWindow {
                window: WindowKind::Pacs,
                open: true,
            },
            A::Mpr => MprCommand::Toggle.into(),
            A::Prior => Command::CompareWithPrior,
            A::LinkHere => Command::LinkHere,
            A::Hanging => Command::ApplyHanging,
        };
        vec![one]
    }
}

/// The n-th preset of the modality, when it has one.
fn preset(cx: &KeyContext<'_>, n: usize) -> Option<Command> {
    let (voi, label) = preset_voi(cx.presets.get(n)?, cx.strings);
    Some(Command::SetVoi {
        viewport: cx.viewport,
        voi,
        label,
    })
}

/// A preset as the window a viewport uses, and its name in the UI's language.
pub(super) fn preset_voi(p: &Preset, strings: &Strings) -> (VoiChoice, String) {
    let voi = VoiChoice::Window(Window {
        center: p.center,
        width: p.width,
        function: Default::default(),
    });
    let label = strings
        .try_get(&format!("preset.{}", p.name))
        .unwrap_or(&p.name)
        .to_owned();
    (voi, label)
}

/// A label hotkey: the label new shapes get, and (editing shapes) the selected
/// shape's label.
fn label_commands(cx: &KeyContext<'_>, digit: char) -> Vec<Command> {
    let Some(label) = cx.labels.and_then(|l| l.by_hotkey(digit)) else {
        return Vec::new();
    };
    let mut out = vec![Command::SetDrawLabel(label.name.clone())];
    if cx.tool == Tool::EditShapes && cx.shape_selected {
        out.push(Command::EditSelectedShape(ShapeEdit::SetLabel(
            label.name.clone(),
        )));
    }
    out
}

/// The lines of the shortcuts window: the keys as written, and the i18n key of what
/// they do.
pub fn shortcut_lines() -> Vec<(String, &'static str)> {
    let mut lines: Vec<(String, &'static str)> = ROWS
        .iter()
        .map(|row| (keys_text(row.bindings), row.help))
        .collect();
    lines.extend(
        POINTER_ROWS
            .iter()
            .map(|(k, help)| ((*k).to_owned(), *help)),
    );
    lines
}

/// The keys that do `action`, as the shortcuts window writes them ("W",
/// "Shift+Q"); empty when no key does it. For the hints on buttons and menu items.
pub fn keys_of(action: Action) -> String {
    let bindings: Vec<Binding> = ROWS
        .iter()
        .flat_map(|row| row.bindings)
        .filter(|b| b.action == action)
        .copied()
        .collect();
    keys_text(&bindings)
}

/// A row's keys as the window writes them: "K / D / U", a run of digits as "1 … 7";
/// the Copy and Paste events are what Ctrl+C and Ctrl+V already say.
fn keys_text(bindings: &[Binding]) -> String {
    let keys: Vec<(Key, Mods)> = bindings
        .iter()
        .filter_map(|b| match b.trigger {
            Trigger::Key(k, m) => Some((k, m)),
            Trigger::CopyEvent | Trigger::PasteEvent => None,
        })
        .collect();
    let digits = keys.len() > 2
        && keys
            .iter()
            .all(|(k, _)| key_name(*k).len() == 1 && key_name(*k).as_bytes()[0].is_ascii_digit());
    if let (true, Some(first), Some(last)) = (digits, keys.first(), keys.last()) {
        return format!("{} … {}", key_name(first.0), key_name(last.0));
    }
    keys.iter()
        .map(|(k, m)| format!("{}{}", m.prefix(), key_name(*k)))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// A key's name as the window writes it.
fn key_name(k: Key) -> &'static str {
    match k {
        K::ArrowDown => "↓",
        K::ArrowUp => "↑",
        K::ArrowLeft => "←",
        K::ArrowRight => "→",
        K::PageDown => "PgDn",
        K::PageUp => "PgUp",
        K::Escape => "Esc",
        K::Plus => "+",
        K::Equals => "=",
        K::Minus => "-",
        K::OpenBracket => "[",
        K::CloseBracket => "]",
        other => other.name(),
    }
}

#[cfg(test)]
mod tests;
