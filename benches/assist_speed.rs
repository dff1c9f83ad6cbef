//! Assisted annotation speed (issue 15's targets): click-to-segment in 2-D on a
//! 512 × 512 frame (≤ 50 ms) and in 3-D through 512 × 512 × 300 (≤ 1 s), both grow
//! and outlines, on frames already decoded (as the viewer has them); interpolation
//! of 20 frames between two key frames (≤ 200 ms); grow from seeds on a 512 × 512
//! frame (the result should update in under a second); live-wire on a 512 × 512
//! frame: the cost map (well under 100 ms, once per frame) and a click-to-click
//! segment of about 100 pixels (under 30 ms, while the pointer moves).
//!
//! `cargo bench --bench assist_speed`; best of 3 runs, release.

mod common;

use common::best;

use lightbox::assist::contour::rings;
use lightbox::assist::grow::{GrowOptions, Volume, grow};
use lightbox::assist::interpolate::interpolate_series;
use lightbox::assist::livewire::LiveWire;
use lightbox::assist::seeds::{Grid, WalkerOptions, random_walker, unit_values};
use lightbox::measure::{PixelSpacing, SpacingSource};

const SIZE: usize = 512;

/// A CT-like volume: a 60 mm lesion (60 HU) in lung (−820 HU) with a little noise,
/// 0.7 mm pixels, 1 mm slices.
fn volume_values(slices: usize) -> Vec<Vec<f32>> {
    (0..slices)
        .map(|k| {
            (0..SIZE * SIZE)
                .map(|i| {
                    let (r, c) = ((i / SIZE) as f64 * 0.7, (i % SIZE) as f64 * 0.7);
                    let z = k as f64 - slices as f64 / 2.0;
                    let d2 = (r - 180.0).powi(2) + (c - 180.0).powi(2) + z * z;
                    let noise = ((i * 7919 + k * 104_729) % 41) as f32 - 20.0;
                    if d2 <= 30.0 * 30.0 {
                        60.0 + noise
                    } else {
                        -820.0 + noise
                    }
                })
                .collect()
        })
        .collect()
}

fn main() {
    let spacing = PixelSpacing {
        row_mm: 0.7,
        col_mm: 0.7,
        source: SpacingSource::PixelSpacing,
    };
    let values = volume_values(300);
    let volume = Volume {
        rows: SIZE,
        cols: SIZE,
        slices: values.iter().map(|s| Some(s.as_slice())).collect(),
        z_mm: (0..300).map(f64::from).collect(),
        spacing_mm: [0.7, 0.7],
    };
    let seed = [150, 257, 257];
    let outline = |slices: &[(usize, Vec<bool>)]| -> usize {
        slices
            .iter()
            .map(|(_, m)| rings(m, SIZE, SIZE, 0.35, &spacing).len())
            .sum()
    };
    let (t2, n2) = best(3, || {
        let g = grow(&volume, seed, &GrowOptions::default()).expect("grows");
        outline(&g.slices)
    });
    println!(
        "click-to-segment 2-D, 512 x 512: {:.1} ms (target 50 ms); {n2} outline(s)",
        t2.as_secs_f64() * 1e3
    );
    let three_d = GrowOptions {
        three_d: true,
        ..GrowOptions::default()
    };
    let (t3, (n3, voxels)) = best(3, || {
        let g = grow(&volume, seed, &three_d).expect("grows");
        (outline(&g.slices), g.voxels)
    });
    println!(
        "click-to-segment 3-D, 512 x 512 x 300: {:.0} ms (target 1000 ms); {n3} outlines, {voxels} voxels",
        t3.as_secs_f64() * 1e3
    );
    // A click in the lung: everything but the lesion is in its window, so the leak
    // guard's size limit stops the growth (the worst case a click can cost).
    let (tl, (stopped, voxels)) = best(3, || {
        let g = grow(&volume, [150, 20, 20], &three_d).expect("grows");
        (g.stopped, g.voxels)
    });
    println!(
        "click-to-segment 3-D leaking into the whole volume: {:.0} ms; stopped by {stopped:?} at {voxels} voxels",
        tl.as_secs_f64() * 1e3
    );
    // Grow from seeds on one frame: a stroke in the lesion, a frame of background.
    let unit = unit_values(&values[150], [-1024.0, 1024.0]);
    let seeds: Vec<u8> = (0..SIZE * SIZE)
        .map(|i| {
            let (r, c) = (i / SIZE, i % SIZE);
            if r == 257 && (250..265).contains(&c) {
                1
            } else if r < 4 || c < 4 || r >= SIZE - 4 || c >= SIZE - 4 {
                2
            } else {
                0
            }
        })
        .collect();
    let grid = Grid {
        values: &unit,
        shape: [1, SIZE, SIZE],
        spacing: [1.0, 0.7, 0.7],
    };
    let (tw, inside) = best(3, || {
        let labels = random_walker(&grid, &seeds, &WalkerOptions::default()).expect("walks");
        labels.iter().filter(|&&l| l == 1).count()
    });
    println!(
        "grow from seeds (random walker), 512 x 512: {:.0} ms (target 1000 ms); {inside} pixels of the lesion",
        tw.as_secs_f64() * 1e3
    );
    // Live-wire on the same frame: the cost map once, then segments of about 100
    // pixels: along the lesion's rim (radius 43 pixels about (257, 257)), and across
    // featureless lung (nothing to follow: the whole box is searched).
    let (tc, wire) = best(3, || {
        LiveWire::new(&unit, SIZE, SIZE, &spacing).expect("cost map")
    });
    println!(
        "live-wire cost map, 512 x 512: {:.1} ms (target 100 ms)",
        tc.as_secs_f64() * 1e3
    );
    let rim = |degrees: f64| -> [usize; 2] {
        let t = degrees.to_radians();
        [
            (257.0 + 42.5 * t.cos()) as usize,
            (257.0 + 42.5 * t.sin()) as usize,
        ]
    };
    let (tp, along) = best(3, || wire.path(rim(0.0), rim(150.0)).expect("a path").len());
    println!(
        "live-wire segment along the rim, 82 px apart: {:.1} ms (target 30 ms); {along} pixels",
        tp.as_secs_f64() * 1e3
    );
    let (tf, across) = best(3, || {
        wire.path([40, 400], [140, 400]).expect("a path").len()
    });
    println!(
        "live-wire segment across featureless lung, 100 px apart: {:.1} ms (target 30 ms); {across} pixels",
        tf.as_secs_f64() * 1e3
    );
    let anchors = [0.0, 90.0, 180.0, 270.0].map(|d| {
        let [c, r] = rim(d);
        [c as f64 + 0.5, r as f64 + 0.5]
    });
    let (tg, vertices) = best(3, || wire.wire_polygon(&anchors).expect("a polygon").len());
    println!(
        "live-wire polygon of 4 anchors around the lesion: {:.1} ms; {vertices} vertices",
        tg.as_secs_f64() * 1e3
    );
    // Two key discs of radius 40 and 80 pixels; the 20 frames between.
    let disc = |radius: f64| -> Vec<bool> {
        (0..SIZE * SIZE)
            .map(|i| {
                let (r, c) = ((i / SIZE) as f64, (i % SIZE) as f64);
                (r - 256.0).powi(2) + (c - 256.0).powi(2) <= radius * radius
            })
            .collect()
    };
    let (a, b) = (disc(40.0), disc(80.0));
    let keys: [(usize, &[bool]); 2] = [(0, &a), (21, &b)];
    let positions: Vec<Option<f64>> = (0..22).map(|k| Some(f64::from(k) * 1.25)).collect();
    let (ti, filled) = best(3, || {
        interpolate_series(&keys, &positions, SIZE, SIZE, [0.7, 0.7])
            .iter()
            .map(|(_, mask)| rings(mask, SIZE, SIZE, 0.35, &spacing).len())
            .sum::<usize>()
    });
    println!(
        "interpolation of 20 frames of 512 x 512, with outlines: {:.0} ms (target 200 ms); {filled} outlines",
        ti.as_secs_f64() * 1e3
    );
}
