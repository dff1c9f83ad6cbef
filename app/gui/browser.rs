//! The study browser: patient → study → series, with a filter box.

use super::command::{Command, SeriesRef};
use super::thumbnails::{THUMB_PX, Thumbnails};
use crate::i18n::Strings;
use crate::index::{Index, Series, Study};

/// True when the filter text (case-insensitive, all words) matches the study or series.
pub fn matches(filter: &str, study: &Study, series: &Series) -> bool {
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

/// Draws the browser; returns the commands of clicks.
pub fn browser_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    index: Option<&Index>,
    filter: &mut String,
    active_viewport: usize,
    selected: Option<&SeriesRef>,
    thumbs: &Thumbnails,
) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.add(
        egui::TextEdit::singleline(filter)
            .hint_text(s.get("browser.filter"))
            .desired_width(f32::INFINITY),
    );
    ui.separator();
    let Some(index) = index else {
        ui.label(s.get("browser.no_studies"));
        return commands;
    };
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            let mut shown = 0;
            for patient in &index.patients {
                let studies: Vec<&Study> = patient
                    .studies
                    .iter()
                    .filter(|st| st.series.iter().any(|se| matches(filter, st, se)))
                    .collect();
                if studies.is_empty() {
                    continue;
                }
                let header = format!("{} {}", s.get("browser.patient"), patient.patient_id);
                egui::CollapsingHeader::new(header)
                    .id_salt(("patient", &patient.patient_id))
                    .default_open(true)
                    .show(ui, |ui| {
                        for study in studies {
                            let title = format!(
                                "{}  {}  {}",
                                study.study_date.as_deref().unwrap_or("-"),
                                study.modalities().join("/"),
                                study.description.as_deref().unwrap_or("")
                            );
                            egui::CollapsingHeader::new(title)
                                .id_salt(("study", &study.study_uid))
                                .default_open(true)
                                .show(ui, |ui| {
                                    for series in
                                        study.series.iter().filter(|se| matches(filter, study, se))
                                    {
                                        shown += 1;
                                        let r = SeriesRef {
                                            study_uid: study.study_uid.clone(),
                                            series_uid: series.series_uid.clone(),
                                        };
                                        let frames: u64 = series
                                            .instances
                                            .iter()
                                            .map(|i| u64::from(i.frames))
                                            .sum();
                                        let count = if frames as usize == series.instances.len() {
                                            s.format(
                                                "browser.image_count",
                                                &[("n", &series.instances.len().to_string())],
                                            )
                                        } else {
                                            s.format(
                                                "browser.frame_count",
                                                &[("n", &frames.to_string())],
                                            )
                                        };
                                        let label = format!(
                                            "{} {:<3} {} — {}",
                                            series.number.map_or("-".into(), |n| n.to_string()),
                                            series.modality.as_deref().unwrap_or("?"),
                                            series.description.as_deref().unwrap_or(""),
                                            count
                                        );
                                        let is_selected = selected == Some(&r);
                                        // Click shows the series in the active viewport; drag drops it on any.
                                        let response = ui
                                            .horizontal(|ui| {
                                                match thumbs.get(&series.series_uid) {
                                                    Some(t) => {
                                                        ui.image((t.id(), t.size_vec2()));
                                                    }
                                                    None => ui.add_space(THUMB_PX as f32),
                                                }
                                                ui.selectable_label(is_selected, label)
                                            })
                                            .inner
                                            .interact(egui::Sense::click_and_drag());
                                        if response.dragged() {
                                            response.dnd_set_drag_payload(r.clone());
                                        }
                                        if response.clicked() {
                                            commands.push(Command::ShowSeries {
                                                viewport: active_viewport,
                                                series: r,
                                            });
                                        }
                                    }
                                });
                        }
                    });
            }
            if shown == 0 {
                ui.label(s.get("browser.no_match"));
            }
            if !index.problems.is_empty() {
                ui.separator();
                egui::CollapsingHeader::new(s.format(
                    "browser.problems",
                    &[("n", &index.problems.len().to_string())],
                ))
                .id_salt("problems")
                .show(ui, |ui| {
                    for p in &index.problems {
                        ui.label(format!("{}: {}", p.path.display(), p.error))
                            .on_hover_text(p.path.display().to_string());
                    }
                });
            }
        });
    commands
}
