//! A series as the assisting tools read it: its frames in slice order (the index's
//! display order, multi-frame images frame by frame), each with its place on the
//! slice normal, and the modality values (HU for CT) of the frames asked for.
//!
//! Values are `f32`: a CT slice of 512 × 512 is 1 MiB, and a region grown through
//! 300 of them stays near 300 MiB; padding pixels are NaN so no window takes them.

use std::sync::Arc;

use rayon::prelude::*;
use thiserror::Error;

use crate::annotate::files::frames::FrameInfo;
use crate::annotate::shape::ShapeImage;
use crate::index::Series;
use crate::index::instance::slice_normal;
use crate::measure::PixelSpacing;
use crate::pixel::{DicomImage, FramePixels};
use crate::render::ModalityFrame;
use crate::window::ModalityTransform;

/// Why a series' frames cannot be read for assistance.
#[derive(Debug, Error)]
pub enum StackError {
    /// A frame could not be decoded.
    #[error("cannot decode frame {frame} of {file}: {reason}")]
    Decode {
        /// The file's name.
        file: String,
        /// The frame, from 1.
        frame: u32,
        /// Why.
        reason: String,
    },
    /// A colour image: no modality values to grow in.
    #[error("{0} is a colour image: region growing needs greyscale modality values")]
    Colour(String),
    /// The frames differ in size.
    #[error("the frames of the series differ in size ({0}); segment frame by frame in 2-D")]
    MixedSize(String),
    /// The series has no frames.
    #[error("the series has no frames")]
    Empty,
}

/// One frame of the series.
#[derive(Debug, Clone)]
pub struct Slice {
    /// The frame, as shapes name it.
    pub image: ShapeImage,
    /// Its place along the slice normal, mm, when the image has position and
    /// orientation (first frames only: the index has no per-frame positions).
    pub position_mm: Option<f64>,
    /// Its modality values, row-major (NaN for padding), when loaded.
    pub values: Option<Arc<[f32]>>,
    /// The modality value Pixel Padding Value stands for, when loaded and the image
    /// has one (what the NaNs of `values` were).
    pub padding_value: Option<f32>,
}

/// A series' frames in slice order.
#[derive(Debug, Clone)]
pub struct Stack {
    /// Rows of every frame.
    pub rows: usize,
    /// Columns of every frame.
    pub cols: usize,
    /// The in-plane spacing (of the first frame).
    pub spacing: PixelSpacing,
    /// The frames, in slice order.
    pub slices: Vec<Slice>,
}

impl Stack {
    /// The frames of `series` with the values of those `wanted` (by slice index from
    /// 0) decoded, in parallel.
    ///
    /// # Errors
    /// A frame that does not decode, a colour image, frames of different sizes.
    pub fn load(
        series: &Series,
        wanted: impl Fn(usize) -> bool + Sync,
    ) -> Result<Self, StackError> {
        let first = series.instances.first().ok_or(StackError::Empty)?;
        let (rows, cols) = (first.rows, first.cols);
        if let Some(other) = series
            .instances
            .iter()
            .find(|i| (i.rows, i.cols) != (rows, cols))
        {
            return Err(StackError::MixedSize(format!(
                "{} is {}×{}, {} is {}×{}",
                first.file_name, cols, rows, other.file_name, other.cols, other.rows
            )));
        }
        let mut slices = Vec::new();
        let mut owner = Vec::new();
        for (i, inst) in series.instances.iter().enumerate() {
            let info = FrameInfo::from_instance(inst);
            let normal = info.orientation.and_then(slice_normal);
            for frame in 1..=inst.frames.max(1) {
                let position_mm = (frame == 1)
                    .then(|| Some(dot(info.position_mm?, normal?)))
                    .flatten();
                slices.push(Slice {
                    image: ShapeImage {
                        study_uid: inst.study_uid.clone(),
                        series_uid: inst.series_uid.clone(),
                        sop_uid: inst.sop_uid.clone(),
                        file_name: inst.file_name.clone(),
                        frame,
                    },
                    position_mm,
                    values: None,
                    padding_value: None,
                });
                owner.push(i);
            }
        }
        let loaded: Vec<Option<FrameValues>> = (0..slices.len())
            .into_par_iter()
            .map(|k| {
                if !wanted(k) {
                    return Ok(None);
                }
                let inst = &series.instances[owner[k]];
                values(inst, slices[k].image.frame).map(Some)
            })
            .collect::<Result<_, StackError>>()?;
        for (slice, frame) in slices.iter_mut().zip(loaded) {
            if let Some((values, padding_value)) = frame {
                slice.values = Some(values);
                slice.padding_value = padding_value;
            }
        }
        Ok(Self {
            rows: rows as usize,
            cols: cols as usize,
            spacing: FrameInfo::from_instance(first).spacing,
            slices,
        })
    }

    /// The slices' positions along the normal, mm, when every slice has one and they
    /// differ; else the slice indices times `fallback_mm`.
    pub fn positions_mm(&self, fallback_mm: f64) -> Vec<f64> {
        let known: Option<Vec<f64>> = self.slices.iter().map(|s| s.position_mm).collect();
        match known {
            Some(p) if p.windows(2).all(|w| (w[1] - w[0]).abs() > 1e-6) => p,
            _ => (0..self.slices.len())
                .map(|k| k as f64 * fallback_mm)
                .collect(),
        }
    }
}

/// The dot product.
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// A frame's modality values (NaN for padding) and the modality value of its padding.
type FrameValues = (Arc<[f32]>, Option<f32>);

/// The modality values of frame `frame` (from 1) of `inst`, and what its Pixel
/// Padding Value stands for.
fn values(inst: &crate::index::Instance, frame: u32) -> Result<FrameValues, StackError> {
    let error = |reason: String| StackError::Decode {
        file: inst.file_name.clone(),
        frame,
        reason,
    };
    let image = DicomImage::open(&inst.path).map_err(|e| error(e.to_string()))?;
    let decoded = image
        .decode_frame(frame - 1)
        .map_err(|e| error(e.to_string()))?;
    let FramePixels::Grey(stored) = &decoded.pixels else {
        return Err(StackError::Colour(inst.file_name.clone()));
    };
    let m = ModalityFrame::new(&image, frame - 1, decoded.rows, decoded.cols, stored);
    let padding_value = image.desc.padding_value.map(|stored| {
        ModalityTransform::for_frame(&image.dataset, frame - 1, image.desc.signed)
            .apply(stored as f64) as f32
    });
    let values = m
        .values
        .iter()
        .zip(&m.padding)
        .map(|(&v, &pad)| if pad { f32::NAN } else { v as f32 })
        .collect();
    Ok((values, padding_value))
}
