//! Classification agreement: a binary confusion matrix with its rates and Wilson
//! intervals, and Cohen's kappa (unweighted, or linear-weighted for ordered classes
//! such as suspicion grades), as scikit-learn defines them (`confusion_matrix`,
//! `cohen_kappa_score`).

use serde::Serialize;

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A proportion with its Wilson score 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// The estimate.
    pub value: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// `successes / n` with its Wilson interval; `None` when `n` is 0.
pub fn wilson(successes: u64, n: u64) -> Option<Proportion> {
    if n == 0 {
        return None;
    }
    let (k, n) = (successes as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some(Proportion {
        value: p,
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    })
}

/// A binary comparison: the test's calls against the reference's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Binary {
    /// Both positive.
    pub tp: u64,
    /// Test positive, reference negative.
    pub fp: u64,
    /// Test negative, reference positive.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Both negative.
    pub tn: u64,
    /// tp / (tp + fn).
    pub sensitivity: Option<Proportion>,
    /// tn / (tn + fp).
    pub specificity: Option<Proportion>,
    /// Positive predictive value, tp / (tp + fp).
    pub ppv: Option<Proportion>,
    /// Negative predictive value, tn / (tn + fn).
    pub npv: Option<Proportion>,
    /// (tp + tn) / n.
    pub accuracy: Option<Proportion>,
    /// Sensitivity + specificity − 1.
    pub youden: Option<f64>,
    /// Cohen's kappa.
    pub kappa: Option<f64>,
}

/// Compares the test's binary calls with the reference's, item by item.
pub fn binary(reference: &[bool], test: &[bool]) -> Binary {
    let mut c = [[0u64; 2]; 2];
    for (&r, &t) in reference.iter().zip(test) {
        c[usize::from(r)][usize::from(t)] += 1;
    }
    let (tn, fp, fn_, tp) = (c[0][0], c[0][1], c[1][0], c[1][1]);
    let sensitivity = wilson(tp, tp + fn_);
    let specificity = wilson(tn, tn + fp);
    let classes: Vec<usize> = reference.iter().map(|&r| usize::from(r)).collect();
    let calls: Vec<usize> = test.iter().map(|&t| usize::from(t)).collect();
    Binary {
        tp,
        fp,
        fn_,
        tn,
        sensitivity,
        specificity,
        ppv: wilson(tp, tp + fp),
        npv: wilson(tn, tn + fn_),
        accuracy: wilson(tp + tn, tp + tn + fp + fn_),
        youden: sensitivity
            .zip(specificity)
            .map(|(s, p)| s.value + p.value - 1.0),
        kappa: kappa(&classes, &calls, 2, Weights::None),
    }
}

/// How disagreements between classes weigh in kappa.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// Every disagreement the same (Cohen's kappa).
    None,
    /// By the distance between ordered classes, |i − j|.
    Linear,
}

/// Cohen's kappa of two raters over classes `0..k`; `None` when it is undefined (no
/// items, or both raters always give one and the same class).
pub fn kappa(reference: &[usize], test: &[usize], k: usize, weights: Weights) -> Option<f64> {
    let n = reference.len().min(test.len());
    if n == 0 || k == 0 {
        return None;
    }
    let mut observed = vec![vec![0.0f64; k]; k];
    for (&r, &t) in reference.iter().zip(test) {
        if r < k && t < k {
            observed[r][t] += 1.0;
        }
    }
    let rows: Vec<f64> = observed.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..k)
        .map(|j| observed.iter().map(|r| r[j]).sum())
        .collect();
    let total: f64 = rows.iter().sum();
    let weight = |i: usize, j: usize| match weights {
        Weights::None => f64::from(u8::from(i != j)),
        Weights::Linear => i.abs_diff(j) as f64,
    };
    let (mut w_observed, mut w_expected) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            w_observed += weight(i, j) * observed[i][j];
            w_expected += weight(i, j) * rows[i] * cols[j] / total;
        }
    }
    (w_expected > 0.0).then(|| 1.0 - w_observed / w_expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confusion_matrix_by_hand() {
        // 10 items: 4 TP, 1 FN, 2 FP, 3 TN.
        let reference = [
            true, true, true, true, true, false, false, false, false, false,
        ];
        let test = [
            true, true, true, true, false, true, true, false, false, false,
        ];
        let b = binary(&reference, &test);
        assert_eq!((b.tp, b.fn_, b.fp, b.tn), (4, 1, 2, 3));
        assert_eq!(b.sensitivity.map(|p| p.value), Some(0.8));
        assert_eq!(b.specificity.map(|p| p.value), Some(0.6));
        assert!((b.youden.unwrap_or_default() - 0.4).abs() < 1e-12);
        // po = 0.7, pe = (6·5 + 4·5)/100 = 0.5: kappa 0.4.
        assert!((b.kappa.unwrap_or_default() - 0.4).abs() < 1e-12);
    }

    #[test]
    fn wilson_intervals_by_hand() {
        // 8 of 10: Wilson 95 % (0.4902, 0.9433) (e.g. R's prop.test without correction).
        let p = wilson(8, 10).expect("n > 0");
        assert!(
            (p.low - 0.490_162).abs() < 1e-5 && (p.high - 0.943_318).abs() < 1e-5,
            "{p:?}"
        );
        assert_eq!(wilson(0, 0), None);
        let all = wilson(5, 5).expect("n > 0");
        assert_eq!(all.high, 1.0);
    }

    #[test]
    fn linear_weights_count_how_far_apart_the_grades_are() {
        // Off by one grade costs less than off by three.
        let reference = [0, 1, 2, 3, 3, 2];
        let near = [1, 1, 2, 3, 2, 2];
        let far = [3, 1, 2, 3, 0, 2];
        let k_near = kappa(&reference, &near, 4, Weights::Linear).expect("defined");
        let k_far = kappa(&reference, &far, 4, Weights::Linear).expect("defined");
        assert!(k_near > k_far);
        assert_eq!(kappa(&[1, 1], &[1, 1], 2, Weights::None), None, "undefined");
    }
}
