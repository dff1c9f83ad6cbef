//! The tag viewer: every attribute of the current image, searchable by name or number.

use super::job::{Job, Polled};
use std::path::{Path, PathBuf};

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::value::Value;
use dicom_dictionary_std::StandardDataDictionary;

use crate::dicom_file;
use crate::i18n::Strings;

/// One row of the tag table.
#[derive(Debug, Clone, PartialEq)]
pub struct TagRow {
    /// `(gggg,eeee)`, indented for sequence items.
    pub tag: String,
    /// Keyword from the dictionary.
    pub name: String,
    /// VR.
    pub vr: String,
    /// Value as text (binary values summarised).
    pub value: String,
}

/// A header read on a worker thread: the file and its rows or the reason it failed.
type HeaderRead = (PathBuf, Result<Vec<TagRow>, String>);

/// The rows of a file's header (Pixel Data excluded), cached by path.
///
/// Headers are read on a short-lived thread so a slow network copy never stalls the
/// UI; the previous file's rows stay on screen until the new ones arrive.
#[derive(Default)]
pub struct TagTable {
    path: Option<PathBuf>,
    rows: Vec<TagRow>,
    error: Option<String>,
    pending: Option<Job<HeaderRead>>,
}

impl TagTable {
    /// Starts reading the header of `path` unless it is already shown or being read;
    /// takes in a finished read. `ctx` is asked to repaint when the read is done.
    pub fn show_file(&mut self, path: &Path, ctx: &egui::Context) {
        self.take_finished();
        if self.path.as_deref() == Some(path) {
            return;
        }
        self.path = Some(path.to_path_buf());
        let path = path.to_path_buf();
        // A job for another file asked for meanwhile is dropped with its result.
        let job = Job::spawn(ctx, "tags", move || {
            let rows = dicom_file::open(&path, true)
                .map(|f| {
                    let mut rows = Vec::new();
                    collect(&f.dataset, 0, &mut rows);
                    rows
                })
                .map_err(|e| e.to_string());
            (path, rows)
        });
        match job {
            Ok(job) => self.pending = Some(job),
            Err(e) => {
                self.pending = None;
                self.error = Some(e.to_string());
            }
        }
    }

    /// True while a header is being read.
    pub fn is_loading(&self) -> bool {
        self.pending.is_some()
    }

    fn take_finished(&mut self) {
        let Some(Polled::Done((path, result))) = Job::finished(&mut self.pending) else {
            return;
        };
        if self.path.as_deref() != Some(path.as_path()) {
            return;
        }
        match result {
            Ok(rows) => {
                self.rows = rows;
                self.error = None;
            }
            Err(e) => {
                self.rows.clear();
                self.error = Some(e);
            }
        }
    }

    /// Rows matching a filter (keyword, tag number or value; case-insensitive).
    pub fn filtered<'a>(&'a self, filter: &'a str) -> impl Iterator<Item = &'a TagRow> {
        let f = filter.to_lowercase().replace([' ', '(', ')'], "");
        self.rows.iter().filter(move |r| {
            f.is_empty()
                || r.name.to_lowercase().contains(&f)
                || r.tag
                    .replace([' ', '(', ')'], "")
                    .to_lowercase()
                    .contains(&f)
                || r.tag
                    .replace([' ', '(', ')', ','], "")
                    .to_lowercase()
                    .contains(&f)
                || r.value.to_lowercase().contains(&f)
        })
    }
}

fn collect(obj: &dicom_object::InMemDicomObject, depth: usize, out: &mut Vec<TagRow>) {
    for e in obj.iter() {
        let tag = e.header().tag;
        let name = StandardDataDictionary
            .by_tag(tag)
            .map(|d| d.alias().to_owned())
            .unwrap_or_else(|| {
                if tag.group() % 2 == 1 {
                    "(private)".into()
                } else {
                    "?".into()
                }
            });
        let indent = "  ".repeat(depth);
        let value = match e.value() {
            Value::Sequence(seq) => format!("{} items", seq.items().len()),
            Value::PixelSequence(seq) => format!("{} fragments", seq.fragments().len()),
            Value::Primitive(p) => {
                let bytes = p.calculate_byte_len();
                if matches!(
                    e.vr(),
                    dicom_core::VR::OB | dicom_core::VR::OW | dicom_core::VR::UN
                ) && bytes > 64
                {
                    format!("binary, {bytes} bytes")
                } else {
                    let s = p.to_str();
                    let mut s = s.trim_end_matches('\0').to_owned();
                    if s.chars().count() > 200 {
                        s = s.chars().take(200).collect::<String>() + "…";
                    }
                    s
                }
            }
        };
        out.push(TagRow {
            tag: format!("{indent}({:04X},{:04X})", tag.group(), tag.element()),
            name,
            vr: e.vr().to_string().to_owned(),
            value,
        });
        if let Value::Sequence(seq) = e.value() {
            for item in seq.items() {
                collect(item, depth + 1, out);
            }
        }
    }
}

/// Draws the tag panel; returns the search text when the user edits it.
#[must_use]
pub fn tags_ui(ui: &mut egui::Ui, s: &Strings, table: &TagTable, filter: &str) -> Option<String> {
    let mut edited = None;
    ui.horizontal(|ui| {
        ui.heading(s.get("tags.title"));
        if table.is_loading() {
            ui.spinner();
        }
    });
    let mut text = filter.to_owned();
    let edit = egui::TextEdit::singleline(&mut text)
        .hint_text(s.get("tags.search"))
        .desired_width(f32::INFINITY);
    if ui.add(edit).changed() {
        edited = Some(text);
    }
    if let Some(e) = &table.error {
        ui.colored_label(egui::Color32::LIGHT_RED, e);
    }
    egui::ScrollArea::both().auto_shrink(false).show(ui, |ui| {
        egui::Grid::new("tags-grid")
            .striped(true)
            .num_columns(4)
            .show(ui, |ui| {
                for h in ["tags.tag", "tags.name", "tags.vr", "tags.value"] {
                    ui.strong(s.get(h));
                }
                ui.end_row();
                for r in table.filtered(filter) {
                    ui.monospace(&r.tag);
                    ui.label(&r.name);
                    ui.monospace(&r.vr);
                    ui.label(&r.value);
                    ui.end_row();
                }
            });
    });
    edited
}
