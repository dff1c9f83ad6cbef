//! The review summary csv: what is kept, dropped and still open, per modality and
//! body region, for the team's records and the take-out application.
//!
//! Columns, one row per (modality, body region) present in the release, sorted by
//! modality then body region (byte order; a missing value is empty and sorts first),
//! then a last row `TOTAL` with an empty body region for the whole release:
//!
//! | column | meaning |
//! |---|---|
//! | `MODALITY` | Modality (0008,0060) of the series, or `TOTAL` |
//! | `BODY_PART` | Body Part Examined (0018,0015) of the series |
//! | `IMAGES`, `BYTES` | all images and their file bytes |
//! | `KEPT_IMAGES`, `KEPT_BYTES` | effectively kept |
//! | `DROPPED_IMAGES`, `DROPPED_BYTES` | effectively dropped |
//! | `UNDECIDED_IMAGES`, `UNDECIDED_BYTES` | still undecided |
//!
//! Bytes are file sizes on disk. UTF-8 with a byte order mark, CRLF line ends,
//! values quoted per RFC 4180 when needed (see [`super::csv_text`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::ReleaseImages;
use super::csv_text::{UTF8_BOM, push_record};
use super::effective::{Counts, Effective};
use crate::fsutil::{ShowPath, write_atomic};

/// The summary's header.
pub const SUMMARY_HEADER: [&str; 10] = [
    "MODALITY",
    "BODY_PART",
    "IMAGES",
    "BYTES",
    "KEPT_IMAGES",
    "KEPT_BYTES",
    "DROPPED_IMAGES",
    "DROPPED_BYTES",
    "UNDECIDED_IMAGES",
    "UNDECIDED_BYTES",
];

/// Why the summary could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the review summary: {source}: {}", .path.shown())]
pub struct SummaryError {
    /// The I/O error.
    pub source: std::io::Error,
    /// The file.
    pub path: PathBuf,
}

/// Counts per (modality, body part) of `release` under `effective`, sorted.
pub fn summary_counts<'a>(
    release: &'a ReleaseImages,
    effective: &Effective,
) -> BTreeMap<(&'a str, &'a str), Counts> {
    let mut groups: BTreeMap<(&str, &str), Counts> = BTreeMap::new();
    for (image, &decision) in release.images.iter().zip(effective.images()) {
        let key = (
            image.modality.as_deref().unwrap_or_default(),
            image.body_part.as_deref().unwrap_or_default(),
        );
        groups.entry(key).or_default().add(decision, image.bytes);
    }
    groups
}

/// The summary csv bytes of `release` under `effective`.
pub fn summary_csv_bytes(release: &ReleaseImages, effective: &Effective) -> Vec<u8> {
    let mut text = String::from(UTF8_BOM);
    push_record(&mut text, &SUMMARY_HEADER);
    let groups = summary_counts(release, effective);
    let total = (("TOTAL", ""), effective.release_counts());
    for ((modality, body_part), counts) in groups.iter().map(|(k, c)| (*k, *c)).chain([total]) {
        let numbers = [
            counts.images() as u64,
            counts.bytes(),
            counts.kept_images as u64,
            counts.kept_bytes,
            counts.dropped_images as u64,
            counts.dropped_bytes,
            counts.undecided_images as u64,
            counts.undecided_bytes,
        ]
        .map(|n| n.to_string());
        let mut fields = vec![modality.to_owned(), body_part.to_owned()];
        fields.extend(numbers);
        push_record(&mut text, &fields);
    }
    text.into_bytes()
}

/// Writes the summary csv of `release` under `effective` to `path` (atomically).
pub fn write_summary_csv(
    path: &Path,
    release: &ReleaseImages,
    effective: &Effective,
) -> Result<(), SummaryError> {
    write_atomic(path, &summary_csv_bytes(release, effective)).map_err(|source| SummaryError {
        source,
        path: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::explicit::{Change, Decisions};
    use crate::review::{Decision, ImageRef, Level, Target};

    #[test]
    fn rows_per_modality_and_body_part_then_total() {
        let image = |sop: &str, modality: Option<&str>, body: Option<&str>, bytes| ImageRef {
            study_uid: "1.1".into(),
            series_uid: format!("1.1.{}", modality.unwrap_or("0").len()),
            sop_uid: sop.into(),
            file_name: format!("{sop}.dcm"),
            bytes,
            modality: modality.map(str::to_owned),
            body_part: body.map(str::to_owned),
        };
        let release = ReleaseImages::new(
            None,
            vec![
                image("1", Some("CT"), Some("CHEST"), 100),
                image("2", Some("CT"), Some("CHEST"), 200),
                image("3", Some("CT"), Some("HEAD, NECK"), 50),
                image("4", Some("MR"), None, 7),
                image("5", None, None, 1),
            ],
        );
        let change = |sop: &str, decision| Change {
            target: Target {
                level: Level::Image,
                uid: sop.into(),
            },
            decision,
            reason: String::new(),
        };
        let mut decisions = Decisions::new();
        decisions.apply(
            &[
                change("1", Decision::Keep),
                change("2", Decision::Drop),
                change("4", Decision::Keep),
            ],
            "t",
            "",
        );
        let bytes = summary_csv_bytes(&release, &Effective::compute(&release, &decisions));
        let expected = "\u{feff}MODALITY,BODY_PART,IMAGES,BYTES,KEPT_IMAGES,KEPT_BYTES,DROPPED_IMAGES,DROPPED_BYTES,UNDECIDED_IMAGES,UNDECIDED_BYTES\r\n\
            ,,1,1,0,0,0,0,1,1\r\n\
            CT,CHEST,2,300,1,100,1,200,0,0\r\n\
            CT,\"HEAD, NECK\",1,50,0,0,0,0,1,50\r\n\
            MR,,1,7,1,7,0,0,0,0\r\n\
            TOTAL,,5,358,2,107,1,200,2,51\r\n";
        assert_eq!(String::from_utf8(bytes).expect("utf-8"), expected);
    }
}
