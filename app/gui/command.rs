//! Every change the user makes goes through one [`Command`], applied in one place.
//!
//! UI functions return commands instead of mutating state; `LightboxApp::apply`
//! is the only writer. Undo/redo and autosave (review and annotation issues) hook
//! in there, once, instead of in every widget.

use std::path::PathBuf;

use super::annotate_tool::ShapeSelection;
use super::annotate_ui::{AnnotationExport, ShapeEdit};
use super::graphics::GraphicsSetting;
use super::measure_tool::{Measurement, Tool};
use super::mpr_ui::MprCommand;
use super::pacs_ui::PacsCommand;
use super::review_ui::{BulkConfirm, ExportForm, ReviewFilter, SuggestionBulk};
use super::state::Layout;
use crate::annotate::{LabelSet, Shape};
use crate::i18n::Language;
use crate::loader::FrameKey;
use crate::review::{Decision, Target};
use crate::window::Window;

/// A series, named by UIDs (stable across rescans).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeriesRef {
    /// Study Instance UID.
    pub study_uid: String,
    /// Series Instance UID.
    pub series_uid: String,
}

/// A node of the browser tree: what a selection or a decision names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Node {
    /// A study, by Study Instance UID.
    Study(String),
    /// A series.
    Series(SeriesRef),
}

/// Which VOI a preset key asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum VoiChoice {
    /// A window (preset or dragged).
    Window(Window),
    /// The file's n-th window or VOI LUT.
    File(usize),
    /// Minimum to maximum of the frame.
    AutoMinMax,
    /// 1st to 99th percentile of the frame.
    AutoPercentile,
}

/// A user action.
#[must_use]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Scan a folder and show it.
    OpenFolder(PathBuf),
    /// Switch the UI language.
    SetLanguage(Language),
    /// Change the viewport layout.
    SetLayout(Layout),
    /// Show a series in a viewport.
    ShowSeries {
        /// Viewport index.
        viewport: usize,
        /// The series.
        series: SeriesRef,
    },
    /// Make a viewport the one keys act on.
    Activate(usize),
    /// Move through the stack by `delta` images.
    Scroll {
        /// Viewport index.
        viewport: usize,
        /// Images to move (negative: back).
        delta: i64,
    },
    /// Jump to the first or last image.
    ScrollToEnd {
        /// Viewport index.
        viewport: usize,
        /// True for the last image.
        last: bool,
    },
    /// Set the VOI.
    SetVoi {
        /// Viewport index.
        viewport: usize,
        /// The VOI.
        voi: VoiChoice,
        /// Its display name (preset name or "file window 1").
        label: String,
    },
    /// Zoom by a factor about a point of the viewport (points from its centre).
    Zoom {
        /// Viewport index.
        viewport: usize,
        /// Multiplier.
        factor: f32,
        /// Fixed point, relative to the viewport centre, in points.
        anchor: [f32; 2],
    },
    /// Move the image by screen points.
    Pan {
        /// Viewport index.
        viewport: usize,
        /// Offset in points.
        delta: [f32; 2],
    },
    /// Fit the image to the viewport.
    Fit(usize),
    /// One image pixel per screen pixel.
    ActualPixels(usize),
    /// Back to the file's window, fit, no rotation.
    Reset(usize),
    /// Toggle inversion.
    Invert(usize),
    /// Rotate by quarter turns (positive: clockwise).
    Rotate {
        /// Viewport index.
        viewport: usize,
        /// Quarter turns.
        quarter_turns: i32,
    },
    /// Mirror the image.
    Flip {
        /// Viewport index.
        viewport: usize,
        /// Left↔right when true, top↔bottom otherwise.
        horizontal: bool,
    },
    /// Start or stop cine.
    ToggleCine(usize),
    /// Cine speed.
    SetCineFps(f32),
    /// Show or hide the tag panel.
    ToggleTags,
    /// Show or hide the overlays.
    ToggleOverlays,
    /// Link scrolling of viewports that share a Frame of Reference.
    ToggleLinkedScrolling,
    /// Show the active series' prior (same patient, modality and body part, the latest
    /// earlier study) in the next viewport, side by side, scrolling linked.
    CompareWithPrior,
    /// Put the 3-D cursor at a point of viewport `viewport`'s image; every viewport in
    /// the same frame of reference moves to the slice nearest to it.
    SetCursor3d {
        /// The viewport clicked.
        viewport: usize,
        /// The point, image coordinates of its current frame.
        point_in_image: [f64; 2],
    },
    /// Lay out the active series' study by its hanging protocol.
    ApplyHanging,
    /// Replace the hanging protocols (Settings).
    SetHangingProtocols(Vec<crate::hanging::HangingProtocol>),
    /// Apply hanging protocols when a study opens, or not.
    SetApplyHanging(bool),
    /// Link the other viewports to the active one at the slices they show now (a
    /// registration offset for series in different frames of reference).
    LinkHere,
    /// Choose what a left drag does.
    SetTool(Tool),
    /// Keep a finished measurement on an image.
    AddMeasurement {
        /// The image (frame) it belongs to.
        key: FrameKey,
        /// The measurement.
        measurement: Measurement,
    },
    /// Select a browser node; a series is also shown in the active viewport.
    Select(Node),
    /// Select the study or series `n` rows down the browser (negative: up).
    StepNode(i32),
    /// Select the study of the selected series, or collapse the selected study.
    SelectParent,
    /// Expand the selected study and select its first series.
    SelectChild,
    /// Show or hide the series of a study in the browser.
    ToggleCollapsed(String),
    /// Set a decision on nodes (stored at once, one undo step).
    Decide {
        /// What the log and the undo menu call it.
        label: String,
        /// The nodes.
        targets: Vec<Target>,
        /// The decision.
        decision: Decision,
        /// The reviewer's reason.
        reason: String,
    },
    /// Decide the image the active viewport shows.
    DecideCurrentImage(Decision),
    /// Decide the selected browser node (or the series shown, when nothing is selected).
    DecideSelected(Decision),
    /// Undo the last decision command.
    Undo,
    /// Redo the last undone decision command.
    Redo,
    /// Select the next (1) or previous (-1) study that has undecided images.
    NextUndecided(i32),
    /// Change the review filters of the browser.
    SetReviewFilter(ReviewFilter),
    /// Ask to confirm a bulk decision.
    AskBulk(BulkConfirm),
    /// Apply the bulk decision awaiting confirmation.
    ConfirmBulk,
    /// Drop the bulk decision awaiting confirmation.
    CancelBulk,
    /// Import a keep-list or decisions csv.
    ImportDecisions(PathBuf),
    /// Open the keep-list export window.
    OpenExport,
    /// Close it.
    CloseExport,
    /// Write the keep-list as the export window says.
    ExportKeepList,
    /// Write the summary csv.
    ExportSummary(PathBuf),
    /// Write the explicit decisions as a decisions csv.
    ExportDecisions(PathBuf),
    /// Move the project store.
    SaveProjectAs(PathBuf),
    /// Accept that the release's images changed since the store was made.
    AcceptChangedImages,
    /// Decoded-frame cache budget in MiB.
    SetCacheMib(u64),
    /// Remove the newest measurement of the image a viewport shows.
    DeleteLastMeasurement(usize),
    /// Select an annotation shape (or nothing).
    SelectShape(Option<ShapeSelection>),
    /// Change shapes (draw, edit, move, delete): one store command, one undo step.
    ChangeShapes {
        /// What the log and the undo menu call it.
        label: String,
        /// Each shape's new state by id (`None` deletes it).
        changes: Vec<(String, Option<Shape>)>,
    },
    /// Apply an edit (label, attributes, geometry) to the selected shape.
    EditSelectedShape(ShapeEdit),
    /// The label new shapes get (digit keys while an annotation tool is active).
    SetDrawLabel(String),
    /// Delete the selected vertex, else the selected shape, else the newest
    /// measurement of the image the viewport shows.
    DeleteSelection(usize),
    /// Copy the selected shape.
    CopyShape,
    /// Paste the copied shape (or a shape's JSON text) on the frame a viewport shows.
    PasteShape {
        /// Viewport index.
        viewport: usize,
        /// Clipboard text from the system, if the paste came with any.
        text: Option<String>,
    },
    /// Copy the selected shape to the next (1) or previous (-1) slice and go there.
    PropagateShape {
        /// Viewport index.
        viewport: usize,
        /// Slices to move.
        delta: i64,
    },
    /// Replace the project's label set.
    SetLabelSet(LabelSet),
    /// Write the annotations in a format to a folder (or file, for our JSON).
    ExportAnnotations(AnnotationExport),
    /// Import an annotation file (ours) and merge it into the project.
    ImportAnnotations(PathBuf),
    /// Replace the rules editor's text (an edit, or the default rules).
    EditRules(String),
    /// Load a rules file into the editor.
    LoadRules(PathBuf),
    /// Save the editor's rules to a file.
    SaveRules(PathBuf),
    /// Store what the current rules propose as the project's suggestions.
    ApplyRules,
    /// Accept (or reject) suggestions by id: one command, one undo step.
    ReviewSuggestions {
        /// The suggestions ([`crate::review::suggestion::Suggestion::id`]).
        ids: Vec<String>,
        /// Accept (true) or reject.
        accept: bool,
    },
    /// Accept (or reject) the pending suggestions about the selected node (Y, Shift+Y).
    ReviewSelectedSuggestions(bool),
    /// Ask to confirm accepting or rejecting the suggestions of the filtered series.
    AskSuggestionBulk(SuggestionBulk),
    /// Drop that question.
    CancelSuggestionBulk,
    /// Open or close a window of the viewer.
    ShowWindow {
        /// The window.
        window: WindowKind,
        /// Open (true) or closed.
        open: bool,
    },
    /// Close the viewer (File ▸ Quit).
    Quit,
    /// Show a tab of the right panel.
    SetSideTab(SideTab),
    /// The browser's text filter, as typed.
    SetBrowserFilter(String),
    /// The tag panel's search text, as typed.
    SetTagFilter(String),
    /// The reason stored with the next decisions, as typed.
    SetReason(String),
    /// The reviewer's name stored with decisions and shapes (settings).
    SetReviewer(String),
    /// How far freehand strokes are simplified, in mm (settings).
    SetFreehandTolerance(f64),
    /// The graphics backend tried first at the next start (settings).
    SetGraphics(GraphicsSetting),
    /// The project code of keep-list file names (export window).
    SetProjectCode(String),
    /// The export window's choices, as edited.
    EditExport(ExportForm),
    /// Show or hide the shapes of one annotator.
    ShowAnnotator {
        /// The annotator's name.
        annotator: String,
        /// Shown (true) or hidden.
        shown: bool,
    },
    /// The label-set editor's draft (`None` closes the editor).
    EditLabelDraft(Option<LabelSet>),
    /// The selected shape's note as typed: shape id and text.
    SetNoteDraft(String, String),
    /// The distance of grow, shrink, opening and closing, in mm.
    SetMorphDistance(f64),
    /// The tolerance of simplification, in mm.
    SetSimplifyTolerance(f64),
    /// Describe the open release (Dataset tab), off the UI thread.
    DescribeDataset,
    /// The two annotators the Dataset tab compares.
    SetAgreementPair {
        /// The reference annotator.
        reference: String,
        /// The test annotator.
        test: String,
    },
    /// Compare them, off the UI thread.
    CompareAnnotators,
    /// The click-to-segment tool's options.
    SetSegmentOptions {
        /// Grow through the series instead of the frame.
        three_d: bool,
        /// The typed window; `None`: automatic from the values around the click.
        window: Option<[f64; 2]>,
    },
    /// Click-to-segment at this image point of the active viewport's frame.
    SegmentAt([f64; 2]),
    /// Fill the frames between the reviewer's outlines of the label for new shapes
    /// on the active viewport's series (interpolation), off the UI thread.
    FillBetween,
    /// A brush or eraser stroke on the active viewport's frame.
    BrushStroke {
        /// The shape edited; `None`: a brush paints a new shape, an eraser does nothing.
        target: Option<String>,
        /// The stroke, image pixel coordinates.
        stroke: Vec<[f64; 2]>,
        /// Cut (eraser) instead of add (brush).
        erase: bool,
    },
    /// The brush's and eraser's radius, in mm.
    SetBrushRadius(f64),
    /// A grow-from-seeds stroke on the active viewport's frame; the proposal is grown
    /// again off the UI thread.
    SeedStroke {
        /// The stroke, image pixel coordinates.
        points: Vec<[f64; 2]>,
        /// A background stroke (else one of the label for new shapes).
        background: bool,
    },
    /// Store grow-from-seeds' proposal as shapes (one undo step).
    AcceptSeeds,
    /// Drop grow-from-seeds' strokes and proposal.
    ClearSeeds,
    /// Grow from seeds through this many frames on each side (0: the frame alone).
    SetSeedSlab(usize),
    /// The model server's address (`http://host:port`; empty: none, never contacted).
    SetModelServer(String),
    /// Ask the model server for its models, off the UI thread.
    FetchModels,
    /// The model the series is outlined with.
    SetModel(String),
    /// Send the active viewport's series to the model and store its outlines, off the
    /// UI thread.
    SegmentWithModel,
    /// Leave a fill between slices as it is after one of its key frames changed.
    DismissRefill,
    /// The Dataset tab's split settings, as typed.
    SetSplitParams {
        /// Train, validation and test shares (`70,15,15`).
        ratios: String,
        /// The seed.
        seed: u64,
        /// The attributes to stratify by (of [`crate::dataset::split::ATTRIBUTES`]).
        strata: Vec<String>,
    },
    /// Make a patient-level split of the open release (off the UI thread).
    MakeSplit,
    /// Show a split read from a csv (`PATIENT_ID,STUDY_INSTANCE_UID,SPLIT`).
    LoadSplit(PathBuf),
    /// Write the split shown as such a csv.
    SaveSplit(PathBuf),
    /// Show one frame of an image in the active viewport.
    ShowImage {
        /// Its series.
        series: SeriesRef,
        /// The image.
        sop_uid: String,
        /// The frame, from 1.
        frame: u32,
    },
    /// Settings ▸ PACS servers and the PACS window (File ▸ PACS…).
    Pacs(PacsCommand),
    /// The MPR mode (View ▸ MPR, Ctrl+M) and its views.
    Mpr(MprCommand),
}

impl From<MprCommand> for Command {
    fn from(c: MprCommand) -> Self {
        Self::Mpr(c)
    }
}

/// A window of the viewer that menus open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// File ▸ Settings.
    Settings,
    /// Help ▸ Keyboard shortcuts.
    Shortcuts,
    /// Help ▸ About.
    About,
    /// File ▸ PACS….
    Pacs,
}

/// The tabs of the right panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SideTab {
    /// Decisions on the selected node, counts, the decision log.
    #[default]
    Review,
    /// The claims of the study or series shown, and the patient's history.
    Claims,
    /// The DICOM tags of the current image.
    Tags,
    /// Annotation shapes: labels, attributes, measurements, geometry.
    Annotations,
    /// The pre-labelling rules, their counts and conflicts.
    Rules,
    /// The release as a dataset: description, agreement of two annotators.
    Dataset,
}
