//! The key table: every key of the viewer, one row per line of the shortcuts
//! window. Rows are in the order the window lists them; within a row, bindings are
//! in the order the window writes them.

use egui::Key;

use super::{Action, Binding, Mods, Row, Trigger, When};
use crate::gui::measure_tool::Tool;
use crate::review::Decision;

/// A key binding that applies always.
const fn key(key: Key, mods: Mods, action: Action) -> Binding {
    Binding {
        trigger: Trigger::Key(key, mods),
        when: When::Always,
        action,
    }
}

/// A key binding that applies only `when`.
const fn key_when(key: Key, mods: Mods, when: When, action: Action) -> Binding {
    Binding {
        trigger: Trigger::Key(key, mods),
        when,
        action,
    }
}

/// A plain key (Shift either way) that applies always.
const fn plain(k: Key, action: Action) -> Binding {
    key(k, Mods::Plain, action)
}

/// A digit key while a measuring tool is active.
const fn viewing(k: Key, action: Action) -> Binding {
    key_when(k, Mods::Plain, When::Viewing, action)
}

/// A digit key while an annotation tool is active: a label hotkey.
const fn label(k: Key, digit: char) -> Binding {
    key_when(k, Mods::Plain, When::Annotating, Action::Label(digit))
}

use Action as A;
use Key as K;

/// Every key of the viewer, one row per line of the shortcuts window.
pub const ROWS: &[Row] = &[
    Row {
        help: "shortcuts.next_slice",
        bindings: &[
            plain(K::ArrowDown, A::Scroll(1)),
            plain(K::ArrowRight, A::Scroll(1)),
        ],
    },
    Row {
        help: "shortcuts.previous_slice",
        bindings: &[
            plain(K::ArrowUp, A::Scroll(-1)),
            plain(K::ArrowLeft, A::Scroll(-1)),
        ],
    },
    Row {
        help: "shortcuts.page",
        bindings: &[
            plain(K::PageDown, A::Scroll(10)),
            plain(K::PageUp, A::Scroll(-10)),
        ],
    },
    Row {
        help: "shortcuts.first_slice",
        bindings: &[plain(K::Home, A::ScrollToEnd(false))],
    },
    Row {
        help: "shortcuts.last_slice",
        bindings: &[plain(K::End, A::ScrollToEnd(true))],
    },
    Row {
        help: "annotate.draw_label",
        bindings: &[
            label(K::Num1, '1'),
            label(K::Num2, '2'),
            label(K::Num3, '3'),
            label(K::Num4, '4'),
            label(K::Num5, '5'),
            label(K::Num6, '6'),
            label(K::Num7, '7'),
            label(K::Num8, '8'),
            label(K::Num9, '9'),
            label(K::Num0, '0'),
        ],
    },
    Row {
        help: "preset.title",
        bindings: &[
            viewing(K::Num1, A::Preset(0)),
            viewing(K::Num2, A::Preset(1)),
            viewing(K::Num3, A::Preset(2)),
            viewing(K::Num4, A::Preset(3)),
            viewing(K::Num5, A::Preset(4)),
            viewing(K::Num6, A::Preset(5)),
            viewing(K::Num7, A::Preset(6)),
        ],
    },
    Row {
        help: "preset.file_window",
        bindings: &[viewing(K::Num8, A::FileWindow)],
    },
    Row {
        help: "preset.auto_min_max",
        bindings: &[viewing(K::Num9, A::AutoMinMax)],
    },
    Row {
        help: "preset.auto_percentile",
        bindings: &[viewing(K::Num0, A::AutoPercentile)],
    },
    Row {
        help: "menu.edit.undo",
        bindings: &[key(K::Z, Mods::CtrlBare, A::Undo)],
    },
    Row {
        help: "menu.edit.redo",
        bindings: &[
            key(K::Y, Mods::Ctrl, A::Redo),
            key(K::Z, Mods::CtrlShift, A::Redo),
        ],
    },
    Row {
        help: "browser.walk",
        bindings: &[
            key(K::ArrowDown, Mods::CtrlBare, A::StepNode(1)),
            key(K::ArrowUp, Mods::CtrlBare, A::StepNode(-1)),
        ],
    },
    Row {
        help: "browser.expand",
        bindings: &[
            key(K::ArrowLeft, Mods::CtrlBare, A::SelectParent),
            key(K::ArrowRight, Mods::CtrlBare, A::SelectChild),
        ],
    },
    Row {
        help: "annotate.propagate",
        bindings: &[
            key(K::ArrowDown, Mods::CtrlShift, A::Propagate(1)),
            key(K::ArrowUp, Mods::CtrlShift, A::Propagate(-1)),
        ],
    },
    Row {
        help: "shortcuts.copy_paste",
        bindings: &[
            key(K::C, Mods::Ctrl, A::Copy),
            key(K::V, Mods::Ctrl, A::Paste),
            Binding {
                trigger: Trigger::CopyEvent,
                when: When::Always,
                action: A::Copy,
            },
            Binding {
                trigger: Trigger::PasteEvent,
                when: When::Always,
                action: A::Paste,
            },
        ],
    },
    Row {
        help: "action.reset",
        bindings: &[plain(K::R, A::Reset)],
    },
    Row {
        help: "action.invert",
        bindings: &[key(K::I, Mods::Bare, A::Invert)],
    },
    Row {
        help: "action.fit",
        bindings: &[key(K::F, Mods::Bare, A::Fit)],
    },
    Row {
        help: "action.actual_pixels",
        bindings: &[plain(K::A, A::ActualPixels)],
    },
    Row {
        help: "action.rotate_left",
        bindings: &[plain(K::OpenBracket, A::Rotate(-1))],
    },
    Row {
        help: "action.rotate_right",
        bindings: &[plain(K::CloseBracket, A::Rotate(1))],
    },
    Row {
        help: "action.flip_horizontal",
        bindings: &[plain(K::H, A::Flip(true))],
    },
    Row {
        help: "action.flip_vertical",
        bindings: &[plain(K::V, A::Flip(false))],
    },
    Row {
        help: "action.play",
        bindings: &[plain(K::Space, A::Cine)],
    },
    Row {
        help: "action.fps",
        bindings: &[
            plain(K::Plus, A::CineSpeed(1)),
            plain(K::Equals, A::CineSpeed(1)),
            plain(K::Minus, A::CineSpeed(-1)),
        ],
    },
    Row {
        help: "menu.view.show_tags",
        bindings: &[plain(K::T, A::Tags)],
    },
    Row {
        help: "menu.view.show_overlays",
        bindings: &[plain(K::O, A::Overlays)],
    },
    Row {
        help: "action.linked_scrolling",
        bindings: &[plain(K::L, A::Linked)],
    },
    Row {
        help: "tool.window_level",
        bindings: &[key(K::W, Mods::Bare, A::Tool(Tool::WindowLevel))],
    },
    Row {
        help: "tool.distance",
        bindings: &[plain(K::M, A::Tool(Tool::Distance))],
    },
    Row {
        help: "tool.angle",
        bindings: &[key(K::G, Mods::Bare, A::Tool(Tool::Angle))],
    },
    Row {
        help: "tool.ellipse_roi",
        bindings: &[key(K::E, Mods::Bare, A::Tool(Tool::Ellipse))],
    },
    Row {
        help: "tool.rectangle_roi",
        bindings: &[key(K::B, Mods::Bare, A::Tool(Tool::Rectangle))],
    },
    Row {
        help: "tool.probe",
        bindings: &[plain(K::X, A::Tool(Tool::Probe))],
    },
    Row {
        help: "tool.edit_shapes",
        bindings: &[plain(K::S, A::Tool(Tool::EditShapes))],
    },
    Row {
        help: "tool.polygon",
        bindings: &[key(K::Q, Mods::Bare, A::Tool(Tool::AnnotatePolygon))],
    },
    Row {
        help: "tool.freehand",
        bindings: &[key(K::Q, Mods::Shift, A::Tool(Tool::AnnotateFreehand))],
    },
    Row {
        help: "tool.rectangle_shape",
        bindings: &[key(K::B, Mods::Shift, A::Tool(Tool::AnnotateRectangle))],
    },
    Row {
        help: "tool.ellipse_shape",
        bindings: &[key(K::E, Mods::Shift, A::Tool(Tool::AnnotateEllipse))],
    },
    Row {
        help: "tool.point",
        bindings: &[plain(K::C, A::Tool(Tool::AnnotatePoint))],
    },
    Row {
        help: "annotate.fill_between",
        bindings: &[key(K::I, Mods::Shift, A::FillBetween)],
    },
    Row {
        help: "tool.segment",
        bindings: &[key(K::G, Mods::Shift, A::Tool(Tool::AnnotateSegment))],
    },
    Row {
        help: "tool.live_wire",
        bindings: &[key(K::W, Mods::Shift, A::Tool(Tool::AnnotateLiveWire))],
    },
    Row {
        help: "tool.seeds",
        bindings: &[key(K::F, Mods::Shift, A::Tool(Tool::AnnotateSeeds))],
    },
    Row {
        help: "seeds.accept",
        bindings: &[key_when(
            K::Enter,
            Mods::Plain,
            When::Seeding,
            A::AcceptSeeds,
        )],
    },
    Row {
        help: "seeds.clear",
        bindings: &[key_when(
            K::Escape,
            Mods::Plain,
            When::Seeding,
            A::ClearSeeds,
        )],
    },
    Row {
        help: "tool.brush",
        bindings: &[key(K::J, Mods::Bare, A::Tool(Tool::AnnotateBrush))],
    },
    Row {
        help: "tool.eraser",
        bindings: &[key(K::J, Mods::Shift, A::Tool(Tool::AnnotateEraser))],
    },
    Row {
        help: "shortcuts.delete",
        bindings: &[plain(K::Delete, A::Delete), plain(K::Backspace, A::Delete)],
    },
    Row {
        help: "shortcuts.deselect",
        bindings: &[key_when(
            K::Escape,
            Mods::Plain,
            When::ShapeSelected,
            A::Deselect,
        )],
    },
    Row {
        help: "shortcuts.decide",
        bindings: &[
            key(K::K, Mods::Bare, A::DecideSelected(Decision::Keep)),
            key(K::D, Mods::Bare, A::DecideSelected(Decision::Drop)),
            key(K::U, Mods::Bare, A::DecideSelected(Decision::Undecided)),
        ],
    },
    Row {
        help: "shortcuts.decide_image",
        bindings: &[
            key(K::K, Mods::Shift, A::DecideImage(Decision::Keep)),
            key(K::D, Mods::Shift, A::DecideImage(Decision::Drop)),
            key(K::U, Mods::Shift, A::DecideImage(Decision::Undecided)),
        ],
    },
    Row {
        help: "shortcuts.suggestions",
        bindings: &[
            key(K::Y, Mods::Bare, A::Suggestions(true)),
            key(K::Y, Mods::Shift, A::Suggestions(false)),
        ],
    },
    Row {
        help: "shortcuts.next_undecided",
        bindings: &[
            plain(K::N, A::NextUndecided(1)),
            plain(K::P, A::NextUndecided(-1)),
        ],
    },
    Row {
        help: "shortcuts.next_viewport",
        bindings: &[plain(K::Tab, A::NextViewport)],
    },
    Row {
        help: "shortcuts.pacs",
        bindings: &[key(K::P, Mods::CtrlShift, A::Pacs)],
    },
    Row {
        help: "mpr.toggle_help",
        bindings: &[key(K::M, Mods::CtrlBare, A::Mpr)],
    },
    Row {
        help: "prior.compare_help",
        bindings: &[key(K::R, Mods::CtrlShift, A::Prior)],
    },
    Row {
        help: "prior.link_help",
        bindings: &[key(K::L, Mods::CtrlShift, A::LinkHere)],
    },
    Row {
        help: "hanging.apply_help",
        bindings: &[key(K::H, Mods::CtrlShift, A::Hanging)],
    },
];
