//! The rules' suggestions in the review: their box in the Review tab (amber, italic,
//! with provenance, never mistaken for a decision), their mark in the browser, the
//! browser filters on them, and the ids that accept/reject act on.
//!
//! A suggestion is about a study (study-level rules) or a series (series-level
//! rules); a series row is "about" its own suggestions and its study's, so filters
//! and bulk actions over the filtered series reach both.

use std::collections::BTreeSet;

use super::command::{Command, Node};
use super::review_ui::decision_key;
use crate::i18n::Strings;
use crate::index::{Series, Study};
use crate::review::suggestion::{Suggestion, SuggestionStatus};
use crate::review::{Level, ReviewSession};
use crate::rules::RuleLevel;

/// The colour of everything that is a suggestion rather than a person's decision.
pub const SUGGESTION_COLOUR: egui::Color32 = egui::Color32::from_rgb(240, 180, 60);

/// True when the suggestion is about `series` (its own, or its study's).
fn about_series(s: &Suggestion, study_uid: &str, series_uid: &str) -> bool {
    s.proposal.study_uid == study_uid
        && match s.proposal.level {
            RuleLevel::Study => true,
            RuleLevel::Series => s.proposal.series_uid.as_deref() == Some(series_uid),
        }
}

/// The suggestions about a browser node: a study's own and its series', or a
/// series' own and its study's.
/// Study-level ones come first, then by rule name.
pub fn suggestions_about<'a>(session: &'a ReviewSession, node: &Node) -> Vec<&'a Suggestion> {
    let mut about: Vec<&Suggestion> = match node {
        Node::Study(uid) => session.suggestions_for_study(uid).collect(),
        Node::Series(r) => session
            .suggestions_for_study(&r.study_uid)
            .filter(|s| about_series(s, &r.study_uid, &r.series_uid))
            .collect(),
    };
    about.sort_by(|a, b| {
        (a.proposal.level, &a.proposal.rule).cmp(&(b.proposal.level, &b.proposal.rule))
    });
    about
}

/// The browser's suggestion mark of a node: the number of pending suggestions about
/// it and a tooltip listing them; `None` when none is pending.
pub fn pending_mark(session: &ReviewSession, s: &Strings, node: &Node) -> Option<(usize, String)> {
    let pending: Vec<&Suggestion> = suggestions_about(session, node)
        .into_iter()
        .filter(|x| x.status == SuggestionStatus::Pending)
        .collect();
    if pending.is_empty() {
        return None;
    }
    let lines: Vec<String> = pending.iter().map(|x| proposal_line(s, x)).collect();
    Some((pending.len(), lines.join("\n")))
}

/// "rule: keep · nodule".
fn proposal_line(s: &Strings, x: &Suggestion) -> String {
    let mut parts = Vec::new();
    if let Some(d) = x.proposal.decision {
        parts.push(s.get(decision_key(d)).to_owned());
    }
    if let Some(l) = &x.proposal.label {
        parts.push(l.clone());
    }
    format!("{}: {}", x.proposal.rule, parts.join(" · "))
}

/// Draws the browser's suggestion mark: a hollow amber diamond, 14 points square
/// (decisions are drawn filled; a suggestion never looks like one).
pub fn mark_ui(ui: &mut egui::Ui, s: &Strings, mark: Option<(usize, String)>) {
    let Some((n, tooltip)) = mark else { return };
    let (rect, response) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
    let c = rect.center();
    let r = 5.5;
    let points = vec![
        c + egui::vec2(0.0, -r),
        c + egui::vec2(r, 0.0),
        c + egui::vec2(0.0, r),
        c + egui::vec2(-r, 0.0),
    ];
    ui.painter().add(egui::Shape::closed_line(
        points,
        egui::Stroke::new(1.5, SUGGESTION_COLOUR),
    ));
    response.on_hover_text(format!(
        "{}\n{tooltip}",
        s.format("suggest.pending_n", &[("n", &n.to_string())])
    ));
}

/// The suggestions about the selected node, in the Review tab: each with its rule,
/// proposal, provenance and status, and accept/reject for the pending ones.
#[must_use]
pub fn suggestions_ui(
    ui: &mut egui::Ui,
    s: &Strings,
    session: &ReviewSession,
    node: &Node,
) -> Vec<Command> {
    let mut commands = Vec::new();
    let about = suggestions_about(session, node);
    labels_ui(ui, s, session, node);
    if about.is_empty() {
        return commands;
    }
    ui.label(
        egui::RichText::new(s.get("suggest.title"))
            .italics()
            .strong()
            .color(SUGGESTION_COLOUR),
    );
    let pending: Vec<String> = about
        .iter()
        .filter(|x| x.status == SuggestionStatus::Pending)
        .map(|x| x.id())
        .collect();
    for x in &about {
        let colour = match x.status {
            SuggestionStatus::Pending => SUGGESTION_COLOUR,
            _ => ui.visuals().weak_text_color(),
        };
        egui::Frame::group(ui.style())
            .stroke(egui::Stroke::new(1.0, colour))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(
                    egui::RichText::new(proposal_line(s, x))
                        .italics()
                        .color(colour),
                );
                if x.proposal.level == RuleLevel::Series && matches!(node, Node::Study(_)) {
                    let series = x.proposal.series_uid.as_deref().unwrap_or("");
                    ui.weak(
                        egui::RichText::new(s.format("suggest.on_series", &[("uid", series)]))
                            .small(),
                    );
                }
                for m in &x.proposal.matched {
                    ui.label(egui::RichText::new(format!("{} = {}", m.field, m.value)).small());
                }
                match x.status {
                    SuggestionStatus::Pending => {
                        ui.horizontal(|ui| {
                            if ui.button(s.get("suggest.accept")).clicked() {
                                commands.push(review(vec![x.id()], true));
                            }
                            if ui.button(s.get("suggest.reject")).clicked() {
                                commands.push(review(vec![x.id()], false));
                            }
                        });
                    }
                    status => {
                        let key = if status == SuggestionStatus::Accepted {
                            "suggest.accepted_by"
                        } else {
                            "suggest.rejected_by"
                        };
                        ui.weak(
                            egui::RichText::new(
                                s.format(key, &[("reviewer", &x.reviewer), ("time", &x.time)]),
                            )
                            .small(),
                        );
                    }
                }
            });
    }
    if pending.len() > 1 {
        ui.horizontal(|ui| {
            if ui.button(s.get("suggest.accept_all_here")).clicked() {
                commands.push(review(pending.clone(), true));
            }
            if ui.button(s.get("suggest.reject_all_here")).clicked() {
                commands.push(review(pending.clone(), false));
            }
        });
    }
    commands
}

/// The labels people gave this study or series.
fn labels_ui(ui: &mut egui::Ui, s: &Strings, session: &ReviewSession, node: &Node) {
    let (level, uid) = match node {
        Node::Study(uid) => (Level::Study, uid.as_str()),
        Node::Series(r) => (Level::Series, r.series_uid.as_str()),
    };
    let labels: Vec<String> = session
        .target_labels()
        .iter()
        .filter(|(k, _)| k.target.level == level && k.target.uid == uid)
        .map(|(k, r)| {
            if r.rule.is_empty() {
                format!("{} ({})", k.label, r.reviewer)
            } else {
                format!("{} ({}, {})", k.label, r.reviewer, r.rule)
            }
        })
        .collect();
    if !labels.is_empty() {
        ui.label(s.format("suggest.labels", &[("labels", &labels.join(", "))]));
    }
}

/// The command accepting (or rejecting) suggestions.
pub fn review(ids: Vec<String>, accept: bool) -> Command {
    Command::ReviewSuggestions { ids, accept }
}

/// The pending suggestion ids about the selected node (what Y / Shift+Y act on).
pub fn pending_ids(session: &ReviewSession, node: &Node) -> Vec<String> {
    suggestions_about(session, node)
        .into_iter()
        .filter(|x| x.status == SuggestionStatus::Pending)
        .map(Suggestion::id)
        .collect()
}

/// True when the series passes the suggestion filters: some suggestion about it
/// proposes `label` (pending or accepted), and some is pending when `unreviewed`.
pub fn passes(
    session: Option<&ReviewSession>,
    label: Option<&str>,
    unreviewed: bool,
    study: &Study,
    series: &Series,
) -> bool {
    if label.is_none() && !unreviewed {
        return true;
    }
    let Some(session) = session else { return false };
    let about: Vec<&Suggestion> = session
        .suggestions_for_study(&study.study_uid)
        .filter(|x| about_series(x, &study.study_uid, &series.series_uid))
        .collect();
    let label_ok = label.is_none_or(|l| {
        about.iter().any(|x| {
            x.status != SuggestionStatus::Rejected && x.proposal.label.as_deref() == Some(l)
        })
    });
    let pending_ok = !unreviewed || about.iter().any(|x| x.status == SuggestionStatus::Pending);
    label_ok && pending_ok
}

/// The proposed labels of the stored suggestions, sorted, for the filter.
pub fn proposed_labels(session: &ReviewSession) -> Vec<String> {
    let labels: BTreeSet<&str> = session
        .suggestions()
        .values()
        .filter_map(|x| x.proposal.label.as_deref())
        .collect();
    labels.into_iter().map(str::to_owned).collect()
}

/// The pending suggestion ids about any of `series` (study and series UIDs).
pub fn pending_ids_of_series<'a>(
    session: &ReviewSession,
    series: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    let mut ids = BTreeSet::new();
    for (study_uid, series_uid) in series {
        for x in session.suggestions_for_study(study_uid) {
            if x.status == SuggestionStatus::Pending && about_series(x, study_uid, series_uid) {
                ids.insert(x.id());
            }
        }
    }
    ids.into_iter().collect()
}
