//! Measurement math of the viewer: lengths, angles, ROI statistics, the pixel
//! probe and the scale bar. Pure functions over plain data (std and serde only),
//! total on every input: no panics, NaN and infinities give `None` or are skipped.
//!
//! # Coordinates
//!
//! Points are in continuous **image coordinates**, in pixels, as `f64`:
//! `x` runs along a row (the column direction, left to right) and `y` down the
//! columns (the row direction, top to bottom). Pixel `(col, row)` covers the
//! half-open square `[col, col + 1) × [row, row + 1)`; its centre is
//! `(col + 0.5, row + 0.5)`. The image `rows × cols` spans
//! `[0, cols) × [0, rows)`, so the top-left corner of the image is `(0, 0)` and
//! the bottom-right corner is `(cols, rows)`.
//!
//! # Physical units
//!
//! DICOM Pixel Spacing (0028,0030) and Imager Pixel Spacing (0018,1164) hold
//! *row spacing* first (the distance between the centres of adjacent rows, so a
//! step in `y`) and *column spacing* second (a step in `x`). A displacement of
//! `(dx, dy)` pixels is therefore `(dx · col_mm, dy · row_mm)` in mm. Lengths,
//! angles and areas are computed in that physical space, so anisotropic pixels
//! are handled; with no usable spacing everything is in pixels (square pixels
//! assumed) and says so in its unit.
//!
//! # ROIs
//!
//! Rectangle and ellipse ROIs are axis-aligned in image space and given by two
//! opposite corners of their bounding box, in any order. A pixel belongs to the
//! ROI when its centre lies in the closed shape (boundary included). A shape of
//! zero width or height contains no pixels. Statistics are over member pixels
//! that are not padding and whose value is finite.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A point in continuous image coordinates, in pixels (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ImagePoint {
    /// Along the row, in columns: 0 at the left edge of the image.
    pub x: f64,
    /// Down the column, in rows: 0 at the top edge of the image.
    pub y: f64,
}

impl ImagePoint {
    /// The point `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// The centre of pixel `(col, row)`: `(col + 0.5, row + 0.5)`.
    pub fn pixel_centre(col: u32, row: u32) -> Self {
        Self {
            x: f64::from(col) + 0.5,
            y: f64::from(row) + 0.5,
        }
    }

    /// True when both coordinates are finite.
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// Where a [`PixelSpacing`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpacingSource {
    /// Pixel Spacing (0028,0030): in the patient (or as the modality calibrated it).
    PixelSpacing,
    /// Imager Pixel Spacing (0018,1164): at the detector, not corrected for
    /// geometric magnification; the UI should say "at detector".
    ImagerPixelSpacing,
    /// No usable spacing: measurements are in pixels.
    None,
}

/// The physical size of a pixel step, in mm, and where it came from.
///
/// Only a spacing whose `source` is not [`SpacingSource::None`] and whose two
/// values are finite and positive calibrates measurements; any other value
/// (as could be built by hand, the fields being public) measures in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PixelSpacing {
    /// Row spacing: mm between the centres of adjacent rows (a step in `y`).
    pub row_mm: f64,
    /// Column spacing: mm between the centres of adjacent columns (a step in `x`).
    pub col_mm: f64,
    /// Which attribute it came from.
    pub source: SpacingSource,
}

impl Default for PixelSpacing {
    fn default() -> Self {
        Self::UNCALIBRATED
    }
}

impl PixelSpacing {
    /// No calibration: 1 × 1, measurements in pixels.
    pub const UNCALIBRATED: Self = Self {
        row_mm: 1.0,
        col_mm: 1.0,
        source: SpacingSource::None,
    };

    /// Chooses the spacing to measure with from the two attributes, each as
    /// stored by the index (`[row spacing, column spacing]` in mm): Pixel
    /// Spacing first, then Imager Pixel Spacing, else none. A value whose
    /// entries are not both finite and positive is skipped as absent.
    pub fn from_attributes(
        pixel_spacing_mm: Option<[f64; 2]>,
        imager_pixel_spacing_mm: Option<[f64; 2]>,
    ) -> Self {
        let usable =
            |s: Option<[f64; 2]>| s.filter(|[r, c]| finite_positive(*r) && finite_positive(*c));
        if let Some([row_mm, col_mm]) = usable(pixel_spacing_mm) {
            Self {
                row_mm,
                col_mm,
                source: SpacingSource::PixelSpacing,
            }
        } else if let Some([row_mm, col_mm]) = usable(imager_pixel_spacing_mm) {
            Self {
                row_mm,
                col_mm,
                source: SpacingSource::ImagerPixelSpacing,
            }
        } else {
            Self::UNCALIBRATED
        }
    }

    /// True when measurements come out in mm (see the type's doc).
    pub fn is_calibrated(&self) -> bool {
        self.source != SpacingSource::None
            && finite_positive(self.row_mm)
            && finite_positive(self.col_mm)
    }

    /// True when the spacing is Imager Pixel Spacing, measured at the detector.
    pub fn at_detector(&self) -> bool {
        self.is_calibrated() && self.source == SpacingSource::ImagerPixelSpacing
    }

    /// `(mm per column step, mm per row step, source)` to measure with:
    /// `(1, 1, None)` when not calibrated.
    fn scale(&self) -> (f64, f64, SpacingSource) {
        if self.is_calibrated() {
            (self.col_mm, self.row_mm, self.source)
        } else {
            (1.0, 1.0, SpacingSource::None)
        }
    }
}

fn finite_positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// The unit of a [`Length`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LengthUnit {
    /// Millimetres.
    Mm,
    /// Image pixels (no spacing known).
    Px,
}

/// A length with its unit and the spacing it was computed with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Length {
    /// The length in `unit`.
    pub value: f64,
    /// Millimetres or pixels.
    pub unit: LengthUnit,
    /// The spacing attribute used (`None` for pixels).
    pub source: SpacingSource,
}

impl fmt::Display for Length {
    /// `12.3 mm` or `45.0 px`; one decimal unless the formatter gives a precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            LengthUnit::Mm => "mm",
            LengthUnit::Px => "px",
        };
        write!(f, "{:.*} {unit}", f.precision().unwrap_or(1), self.value)
    }
}

/// The unit of an [`Area`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AreaUnit {
    /// Square millimetres.
    Mm2,
    /// Square image pixels (no spacing known).
    Px2,
}

/// An area with its unit and the spacing it was computed with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Area {
    /// The area in `unit`.
    pub value: f64,
    /// Square millimetres or square pixels.
    pub unit: AreaUnit,
    /// The spacing attribute used (`None` for pixels).
    pub source: SpacingSource,
}

impl fmt::Display for Area {
    /// `12.3 mm²` or `45.0 px²`; one decimal unless the formatter gives a precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            AreaUnit::Mm2 => "mm²",
            AreaUnit::Px2 => "px²",
        };
        write!(f, "{:.*} {unit}", f.precision().unwrap_or(1), self.value)
    }
}

fn length(value: f64, source: SpacingSource) -> Length {
    Length {
        value,
        unit: if source == SpacingSource::None {
            LengthUnit::Px
        } else {
            LengthUnit::Mm
        },
        source,
    }
}

fn area(value: f64, source: SpacingSource) -> Area {
    Area {
        value,
        unit: if source == SpacingSource::None {
            AreaUnit::Px2
        } else {
            AreaUnit::Mm2
        },
        source,
    }
}

/// √(dx² + dy²), with the same bits on every platform: `f64::hypot` is the C library's
/// and differs in the last bit between glibc and Windows, `sqrt` is exact (IEEE 754), so
/// measurements and annotation exports are byte-identical on Linux and Windows. Image
/// distances are nowhere near overflow, the only thing `hypot` would add.
pub fn euclid(dx: f64, dy: f64) -> f64 {
    (dx * dx + dy * dy).sqrt()
}

/// The distance from `a_in_image` to `b_in_image`: in mm with a calibrated
/// spacing (`√((dx · col_mm)² + (dy · row_mm)²)`), else in pixels. `None` when a
/// coordinate is not finite or the result overflows.
pub fn line_length(
    a_in_image: ImagePoint,
    b_in_image: ImagePoint,
    spacing: &PixelSpacing,
) -> Option<Length> {
    let (dx_mm, dy_mm, source) = physical_step(a_in_image, b_in_image, spacing)?;
    let value = euclid(dx_mm, dy_mm);
    value.is_finite().then(|| length(value, source))
}

/// The vector from `from` to `to` in physical units (mm, or px uncalibrated).
fn physical_step(
    from: ImagePoint,
    to: ImagePoint,
    spacing: &PixelSpacing,
) -> Option<(f64, f64, SpacingSource)> {
    let (sx, sy, source) = spacing.scale();
    let dx = (to.x - from.x) * sx;
    let dy = (to.y - from.y) * sy;
    (dx.is_finite() && dy.is_finite()).then_some((dx, dy, source))
}

/// The angle A-B-C at `vertex_b`, in degrees in `0..=180`, measured in
/// physical space (so anisotropic pixels are accounted for; square pixels when
/// uncalibrated). `None` when A or C coincides with B, or a coordinate is not
/// finite.
pub fn angle_deg(
    a_in_image: ImagePoint,
    vertex_b_in_image: ImagePoint,
    c_in_image: ImagePoint,
    spacing: &PixelSpacing,
) -> Option<f64> {
    let unit = |p: ImagePoint| {
        let (dx, dy, _) = physical_step(vertex_b_in_image, p, spacing)?;
        let n = dx.hypot(dy);
        (n > 0.0 && n.is_finite()).then(|| (dx / n, dy / n))
    };
    let (ux, uy) = unit(a_in_image)?;
    let (vx, vy) = unit(c_in_image)?;
    // atan2 of |cross| and dot is accurate near 0° and 180°, unlike acos.
    let cross = ux * vy - uy * vx;
    let dot = ux * vx + uy * vy;
    let deg = cross.abs().atan2(dot).to_degrees();
    deg.is_finite().then(|| deg.clamp(0.0, 180.0))
}

/// A greyscale frame's modality values as plain slices (row-major), e.g. from
/// `render::ModalityFrame` as
/// `FrameView { rows: f.rows, cols: f.cols, values: &f.values, padding: &f.padding }`.
///
/// Pixels whose index lies past the end of `values` are treated as outside the
/// image. `padding` marks the pixels it covers; an empty slice means no padding.
#[derive(Debug, Clone, Copy)]
pub struct FrameView<'a> {
    /// Rows.
    pub rows: u32,
    /// Columns.
    pub cols: u32,
    /// Modality values, row-major: pixel `(col, row)` at `row * cols + col`.
    pub values: &'a [f64],
    /// True where the pixel is padding (Pixel Padding Value).
    pub padding: &'a [bool],
}

impl FrameView<'_> {
    /// Index of pixel `(col, row)` in `values`, if it is in the image.
    pub(crate) fn index(&self, col: u32, row: u32) -> Option<usize> {
        if col >= self.cols || row >= self.rows {
            return None;
        }
        let i = usize::try_from(row)
            .ok()?
            .checked_mul(usize::try_from(self.cols).ok()?)?
            .checked_add(usize::try_from(col).ok()?)?;
        (i < self.values.len()).then_some(i)
    }

    fn is_padding(&self, i: usize) -> bool {
        self.padding.get(i).copied().unwrap_or(false)
    }
}

/// The pixel under an image point and its value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PixelProbe {
    /// Column of the pixel.
    pub col: u32,
    /// Row of the pixel.
    pub row: u32,
    /// Its modality value (may be NaN for floating-point data).
    pub value: f64,
}

/// The pixel `(col, row)` whose square contains `point_in_image`, or `None`
/// when the point is outside `[0, cols) × [0, rows)` or not finite.
pub fn pixel_at(point_in_image: ImagePoint, rows: u32, cols: u32) -> Option<(u32, u32)> {
    let inside = |v: f64, n: u32| v.is_finite() && v >= 0.0 && v < f64::from(n);
    if !inside(point_in_image.x, cols) || !inside(point_in_image.y, rows) {
        return None;
    }
    // In range, so the floors fit in u32 (`as` saturates in any case).
    Some((
        point_in_image.x.floor() as u32,
        point_in_image.y.floor() as u32,
    ))
}

/// The value under `point_in_image`: `None` outside the image or on padding.
pub fn probe(frame: &FrameView<'_>, point_in_image: ImagePoint) -> Option<PixelProbe> {
    let (col, row) = pixel_at(point_in_image, frame.rows, frame.cols)?;
    let i = frame.index(col, row)?;
    if frame.is_padding(i) {
        return None;
    }
    Some(PixelProbe {
        col,
        row,
        value: *frame.values.get(i)?,
    })
}

/// The shape of an ROI, axis-aligned in image space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoiShape {
    /// The rectangle with the two points as opposite corners.
    Rectangle,
    /// The ellipse inscribed in that rectangle.
    Ellipse,
}

/// An ROI normalised from two corners: `[x0, x1] × [y0, y1]`, non-empty, finite.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    shape: RoiShape,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Bounds {
    fn new(shape: RoiShape, a: ImagePoint, b: ImagePoint) -> Option<Self> {
        if !a.is_finite() || !b.is_finite() {
            return None;
        }
        Some(Self {
            shape,
            x0: a.x.min(b.x),
            x1: a.x.max(b.x),
            y0: a.y.min(b.y),
            y1: a.y.max(b.y),
        })
    }

    /// Half-width and half-height, computed without overflow.
    fn half_extents(&self) -> (f64, f64) {
        (self.x1 / 2.0 - self.x0 / 2.0, self.y1 / 2.0 - self.y0 / 2.0)
    }

    fn contains(&self, p: ImagePoint) -> bool {
        if !(self.x1 > self.x0 && self.y1 > self.y0 && p.is_finite()) {
            return false;
        }
        match self.shape {
            RoiShape::Rectangle => {
                self.x0 <= p.x && p.x <= self.x1 && self.y0 <= p.y && p.y <= self.y1
            }
            RoiShape::Ellipse => {
                let (a, b) = self.half_extents();
                let cx = self.x0 / 2.0 + self.x1 / 2.0;
                let cy = self.y0 / 2.0 + self.y1 / 2.0;
                let u = (p.x - cx) / a;
                let v = (p.y - cy) / b;
                u * u + v * v <= 1.0
            }
        }
    }

    /// The analytic area in pixels².
    fn area_px2(&self) -> f64 {
        let (a, b) = self.half_extents();
        match self.shape {
            RoiShape::Rectangle => 4.0 * a * b,
            RoiShape::Ellipse => std::f64::consts::PI * a * b,
        }
    }

    /// Calls `f(index)` for each pixel of `frame` whose centre is in the shape.
    fn for_each_pixel(&self, frame: &FrameView<'_>, mut f: impl FnMut(usize)) {
        // Candidate columns: centre c + 0.5 in [x0, x1], widened by one on each
        // side; `contains` decides exactly.
        let span = |lo: f64, hi: f64, n: u32| -> Option<(u32, u32)> {
            if n == 0 {
                return None;
            }
            let last = f64::from(n - 1);
            let first = (lo - 0.5).ceil() - 1.0;
            let end = (hi - 0.5).floor() + 1.0;
            if end < 0.0 || first > last {
                return None;
            }
            // Clamped into [0, n - 1], so the casts are exact.
            Some((first.clamp(0.0, last) as u32, end.clamp(0.0, last) as u32))
        };
        let (Some((c0, c1)), Some((r0, r1))) = (
            span(self.x0, self.x1, frame.cols),
            span(self.y0, self.y1, frame.rows),
        ) else {
            return;
        };
        for row in r0..=r1 {
            for col in c0..=c1 {
                if self.contains(ImagePoint::pixel_centre(col, row))
                    && let Some(i) = frame.index(col, row)
                {
                    f(i);
                }
            }
        }
    }
}

/// True when `point_in_image` lies in the closed ROI `shape` spanned by the two
/// corners (any order). Pixel membership is this test at the pixel centre,
/// [`ImagePoint::pixel_centre`]. False for a shape of zero width or height and
/// for non-finite input.
pub fn roi_contains(
    shape: RoiShape,
    corner_a_in_image: ImagePoint,
    corner_b_in_image: ImagePoint,
    point_in_image: ImagePoint,
) -> bool {
    Bounds::new(shape, corner_a_in_image, corner_b_in_image)
        .is_some_and(|b| b.contains(point_in_image))
}

/// What an ROI measures. Values are in modality units (HU for CT).
///
/// The standard deviation comes both ways: `sd_sample` divides by `n − 1`
/// (Bessel-corrected, as ImageJ and spreadsheet `STDEV` do) and is the one the
/// viewer shows as "SD"; `sd_population` divides by `n` (as OpenCV's
/// `meanStdDev`, used by some viewers, does). They differ noticeably only for
/// small ROIs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoiStats {
    /// The shape measured.
    pub shape: RoiShape,
    /// Pixels of the image whose centre is in the shape (padding and
    /// non-finite values included).
    pub pixels_in_shape: u64,
    /// Of those, the pixels the statistics are over: not padding, finite value.
    pub count: u64,
    /// Mean value; `None` when `count` is 0.
    pub mean: Option<f64>,
    /// Sample standard deviation (divides by `n − 1`); `None` when `count < 2`.
    pub sd_sample: Option<f64>,
    /// Population standard deviation (divides by `n`); `None` when `count` is 0.
    pub sd_population: Option<f64>,
    /// Smallest value; `None` when `count` is 0.
    pub min: Option<f64>,
    /// Largest value; `None` when `count` is 0.
    pub max: Option<f64>,
    /// Analytic area of the shape (rectangle `w · h`, ellipse `π · a · b`, in
    /// physical units), whether or not it lies inside the image; infinite only
    /// for absurd corners (beyond ~1e154).
    pub area: Area,
    /// `pixels_in_shape` times the area of one pixel.
    pub pixel_area: Area,
    /// Width of the bounding box (along `x`).
    pub width: Length,
    /// Height of the bounding box (along `y`).
    pub height: Length,
}

/// Measures the ROI `shape` spanned by two corners (any order) over `frame`.
///
/// Member pixels are those whose centre is in the closed shape; the statistics
/// are over members that are not padding and have a finite value. Areas and
/// extents are in mm² / mm with a calibrated `spacing`, else px² / px. `None`
/// when a corner is not finite.
pub fn roi_stats(
    shape: RoiShape,
    corner_a_in_image: ImagePoint,
    corner_b_in_image: ImagePoint,
    frame: &FrameView<'_>,
    spacing: &PixelSpacing,
) -> Option<RoiStats> {
    let bounds = Bounds::new(shape, corner_a_in_image, corner_b_in_image)?;
    let (sx, sy, source) = spacing.scale();
    let stats = value_stats(frame, |f| bounds.for_each_pixel(frame, f));
    let (pixels_in_shape, count) = (stats.members, stats.count);
    let (half_w, half_h) = bounds.half_extents();
    Some(RoiStats {
        shape,
        pixels_in_shape,
        count,
        mean: stats.mean,
        sd_sample: stats.sd_sample,
        sd_population: stats.sd_population,
        min: stats.min,
        max: stats.max,
        area: area(bounds.area_px2() * sx * sy, source),
        pixel_area: area(pixels_in_shape as f64 * sx * sy, source),
        width: length(2.0 * half_w * sx, source),
        height: length(2.0 * half_h * sy, source),
    })
}

/// Count, mean, standard deviations and extremes of some of a frame's pixels: the
/// one statistics routine of ROIs ([`roi_stats`]) and annotation shapes
/// (`annotate::geometry::measure`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ValueStats {
    /// Pixels visited (padding and non-finite values included).
    pub members: u64,
    /// Of those, the pixels the statistics are over: not padding, finite value.
    pub count: u64,
    /// Mean value; `None` when `count` is 0.
    pub mean: Option<f64>,
    /// Sample standard deviation (divides by `n − 1`); `None` when `count < 2`.
    pub sd_sample: Option<f64>,
    /// Population standard deviation (divides by `n`); `None` when `count` is 0.
    pub sd_population: Option<f64>,
    /// Smallest value; `None` when `count` is 0.
    pub min: Option<f64>,
    /// Largest value; `None` when `count` is 0.
    pub max: Option<f64>,
}

/// Statistics of the pixels that `visit` hands to its callback, as indices into
/// `frame.values` (each member once per call; `visit` is called up to three times
/// and must visit the same pixels each time). Padding and non-finite values are
/// visited members but not counted.
///
/// The variance is the corrected two-pass one, computed on values scaled by a power
/// of two at least their largest magnitude, so neither sums nor squares overflow
/// and the scaling is exact.
pub(crate) fn value_stats(
    frame: &FrameView<'_>,
    visit: impl Fn(&mut dyn FnMut(usize)),
) -> ValueStats {
    let usable = |i: usize| -> Option<f64> {
        let v = *frame.values.get(i)?;
        (!frame.is_padding(i) && v.is_finite()).then_some(v)
    };

    // Pass 1: membership, count, extremes and a plain sum.
    let mut members = 0u64;
    let mut count = 0u64;
    let mut sum = 0.0f64;
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    visit(&mut |i| {
        members += 1;
        if let Some(v) = usable(i) {
            count += 1;
            sum += v;
            min = min.min(v);
            max = max.max(v);
        }
    });

    let (mean, sd_sample, sd_population) = if count == 0 {
        (None, None, None)
    } else {
        // Work in y = x / s with s a power of two ≥ max |x|: exact scaling,
        // and neither the sums nor the squares can overflow.
        let s = pow2_at_least(min.abs().max(max.abs()));
        let n = count as f64;
        let mean_scaled = if sum.is_finite() {
            sum / n / s
        } else {
            let mut sum_scaled = 0.0;
            visit(&mut |i| {
                if let Some(v) = usable(i) {
                    sum_scaled += v / s;
                }
            });
            sum_scaled / n
        };
        // Pass 2: corrected two-pass variance.
        let mut m2 = 0.0f64;
        let mut comp = 0.0f64;
        visit(&mut |i| {
            if let Some(v) = usable(i) {
                let d = v / s - mean_scaled;
                m2 += d * d;
                comp += d;
            }
        });
        let ss = (m2 - comp * comp / n).max(0.0);
        let mean = (mean_scaled * s).clamp(min, max);
        let pop = s * (ss / n).sqrt();
        let sample = (count >= 2).then(|| s * (ss / (n - 1.0)).sqrt());
        (Some(mean), sample, Some(pop))
    };
    ValueStats {
        members,
        count,
        mean,
        sd_sample,
        sd_population,
        min: (count > 0).then_some(min),
        max: (count > 0).then_some(max),
    }
}

/// The smallest power of two ≥ `v`, clamped to `[2^-1022, 2^1023]` (so at
/// least `v` except above 2^1023, where `v / s < 2` still); 1 for 0, NaN or ∞.
fn pow2_at_least(v: f64) -> f64 {
    if !finite_positive(v) {
        return 1.0;
    }
    if v < f64::MIN_POSITIVE {
        return f64::MIN_POSITIVE;
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mantissa = bits & ((1u64 << 52) - 1);
    let e = if mantissa == 0 { exp } else { exp + 1 }.clamp(-1022, 1023);
    // A normal power of two: biased exponent e + 1023 in 1..=2046, no mantissa.
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// A scale bar: a "nice" length and how wide it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScaleBar {
    /// The length it stands for: 1, 2 or 5 × 10^k mm.
    pub length_mm: f64,
    /// Its width on screen, in screen pixels: `length_mm / mm_per_screen_px`.
    pub width_px: f64,
}

impl ScaleBar {
    /// Its label in mm with as few decimals as the length needs: `50 mm`,
    /// `0.5 mm`, `0.02 mm`.
    pub fn label(&self) -> String {
        let decimals = if self.length_mm >= 1.0 || !finite_positive(self.length_mm) {
            0
        } else {
            ((-self.length_mm.log10()) - 1e-9).ceil().clamp(0.0, 17.0) as usize
        };
        format!("{:.*} mm", decimals, self.length_mm)
    }
}

/// Picks the longest "nice" length (1, 2 or 5 × 10^k mm) whose bar fits in
/// `max_width_screen_px`, given the screen scale along the bar (for a
/// horizontal bar: column spacing ÷ zoom). The width is at most
/// `max_width_screen_px`. `None` when an input is not finite and positive or
/// the scale is out of range.
pub fn scale_bar(mm_per_screen_px: f64, max_width_screen_px: f64) -> Option<ScaleBar> {
    if !finite_positive(mm_per_screen_px) || !finite_positive(max_width_screen_px) {
        return None;
    }
    let max_mm = mm_per_screen_px * max_width_screen_px;
    if !finite_positive(max_mm) {
        return None;
    }
    // Tolerate rounding in the product so that an exact fit is not missed.
    let limit = max_mm * (1.0 + 1e-9);
    let k0 = max_mm.log10().floor();
    if !k0.is_finite() {
        return None;
    }
    let k0 = k0.clamp(-400.0, 400.0) as i32;
    // log10 may be off by one at exact powers of ten: try one decade up first.
    for k in [k0 + 1, k0, k0 - 1] {
        let decade = if k >= 0 {
            10f64.powi(k)
        } else {
            1.0 / 10f64.powi(-k)
        };
        for m in [5.0, 2.0, 1.0] {
            let length_mm = m * decade;
            if length_mm > 0.0 && length_mm.is_finite() && length_mm <= limit {
                let width_px = (length_mm / mm_per_screen_px).min(max_width_screen_px);
                return Some(ScaleBar {
                    length_mm,
                    width_px,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= EPS * (1.0 + a.abs().max(b.abs()))
    }

    macro_rules! assert_close {
        ($a:expr, $b:expr) => {{
            let (a, b): (f64, f64) = ($a, $b);
            assert!(close(a, b), "{a} != {b}");
        }};
    }

    fn p(x: f64, y: f64) -> ImagePoint {
        ImagePoint::new(x, y)
    }

    /// Row 0.5 mm, column 0.8 mm.
    fn aniso() -> PixelSpacing {
        PixelSpacing::from_attributes(Some([0.5, 0.8]), None)
    }

    /// 4 × 4 ramp: value = 4 · row + col.
    fn ramp() -> (Vec<f64>, Vec<bool>) {
        ((0..16).map(f64::from).collect(), vec![false; 16])
    }

    fn view<'a>(rows: u32, cols: u32, values: &'a [f64], padding: &'a [bool]) -> FrameView<'a> {
        FrameView {
            rows,
            cols,
            values,
            padding,
        }
    }

    #[test]
    fn spacing_prefers_pixel_spacing_then_imager() {
        let s = PixelSpacing::from_attributes(Some([0.5, 0.8]), Some([0.1, 0.1]));
        assert_eq!(
            (s.row_mm, s.col_mm, s.source),
            (0.5, 0.8, SpacingSource::PixelSpacing)
        );
        assert!(s.is_calibrated() && !s.at_detector());

        let s = PixelSpacing::from_attributes(None, Some([0.14, 0.15]));
        assert_eq!(
            (s.row_mm, s.col_mm, s.source),
            (0.14, 0.15, SpacingSource::ImagerPixelSpacing)
        );
        assert!(s.at_detector());

        // Unusable Pixel Spacing falls through to Imager Pixel Spacing.
        for bad in [
            [0.0, 0.5],
            [f64::NAN, 0.5],
            [0.5, -1.0],
            [f64::INFINITY, 1.0],
        ] {
            let s = PixelSpacing::from_attributes(Some(bad), Some([0.2, 0.2]));
            assert_eq!(s.source, SpacingSource::ImagerPixelSpacing);
        }
        let s = PixelSpacing::from_attributes(Some([0.0, 0.0]), Some([f64::NAN, 1.0]));
        assert_eq!(s, PixelSpacing::UNCALIBRATED);
        assert_eq!(
            PixelSpacing::from_attributes(None, None),
            PixelSpacing::default()
        );
        assert!(!PixelSpacing::UNCALIBRATED.is_calibrated());
    }

    #[test]
    fn length_three_four_five_with_anisotropic_spacing() {
        // 3.75 columns × 0.8 mm = 3 mm; 8 rows × 0.5 mm = 4 mm.
        let len = line_length(p(1.0, 2.0), p(4.75, 10.0), &aniso()).expect("finite");
        assert_close!(len.value, 5.0);
        assert_eq!(len.unit, LengthUnit::Mm);
        assert_eq!(len.source, SpacingSource::PixelSpacing);
        assert_eq!(format!("{len}"), "5.0 mm");
        assert_eq!(format!("{len:.2}"), "5.00 mm");

        // Order does not matter.
        let back = line_length(p(4.75, 10.0), p(1.0, 2.0), &aniso()).expect("finite");
        assert_close!(back.value, 5.0);

        // Uncalibrated: pixels, hypot(3, 4) = 5.
        let px =
            line_length(p(0.0, 0.0), p(3.0, 4.0), &PixelSpacing::UNCALIBRATED).expect("finite");
        assert_eq!(
            (px.value, px.unit, px.source),
            (5.0, LengthUnit::Px, SpacingSource::None)
        );

        // Imager Pixel Spacing is reported as such.
        let det = PixelSpacing::from_attributes(None, Some([0.5, 0.8]));
        let len = line_length(p(1.0, 2.0), p(4.75, 10.0), &det).expect("finite");
        assert_close!(len.value, 5.0);
        assert_eq!(len.source, SpacingSource::ImagerPixelSpacing);

        // Zero length is fine; non-finite input is not.
        assert_eq!(
            line_length(p(1.0, 1.0), p(1.0, 1.0), &aniso()).map(|l| l.value),
            Some(0.0)
        );
        assert!(line_length(p(f64::NAN, 0.0), p(1.0, 1.0), &aniso()).is_none());
        assert!(line_length(p(f64::MAX, 0.0), p(-f64::MAX, 0.0), &aniso()).is_none());
    }

    #[test]
    fn angles_in_physical_space() {
        let iso = PixelSpacing::UNCALIBRATED;
        assert_close!(
            angle_deg(p(5.0, 1.0), p(1.0, 1.0), p(1.0, 7.0), &iso).expect("angle"),
            90.0
        );
        assert_close!(
            angle_deg(p(2.0, 0.0), p(0.0, 0.0), p(1.0, 1.0), &iso).expect("angle"),
            45.0
        );
        assert_close!(
            angle_deg(p(2.0, 0.0), p(0.0, 0.0), p(-3.0, 0.0), &iso).expect("angle"),
            180.0
        );
        assert_eq!(
            angle_deg(p(2.0, 0.0), p(0.0, 0.0), p(5.0, 0.0), &iso),
            Some(0.0)
        );

        // Pixel vectors (5, 8) and (5, -8) are not perpendicular in pixels
        // (dot 25 − 64), but in mm they are (4, 4) and (4, −4): 90°.
        let b = p(10.0, 10.0);
        let right = angle_deg(p(15.0, 18.0), b, p(15.0, 2.0), &aniso()).expect("angle");
        assert_close!(right, 90.0);
        let in_px = angle_deg(p(15.0, 18.0), b, p(15.0, 2.0), &iso).expect("angle");
        assert_close!(in_px, 2.0 * (8.0f64 / 5.0).atan().to_degrees());
        // (1, 0) and (1, 1) px are (0.8, 0) and (0.8, 0.5) mm: atan(0.5 / 0.8).
        let a = angle_deg(p(1.0, 0.0), p(0.0, 0.0), p(1.0, 1.0), &aniso()).expect("angle");
        assert_close!(a, (0.5f64 / 0.8).atan().to_degrees());

        // Degenerate: an arm of zero length, or non-finite input.
        assert_eq!(
            angle_deg(p(1.0, 1.0), p(1.0, 1.0), p(3.0, 4.0), &aniso()),
            None
        );
        assert_eq!(
            angle_deg(p(0.0, 0.0), p(1.0, 1.0), p(1.0, 1.0), &aniso()),
            None
        );
        assert_eq!(
            angle_deg(p(f64::NAN, 0.0), p(1.0, 1.0), p(3.0, 4.0), &aniso()),
            None
        );
        assert_eq!(
            angle_deg(p(f64::INFINITY, 0.0), p(1.0, 1.0), p(3.0, 4.0), &iso),
            None
        );
        // Tiny but non-zero arms still have a direction.
        assert_close!(
            angle_deg(p(1e-300, 0.0), p(0.0, 0.0), p(0.0, 1e-300), &iso).expect("angle"),
            90.0
        );
    }

    #[test]
    fn rectangle_over_ramp() {
        let (values, padding) = ramp();
        let frame = view(4, 4, &values, &padding);
        // Corners in either order; covers pixels col 1..=2, row 1..=2:
        // values 5, 6, 9, 10. Mean 7.5; squared deviations 6.25 + 2.25 + 2.25
        // + 6.25 = 17; sample SD √(17/3), population SD √(17/4).
        let s = roi_stats(
            RoiShape::Rectangle,
            p(3.0, 3.0),
            p(1.0, 1.0),
            &frame,
            &aniso(),
        )
        .expect("stats");
        assert_eq!((s.pixels_in_shape, s.count), (4, 4));
        assert_close!(s.mean.expect("mean"), 7.5);
        assert_close!(s.sd_sample.expect("sd"), (17.0f64 / 3.0).sqrt());
        assert_close!(s.sd_population.expect("sd"), (17.0f64 / 4.0).sqrt());
        assert_eq!((s.min, s.max), (Some(5.0), Some(10.0)));
        // 2 columns × 0.8 mm by 2 rows × 0.5 mm = 1.6 mm²; 4 pixels × 0.4 mm².
        assert_close!(s.area.value, 1.6);
        assert_eq!(s.area.unit, AreaUnit::Mm2);
        assert_close!(s.pixel_area.value, 1.6);
        assert_close!(s.width.value, 1.6);
        assert_close!(s.height.value, 1.0);
        assert_eq!(format!("{}", s.area), "1.6 mm²");

        // Whole image: values 0..=15, mean 7.5, Σ(d²) = 340.
        let s = roi_stats(
            RoiShape::Rectangle,
            p(0.0, 0.0),
            p(4.0, 4.0),
            &frame,
            &PixelSpacing::UNCALIBRATED,
        )
        .expect("stats");
        assert_eq!(s.count, 16);
        assert_close!(s.mean.expect("mean"), 7.5);
        assert_close!(s.sd_sample.expect("sd"), (340.0f64 / 15.0).sqrt());
        assert_close!(s.sd_population.expect("sd"), (340.0f64 / 16.0).sqrt());
        assert_eq!((s.min, s.max), (Some(0.0), Some(15.0)));
        assert_eq!((s.area.value, s.area.unit), (16.0, AreaUnit::Px2));
        assert_eq!(s.pixel_area.value, 16.0);
        assert_eq!(s.width.unit, LengthUnit::Px);

        // Boundary included: corners on pixel centres (0.5, 0.5) and (1.5, 1.5)
        // take pixels 0, 1, 4, 5.
        let s = roi_stats(
            RoiShape::Rectangle,
            p(0.5, 0.5),
            p(1.5, 1.5),
            &frame,
            &aniso(),
        )
        .expect("stats");
        assert_eq!(s.count, 4);
        assert_close!(s.mean.expect("mean"), 2.5);
        assert_eq!((s.min, s.max), (Some(0.0), Some(5.0)));
        assert_close!(s.area.value, 0.4);

        // Partly outside the image: only pixels inside count; the analytic
        // area is of the whole shape.
        let s = roi_stats(
            RoiShape::Rectangle,
            p(-10.0, 2.0),
            p(1.0, 3.0),
            &frame,
            &PixelSpacing::UNCALIBRATED,
        )
        .expect("stats");
        assert_eq!((s.pixels_in_shape, s.min, s.max), (1, Some(8.0), Some(8.0)));
        assert_eq!(s.sd_sample, None);
        assert_eq!(s.sd_population, Some(0.0));
        assert_eq!(s.area.value, 11.0);
        assert_eq!(s.pixel_area.value, 1.0);
    }

    #[test]
    fn padding_and_non_finite_values_are_excluded() {
        let (mut values, mut padding) = ramp();
        padding[5] = true; // value 5
        values[10] = f64::NAN;
        let frame = view(4, 4, &values, &padding);
        let s = roi_stats(
            RoiShape::Rectangle,
            p(1.0, 1.0),
            p(3.0, 3.0),
            &frame,
            &aniso(),
        )
        .expect("stats");
        // Left: 6 and 9.
        assert_eq!((s.pixels_in_shape, s.count), (4, 2));
        assert_close!(s.mean.expect("mean"), 7.5);
        assert_close!(s.sd_sample.expect("sd"), 4.5f64.sqrt());
        assert_close!(s.sd_population.expect("sd"), 1.5);
        assert_eq!((s.min, s.max), (Some(6.0), Some(9.0)));
        assert_close!(s.pixel_area.value, 1.6);

        // All padding: no statistics, still an area.
        let all = vec![true; 16];
        let frame = view(4, 4, &values, &all);
        let s = roi_stats(
            RoiShape::Ellipse,
            p(0.0, 0.0),
            p(4.0, 4.0),
            &frame,
            &aniso(),
        )
        .expect("stats");
        assert_eq!(s.count, 0);
        assert_eq!(
            (s.mean, s.sd_sample, s.sd_population, s.min, s.max),
            (None, None, None, None, None)
        );
        assert!(s.area.value > 0.0);
    }

    #[test]
    fn ellipse_membership_by_hand() {
        // 5 × 3 grid, ellipse in [0, 5] × [0, 3]: centre (2.5, 1.5), a = 2.5,
        // b = 1.5. Centre offsets dx ∈ {−2..2}, dy ∈ {−1, 0, 1}:
        // dy = 0: all in; dy = ±1: 1/2.25 + dx²/6.25 ≤ 1 for |dx| ≤ 1 only
        // (|dx| = 2 gives 0.444 + 0.64 > 1).
        let expected = [
            ". X X X .", //
            "X X X X X", //
            ". X X X .",
        ];
        for (row, line) in expected.iter().enumerate() {
            for (col, c) in line.split(' ').enumerate() {
                let centre = ImagePoint::pixel_centre(col as u32, row as u32);
                let inside = roi_contains(RoiShape::Ellipse, p(5.0, 3.0), p(0.0, 0.0), centre);
                assert_eq!(inside, c == "X", "pixel ({col}, {row})");
            }
        }
        // Values = index; members 1, 2, 3, 5..=9, 11, 12, 13: sum 77, n = 11.
        let values: Vec<f64> = (0..15).map(f64::from).collect();
        let frame = view(3, 5, &values, &[]);
        let s = roi_stats(
            RoiShape::Ellipse,
            p(0.0, 0.0),
            p(5.0, 3.0),
            &frame,
            &PixelSpacing::UNCALIBRATED,
        )
        .expect("stats");
        assert_eq!((s.pixels_in_shape, s.count), (11, 11));
        assert_close!(s.mean.expect("mean"), 7.0);
        // Deviations from 7: −6, −5, −4, −2..=2, 4, 5, 6: Σd² = 2·(36+25+16+4+1) = 164.
        assert_close!(s.sd_population.expect("sd"), (164.0f64 / 11.0).sqrt());
        assert_close!(s.sd_sample.expect("sd"), (164.0f64 / 10.0).sqrt());
        assert_eq!((s.min, s.max), (Some(1.0), Some(13.0)));
        assert_close!(s.area.value, std::f64::consts::PI * 2.5 * 1.5);
        assert_eq!(s.area.unit, AreaUnit::Px2);
        assert_eq!(s.pixel_area.value, 11.0);

        // With spacing: π · (2.5 · 0.8) · (1.5 · 0.5) mm²; 11 × 0.4 mm².
        let s = roi_stats(
            RoiShape::Ellipse,
            p(0.0, 0.0),
            p(5.0, 3.0),
            &frame,
            &aniso(),
        )
        .expect("stats");
        assert_close!(s.area.value, std::f64::consts::PI * 2.0 * 0.75);
        assert_close!(s.pixel_area.value, 4.4);
        assert_close!(s.width.value, 4.0);
        assert_close!(s.height.value, 1.5);

        // Circle of radius 2.5 on 5 × 5: all but the 4 corner pixels (8 > 6.25).
        let values = vec![1.0; 25];
        let frame = view(5, 5, &values, &[]);
        let s = roi_stats(
            RoiShape::Ellipse,
            p(0.0, 0.0),
            p(5.0, 5.0),
            &frame,
            &PixelSpacing::UNCALIBRATED,
        )
        .expect("stats");
        assert_eq!(s.count, 21);
        assert_eq!(
            (s.mean, s.sd_population, s.sd_sample),
            (Some(1.0), Some(0.0), Some(0.0))
        );
    }

    #[test]
    fn degenerate_and_hostile_rois_do_not_panic() {
        let (values, padding) = ramp();
        let frame = view(4, 4, &values, &padding);
        let none = PixelSpacing::UNCALIBRATED;
        for shape in [RoiShape::Rectangle, RoiShape::Ellipse] {
            // Zero width: no pixels, zero area.
            let s = roi_stats(shape, p(1.5, 0.0), p(1.5, 4.0), &frame, &none).expect("stats");
            assert_eq!((s.pixels_in_shape, s.area.value), (0, 0.0));
            assert!(roi_stats(shape, p(f64::NAN, 0.0), p(1.0, 1.0), &frame, &none).is_none());
            assert!(roi_stats(shape, p(0.0, f64::INFINITY), p(1.0, 1.0), &frame, &none).is_none());
            // Huge corners cover the whole image.
            let s = roi_stats(
                shape,
                p(-f64::MAX, -f64::MAX),
                p(f64::MAX, f64::MAX),
                &frame,
                &none,
            )
            .expect("stats");
            assert!(s.pixels_in_shape <= 16);
            if shape == RoiShape::Rectangle {
                assert_eq!(s.count, 16);
            }
            // Entirely outside.
            let s = roi_stats(shape, p(10.0, 10.0), p(20.0, 20.0), &frame, &none).expect("stats");
            assert_eq!(s.pixels_in_shape, 0);
            let s =
                roi_stats(shape, p(-20.0, -20.0), p(-10.0, -10.0), &frame, &none).expect("stats");
            assert_eq!(s.pixels_in_shape, 0);
            // Empty and inconsistent frames.
            let empty = view(0, 0, &[], &[]);
            assert_eq!(
                roi_stats(shape, p(0.0, 0.0), p(9.0, 9.0), &empty, &none).map(|s| s.count),
                Some(0)
            );
            let short = view(4, 4, &values[..6], &padding[..2]);
            let s = roi_stats(shape, p(0.0, 0.0), p(4.0, 4.0), &short, &none).expect("stats");
            assert!(s.pixels_in_shape <= 6);
            let lying = view(u32::MAX, u32::MAX, &values, &padding);
            let s = roi_stats(shape, p(0.0, 0.0), p(4.0, 4.0), &lying, &none).expect("stats");
            assert!(s.pixels_in_shape <= 16);
        }
        // A hand-built spacing with bad values measures in pixels.
        let bad = PixelSpacing {
            row_mm: f64::NAN,
            col_mm: 0.5,
            source: SpacingSource::PixelSpacing,
        };
        let s =
            roi_stats(RoiShape::Rectangle, p(0.0, 0.0), p(2.0, 2.0), &frame, &bad).expect("stats");
        assert_eq!(
            (s.area.value, s.area.unit, s.area.source),
            (4.0, AreaUnit::Px2, SpacingSource::None)
        );
    }

    #[test]
    fn statistics_survive_extreme_values() {
        let values = [f64::MAX, -f64::MAX, f64::MAX, -f64::MAX];
        let frame = view(2, 2, &values, &[]);
        let s = roi_stats(
            RoiShape::Rectangle,
            p(0.0, 0.0),
            p(2.0, 2.0),
            &frame,
            &PixelSpacing::UNCALIBRATED,
        )
        .expect("stats");
        assert_eq!(s.mean, Some(0.0));
        assert_eq!(s.sd_population, Some(f64::MAX));
        let values = [1e-310, 3e-310, 1e-310, 3e-310];
        let frame = view(2, 2, &values, &[]);
        let s = roi_stats(
            RoiShape::Rectangle,
            p(0.0, 0.0),
            p(2.0, 2.0),
            &frame,
            &PixelSpacing::UNCALIBRATED,
        )
        .expect("stats");
        assert_close!(s.mean.expect("mean") / 1e-310, 2.0);
        assert_close!(s.sd_population.expect("sd") / 1e-310, 1.0);
        // Large offset, small spread: the two-pass sums keep the spread.
        let values = [1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0, 1e9 + 4.0];
        let frame = view(2, 2, &values, &[]);
        let s = roi_stats(
            RoiShape::Rectangle,
            p(0.0, 0.0),
            p(2.0, 2.0),
            &frame,
            &PixelSpacing::UNCALIBRATED,
        )
        .expect("stats");
        assert_close!(s.mean.expect("mean"), 1e9 + 2.5);
        assert_close!(s.sd_population.expect("sd"), 1.25f64.sqrt());
    }

    #[test]
    fn pow2_scale() {
        for v in [
            1.0,
            3.0,
            4.0,
            1e-310,
            5e-324,
            1e300,
            0.75,
            f64::MIN_POSITIVE,
        ] {
            let s = pow2_at_least(v);
            assert!(s >= v && s < 2.0 * v.max(f64::MIN_POSITIVE), "{v} -> {s}");
            assert_eq!(s.log2().fract(), 0.0, "{v} -> {s}");
        }
        assert_eq!(pow2_at_least(4.0), 4.0);
        assert_eq!(pow2_at_least(5.0), 8.0);
        assert_eq!(pow2_at_least(0.0), 1.0);
        assert_eq!(pow2_at_least(f64::NAN), 1.0);
        assert_eq!(pow2_at_least(f64::MAX), 2f64.powi(1023));
        assert_eq!(pow2_at_least(0.5), 0.5);
    }

    #[test]
    fn probe_values() {
        let (values, mut padding) = ramp();
        padding[6] = true;
        let frame = view(4, 4, &values, &padding);
        // Pixel (2, 1) is padding.
        assert_eq!(probe(&frame, p(2.99, 1.0)), None);
        assert_eq!(
            probe(&frame, p(1.2, 2.7)),
            Some(PixelProbe {
                col: 1,
                row: 2,
                value: 9.0
            })
        );
        assert_eq!(probe(&frame, p(3.0, 1.5)).map(|v| v.value), Some(7.0));
        assert_eq!(
            probe(&frame, p(0.0, 0.0)).map(|v| (v.col, v.row, v.value)),
            Some((0, 0, 0.0))
        );
        assert_eq!(probe(&frame, p(3.999, 3.999)).map(|v| v.value), Some(15.0));
        // Outside: the right and bottom edges are excluded.
        for q in [
            p(4.0, 0.0),
            p(0.0, 4.0),
            p(-0.001, 1.0),
            p(f64::NAN, 1.0),
            p(1.0, f64::INFINITY),
        ] {
            assert_eq!(probe(&frame, q), None, "{q:?}");
        }
        assert_eq!(pixel_at(p(2.5, 3.5), 4, 4), Some((2, 3)));
        assert_eq!(pixel_at(p(0.5, 0.5), 0, 0), None);
        // Short slices: past the end of `values` is outside.
        let short = view(4, 4, &values[..5], &[]);
        assert_eq!(probe(&short, p(0.5, 1.5)).map(|v| v.value), Some(4.0));
        assert_eq!(probe(&short, p(1.5, 1.5)), None);
    }

    #[test]
    fn nice_scale_bars() {
        let bar = |mm_per_px: f64, max_px: f64| {
            scale_bar(mm_per_px, max_px).map(|b| (b.length_mm, b.width_px, b.label()))
        };
        // Exact fit: 0.5 mm/px × 100 px = 50 mm.
        assert_eq!(bar(0.5, 100.0), Some((50.0, 100.0, "50 mm".to_owned())));
        // 30 mm available → 20 mm, 66.7 px.
        let (l, w, _) = bar(0.3, 100.0).expect("bar");
        assert_eq!(l, 20.0);
        assert_close!(w, 20.0 / 0.3);
        // 15 mm → 10 mm; 0.8 mm → 0.5 mm; 1000 mm → 1000 mm; 0.0199 mm → 0.01.
        assert_eq!(bar(0.1, 150.0).map(|b| b.0), Some(10.0));
        let (l, w, label) = bar(0.01, 80.0).expect("bar");
        assert_close!(l, 0.5);
        assert_close!(w, 50.0);
        assert_eq!(label, "0.5 mm");
        assert_eq!(
            bar(1.0, 1000.0),
            Some((1000.0, 1000.0, "1000 mm".to_owned()))
        );
        assert_eq!(bar(0.001, 19.9).map(|b| b.2), Some("0.01 mm".to_owned()));
        assert_eq!(bar(0.001, 25.0).map(|b| b.2), Some("0.02 mm".to_owned()));
        assert_eq!(bar(0.7, 10.0).map(|b| b.0), Some(5.0));
        assert_eq!(bar(0.7, 2.0).map(|b| b.0), Some(1.0));
        // The width never exceeds the maximum, whatever the rounding.
        for i in 1..2000 {
            let mm_per_px = f64::from(i) * 0.0137;
            let b = scale_bar(mm_per_px, 120.0).expect("bar");
            assert!(
                b.width_px <= 120.0 && b.width_px > 120.0 / 5.0 - 1e-9,
                "{mm_per_px}: {b:?}"
            );
        }
        // Bad input.
        for (a, b) in [
            (0.0, 100.0),
            (-1.0, 100.0),
            (f64::NAN, 100.0),
            (0.5, 0.0),
            (0.5, f64::INFINITY),
            (f64::MAX, f64::MAX),
            (f64::MIN_POSITIVE, f64::MIN_POSITIVE),
        ] {
            assert_eq!(scale_bar(a, b), None, "{a} {b}");
        }
        // Extreme but valid scales give something finite.
        let b = scale_bar(1e-300, 100.0).expect("bar");
        assert!(b.length_mm > 0.0 && b.width_px <= 100.0);
        let b = scale_bar(1e300, 100.0).expect("bar");
        assert!(b.length_mm.is_finite() && b.width_px <= 100.0);
    }

    #[test]
    fn stats_serialise() {
        let (values, padding) = ramp();
        let frame = view(4, 4, &values, &padding);
        let s = roi_stats(
            RoiShape::Ellipse,
            p(0.0, 0.0),
            p(1.0, 1.0),
            &frame,
            &aniso(),
        )
        .expect("stats");
        let json = serde_json::to_string(&s).expect("json");
        assert!(json.contains(r#""shape":"Ellipse""#), "{json}");
        assert!(json.contains(r#""sd_sample":null"#), "{json}");
        assert!(json.contains(r#""unit":"Mm2""#), "{json}");
        let back: RoiStats = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, s);
    }
}
