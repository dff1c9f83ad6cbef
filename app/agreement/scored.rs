//! Scored findings: how well a model's scores rank its findings (issue 14).
//!
//! When a test annotator's shapes carry a `score` (a model's confidence), one operating
//! point (the detection counts) hides how the score trades hits for false alarms. The
//! three summaries the field reports are computed here exactly as the tools people check
//! them with define them, so numbers can be compared with published ones:
//!
//! - **AP** as pycocotools' `COCOeval` (`cocoeval.py`: `evaluateImg`, `accumulate`) for
//!   one IoU threshold, area range "all", no crowd regions and no limit on detections:
//!   test findings matched to reference findings in score order, then 101-point
//!   interpolated precision per label, and the mean over labels that have references.
//! - **FROC** (Chakraborty 1989; the CPM of LUNA16, Setio et al. 2017): sensitivity
//!   against false positives per image over the score thresholds, read at 1/8 … 8 FP
//!   per image and averaged.
//! - **ROC** and its area for per-item scores (e.g. a study's highest score against the
//!   reference's call), as scikit-learn's `roc_curve(drop_intermediate=False)` and
//!   `roc_auc_score`.
//!
//! Findings are matched once per frame and label ([`match_scored`], [`match_frames`]);
//! AP and FROC both read those matches. Scores should be finite: a NaN ranks last (as
//! in NumPy's sort), and −0 equals 0.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::region::Region;

/// The false-positive rates per image FROC is read at (LUNA16's CPM).
pub const FROC_FP_PER_IMAGE: [f64; 7] = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// One frame and label: the reference's findings and the test's, each with its score.
#[derive(Debug, Clone, Copy)]
pub struct ScoredFrame<'a> {
    /// The label.
    pub label: &'a str,
    /// The reference's findings.
    pub references: &'a [Region],
    /// The test's findings and their scores.
    pub tests: &'a [(Region, f64)],
}

/// A test finding after matching.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Matched {
    /// Its score.
    pub score: f64,
    /// Whether it matched a reference finding (a true positive).
    pub matched: bool,
}

/// The matches of one frame and label.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameMatches<'a> {
    /// The label.
    pub label: &'a str,
    /// How many reference findings the frame has.
    pub references: usize,
    /// The test findings, highest score first.
    pub tests: Vec<Matched>,
}

/// Average precision of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelAp {
    /// The label.
    pub label: String,
    /// Reference findings of the label, all frames.
    pub reference_findings: u64,
    /// Test findings of the label, all frames.
    pub test_findings: u64,
    /// COCO's 101-point AP; `None` without reference findings (COCO's −1).
    pub ap: Option<f64>,
}

/// COCO average precision at one IoU threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AveragePrecision {
    /// The mean of the labels' AP (COCO's AP at this threshold); `None` when no label
    /// has reference findings.
    pub ap: Option<f64>,
    /// Every label either annotator has a finding of, by name.
    pub per_label: Vec<LabelAp>,
}

/// One FROC operating point: the test findings scoring at least a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FrocPoint {
    /// The lowest score kept.
    pub score_threshold: f64,
    /// Matched reference findings / all reference findings.
    pub sensitivity: f64,
    /// Unmatched test findings kept / images.
    pub fp_per_image: f64,
}

/// The sensitivity FROC reaches at a false-positive rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FrocRead {
    /// The allowed false positives per image.
    pub fp_per_image: f64,
    /// The highest sensitivity of an operating point within that rate (0 if none).
    pub sensitivity: f64,
}

/// The free-response ROC over all frames and labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Froc {
    /// Reference findings, all frames and labels.
    pub reference_findings: u64,
    /// Images the false positives are divided by.
    pub images: usize,
    /// One point per distinct score, highest score first.
    pub curve: Vec<FrocPoint>,
    /// The sensitivity at each of [`FROC_FP_PER_IMAGE`].
    pub sensitivity_at: Vec<FrocRead>,
    /// The mean of those sensitivities (LUNA16's competition performance metric).
    pub cpm_sensitivity: f64,
}

/// One ROC operating point: items scoring at least a threshold called positive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RocPoint {
    /// The lowest score called positive.
    pub score_threshold: f64,
    /// Negatives called positive / negatives.
    pub false_positive_rate: f64,
    /// Positives called positive / positives (sensitivity).
    pub true_positive_rate: f64,
}

/// A ROC curve and its area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roc {
    /// Items that are truly positive.
    pub positives: u64,
    /// Items that are truly negative.
    pub negatives: u64,
    /// One point per distinct score, highest first (scikit-learn's curve without its
    /// leading threshold-∞ point; the curve starts at (0, 0) there).
    pub curve: Vec<RocPoint>,
    /// Area under the curve from (0, 0), trapezoid rule: the probability that a
    /// positive outscores a negative, ties counting ½.
    pub auc: f64,
}

/// Descending by score, NaN last (NumPy's sort of −score), −0 equal to 0.
fn by_score_desc(a: f64, b: f64) -> Ordering {
    a.is_nan()
        .cmp(&b.is_nan())
        .then_with(|| (b + 0.0).total_cmp(&(a + 0.0)))
}

/// A region with its pixel count and box, so a pair's IoU reads each region once.
struct Measured<'a> {
    region: &'a Region,
    area: u64,
    bounds: Option<[u32; 4]>,
}

impl<'a> Measured<'a> {
    fn new(region: &'a Region) -> Self {
        Self {
            region,
            area: region.area(),
            bounds: region.bounds(),
        }
    }

    /// [`Region::iou`], 0 when boxes are apart or both regions are empty.
    fn iou(&self, other: &Self) -> f64 {
        let (Some(a), Some(b)) = (self.bounds, other.bounds) else {
            return 0.0;
        };
        let apart = |i: usize| a[i] >= b[i] + b[i + 2] || b[i] >= a[i] + a[i + 2];
        if apart(0) || apart(1) {
            return 0.0;
        }
        let inter = self.region.intersection_area(other.region);
        inter as f64 / (self.area + other.area - inter) as f64
    }
}

/// Matches one frame and label's test findings to its reference findings as COCO does:
/// highest score first (ties in given order), each to the not yet matched reference of
/// highest IoU at least `iou_threshold` (in (0, 1]; a later reference wins an equal
/// IoU). The findings come back highest score first.
pub fn match_scored(
    references: &[Region],
    tests: &[(Region, f64)],
    iou_threshold: f64,
) -> Vec<Matched> {
    let refs: Vec<Measured> = references.iter().map(Measured::new).collect();
    let mut taken = vec![false; refs.len()];
    // COCO's bound: a threshold of 1 still admits an IoU a rounding below 1.
    let floor = iou_threshold.min(1.0 - 1e-10);
    let mut order: Vec<usize> = (0..tests.len()).collect();
    order.sort_by(|&i, &j| by_score_desc(tests[i].1, tests[j].1));
    order
        .into_iter()
        .map(|j| {
            let (region, score) = &tests[j];
            let test = Measured::new(region);
            let (mut best, mut hit) = (floor, None);
            for (i, r) in refs.iter().enumerate().filter(|(i, _)| !taken[*i]) {
                let iou = r.iou(&test);
                if iou >= best {
                    (best, hit) = (iou, Some(i));
                }
            }
            if let Some(i) = hit {
                taken[i] = true;
            }
            Matched {
                score: *score,
                matched: hit.is_some(),
            }
        })
        .collect()
}

/// [`match_scored`] on every frame, in parallel; the result is in `frames`' order.
pub fn match_frames<'a>(frames: &[ScoredFrame<'a>], iou_threshold: f64) -> Vec<FrameMatches<'a>> {
    frames
        .par_iter()
        .map(|f| FrameMatches {
            label: f.label,
            references: f.references.len(),
            tests: match_scored(f.references, f.tests, iou_threshold),
        })
        .collect()
}

/// The test findings of `frames`, highest score first; equal scores in frame order,
/// then in each frame's order (COCO's merge sort).
fn pooled<'m>(frames: impl Iterator<Item = &'m FrameMatches<'m>>) -> Vec<Matched> {
    let mut all: Vec<Matched> = frames.flat_map(|f| f.tests.iter().copied()).collect();
    all.sort_by(|a, b| by_score_desc(a.score, b.score));
    all
}

/// COCO's recall thresholds: NumPy's `linspace(0, 1, 101)`, `i × 0.01`, the last 1.
fn recall_threshold(i: usize) -> f64 {
    if i == 100 {
        1.0
    } else {
        i as f64 * (1.0 / 100.0)
    }
}

/// COCO's AP of findings sorted by score against `references` reference findings.
fn coco_ap(sorted: &[Matched], references: u64) -> Option<f64> {
    if references == 0 {
        return None;
    }
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut recall = Vec::with_capacity(sorted.len());
    let mut precision = Vec::with_capacity(sorted.len());
    for m in sorted {
        if m.matched {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        recall.push(tp / references as f64);
        // COCO's guard against 0/0, kept so the results agree to the last bit.
        precision.push(tp / (tp + fp + f64::EPSILON));
    }
    for i in (1..precision.len()).rev() {
        if precision[i] > precision[i - 1] {
            precision[i - 1] = precision[i];
        }
    }
    let sum: f64 = (0..=100)
        .map(|i| {
            let r = recall_threshold(i);
            let at = recall.partition_point(|&x| x < r);
            precision.get(at).copied().unwrap_or(0.0)
        })
        .sum();
    Some(sum / 101.0)
}

/// COCO's AP per label and its mean, from the matches of [`match_frames`].
pub fn average_precision(frames: &[FrameMatches]) -> AveragePrecision {
    let mut labels: BTreeMap<&str, (u64, Vec<&FrameMatches>)> = BTreeMap::new();
    for f in frames {
        let entry = labels.entry(f.label).or_default();
        entry.0 += f.references as u64;
        entry.1.push(f);
    }
    let per_label: Vec<LabelAp> = labels
        .into_iter()
        .map(|(label, (references, frames))| {
            let sorted = pooled(frames.into_iter());
            LabelAp {
                label: label.to_owned(),
                reference_findings: references,
                test_findings: sorted.len() as u64,
                ap: coco_ap(&sorted, references),
            }
        })
        .collect();
    let aps: Vec<f64> = per_label.iter().filter_map(|l| l.ap).collect();
    AveragePrecision {
        ap: (!aps.is_empty()).then(|| aps.iter().sum::<f64>() / aps.len() as f64),
        per_label,
    }
}

/// The FROC of all frames and labels pooled, false positives divided by `images` (the
/// frames of the evaluated set); `None` without reference findings or images.
pub fn froc(frames: &[FrameMatches], images: usize) -> Option<Froc> {
    let references: u64 = frames.iter().map(|f| f.references as u64).sum();
    if references == 0 || images == 0 {
        return None;
    }
    let sorted = pooled(frames.iter());
    let mut curve: Vec<FrocPoint> = Vec::new();
    let (mut tp, mut fp) = (0u64, 0u64);
    for (i, m) in sorted.iter().enumerate() {
        if m.matched {
            tp += 1;
        } else {
            fp += 1;
        }
        // Equal scores enter together: a point after the last of them only.
        let next = sorted.get(i + 1);
        if next.is_none_or(|n| by_score_desc(m.score, n.score) != Ordering::Equal) {
            curve.push(FrocPoint {
                score_threshold: m.score,
                sensitivity: tp as f64 / references as f64,
                fp_per_image: fp as f64 / images as f64,
            });
        }
    }
    let sensitivity_at: Vec<FrocRead> = FROC_FP_PER_IMAGE
        .iter()
        .map(|&rate| FrocRead {
            fp_per_image: rate,
            sensitivity: curve
                .iter()
                .filter(|p| p.fp_per_image <= rate)
                .map(|p| p.sensitivity)
                .fold(0.0, f64::max),
        })
        .collect();
    let cpm_sensitivity =
        sensitivity_at.iter().map(|r| r.sensitivity).sum::<f64>() / sensitivity_at.len() as f64;
    Some(Froc {
        reference_findings: references,
        images,
        curve,
        sensitivity_at,
        cpm_sensitivity,
    })
}

/// The ROC curve and AUC of `scores` against `truth` (paired up to the shorter);
/// `None` unless both classes occur.
pub fn roc(truth: &[bool], scores: &[f64]) -> Option<Roc> {
    let mut items: Vec<(f64, bool)> = scores.iter().copied().zip(truth.iter().copied()).collect();
    items.sort_by(|a, b| by_score_desc(a.0, b.0));
    let positives = items.iter().filter(|i| i.1).count() as u64;
    let negatives = items.len() as u64 - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut curve: Vec<RocPoint> = Vec::new();
    let (mut tp, mut fp) = (0u64, 0u64);
    for (i, &(score, positive)) in items.iter().enumerate() {
        if positive {
            tp += 1;
        } else {
            fp += 1;
        }
        let next = items.get(i + 1);
        if next.is_none_or(|n| by_score_desc(score, n.0) != Ordering::Equal) {
            curve.push(RocPoint {
                score_threshold: score,
                false_positive_rate: fp as f64 / negatives as f64,
                true_positive_rate: tp as f64 / positives as f64,
            });
        }
    }
    let mut auc = 0.0;
    let mut last = (0.0, 0.0);
    for p in &curve {
        let here = (p.false_positive_rate, p.true_positive_rate);
        auc += (here.0 - last.0) * (here.1 + last.1) / 2.0;
        last = here;
    }
    Some(Roc {
        positives,
        negatives,
        curve,
        auc,
    })
}
