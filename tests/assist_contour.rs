//! `assist::contour` against the one inclusion rule and an independent implementation.
//!
//! - With no simplification, the rings' pixels by the centre rule (`Region::of_ring`,
//!   union over rings) are exactly the mask with its holes filled, every ring is
//!   simple (`geometry::problems`), and the rings share no pixel: on random noise (many
//!   components, diagonal contacts, the frame's edges), random blobs with and without
//!   holes, and masks by hand (single pixels, a checkerboard, a full frame). The same
//!   holds with the corners cut through the pixel edges' midpoints (a tiny tolerance,
//!   which drops only collinear points), the ring a tolerance simplifies.
//! - The filled masks equal scipy's `binary_fill_holes`, the ring count scikit-image's
//!   `label(connectivity=1)` component count, and each ring's pixel count that
//!   component's area in label order (`tests/assist/check_contour.py`, run in the venv
//!   "annotation" with the pins of `tests/annotation/requirements.txt`).
//! - Simplified by half a pixel, blobs of radius 10 px or more keep a Dice of at least
//!   0.97 with their mask, and their rings stay simple.

mod common;

use common::Rng;

use lightbox::agreement::region::Region;
use lightbox::annotate::geometry;
use lightbox::annotate::raster;
use lightbox::assist::contour::{fill_holes, rings};
use lightbox::measure::{PixelSpacing, SpacingSource};
use serde_json::json;

struct Case {
    rows: usize,
    cols: usize,
    mask: Vec<bool>,
}

fn noise(rng: &mut Rng) -> Case {
    let (rows, cols) = (1 + rng.below(40), 1 + rng.below(40));
    let density = rng.range(0.2, 0.7);
    let mask = (0..rows * cols).map(|_| rng.unit() < density).collect();
    Case { rows, cols, mask }
}

/// Star blobs, some with a star-shaped hole cut out; centres at least `margin` from
/// the frame's edge (blobs cross it when the margin is under their radius).
fn blobs(rng: &mut Rng, radius: (f64, f64), margin: f64) -> Case {
    let (rows, cols) = (40 + rng.below(80), 40 + rng.below(80));
    let (rows, cols) = (rows.max(3 * margin as usize), cols.max(3 * margin as usize));
    let mut mask = vec![false; rows * cols];
    for _ in 0..1 + rng.below(3) {
        let centre = [
            rng.range(margin, cols as f64 - margin),
            rng.range(margin, rows as f64 - margin),
        ];
        let n = 5 + rng.below(12);
        let star = rng.star(centre, radius, n);
        let hole = rng.star(centre, (radius.0 * 0.2, radius.0 * 0.5), 7);
        let outer = raster::mask(&star, rows as u32, cols as u32);
        let inner = raster::mask(&hole, rows as u32, cols as u32);
        let cut = rng.below(2) == 0;
        for (i, m) in mask.iter_mut().enumerate() {
            *m |= outer[i] && !(cut && inner[i]);
        }
    }
    Case { rows, cols, mask }
}

fn by_hand() -> Vec<Case> {
    let case = |rows: usize, cols: usize, f: &dyn Fn(usize, usize) -> bool| Case {
        rows,
        cols,
        mask: (0..rows * cols).map(|i| f(i / cols, i % cols)).collect(),
    };
    vec![
        case(1, 1, &|_, _| true),
        case(5, 7, &|r, c| r == 2 && c == 3),
        case(6, 6, &|r, c| (r + c) % 2 == 0),
        case(9, 4, &|_, _| true),
        case(8, 8, &|r, c| {
            (1..7).contains(&r) && (1..7).contains(&c) && (r, c) != (3, 3)
        }),
        case(5, 5, &|r, c| r == c || r + c == 4),
        case(4, 4, &|r, c| r == 0 || c == 3),
        case(3, 3, &|_, _| false),
    ]
}

/// The pixels of each ring, and of their union.
fn covered(rings: &[Vec<[f64; 2]>], rows: usize, cols: usize) -> (Vec<u64>, Vec<bool>) {
    let regions: Vec<Region> = rings
        .iter()
        .map(|r| Region::of_ring(r, rows as u32, cols as u32))
        .collect();
    let union = regions
        .iter()
        .fold(Region::default(), |acc, r| acc.union(r));
    let areas = regions.iter().map(Region::area).collect();
    (areas, union.grid([0, 0, rows as u32, cols as u32]))
}

fn filled(c: &Case) -> Vec<bool> {
    let mut m = c.mask.clone();
    fill_holes(&mut m, c.rows, c.cols);
    m
}

#[test]
fn rings_give_back_the_filled_mask_and_match_scikit_image() {
    let mut rng = Rng(0x15c0_4a70);
    let mut cases = by_hand();
    cases.extend((0..150).map(|_| noise(&mut rng)));
    cases.extend((0..60).map(|_| blobs(&mut rng, (3.0, 25.0), 0.0)));
    let mut ours = Vec::new();
    for (k, c) in cases.iter().enumerate() {
        let out = rings(&c.mask, c.rows, c.cols, 0.0, &PixelSpacing::UNCALIBRATED);
        for ring in &out {
            assert!(geometry::problems(ring).is_empty(), "case {k}: {ring:?}");
        }
        let (areas, union) = covered(&out, c.rows, c.cols);
        let want = filled(c);
        assert_eq!(union, want, "case {k}");
        // Cut corners (what a tolerance simplifies) hold the same pixel centres.
        let cut = rings(&c.mask, c.rows, c.cols, 1e-9, &PixelSpacing::UNCALIBRATED);
        for ring in &cut {
            assert!(geometry::problems(ring).is_empty(), "case {k}: {ring:?}");
        }
        assert_eq!(
            covered(&cut, c.rows, c.cols).1,
            want,
            "case {k}, corners cut"
        );
        let n = want.iter().filter(|b| **b).count() as u64;
        assert_eq!(areas.iter().sum::<u64>(), n, "case {k}: rings overlap");
        ours.push((want, areas));
    }
    let input = json!({
        "cases": cases.iter().map(|c| json!({
            "rows": c.rows,
            "cols": c.cols,
            "mask": c.mask.iter().map(|b| u8::from(*b)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()
    });
    let reference = common::python::reference_json("annotation", "assist/check_contour.py", &input);
    let results = reference["results"].as_array().expect("results");
    assert_eq!(results.len(), ours.len());
    for (k, ((want, areas), r)) in ours.iter().zip(results).enumerate() {
        let scipy: Vec<bool> = r["filled"]
            .as_array()
            .expect("filled")
            .iter()
            .map(|v| v.as_u64() == Some(1))
            .collect();
        assert_eq!(&scipy, want, "case {k}: fill_holes differs from scipy");
        let skimage: Vec<u64> = r["areas"]
            .as_array()
            .expect("areas")
            .iter()
            .filter_map(|v| v.as_u64())
            .collect();
        assert_eq!(&skimage, areas, "case {k}: components differ from skimage");
    }
}

#[test]
fn half_a_pixel_of_simplification_keeps_blobs() {
    let mut rng = Rng(0xd1ce_0097);
    let anisotropic = PixelSpacing {
        row_mm: 0.8,
        col_mm: 0.6,
        source: SpacingSource::PixelSpacing,
    };
    let (mut worst, mut before, mut after) = (1.0f64, 0usize, 0usize);
    for k in 0..60 {
        let c = blobs(&mut rng, (10.0, 30.0), 30.0);
        let (spacing, tolerance) = if k % 2 == 0 {
            (PixelSpacing::UNCALIBRATED, 0.5)
        } else {
            (anisotropic, 0.3)
        };
        let exact = rings(&c.mask, c.rows, c.cols, 0.0, &spacing);
        let out = rings(&c.mask, c.rows, c.cols, tolerance, &spacing);
        assert_eq!(out.len(), exact.len(), "case {k}");
        for ring in &out {
            assert!(geometry::problems(ring).is_empty(), "case {k}: {ring:?}");
        }
        before += exact.iter().map(Vec::len).sum::<usize>();
        after += out.iter().map(Vec::len).sum::<usize>();
        let want = filled(&c);
        let (_, got) = covered(&out, c.rows, c.cols);
        let both = want.iter().zip(&got).filter(|(a, b)| **a && **b).count();
        let sizes = want.iter().filter(|b| **b).count() + got.iter().filter(|b| **b).count();
        let dice = 2.0 * both as f64 / sizes as f64;
        worst = worst.min(dice);
        assert!(dice >= 0.97, "case {k}: Dice {dice}");
    }
    println!("worst Dice {worst:.4}; vertices {before} -> {after}");
    assert!(
        after * 2 < before,
        "simplification kept {after} of {before}"
    );
}

#[test]
#[ignore = "timing: run with --release --ignored --nocapture"]
fn a_disc_of_radius_100_on_512_squared() {
    let (rows, cols) = (512, 512);
    let mask: Vec<bool> = (0..rows * cols)
        .map(|i| {
            let (x, y) = (
                (i % cols) as f64 + 0.5 - 256.0,
                (i / cols) as f64 + 0.5 - 256.0,
            );
            x * x + y * y <= 100.0 * 100.0
        })
        .collect();
    for tolerance in [0.0, 0.5] {
        let start = std::time::Instant::now();
        let runs = 20;
        for _ in 0..runs {
            let out = rings(&mask, rows, cols, tolerance, &PixelSpacing::UNCALIBRATED);
            assert_eq!(out.len(), 1);
        }
        let per = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
        println!("tolerance {tolerance}: {per:.2} ms per 512 x 512 disc");
    }
}
