//! Where an image lands on screen: a [`Placement`] (the Spatial Transformation
//! Module: rotate, then flip, then zoom about the centre, then pan) as a 2-D affine
//! map for the CPU (hit tests, overlays) and as the clip-space rows of
//! [`super::ImageUniforms`] for the shader.

/// A 2-D affine map `p ↦ (a·x + b·y + c, d·x + e·y + f)`, rows `[[a, b, c], [d, e, f]]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine2 {
    /// The two rows.
    pub rows: [[f64; 3]; 2],
}

impl Affine2 {
    /// Maps a point.
    pub fn apply(&self, p: [f64; 2]) -> [f64; 2] {
        let [r0, r1] = self.rows;
        [
            r0[0] * p[0] + r0[1] * p[1] + r0[2],
            r1[0] * p[0] + r1[1] * p[1] + r1[2],
        ]
    }

    /// The inverse map (e.g. screen → image for picking), `None` when singular.
    pub fn inverse(&self) -> Option<Self> {
        let [[a, b, c], [d, e, f]] = self.rows;
        let det = a * e - b * d;
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let (ia, ib, id, ie) = (e / det, -b / det, -d / det, a / det);
        Some(Self {
            rows: [[ia, ib, -(ia * c + ib * f)], [id, ie, -(id * c + ie * f)]],
        })
    }

    /// The rows as [`super::ImageUniforms::xform_x`] / `xform_y` (`f32`, padded to `vec4`).
    pub fn to_uniform(&self) -> [[f32; 4]; 2] {
        let row = |r: [f64; 3]| [r[0] as f32, r[1] as f32, r[2] as f32, 0.0];
        [row(self.rows[0]), row(self.rows[1])]
    }
}

/// Where an image sits in a viewport: what [`Placement::to_screen`] and
/// [`Placement::to_clip`] map image coordinates through.
///
/// The image centre sits at the viewport centre plus `pan_px`; each image pixel spans
/// `zoom` viewport pixels. Following the Spatial Transformation Module (PS3.3 C.10.6),
/// the image is first rotated `quarter_turns` × 90° clockwise as seen on screen, then
/// flipped: `flip_h` mirrors the rotated image left↔right, `flip_v` top↔bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Image columns and rows.
    pub image_size: [f64; 2],
    /// Viewport width and height, in the pixels the map is for (points for a hit
    /// test, physical pixels of the render pass for the shader).
    pub viewport_px: [f64; 2],
    /// Viewport pixels per image pixel.
    pub zoom: f64,
    /// Offset of the image centre from the viewport centre, in viewport pixels.
    pub pan_px: [f64; 2],
    /// Clockwise quarter turns as seen on screen.
    pub quarter_turns: u32,
    /// Mirror left↔right after the rotation.
    pub flip_h: bool,
    /// Mirror top↔bottom after the rotation.
    pub flip_v: bool,
}

impl Placement {
    /// One image pixel per viewport pixel, centred, not rotated or flipped.
    pub fn centred(image_size: [f64; 2], viewport_px: [f64; 2]) -> Self {
        Self {
            image_size,
            viewport_px,
            zoom: 1.0,
            pan_px: [0.0; 2],
            quarter_turns: 0,
            flip_h: false,
            flip_v: false,
        }
    }

    /// Image coordinates → viewport pixels (origin top left, y down).
    ///
    /// At zoom 1 with no rotation, image pixels land exactly on viewport pixels when
    /// `(viewport - image size) / 2 + pan_px` is a whole number on both axes.
    pub fn to_screen(&self) -> Affine2 {
        // Linear part acting on (x - w/2, y - h/2): rotation, then flips, then zoom.
        // One clockwise quarter turn on a y-down screen: (x, y) ↦ (-y, x).
        let (mut m00, mut m01, mut m10, mut m11) = match self.quarter_turns % 4 {
            0 => (1.0, 0.0, 0.0, 1.0),
            1 => (0.0, -1.0, 1.0, 0.0),
            2 => (-1.0, 0.0, 0.0, -1.0),
            _ => (0.0, 1.0, -1.0, 0.0),
        };
        if self.flip_h {
            (m00, m01) = (-m00, -m01);
        }
        if self.flip_v {
            (m10, m11) = (-m10, -m11);
        }
        let [m00, m01, m10, m11] = [m00, m01, m10, m11].map(|v| v * self.zoom);
        let (cx, cy) = (self.image_size[0] / 2.0, self.image_size[1] / 2.0);
        let [vw, vh] = self.viewport_px;
        let tx = vw / 2.0 + self.pan_px[0] - (m00 * cx + m01 * cy);
        let ty = vh / 2.0 + self.pan_px[1] - (m10 * cx + m11 * cy);
        Affine2 {
            rows: [[m00, m01, tx], [m10, m11, ty]],
        }
    }

    /// Image coordinates → clip space for [`super::ImageUniforms::xform_x`] /
    /// `xform_y`: [`Placement::to_screen`] followed by viewport pixels → clip (`x`
    /// −1..1 left to right, `y` 1..−1 top to bottom). For an egui paint callback,
    /// `viewport_px` is the callback rect in physical pixels.
    pub fn to_clip(&self) -> [[f32; 4]; 2] {
        let (sx, sy) = (2.0 / self.viewport_px[0], -2.0 / self.viewport_px[1]);
        let [r0, r1] = self.to_screen().rows;
        Affine2 {
            rows: [
                [r0[0] * sx, r0[1] * sx, r0[2] * sx - 1.0],
                [r1[0] * sy, r1[1] * sy, r1[2] * sy + 1.0],
            ],
        }
        .to_uniform()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9
    }

    /// For clip coordinates through the `f32` matrix.
    fn close_f32(a: [f64; 2], b: [f64; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-6 && (a[1] - b[1]).abs() < 1e-6
    }

    fn clip(m: [[f32; 4]; 2], p: [f64; 2]) -> [f64; 2] {
        let row = |r: [f32; 4]| f64::from(r[0]) * p[0] + f64::from(r[1]) * p[1] + f64::from(r[2]);
        [row(m[0]), row(m[1])]
    }

    #[test]
    fn one_to_one_maps_pixels_onto_pixels() {
        let m = Placement::centred([256.0, 128.0], [256.0, 128.0]).to_clip();
        // Image corners onto clip corners: top left (-1, 1), bottom right (1, -1).
        assert!(close_f32(clip(m, [0.0, 0.0]), [-1.0, 1.0]));
        assert!(close_f32(clip(m, [256.0, 0.0]), [1.0, 1.0]));
        assert!(close_f32(clip(m, [0.0, 128.0]), [-1.0, -1.0]));
        assert!(close_f32(clip(m, [256.0, 128.0]), [1.0, -1.0]));
        let s = Placement::centred([256.0, 128.0], [256.0, 128.0]).to_screen();
        assert!(close(s.apply([10.5, 20.5]), [10.5, 20.5]));
    }

    #[test]
    fn zoom_and_pan_move_about_the_centre() {
        // 100×50 image, zoom 2, in a 400×300 viewport, panned right 10 and up 5.
        let s = Placement {
            zoom: 2.0,
            pan_px: [10.0, -5.0],
            ..Placement::centred([100.0, 50.0], [400.0, 300.0])
        }
        .to_screen();
        assert!(close(s.apply([50.0, 25.0]), [210.0, 145.0]));
        assert!(close(s.apply([0.0, 0.0]), [110.0, 95.0]));
        assert!(close(s.apply([100.0, 50.0]), [310.0, 195.0]));
        let m = Placement {
            zoom: 2.0,
            pan_px: [10.0, -5.0],
            ..Placement::centred([100.0, 50.0], [400.0, 300.0])
        }
        .to_clip();
        assert!(close_f32(
            clip(m, [0.0, 0.0]),
            [110.0 / 200.0 - 1.0, 1.0 - 95.0 / 150.0]
        ));
    }

    #[test]
    fn quarter_turns_rotate_clockwise_on_screen() {
        // 4×2 image in a 10×10 viewport, zoom 1: centre (2, 1) ↦ (5, 5).
        let at = |turns, p| {
            Placement {
                quarter_turns: turns,
                ..Placement::centred([4.0, 2.0], [10.0; 2])
            }
            .to_screen()
            .apply(p)
        };
        // Top-left corner: at (3, 4) unrotated; one turn clockwise puts it top right.
        assert!(close(at(0, [0.0, 0.0]), [3.0, 4.0]));
        assert!(close(at(1, [0.0, 0.0]), [6.0, 3.0]));
        assert!(close(at(2, [0.0, 0.0]), [7.0, 6.0]));
        assert!(close(at(3, [0.0, 0.0]), [4.0, 7.0]));
        assert!(close(at(4, [0.0, 0.0]), [3.0, 4.0]));
        // The top-right corner after one turn is at the bottom right.
        assert!(close(at(1, [4.0, 0.0]), [6.0, 7.0]));
    }

    #[test]
    fn flips_apply_after_rotation() {
        let at = |turns, h, v, p| {
            Placement {
                quarter_turns: turns,
                flip_h: h,
                flip_v: v,
                ..Placement::centred([4.0, 2.0], [10.0; 2])
            }
            .to_screen()
            .apply(p)
        };
        assert!(close(at(0, true, false, [0.0, 0.0]), [7.0, 4.0]));
        assert!(close(at(0, false, true, [0.0, 0.0]), [3.0, 6.0]));
        assert!(close(
            at(0, true, true, [0.0, 0.0]),
            at(2, false, false, [0.0, 0.0])
        ));
        // Rotated once (top left at top right), then mirrored left↔right: top left.
        assert!(close(at(1, true, false, [0.0, 0.0]), [4.0, 3.0]));
    }

    #[test]
    fn inverse_maps_screen_back_to_image() {
        let s = Placement {
            zoom: 1.7,
            pan_px: [13.0, -40.0],
            quarter_turns: 3,
            flip_h: true,
            ..Placement::centred([512.0, 300.0], [800.0, 600.0])
        }
        .to_screen();
        let inv = s.inverse().expect("invertible");
        for p in [[0.0, 0.0], [511.5, 0.25], [100.0, 299.0]] {
            assert!(close(inv.apply(s.apply(p)), p));
        }
        assert_eq!(
            Placement {
                zoom: 0.0,
                ..Placement::centred([1.0, 1.0], [1.0, 1.0])
            }
            .to_screen()
            .inverse(),
            None
        );
    }
}
