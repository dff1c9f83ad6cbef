//! MPR views of a [`VoxelGrid`]: where each view's plane lies (axial, coronal,
//! sagittal and their oblique turns about a 3-D cursor), and the CPU reference of
//! the sampling `shaders/mpr.wgsl` does per pixel.
//!
//! Why one description for both: the viewer draws MPR on the GPU, and a test renders
//! the same [`ResliceView`] offscreen and compares it pixel for pixel with
//! [`sample_view`], as the 2-D window/level shader is compared with `crate::window`.
//! So the arithmetic here is the shader's, in `f32` and in the same order.
//!
//! Coordinates: a view's pixel (x, y) (its centre at x + 0.5, y + 0.5) samples the
//! grid at voxel coordinates `corner + (x + 0.5)·step_x + (y + 0.5)·step_y`; voxel
//! centres sit at whole numbers. A thick slab adds `slab_samples` points along
//! `slab_step`, centred on the plane.

use serde::{Deserialize, Serialize};

use super::grid::{VoxelGrid, dot};
use super::plane::SlabMode;

/// The three orthogonal views, in patient (LPS) terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ViewPlane {
    /// Seen from the feet: screen right is the patient's left (+x), down is posterior (+y).
    Axial,
    /// Seen from the front: right is the patient's left (+x), down is inferior (−z).
    Coronal,
    /// Seen from the patient's left: right is posterior (+y), down is inferior (−z).
    Sagittal,
}

impl ViewPlane {
    /// All three, in the order the viewer lays them out.
    pub const ALL: [ViewPlane; 3] = [Self::Axial, Self::Coronal, Self::Sagittal];

    /// Screen right and screen down of the unrotated view, as patient unit vectors.
    pub fn base_axes(self) -> [[f64; 3]; 2] {
        match self {
            Self::Axial => [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            Self::Coronal => [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0]],
            Self::Sagittal => [[0.0, 1.0, 0.0], [0.0, 0.0, -1.0]],
        }
    }
}

/// How a sample between voxel centres is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoxelInterpolation {
    /// The voxel whose centre is nearest.
    Nearest,
    /// Trilinear between the eight voxels around the point.
    Trilinear,
}

/// One MPR view as the shader draws it (see the module doc for the coordinates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResliceView {
    /// Voxel coordinates of the view's top-left corner.
    pub corner: [f32; 3],
    /// Voxel step of one view pixel to the right.
    pub step_x: [f32; 3],
    /// Voxel step of one view pixel down.
    pub step_y: [f32; 3],
    /// Voxel step between a slab's samples, along the view's normal.
    pub slab_step: [f32; 3],
    /// Samples combined per pixel (1 for a thin plane).
    pub slab_samples: u32,
    /// How the slab's samples combine.
    pub slab_mode: SlabMode,
    /// How a sample is read.
    pub interpolation: VoxelInterpolation,
}

/// A view's plane in the patient: its centre point, screen right and down (unit
/// vectors) and the mm one view pixel spans.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewFrame {
    /// The patient point, mm, at the middle of the view.
    pub centre_mm: [f64; 3],
    /// Screen right, a patient unit vector.
    pub right: [f64; 3],
    /// Screen down, a patient unit vector.
    pub down: [f64; 3],
    /// mm per view pixel.
    pub mm_per_px: f64,
}

impl ViewFrame {
    /// The view's normal (right × down), pointing away from the viewer.
    pub fn normal(&self) -> [f64; 3] {
        cross(self.right, self.down)
    }

    /// The patient point, mm, at view position (x, y) in pixels from the top-left
    /// corner, for a view of `size_px`.
    pub fn point_at(&self, pos_px: [f64; 2], size_px: [f64; 2]) -> [f64; 3] {
        let dx = (pos_px[0] - size_px[0] / 2.0) * self.mm_per_px;
        let dy = (pos_px[1] - size_px[1] / 2.0) * self.mm_per_px;
        std::array::from_fn(|k| self.centre_mm[k] + dx * self.right[k] + dy * self.down[k])
    }

    /// Where patient point `point_mm` falls in the view (pixels from the top-left
    /// corner), ignoring its distance from the plane.
    pub fn pos_of(&self, point_mm: [f64; 3], size_px: [f64; 2]) -> [f64; 2] {
        let d = super::grid::sub(point_mm, self.centre_mm);
        [
            dot(d, self.right) / self.mm_per_px + size_px[0] / 2.0,
            dot(d, self.down) / self.mm_per_px + size_px[1] / 2.0,
        ]
    }

    /// The [`ResliceView`] drawing this frame at `size_px` from `grid`, with a slab of
    /// `slab_mm` (0: a plane) combined by `mode`.
    pub fn reslice(
        &self,
        grid: &VoxelGrid,
        size_px: [f64; 2],
        slab_mm: f64,
        mode: SlabMode,
        interpolation: VoxelInterpolation,
    ) -> ResliceView {
        let corner_mm = self.point_at([0.0, 0.0], size_px);
        let along = |v: [f64; 3], mm: f64| grid.voxel_step(v.map(|c| c * mm));
        let finest = grid
            .spacing_mm
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let samples = if slab_mm > 0.0 && finest > 0.0 {
            (slab_mm / finest).round().max(1.0) as u32 | 1
        } else {
            1
        };
        let step_mm = if samples > 1 {
            slab_mm / f64::from(samples - 1)
        } else {
            0.0
        };
        ResliceView {
            corner: grid.voxel_of(corner_mm).map(|v| v as f32),
            step_x: along(self.right, self.mm_per_px).map(|v| v as f32),
            step_y: along(self.down, self.mm_per_px).map(|v| v as f32),
            slab_step: along(self.normal(), step_mm).map(|v| v as f32),
            slab_samples: samples,
            slab_mode: mode,
            interpolation,
        }
    }
}

/// `a × b`.
pub fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// `rotation` (row-major 3 × 3) applied to `v`.
pub fn rotate(rotation: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    std::array::from_fn(|r| dot(rotation[r], v))
}

/// The rotation by `angle_rad` about unit `axis` (right-handed), row-major.
pub fn rotation_about(axis: [f64; 3], angle_rad: f64) -> [[f64; 3]; 3] {
    let (s, c) = angle_rad.sin_cos();
    let t = 1.0 - c;
    let [x, y, z] = axis;
    [
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
    ]
}

/// `a · b` of two rotations (apply `b`, then `a`).
pub fn compose(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    std::array::from_fn(|r| std::array::from_fn(|c| (0..3).map(|k| a[r][k] * b[k][c]).sum()))
}

/// The identity rotation.
pub const IDENTITY: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// The modality value at voxel coordinates `p` and whether `p` is inside the grid
/// (within half a voxel of its outer centres), as the shader reads it.
pub fn sample_voxel(
    grid: &VoxelGrid,
    p: [f32; 3],
    interpolation: VoxelInterpolation,
) -> Option<f32> {
    let dims = grid.dims.map(|d| d as f32);
    if (0..3).any(|k| p[k] < -0.5 || p[k] > dims[k] - 0.5) {
        return None;
    }
    let last = grid.dims.map(|d| d as i32 - 1);
    // A texel as the shader loads it (indices clamped into the grid above).
    let at = |[x, y, z]: [i32; 3]| grid.value(x as usize, y as usize, z as usize);
    match interpolation {
        VoxelInterpolation::Nearest => {
            let i: [i32; 3] =
                std::array::from_fn(|k| ((p[k] + 0.5).floor() as i32).clamp(0, last[k]));
            Some(at(i))
        }
        VoxelInterpolation::Trilinear => {
            let base = p.map(f32::floor);
            let f: [f32; 3] = std::array::from_fn(|k| p[k] - base[k]);
            let i0: [i32; 3] = std::array::from_fn(|k| (base[k] as i32).clamp(0, last[k]));
            let i1: [i32; 3] = std::array::from_fn(|k| (base[k] as i32 + 1).clamp(0, last[k]));
            // WGSL's mix(a, b, t): a·(1 − t) + b·t.
            let lerp = |a: f32, b: f32, t: f32| a * (1.0 - t) + b * t;
            let c00 = lerp(at([i0[0], i0[1], i0[2]]), at([i1[0], i0[1], i0[2]]), f[0]);
            let c10 = lerp(at([i0[0], i1[1], i0[2]]), at([i1[0], i1[1], i0[2]]), f[0]);
            let c01 = lerp(at([i0[0], i0[1], i1[2]]), at([i1[0], i0[1], i1[2]]), f[0]);
            let c11 = lerp(at([i0[0], i1[1], i1[2]]), at([i1[0], i1[1], i1[2]]), f[0]);
            let c0 = lerp(c00, c10, f[1]);
            let c1 = lerp(c01, c11, f[1]);
            Some(lerp(c0, c1, f[2]))
        }
    }
}

/// The modality value of view pixel (x, y): the slab's samples combined, `None` when
/// every sample is outside the grid.
pub fn sample_pixel(grid: &VoxelGrid, view: &ResliceView, x: u32, y: u32) -> Option<f32> {
    let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
    let p: [f32; 3] =
        std::array::from_fn(|k| view.corner[k] + px * view.step_x[k] + py * view.step_y[k]);
    let half = (view.slab_samples as f32 - 1.0) * 0.5;
    let mut best: Option<f32> = None;
    let mut sum = 0.0f32;
    let mut count = 0u32;
    for s in 0..view.slab_samples {
        let t = s as f32 - half;
        let q: [f32; 3] = std::array::from_fn(|k| p[k] + t * view.slab_step[k]);
        let Some(v) = sample_voxel(grid, q, view.interpolation) else {
            continue;
        };
        count += 1;
        sum += v;
        best = Some(match (best, view.slab_mode) {
            (None, _) => v,
            (Some(b), SlabMode::Mip) => b.max(v),
            (Some(b), SlabMode::Minip) => b.min(v),
            (Some(b), SlabMode::Avg) => b,
        });
    }
    match view.slab_mode {
        SlabMode::Avg => (count > 0).then(|| sum / count as f32),
        _ => best,
    }
}

/// Every pixel of a `size[0] × size[1]` view, row by row.
pub fn sample_view(grid: &VoxelGrid, view: &ResliceView, size: [u32; 2]) -> Vec<Option<f32>> {
    (0..size[1])
        .flat_map(|y| (0..size[0]).map(move |x| (x, y)))
        .map(|(x, y)| sample_pixel(grid, view, x, y))
        .collect()
}

/// Where a closed ring (patient mm) cuts the plane through `point_mm` with unit
/// `normal`: the segments inside the ring along the cut line (crossings paired in
/// order along the line, even-odd), or the ring itself, as its edges, when every
/// vertex lies within `on_plane_mm` of the plane.
pub fn cut_ring(
    ring_mm: &[[f64; 3]],
    point_mm: [f64; 3],
    normal: [f64; 3],
    on_plane_mm: f64,
) -> Vec<[[f64; 3]; 2]> {
    let n = ring_mm.len();
    if n < 2 {
        return Vec::new();
    }
    let side: Vec<f64> = ring_mm
        .iter()
        .map(|p| dot(super::grid::sub(*p, point_mm), normal))
        .collect();
    if side.iter().all(|d| d.abs() <= on_plane_mm) {
        return (0..n).map(|i| [ring_mm[i], ring_mm[(i + 1) % n]]).collect();
    }
    let mut crossings: Vec<[f64; 3]> = Vec::new();
    for i in 0..n {
        let j = (i + 1) % n;
        let (da, db) = (side[i], side[j]);
        // Half-open on each edge so a vertex on the plane counts once.
        if (da < 0.0) != (db < 0.0) {
            let t = da / (da - db);
            let (a, b) = (ring_mm[i], ring_mm[j]);
            crossings.push(std::array::from_fn(|k| a[k] + (b[k] - a[k]) * t));
        }
    }
    let Some(first) = crossings.first().copied() else {
        return Vec::new();
    };
    // Order along the cut line (the direction of the farthest crossing from the first).
    let far = crossings
        .iter()
        .copied()
        .max_by(|a, b| {
            let d = |p: [f64; 3]| {
                let v = super::grid::sub(p, first);
                dot(v, v)
            };
            d(*a).total_cmp(&d(*b))
        })
        .unwrap_or(first);
    let dir = super::grid::sub(far, first);
    crossings.sort_by(|a, b| {
        dot(super::grid::sub(*a, first), dir).total_cmp(&dot(super::grid::sub(*b, first), dir))
    });
    crossings.chunks_exact(2).map(|c| [c[0], c[1]]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_turn_about_z_takes_x_to_y() {
        let r = rotation_about([0.0, 0.0, 1.0], std::f64::consts::FRAC_PI_2);
        let v = rotate(&r, [1.0, 0.0, 0.0]);
        assert!((v[0]).abs() < 1e-12 && (v[1] - 1.0).abs() < 1e-12 && v[2].abs() < 1e-12);
        let back = compose(
            &rotation_about([0.0, 0.0, 1.0], -std::f64::consts::FRAC_PI_2),
            &r,
        );
        for (r, row) in back.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                assert!((v - IDENTITY[r][c]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn the_standard_views_face_the_way_radiologists_read_them() {
        // Axial seen from the feet: normal +z (towards the head, away from the viewer).
        let frame = |plane: ViewPlane| {
            let [right, down] = plane.base_axes();
            ViewFrame {
                centre_mm: [0.0; 3],
                right,
                down,
                mm_per_px: 1.0,
            }
        };
        assert_eq!(frame(ViewPlane::Axial).normal(), [0.0, 0.0, 1.0]);
        // Coronal seen from the front: normal +y (posterior, away from the viewer).
        assert_eq!(frame(ViewPlane::Coronal).normal(), [0.0, 1.0, 0.0]);
        // Sagittal seen from the patient's left: normal −x (towards the right side).
        assert_eq!(frame(ViewPlane::Sagittal).normal(), [-1.0, 0.0, 0.0]);
    }

    #[test]
    fn a_square_cut_across_gives_its_chord_and_on_its_plane_its_edges() {
        // The square 0..10 × 0..10 at z 5; cut by the plane x = 4 (normal +x).
        let square = [
            [0.0, 0.0, 5.0],
            [10.0, 0.0, 5.0],
            [10.0, 10.0, 5.0],
            [0.0, 10.0, 5.0],
        ];
        let cut = cut_ring(&square, [4.0, 0.0, 0.0], [1.0, 0.0, 0.0], 0.5);
        assert_eq!(cut.len(), 1);
        let [a, b] = cut[0];
        let ys = if a[1] < b[1] {
            [a[1], b[1]]
        } else {
            [b[1], a[1]]
        };
        assert_eq!((a[0], b[0], ys), (4.0, 4.0, [0.0, 10.0]));
        // A U shape cut across both arms gives two segments.
        let u = [
            [0.0, 0.0, 0.0],
            [3.0, 0.0, 0.0],
            [3.0, 7.0, 0.0],
            [7.0, 7.0, 0.0],
            [7.0, 0.0, 0.0],
            [10.0, 0.0, 0.0],
            [10.0, 10.0, 0.0],
            [0.0, 10.0, 0.0],
        ];
        let cut = cut_ring(&u, [0.0, 3.0, 0.0], [0.0, 1.0, 0.0], 0.5);
        let mut xs: Vec<[f64; 2]> = cut
            .iter()
            .map(|[a, b]| [a[0].min(b[0]), a[0].max(b[0])])
            .collect();
        xs.sort_by(|a, b| a[0].total_cmp(&b[0]));
        assert_eq!(xs, vec![[0.0, 3.0], [7.0, 10.0]]);
        // In its own plane: the four edges; a plane missing it: nothing.
        assert_eq!(
            cut_ring(&square, [0.0, 0.0, 5.2], [0.0, 0.0, 1.0], 0.5).len(),
            4
        );
        assert!(cut_ring(&square, [0.0, 0.0, 9.0], [0.0, 0.0, 1.0], 0.5).is_empty());
    }

    #[test]
    fn point_at_and_pos_of_are_inverse() {
        let f = ViewFrame {
            centre_mm: [10.0, -5.0, 30.0],
            right: [1.0, 0.0, 0.0],
            down: [0.0, 0.0, -1.0],
            mm_per_px: 0.5,
        };
        let p = f.point_at([30.0, 40.0], [100.0, 80.0]);
        assert_eq!(p, [10.0 - 10.0, -5.0, 30.0 - 0.0]);
        assert_eq!(f.pos_of(p, [100.0, 80.0]), [30.0, 40.0]);
    }
}
