//! Click-to-segment against synthetic truth made here: a sphere and an ellipsoid in
//! noise (Dice against the exact voxel-centre masks), a sphere touching a vessel of
//! the same density (the leak guard cuts it at the radius and says so), a ring whose
//! hole is filled, and the errors.

mod common;

use common::Rng;
use lightbox::assist::grow::{GrowError, GrowOptions, Stop, Volume, grow};

/// A synthetic series: `slices` frames of `rows × cols`, `spacing` [slice, row,
/// column] mm, values from `value(z_mm, y_mm, x_mm)` plus Gaussian-ish noise.
struct Phantom {
    rows: usize,
    cols: usize,
    spacing: [f64; 3],
    slices: Vec<Vec<f32>>,
}

impl Phantom {
    fn new(
        [slices, rows, cols]: [usize; 3],
        spacing: [f64; 3],
        noise_sd: f64,
        value: impl Fn(f64, f64, f64) -> f64,
    ) -> Self {
        let mut rng = Rng(0x15_2026);
        let slices = (0..slices)
            .map(|k| {
                (0..rows * cols)
                    .map(|i| {
                        let (r, c) = (i / cols, i % cols);
                        let v = value(
                            k as f64 * spacing[0],
                            r as f64 * spacing[1],
                            c as f64 * spacing[2],
                        );
                        // Sum of four uniforms: mean 0, sd noise_sd.
                        let n: f64 = (0..4).map(|_| rng.unit()).sum::<f64>() - 2.0;
                        (v + n * noise_sd * 3f64.sqrt()) as f32
                    })
                    .collect()
            })
            .collect();
        Self {
            rows,
            cols,
            spacing,
            slices,
        }
    }

    fn volume(&self) -> Volume<'_> {
        Volume {
            rows: self.rows,
            cols: self.cols,
            slices: self.slices.iter().map(|s| Some(s.as_slice())).collect(),
            z_mm: (0..self.slices.len())
                .map(|k| k as f64 * self.spacing[0])
                .collect(),
            spacing_mm: [self.spacing[1], self.spacing[2]],
        }
    }
}

/// Dice of the grown slices against `truth(slice, row, col)` over the whole volume.
fn dice(
    p: &Phantom,
    grown: &[(usize, Vec<bool>)],
    truth: impl Fn(usize, usize, usize) -> bool,
) -> f64 {
    let mut got = vec![vec![false; p.rows * p.cols]; p.slices.len()];
    for (k, mask) in grown {
        got[*k].clone_from(mask);
    }
    let (mut a, mut b, mut both) = (0u64, 0u64, 0u64);
    for (k, slice) in got.iter().enumerate() {
        for (i, &g) in slice.iter().enumerate() {
            let t = truth(k, i / p.cols, i % p.cols);
            a += u64::from(g);
            b += u64::from(t);
            both += u64::from(g && t);
        }
    }
    2.0 * both as f64 / (a + b) as f64
}

const SOFT: f64 = 60.0;
const LUNG: f64 = -820.0;

#[test]
fn a_sphere_in_noise_is_found_in_3d_and_its_slice_in_2d() {
    let (centre, radius) = ([30.0, 25.6, 25.6], 10.0);
    let inside = move |z: f64, y: f64, x: f64| {
        let d = [z - centre[0], y - centre[1], x - centre[2]];
        d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= radius * radius
    };
    let p = Phantom::new([40, 64, 64], [1.5, 0.8, 0.8], 15.0, |z, y, x| {
        if inside(z, y, x) { SOFT } else { LUNG }
    });
    let truth =
        |k: usize, r: usize, c: usize| inside(k as f64 * 1.5, r as f64 * 0.8, c as f64 * 0.8);
    let seed = [20, 32, 32];
    let options = GrowOptions {
        three_d: true,
        ..GrowOptions::default()
    };
    let g = grow(&p.volume(), seed, &options).expect("grows");
    assert_eq!(g.stopped, None);
    // The default window comes from around the seed: it holds soft tissue, not lung.
    assert!(
        g.window[0] > LUNG + 200.0 && g.window[1] < SOFT + 200.0,
        "{:?}",
        g.window
    );
    let d3 = dice(&p, &g.slices, truth);
    assert!(d3 > 0.97, "3-D Dice {d3}");
    // 13 or 14 slices of 1.5 mm hold the 20 mm sphere.
    assert!(
        (13..=14).contains(&g.slices.len()),
        "{} slices",
        g.slices.len()
    );
    // 2-D: the seed's slice only.
    let g2 = grow(&p.volume(), seed, &GrowOptions::default()).expect("grows");
    assert_eq!(g2.slices.len(), 1);
    let d2 = dice(&p, &g2.slices, |k, r, c| k == 20 && truth(k, r, c));
    assert!(d2 > 0.97, "2-D Dice {d2}");
}

#[test]
fn an_ellipsoid_with_a_given_window() {
    let inside = |z: f64, y: f64, x: f64| {
        let (a, b, c) = ((z - 20.0) / 12.0, (y - 30.0) / 18.0, (x - 26.0) / 9.0);
        a * a + b * b + c * c <= 1.0
    };
    let p = Phantom::new([32, 60, 52], [1.25, 1.0, 1.0], 10.0, |z, y, x| {
        if inside(z, y, x) { 300.0 } else { 0.0 }
    });
    let options = GrowOptions {
        window: Some([150.0, 1000.0]),
        three_d: true,
        ..GrowOptions::default()
    };
    let g = grow(&p.volume(), [16, 30, 26], &options).expect("grows");
    let d = dice(&p, &g.slices, |k, r, c| {
        inside(k as f64 * 1.25, r as f64, c as f64)
    });
    assert!(d > 0.98, "Dice {d}");
    assert_eq!(g.window, [150.0, 1000.0]);
}

#[test]
fn the_leak_guard_cuts_a_vessel_at_the_radius_and_says_so() {
    // A 8 mm sphere touching a 2 mm vessel that runs to the edge of the volume.
    let sphere = |z: f64, y: f64, x: f64| {
        let d = [z - 20.0, y - 20.0, x - 20.0];
        d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= 64.0
    };
    let vessel = |z: f64, y: f64, _x: f64| {
        let d = [z - 20.0, y - 29.0];
        d[0] * d[0] + d[1] * d[1] <= 4.0
    };
    let p = Phantom::new([40, 50, 100], [1.0, 1.0, 1.0], 5.0, |z, y, x| {
        if sphere(z, y, x) || vessel(z, y, x) {
            SOFT
        } else {
            LUNG
        }
    });
    let options = GrowOptions {
        three_d: true,
        max_radius_mm: 15.0,
        ..GrowOptions::default()
    };
    let g = grow(&p.volume(), [20, 20, 20], &options).expect("grows");
    assert_eq!(g.stopped, Some(Stop::Radius(15.0)));
    let message = g.stopped.map(|s| s.to_string()).unwrap_or_default();
    assert!(message.contains("narrow the window"), "{message}");
    // Nothing beyond 15 mm from the seed (hole filling adds none here: the cut is
    // convex), and the sphere is all there.
    for (k, mask) in &g.slices {
        for (i, _) in mask.iter().enumerate().filter(|(_, m)| **m) {
            let (r, c) = ((i / 100) as f64, (i % 100) as f64);
            let d2 = (*k as f64 - 20.0).powi(2) + (r - 20.0).powi(2) + (c - 20.0).powi(2);
            assert!(d2 <= 225.0 + 1e-9, "slice {k}, pixel {r},{c}");
        }
    }
    let covered = dice(&p, &g.slices, |k, r, c| {
        sphere(k as f64, r as f64, c as f64)
    });
    assert!(covered > 0.8, "Dice against the sphere alone {covered}");
    // Without the vessel the same grow stops by itself.
    let alone = Phantom::new([40, 50, 100], [1.0, 1.0, 1.0], 5.0, |z, y, x| {
        if sphere(z, y, x) { SOFT } else { LUNG }
    });
    let g = grow(&alone.volume(), [20, 20, 20], &options).expect("grows");
    assert_eq!(g.stopped, None);
    assert!(
        dice(&alone, &g.slices, |k, r, c| sphere(
            k as f64, r as f64, c as f64
        )) > 0.97
    );
}

#[test]
fn the_size_guard_stops_and_holes_are_filled() {
    // A ring of soft tissue around a lung-dense hole: the hole is filled.
    let ring = |y: f64, x: f64| {
        let d2 = (y - 30.0).powi(2) + (x - 30.0).powi(2);
        (64.0..=400.0).contains(&d2)
    };
    let p = Phantom::new([1, 60, 60], [1.0, 1.0, 1.0], 0.0, |_, y, x| {
        if ring(y, x) { SOFT } else { LUNG }
    });
    let g = grow(&p.volume(), [0, 30, 45], &GrowOptions::default()).expect("grows");
    let hole = 30 * 60 + 30;
    assert!(g.slices[0].1[hole], "the hole is part of the region");
    let disc = |_: usize, r: usize, c: usize| {
        (r as f64 - 30.0).powi(2) + (c as f64 - 30.0).powi(2) <= 400.0
    };
    assert!(dice(&p, &g.slices, disc) > 0.99);
    let small = GrowOptions {
        max_voxels: 100,
        ..GrowOptions::default()
    };
    let g = grow(&p.volume(), [0, 30, 45], &small).expect("grows");
    assert_eq!(g.stopped, Some(Stop::Size(100)));
    assert_eq!(g.voxels, 100);
}

#[test]
fn bad_seeds_are_refused_with_the_reason() {
    let p = Phantom::new([2, 10, 10], [1.0, 1.0, 1.0], 0.0, |_, _, _| 5.0);
    let v = p.volume();
    assert_eq!(
        grow(&v, [2, 0, 0], &GrowOptions::default()),
        Err(GrowError::SeedOutside([2, 0, 0]))
    );
    let outside = GrowOptions {
        window: Some([10.0, 20.0]),
        ..GrowOptions::default()
    };
    let e = grow(&v, [0, 5, 5], &outside).expect_err("outside the window");
    assert!(e.to_string().contains("widen the window"), "{e}");
    let mut unloaded = p.volume();
    unloaded.slices[1] = None;
    assert_eq!(
        grow(&unloaded, [1, 5, 5], &GrowOptions::default()),
        Err(GrowError::NoValue)
    );
}
