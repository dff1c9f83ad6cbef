//! What an exporter needs to know about each annotated image: its size, frame count,
//! geometry, UIDs and where its file lies, looked up by SOP Instance UID.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::FilesError;
use super::safe_name;
use crate::annotate::patient::to_patient_mm;
use crate::annotate::shape::Shape;
use crate::index::{Index, Instance};
use crate::measure::{PixelSpacing, SpacingSource};

/// One image (SOP instance) as the exporters see it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameInfo {
    /// Rows (image height in pixels).
    pub rows: u32,
    /// Columns (image width in pixels).
    pub cols: u32,
    /// Number of frames (1 for a single-frame image).
    pub frames: u32,
    /// The spacing measurements use (Pixel Spacing, else Imager Pixel Spacing, else
    /// none).
    pub spacing: PixelSpacing,
    /// Image Position (Patient), mm: the centre of the top-left pixel.
    pub position_mm: Option<[f64; 3]>,
    /// Image Orientation (Patient): row then column direction cosines.
    pub orientation: Option<[f64; 6]>,
    /// Study Instance UID.
    pub study_uid: String,
    /// Series Instance UID.
    pub series_uid: String,
    /// SOP Instance UID.
    pub sop_uid: String,
    /// The DICOM file's name (no folder).
    pub file_name: String,
    /// The file's folder relative to the scanned release folder, `/`-separated
    /// (`ST0002/SE0002`); empty when unknown or at the top. Per-frame exports mirror it.
    pub rel_dir: String,
}

impl FrameInfo {
    /// What the index knows of `inst`; `rel_dir` is left empty (see
    /// [`FrameInfos::from_index`], which fills it).
    pub fn from_instance(inst: &Instance) -> FrameInfo {
        FrameInfo {
            rows: inst.rows,
            cols: inst.cols,
            frames: inst.frames.max(1),
            spacing: inst.pixel_spacing(),
            position_mm: inst.position_mm,
            orientation: inst.orientation,
            study_uid: inst.study_uid.clone(),
            series_uid: inst.series_uid.clone(),
            sop_uid: inst.sop_uid.clone(),
            file_name: inst.file_name.clone(),
            rel_dir: String::new(),
        }
    }

    /// True for an image of more than one frame (its frame files get `_f<frame>`).
    pub fn is_multi_frame(&self) -> bool {
        self.frames > 1
    }

    /// The file name without its extension, and the extension (with its dot, or
    /// empty). `IM0004` has no extension; `.dcm` alone is a name, not an extension.
    fn stem_and_extension(&self) -> (&str, &str) {
        match self.file_name.rfind('.') {
            Some(dot) if dot > 0 => self.file_name.split_at(dot),
            _ => (self.file_name.as_str(), ""),
        }
    }

    /// `_f<frame>` for a multi-frame image, else empty.
    fn frame_suffix(&self, frame: u32) -> String {
        if self.is_multi_frame() {
            format!("_f{frame}")
        } else {
            String::new()
        }
    }

    /// The name a frame of this image goes by in exports that name images, keeping the
    /// DICOM extension: `IM0001.dcm` for a single-frame image, `US0001_f3.dcm` for
    /// frame 3 of a multi-frame one, `IM0004_f2` for a file without extension. Not
    /// made file-name safe (nothing is written under it); see [`FrameInfo::frame_path`].
    pub fn frame_file_name(&self, frame: u32) -> String {
        let (stem, ext) = self.stem_and_extension();
        format!("{stem}{}{ext}", self.frame_suffix(frame))
    }

    /// [`FrameInfo::frame_file_name`] with [`FrameInfo::rel_dir`] before it
    /// (`ST0002/SE0002/IM0013.dcm`), as COCO's `file_name`.
    pub fn frame_rel_name(&self, frame: u32) -> String {
        let name = self.frame_file_name(frame);
        if self.rel_dir.is_empty() {
            name
        } else {
            format!("{}/{name}", self.rel_dir.trim_end_matches('/'))
        }
    }

    /// The file-name-safe stem of a frame's files: `IM0001`, `US0001_f3`.
    pub fn frame_stem(&self, frame: u32) -> String {
        let (stem, _) = self.stem_and_extension();
        safe_name(&format!("{stem}{}", self.frame_suffix(frame)))
    }

    /// Where a frame's file named `<stem><tail>` goes under `out_dir`: the
    /// [`FrameInfo::rel_dir`] folders (each made safe), then the file.
    pub fn frame_path(&self, out_dir: &Path, frame: u32, tail: &str) -> PathBuf {
        let mut path = out_dir.to_path_buf();
        for part in self.rel_dir.split(['/', '\\']).filter(|p| !p.is_empty()) {
            path.push(safe_name(part));
        }
        path.push(format!("{}{tail}", self.frame_stem(frame)));
        path
    }

    /// The patient position (mm) of an image point on `frame`, when the image has
    /// Image Position and Orientation (Patient) and a Pixel Spacing in the patient
    /// (not Imager Pixel Spacing, which is at the detector). Only for frame 1: the
    /// index keeps one position per file, which describes a multi-frame image's later
    /// frames only through per-frame groups it does not read.
    pub fn patient_mm(&self, point: [f64; 2], frame: u32) -> Option<[f64; 3]> {
        let calibrated =
            self.spacing.is_calibrated() && self.spacing.source == SpacingSource::PixelSpacing;
        if frame != 1 || !calibrated {
            return None;
        }
        let p = to_patient_mm(
            point,
            self.position_mm?,
            self.orientation?,
            [self.spacing.row_mm, self.spacing.col_mm],
        );
        p.iter().all(|v| v.is_finite()).then_some(p)
    }
}

/// The [`FrameInfo`] of every image of a release, by SOP Instance UID.
#[derive(Debug, Clone, Default)]
pub struct FrameInfos(HashMap<String, FrameInfo>);

impl FrameInfos {
    /// No images.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every instance of `index`, with its folder relative to the scanned folder.
    pub fn from_index(index: &Index) -> Self {
        index
            .instances()
            .map(|inst| {
                let mut info = FrameInfo::from_instance(inst);
                info.rel_dir = inst
                    .path
                    .parent()
                    .and_then(|dir| dir.strip_prefix(&index.scan_dir).ok())
                    .map(|rel| {
                        rel.components()
                            .map(|c| c.as_os_str().to_string_lossy().into_owned())
                            .collect::<Vec<_>>()
                            .join("/")
                    })
                    .unwrap_or_default();
                info
            })
            .collect()
    }

    /// Adds (or replaces) an image; returns the one it replaced.
    pub fn insert(&mut self, info: FrameInfo) -> Option<FrameInfo> {
        self.0.insert(info.sop_uid.clone(), info)
    }

    /// The image with this SOP Instance UID.
    pub fn get(&self, sop_uid: &str) -> Option<&FrameInfo> {
        self.0.get(sop_uid)
    }

    /// Every image, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &FrameInfo> {
        self.0.values()
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The image of `shape`, checked to have its frame and a size; the error names
    /// `path`, the export.
    pub(crate) fn for_shape(&self, shape: &Shape, path: &Path) -> Result<&FrameInfo, FilesError> {
        self.get(&shape.image.sop_uid)
            .filter(|f| shape.image.frame <= f.frames && f.rows > 0 && f.cols > 0)
            .ok_or_else(|| FilesError::UnknownImage {
                path: path.to_path_buf(),
                id: shape.id.clone(),
                sop_uid: shape.image.sop_uid.clone(),
                frame: shape.image.frame,
            })
    }
}

impl FromIterator<FrameInfo> for FrameInfos {
    fn from_iter<I: IntoIterator<Item = FrameInfo>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|info| (info.sop_uid.clone(), info))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::frame;
    use super::*;

    #[test]
    fn frame_names_follow_the_dicom_file() {
        let single = frame("a", "IM0001.dcm", 8, 8, 1);
        assert_eq!(single.frame_file_name(1), "IM0001.dcm");
        assert_eq!(single.frame_rel_name(1), "ST1/SE1/IM0001.dcm");
        assert_eq!(single.frame_stem(1), "IM0001");
        let multi = frame("m", "US0001.dcm", 8, 8, 12);
        assert_eq!(multi.frame_file_name(3), "US0001_f3.dcm");
        assert_eq!(multi.frame_stem(3), "US0001_f3");
        let bare = frame("b", "IM0004", 8, 8, 2);
        assert_eq!(bare.frame_file_name(2), "IM0004_f2");
        let dotted = frame("d", "1.2.840.5.dcm", 8, 8, 1);
        assert_eq!(dotted.frame_file_name(1), "1.2.840.5.dcm");
        assert_eq!(dotted.frame_stem(1), "1.2.840.5");
        let mut odd = frame("o", "a b.dcm", 8, 8, 1);
        odd.rel_dir = "../x/ST 1".into();
        assert_eq!(
            odd.frame_path(Path::new("out"), 1, ".png"),
            Path::new("out/_./x/ST_1/a_b.png")
        );
    }

    #[test]
    fn patient_points_need_full_geometry_and_frame_one() {
        let f = frame("a", "a.dcm", 8, 8, 1);
        // Position is the centre of pixel (0, 0), i.e. image point (0.5, 0.5).
        assert_eq!(f.patient_mm([0.5, 0.5], 1), Some([-100.0, -100.0, 20.0]));
        assert_eq!(f.patient_mm([2.5, 4.5], 1), Some([-99.0, -98.0, 20.0]));
        assert_eq!(f.patient_mm([0.5, 0.5], 2), None);
        let mut detector = f.clone();
        detector.spacing = PixelSpacing::from_attributes(None, Some([0.5, 0.5]));
        assert_eq!(detector.patient_mm([0.5, 0.5], 1), None);
        let mut no_position = f;
        no_position.position_mm = None;
        assert_eq!(no_position.patient_mm([0.5, 0.5], 1), None);
    }
}
