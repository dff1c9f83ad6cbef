//! The claims beside the images: loading off the UI thread, the one-line summary in
//! the browser, the claims panel (every field decoded, ICD titles, the patient's
//! history) and the claims-based browser filters (body region, ICD prefix).

use std::sync::Arc;

use super::job::{Job, Polled};
use crate::claims::{Claims, ClaimsJoin, codes, row_fields, series_summary};
use crate::i18n::{Language, Strings};
use crate::index::{Index, Series, Study};
use crate::rules::{Facts, Reports};

/// The release's report csv, if it has one, and the notes about reading it (a
/// report file that cannot be read is a note: reports are optional context).
fn reports_of(index: &Index) -> (Option<Reports>, Vec<String>) {
    match Reports::load_for_release(&index.root, &index.layout) {
        Ok(Some(reports)) => {
            let notes = reports.notes.clone();
            (Some(reports), notes)
        }
        Ok(None) => (None, Vec::new()),
        Err(e) => (None, vec![e.to_string()]),
    }
}

/// The claims of the open release, joined to its series.
pub struct LoadedClaims {
    /// Everything read from `DATA/`.
    pub claims: Claims,
    /// Rows per series and study, and the mismatches.
    pub join: ClaimsJoin,
    /// The body-region (CURE_PATH) codes present, sorted, for the filter.
    pub body_region_codes: Vec<String>,
    /// What the pre-labelling rules are evaluated on: each series' claims, DICOM
    /// text and report text (built here, off the UI thread, with the claims).
    pub facts: Arc<Facts>,
}

/// Reads the release's claims and report, joins them to the series and builds the
/// rules' facts (all off the UI thread).
fn load(index: &Index) -> Result<LoadedClaims, String> {
    let claims = Claims::load_for_release(&index.root, &index.layout).map_err(|e| e.to_string())?;
    let join = claims.join_index(index);
    let table = claims.table();
    let mut body_region_codes: Vec<String> = (0..table.rows.len())
        .filter_map(|r| table.value(r, "CURE_PATH"))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    body_region_codes.sort();
    body_region_codes.dedup();
    let (reports, report_notes) = reports_of(index);
    let mut claims = claims;
    claims.notes.extend(report_notes);
    let facts = Arc::new(Facts::build_joined(
        index,
        claims.table(),
        &join,
        reports.as_ref(),
    ));
    Ok(LoadedClaims {
        claims,
        join,
        body_region_codes,
        facts,
    })
}

/// Claims loading and what it produced.
#[derive(Default)]
pub struct ClaimsUi {
    /// The loaded claims (none before loading ends, or without a DATA folder).
    pub loaded: Option<LoadedClaims>,
    /// Why loading failed.
    pub error: Option<String>,
    pending: Option<Job<Result<LoadedClaims, String>>>,
}

impl ClaimsUi {
    /// Starts loading the claims of `index` on a worker thread.
    pub fn load(&mut self, index: Arc<Index>, ctx: &egui::Context) {
        self.loaded = None;
        self.error = None;
        match Job::spawn(ctx, "claims", move || load(&index)) {
            Ok(job) => self.pending = Some(job),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Takes in a finished load; true when claims were loaded just now.
    pub fn poll(&mut self) -> bool {
        match Job::finished(&mut self.pending) {
            Some(Polled::Done(Ok(loaded))) => {
                self.loaded = Some(loaded);
                true
            }
            Some(Polled::Done(Err(e))) => {
                self.error = Some(e);
                false
            }
            _ => false,
        }
    }

    /// The browser's one-line summary of a series.
    pub fn series_line(
        &self,
        study: &Study,
        series: &Series,
        language: Language,
    ) -> Option<String> {
        let l = self.loaded.as_ref()?;
        let rows = l.join.rows_for_series(&study.study_uid, &series.series_uid);
        series_summary(l.claims.table(), &rows, language)
    }

    /// True when the series' claims rows pass the body-region (CURE_PATH code) and
    /// ICD-prefix filters (a series without claims passes only when both are off).
    pub fn passes(
        &self,
        body_region: Option<&str>,
        icd_prefix: &str,
        study: &Study,
        series: &Series,
    ) -> bool {
        if body_region.is_none() && icd_prefix.trim().is_empty() {
            return true;
        }
        let Some(l) = &self.loaded else { return false };
        let table = l.claims.table();
        let prefix = icd_prefix.trim().replace('.', "").to_ascii_uppercase();
        l.join
            .rows_for_series(&study.study_uid, &series.series_uid)
            .iter()
            .any(|&row| {
                let region_ok =
                    body_region.is_none_or(|r| table.value(row, "CURE_PATH") == Some(r));
                let icd_ok = prefix.is_empty()
                    || ["ICD1", "ICD2", "ICD3", "ICD4", "ICD5"].iter().any(|c| {
                        table.value(row, c).is_some_and(|v| {
                            v.replace('.', "").to_ascii_uppercase().starts_with(&prefix)
                        })
                    });
                region_ok && icd_ok
            })
    }

    /// The body-region codes present in the claims, with their label.
    pub fn body_regions(&self, language: Language) -> Vec<(String, String)> {
        let Some(l) = &self.loaded else {
            return Vec::new();
        };
        l.body_region_codes
            .iter()
            .map(|c| {
                let label = codes::decode("CURE_PATH", c, language).join(" / ");
                (c.clone(), label)
            })
            .collect()
    }
}

/// The claims panel for the study or series shown: its rows, every field decoded,
/// then the patient's history.
pub fn claims_panel_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    language: Language,
    claims: &ClaimsUi,
    study: Option<&Study>,
    series: Option<&Series>,
) {
    if let Some(e) = &claims.error {
        ui.colored_label(egui::Color32::LIGHT_RED, e);
    }
    let Some(l) = &claims.loaded else {
        if claims.pending.is_some() {
            ui.spinner();
        }
        return;
    };
    for note in &l.claims.notes {
        ui.colored_label(egui::Color32::from_rgb(240, 180, 60), note);
    }
    if let Some(c) = &l.claims.comparison
        && !c.agrees()
    {
        ui.colored_label(egui::Color32::from_rgb(240, 180, 60), c.summary());
    }
    mismatches_ui(ui, s, l);
    let Some(study) = study else {
        ui.weak(s.get("review.nothing_selected"));
        return;
    };
    let rows = match series {
        Some(se) => l.join.rows_for_series(&study.study_uid, &se.series_uid),
        None => l.join.rows_for_study(&study.study_uid).to_vec(),
    };
    if rows.is_empty() {
        ui.weak(s.get("claims.none"));
    }
    let table = l.claims.table();
    for (n, &row) in rows.iter().enumerate() {
        egui::CollapsingHeader::new(s.format("claims.row", &[("n", &(n + 1).to_string())]))
            .id_salt(("claims-row", row))
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new(("claims-grid", row))
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for f in row_fields(table, row, language) {
                            ui.label(f.label.unwrap_or(&f.column))
                                .on_hover_text(&f.column);
                            let mut text = f.value.clone();
                            if let Some(title) = f.icd_title {
                                text = format!(
                                    "{} {title}",
                                    f.icd_code.as_deref().unwrap_or(&f.value)
                                );
                            } else if !f.readings.is_empty() {
                                text = format!("{} = {}", f.value, f.readings.join(" | "));
                            }
                            ui.label(text);
                            ui.end_row();
                        }
                    });
            });
    }
    let history = l.claims.patient_history(&study.patient_id);
    if !history.table.rows.is_empty() {
        egui::CollapsingHeader::new(s.format(
            "claims.history",
            &[("n", &history.table.rows.len().to_string())],
        ))
        .id_salt("claims-history")
        .show(ui, |ui| {
            egui::ScrollArea::horizontal().show(ui, |ui| {
                egui::Grid::new("claims-history-grid")
                    .striped(true)
                    .show(ui, |ui| {
                        for c in &history.table.columns {
                            ui.strong(c);
                        }
                        ui.end_row();
                        for row in &history.table.rows {
                            for v in row {
                                ui.label(v);
                            }
                            ui.end_row();
                        }
                    });
            });
        });
    }
}

/// The join's findings both ways: claims rows without images, series without claims.
fn mismatches_ui(ui: &mut egui::Ui, s: &Strings, l: &LoadedClaims) {
    let rows = &l.join.rows_without_images;
    let series = &l.join.series_without_claims;
    if rows.is_empty() && series.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(s.format(
        "claims.mismatches",
        &[
            ("rows", &rows.len().to_string()),
            ("series", &series.len().to_string()),
        ],
    ))
    .id_salt("claims-mismatches")
    .show(ui, |ui| {
        let table = l.claims.table();
        for &row in rows {
            ui.label(
                egui::RichText::new(s.format(
                    "claims.row_without_images",
                    &[
                        ("n", &(row + 1).to_string()),
                        (
                            "series",
                            table.value(row, "SeriesInstanceId").unwrap_or("-"),
                        ),
                    ],
                ))
                .small(),
            );
        }
        for key in series {
            ui.label(
                egui::RichText::new(s.format(
                    "claims.series_without_claims",
                    &[("series", &key.series_uid)],
                ))
                .small(),
            );
        }
    });
}
