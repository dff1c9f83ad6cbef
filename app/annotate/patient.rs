//! Image pixel coordinates to patient coordinates (mm).
//!
//! Image Position (Patient) is the centre of the top-left pixel, which is
//! `(0.5, 0.5)` in our image coordinates; Image Orientation (Patient) gives the
//! direction of a step along a row (increasing column, `x`) and then down a column
//! (increasing row, `y`); Pixel Spacing is row spacing (a step in `y`) then column
//! spacing (a step in `x`). PS3.3 C.7.6.2.1.1 writes the same mapping as a matrix.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
