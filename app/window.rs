//! Stored value → modality value → display value: the grey-scale pipeline of PS3.3 C.11.
//!
//! This module is the single source of truth for window/level math. The GPU
//! shader (`shaders/`) implements [`window_value`] again and is tested against it
//! pixel by pixel, so any change here must be mirrored there.

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use serde::{Deserialize, Serialize};

use crate::attrs::{first_item, floats, text, texts};

/// VOI LUT Function (0028,1056).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoiFunction {
    /// `LINEAR` (C.11.2.1.2.1): the classic window with its half-level offsets.
    #[default]
    Linear,
    /// `LINEAR_EXACT` (C.11.2.1.3.2): no offsets; width may be below 1.
    LinearExact,
    /// `SIGMOID` (C.11.2.1.3.1).
    Sigmoid,
}

impl VoiFunction {
    /// Parses the DICOM attribute value (`LINEAR`, `LINEAR_EXACT`, `SIGMOID`).
    pub fn from_dicom(s: &str) -> Option<Self> {
        match s.trim() {
            "LINEAR" => Some(Self::Linear),
            "LINEAR_EXACT" => Some(Self::LinearExact),
            "SIGMOID" => Some(Self::Sigmoid),
            _ => None,
        }
    }
}

/// A window: centre and width in modality units, and the function that applies it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Window Center.
    pub center: f64,
    /// Window Width.
    pub width: f64,
    /// VOI LUT Function.
    pub function: VoiFunction,
}

/// Maps modality value `x` through a window to `[y_min, y_max]`, exactly as PS3.3 defines it.
///
/// - LINEAR: `x <= c - 0.5 - (w-1)/2` → `y_min`; `x > c - 0.5 + (w-1)/2` → `y_max`;
///   else `((x - (c - 0.5)) / (w-1) + 0.5) * (y_max - y_min) + y_min`. A width below 1
///   is taken as 1 (the standard requires ≥ 1); width 1 is a threshold at `c - 0.5`.
/// - LINEAR_EXACT: `x <= c - w/2` → `y_min`; `x > c + w/2` → `y_max`;
///   else `((x - c) / w + 0.5) * (y_max - y_min) + y_min`; requires `w > 0`.
/// - SIGMOID: `(y_max - y_min) / (1 + exp(-4 (x - c) / w)) + y_min`; requires `w > 0`.
///
/// Non-positive widths for LINEAR_EXACT and SIGMOID are taken as the smallest positive value.
pub fn window_value(x: f64, window: &Window, y_min: f64, y_max: f64) -> f64 {
    let c = window.center;
    let range = y_max - y_min;
    match window.function {
        VoiFunction::Linear => {
            let w = window.width.max(1.0);
            let lo = c - 0.5 - (w - 1.0) / 2.0;
            let hi = c - 0.5 + (w - 1.0) / 2.0;
            if x <= lo {
                y_min
            } else if x > hi {
                y_max
            } else {
                // w > 1 here: with w == 1, lo == hi and one branch above was taken.
                ((x - (c - 0.5)) / (w - 1.0) + 0.5) * range + y_min
            }
        }
        VoiFunction::LinearExact => {
            let w = window.width.max(f64::MIN_POSITIVE);
            if x <= c - w / 2.0 {
                y_min
            } else if x > c + w / 2.0 {
                y_max
            } else {
                ((x - c) / w + 0.5) * range + y_min
            }
        }
        VoiFunction::Sigmoid => {
            let w = window.width.max(f64::MIN_POSITIVE);
            range / (1.0 + (-4.0 * (x - c) / w).exp()) + y_min
        }
    }
}

/// A lookup table (Modality LUT or VOI LUT): input first mapped value, output bits, entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Lut {
    /// The input value mapped to the first entry.
    pub first_mapped: i64,
    /// Bits of each output entry (from the descriptor, widened when the data needs more).
    pub bits: u32,
    /// Entries.
    pub data: Vec<u16>,
}

impl Lut {
    /// Output for input `x`: inputs below/above the table take its first/last entry.
    #[inline]
    pub fn lookup(&self, x: f64) -> f64 {
        let i = (x.floor() as i64 - self.first_mapped).clamp(0, self.data.len() as i64 - 1);
        f64::from(self.data[i as usize])
    }

    /// Largest possible output, `2^bits - 1`.
    pub fn max_output(&self) -> f64 {
        f64::from((1u32 << self.bits.min(16)) - 1)
    }

    /// Reads a LUT item (LUT Descriptor, LUT Data); `signed_input` when Pixel Representation is 1.
    pub fn from_item(item: &InMemDicomObject, signed_input: bool) -> Option<Self> {
        let d = item.get(tags::LUT_DESCRIPTOR)?.to_multi_int::<i64>().ok()?;
        if d.len() != 3 {
            return None;
        }
        let entries = if d[0] == 0 { 65536 } else { d[0] as usize };
        // US descriptor: a signed first mapped value arrives as its unsigned bit pattern.
        let first_mapped = if signed_input && d[1] > 32767 {
            d[1] - 65536
        } else {
            d[1]
        };
        let elem = item.get(tags::LUT_DATA)?;
        let raw = elem.to_bytes().ok()?;
        let mut data: Vec<u16> = if d[2] == 8 && raw.len() == entries {
            raw.iter().map(|b| u16::from(*b)).collect()
        } else {
            raw.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect()
        };
        data.truncate(entries);
        if data.is_empty() {
            return None;
        }
        let max = data.iter().copied().max().unwrap_or(0);
        let needed = 16 - max.leading_zeros();
        Some(Self {
            first_mapped,
            bits: (d[2].clamp(1, 16) as u32).max(needed),
            data,
        })
    }
}

/// The Modality LUT stage: stored value → modality value (HU for CT).
#[derive(Debug, Clone, PartialEq)]
pub enum ModalityTransform {
    /// Rescale Slope and Intercept (identity when absent: slope 1, intercept 0).
    Rescale {
        /// Rescale Slope.
        slope: f64,
        /// Rescale Intercept.
        intercept: f64,
    },
    /// Modality LUT Sequence.
    Lut(Lut),
}

impl ModalityTransform {
    /// Applies the transform to a stored value.
    #[inline]
    pub fn apply(&self, stored: f64) -> f64 {
        match self {
            Self::Rescale { slope, intercept } => stored * slope + intercept,
            Self::Lut(l) => l.lookup(stored),
        }
    }

    /// The transform for `frame`: per-frame and shared functional groups first
    /// (enhanced multi-frame), then the top-level attributes.
    pub fn for_frame(obj: &InMemDicomObject, frame: u32, signed: bool) -> Self {
        if let Some(lut) =
            first_item(obj, tags::MODALITY_LUT_SEQUENCE).and_then(|i| Lut::from_item(i, signed))
        {
            return Self::Lut(lut);
        }
        let scope = frame_scope(obj, frame, tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE);
        let slope = scope
            .iter()
            .find_map(|o| floats(o, tags::RESCALE_SLOPE))
            .and_then(|v| v.first().copied())
            .filter(|s| *s != 0.0)
            .unwrap_or(1.0);
        let intercept = scope
            .iter()
            .find_map(|o| floats(o, tags::RESCALE_INTERCEPT))
            .and_then(|v| v.first().copied())
            .unwrap_or(0.0);
        Self::Rescale { slope, intercept }
    }
}

/// A VOI stage the file offers.
#[derive(Debug, Clone, PartialEq)]
pub enum Voi {
    /// A window (centre/width/function).
    Window(Window),
    /// A VOI LUT from the VOI LUT Sequence.
    Lut(Lut),
}

/// A VOI the file offers, with its explanation (e.g. `WINDOW1`, `LUNG`).
#[derive(Debug, Clone, PartialEq)]
pub struct FileVoi {
    /// The VOI.
    pub voi: Voi,
    /// Window Center & Width Explanation or LUT Explanation.
    pub explanation: Option<String>,
}

/// Every VOI the file offers for `frame`: all windows (in order), then all VOI LUTs.
pub fn file_vois(obj: &InMemDicomObject, frame: u32, signed: bool) -> Vec<FileVoi> {
    let mut out = Vec::new();
    for scope in frame_scope(obj, frame, tags::FRAME_VOILUT_SEQUENCE) {
        let (Some(centers), Some(widths)) = (
            floats(scope, tags::WINDOW_CENTER),
            floats(scope, tags::WINDOW_WIDTH),
        ) else {
            continue;
        };
        let function = text(scope, tags::VOILUT_FUNCTION)
            .and_then(|s| VoiFunction::from_dicom(&s))
            .unwrap_or_default();
        let explanations = texts(scope, tags::WINDOW_CENTER_WIDTH_EXPLANATION);
        for (i, (c, w)) in centers.iter().zip(&widths).enumerate() {
            out.push(FileVoi {
                voi: Voi::Window(Window {
                    center: *c,
                    width: *w,
                    function,
                }),
                explanation: explanations.get(i).cloned().filter(|s| !s.is_empty()),
            });
        }
        break;
    }
    if let Some(items) = obj.get(tags::VOILUT_SEQUENCE).and_then(|e| e.items()) {
        for item in items {
            if let Some(lut) = Lut::from_item(item, signed) {
                out.push(FileVoi {
                    voi: Voi::Lut(lut),
                    explanation: text(item, tags::LUT_EXPLANATION),
                });
            }
        }
    }
    out
}

/// Where a per-frame attribute may live, most specific first: the frame's item of
/// `seq` in the Per-frame Functional Groups, the Shared Functional Groups, the data set.
fn frame_scope(obj: &InMemDicomObject, frame: u32, seq: Tag) -> Vec<&InMemDicomObject> {
    let mut scopes = Vec::with_capacity(3);
    if let Some(per_frame) = obj
        .get(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE)
        .and_then(|e| e.items())
        .and_then(|items| items.get(frame as usize))
        .and_then(|item| first_item(item, seq))
    {
        scopes.push(per_frame);
    }
    if let Some(shared) =
        first_item(obj, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE).and_then(|i| first_item(i, seq))
    {
        scopes.push(shared);
    }
    scopes.push(obj);
    scopes
}

/// True when the display must be inverted: MONOCHROME1, or Presentation LUT Shape INVERSE.
/// (INVERSE on MONOCHROME1 would invert twice; the shape applies to MONOCHROME2 semantics.)
pub fn presentation_inverted(obj: &InMemDicomObject, monochrome1: bool) -> bool {
    let inverse_shape = text(obj, tags::PRESENTATION_LUT_SHAPE).is_some_and(|s| s == "INVERSE");
    monochrome1 != inverse_shape
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(center: f64, width: f64, function: VoiFunction) -> Window {
        Window {
            center,
            width,
            function,
        }
    }

    #[test]
    fn linear_edges_by_hand() {
        // c=40, w=400: lo = 40 - 0.5 - 199.5 = -160, hi = 40 - 0.5 + 199.5 = 239.
        let win = w(40.0, 400.0, VoiFunction::Linear);
        assert_eq!(window_value(-160.0, &win, 0.0, 255.0), 0.0);
        assert_eq!(window_value(239.5, &win, 0.0, 255.0), 255.0);
        // At x = hi the formula gives ((239 - 39.5)/399 + 0.5) * 255 = 255.
        assert!((window_value(239.0, &win, 0.0, 255.0) - 255.0).abs() < 1e-9);
        // Just above lo: ((-159 - 39.5)/399 + 0.5)*255 = 0.63909...
        assert!((window_value(-159.0, &win, 0.0, 255.0) - 0.639_097_744_360_9).abs() < 1e-9);
        // Centre maps to (0.5/399 + 0.5)*255.
        assert!((window_value(40.0, &win, 0.0, 255.0) - (0.5 / 399.0 + 0.5) * 255.0).abs() < 1e-9);
    }

    #[test]
    fn linear_width_one_is_a_threshold() {
        let win = w(100.0, 1.0, VoiFunction::Linear);
        assert_eq!(window_value(99.5, &win, 0.0, 255.0), 0.0);
        assert_eq!(window_value(99.51, &win, 0.0, 255.0), 255.0);
    }

    #[test]
    fn linear_exact_edges_by_hand() {
        let win = w(0.0, 100.0, VoiFunction::LinearExact);
        assert_eq!(window_value(-50.0, &win, 0.0, 255.0), 0.0);
        assert!((window_value(-49.0, &win, 0.0, 255.0) - 2.55).abs() < 1e-9);
        assert!((window_value(0.0, &win, 0.0, 255.0) - 127.5).abs() < 1e-9);
        assert!((window_value(50.0, &win, 0.0, 255.0) - 255.0).abs() < 1e-9);
        assert_eq!(window_value(50.01, &win, 0.0, 255.0), 255.0);
        // Width below 1 is allowed for LINEAR_EXACT.
        let narrow = w(0.0, 0.5, VoiFunction::LinearExact);
        assert!((window_value(0.125, &narrow, 0.0, 1.0) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn sigmoid_by_hand() {
        let win = w(10.0, 20.0, VoiFunction::Sigmoid);
        assert!((window_value(10.0, &win, 0.0, 255.0) - 127.5).abs() < 1e-9);
        // x = c + w/4: 255 / (1 + e^-1) = 186.3996...
        let expect = 255.0 / (1.0 + (-1.0f64).exp());
        assert!((window_value(15.0, &win, 0.0, 255.0) - expect).abs() < 1e-9);
        assert!(window_value(-1e6, &win, 0.0, 255.0) < 1e-9);
    }

    #[test]
    fn lut_clamps_outside_its_range() {
        let lut = Lut {
            first_mapped: -2,
            bits: 8,
            data: vec![10, 20, 30],
        };
        assert_eq!(lut.lookup(-5.0), 10.0);
        assert_eq!(lut.lookup(-1.0), 20.0);
        assert_eq!(lut.lookup(7.0), 30.0);
    }
}
