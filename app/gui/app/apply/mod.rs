//! [`LightboxApp::apply`]: the one place the viewer's state changes. It only routes
//! each command to its domain; the match is exhaustive, so a new command does not
//! compile until it has a home.
//!
//! | file | domain |
//! |---|---|
//! | `view.rs` | viewports and layout: stack, window, zoom, tools, measurements, cine |
//! | `browse.rs` | the browser: selection, tree, filters, side tab |
//! | `review.rs` | decisions, undo/redo, bulk, keep-list and other review files |
//! | `rules.rs` | the rules editor and the suggestions |
//! | `annotation.rs` | shapes: draw, edit, copy, propagate, labels, import/export |
//! | `segment.rs` | click-to-segment: its options, the growth on a worker, its shapes stored |
//! | `model.rs` | the model server: its address, its models, a series outlined by one |
//! | `assist.rs` | brush and eraser strokes; grow from seeds: strokes, the proposal grown on a worker, accepted as shapes |
//! | `dataset.rs` | the Dataset tab: description, agreement, showing a frame |
//! | `mpr.rs` | the MPR mode: the volume built on a worker, the 3-D cursor, oblique turns, slab, window, zoom, measurements |
//! | `pacs.rs` | the PACS servers (edit, test), search, retrieve and send on workers |
//! | `settings.rs` | opening a release, settings, windows, quitting |

mod annotation;
mod assist;
mod browse;
mod dataset;
mod lesion;
mod model;
mod mpr;
mod pacs;
mod review;
mod rules;
mod segment;
mod settings;
mod view;

use super::LightboxApp;
use crate::gui::command::Command;

impl LightboxApp {
    /// Applies one command: the only place state changes.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        use Command as C;
        match command {
            c @ (C::SetLayout(_)
            | C::ShowSeries { .. }
            | C::Activate(_)
            | C::Scroll { .. }
            | C::ScrollToEnd { .. }
            | C::SetVoi { .. }
            | C::Zoom { .. }
            | C::Pan { .. }
            | C::Fit(_)
            | C::ActualPixels(_)
            | C::Reset(_)
            | C::Invert(_)
            | C::Rotate { .. }
            | C::Flip { .. }
            | C::ToggleCine(_)
            | C::SetCineFps(_)
            | C::ToggleTags
            | C::ToggleOverlays
            | C::ToggleLinkedScrolling
            | C::CompareWithPrior
            | C::LinkHere
            | C::ApplyHanging
            | C::SetCursor3d { .. }
            | C::SetHangingProtocols(_)
            | C::SetApplyHanging(_)
            | C::SetTool(_)
            | C::AddMeasurement { .. }
            | C::DeleteLastMeasurement(_)) => self.apply_view(ctx, c),
            c @ (C::Select(_)
            | C::StepNode(_)
            | C::SelectParent
            | C::SelectChild
            | C::ToggleCollapsed(_)
            | C::SetBrowserFilter(_)
            | C::SetTagFilter(_)
            | C::SetSideTab(_)) => self.apply_browse(ctx, c),
            c @ (C::Decide { .. }
            | C::DecideSelected(_)
            | C::DecideCurrentImage(_)
            | C::Undo
            | C::Redo
            | C::NextUndecided(_)
            | C::SetReviewFilter(_)
            | C::AskBulk(_)
            | C::ConfirmBulk
            | C::CancelBulk
            | C::SetReason(_)
            | C::ImportDecisions(_)
            | C::OpenExport
            | C::CloseExport
            | C::EditExport(_)
            | C::SetProjectCode(_)
            | C::ExportKeepList
            | C::ExportSummary(_)
            | C::ExportDecisions(_)
            | C::SaveProjectAs(_)
            | C::AcceptChangedImages) => self.apply_review(ctx, c),
            c @ (C::EditRules(_)
            | C::LoadRules(_)
            | C::SaveRules(_)
            | C::ApplyRules
            | C::ReviewSuggestions { .. }
            | C::ReviewSelectedSuggestions(_)
            | C::AskSuggestionBulk(_)
            | C::CancelSuggestionBulk) => self.apply_rules_command(ctx, c),
            c @ (C::SelectShape(_)
            | C::ChangeShapes { .. }
            | C::EditSelectedShape(_)
            | C::SetDrawLabel(_)
            | C::DeleteSelection(_)
            | C::CopyShape
            | C::PasteShape { .. }
            | C::PropagateShape { .. }
            | C::SetLabelSet(_)
            | C::ExportAnnotations(_)
            | C::ImportAnnotations(_)
            | C::ShowAnnotator { .. }
            | C::EditLabelDraft(_)
            | C::SetNoteDraft(..)
            | C::SetMorphDistance(_)
            | C::SetSimplifyTolerance(_)) => self.apply_annotation(ctx, c),
            c @ (C::SetSegmentOptions { .. } | C::SegmentAt(_) | C::FillBetween) => {
                self.apply_segment(ctx, c)
            }
            c @ (C::BrushStroke { .. }
            | C::SetBrushRadius(_)
            | C::SeedStroke { .. }
            | C::AcceptSeeds
            | C::ClearSeeds
            | C::SetSeedSlab(_)
            | C::DismissRefill) => self.apply_assist(ctx, c),
            c @ (C::SetModelServer(_) | C::FetchModels | C::SetModel(_) | C::SegmentWithModel) => {
                self.apply_model(ctx, c)
            }
            c @ (C::DescribeDataset
            | C::SetAgreementPair { .. }
            | C::CompareAnnotators
            | C::SetSplitParams { .. }
            | C::MakeSplit
            | C::LoadSplit(_)
            | C::SaveSplit(_)
            | C::ShowImage { .. }) => self.apply_dataset(ctx, c),
            C::Pacs(c) => self.apply_pacs(ctx, c),
            C::Mpr(c) => self.apply_mpr(ctx, c),
            c @ (C::OpenFolder(_)
            | C::SetLanguage(_)
            | C::SetCacheMib(_)
            | C::SetReviewer(_)
            | C::SetFreehandTolerance(_)
            | C::SetGraphics(_)
            | C::ShowWindow { .. }
            | C::Quit) => self.apply_settings(ctx, c),
        }
    }
}

/// Reports a command routed to a domain that does not handle it (a bug in
/// [`LightboxApp::apply`]'s routing): loud in debug builds, ignored in release.
fn misrouted(domain: &str, command: &Command) {
    debug_assert!(false, "{command:?} routed to {domain}");
}
