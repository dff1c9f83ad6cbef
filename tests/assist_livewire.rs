//! Live-wire against synthetic truth made here: a bright disc in noise (a segment
//! between two anchors on its rim stays on the circle; four anchors give the disc,
//! Dice against the exact pixel-centre mask), a featureless frame (the straight
//! line), two rails whose gaps cost what the pixel spacing says (anisotropic pixels),
//! and the refusals.

mod common;

use common::Rng;
use lightbox::agreement::region::Region;
use lightbox::assist::livewire::{LiveWire, LiveWireError, unit_values};
use lightbox::measure::{PixelSpacing, SpacingSource};

const SIZE: usize = 160;
const CENTRE: [f64; 2] = [80.0, 80.0];
const RADIUS: f64 = 40.0;

/// Is the centre of pixel `(c, r)` in the disc?
fn in_disc(c: usize, r: usize) -> bool {
    let (x, y) = (c as f64 + 0.5 - CENTRE[0], r as f64 + 0.5 - CENTRE[1]);
    x.hypot(y) <= RADIUS
}

/// A bright disc (0.75) on a darker background (0.25), displayed values with noise
/// of standard deviation 0.05.
fn disc_frame() -> Vec<f32> {
    let mut rng = Rng(0x15_1995);
    (0..SIZE * SIZE)
        .map(|i| {
            let base = if in_disc(i % SIZE, i / SIZE) {
                0.75
            } else {
                0.25
            };
            // Sum of four uniforms: mean 0, standard deviation 1/√3.
            let n: f64 = (0..4).map(|_| rng.unit()).sum::<f64>() - 2.0;
            (base + n * 0.05 * 3f64.sqrt()) as f32
        })
        .collect()
}

/// The point on the rim at `degrees` (image coordinates).
fn rim(degrees: f64) -> [f64; 2] {
    let t = degrees.to_radians();
    [CENTRE[0] + RADIUS * t.cos(), CENTRE[1] + RADIUS * t.sin()]
}

fn pixel(p: [f64; 2]) -> [usize; 2] {
    [p[0] as usize, p[1] as usize]
}

/// Every step of `path` is to one of the 8 neighbours.
fn assert_connected(path: &[[f64; 2]]) {
    for w in path.windows(2) {
        let (dx, dy) = ((w[1][0] - w[0][0]).abs(), (w[1][1] - w[0][1]).abs());
        assert!(
            dx <= 1.0 && dy <= 1.0 && dx + dy > 0.0,
            "a jump from {:?} to {:?}",
            w[0],
            w[1]
        );
    }
}

#[test]
fn a_segment_between_two_rim_anchors_follows_the_circle() {
    let wire =
        LiveWire::new(&disc_frame(), SIZE, SIZE, &PixelSpacing::UNCALIBRATED).expect("cost map");
    for (a, b) in [(10.0, 100.0), (200.0, 250.0), (300.0, 45.0)] {
        let (from, to) = (pixel(rim(a)), pixel(rim(b)));
        let path = wire.path(from, to).expect("a path");
        assert_eq!(
            path.first(),
            Some(&[from[0] as f64 + 0.5, from[1] as f64 + 0.5])
        );
        assert_eq!(path.last(), Some(&[to[0] as f64 + 0.5, to[1] as f64 + 0.5]));
        assert_connected(&path);
        for p in &path {
            let off = ((p[0] - CENTRE[0]).hypot(p[1] - CENTRE[1]) - RADIUS).abs();
            assert!(
                off <= 1.5,
                "{a}° to {b}°: {p:?} is {off:.2} px off the circle"
            );
        }
    }
}

#[test]
fn four_anchors_on_the_rim_outline_the_disc() {
    let wire =
        LiveWire::new(&disc_frame(), SIZE, SIZE, &PixelSpacing::UNCALIBRATED).expect("cost map");
    let anchors: Vec<[f64; 2]> = [20.0, 110.0, 200.0, 290.0].map(rim).to_vec();
    let ring = wire.wire_polygon(&anchors).expect("a polygon");
    assert!(
        lightbox::annotate::geometry::problems(&ring).is_empty(),
        "{ring:?}"
    );
    let n = SIZE as u32;
    let got = Region::of_ring(&ring, n, n).grid([0, 0, n, n]);
    let truth: Vec<bool> = (0..SIZE * SIZE)
        .map(|i| in_disc(i % SIZE, i / SIZE))
        .collect();
    let both = got.iter().zip(&truth).filter(|(g, t)| **g && **t).count();
    let (ng, nt) = (
        got.iter().filter(|g| **g).count(),
        truth.iter().filter(|t| **t).count(),
    );
    let dice = 2.0 * both as f64 / (ng + nt) as f64;
    assert!(dice >= 0.95, "Dice {dice}: {ng} vs {nt} pixels");
    // Simplified: far fewer vertices than the wire's pixels (about 250).
    assert!(ring.len() < 120, "{} vertices", ring.len());
}

#[test]
fn on_a_featureless_frame_the_path_is_the_straight_line() {
    let flat = vec![0.5f32; 100 * 100];
    let wire = LiveWire::new(&flat, 100, 100, &PixelSpacing::UNCALIBRATED).expect("cost map");
    for (from, to) in [
        ([10, 20], [80, 55]),
        ([90, 5], [12, 70]),
        ([30, 30], [30, 90]),
    ] {
        let path = wire.path(from, to).expect("a path");
        assert_connected(&path);
        // 8-connected: as many steps as the longer side.
        let steps = from[0].abs_diff(to[0]).max(from[1].abs_diff(to[1]));
        assert_eq!(path.len(), steps + 1);
        let (a, b) = (
            [from[0] as f64 + 0.5, from[1] as f64 + 0.5],
            [to[0] as f64 + 0.5, to[1] as f64 + 0.5],
        );
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        for p in &path {
            let off = ((p[0] - a[0]) * dy - (p[1] - a[1]) * dx).abs() / dx.hypot(dy);
            assert!(off <= 0.75, "{from:?} to {to:?}: {p:?} is {off:.2} px off");
        }
    }
    // The same pixel twice: the one pixel.
    assert_eq!(wire.path([4, 4], [4, 4]).expect("a path"), vec![[4.5, 4.5]]);
}

/// Two rails from (10, 40) to (70, 40) of an 80 × 80 frame, one above and one below,
/// mirror images but for a gap of 6 pixels: across the top rail (a gap along `x`) and
/// in the left leg of the bottom one (a gap along `y`).
fn rails() -> Vec<f32> {
    let rail = |c: usize, r: usize| {
        let legs = (10..=11).contains(&c) || (70..=71).contains(&c);
        let top = (30..=31).contains(&r) && (10..=71).contains(&c) && !(37..43).contains(&c)
            || legs && (30..=40).contains(&r);
        let bottom = (50..=51).contains(&r) && (10..=71).contains(&c)
            || legs && (40..=51).contains(&r) && !((10..=11).contains(&c) && (43..49).contains(&r));
        top || bottom
    };
    (0..80 * 80)
        .map(|i| if rail(i % 80, i / 80) { 0.9 } else { 0.2 })
        .collect()
}

fn spacing(row_mm: f64, col_mm: f64) -> PixelSpacing {
    PixelSpacing {
        row_mm,
        col_mm,
        source: SpacingSource::PixelSpacing,
    }
}

#[test]
fn the_gap_crossed_is_the_one_shorter_in_millimetres() {
    let values = rails();
    let rows_of = |row_mm: f64, col_mm: f64| -> (f64, f64) {
        let wire = LiveWire::new(&values, 80, 80, &spacing(row_mm, col_mm)).expect("cost map");
        let path = wire.path([10, 40], [70, 40]).expect("a path");
        assert_connected(&path);
        path.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p[1]), hi.max(p[1]))
            })
    };
    // Tall pixels: the 6-pixel gap along y is 18 mm, the one along x 6 mm: the top.
    let (top, bottom) = rows_of(3.0, 1.0);
    assert!(top <= 32.0 && bottom <= 41.0, "rows {top} to {bottom}");
    // Wide pixels: the other way round.
    let (top, bottom) = rows_of(1.0, 3.0);
    assert!(top >= 39.0 && bottom >= 49.0, "rows {top} to {bottom}");
}

#[test]
fn a_disc_round_in_millimetres_on_anisotropic_pixels() {
    // Rows 0.5 mm apart, columns 1 mm: a 30 mm disc is 60 pixels tall, 30 wide.
    let (cols, rows) = (80, 160);
    let inside = |c: usize, r: usize| {
        let (x, y) = ((c as f64 + 0.5 - 40.0) * 1.0, (r as f64 + 0.5 - 80.0) * 0.5);
        x.hypot(y) <= 30.0
    };
    let mut rng = Rng(7);
    let values: Vec<f32> = (0..cols * rows)
        .map(|i| {
            let base = if inside(i % cols, i / cols) { 0.7 } else { 0.3 };
            (base + 0.04 * (rng.unit() - 0.5)) as f32
        })
        .collect();
    let wire = LiveWire::new(&values, cols, rows, &spacing(0.5, 1.0)).expect("cost map");
    let anchors: Vec<[f64; 2]> = [0.0f64, 90.0, 180.0, 270.0]
        .map(|d| {
            let t = d.to_radians();
            [40.0 + 30.0 * t.cos(), 80.0 + 60.0 * t.sin()]
        })
        .to_vec();
    let ring = wire.wire_polygon(&anchors).expect("a polygon");
    let got =
        Region::of_ring(&ring, rows as u32, cols as u32).grid([0, 0, rows as u32, cols as u32]);
    let truth: Vec<bool> = (0..cols * rows)
        .map(|i| inside(i % cols, i / cols))
        .collect();
    let both = got.iter().zip(&truth).filter(|(g, t)| **g && **t).count();
    let total = got.iter().filter(|g| **g).count() + truth.iter().filter(|t| **t).count();
    let dice = 2.0 * both as f64 / total as f64;
    assert!(dice >= 0.95, "Dice {dice}");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let flat = vec![0.5f32; 50 * 40];
    assert!(matches!(
        LiveWire::new(&flat, 50, 41, &PixelSpacing::UNCALIBRATED),
        Err(LiveWireError::Size { .. })
    ));
    let wire = LiveWire::new(&flat, 50, 40, &PixelSpacing::UNCALIBRATED).expect("cost map");
    assert!(matches!(
        wire.path([0, 0], [50, 10]),
        Err(LiveWireError::Outside { .. })
    ));
    assert!(matches!(
        wire.path([0, 40], [5, 10]),
        Err(LiveWireError::Outside { .. })
    ));
    let e = wire
        .wire_polygon(&[[1.0, 1.0], [20.0, 5.0], [60.5, 30.0]])
        .expect_err("off the frame");
    assert!(e.to_string().contains("outside the frame"), "{e}");
    for bad in [[f64::NAN, 3.0], [-0.5, 3.0], [3.0, f64::INFINITY]] {
        assert!(matches!(
            wire.wire_polygon(&[[1.0, 1.0], [20.0, 5.0], bad]),
            Err(LiveWireError::Outside { .. })
        ));
    }
    assert!(matches!(
        wire.wire_polygon(&[[1.0, 1.0], [20.0, 5.0]]),
        Err(LiveWireError::TooFewAnchors(2))
    ));
    assert!(matches!(
        wire.wire_polygon(&[]),
        Err(LiveWireError::TooFewAnchors(0))
    ));
    // Three anchors on one line of a featureless frame: the wire runs there and back.
    let e = wire
        .wire_polygon(&[[5.5, 5.5], [15.5, 5.5], [25.5, 5.5]])
        .expect_err("no area");
    assert!(matches!(e, LiveWireError::Outline(_)), "{e}");
    // Padding (NaN) and values through a window are read without trouble.
    let mut padded = unit_values(&vec![100.0f32; 50 * 40], [0.0, 200.0]);
    padded[..200].fill(f32::NAN);
    let wire = LiveWire::new(&padded, 50, 40, &PixelSpacing::UNCALIBRATED).expect("cost map");
    assert_connected(&wire.path([2, 2], [40, 30]).expect("a path"));
}
