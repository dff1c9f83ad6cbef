//! The agreement half of the Dataset tab: the summary of two annotators' agreement
//! (mean Dice with its interval, detection, AP and FROC with scores, labels by study,
//! keep/drop), the series in 3-D, and the frames worst first; a click on a frame
//! shows it with both readers' shapes.

use egui::RichText;

use super::command::{Command, SeriesRef};
use crate::agreement::Agreement;
use crate::i18n::Strings;

/// How many frames the agreement table lists.
const ROWS: usize = 50;

/// A number to 3 decimals, `-` when absent.
fn opt(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or("-".to_owned(), |v| format!("{v:.3}"))
}

/// The summary and the worst frames; a click shows the frame.
pub(super) fn agreement_ui(ui: &mut egui::Ui, s: &Strings, a: &Agreement) -> Vec<Command> {
    let mut out = Vec::new();
    ui.label(s.format(
        "dataset.summary",
        &[
            ("n", &a.segmentation.per_image.len().to_string()),
            ("dice", &opt(a.segmentation.dice_mean)),
            ("tp", &a.detection.tp.to_string()),
            ("fp", &a.detection.fp.to_string()),
            ("fn", &a.detection.fn_.to_string()),
            ("f1", &opt(a.detection.f1)),
        ],
    ));
    summary_ui(ui, s, a);
    per_series_ui(ui, s, a);
    ui.weak(s.get("dataset.click_to_show"));
    egui::Grid::new("dataset-agreement")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("Dice");
            ui.strong("HD95 mm");
            ui.strong(s.get("dataset.label"));
            ui.strong(s.get("dataset.image"));
            ui.end_row();
            for p in a.segmentation.per_image.iter().take(ROWS) {
                ui.monospace(format!("{:.3}", p.dice));
                ui.monospace(opt(p.hd95_mm));
                ui.label(RichText::new(&p.label).small());
                let short = p
                    .sop_uid
                    .get(p.sop_uid.len().saturating_sub(10)..)
                    .unwrap_or(&p.sop_uid);
                if ui.link(format!("…{short} f{}", p.frame)).clicked() {
                    out.push(Command::ShowImage {
                        series: SeriesRef {
                            study_uid: p.study_uid.clone(),
                            series_uid: p.series_uid.clone(),
                        },
                        sop_uid: p.sop_uid.clone(),
                        frame: p.frame,
                    });
                }
                ui.end_row();
            }
        });
    out
}

/// The interval, scores, labels by study and keep/drop, one line each.
fn summary_ui(ui: &mut egui::Ui, s: &Strings, a: &Agreement) {
    if let Some(ci) = a.segmentation.dice_mean_ci {
        let (low, high) = (format!("{:.3}", ci.low), format!("{:.3}", ci.high));
        ui.label(s.format("dataset.dice_ci", &[("low", &low), ("high", &high)]));
    }
    let d = &a.detection;
    if let Some(ap) = &d.ap {
        let cpm = d.froc.as_ref().map(|f| f.cpm_sensitivity);
        ui.label(s.format("dataset.scored", &[("ap", &opt(ap.ap)), ("cpm", &opt(cpm))]));
    }
    let c = &a.classification;
    if c.labels.is_empty() && c.keep_drop.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(s.get("dataset.classification"))
        .id_salt("dataset-classification")
        .show(ui, |ui| {
            for l in c.labels.iter().filter(|l| l.level == "study") {
                let b = &l.calls;
                let mut line = s.format(
                    "dataset.label_calls",
                    &[
                        ("label", &l.label),
                        ("sens", &opt(b.sensitivity.map(|p| p.value))),
                        ("spec", &opt(b.specificity.map(|p| p.value))),
                        ("kappa", &opt(b.kappa)),
                    ],
                );
                if let Some(roc) = &l.roc {
                    line.push_str(&format!(", AUC {:.3}", roc.auc));
                }
                ui.label(line);
            }
            for k in &c.keep_drop {
                let level_key = format!("agreement.level.{}", k.level);
                ui.label(s.format(
                    "dataset.keep_drop",
                    &[
                        ("level", s.get(&level_key)),
                        ("agree", &(k.calls.tp + k.calls.tn).to_string()),
                        ("disagree", &(k.calls.fp + k.calls.fn_).to_string()),
                        ("kappa", &opt(k.calls.kappa)),
                    ],
                ));
            }
        });
}

/// Each series and label in 3-D: Dice, HD95 and the volumes.
fn per_series_ui(ui: &mut egui::Ui, s: &Strings, a: &Agreement) {
    let series = &a.segmentation.per_series;
    if series.is_empty() {
        return;
    }
    let n = series.len().to_string();
    egui::CollapsingHeader::new(s.format("dataset.per_series", &[("n", &n)]))
        .id_salt("dataset-per-series")
        .show(ui, |ui| {
            egui::Grid::new("dataset-series-grid")
                .striped(true)
                .show(ui, |ui| {
                    ui.strong(s.get("agreement.dice"));
                    ui.strong(s.get("agreement.hd95"));
                    ui.strong(s.get("agreement.volume_difference"));
                    ui.strong(s.get("dataset.label"));
                    ui.strong(s.get("report.series"));
                    ui.end_row();
                    for p in series.iter().take(ROWS) {
                        ui.monospace(format!("{:.3}", p.dice));
                        ui.monospace(opt(p.hd95_mm));
                        ui.monospace(opt(p.volume_difference_pct));
                        ui.label(RichText::new(&p.label).small());
                        let short = p
                            .series_uid
                            .get(p.series_uid.len().saturating_sub(10)..)
                            .unwrap_or(&p.series_uid);
                        ui.label(RichText::new(format!("…{short}")).small());
                        ui.end_row();
                    }
                });
        });
}
