//! Segmentation agreement of one frame: Dice, Jaccard and the surface distances of
//! the two readers' masks, computed over the masks' bounding box only.

use serde::Serialize;

use super::bootstrap::Interval;
use super::region::Region;
use super::surface;
use super::volume::SeriesAgreement;

/// The agreement on one frame and label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageAgreement {
    /// The image.
    pub sop_uid: String,
    /// The frame, from 1.
    pub frame: u32,
    /// The label.
    pub label: String,
    /// The image's study.
    pub study_uid: String,
    /// The image's series.
    pub series_uid: String,
    /// Pixels in the reference's and the test's mask.
    pub reference_pixels: u64,
    /// Pixels in the test's mask.
    pub test_pixels: u64,
    /// 2|A∩B| / (|A| + |B|).
    pub dice: f64,
    /// |A∩B| / |A∪B|.
    pub jaccard: f64,
    /// Hausdorff distance, mm (pixels when the image has no spacing); `None` when one
    /// mask is empty.
    pub hd_mm: Option<f64>,
    /// 95th percentile surface distance.
    pub hd95_mm: Option<f64>,
    /// Average symmetric surface distance.
    pub assd_mm: Option<f64>,
    /// False when the image has no pixel spacing and distances are in pixels.
    pub calibrated: bool,
}

/// The segmentation part of an agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segmentation {
    /// Every frame and label either annotator drew an area on, worst Dice first.
    pub per_image: Vec<ImageAgreement>,
    /// Every series and label, in 3-D with volumes (study, series, label order).
    pub per_series: Vec<SeriesAgreement>,
    /// The mean Dice over `per_image` (`None` without any).
    pub dice_mean: Option<f64>,
    /// Its 95 % interval, bootstrapping patients.
    pub dice_mean_ci: Option<Interval>,
}

/// How two masks of one frame agree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaskAgreement {
    /// Pixels of the first mask.
    pub a_pixels: u64,
    /// Pixels of the second mask.
    pub b_pixels: u64,
    /// 2|A∩B| / (|A| + |B|); 0 when both are empty.
    pub dice: f64,
    /// |A∩B| / |A∪B|; 0 when both are empty.
    pub jaccard: f64,
    /// The surface distances, in the unit of the spacing; `None` when a mask is empty.
    pub surface: Option<surface::SurfaceDistances>,
}

/// Dice, Jaccard and the surface distances of masks `a` and `b` with `spacing` =
/// [row step, column step]. The distances are computed over the masks' bounding box
/// only: outside it, no pixel is in either mask.
pub fn mask_agreement(a: &Region, b: &Region, spacing: [f64; 2]) -> MaskAgreement {
    let inter = a.intersection_area(b) as f64;
    let (na, nb) = (a.area(), b.area());
    let sum = (na + nb) as f64;
    // No distances when a mask is empty; else over the box holding both.
    let surface = a.bounds().zip(b.bounds()).and_then(|(x, y)| {
        let (row0, col0) = (x[0].min(y[0]), x[1].min(y[1]));
        let row_end = (x[0] + x[2]).max(y[0] + y[2]);
        let col_end = (x[1] + x[3]).max(y[1] + y[3]);
        let frame = [row0, col0, row_end - row0, col_end - col0];
        let (rows, cols) = (frame[2] as usize, frame[3] as usize);
        surface::surface_distances(&a.grid(frame), &b.grid(frame), rows, cols, spacing)
    });
    MaskAgreement {
        a_pixels: na,
        b_pixels: nb,
        dice: if sum > 0.0 { 2.0 * inter / sum } else { 0.0 },
        jaccard: if sum - inter > 0.0 {
            inter / (sum - inter)
        } else {
            0.0
        },
        surface,
    }
}
