//! Agreement between two readers of a release (issue 14): how far the shapes of a
//! test annotator (another team, a model's output imported as an annotator) agree with
//! a reference annotator's.
//!
//! - **Segmentation**, per frame and label: the union of each annotator's area shapes
//!   as a pixel mask by the one inclusion rule ([`crate::annotate::raster`]); Dice,
//!   Jaccard and the surface distances of [`surface`] in mm through the pixel spacing.
//! - **Detection**: each area shape is a finding; a test finding matches a reference
//!   finding of the same label on the same frame when their mask IoU reaches the
//!   threshold, one to one, greedily by IoU; true and false positives, misses, recall,
//!   precision, F1.
//!
//! Classification, scores (AP, FROC, ROC), per-series 3-D metrics and confidence
//! intervals come later (the remaining parts).

pub mod bootstrap;
pub mod classify;
pub mod keep_drop;
pub mod region;
pub mod scored;
pub mod surface;
pub mod volume;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::annotate::files::frames::FrameInfos;
use crate::annotate::shape::Shape;
use crate::measure::SpacingSource;
use region::Region;

/// Why two annotators cannot be compared.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AgreementError {
    /// An annotator named on the command line has no shape in the project.
    #[error("no shapes by annotator {name:?}; the project's annotators are: {known}")]
    UnknownAnnotator {
        /// The name asked for.
        name: String,
        /// The annotators that have shapes, comma-separated.
        known: String,
    },
    /// The IoU threshold is not in (0, 1].
    #[error("the IoU threshold must be above 0 and at most 1, not {0}")]
    BadThreshold(String),
}

/// The agreement on one frame and label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageAgreement {
    /// The image.
    pub sop_uid: String,
    /// The frame, from 1.
    pub frame: u32,
    /// The label.
    pub label: String,
    /// The image's study.
    pub study_uid: String,
    /// The image's series.
    pub series_uid: String,
    /// Pixels in the reference's and the test's mask.
    pub reference_pixels: u64,
    /// Pixels in the test's mask.
    pub test_pixels: u64,
    /// 2|A∩B| / (|A| + |B|).
    pub dice: f64,
    /// |A∩B| / |A∪B|.
    pub jaccard: f64,
    /// Hausdorff distance, mm (pixels when the image has no spacing); `None` when one
    /// mask is empty.
    pub hd_mm: Option<f64>,
    /// 95th percentile surface distance.
    pub hd95_mm: Option<f64>,
    /// Average symmetric surface distance.
    pub assd_mm: Option<f64>,
    /// False when the image has no pixel spacing and distances are in pixels.
    pub calibrated: bool,
}

/// The segmentation part of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segmentation {
    /// Every frame and label either annotator drew an area on, worst Dice first.
    pub per_image: Vec<ImageAgreement>,
    /// The mean Dice over those (`None` without any).
    pub dice_mean: Option<f64>,
}

/// The detection part of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// The IoU a match needs.
    pub iou_threshold: f64,
    /// Test findings matched to a reference finding.
    pub tp: u64,
    /// Test findings matched to none.
    pub fp: u64,
    /// Reference findings no test finding matched.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// tp / (tp + fn): the lesion localisation rate.
    pub recall: Option<f64>,
    /// tp / (tp + fp).
    pub precision: Option<f64>,
    /// 2 tp / (2 tp + fp + fn).
    pub f1: Option<f64>,
}

/// Whether both annotators called a label on a study (or series).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelCalls {
    /// The label.
    pub label: String,
    /// `study` or `series`.
    pub level: &'static str,
    /// The test's calls against the reference's, over every study (series) of the
    /// release: positive when the annotator drew any shape of the label on it.
    #[serde(flatten)]
    pub calls: classify::Binary,
}

/// The classification part of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// Studies of the release.
    pub studies: usize,
    /// Series of the release.
    pub series: usize,
    /// Per label, per study and per series.
    pub labels: Vec<LabelCalls>,
    /// Linear-weighted kappa of the highest suspicion grade each annotator gave each
    /// study (`none` where they drew nothing).
    pub grade_kappa: Option<f64>,
}

/// How a test annotator agrees with a reference annotator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// The reference annotator.
    pub reference: String,
    /// The test annotator.
    pub test: String,
    /// Masks per frame and label.
    pub segmentation: Segmentation,
    /// Findings matched one to one.
    pub detection: Detection,
    /// Labels and grades per study and series.
    pub classification: Classification,
    /// Shapes left out, and why (an image the index does not hold).
    pub skipped: Vec<String>,
}

/// Where a shape is: image, frame, label.
type Place = (String, u32, String);

/// Compares `test`'s area shapes with `reference`'s on the frames of `frames`.
///
/// # Errors
/// An annotator without shapes, or an IoU threshold outside (0, 1].
pub fn compare(
    shapes: &[Shape],
    frames: &FrameInfos,
    reference: &str,
    test: &str,
    iou_threshold: f64,
) -> Result<Agreement, AgreementError> {
    if !(iou_threshold > 0.0 && iou_threshold <= 1.0) {
        return Err(AgreementError::BadThreshold(iou_threshold.to_string()));
    }
    let known: BTreeSet<&str> = shapes.iter().map(|s| s.annotator.as_str()).collect();
    for name in [reference, test] {
        if !known.contains(name) {
            return Err(AgreementError::UnknownAnnotator {
                name: name.to_owned(),
                known: known.iter().copied().collect::<Vec<_>>().join(", "),
            });
        }
    }
    // Each annotator's area shapes as regions, by frame and label.
    let mut by_place: BTreeMap<Place, [Vec<Region>; 2]> = BTreeMap::new();
    let mut skipped = Vec::new();
    for s in shapes.iter().filter(|s| s.kind.is_area()) {
        let side = match s.annotator.as_str() {
            a if a == reference => 0,
            a if a == test => 1,
            _ => continue,
        };
        let Some(info) = frames.get(&s.image.sop_uid) else {
            skipped.push(format!(
                "shape {} of {}: image {} is not in the release",
                s.id, s.annotator, s.image.sop_uid
            ));
            continue;
        };
        let place = (s.image.sop_uid.clone(), s.image.frame, s.label.clone());
        let region = Region::of_ring(&s.points, info.rows, info.cols);
        by_place.entry(place).or_default()[side].push(region);
    }
    // Frames are independent: one per worker thread at a time.
    let places: Vec<(&Place, &[Vec<Region>; 2])> = by_place.iter().collect();
    let results: Vec<(ImageAgreement, [usize; 3])> = places
        .par_iter()
        .filter_map(|((sop_uid, frame, label), [refs, tests])| {
            let info = frames.get(sop_uid)?;
            let matched = match_findings(refs, tests, iou_threshold);
            let a = refs.iter().fold(Region::default(), |u, r| u.union(r));
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
            Some((image, [matched, refs.len(), tests.len()]))
        })
        .collect();
    let mut detection = Counts::default();
    let mut per_image = Vec::with_capacity(results.len());
    for (image, [matched, refs, tests]) in results {
        detection.add(matched, refs, tests);
        per_image.push(image);
    }
    per_image.sort_by(|x, y| x.dice.total_cmp(&y.dice));
    let dice_mean = (!per_image.is_empty())
        .then(|| per_image.iter().map(|p| p.dice).sum::<f64>() / per_image.len() as f64);
    Ok(Agreement {
        reference: reference.to_owned(),
        test: test.to_owned(),
        segmentation: Segmentation {
            per_image,
            dice_mean,
        },
        detection: detection.finish(iou_threshold),
        classification: classification(shapes, frames, reference, test),
        skipped,
    })
}

/// The shapes of one annotator.
fn by<'a>(shapes: &'a [Shape], annotator: &'a str) -> impl Iterator<Item = &'a Shape> + 'a {
    shapes.iter().filter(move |s| s.annotator == annotator)
}

/// Labels per study and series, and the grades per study, of the two annotators.
fn classification(
    shapes: &[Shape],
    frames: &FrameInfos,
    reference: &str,
    test: &str,
) -> Classification {
    let studies: BTreeSet<&str> = frames.iter().map(|f| f.study_uid.as_str()).collect();
    let series: BTreeSet<&str> = frames.iter().map(|f| f.series_uid.as_str()).collect();
    let labels: BTreeSet<&str> = by(shapes, reference)
        .chain(by(shapes, test))
        .map(|s| s.label.as_str())
        .collect();
    let mut out = Vec::new();
    for label in labels {
        for (level, items) in [("study", &studies), ("series", &series)] {
            let calls = |annotator: &str| -> Vec<bool> {
                let called: BTreeSet<&str> = by(shapes, annotator)
                    .filter(|s| s.label == label)
                    .map(|s| match level {
                        "study" => s.image.study_uid.as_str(),
                        _ => s.image.series_uid.as_str(),
                    })
                    .collect();
                items.iter().map(|i| called.contains(i)).collect()
            };
            out.push(LabelCalls {
                label: label.to_owned(),
                level,
                calls: classify::binary(&calls(reference), &calls(test)),
            });
        }
    }
    // Each annotator's highest grade per study, in one pass over the shapes.
    let highest = |annotator: &str| -> Vec<usize> {
        let mut max: HashMap<&str, usize> = HashMap::new();
        for s in by(shapes, annotator) {
            let m = max.entry(s.image.study_uid.as_str()).or_default();
            *m = (*m).max(s.grade as usize);
        }
        studies
            .iter()
            .map(|st| max.get(st).copied().unwrap_or(0))
            .collect()
    };
    Classification {
        studies: studies.len(),
        series: series.len(),
        labels: out,
        grade_kappa: classify::kappa(
            &highest(reference),
            &highest(test),
            crate::annotate::shape::Grade::ALL.len(),
            classify::Weights::Linear,
        ),
    }
}

/// How two masks of one frame agree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaskAgreement {
    /// Pixels of the first mask.
    pub a_pixels: u64,
    /// Pixels of the second mask.
    pub b_pixels: u64,
    /// 2|A∩B| / (|A| + |B|); 0 when both are empty.
    pub dice: f64,
    /// |A∩B| / |A∪B|; 0 when both are empty.
    pub jaccard: f64,
    /// The surface distances, in the unit of the spacing; `None` when a mask is empty.
    pub surface: Option<surface::SurfaceDistances>,
}

/// Dice, Jaccard and the surface distances of masks `a` and `b` with `spacing` =
/// [row step, column step]. The distances are computed over the masks' bounding box
/// only: outside it, no pixel is in either mask.
pub fn mask_agreement(a: &Region, b: &Region, spacing: [f64; 2]) -> MaskAgreement {
    let inter = a.intersection_area(b) as f64;
    let (na, nb) = (a.area(), b.area());
    let sum = (na + nb) as f64;
    // No distances when a mask is empty; else over the box holding both.
    let surface = a.bounds().zip(b.bounds()).and_then(|(x, y)| {
        let (row0, col0) = (x[0].min(y[0]), x[1].min(y[1]));
        let row_end = (x[0] + x[2]).max(y[0] + y[2]);
        let col_end = (x[1] + x[3]).max(y[1] + y[3]);
        let frame = [row0, col0, row_end - row0, col_end - col0];
        let (rows, cols) = (frame[2] as usize, frame[3] as usize);
        surface::surface_distances(&a.grid(frame), &b.grid(frame), rows, cols, spacing)
    });
    MaskAgreement {
        a_pixels: na,
        b_pixels: nb,
        dice: if sum > 0.0 { 2.0 * inter / sum } else { 0.0 },
        jaccard: if sum - inter > 0.0 {
            inter / (sum - inter)
        } else {
            0.0
        },
        surface,
    }
}

/// How many test findings match a reference finding one to one: pairs by IoU,
/// highest first, each finding used once, IoU at least `threshold`.
fn match_findings(refs: &[Region], tests: &[Region], threshold: f64) -> usize {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, r) in refs.iter().enumerate() {
        for (j, t) in tests.iter().enumerate() {
            if let Some(iou) = r.iou(t).filter(|&iou| iou >= threshold) {
                pairs.push((iou, i, j));
            }
        }
    }
    // Highest IoU first; ties by position, so the result does not depend on sorting.
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let (mut used_r, mut used_t) = (vec![false; refs.len()], vec![false; tests.len()]);
    let mut matched = 0;
    for (_, i, j) in pairs {
        if !used_r[i] && !used_t[j] {
            used_r[i] = true;
            used_t[j] = true;
            matched += 1;
        }
    }
    matched
}

/// Detection counts summed over frames.
#[derive(Debug, Default)]
struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Counts {
    /// Adds one frame and label: `matched` pairs among `refs` reference and `tests`
    /// test findings.
    fn add(&mut self, matched: usize, refs: usize, tests: usize) {
        let tp = matched as u64;
        self.tp += tp;
        self.fp += tests as u64 - tp;
        self.fn_ += refs as u64 - tp;
    }

    /// The rates.
    fn finish(self, iou_threshold: f64) -> Detection {
        let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        Detection {
            iou_threshold,
            tp: self.tp,
            fp: self.fp,
            fn_: self.fn_,
            recall: ratio(self.tp, self.tp + self.fn_),
            precision: ratio(self.tp, self.tp + self.fp),
            f1: ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_),
        }
    }
}
