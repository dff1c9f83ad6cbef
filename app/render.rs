//! A decoded frame as a viewer shows it: modality values, VOI, presentation, 8 bits.

use dicom_dictionary_std::tags;

use crate::attrs::text;
use crate::pixel::{DicomImage, Frame, FramePixels, PixelError, Samples};
use crate::window::{
    FileVoi, ModalityTransform, Voi, VoiFunction, Window, file_vois, presentation_inverted,
    window_value,
};

/// Modality values of a greyscale frame, with the padding mask.
#[derive(Debug, Clone)]
pub struct ModalityFrame {
    /// Rows.
    pub rows: u32,
    /// Columns.
    pub cols: u32,
    /// Modality values (HU for CT), row-major.
    pub values: Vec<f64>,
    /// True where the stored value equals Pixel Padding Value.
    pub padding: Vec<bool>,
}

impl ModalityFrame {
    /// Applies the Modality LUT stage of `image` for `frame` to its stored values.
    pub fn new(
        image: &DicomImage,
        frame_index: u32,
        rows: u32,
        cols: u32,
        stored: &Samples,
    ) -> Self {
        let modality = ModalityTransform::for_frame(&image.dataset, frame_index, image.desc.signed);
        let pad = image.desc.padding_value;
        let n = stored.len();
        let values = (0..n).map(|i| modality.apply(stored.get(i))).collect();
        let padding = (0..n)
            .map(|i| !stored.is_float() && pad.is_some_and(|p| stored.get_int(i) == p))
            .collect();
        Self {
            rows,
            cols,
            values,
            padding,
        }
    }

    /// Minimum and maximum over non-padding pixels (NaN values ignored).
    pub fn min_max(&self) -> Option<(f64, f64)> {
        self.values
            .iter()
            .zip(&self.padding)
            .filter(|(v, p)| !**p && v.is_finite())
            .map(|(v, _)| *v)
            .fold(None, |acc, v| match acc {
                None => Some((v, v)),
                Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
            })
    }
}

/// The window that maps `[min, max]` onto the full output range (LINEAR).
pub fn min_max_window(min: f64, max: f64) -> Window {
    Window {
        center: (min + max + 1.0) / 2.0,
        width: (max - min + 1.0).max(1.0),
        function: VoiFunction::Linear,
    }
}

/// Which VOI to apply when rendering.
#[derive(Debug, Clone, PartialEq)]
pub enum VoiRequest {
    /// This window.
    Window(Window),
    /// The file's first window or VOI LUT; the frame's min–max when it has none.
    FileOrMinMax,
}

/// An 8-bit image: 1 channel (grey) or 3 (RGB), row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Image8 {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// 1 or 3.
    pub channels: u8,
    /// Pixels.
    pub data: Vec<u8>,
}

impl Image8 {
    /// The image as PNG bytes (8-bit grey or RGB).
    ///
    /// # Errors
    /// The encoder's, e.g. for a size that does not match the data.
    pub fn png(&self) -> Result<Vec<u8>, image::ImageError> {
        let color = if self.channels == 3 {
            image::ExtendedColorType::Rgb8
        } else {
            image::ExtendedColorType::L8
        };
        let mut png = Vec::new();
        image::ImageEncoder::write_image(
            image::codecs::png::PngEncoder::new(&mut png),
            &self.data,
            self.width,
            self.height,
            color,
        )?;
        Ok(png)
    }
}

/// Renders `frame` of `image` as a viewer shows it.
///
/// `function` overrides the VOI LUT Function of whatever window is used.
pub fn render_frame(
    image: &DicomImage,
    frame_index: u32,
    frame: &Frame,
    voi: &VoiRequest,
    function: Option<VoiFunction>,
) -> Result<Image8, PixelError> {
    let samples = match &frame.pixels {
        FramePixels::Rgb(rgb) => {
            return Ok(Image8 {
                width: frame.cols,
                height: frame.rows,
                channels: 3,
                data: rgb.clone(),
            });
        }
        FramePixels::Grey(s) => s,
    };
    let m = ModalityFrame::new(image, frame_index, frame.rows, frame.cols, samples);
    let chosen: Voi = match voi {
        VoiRequest::Window(w) => Voi::Window(*w),
        VoiRequest::FileOrMinMax => match file_vois(&image.dataset, frame_index, image.desc.signed)
            .into_iter()
            .next()
        {
            Some(FileVoi { voi, .. }) => voi,
            None => {
                let (lo, hi) = m.min_max().unwrap_or((0.0, 0.0));
                Voi::Window(min_max_window(lo, hi))
            }
        },
    };
    let monochrome1 =
        text(&image.dataset, tags::PHOTOMETRIC_INTERPRETATION).is_some_and(|p| p == "MONOCHROME1");
    let inverted = presentation_inverted(&image.dataset, monochrome1);
    let to_display = |x: f64| -> f64 {
        match &chosen {
            Voi::Window(w) => {
                let w = Window {
                    function: function.unwrap_or(w.function),
                    ..*w
                };
                window_value(x, &w, 0.0, 255.0)
            }
            Voi::Lut(l) => l.lookup(x) / l.max_output() * 255.0,
        }
    };
    let data = m
        .values
        .iter()
        .zip(&m.padding)
        .map(|(&x, &pad)| {
            if pad {
                return 0;
            }
            let y = to_display(x);
            let y = if inverted { 255.0 - y } else { y };
            y.round().clamp(0.0, 255.0) as u8
        })
        .collect();
    Ok(Image8 {
        width: frame.cols,
        height: frame.rows,
        channels: 1,
        data,
    })
}
