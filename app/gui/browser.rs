//! The study browser: patient → study → series, each node with its review mark.
//!
//! The tree is flattened into [`Row`]s (indices into the index, no copies) so that
//! keyboard navigation is a step through a list, and so that only the rows inside
//! the scroll area's viewport are laid out: a release of thousands of series scrolls
//! as smoothly as one of ten.

use crate::fsutil::ShowPath;
use std::collections::HashSet;

use egui::{Color32, Rect, Sense, Vec2};

use super::command::{Command, Node, SeriesRef};
use super::thumbnails::{THUMB_PX, Thumbnails};
use crate::i18n::Strings;
use crate::index::{Index, Series, Study};

/// True when the filter text (case-insensitive, all words) matches the study or series.
pub fn matches_text(filter: &str, study: &Study, series: &Series) -> bool {
    let hay = [
        study.patient_id.as_str(),
        study.description.as_deref().unwrap_or(""),
        study.study_date.as_deref().unwrap_or(""),
        series.modality.as_deref().unwrap_or(""),
        series.description.as_deref().unwrap_or(""),
        series.body_part.as_deref().unwrap_or(""),
    ]
    .join(" ")
    .to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|w| hay.contains(w))
}

/// One visible line of the tree, as indices into `Index::patients`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A patient header.
    Patient(usize),
    /// A study: patient, study.
    Study(usize, usize),
    /// A series: patient, study, series.
    Series(usize, usize, usize),
}

impl Row {
    /// Height of the row in points.
    fn height(self) -> f32 {
        match self {
            Self::Patient(_) => 20.0,
            Self::Study(..) => 24.0,
            Self::Series(..) => THUMB_PX as f32 + 6.0,
        }
    }

    /// The node of a study or series row.
    pub fn node(self, index: &Index) -> Option<Node> {
        match self {
            Self::Patient(_) => None,
            Self::Study(p, s) => Some(Node::Study(index.patients[p].studies[s].study_uid.clone())),
            Self::Series(p, s, se) => {
                let study = &index.patients[p].studies[s];
                Some(Node::Series(SeriesRef {
                    study_uid: study.study_uid.clone(),
                    series_uid: study.series[se].series_uid.clone(),
                }))
            }
        }
    }
}

/// The rows shown: series that pass `keep`, their studies and patients; the series
/// of collapsed studies are left out.
pub fn visible_rows(
    index: &Index,
    keep: &dyn Fn(&Study, &Series) -> bool,
    collapsed: &HashSet<String>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    for (p, patient) in index.patients.iter().enumerate() {
        let mut patient_shown = false;
        for (s, study) in patient.studies.iter().enumerate() {
            let series: Vec<usize> = (0..study.series.len())
                .filter(|&se| keep(study, &study.series[se]))
                .collect();
            if series.is_empty() {
                continue;
            }
            if !patient_shown {
                rows.push(Row::Patient(p));
                patient_shown = true;
            }
            rows.push(Row::Study(p, s));
            if !collapsed.contains(&study.study_uid) {
                rows.extend(series.into_iter().map(|se| Row::Series(p, s, se)));
            }
        }
    }
    rows
}

/// The study or series `delta` selectable rows away from `from` (patient rows are
/// passed over); from nothing, the first or last one. Stops at the ends.
pub fn step(index: &Index, rows: &[Row], from: Option<&Node>, delta: i32) -> Option<Node> {
    let nodes: Vec<Node> = rows.iter().filter_map(|r| r.node(index)).collect();
    if nodes.is_empty() {
        return None;
    }
    let at = from.and_then(|n| nodes.iter().position(|x| x == n));
    let to = match at {
        Some(i) => (i as i64 + i64::from(delta)).clamp(0, nodes.len() as i64 - 1) as usize,
        None if delta < 0 => nodes.len() - 1,
        None => 0,
    };
    Some(nodes[to].clone())
}

/// The review state a browser row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkState {
    /// Every image kept.
    Keep,
    /// Every image dropped.
    Drop,
    /// No image decided.
    Undecided,
    /// Some of each.
    Mixed,
}

impl MarkState {
    /// Its colour; the shape drawn by [`mark_icon`] tells the states apart without it.
    pub fn colour(self) -> Color32 {
        match self {
            Self::Keep => Color32::from_rgb(80, 200, 120),
            Self::Drop => Color32::from_rgb(235, 90, 90),
            Self::Undecided => Color32::GRAY,
            Self::Mixed => Color32::from_rgb(240, 180, 60),
        }
    }

    /// The i18n key of its name (tooltips, accessibility).
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Keep => "review.keep",
            Self::Drop => "review.drop",
            Self::Undecided => "review.undecided",
            Self::Mixed => "review.mixed",
        }
    }
}

/// A node's review mark: its state and image counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeMark {
    /// What the row shows.
    pub state: MarkState,
    /// Images kept.
    pub kept: u64,
    /// Images dropped.
    pub dropped: u64,
    /// Images not decided.
    pub undecided: u64,
}

/// What the browser draws from (borrowed from the app for one frame).
pub struct BrowserView<'a> {
    /// UI strings.
    pub s: &'a Strings,
    /// The release, when one is open.
    pub index: Option<&'a Index>,
    /// The rows to show (see [`visible_rows`]).
    pub rows: &'a [Row],
    /// Studies whose series are hidden.
    pub collapsed: &'a HashSet<String>,
    /// The selected node.
    pub selected: Option<&'a Node>,
    /// Scroll the selected row into view this frame (after a keyboard step).
    pub scroll_to_selected: bool,
    /// Series thumbnails.
    pub thumbs: &'a Thumbnails,
    /// The review mark of a node.
    pub mark: &'a dyn Fn(&Node) -> Option<NodeMark>,
    /// The pending suggestions about a node (count and tooltip), if any.
    pub suggestion: &'a dyn Fn(&Node) -> Option<(usize, String)>,
    /// The one-line claims summary of a series.
    pub claims_line: &'a dyn Fn(&Study, &Series) -> Option<String>,
    /// The set (`train`, `val`, `test`) a study is in, when a split is loaded.
    pub split_set: &'a dyn Fn(&str) -> Option<&'static str>,
}

/// Draws the filter box and the tree; returns the commands of clicks.
#[must_use]
pub fn browser_ui(ui: &mut egui::Ui, view: &BrowserView<'_>, filter: &str) -> Vec<Command> {
    let s = view.s;
    let mut commands = Vec::new();
    let mut text = filter.to_owned();
    let edit = egui::TextEdit::singleline(&mut text)
        .hint_text(s.get("browser.filter"))
        .desired_width(f32::INFINITY);
    if ui.add(edit).changed() {
        commands.push(Command::SetBrowserFilter(text));
    }
    ui.separator();
    let Some(index) = view.index else {
        ui.label(s.get("browser.no_studies"));
        return commands;
    };
    if view.rows.is_empty() {
        ui.label(s.get("browser.no_match"));
    }
    let total: f32 = view.rows.iter().map(|r| r.height()).sum();
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show_viewport(ui, |ui, viewport| {
            ui.set_height(total);
            let origin = ui.min_rect().min;
            let width = ui.available_width();
            let mut y = 0.0;
            for &row in view.rows {
                let h = row.height();
                let rect = Rect::from_min_size(origin + Vec2::new(0.0, y), Vec2::new(width, h));
                y += h;
                let node = row.node(index);
                let selected = node.is_some() && node.as_ref() == view.selected;
                if selected && view.scroll_to_selected {
                    ui.scroll_to_rect(rect, None);
                }
                if y - h > viewport.max.y || y < viewport.min.y {
                    continue;
                }
                let mut child = ui.new_child(egui::UiBuilder::new().max_rect(rect));
                child.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                row_ui(&mut child, view, index, row, selected, &mut commands);
            }
        });
    if !index.problems.is_empty() {
        ui.separator();
        egui::CollapsingHeader::new(s.format(
            "browser.problems",
            &[("n", &index.problems.len().to_string())],
        ))
        .id_salt("problems")
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .max_height(160.0)
                .show(ui, |ui| {
                    for p in &index.problems {
                        ui.label(format!("{}: {}", p.error, p.path.shown()))
                            .on_hover_text(p.path.shown().to_string());
                    }
                });
        });
    }
    commands
}

/// The series' thumbnail centred in a fixed square (empty until it is made), so the
/// rows' text stays put whatever the image's shape and whenever it arrives.
fn thumbnail_ui(ui: &mut egui::Ui, view: &BrowserView<'_>, series_uid: &str) {
    let side = THUMB_PX as f32;
    let (square, _) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    if let Some(t) = view.thumbs.get(series_uid) {
        let rect = Rect::from_center_size(square.center(), t.size_vec2());
        egui::Image::new((t.id(), t.size_vec2())).paint_at(ui, rect);
    }
}

/// A study's set of the loaded split, as a small coloured tag.
fn split_tag(ui: &mut egui::Ui, s: &Strings, set: &str) {
    let colour = match set {
        "train" => Color32::from_rgb(70, 150, 90),
        "val" => Color32::from_rgb(200, 150, 40),
        _ => Color32::from_rgb(150, 90, 190),
    };
    let text = egui::RichText::new(s.get(&format!("report.set.{set}")))
        .small()
        .color(Color32::WHITE)
        .background_color(colour);
    ui.label(text);
}

/// Draws a review mark, 14 points square: a tick for keep, a cross for drop, an
/// empty ring for undecided and a half-filled ring for mixed — told apart by shape,
/// so they read without colour (painted: the bundled fonts have no such glyphs).
pub fn mark_icon(ui: &mut egui::Ui, state: MarkState) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(14.0), Sense::hover());
    let painter = ui.painter();
    let c = rect.center();
    let r = 6.0;
    let colour = state.colour();
    let stroke = egui::Stroke::new(2.0, colour);
    match state {
        MarkState::Keep => {
            painter.line_segment([c + Vec2::new(-5.0, 0.0), c + Vec2::new(-1.5, 4.0)], stroke);
            painter.line_segment([c + Vec2::new(-1.5, 4.0), c + Vec2::new(5.0, -4.5)], stroke);
        }
        MarkState::Drop => {
            painter.line_segment([c + Vec2::splat(-4.5), c + Vec2::splat(4.5)], stroke);
            painter.line_segment([c + Vec2::new(-4.5, 4.5), c + Vec2::new(4.5, -4.5)], stroke);
        }
        MarkState::Undecided => {
            painter.circle_stroke(c, r - 1.0, egui::Stroke::new(1.5, colour));
        }
        MarkState::Mixed => {
            painter.circle_stroke(c, r - 1.0, egui::Stroke::new(1.5, colour));
            let half: Vec<egui::Pos2> = (0..=12)
                .map(|i| {
                    let a = std::f32::consts::FRAC_PI_2 + std::f32::consts::PI * i as f32 / 12.0;
                    c + (r - 1.0) * Vec2::new(a.cos(), a.sin())
                })
                .collect();
            painter.add(egui::Shape::convex_polygon(
                half,
                colour,
                egui::Stroke::NONE,
            ));
        }
    }
    response
}

/// A triangle that opens or closes a study's series (painted, like [`mark_icon`]).
fn expander(ui: &mut egui::Ui, open: bool) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(14.0), Sense::click());
    let c = rect.center();
    let colour = ui.style().interact(&response).fg_stroke.color;
    let points = if open {
        vec![
            c + Vec2::new(-4.0, -2.0),
            c + Vec2::new(4.0, -2.0),
            c + Vec2::new(0.0, 3.0),
        ]
    } else {
        vec![
            c + Vec2::new(-2.0, -4.0),
            c + Vec2::new(3.0, 0.0),
            c + Vec2::new(-2.0, 4.0),
        ]
    };
    ui.painter().add(egui::Shape::convex_polygon(
        points,
        colour,
        egui::Stroke::NONE,
    ));
    response
}

/// The mark of a node, with its name and counts as tooltip.
fn mark_ui(ui: &mut egui::Ui, s: &Strings, mark: Option<NodeMark>) {
    if let Some(m) = mark {
        mark_icon(ui, m.state).on_hover_text(format!(
            "{} — {}",
            s.get(m.state.label_key()),
            s.format(
                "review.counts",
                &[
                    ("kept", &m.kept.to_string()),
                    ("dropped", &m.dropped.to_string()),
                    ("undecided", &m.undecided.to_string()),
                ],
            )
        ));
    }
}

fn row_ui(
    ui: &mut egui::Ui,
    view: &BrowserView<'_>,
    index: &Index,
    row: Row,
    selected: bool,
    commands: &mut Vec<Command>,
) {
    let s = view.s;
    match row {
        Row::Patient(p) => {
            ui.horizontal_centered(|ui| {
                ui.weak(format!(
                    "{} {}",
                    s.get("browser.patient"),
                    index.patients[p].patient_id
                ));
            });
        }
        Row::Study(p, st) => {
            let study = &index.patients[p].studies[st];
            let node = Node::Study(study.study_uid.clone());
            ui.horizontal_centered(|ui| {
                let open = !view.collapsed.contains(&study.study_uid);
                if expander(ui, open)
                    .on_hover_text(s.get("browser.expand"))
                    .clicked()
                {
                    commands.push(Command::ToggleCollapsed(study.study_uid.clone()));
                }
                mark_ui(ui, s, (view.mark)(&node));
                super::suggest_ui::mark_ui(ui, s, (view.suggestion)(&node));
                if let Some(set) = (view.split_set)(&study.study_uid) {
                    split_tag(ui, s, set);
                }
                let title = format!(
                    "{}  {}  {}  ({})",
                    study.study_date.as_deref().unwrap_or("-"),
                    study.modalities().join("/"),
                    study.description.as_deref().unwrap_or(""),
                    s.format(
                        "browser.image_count",
                        &[("n", &study.instance_count().to_string())]
                    ),
                );
                if ui
                    .selectable_label(selected, egui::RichText::new(title).strong())
                    .clicked()
                {
                    commands.push(Command::Select(node));
                }
            });
        }
        Row::Series(p, st, se) => {
            let study = &index.patients[p].studies[st];
            let series = &study.series[se];
            let r = SeriesRef {
                study_uid: study.study_uid.clone(),
                series_uid: series.series_uid.clone(),
            };
            let node = Node::Series(r.clone());
            let frames: u64 = series.instances.iter().map(|i| u64::from(i.frames)).sum();
            let count = if frames as usize == series.instances.len() {
                s.format(
                    "browser.image_count",
                    &[("n", &series.instances.len().to_string())],
                )
            } else {
                s.format("browser.frame_count", &[("n", &frames.to_string())])
            };
            let label = format!(
                "{} {:<3} {} — {}",
                series.number.map_or("-".into(), |n| n.to_string()),
                series.modality.as_deref().unwrap_or("?"),
                series.description.as_deref().unwrap_or(""),
                count
            );
            let label_rect = ui
                .horizontal(|ui| {
                    ui.add_space(18.0);
                    thumbnail_ui(ui, view, &series.series_uid);
                    mark_ui(ui, s, (view.mark)(&node));
                    super::suggest_ui::mark_ui(ui, s, (view.suggestion)(&node));
                    ui.vertical(|ui| {
                        let r = ui.selectable_label(selected, label);
                        if let Some(line) = (view.claims_line)(study, series) {
                            ui.weak(egui::RichText::new(line).small());
                        }
                        r.rect
                    })
                    .inner
                })
                .inner;
            // An id of its own: the auto id of the label changes when the thumbnail
            // arrives, and a click pressed before and released after it was lost.
            let id = egui::Id::unique(("browser-series-row", &series.series_uid));
            let response = ui.interact(label_rect, id, Sense::click_and_drag());
            // Click selects and shows the series in the active viewport; drag drops it on any.
            if response.dragged() {
                response.dnd_set_drag_payload(r);
            }
            if response.clicked() {
                commands.push(Command::Select(node));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Patient;
    use crate::release::ReleaseLayout;

    fn series(uid: &str) -> Series {
        Series {
            series_uid: uid.into(),
            modality: Some("CT".into()),
            number: None,
            description: None,
            body_part: None,
            instances: Vec::new(),
        }
    }

    fn study(uid: &str, series_uids: &[&str]) -> Study {
        Study {
            study_uid: uid.into(),
            patient_id: "P".into(),
            study_date: None,
            description: None,
            accession_number: None,
            series: series_uids.iter().map(|u| series(u)).collect(),
        }
    }

    fn index() -> Index {
        Index {
            root: "/r".into(),
            layout: ReleaseLayout::Plain,
            scan_dir: "/r".into(),
            files_scanned: 0,
            files_from_cache: 0,
            problems: Vec::new(),
            skipped: Vec::new(),
            cache_warning: None,
            patients: vec![
                Patient {
                    patient_id: "P1".into(),
                    studies: vec![study("1.1", &["1.1.1", "1.1.2"]), study("1.2", &["1.2.1"])],
                },
                Patient {
                    patient_id: "P2".into(),
                    studies: vec![study("2.1", &["2.1.1"])],
                },
            ],
        }
    }

    fn series_node(study: &str, series: &str) -> Node {
        Node::Series(SeriesRef {
            study_uid: study.into(),
            series_uid: series.into(),
        })
    }

    #[test]
    fn rows_follow_the_tree_and_collapse() {
        let index = index();
        let all = visible_rows(&index, &|_, _| true, &HashSet::new());
        assert_eq!(
            all,
            [
                Row::Patient(0),
                Row::Study(0, 0),
                Row::Series(0, 0, 0),
                Row::Series(0, 0, 1),
                Row::Study(0, 1),
                Row::Series(0, 1, 0),
                Row::Patient(1),
                Row::Study(1, 0),
                Row::Series(1, 0, 0),
            ]
        );
        let collapsed: HashSet<String> = ["1.1".to_owned()].into();
        let rows = visible_rows(&index, &|_, _| true, &collapsed);
        assert_eq!(
            rows[..3],
            [Row::Patient(0), Row::Study(0, 0), Row::Study(0, 1)]
        );
        // A filter that keeps one series keeps its study and patient only.
        let rows = visible_rows(&index, &|_, se| se.series_uid == "2.1.1", &HashSet::new());
        assert_eq!(
            rows,
            [Row::Patient(1), Row::Study(1, 0), Row::Series(1, 0, 0)]
        );
    }

    #[test]
    fn keyboard_steps_over_studies_and_series_and_stops_at_the_ends() {
        let index = index();
        let rows = visible_rows(&index, &|_, _| true, &HashSet::new());
        let first = step(&index, &rows, None, 1);
        assert_eq!(first, Some(Node::Study("1.1".into())));
        let next = step(&index, &rows, first.as_ref(), 1);
        assert_eq!(next, Some(series_node("1.1", "1.1.1")));
        // Patient rows are passed over: from 1.2.1 the next node is study 2.1.
        let from = series_node("1.2", "1.2.1");
        assert_eq!(
            step(&index, &rows, Some(&from), 1),
            Some(Node::Study("2.1".into()))
        );
        let last = series_node("2.1", "2.1.1");
        assert_eq!(step(&index, &rows, Some(&last), 1), Some(last.clone()));
        assert_eq!(step(&index, &rows, None, -1), Some(last));
    }
}
