//! Synthetic anatomy: simple shapes with plausible values, plus noise.
//!
//! Greyscale images are modality values (HU for CT; arbitrary units for MR/CR/DX);
//! the caller turns them into stored values.

use super::rng::{Rng, noise};

/// What a series shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Anatomy {
    /// Chest CT with a solid nodule of this radius (mm) in the right lung.
    CtChest {
        /// Nodule radius in mm.
        nodule_radius_mm: f64,
    },
    /// Abdomen CT (liver, kidneys, spine).
    CtAbdomen,
    /// Head CT (skull, brain, ventricles).
    CtHead,
    /// T1-like brain MR.
    MrBrain,
    /// Knee MR.
    MrKnee,
    /// PA chest radiograph (values grow with attenuation).
    CrChest,
    /// Hand radiograph.
    DxHand,
}

/// Geometry of a slice: millimetres per pixel, and the slice's z in mm.
#[derive(Debug, Clone, Copy)]
pub struct SliceGeometry {
    /// Rows.
    pub rows: u32,
    /// Columns.
    pub cols: u32,
    /// Pixel spacing in mm (square pixels).
    pub spacing_mm: f64,
    /// Position along the patient axis in mm (0 = centre of the volume).
    pub z_mm: f64,
}

fn inside_ellipse(x: f64, y: f64, cx: f64, cy: f64, ax: f64, ay: f64) -> bool {
    let (dx, dy) = ((x - cx) / ax, (y - cy) / ay);
    dx * dx + dy * dy <= 1.0
}

/// Modality values of one slice, row-major; `None` outside the reconstruction circle (padding).
pub fn slice(anatomy: Anatomy, g: SliceGeometry, rng: &mut Rng) -> Vec<Option<f64>> {
    let mut out = Vec::with_capacity((g.rows * g.cols) as usize);
    let half_w = f64::from(g.cols) / 2.0;
    let half_h = f64::from(g.rows) / 2.0;
    let fov_r = half_w.min(half_h) * g.spacing_mm * 0.98;
    for r in 0..g.rows {
        for c in 0..g.cols {
            // Patient coordinates in mm: x to the patient's left, y to posterior.
            let x = (f64::from(c) + 0.5 - half_w) * g.spacing_mm;
            let y = (f64::from(r) + 0.5 - half_h) * g.spacing_mm;
            let ct = matches!(
                anatomy,
                Anatomy::CtChest { .. } | Anatomy::CtAbdomen | Anatomy::CtHead
            );
            if ct && x * x + y * y > fov_r * fov_r {
                out.push(None);
                continue;
            }
            let (value, sd) = value_at(anatomy, x, y, g.z_mm);
            out.push(Some(value + noise(rng, sd)));
        }
    }
    out
}

/// The noiseless value at (x, y, z) and the noise level there.
fn value_at(anatomy: Anatomy, x: f64, y: f64, z: f64) -> (f64, f64) {
    match anatomy {
        Anatomy::CtChest { nodule_radius_mm } => {
            if !inside_ellipse(x, y, 0.0, 0.0, 165.0, 115.0) {
                return (-1000.0, 6.0);
            }
            if !inside_ellipse(x, y, 0.0, 0.0, 155.0, 105.0) {
                return (-100.0, 10.0); // subcutaneous fat
            }
            if (x * x + (y - 75.0) * (y - 75.0)).sqrt() < 16.0 {
                return (650.0, 25.0); // vertebral body
            }
            let (nx, ny, nz) = (-70.0, -10.0, 12.0);
            let d = ((x - nx).powi(2) + (y - ny).powi(2) + (z - nz).powi(2)).sqrt();
            if d < nodule_radius_mm {
                return (25.0, 12.0);
            }
            if inside_ellipse(x, y, -72.0, -5.0, 55.0, 82.0)
                || inside_ellipse(x, y, 72.0, -5.0, 52.0, 80.0)
            {
                return (-850.0, 15.0);
            }
            if inside_ellipse(x, y, 15.0, -15.0, 45.0, 40.0) {
                return (45.0, 10.0); // heart
            }
            (30.0, 10.0)
        }
        Anatomy::CtAbdomen => {
            if !inside_ellipse(x, y, 0.0, 0.0, 160.0, 120.0) {
                return (-1000.0, 6.0);
            }
            if !inside_ellipse(x, y, 0.0, 0.0, 148.0, 108.0) {
                return (-110.0, 10.0);
            }
            if (x * x + (y - 70.0) * (y - 70.0)).sqrt() < 17.0 {
                return (600.0, 25.0);
            }
            if inside_ellipse(x, y, -65.0, -10.0, 70.0, 60.0) {
                return (60.0, 8.0); // liver
            }
            if inside_ellipse(x, y, -55.0, 55.0, 22.0, 30.0)
                || inside_ellipse(x, y, 55.0, 55.0, 22.0, 30.0)
            {
                return (150.0, 10.0); // enhancing kidneys
            }
            (35.0, 10.0)
        }
        Anatomy::CtHead => {
            let skull_out = inside_ellipse(x, y, 0.0, 0.0, 80.0, 98.0);
            let skull_in = inside_ellipse(x, y, 0.0, 0.0, 73.0, 91.0);
            if !skull_out {
                return (-1000.0, 5.0);
            }
            if !skull_in {
                return (1100.0, 40.0);
            }
            if inside_ellipse(x, y, -8.0, -5.0, 5.0, 22.0)
                || inside_ellipse(x, y, 8.0, -5.0, 5.0, 22.0)
            {
                return (6.0, 3.0); // ventricles
            }
            let grey = !inside_ellipse(x, y, 0.0, 0.0, 64.0, 82.0);
            (if grey { 40.0 } else { 30.0 }, 3.0)
        }
        Anatomy::MrBrain => {
            if !inside_ellipse(x, y, 0.0, 0.0, 80.0, 98.0) {
                return (20.0, 8.0);
            }
            if !inside_ellipse(x, y, 0.0, 0.0, 74.0, 92.0) {
                return (2600.0, 60.0); // scalp fat
            }
            if !inside_ellipse(x, y, 0.0, 0.0, 70.0, 88.0) {
                return (150.0, 20.0); // skull
            }
            if inside_ellipse(x, y, -8.0, -5.0, 5.0, 22.0)
                || inside_ellipse(x, y, 8.0, -5.0, 5.0, 22.0)
            {
                return (500.0, 20.0); // CSF
            }
            let grey = !inside_ellipse(x, y, 0.0, 0.0, 62.0, 80.0);
            (if grey { 1500.0 } else { 2100.0 }, 40.0)
        }
        Anatomy::MrKnee => {
            if !inside_ellipse(x, y, 0.0, 0.0, 60.0, 55.0) {
                return (15.0, 6.0);
            }
            let femur = y < -4.0 && inside_ellipse(x, y, 0.0, -30.0, 38.0, 30.0);
            let tibia = y > 4.0 && inside_ellipse(x, y, 0.0, 30.0, 36.0, 28.0);
            if femur || tibia {
                return (1700.0, 40.0);
            }
            if y.abs() <= 4.0 && x.abs() < 38.0 {
                return (2500.0, 50.0); // cartilage and fluid
            }
            (900.0, 30.0)
        }
        Anatomy::CrChest => {
            // Larger = more attenuation. MONOCHROME1 shows small values white, so this
            // map is inverted on screen: air black, bone white.
            let body = inside_ellipse(x, y, 0.0, 10.0, 150.0, 170.0);
            if !body {
                return (3900.0, 20.0);
            }
            let lung = inside_ellipse(x, y, -65.0, -10.0, 55.0, 120.0)
                || inside_ellipse(x, y, 65.0, -10.0, 55.0, 120.0);
            let spine = x.abs() < 14.0;
            let heart = inside_ellipse(x, y, 15.0, 40.0, 55.0, 50.0);
            let rib = lung && ((y + 200.0) % 28.0) < 5.0;
            let v = if spine || rib {
                900.0
            } else if heart {
                1500.0
            } else if lung {
                3100.0
            } else {
                1800.0
            };
            (v, 30.0)
        }
        Anatomy::DxHand => {
            let palm = inside_ellipse(x, y, 0.0, 40.0, 45.0, 55.0);
            let finger = y < 0.0
                && y > -95.0
                && [-30.0, -11.0, 8.0, 27.0]
                    .iter()
                    .any(|fx| (x - fx).abs() < 8.0);
            let thumb = inside_ellipse(x, y, 52.0, 10.0, 9.0, 35.0);
            let bone = (y < 0.0
                && y > -90.0
                && [-30.0, -11.0, 8.0, 27.0]
                    .iter()
                    .any(|fx| (x - fx).abs() < 3.5))
                || (palm
                    && [-30.0, -11.0, 8.0, 27.0]
                        .iter()
                        .any(|fx| (x - fx).abs() < 4.0));
            if bone {
                (3000.0, 30.0)
            } else if palm || finger || thumb {
                (1800.0, 30.0)
            } else {
                (200.0, 15.0)
            }
        }
    }
}

/// One frame of the ultrasound clip as 8-bit RGB: a grey speckle sector with a colour-Doppler blob.
pub fn ultrasound_frame(rows: u32, cols: u32, frame: u32, rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::with_capacity((rows * cols * 3) as usize);
    let apex = (f64::from(cols) / 2.0, 10.0);
    let phase = f64::from(frame) * 0.4;
    for r in 0..rows {
        for c in 0..cols {
            let (dx, dy) = (f64::from(c) - apex.0, f64::from(r) - apex.1);
            let dist = (dx * dx + dy * dy).sqrt();
            let angle = dx.atan2(dy);
            let in_sector = dy > 0.0 && angle.abs() < 0.7 && dist < f64::from(rows) - 20.0;
            if !in_sector {
                out.extend_from_slice(&[0, 0, 0]);
                continue;
            }
            let depth = dist / f64::from(rows);
            let vessel = ((dx - 10.0 * phase.sin()).powi(2) + (dy - 120.0).powi(2)).sqrt() < 22.0;
            if vessel {
                let flow = (phase + dy / 15.0).sin();
                let v = (120.0 + 120.0 * flow.abs()) as u8;
                out.extend_from_slice(&if flow > 0.0 { [v, 20, 20] } else { [20, 30, v] });
            } else {
                let speckle =
                    (90.0 * (1.0 - depth * 0.6) + noise(rng, 28.0)).clamp(0.0, 255.0) as u8;
                out.extend_from_slice(&[speckle, speckle, speckle]);
            }
        }
    }
    out
}
