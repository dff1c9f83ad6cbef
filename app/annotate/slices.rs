//! Where a series' images lie along the slice normal: the one placement the 3-D
//! agreement ([`crate::agreement::volume`]) and the lesions ([`super::lesion`]) both
//! measure with, so a volume means the same in both.

use super::files::frames::FrameInfo;
use crate::index::instance::slice_normal;

/// Largest difference of direction cosines still taken as the same orientation.
const SAME_ORIENTATION: f64 = 1e-4;
/// Smallest gap, mm, between two slices' positions.
const MIN_GAP_MM: f64 = 1e-4;

/// Why a series' images cannot be placed along a normal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unplaceable {
    /// A multi-frame image: the index knows the position of its first frame only.
    MultiFrame,
    /// An image without Image Position or Orientation (Patient).
    NoPosition,
    /// The images' orientations differ.
    MixedOrientation,
    /// Two images lie at the same position along the normal.
    SharedPosition,
}

/// Each image's position along the first image's slice normal, mm, increasing
/// (ties by SOP Instance UID), with its SOP Instance UID; or why they cannot be
/// placed.
///
/// # Errors
/// See [`Unplaceable`].
pub fn positions<'a>(infos: &[&'a FrameInfo]) -> Result<Vec<(f64, &'a str)>, Unplaceable> {
    if infos.iter().any(|i| i.frames > 1) {
        return Err(Unplaceable::MultiFrame);
    }
    let first = infos
        .first()
        .and_then(|i| i.orientation)
        .ok_or(Unplaceable::NoPosition)?;
    let normal = slice_normal(first).ok_or(Unplaceable::NoPosition)?;
    let mut out = Vec::with_capacity(infos.len());
    for info in infos {
        let (Some(p), Some(o)) = (info.position_mm, info.orientation) else {
            return Err(Unplaceable::NoPosition);
        };
        if o.iter()
            .zip(&first)
            .any(|(a, b)| (a - b).abs() > SAME_ORIENTATION)
        {
            return Err(Unplaceable::MixedOrientation);
        }
        let along = p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
        if !along.is_finite() {
            return Err(Unplaceable::NoPosition);
        }
        out.push((along, info.sop_uid.as_str()));
    }
    out.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(y.1)));
    if out.windows(2).any(|w| w[1].0 - w[0].0 < MIN_GAP_MM) {
        return Err(Unplaceable::SharedPosition);
    }
    Ok(out)
}

/// The median of the gaps between consecutive increasing positions `z` (robust to
/// one missing slice); `None` for fewer than two.
pub fn median_gap(z: &[f64]) -> Option<f64> {
    let mut gaps: Vec<f64> = z.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_by(f64::total_cmp);
    let n = gaps.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(gaps[n / 2]),
        _ => Some((gaps[n / 2 - 1] + gaps[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::median_gap;

    #[test]
    fn the_median_gap_resists_one_missing_slice() {
        assert_eq!(median_gap(&[0.0, 2.5, 5.0, 10.0]), Some(2.5));
        assert_eq!(median_gap(&[0.0, 1.0, 3.0]), Some(1.5));
        assert_eq!(median_gap(&[4.0]), None);
    }
}
