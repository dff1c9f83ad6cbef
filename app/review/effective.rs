//! What every image ends up as, and the counts the browser shows.
//!
//! Reviewers decide on whole studies and series and override single images; the
//! keep-list, the summary and the browser all need the *effective* decision of each
//! image. The rule is "the nearest explicit decision wins": image, else series, else
//! study, else Undecided — so an explicit Undecided hides an inherited Keep or Drop.
//!
//! It is computed in linear time: one pass groups the release into [`Spans`], one
//! pass walks studies → series → images, looking each node's decision up once in a
//! hash map built from the explicit decisions. Counts are plain vectors indexed like
//! the spans, so the GUI can recompute after every click on 100,000 images.

use std::collections::HashMap;

use super::explicit::Decisions;
use super::spans::Spans;
use super::{Decision, Level, ReleaseImages};

/// Images and bytes per effective decision under one node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Images effectively kept.
    pub kept_images: usize,
    /// Images effectively dropped.
    pub dropped_images: usize,
    /// Images still undecided.
    pub undecided_images: usize,
    /// Bytes of the kept images.
    pub kept_bytes: u64,
    /// Bytes of the dropped images.
    pub dropped_bytes: u64,
    /// Bytes of the undecided images.
    pub undecided_bytes: u64,
}

impl Counts {
    /// Counts one image of `bytes` with effective decision `decision`.
    pub fn add(&mut self, decision: Decision, bytes: u64) {
        let (images, total) = match decision {
            Decision::Keep => (&mut self.kept_images, &mut self.kept_bytes),
            Decision::Drop => (&mut self.dropped_images, &mut self.dropped_bytes),
            Decision::Undecided => (&mut self.undecided_images, &mut self.undecided_bytes),
        };
        *images += 1;
        *total += bytes;
    }

    /// All images counted.
    pub fn images(&self) -> usize {
        self.kept_images + self.dropped_images + self.undecided_images
    }

    /// All bytes counted.
    pub fn bytes(&self) -> u64 {
        self.kept_bytes + self.dropped_bytes + self.undecided_bytes
    }

    /// The decision every image shares; `None` when mixed or empty.
    pub fn uniform(&self) -> Option<Decision> {
        let all = self.images();
        if all == 0 {
            None
        } else if self.kept_images == all {
            Some(Decision::Keep)
        } else if self.dropped_images == all {
            Some(Decision::Drop)
        } else if self.undecided_images == all {
            Some(Decision::Undecided)
        } else {
            None
        }
    }

    /// True when the images do not all share one effective decision.
    pub fn is_mixed(&self) -> bool {
        self.images() > 0 && self.uniform().is_none()
    }
}

/// The effective decision of every image of a release, with counts per study,
/// series and for the whole release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effective {
    spans: Spans,
    images: Vec<Decision>,
    studies: Vec<Counts>,
    series: Vec<Counts>,
    release: Counts,
}

impl Effective {
    /// Applies `decisions` to every image of `release` (nearest explicit decision
    /// wins: image > series > study > Undecided).
    pub fn compute(release: &ReleaseImages, decisions: &Decisions) -> Self {
        let mut by_level: [HashMap<&str, Decision>; 3] = Default::default();
        for (target, record) in decisions.iter() {
            let slot = match target.level {
                Level::Study => 0,
                Level::Series => 1,
                Level::Image => 2,
            };
            by_level[slot].insert(target.uid.as_str(), record.decision);
        }
        let [on_study, on_series, on_image] = &by_level;

        let spans = Spans::of(release);
        let mut images = vec![Decision::Undecided; release.images.len()];
        let mut studies = vec![Counts::default(); spans.studies.len()];
        let mut series_counts = vec![Counts::default(); spans.series.len()];
        let mut all = Counts::default();
        for (study_index, study) in spans.studies.iter().enumerate() {
            let study_uid = release.images[study.images.start].study_uid.as_str();
            let from_study = on_study.get(study_uid).copied();
            for series_index in study.series.clone() {
                let span = &spans.series[series_index];
                let series_uid = release.images[span.images.start].series_uid.as_str();
                let from_series = on_series.get(series_uid).copied().or(from_study);
                for i in span.images.clone() {
                    let image = &release.images[i];
                    let decision = on_image
                        .get(image.sop_uid.as_str())
                        .copied()
                        .or(from_series)
                        .unwrap_or(Decision::Undecided);
                    images[i] = decision;
                    series_counts[series_index].add(decision, image.bytes);
                    studies[study_index].add(decision, image.bytes);
                    all.add(decision, image.bytes);
                }
            }
        }
        Self {
            spans,
            images,
            studies,
            series: series_counts,
            release: all,
        }
    }

    /// The studies and series the counts are indexed by.
    pub fn spans(&self) -> &Spans {
        &self.spans
    }

    /// The effective decision of every image, in release order.
    pub fn images(&self) -> &[Decision] {
        &self.images
    }

    /// Counts of study `study` (an index into [`Spans::studies`]).
    pub fn study_counts(&self, study: usize) -> Counts {
        self.studies.get(study).copied().unwrap_or_default()
    }

    /// Counts of series `series` (an index into [`Spans::series`]).
    pub fn series_counts(&self, series: usize) -> Counts {
        self.series.get(series).copied().unwrap_or_default()
    }

    /// Counts of the whole release.
    pub fn release_counts(&self) -> Counts {
        self.release
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::explicit::Change;
    use crate::review::{ImageRef, Target};

    /// Two studies: 1.1 with series 1.1.1 (a, b) and 1.1.2 (c); 1.2 with 1.2.1 (d).
    /// SOP UIDs are `s.<file>`; image i has 10^i bytes so sums show which images.
    fn release() -> ReleaseImages {
        let image = |study: &str, series: &str, file: &str, bytes: u64| ImageRef {
            study_uid: study.into(),
            series_uid: series.into(),
            sop_uid: format!("s.{file}"),
            file_name: file.into(),
            bytes,
            modality: None,
            body_part: None,
        };
        ReleaseImages::new(
            None,
            vec![
                image("1.1", "1.1.1", "a", 1),
                image("1.1", "1.1.1", "b", 10),
                image("1.1", "1.1.2", "c", 100),
                image("1.2", "1.2.1", "d", 1000),
            ],
        )
    }

    fn decide(pairs: &[(Level, &str, Decision)]) -> Effective {
        let mut decisions = Decisions::new();
        let changes: Vec<Change> = pairs
            .iter()
            .map(|&(level, uid, decision)| Change {
                target: Target {
                    level,
                    uid: uid.into(),
                },
                decision,
                reason: String::new(),
            })
            .collect();
        decisions.apply(&changes, "t", "2026-11-21T09:30:00Z");
        Effective::compute(&release(), &decisions)
    }

    use Decision::{Drop as D, Keep as K, Undecided as U};

    #[test]
    fn nothing_decided_is_undecided() {
        let e = decide(&[]);
        assert_eq!(e.images(), [U, U, U, U]);
        assert_eq!(e.release_counts().undecided_bytes, 1111);
        assert_eq!(e.release_counts().uniform(), Some(U));
    }

    #[test]
    fn study_decision_reaches_every_image_below() {
        let e = decide(&[(Level::Study, "1.1", K)]);
        assert_eq!(e.images(), [K, K, K, U]);
        assert_eq!(e.study_counts(0).uniform(), Some(K));
        assert_eq!(e.study_counts(1).uniform(), Some(U));
        assert!(e.release_counts().is_mixed());
    }

    #[test]
    fn series_overrides_study_and_image_overrides_series() {
        let e = decide(&[
            (Level::Study, "1.1", K),
            (Level::Series, "1.1.1", D),
            (Level::Image, "s.b", K),
        ]);
        assert_eq!(e.images(), [D, K, K, U]);
        let c = e.study_counts(0);
        assert_eq!(
            (c.kept_images, c.dropped_images, c.undecided_images),
            (2, 1, 0)
        );
        assert_eq!((c.kept_bytes, c.dropped_bytes), (110, 1));
        assert!(c.is_mixed());
        assert!(e.series_counts(0).is_mixed());
        assert_eq!(e.series_counts(1).uniform(), Some(K));
    }

    #[test]
    fn explicit_undecided_hides_an_inherited_decision() {
        let e = decide(&[
            (Level::Study, "1.1", D),
            (Level::Series, "1.1.2", U),
            (Level::Image, "s.a", U),
        ]);
        assert_eq!(e.images(), [U, D, U, U]);
        let r = e.release_counts();
        assert_eq!((r.undecided_images, r.undecided_bytes), (3, 1101));
        assert_eq!((r.dropped_images, r.dropped_bytes), (1, 10));
    }

    #[test]
    fn a_decision_on_another_level_with_the_same_uid_does_not_apply() {
        // A series decision keyed by a study's UID must not reach that study.
        let e = decide(&[(Level::Series, "1.2", K), (Level::Image, "1.2.1", K)]);
        assert_eq!(e.images(), [U, U, U, U]);
    }

    #[test]
    fn every_image_decided_per_image_makes_a_uniform_study() {
        let e = decide(&[
            (Level::Image, "s.a", K),
            (Level::Image, "s.b", K),
            (Level::Image, "s.c", K),
        ]);
        assert_eq!(e.study_counts(0).uniform(), Some(K));
        assert_eq!(e.study_counts(0).images(), 3);
        assert_eq!(Counts::default().uniform(), None);
        assert!(!Counts::default().is_mixed());
    }

    #[test]
    fn hundred_thousand_images_in_one_pass() {
        // 100 studies × 10 series × 100 images; study i kept when even, one image
        // of every series dropped. Size check only (timing lives in no test).
        let mut images = Vec::new();
        for study in 0..100 {
            for series in 0..10 {
                for image in 0..100 {
                    images.push(ImageRef {
                        study_uid: format!("1.{study}"),
                        series_uid: format!("1.{study}.{series}"),
                        sop_uid: format!("1.{study}.{series}.{image}"),
                        file_name: format!("IM{image:04}.dcm"),
                        bytes: 2,
                        modality: None,
                        body_part: None,
                    });
                }
            }
        }
        let release = ReleaseImages::new(None, images);
        let mut decisions = Decisions::new();
        let record = |decision| crate::review::DecisionRecord {
            decision,
            reason: String::new(),
            reviewer: "t".into(),
            time: String::new(),
        };
        for study in (0..100).step_by(2) {
            let target = Target {
                level: Level::Study,
                uid: format!("1.{study}"),
            };
            decisions.set(target, record(K));
            for series in 0..10 {
                let target = Target {
                    level: Level::Image,
                    uid: format!("1.{study}.{series}.0"),
                };
                decisions.set(target, record(D));
            }
        }
        let e = Effective::compute(&release, &decisions);
        let r = e.release_counts();
        assert_eq!(r.images(), 100_000);
        assert_eq!((r.kept_images, r.dropped_images), (49_500, 500));
        assert_eq!(r.undecided_images, 50_000);
        assert_eq!(r.bytes(), 200_000);
        assert_eq!(e.spans().studies.len(), 100);
        assert_eq!(e.spans().series.len(), 1000);
    }
}
