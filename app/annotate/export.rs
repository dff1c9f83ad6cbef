//! Export of a project's annotations in one of the formats of [`super::files`], as
//! the CLI (`lightbox annotations export`) and the viewer (File ▸ Export annotations)
//! both do it: one function, so the two cannot drift apart.
//!
//! Our JSON carries measurements, including the statistics of the pixels inside each
//! shape; those need the frame's modality values, so each annotated frame is decoded
//! once (and only for that format).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::files::{
    self, FilesError, FrameInfos, coco, dicom_seg, dicom_sr, labelme, lightbox_json, masks,
};
use super::geometry;
use super::{ImageKey, LabelSet, Measurements, Shape};
use crate::display_frame::DisplayFrame;
use crate::index::Index;
use crate::measure::FrameView;
use crate::pixel::DicomImage;

/// A format annotations are exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// Our own JSON (`assets/schema/lightbox-annotations-v1.schema.json`).
    Lightbox,
    /// COCO detection/segmentation JSON.
    Coco,
    /// One labelme JSON per annotated frame.
    Labelme,
    /// One binary mask PNG per annotated frame and label.
    Masks,
    /// One DICOM Segmentation object per annotated series.
    DicomSeg,
    /// One DICOM SR Measurement Report (TID 1500) per annotated series.
    DicomSr,
}

impl ExportFormat {
    /// Every format, in menu order.
    pub const ALL: [Self; 6] = [
        Self::Lightbox,
        Self::Coco,
        Self::Labelme,
        Self::Masks,
        Self::DicomSeg,
        Self::DicomSr,
    ];

    /// The name used on the command line and in i18n keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lightbox => "lightbox",
            Self::Coco => "coco",
            Self::Labelme => "labelme",
            Self::Masks => "masks",
            Self::DicomSeg => "dicom-seg",
            Self::DicomSr => "dicom-sr",
        }
    }

    /// Parses [`ExportFormat::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The files written.
    pub files: Vec<PathBuf>,
    /// The shapes exported.
    pub shapes: usize,
}

/// The file name of a single-file export for this release.
fn single_file(out_dir: &Path, release_id: Option<&str>, suffix: &str) -> PathBuf {
    out_dir.join(format!("{}{suffix}", release_id.unwrap_or("annotations")))
}

/// Writes `shapes` (of the release scanned as `index`) in `format` into `out_dir`
/// (created if needed). Our JSON is `<release>.annotations.json`, COCO
/// `<release>.coco.json`; labelme and masks write one file per frame (and label).
pub fn export(
    format: ExportFormat,
    out_dir: &Path,
    index: &Index,
    release_id: Option<&str>,
    labels: &LabelSet,
    shapes: &[Shape],
) -> Result<ExportReport, FilesError> {
    files::create_dir(out_dir)?;
    let frames = FrameInfos::from_index(index);
    let files = match format {
        ExportFormat::Lightbox => {
            let path = single_file(out_dir, release_id, ".annotations.json");
            let values = FrameValues::new(index);
            lightbox_json::write(&path, release_id, labels, shapes, &frames, |s| {
                values.measure(s, &frames)
            })?;
            vec![path]
        }
        ExportFormat::Coco => {
            let path = single_file(out_dir, release_id, ".coco.json");
            coco::write(&path, labels, shapes, &frames)?;
            vec![path]
        }
        ExportFormat::Labelme => labelme::write_dir(out_dir, shapes, &frames)?,
        ExportFormat::Masks => masks::write_dir(out_dir, shapes, &frames)?,
        ExportFormat::DicomSeg => dicom_seg::write_dir(out_dir, index, labels, shapes)?,
        ExportFormat::DicomSr => {
            let values = FrameValues::new(index);
            dicom_sr::write_dir(out_dir, index, labels, shapes, |s| {
                values.measure(s, &frames)
            })?
        }
    };
    Ok(ExportReport {
        files,
        shapes: shapes.len(),
    })
}

/// A decoded frame's modality values and padding.
type Values = (u32, u32, Vec<f64>, Vec<bool>);

/// Measures shapes as the exports do: geometry, and the pixel statistics of frames
/// decoded on demand, once each.
pub struct FrameValues {
    paths: HashMap<String, PathBuf>,
    decoded: RefCell<HashMap<ImageKey, Option<Values>>>,
}

impl FrameValues {
    /// A measurer for the shapes of the release `index` holds.
    pub fn new(index: &Index) -> Self {
        let paths = index
            .studies()
            .flat_map(|st| &st.series)
            .flat_map(|se| &se.instances)
            .map(|i| (i.sop_uid.clone(), i.path.clone()))
            .collect();
        Self {
            paths,
            decoded: RefCell::new(HashMap::new()),
        }
    }

    /// The measurements of `shape`, with pixel statistics when its frame decodes to
    /// greyscale values (a frame that does not decode gets geometry only).
    pub fn measure(&self, shape: &Shape, frames: &FrameInfos) -> Option<Measurements> {
        if !shape.kind.is_area() {
            return None;
        }
        let spacing = frames
            .get(&shape.image.sop_uid)
            .map(|f| f.spacing)
            .unwrap_or_default();
        let key = shape.image.key();
        let mut decoded = self.decoded.borrow_mut();
        let values = decoded.entry(key).or_insert_with(|| {
            let path = self.paths.get(&shape.image.sop_uid)?;
            let image = DicomImage::open(path).ok()?;
            let frame = DisplayFrame::decode(&image, shape.image.frame.checked_sub(1)?).ok()?;
            let (values, padding) = frame.modality_values()?;
            Some((frame.rows, frame.cols, values, padding))
        });
        let view = values
            .as_ref()
            .map(|(rows, cols, values, padding)| FrameView {
                rows: *rows,
                cols: *cols,
                values,
                padding,
            });
        geometry::measure(&shape.points, &spacing, view.as_ref())
    }
}
