//! Studies and series as index ranges over the sorted images of a release.
//!
//! [`ReleaseImages`] is one flat, sorted vector, so every study and series is a
//! contiguous run of it. Keeping ranges instead of a second tree costs one pass and
//! no string copies, lets effective decisions and counts live in plain vectors
//! beside it, and gives lookups by UID through binary search. The keep-list writer,
//! checker and importer all resolve rows through these same ranges.

use std::ops::Range;

use super::ReleaseImages;

/// One study: its images and its series (indices into [`Spans::series`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudySpan {
    /// The study's images, indices into [`ReleaseImages::images`].
    pub images: Range<usize>,
    /// The study's series, indices into [`Spans::series`].
    pub series: Range<usize>,
}

/// One series: its images and the study it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSpan {
    /// The series' images, indices into [`ReleaseImages::images`].
    pub images: Range<usize>,
    /// The study, an index into [`Spans::studies`].
    pub study: usize,
}

/// The studies and series of one [`ReleaseImages`], in its order.
///
/// The lookups take the same `release` the spans were built from; another one gives
/// meaningless answers or panics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spans {
    /// Studies in release order (sorted by Study Instance UID).
    pub studies: Vec<StudySpan>,
    /// Series in release order (by study, then Series Instance UID).
    pub series: Vec<SeriesSpan>,
}

impl Spans {
    /// Groups the images of `release` in one pass (it must be sorted, as
    /// [`ReleaseImages::new`] leaves it).
    pub fn of(release: &ReleaseImages) -> Self {
        let mut spans = Self::default();
        let mut start = 0;
        for study in release.images.chunk_by(|a, b| a.study_uid == b.study_uid) {
            let first_series = spans.series.len();
            let mut series_start = start;
            for series in study.chunk_by(|a, b| a.series_uid == b.series_uid) {
                spans.series.push(SeriesSpan {
                    images: series_start..series_start + series.len(),
                    study: spans.studies.len(),
                });
                series_start += series.len();
            }
            spans.studies.push(StudySpan {
                images: start..start + study.len(),
                series: first_series..spans.series.len(),
            });
            start += study.len();
        }
        spans
    }

    /// The study with Study Instance UID `uid`.
    pub fn find_study(&self, release: &ReleaseImages, uid: &str) -> Option<usize> {
        self.studies
            .binary_search_by(|s| release.images[s.images.start].study_uid.as_str().cmp(uid))
            .ok()
    }

    /// The series with Series Instance UID `uid` inside study `study`.
    pub fn find_series(&self, release: &ReleaseImages, study: usize, uid: &str) -> Option<usize> {
        let range = self.studies.get(study)?.series.clone();
        self.series[range.clone()]
            .binary_search_by(|s| release.images[s.images.start].series_uid.as_str().cmp(uid))
            .ok()
            .map(|at| range.start + at)
    }

    /// The images named `file_name` inside series `series` (empty when none; more
    /// than one when the series holds duplicate file names).
    pub fn find_files(
        &self,
        release: &ReleaseImages,
        series: usize,
        file_name: &str,
    ) -> Range<usize> {
        let Some(span) = self.series.get(series) else {
            return 0..0;
        };
        let images = &release.images[span.images.clone()];
        let from = images.partition_point(|i| i.file_name.as_str() < file_name);
        let to = images.partition_point(|i| i.file_name.as_str() <= file_name);
        span.images.start + from..span.images.start + to
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::ImageRef;

    fn image(study: &str, series: &str, file: &str) -> ImageRef {
        ImageRef {
            study_uid: study.into(),
            series_uid: series.into(),
            sop_uid: format!("{series}.{file}"),
            file_name: file.into(),
            bytes: 1,
            modality: None,
            body_part: None,
        }
    }

    #[test]
    fn groups_and_finds() {
        let release = ReleaseImages::new(
            None,
            vec![
                image("1.2", "1.2.2", "b"),
                image("1.1", "1.1.1", "a"),
                image("1.2", "1.2.1", "a"),
                image("1.2", "1.2.2", "a"),
                image("1.2", "1.2.2", "a"),
            ],
        );
        let spans = Spans::of(&release);
        assert_eq!(
            spans.studies,
            vec![
                StudySpan {
                    images: 0..1,
                    series: 0..1
                },
                StudySpan {
                    images: 1..5,
                    series: 1..3
                },
            ]
        );
        assert_eq!(
            spans.series,
            vec![
                SeriesSpan {
                    images: 0..1,
                    study: 0
                },
                SeriesSpan {
                    images: 1..2,
                    study: 1
                },
                SeriesSpan {
                    images: 2..5,
                    study: 1
                },
            ]
        );
        assert_eq!(spans.find_study(&release, "1.2"), Some(1));
        assert_eq!(spans.find_study(&release, "1.3"), None);
        assert_eq!(spans.find_series(&release, 1, "1.2.2"), Some(2));
        assert_eq!(spans.find_series(&release, 0, "1.2.2"), None);
        assert_eq!(spans.find_files(&release, 2, "a"), 2..4);
        assert_eq!(spans.find_files(&release, 2, "b"), 4..5);
        assert!(spans.find_files(&release, 2, "c").is_empty());
        assert_eq!(Spans::of(&ReleaseImages::default()), Spans::default());
    }
}
