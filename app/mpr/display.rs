//! A plane as the viewer shows it: a window (or the file's VOI LUT) over its modality
//! values, inverted for MONOCHROME1, padding black, 8 bits.
//!
//! Why not [`crate::render::render_frame`]: that renders a decoded frame through its
//! file's Modality LUT, and a plane is already in modality units, gathered from many
//! files. The steps are the same ones, taken from the same places: the file's VOIs
//! ([`file_vois`]), the window math ([`window_value`]), the min–max fallback
//! ([`min_max_window`]) and the inversion rule ([`presentation_inverted`]).

use std::path::Path;

use dicom_dictionary_std::tags;

use super::plane::Plane;
use crate::attrs::text;
use crate::pixel::desc::PixelDescription;
use crate::render::{Image8, min_max_window};
use crate::window::{Voi, file_vois, presentation_inverted, window_value};

/// What a series' file says about showing it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FileDisplay {
    /// The file's first window or VOI LUT, when it has one.
    pub voi: Option<Voi>,
    /// True for MONOCHROME1 or Presentation LUT Shape INVERSE.
    pub inverted: bool,
}

impl FileDisplay {
    /// Reads the header of `path` (frame `frame`, from 1); an unreadable header shows
    /// as nothing offered, not inverted.
    pub fn read(path: &Path, frame: u32) -> Self {
        let Ok(file) = crate::dicom_file::open(path, true) else {
            return Self::default();
        };
        let obj = &file.dataset;
        let signed = PixelDescription::from_dataset(obj).is_ok_and(|d| d.signed);
        let monochrome1 =
            text(obj, tags::PHOTOMETRIC_INTERPRETATION).is_some_and(|p| p == "MONOCHROME1");
        Self {
            voi: file_vois(obj, frame.saturating_sub(1), signed)
                .into_iter()
                .next()
                .map(|f| f.voi),
            inverted: presentation_inverted(obj, monochrome1),
        }
    }
}

/// The VOI `plane` is shown with when none is given: its own min–max (padding left out).
pub fn min_max_voi(plane: &Plane) -> Voi {
    let (lo, hi) = plane
        .values
        .iter()
        .zip(&plane.padding)
        .filter(|(v, pad)| !**pad && v.is_finite())
        .fold(None, |acc: Option<(f64, f64)>, (v, _)| {
            let v = f64::from(*v);
            Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        })
        .unwrap_or((0.0, 0.0));
    Voi::Window(min_max_window(lo, hi))
}

/// `plane` through `voi` (inverted when `inverted`) as 8-bit grey; padding and
/// pixels outside the images are black.
pub fn render_plane(plane: &Plane, voi: &Voi, inverted: bool) -> Image8 {
    let to_display = |x: f64| match voi {
        Voi::Window(w) => window_value(x, w, 0.0, 255.0),
        Voi::Lut(l) => l.lookup(x) / l.max_output() * 255.0,
    };
    let data = plane
        .values
        .iter()
        .zip(&plane.padding)
        .map(|(&x, &pad)| {
            if pad || x.is_nan() {
                return 0;
            }
            let y = to_display(f64::from(x));
            let y = if inverted { 255.0 - y } else { y };
            y.round().clamp(0.0, 255.0) as u8
        })
        .collect();
    Image8 {
        width: plane.cols as u32,
        height: plane.rows as u32,
        channels: 1,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mpr::plane::PlaneKind;
    use crate::window::{VoiFunction, Window};

    #[test]
    fn a_window_maps_and_padding_is_black() {
        let plane = Plane {
            kind: PlaneKind::Axial,
            index: 0,
            rows: 1,
            cols: 4,
            values: vec![-200.0, 40.0, 1000.0, 40.0],
            padding: vec![false, false, false, true],
            spacing_mm: [1.0, 1.0],
            row_positions_mm: vec![0.0],
            row_slices: Vec::new(),
            gathered: vec![0],
            slab: None,
            notes: Vec::new(),
        };
        let w = Voi::Window(Window {
            center: 40.0,
            width: 400.0,
            function: VoiFunction::Linear,
        });
        let img = render_plane(&plane, &w, false);
        assert_eq!(img.data[0], 0);
        assert_eq!(img.data[2], 255);
        assert!((127..=128).contains(&img.data[1]));
        assert_eq!(img.data[3], 0);
        assert_eq!(render_plane(&plane, &w, true).data[0], 255);
        let Voi::Window(mm) = min_max_voi(&plane) else {
            panic!("a window");
        };
        assert_eq!(mm, min_max_window(-200.0, 1000.0));
    }
}
