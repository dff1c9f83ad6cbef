//! Agreement between two readers of a release (issue 14): how far the shapes and
//! decisions of a test annotator (another team, a model's output imported as an
//! annotator) agree with a reference annotator's.
//!
//! - **Segmentation** ([`segmentation`]), per frame and label: the union of each
//!   annotator's area shapes as a pixel mask by the one inclusion rule
//!   ([`crate::annotate::raster`]); Dice, Jaccard and the surface distances of
//!   [`surface`] in mm through the pixel spacing. Per series and label in 3-D with
//!   volumes ([`volume`]). The mean Dice has a bootstrap interval by patient
//!   ([`bootstrap`]).
//! - **Detection** ([`detection`]): each area shape is a finding, matched one to one
//!   by IoU; with a model's scores, COCO's AP and the FROC ([`scored`]).
//! - **Classification** ([`calls`]): labels, grades and keep/drop ([`keep_drop`]) per
//!   study and series, with [`classify`]'s rates and Wilson intervals; with scores,
//!   ROC and AUC.
//!
//! `docs/agreement.md` describes every field of the result.

pub mod bootstrap;
pub mod calls;
pub mod classify;
pub mod detection;
pub mod keep_drop;
pub mod region;
pub mod report;
pub mod scored;
pub mod segmentation;
pub mod surface;
pub mod volume;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::annotate::files::frames::FrameInfos;
use crate::annotate::shape::Shape;
use crate::claims::{ClaimsJoin, ClaimsTable};
use crate::dataset::facts::study_facts;
use crate::index::Index;
use crate::measure::SpacingSource;
use crate::review::{Decisions, ReleaseImages};
use crate::store::AuditEntry;
pub use bootstrap::BootstrapOptions;
pub use calls::{Classification, LabelCalls};
pub use detection::Detection;
use region::Region;
pub use segmentation::{ImageAgreement, MaskAgreement, Segmentation, mask_agreement};

/// Why two annotators cannot be compared.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AgreementError {
    /// An annotator named on the command line has no shape and no decision in the
    /// project.
    #[error("no shapes or decisions by {name:?}; the project's annotators are: {known}")]
    UnknownAnnotator {
        /// The name asked for.
        name: String,
        /// The annotators that have shapes or decisions, comma-separated.
        known: String,
    },
    /// The IoU threshold is not in (0, 1].
    #[error("the IoU threshold must be above 0 and at most 1, not {0}")]
    BadThreshold(String),
}

/// What a comparison reads from a project.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// Every shape of the project.
    pub shapes: &'a [Shape],
    /// Every image of the release.
    pub frames: &'a FrameInfos,
    /// The release's images, for keep/drop.
    pub release: &'a ReleaseImages,
    /// Each reviewer's explicit decisions ([`keep_drop::decisions_by_reviewer`]).
    pub decisions: &'a BTreeMap<String, Decisions>,
    /// Each study's patient (claims' `PATIENT_ID`, else DICOM Patient ID); a study
    /// missing here is its own patient.
    pub patients: &'a HashMap<String, String>,
}

/// What a comparison reads, owned: built once and handed to a worker thread.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// Every shape of the project.
    pub shapes: Vec<Shape>,
    /// Every image of the release.
    pub frames: FrameInfos,
    /// The release's images.
    pub release: ReleaseImages,
    /// Each reviewer's explicit decisions.
    pub decisions: BTreeMap<String, Decisions>,
    /// Each study's patient.
    pub patients: HashMap<String, String>,
}

impl Project {
    /// The project of release `index`: its `shapes`, the decisions of its audit
    /// `log`, and each study's patient from the claims when given (else DICOM).
    pub fn new(
        index: &Index,
        claims: Option<(&ClaimsTable, &ClaimsJoin)>,
        shapes: Vec<Shape>,
        log: &[AuditEntry],
    ) -> Self {
        let patients = study_facts(index, claims, &[])
            .into_iter()
            .map(|f| (f.study_uid, f.patient))
            .collect();
        Self {
            frames: FrameInfos::from_index(index),
            release: ReleaseImages::from_index(index),
            decisions: keep_drop::decisions_by_reviewer(log),
            patients,
            shapes,
        }
    }

    /// The project as [`compare`] reads it.
    pub fn inputs(&self) -> Inputs<'_> {
        Inputs {
            shapes: &self.shapes,
            frames: &self.frames,
            release: &self.release,
            decisions: &self.decisions,
            patients: &self.patients,
        }
    }
}

/// How to compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The IoU a test finding needs to match a reference finding, in (0, 1].
    pub iou_threshold: f64,
    /// The patient bootstrap of the Dice and AUC intervals.
    pub bootstrap: BootstrapOptions,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            iou_threshold: 0.5,
            bootstrap: BootstrapOptions::default(),
        }
    }
}

/// How a test annotator agrees with a reference annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// The reference annotator.
    pub reference: String,
    /// The test annotator.
    pub test: String,
    /// True when every area shape of the test carries a score (a model's output):
    /// AP, FROC and ROC are computed.
    pub scored: bool,
    /// Masks per frame and label, and per series.
    pub segmentation: Segmentation,
    /// Findings matched one to one.
    pub detection: Detection,
    /// Labels, grades and keep/drop per study and series.
    pub classification: Classification,
    /// Shapes left out, and why (an image the index does not hold).
    pub skipped: Vec<String>,
}

/// Patients as small indices, for the bootstrap.
pub(crate) struct Patients {
    of_study: HashMap<String, usize>,
    count: usize,
}

impl Patients {
    /// Numbers the patients of `frames`' studies.
    fn new(frames: &FrameInfos, patient_of_study: &HashMap<String, String>) -> Self {
        let studies: BTreeSet<&str> = frames.iter().map(|f| f.study_uid.as_str()).collect();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut of_study = HashMap::new();
        for study in studies {
            let patient = patient_of_study.get(study).map_or(study, String::as_str);
            let next = index.len();
            of_study.insert(study.to_owned(), *index.entry(patient).or_insert(next));
        }
        Self {
            count: index.len(),
            of_study,
        }
    }

    /// The patient of `study` (0 for a study not in the release).
    pub(crate) fn of(&self, study: &str) -> usize {
        self.of_study.get(study).copied().unwrap_or(0)
    }

    /// How many patients.
    pub(crate) fn count(&self) -> usize {
        self.count
    }
}

/// Where a shape is: image, frame, label.
type Place = (String, u32, String);

/// One place's findings: the reference's regions, the test's with their scores.
#[derive(Default)]
struct Findings {
    reference: Vec<Region>,
    test: Vec<(Region, Option<f64>)>,
}

/// One place compared: the table row, the masks, the detection counts.
struct PlaceResult<'p> {
    place: &'p Place,
    image: ImageAgreement,
    masks: [Region; 2],
    counts: [usize; 3],
}

/// Compares `test`'s shapes and decisions with `reference`'s.
///
/// # Errors
/// A name with neither shapes nor decisions, or an IoU threshold outside (0, 1].
pub fn compare(
    inputs: &Inputs<'_>,
    reference: &str,
    test: &str,
    options: Options,
) -> Result<Agreement, AgreementError> {
    let iou_threshold = options.iou_threshold;
    if !(iou_threshold > 0.0 && iou_threshold <= 1.0) {
        return Err(AgreementError::BadThreshold(iou_threshold.to_string()));
    }
    check_names(inputs, [reference, test])?;
    let (by_place, skipped) = findings(inputs, reference, test);
    let scored = by_place.values().any(|f| !f.test.is_empty())
        && by_place
            .values()
            .all(|f| f.test.iter().all(|(_, s)| s.is_some()));
    let places: Vec<(&Place, &Findings)> = by_place.iter().collect();
    let results: Vec<PlaceResult<'_>> = places
        .par_iter()
        .filter_map(|&(place, f)| compare_place(inputs.frames, place, f, iou_threshold))
        .collect();
    let mut counts = detection::Counts::default();
    for r in &results {
        counts.add(r.counts[0], r.counts[1], r.counts[2]);
    }
    let mut detection = counts.finish(iou_threshold);
    if scored {
        let (ap, froc) = scored_detection(inputs.frames, &places, iou_threshold);
        (detection.ap, detection.froc) = (Some(ap), froc);
    }
    let patients = Patients::new(inputs.frames, inputs.patients);
    let segmentation = segmentation(inputs.frames, &results, &patients, options.bootstrap);
    Ok(Agreement {
        reference: reference.to_owned(),
        test: test.to_owned(),
        scored,
        segmentation,
        detection,
        classification: calls::classification(
            inputs,
            &patients,
            reference,
            test,
            scored,
            options.bootstrap,
        ),
        skipped,
    })
}

/// Refuses a name with neither shapes nor decisions.
fn check_names(inputs: &Inputs<'_>, names: [&str; 2]) -> Result<(), AgreementError> {
    let known: BTreeSet<&str> = inputs
        .shapes
        .iter()
        .map(|s| s.annotator.as_str())
        .chain(
            inputs
                .decisions
                .iter()
                .filter(|(_, d)| !d.is_empty())
                .map(|(name, _)| name.as_str()),
        )
        .collect();
    match names.into_iter().find(|name| !known.contains(name)) {
        Some(name) => Err(AgreementError::UnknownAnnotator {
            name: name.to_owned(),
            known: known.iter().copied().collect::<Vec<_>>().join(", "),
        }),
        None => Ok(()),
    }
}

/// Each annotator's area shapes as regions, by frame and label; and the shapes left
/// out.
fn findings(
    inputs: &Inputs<'_>,
    reference: &str,
    test: &str,
) -> (BTreeMap<Place, Findings>, Vec<String>) {
    let mut by_place: BTreeMap<Place, Findings> = BTreeMap::new();
    let mut skipped = Vec::new();
    for s in inputs.shapes.iter().filter(|s| s.kind.is_area()) {
        let is_reference = s.annotator == reference;
        if !is_reference && s.annotator != test {
            continue;
        }
        let Some(info) = inputs.frames.get(&s.image.sop_uid) else {
            skipped.push(format!(
                "shape {} of {}: image {} is not in the release",
                s.id, s.annotator, s.image.sop_uid
            ));
            continue;
        };
        let place = (s.image.sop_uid.clone(), s.image.frame, s.label.clone());
        let region = Region::of_ring(&s.points, info.rows, info.cols);
        let f = by_place.entry(place).or_default();
        if is_reference {
            f.reference.push(region);
        } else {
            f.test.push((region, s.score));
        }
    }
    (by_place, skipped)
}

/// One frame and label: masks, Dice and distances, detection counts.
fn compare_place<'p>(
    frames: &FrameInfos,
    place: &'p Place,
    f: &Findings,
    iou_threshold: f64,
) -> Option<PlaceResult<'p>> {
    let (sop_uid, frame, label) = place;
    let info = frames.get(sop_uid)?;
    let tests: Vec<Region> = f.test.iter().map(|(r, _)| r.clone()).collect();
    let matched = detection::match_findings(&f.reference, &tests, iou_threshold);
    let a = f
        .reference
        .iter()
        .fold(Region::default(), |u, r| u.union(r));
    let b = tests.iter().fold(Region::default(), |u, r| u.union(r));
    let m = mask_agreement(&a, &b, [info.spacing.row_mm, info.spacing.col_mm]);
    let image = ImageAgreement {
        sop_uid: sop_uid.clone(),
        frame: *frame,
        label: label.clone(),
        study_uid: info.study_uid.clone(),
        series_uid: info.series_uid.clone(),
        reference_pixels: m.a_pixels,
        test_pixels: m.b_pixels,
        dice: m.dice,
        jaccard: m.jaccard,
        hd_mm: m.surface.map(|d| d.hd),
        hd95_mm: m.surface.map(|d| d.hd95),
        assd_mm: m.surface.map(|d| d.assd),
        calibrated: info.spacing.source != SpacingSource::None,
    };
    Some(PlaceResult {
        place,
        image,
        masks: [a, b],
        counts: [matched, f.reference.len(), tests.len()],
    })
}

/// The per-frame table worst first, the per-series volumes, the mean Dice and its
/// interval.
fn segmentation(
    frames: &FrameInfos,
    results: &[PlaceResult<'_>],
    patients: &Patients,
    bootstrap: BootstrapOptions,
) -> Segmentation {
    let masks: Vec<volume::FrameMasks<'_>> = results
        .iter()
        .map(|r| volume::FrameMasks {
            sop_uid: &r.place.0,
            frame: r.place.1,
            label: &r.place.2,
            reference: &r.masks[0],
            test: &r.masks[1],
        })
        .collect();
    let per_series = volume::per_series(&masks, frames);
    let mut per_image: Vec<ImageAgreement> = results.iter().map(|r| r.image.clone()).collect();
    per_image.sort_by(|x, y| x.dice.total_cmp(&y.dice));
    let dice_mean = bootstrap::mean(per_image.iter().map(|p| p.dice));
    let dice_mean_ci = bootstrap::by_patient(
        &per_image,
        |p| patients.of(&p.study_uid),
        patients.count(),
        bootstrap,
        |sample| bootstrap::mean(sample.iter().map(|p| p.dice)),
    );
    Segmentation {
        per_image,
        per_series,
        dice_mean,
        dice_mean_ci,
    }
}

/// COCO's AP and the FROC of the scored test findings; false positives per image
/// divide by every frame of the release.
fn scored_detection(
    frames: &FrameInfos,
    places: &[(&Place, &Findings)],
    iou_threshold: f64,
) -> (scored::AveragePrecision, Option<scored::Froc>) {
    let tests: Vec<Vec<(Region, f64)>> = places
        .iter()
        .map(|(_, f)| {
            f.test
                .iter()
                .map(|(r, s)| (r.clone(), s.unwrap_or(f64::NEG_INFINITY)))
                .collect()
        })
        .collect();
    let scored_frames: Vec<scored::ScoredFrame<'_>> = places
        .iter()
        .zip(&tests)
        .map(|((place, f), tests)| scored::ScoredFrame {
            label: &place.2,
            references: &f.reference,
            tests,
        })
        .collect();
    let matches = scored::match_frames(&scored_frames, iou_threshold);
    let images: usize = frames.iter().map(|f| f.frames.max(1) as usize).sum();
    (
        scored::average_precision(&matches),
        scored::froc(&matches, images),
    )
}
