//! Bootstrap confidence intervals that resample patients, not images.
//!
//! The frames and studies of one patient are not independent (the same lesion on
//! twenty slices, a follow-up study), so resampling them one by one makes intervals
//! too narrow. Here each replicate draws as many patients as there are, with
//! replacement, and takes every item of each drawn patient (as often as drawn); the
//! interval is the 2.5th and 97.5th percentile of the replicates' statistic (the
//! percentile bootstrap, Efron and Tibshirani 1993, ch. 13). The generator is the
//! crate's seeded SplitMix64, so the same seed gives the same interval everywhere.

use serde::Serialize;

use super::surface::percentile;
use crate::rng::Rng;

/// How a bootstrap is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootstrapOptions {
    /// Replicates; 0 turns the bootstrap off.
    pub replicates: u32,
    /// The generator's seed.
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        Self {
            replicates: 1000,
            seed: 1858,
        }
    }
}

/// A 95 % percentile-bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The 2.5th percentile of the replicates.
    pub low: f64,
    /// The 97.5th percentile.
    pub high: f64,
    /// Replicates whose statistic was defined (an AUC needs both classes).
    pub replicates: u32,
}

/// The interval of `statistic` over `items` grouped by `patient_of` (a patient
/// index below `patients` per item), or `None` when off, without items, or when no
/// replicate gave a value. `statistic` sees the resampled items (with repeats).
pub fn by_patient<T>(
    items: &[T],
    patient_of: impl Fn(&T) -> usize,
    patients: usize,
    options: BootstrapOptions,
    statistic: impl Fn(&[&T]) -> Option<f64>,
) -> Option<Interval> {
    if options.replicates == 0 || items.is_empty() || patients == 0 {
        return None;
    }
    let mut groups: Vec<Vec<&T>> = vec![Vec::new(); patients];
    for item in items {
        if let Some(group) = groups.get_mut(patient_of(item)) {
            group.push(item);
        }
    }
    let mut rng = Rng::new(options.seed);
    let mut values = Vec::with_capacity(options.replicates as usize);
    let mut sample: Vec<&T> = Vec::with_capacity(items.len());
    for _ in 0..options.replicates {
        sample.clear();
        for _ in 0..patients {
            sample.extend(&groups[rng.below(patients)]);
        }
        if let Some(v) = statistic(&sample).filter(|v| v.is_finite()) {
            values.push(v);
        }
    }
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(Interval {
        low: percentile(&values, 2.5),
        high: percentile(&values, 97.5),
        replicates: values.len() as u32,
    })
}

/// The mean of `values`, `None` when empty.
pub fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: BootstrapOptions = BootstrapOptions {
        replicates: 2000,
        seed: 7,
    };

    #[test]
    fn identical_patients_give_a_point_interval() {
        let items: Vec<(usize, f64)> = (0..30).map(|i| (i % 10, 0.8)).collect();
        let ci =
            by_patient(&items, |x| x.0, 10, ON, |s| mean(s.iter().map(|x| x.1))).expect("interval");
        assert!((ci.low - 0.8).abs() < 1e-12 && (ci.high - 0.8).abs() < 1e-12);
        assert_eq!(ci.replicates, 2000);
    }

    #[test]
    fn the_interval_brackets_the_mean_and_follows_the_seed() {
        // 40 patients with Dice spread evenly over 0.5..0.9 (mean 0.7); 3 frames each.
        let items: Vec<(usize, f64)> = (0..120)
            .map(|i| (i / 3, 0.5 + 0.4 * (i / 3) as f64 / 39.0))
            .collect();
        let stat = |s: &[&(usize, f64)]| mean(s.iter().map(|x| x.1));
        let ci = by_patient(&items, |x| x.0, 40, ON, stat).expect("interval");
        assert!(ci.low < 0.7 && 0.7 < ci.high, "{ci:?}");
        // The patients' sd is 0.4·sqrt(41/(12·39)) ≈ 0.118, the mean's 0.118/sqrt(40)
        // ≈ 0.0187, so the interval is about 2 × 1.96 × 0.0187 ≈ 0.073 wide.
        assert!((ci.high - ci.low - 0.073).abs() < 0.012, "{ci:?}");
        let again = by_patient(&items, |x| x.0, 40, ON, stat).expect("interval");
        assert_eq!(ci, again);
        let other = BootstrapOptions { seed: 8, ..ON };
        assert_ne!(by_patient(&items, |x| x.0, 40, other, stat), Some(ci));
    }

    #[test]
    fn resampling_is_by_patient() {
        // One patient with 100 frames of 1.0 and 99 patients with one frame of 0.0:
        // frames resampled alone would put the mean near 0.5 always; by patient, a
        // replicate without that patient has mean 0.
        let mut items: Vec<(usize, f64)> = (0..100).map(|_| (0, 1.0)).collect();
        items.extend((1..100).map(|p| (p, 0.0)));
        let ci = by_patient(&items, |x| x.0, 100, ON, |s| mean(s.iter().map(|x| x.1)))
            .expect("interval");
        assert_eq!(ci.low, 0.0);
        assert!(ci.high > 0.6, "{ci:?}");
    }

    #[test]
    fn off_or_empty_gives_none() {
        let items = [(0usize, 1.0)];
        let off = BootstrapOptions {
            replicates: 0,
            seed: 1,
        };
        let stat = |s: &[&(usize, f64)]| mean(s.iter().map(|x| x.1));
        assert!(by_patient(&items, |x| x.0, 1, off, stat).is_none());
        assert!(by_patient(&[] as &[(usize, f64)], |x| x.0, 1, ON, stat).is_none());
    }
}
