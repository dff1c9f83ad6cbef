//! The annotation panel: the label to draw with, the selected shape's label,
//! attributes, measurements and geometry operations, the shapes of the frame, which
//! annotators are shown, the label-set editor, and export/import.
//!
//! Like every panel it only returns [`Command`]s; `LightboxApp::apply` changes the
//! project through the review session, so each edit is one stored, undoable step.

use super::app::keys::{Action, keys_of};
use super::job::{Job, Polled};
use super::model_ui::{ModelUi, model_panel_ui};
use super::seeds_ui::SeedsUi;
use super::segment_ui::SegmentUi;
use crate::annotate::Lesion;
use crate::assist::fill_between::FillKey;
use std::collections::BTreeSet;
use std::path::PathBuf;

use egui::{Color32, RichText};

use super::annotate_tool::{ShapeSelection, label_colour};
use super::command::Command;
use super::measure_tool::Tool;
use crate::annotate::export::ExportFormat;
use crate::annotate::geometry::SimplifyMethod;
use crate::annotate::{Annotations, Grade, ImageKey, Label, LabelSet, Measurements, Shape};
use crate::i18n::Strings;

/// An edit of the selected shape.
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeEdit {
    /// Give it another label.
    SetLabel(String),
    /// Set its suspicion grade.
    SetGrade(Grade),
    /// Set its note.
    SetNote(String),
    /// Grow (positive) or shrink (negative) by mm.
    Grow(f64),
    /// Shrink then grow by mm.
    Opening(f64),
    /// Grow then shrink by mm.
    Closing(f64),
    /// Simplify to a tolerance in mm.
    Simplify(SimplifyMethod, f64),
    /// Split a self-intersecting ring into valid ones.
    Repair,
}

/// An export the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotationExport {
    /// The format.
    pub format: ExportFormat,
    /// The folder to write into.
    pub folder: PathBuf,
}

/// The annotation panel's state (runtime: the shapes themselves are in the session).
#[derive(Debug)]
pub struct AnnotateUi {
    /// The selected shape.
    pub selection: Option<ShapeSelection>,
    /// The label new shapes get.
    pub draw_label: String,
    /// The copied shape.
    pub clipboard: Option<Shape>,
    /// Annotators whose shapes are hidden.
    pub hidden_annotators: BTreeSet<String>,
    /// Distance for grow/shrink/opening/closing, mm.
    pub distance_mm: f64,
    /// Tolerance for simplification, mm.
    pub tolerance_mm: f64,
    /// The note being typed (committed when the field loses focus).
    pub note_draft: Option<(String, String)>,
    /// The last result or error of an annotation action.
    pub message: Option<String>,
    /// The label set being edited (the editor window is open while `Some`).
    pub label_editor: Option<LabelSet>,
    /// Measurements of the selected shape: (id, modified, frame was decoded, result).
    pub measured: Option<(String, String, bool, Option<Measurements>)>,
    /// The running export's result, when one runs.
    pub export_result: Option<Job<String>>,
    /// Click-to-segment's options and running growth.
    pub segment: SegmentUi,
    /// Grow from seeds: strokes, proposal and running growth.
    pub seeds: SeedsUi,
    /// The fill between slices whose key frame was edited since, to offer to redo.
    pub refill: Option<FillKey>,
    /// The model server's models and running inference.
    pub model: ModelUi,
    /// The selected shape's lesion: (shape id, a hash of its outlines' ids and times,
    /// the lesion), see `apply/lesion.rs`.
    pub lesion: Option<(String, u64, Option<Lesion>)>,
}

impl Default for AnnotateUi {
    fn default() -> Self {
        Self {
            selection: None,
            draw_label: String::new(),
            clipboard: None,
            hidden_annotators: BTreeSet::new(),
            distance_mm: 1.0,
            tolerance_mm: 0.5,
            note_draft: None,
            message: None,
            label_editor: None,
            measured: None,
            export_result: None,
            segment: SegmentUi::default(),
            seeds: SeedsUi::default(),
            refill: None,
            model: ModelUi::default(),
            lesion: None,
        }
    }
}

impl AnnotateUi {
    /// Takes the running export's result, when it has come, as the panel's message.
    pub fn poll_export(&mut self) {
        if let Some(Polled::Done(text)) = Job::finished(&mut self.export_result) {
            self.message = Some(text);
        }
    }
}

/// A colour swatch.
fn swatch(ui: &mut egui::Ui, colour: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, colour);
}

/// The label picker; returns the chosen label.
fn label_combo(ui: &mut egui::Ui, id: &str, labels: &LabelSet, current: &str) -> Option<String> {
    let mut chosen = None;
    ui.horizontal(|ui| {
        swatch(ui, label_colour(labels, current));
        egui::ComboBox::from_id_salt(id)
            .selected_text(current)
            .show_ui(ui, |ui| {
                for l in &labels.labels {
                    let text = if l.hotkey.is_empty() {
                        l.name.clone()
                    } else {
                        format!("{}  [{}]", l.name, l.hotkey)
                    };
                    if ui
                        .selectable_label(l.name == current, text)
                        .on_hover_text(&l.description)
                        .clicked()
                    {
                        chosen = Some(l.name.clone());
                    }
                }
            });
    });
    chosen
}

/// What the panel shows of the current frame.
pub struct PanelContext<'a> {
    /// The project's shapes.
    pub annotations: &'a Annotations,
    /// The label set.
    pub labels: &'a LabelSet,
    /// The frame the active viewport shows.
    pub frame: Option<ImageKey>,
    /// The active tool.
    pub tool: Tool,
    /// Shapes in the series shown.
    pub series_shapes: usize,
    /// The series the active viewport shows.
    pub series_uid: Option<&'a str>,
    /// The model server configured in Settings (empty: none).
    pub model_server: &'a str,
}

/// The offer to redo a fill between slices after one of its key frames changed.
#[must_use]
fn refill_offer_ui(ui: &mut egui::Ui, s: &Strings, refill: &FillKey) -> Vec<Command> {
    let mut out = Vec::new();
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(s.format("annotate.refill", &[("label", &refill.label)]))
                .color(Color32::from_rgb(255, 200, 90)),
        );
        if ui.button(s.get("annotate.refill_redo")).clicked() {
            out.push(Command::SetDrawLabel(refill.label.clone()));
            out.push(Command::FillBetween);
        }
        if ui.button(s.get("annotate.refill_dismiss")).clicked() {
            out.push(Command::DismissRefill);
        }
    });
    out
}

/// The annotation panel.
#[must_use]
pub fn annotation_panel_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    state: &AnnotateUi,
    ctx: &PanelContext<'_>,
) -> Vec<Command> {
    let mut out = Vec::new();
    ui.horizontal_wrapped(|ui| {
        if let Some(tool) = super::measure_tool::tool_buttons(ui, s, &Tool::ANNOTATION, ctx.tool) {
            out.push(Command::SetTool(tool));
        }
    });
    ui.horizontal(|ui| {
        ui.label(s.get("annotate.draw_label"));
        if let Some(l) = label_combo(ui, "draw-label", ctx.labels, &state.draw_label) {
            out.push(Command::SetDrawLabel(l));
        }
        if ui.button(s.get("annotate.edit_labels")).clicked() {
            out.push(Command::EditLabelDraft(Some(ctx.labels.clone())));
        }
    });
    ui.horizontal(|ui| {
        let fill = ui
            .add_enabled(
                ctx.frame.is_some() && state.segment.fill.is_none(),
                egui::Button::new(s.get("annotate.fill_between")),
            )
            .on_hover_text(s.get("annotate.fill_between_hint"));
        if fill.clicked() {
            out.push(Command::FillBetween);
        }
        if state.segment.fill.is_some() {
            ui.spinner();
        }
    });
    if let Some(refill) = &state.refill
        && ctx.series_uid == Some(refill.series_uid.as_str())
    {
        out.extend(refill_offer_ui(ui, s, refill));
    }
    if !ctx.model_server.is_empty() {
        out.extend(model_panel_ui(
            ui,
            s,
            &state.model,
            ctx.model_server,
            ctx.series_uid.is_some(),
        ));
    }
    if let Some(m) = &state.message {
        ui.label(RichText::new(m).color(Color32::from_rgb(255, 200, 90)));
    }
    ui.separator();

    let selected = state
        .selection
        .as_ref()
        .and_then(|sel| ctx.annotations.get(&sel.id));
    match selected {
        Some(shape) => out.extend(selected_shape_ui(ui, s, state, ctx.labels, shape)),
        None => {
            ui.label(RichText::new(s.get("annotate.none_selected")).weak());
        }
    }
    ui.separator();

    // The shapes of the frame shown, by annotator.
    if let Some(key) = &ctx.frame {
        ui.label(s.format(
            "annotate.on_frame",
            &[
                ("n", &ctx.annotations.count_on_frame(key).to_string()),
                ("series", &ctx.series_shapes.to_string()),
            ],
        ));
        let annotators: BTreeSet<&str> = ctx
            .annotations
            .iter()
            .map(|sh| sh.annotator.as_str())
            .collect();
        if annotators.len() > 1 {
            ui.horizontal_wrapped(|ui| {
                ui.label(s.get("annotate.annotators"));
                for a in annotators {
                    let mut shown = !state.hidden_annotators.contains(a);
                    if ui.checkbox(&mut shown, a).changed() {
                        out.push(Command::ShowAnnotator {
                            annotator: a.to_owned(),
                            shown,
                        });
                    }
                }
            });
        }
        egui::ScrollArea::vertical()
            .id_salt("frame-shapes")
            .max_height(160.0)
            .show(ui, |ui| {
                for shape in ctx.annotations.on_frame(key) {
                    let is_sel = state.selection.as_ref().is_some_and(|x| x.id == shape.id);
                    ui.horizontal(|ui| {
                        swatch(ui, label_colour(ctx.labels, &shape.label));
                        let text = format!(
                            "{} · {} · {}",
                            shape.label,
                            s.get(&format!("annotate.kind.{}", shape.kind.as_str())),
                            shape.annotator
                        );
                        if ui.selectable_label(is_sel, text).clicked() {
                            out.push(Command::SelectShape(Some(ShapeSelection {
                                id: shape.id.clone(),
                                vertex: None,
                            })));
                        }
                    });
                }
            });
    }
    out
}

/// Label, attributes, measurements and geometry of the selected shape.
fn selected_shape_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    state: &AnnotateUi,
    labels: &LabelSet,
    shape: &Shape,
) -> Vec<Command> {
    let mut out = Vec::new();
    let edit = |e| Command::EditSelectedShape(e);
    ui.strong(s.format(
        "annotate.selected",
        &[(
            "kind",
            s.get(&format!("annotate.kind.{}", shape.kind.as_str())),
        )],
    ));
    egui::Grid::new("shape-attrs")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(s.get("annotate.label"));
            if let Some(l) = label_combo(ui, "shape-label", labels, &shape.label) {
                out.push(edit(ShapeEdit::SetLabel(l)));
            }
            ui.end_row();
            ui.label(s.get("annotate.grade"));
            ui.horizontal(|ui| {
                for g in Grade::ALL {
                    if ui
                        .selectable_label(
                            shape.grade == g,
                            s.get(&format!("annotate.grade.{}", g.as_str())),
                        )
                        .clicked()
                        && shape.grade != g
                    {
                        out.push(edit(ShapeEdit::SetGrade(g)));
                    }
                }
            });
            ui.end_row();
            ui.label(s.get("annotate.note"));
            // The note as typed so far (the shape's own until the first key).
            let mut draft = match &state.note_draft {
                Some((id, text)) if *id == shape.id => text.clone(),
                _ => shape.note.clone(),
            };
            let response = ui.add(egui::TextEdit::multiline(&mut draft).desired_rows(2));
            if response.changed() {
                out.push(Command::SetNoteDraft(shape.id.clone(), draft.clone()));
            }
            if response.lost_focus() && draft != shape.note {
                out.push(edit(ShapeEdit::SetNote(draft)));
            }
            ui.end_row();
            ui.label(s.get("annotate.annotator"));
            ui.label(&shape.annotator);
            ui.end_row();
            ui.label(s.get("annotate.created"));
            ui.label(&shape.created);
            ui.end_row();
            ui.label(s.get("annotate.modified"));
            ui.label(&shape.modified);
            ui.end_row();
        });
    if let Some((_, _, _, Some(m))) = &state.measured {
        measurements_ui(ui, s, m);
    }
    if let Some((_, _, Some(lesion))) = &state.lesion {
        lesion_ui(ui, s, lesion);
    }
    if shape.kind.is_area() {
        out.extend(area_tools_ui(ui, s, state, shape));
    }
    ui.horizontal(|ui| {
        if ui
            .button(s.get("annotate.copy"))
            .on_hover_text(keys_of(Action::Copy))
            .clicked()
        {
            out.push(Command::CopyShape);
        }
        if ui
            .button(s.get("annotate.propagate"))
            .on_hover_text(keys_of(Action::Propagate(1)))
            .clicked()
        {
            out.push(Command::PropagateShape {
                viewport: usize::MAX,
                delta: 1,
            });
        }
        if ui
            .button(s.get("annotate.delete"))
            .on_hover_text(keys_of(Action::Delete))
            .clicked()
        {
            out.push(Command::DeleteSelection(usize::MAX));
        }
    });
    out
}

/// Grow, shrink, opening, closing, simplify and repair of an area shape.
fn area_tools_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    state: &AnnotateUi,
    shape: &Shape,
) -> Vec<Command> {
    let mut out = Vec::new();
    ui.separator();
    out.extend(mm_row(
        ui,
        s,
        "annotate.distance_mm",
        (state.distance_mm, 0.05..=100.0, 0.1),
        Command::SetMorphDistance,
        |d| {
            vec![
                ("annotate.grow", ShapeEdit::Grow(d)),
                ("annotate.shrink", ShapeEdit::Grow(-d)),
                ("annotate.opening", ShapeEdit::Opening(d)),
                ("annotate.closing", ShapeEdit::Closing(d)),
            ]
        },
    ));
    out.extend(mm_row(
        ui,
        s,
        "annotate.tolerance_mm",
        (state.tolerance_mm, 0.01..=20.0, 0.05),
        Command::SetSimplifyTolerance,
        |t| {
            vec![
                (
                    "annotate.simplify_rdp",
                    ShapeEdit::Simplify(SimplifyMethod::RamerDouglasPeucker, t),
                ),
                (
                    "annotate.simplify_vw",
                    ShapeEdit::Simplify(SimplifyMethod::VisvalingamWhyatt, t),
                ),
            ]
        },
    ));
    let problems = crate::annotate::geometry::problems(&shape.points);
    if !problems.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(Color32::LIGHT_RED, s.get("annotate.invalid"));
            for p in &problems {
                ui.label(p.to_string());
            }
            if ui.button(s.get("annotate.repair")).clicked() {
                out.push(Command::EditSelectedShape(ShapeEdit::Repair));
            }
        });
    }
    out
}

/// One row of the area tools: a distance in mm (value, range, drag speed) and a
/// button for each edit made with it (i18n key, edit); `set` keeps a dragged value.
fn mm_row(
    ui: &mut egui::Ui,
    s: &Strings,
    label_key: &str,
    (value, range, speed): (f64, std::ops::RangeInclusive<f64>, f64),
    set: fn(f64) -> Command,
    edits: impl Fn(f64) -> Vec<(&'static str, ShapeEdit)>,
) -> Vec<Command> {
    let mut out = Vec::new();
    ui.horizontal(|ui| {
        ui.label(s.get(label_key));
        let mut v = value;
        if ui
            .add(egui::DragValue::new(&mut v).range(range).speed(speed))
            .changed()
        {
            out.push(set(v));
        }
        for (key, edit) in edits(v) {
            if ui.button(s.get(key)).clicked() {
                out.push(Command::EditSelectedShape(edit));
            }
        }
    });
    out
}

/// The measurements of a shape.
fn measurements_ui(ui: &mut egui::Ui, s: &Strings, m: &Measurements) {
    let u = &m.unit;
    egui::Grid::new("shape-measurements")
        .num_columns(2)
        .show(ui, |ui| {
            for (key, value) in [
                ("annotate.area", format!("{:.1} {u}²", m.area)),
                ("annotate.perimeter", format!("{:.1} {u}", m.perimeter)),
                (
                    "annotate.long_axis",
                    format!("{:.1} {u}", m.longest_diameter),
                ),
                ("annotate.short_axis", format!("{:.1} {u}", m.perpendicular)),
            ] {
                ui.label(s.get(key));
                ui.monospace(value);
                ui.end_row();
            }
            if let Some(st) = &m.stats {
                let f = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
                ui.label(s.get("annotate.pixels"));
                ui.monospace(format!(
                    "n {}  mean {}  SD {}\nmin {}  max {}",
                    st.count,
                    f(st.mean),
                    f(st.sd),
                    f(st.min),
                    f(st.max)
                ));
                ui.end_row();
            }
        });
}

/// The label-set editor window, on a draft: the edited draft, and the new set when
/// the user saves a valid one.
#[must_use]
pub fn label_editor_ui(ctx: &egui::Context, s: &Strings, state: &AnnotateUi) -> Vec<Command> {
    let mut out = Vec::new();
    let Some(shown) = &state.label_editor else {
        return out;
    };
    let mut set = shown.clone();
    let mut open = true;
    let mut close = false;
    {
        egui::Window::new(s.get("annotate.label_editor"))
            .open(&mut open)
            .default_width(520.0)
            .show(ctx, |ui| {
                let mut remove = None;
                egui::Grid::new("label-editor")
                    .num_columns(5)
                    .striped(true)
                    .show(ui, |ui| {
                        ui.strong(s.get("annotate.label"));
                        ui.strong(s.get("annotate.colour"));
                        ui.strong(s.get("annotate.hotkey"));
                        ui.strong(s.get("annotate.description"));
                        ui.label("");
                        ui.end_row();
                        for (i, label) in set.labels.iter_mut().enumerate() {
                            ui.add(
                                egui::TextEdit::singleline(&mut label.name).desired_width(110.0),
                            );
                            let mut rgb = label.rgb().unwrap_or([255, 255, 255]);
                            if ui.color_edit_button_srgb(&mut rgb).changed() {
                                label.colour =
                                    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
                            }
                            ui.add(
                                egui::TextEdit::singleline(&mut label.hotkey).desired_width(24.0),
                            );
                            ui.add(
                                egui::TextEdit::singleline(&mut label.description)
                                    .desired_width(220.0),
                            );
                            if ui.small_button(s.get("annotate.remove")).clicked() {
                                remove = Some(i);
                            }
                            ui.end_row();
                        }
                    });
                if let Some(i) = remove {
                    set.labels.remove(i);
                }
                if ui.button(s.get("annotate.add_label")).clicked() {
                    set.labels.push(Label {
                        name: format!("label-{}", set.labels.len() + 1),
                        colour: "#00c0ff".into(),
                        hotkey: String::new(),
                        description: String::new(),
                        codes: None,
                    });
                }
                let check = set.check();
                if let Err(e) = &check {
                    ui.colored_label(Color32::LIGHT_RED, e.to_string());
                }
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(
                            check.is_ok(),
                            egui::Button::new(s.get("annotate.save_labels")),
                        )
                        .clicked()
                    {
                        out.push(Command::SetLabelSet(set.clone()));
                        close = true;
                    }
                    if ui.button(s.get("common.cancel")).clicked() {
                        close = true;
                    }
                });
            });
    }
    if !open || close {
        out.push(Command::EditLabelDraft(None));
    } else if set != *shown {
        out.push(Command::EditLabelDraft(Some(set)));
    }
    out
}

/// The selected shape's lesion: slices, volume, largest diameter (or why not).
fn lesion_ui(ui: &mut egui::Ui, s: &Strings, lesion: &Lesion) {
    let mm = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    ui.label(s.format(
        "annotate.lesion",
        &[
            ("frames", &lesion.frames.to_string()),
            ("volume", &mm(lesion.volume_mm3)),
            ("diameter", &mm(lesion.max_diameter_mm)),
        ],
    ));
    if let Some(note) = &lesion.note {
        ui.weak(note);
    }
}
