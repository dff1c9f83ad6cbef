//! Detection agreement: each area shape is a finding; a test finding matches a
//! reference finding of the same label on the same frame when their mask IoU reaches
//! the threshold, one to one, greedily by IoU. With scores, AP and FROC come from
//! [`super::scored`], which matches in score order as COCO does.

use serde::Serialize;

use super::region::Region;
use super::scored::{AveragePrecision, Froc};

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
    /// COCO's AP at this IoU (mean over labels, and per label) when the test's
    /// findings carry scores; matched in score order as COCO does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ap: Option<AveragePrecision>,
    /// The FROC when the test's findings carry scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub froc: Option<Froc>,
}

/// How many test findings match a reference finding one to one: pairs by IoU,
/// highest first, each finding used once, IoU at least `threshold`.
pub(super) fn match_findings(refs: &[Region], tests: &[Region], threshold: f64) -> usize {
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
pub(super) struct Counts {
    tp: u64,
    fp: u64,
    fn_: u64,
}

impl Counts {
    /// Adds one frame and label: `matched` pairs among `refs` reference and `tests`
    /// test findings.
    pub(super) fn add(&mut self, matched: usize, refs: usize, tests: usize) {
        let tp = matched as u64;
        self.tp += tp;
        self.fp += tests as u64 - tp;
        self.fn_ += refs as u64 - tp;
    }

    /// The rates.
    pub(super) fn finish(self, iou_threshold: f64) -> Detection {
        let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        Detection {
            iou_threshold,
            tp: self.tp,
            fp: self.fp,
            fn_: self.fn_,
            recall: ratio(self.tp, self.tp + self.fn_),
            precision: ratio(self.tp, self.tp + self.fp),
            f1: ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_),
            ap: None,
            froc: None,
        }
    }
}
