//! Image pixel coordinates to patient coordinates (mm), and back (an RTSTRUCT's
//! contours onto their image).
//!
//! Image Position (Patient) is the centre of the top-left pixel, which is
//! `(0.5, 0.5)` in our image coordinates; Image Orientation (Patient) gives the
//! direction of a step along a row (increasing column, `x`) and then down a column
//! (increasing row, `y`); Pixel Spacing is row spacing (a step in `y`) then column
//! spacing (a step in `x`). PS3.3 C.7.6.2.1.1 writes the same mapping as a matrix.

use crate::index::instance::slice_normal;

/// The patient position (mm) of `point_in_image`, given Image Position (Patient)
/// `position_mm`, Image Orientation (Patient) `orientation` and `[row_mm, col_mm]`.
pub fn to_patient_mm(
    point_in_image: [f64; 2],
    position_mm: [f64; 3],
    orientation: [f64; 6],
    spacing_mm: [f64; 2],
) -> [f64; 3] {
    let [row_mm, col_mm] = spacing_mm;
    let along_row = (point_in_image[0] - 0.5) * col_mm;
    let down_column = (point_in_image[1] - 0.5) * row_mm;
    std::array::from_fn(|i| {
        position_mm[i] + along_row * orientation[i] + down_column * orientation[i + 3]
    })
}

/// The image pixel coordinates of the patient point `point_mm` on the plane of an
/// image with Image Position (Patient) `position_mm`, Image Orientation (Patient)
/// `orientation` and `[row_mm, col_mm]` Pixel Spacing, and its signed distance (mm)
/// from that plane along the slice normal (row × column direction). The inverse of
/// [`to_patient_mm`] for a point on the plane; a point off it
/// is projected onto it. `None` for a degenerate orientation or spacing.
pub fn to_image_px(
    point_mm: [f64; 3],
    position_mm: [f64; 3],
    orientation: [f64; 6],
    [row_mm, col_mm]: [f64; 2],
) -> Option<([f64; 2], f64)> {
    let d: [f64; 3] = std::array::from_fn(|i| point_mm[i] - position_mm[i]);
    let r = [orientation[0], orientation[1], orientation[2]];
    let c = [orientation[3], orientation[4], orientation[5]];
    let dot = |a: [f64; 3], b: [f64; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    // Least squares on the plane: d ≈ u·r + v·c. The Gram matrix is the identity for
    // the orthonormal cosines the standard asks for; solving keeps slightly
    // non-orthogonal ones (rounded to a few decimals) exact on the plane.
    let (rr, rc, cc) = (dot(r, r), dot(r, c), dot(c, c));
    let det = rr * cc - rc * rc;
    let normal = slice_normal(orientation)?;
    if !(det.abs() > 1e-9 && row_mm > 0.0 && col_mm > 0.0) {
        return None;
    }
    let (dr, dc) = (dot(d, r), dot(d, c));
    let u = (cc * dr - rc * dc) / det;
    let v = (rr * dc - rc * dr) / det;
    let point = [0.5 + u / col_mm, 0.5 + v / row_mm];
    let off = dot(d, normal);
    (point.iter().all(|x| x.is_finite()) && off.is_finite()).then_some((point, off))
}

/// Where the plane through `plane_point_mm` with unit `plane_normal` cuts an image of
/// `size` (columns, rows) at `position_mm` / `orientation` / `spacing_mm` (row, column):
/// the line's two ends on the image's border, in image coordinates (pixel (c, r) covers
/// [c, c+1) × [r, r+1)); `None` when the planes are parallel or the line misses the
/// image. What a reference line draws.
pub fn plane_cut(
    plane_point_mm: [f64; 3],
    plane_normal: [f64; 3],
    position_mm: [f64; 3],
    orientation: [f64; 6],
    spacing_mm: [f64; 2],
    size: [f64; 2],
) -> Option<[[f64; 2]; 2]> {
    let corners = [
        [0.0, 0.0],
        [size[0], 0.0],
        [size[0], size[1]],
        [0.0, size[1]],
    ];
    let side = |pt: [f64; 2]| {
        let p = to_patient_mm(pt, position_mm, orientation, spacing_mm);
        (0..3)
            .map(|k| (p[k] - plane_point_mm[k]) * plane_normal[k])
            .sum::<f64>()
    };
    let d: Vec<f64> = corners.iter().map(|c| side(*c)).collect();
    let mut ends = Vec::new();
    for i in 0..4 {
        let j = (i + 1) % 4;
        if (d[i] < 0.0) != (d[j] < 0.0) {
            let t = d[i] / (d[i] - d[j]);
            let (a, b) = (corners[i], corners[j]);
            ends.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
        }
    }
    (ends.len() == 2).then(|| [ends[0], ends[1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9
    }

    #[test]
    fn axial_points_map_to_pixels_by_hand() {
        // Axial, position (-178.5, -178.5, -87.5), 1.4 mm pixels: the position is the
        // centre of pixel (0, 0), i.e. (0.5, 0.5); x = 0.5 + (X + 178.5) / 1.4.
        let axial = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        let p = [-178.5, -178.5, -87.5];
        let at = |q| to_image_px(q, p, axial, [1.4, 1.4]).expect("maps");
        assert!(close(at(p).0, [0.5, 0.5]));
        // (-109.2, -39.2): 69.3 / 1.4 = 49.5 and 139.3 / 1.4 = 99.5 past the centre.
        let (q, off) = at([-109.2, -39.2, -87.5]);
        assert!(close(q, [50.0, 100.0]), "{q:?}");
        assert!(off.abs() < 1e-12);
        // 1 mm above the plane: same pixel, distance +1 along the normal (0, 0, 1).
        let (q, off) = at([-109.2, -39.2, -86.5]);
        assert!(
            close(q, [50.0, 100.0]) && (off - 1.0).abs() < 1e-12,
            "{q:?} {off}"
        );
        // Anisotropic: rows 2 mm apart, columns 0.5 mm.
        let (q, _) = to_image_px([1.0, 4.0, 0.0], [0.0; 3], axial, [2.0, 0.5]).expect("maps");
        assert!(close(q, [2.5, 2.5]), "{q:?}");
    }

    #[test]
    fn oblique_points_map_to_pixels_by_hand() {
        // Rows run along (1, 1, 0)/√2, columns along -z; normal = r × c = (-1, 1, 0)/√2.
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let oblique = [h, h, 0.0, 0.0, 0.0, -1.0];
        let p = [10.0, 20.0, 30.0];
        // 3 columns of 2 mm along the row (6 mm: (3√2, 3√2, 0)), 4 rows of 1 mm down.
        let q = [10.0 + 6.0 * h, 20.0 + 6.0 * h, 26.0];
        let (px, off) = to_image_px(q, p, oblique, [1.0, 2.0]).expect("maps");
        assert!(close(px, [3.5, 4.5]), "{px:?}");
        assert!(off.abs() < 1e-12);
        // 2 mm along the normal: the same pixel, 2 mm off.
        let n = [-2.0 * h, 2.0 * h, 0.0];
        let (px, off) =
            to_image_px([q[0] + n[0], q[1] + n[1], q[2]], p, oblique, [1.0, 2.0]).expect("maps");
        assert!(
            close(px, [3.5, 4.5]) && (off - 2.0).abs() < 1e-12,
            "{px:?} {off}"
        );
        // And back: the inverse of to_patient_mm on the plane.
        for pt in [[0.0, 0.0], [17.25, 3.5], [255.5, 100.0]] {
            let mm = to_patient_mm(pt, p, oblique, [1.0, 2.0]);
            let (back, off) = to_image_px(mm, p, oblique, [1.0, 2.0]).expect("maps");
            assert!(close(back, pt) && off.abs() < 1e-9, "{pt:?} -> {back:?}");
        }
        // A degenerate orientation maps nothing.
        assert!(to_image_px(q, p, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [1.0, 1.0]).is_none());
        assert!(to_image_px(q, p, oblique, [0.0, 1.0]).is_none());
    }

    #[test]
    fn axial_and_sagittal_by_hand() {
        // Axial, 0.7 mm pixels, position (-180, -170, 42.5): the centre of the
        // top-left pixel maps to the position; pixel (10, 20)'s centre moves 7 mm in x
        // and 14 mm in y.
        let axial = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        let p = [-180.0, -170.0, 42.5];
        assert_eq!(to_patient_mm([0.5, 0.5], p, axial, [0.7, 0.7]), p);
        let q = to_patient_mm([10.5, 20.5], p, axial, [0.7, 0.7]);
        assert!((q[0] + 173.0).abs() < 1e-9 && (q[1] + 156.0).abs() < 1e-9 && q[2] == 42.5);
        // Sagittal (rows along -z): a step down a column lowers z by the row spacing;
        // the top-left corner is half a pixel up and back.
        let sagittal = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0];
        let q = to_patient_mm([0.0, 0.0], [5.0, -100.0, 80.0], sagittal, [2.0, 1.0]);
        assert_eq!(q, [5.0, -100.5, 81.0]);
    }

    #[test]
    fn a_sagittal_plane_cuts_an_axial_image_along_a_column() {
        // Axial 100 × 80 image, 0.5 mm pixels, top-left pixel centre at (−20, −10, 7).
        let axial = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        // The sagittal plane x = 0 (normal +x): column (0 − (−20)) / 0.5 + 0.5 = 40.5.
        let cut = plane_cut(
            [0.0, 5.0, 3.0],
            [1.0, 0.0, 0.0],
            [-20.0, -10.0, 7.0],
            axial,
            [0.5, 0.5],
            [100.0, 80.0],
        )
        .expect("a cut");
        let mut ends = cut.to_vec();
        ends.sort_by(|a, b| a[1].total_cmp(&b[1]));
        assert_eq!(ends, vec![[40.5, 0.0], [40.5, 80.0]]);
        // A parallel (axial) plane has no line; a sagittal plane beside the image neither.
        assert!(
            plane_cut(
                [0.0, 0.0, 9.0],
                [0.0, 0.0, 1.0],
                [-20.0, -10.0, 7.0],
                axial,
                [0.5, 0.5],
                [100.0, 80.0]
            )
            .is_none()
        );
        assert!(
            plane_cut(
                [90.0, 0.0, 0.0],
                [1.0, 0.0, 0.0],
                [-20.0, -10.0, 7.0],
                axial,
                [0.5, 0.5],
                [100.0, 80.0]
            )
            .is_none()
        );
    }
}
