//! Annotation geometry against independent implementations: scikit-image's polygon
//! masks and shapely's (GEOS) areas, lengths, validity, buffers and `make_valid`.
//!
//! Hundreds of random rings (a fixed seed, so every run sees the same ones) — simple
//! star-shaped ones, spiky ones, and random point sets that mostly cross themselves —
//! with non-integer vertices (so no pixel centre lies exactly on an edge), on images of
//! varied sizes, often partly outside the image, and with varied (anisotropic) pixel
//! spacings. `tests/annotation/check_geometry.py` computes the references; this test
//! compares:
//!
//! - `raster::mask` with `skimage.draw.polygon2mask`, exactly, on every ring;
//! - `geometry::problems` reporting a self-intersection exactly when shapely says the
//!   polygon is not valid;
//! - `geometry::measure`'s area with shapely's (valid rings) or with the even-odd area
//!   of shapely's noded faces (others), its perimeter with shapely's length and its
//!   longest diameter with the brute-force largest vertex distance;
//! - `geometry::grow` (both signs) with shapely's `buffer(d, quad_segs=64)` (holes
//!   filled, as `grow` fills them), within 1 %;
//! - `geometry::repair`'s total area with shapely's `make_valid` area and its rings'
//!   union mask with the input's mask;
//! - that every ring `grow`, `repair` and `simplify` give is valid by shapely.
//!
//! The reference runs in the venv "annotation" (`target/annotation-venv`, or
//! `$LIGHTBOX_ANNOTATION_VENV`) with the pins of `tests/annotation/requirements.txt`;
//! without Python or PyPI on first use the test fails with the fix.

mod common;

use common::Rng;

use std::io::Write;
use std::process::{Command, Stdio};

use lightbox::annotate::{geometry, raster};
use lightbox::measure::{PixelSpacing, SpacingSource};
use serde_json::{Value, json};

/// Random rings compared; at least 500.
const CASES: usize = 600;

/// Relative tolerance of buffer areas: ours approximates arcs to 0.02 px, shapely's
/// with 64 segments a quarter turn.
const BUFFER_REL: f64 = 0.01;

struct Case {
    ring: Vec<[f64; 2]>,
    rows: u32,
    cols: u32,
    spacing: PixelSpacing,
    buffers: Vec<f64>,
}

fn make_case(rng: &mut Rng, k: usize) -> Case {
    let rows = 8 + rng.below(57) as u32;
    let cols = 8 + rng.below(57) as u32;
    let (w, h) = (f64::from(cols), f64::from(rows));
    let ring = match k % 4 {
        // Star-shaped around a centre, so simple: sorted angles, positive radii.
        // Kind 3 has very uneven radii (spikes and necks).
        0 | 1 | 3 => {
            let n = 3 + rng.below(22);
            let (cx, cy) = (rng.range(0.0, 1.0) * w, rng.range(0.0, 1.0) * h);
            let r_max = rng.range(2.0, 0.5 * w.min(h));
            let r_min = if k % 4 == 3 { 0.05 } else { 0.4 };
            let turn = rng.range(0.0, std::f64::consts::TAU);
            (0..n)
                .map(|i| {
                    let a =
                        turn + std::f64::consts::TAU * (i as f64 + rng.range(0.0, 0.9)) / n as f64;
                    let r = r_max * rng.range(r_min, 1.0);
                    [cx + r * a.cos(), cy + r * a.sin()]
                })
                .collect()
        }
        // Random points: mostly self-intersecting.
        _ => {
            let n = 4 + rng.below(9);
            (0..n)
                .map(|_| [rng.range(-0.25, 1.25) * w, rng.range(-0.25, 1.25) * h])
                .collect()
        }
    };
    let spacing = if k.is_multiple_of(5) {
        PixelSpacing::UNCALIBRATED
    } else {
        PixelSpacing {
            row_mm: rng.range(0.25, 2.0),
            col_mm: rng.range(0.25, 2.0),
            source: SpacingSource::PixelSpacing,
        }
    };
    let mean_mm = (spacing.row_mm + spacing.col_mm) / 2.0;
    let buffers = vec![
        rng.range(0.2, 4.0) * mean_mm,
        -rng.range(0.1, 2.0) * mean_mm,
    ];
    Case {
        ring,
        rows,
        cols,
        spacing,
        buffers,
    }
}

fn area_px(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum::<f64>()
        .abs()
        / 2.0
}

fn point_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let d = [b[0] - a[0], b[1] - a[1]];
    let l2 = d[0] * d[0] + d[1] * d[1];
    let t = if l2 > 0.0 {
        (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p[0] - a[0] - t * d[0]).hypot(p[1] - a[1] - t * d[1])
}

fn near_an_edge(ring: &[[f64; 2]], p: [f64; 2], eps: f64) -> bool {
    (0..ring.len()).any(|i| point_segment(p, ring[i], ring[(i + 1) % ring.len()]) <= eps)
}

fn mask_rows(mask: &[bool], cols: u32) -> Vec<String> {
    mask.chunks(cols as usize)
        .map(|r| r.iter().map(|b| if *b { '1' } else { '0' }).collect())
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
}

/// What Lightbox computes for one case.
struct Ours {
    mask: Vec<bool>,
    self_intersecting: bool,
    measured: lightbox::annotate::Measurements,
    grown: Vec<geometry::Morphed>,
    repaired: Vec<Vec<[f64; 2]>>,
    simplified: Vec<Vec<[f64; 2]>>,
}

fn ours(c: &Case) -> Ours {
    let problems = geometry::problems(&c.ring);
    let self_intersecting = problems
        .iter()
        .any(|p| matches!(p, geometry::RingProblem::SelfIntersection { .. }));
    let grown = if self_intersecting {
        Vec::new()
    } else {
        c.buffers
            .iter()
            .map(|d| geometry::grow(&c.ring, *d, &c.spacing).expect("grows"))
            .collect()
    };
    let simplified = if self_intersecting {
        Vec::new()
    } else {
        let tol = (c.spacing.row_mm + c.spacing.col_mm) / 2.0;
        [
            geometry::SimplifyMethod::RamerDouglasPeucker,
            geometry::SimplifyMethod::VisvalingamWhyatt,
        ]
        .into_iter()
        .map(|m| geometry::simplify(&c.ring, tol, &c.spacing, m).expect("simplifies"))
        .collect()
    };
    Ours {
        mask: raster::mask(&c.ring, c.rows, c.cols),
        self_intersecting,
        measured: geometry::measure(&c.ring, &c.spacing, None).expect("measures"),
        grown,
        repaired: geometry::repair(&c.ring),
        simplified,
    }
}

fn reference(cases: &[Case], checks: &[Vec<Vec<[f64; 2]>>]) -> Vec<Value> {
    let python = common::python::venv("annotation");
    let input = json!({
        "cases": cases.iter().zip(checks).map(|(c, check)| json!({
            "ring": c.ring,
            "rows": c.rows,
            "cols": c.cols,
            "spacing": if c.spacing.is_calibrated() {
                [c.spacing.row_mm, c.spacing.col_mm]
            } else {
                [1.0, 1.0]
            },
            "buffers": c.buffers,
            "check": check,
        })).collect::<Vec<_>>()
    });
    let script = common::repo().join("tests/annotation/check_geometry.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e}", python.display()));
    let mut stdin = child.stdin.take().expect("stdin");
    let text = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("the reference script runs");
    writer.join().expect("writer").expect("write the cases");
    common::python::require_success(&out, "check_geometry.py", "see its error above");
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("the script prints JSON");
    parsed["results"].as_array().expect("results").clone()
}

#[test]
fn geometry_matches_scikit_image_and_shapely() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let cases: Vec<Case> = (0..CASES).map(|k| make_case(&mut rng, k)).collect();
    let ours: Vec<Ours> = cases.iter().map(ours).collect();
    // Every ring we produce goes back to shapely for a validity check.
    let checks: Vec<Vec<Vec<[f64; 2]>>> = ours
        .iter()
        .map(|o| {
            o.grown
                .iter()
                .flat_map(|g| g.rings.iter().cloned())
                .chain(o.repaired.iter().cloned())
                .chain(o.simplified.iter().cloned())
                .collect()
        })
        .collect();
    let refs = reference(&cases, &checks);
    assert_eq!(refs.len(), cases.len());

    let mut failures: Vec<String> = Vec::new();
    let mut fail = |k: usize, what: String| failures.push(format!("case {k}: {what}"));
    let (mut n_valid, mut n_invalid, mut n_clipped, mut n_split, mut n_gone) = (0, 0, 0, 0, 0);
    let mut worst_buffer = 0.0f64;
    let mut near_edge_pixels = 0usize;
    for (k, ((c, o), r)) in cases.iter().zip(&ours).zip(&refs).enumerate() {
        let f = |key: &str| r[key].as_f64().unwrap_or(f64::NAN);
        let (sx, sy) = if c.spacing.is_calibrated() {
            (c.spacing.col_mm, c.spacing.row_mm)
        } else {
            (1.0, 1.0)
        };
        // Masks, exactly.
        let sk: Vec<String> = r["mask"]
            .as_array()
            .expect("mask")
            .iter()
            .map(|v| v.as_str().expect("row").to_owned())
            .collect();
        if mask_rows(&o.mask, c.cols) != sk {
            fail(k, format!("mask differs from skimage's for {:?}", c.ring));
        }
        if c.ring.iter().any(|p| {
            p[0] < 0.0 || p[1] < 0.0 || p[0] > f64::from(c.cols) || p[1] > f64::from(c.rows)
        }) {
            n_clipped += 1;
        }
        // Validity.
        let valid = r["valid"].as_bool().expect("valid");
        if valid == o.self_intersecting {
            fail(
                k,
                format!(
                    "problems() says self-intersecting = {}, shapely: {}",
                    o.self_intersecting, r["reason"]
                ),
            );
        }
        // Area, perimeter, diameter.
        let m = &o.measured;
        if valid {
            n_valid += 1;
            if rel(m.area, f("area")) > 1e-9 {
                fail(k, format!("area {} vs shapely {}", m.area, f("area")));
            }
        } else {
            n_invalid += 1;
            let want = f("even_odd_area") * sx * sy;
            if rel(m.area, want) > 1e-6 {
                fail(
                    k,
                    format!("even-odd area {} vs shapely faces {want}", m.area),
                );
            }
        }
        if rel(m.perimeter, f("length")) > 1e-9 {
            fail(
                k,
                format!("perimeter {} vs shapely {}", m.perimeter, f("length")),
            );
        }
        if rel(m.longest_diameter, f("diameter")) > 1e-12 {
            fail(
                k,
                format!("diameter {} vs {}", m.longest_diameter, f("diameter")),
            );
        }
        // Grow and shrink.
        for (g, (d, want)) in o.grown.iter().zip(
            c.buffers
                .iter()
                .zip(r["buffers"].as_array().expect("buffers")),
        ) {
            let want = want.as_f64().expect("a valid ring's buffer area");
            let got: f64 = g.rings.iter().map(|r| area_px(r)).sum::<f64>() * sx * sy;
            if g.rings.len() > 1 {
                n_split += 1;
            }
            if g.rings.is_empty() {
                n_gone += 1;
            }
            // Our arcs' vertices lie on the true arcs, so each arc's chords are off by
            // at most the arc error over its length: at most that times the
            // perimeter in all. It dominates only for shrinks that nearly vanish.
            let arc_mm = geometry::ARC_ERROR_PX * sx.min(sy);
            let perimeter: f64 = g
                .rings
                .iter()
                .filter_map(|r| geometry::measure(r, &c.spacing, None))
                .map(|m| m.perimeter)
                .sum();
            if want > 25.0 * sx * sy {
                worst_buffer = worst_buffer.max(rel(got, want));
            }
            if (got - want).abs() > BUFFER_REL * want + arc_mm * perimeter {
                fail(k, format!("buffer {d} mm: area {got} vs shapely {want}"));
            }
        }
        // Repair: same area as make_valid, same mask as the input, no overlaps.
        let repaired: f64 = o.repaired.iter().map(|r| area_px(r)).sum();
        let want = f("make_valid_area");
        if (repaired - want).abs() > 1e-6 * want.max(1.0) {
            fail(k, format!("repair area {repaired} vs make_valid {want}"));
        }
        let mut union = vec![false; o.mask.len()];
        for ring in &o.repaired {
            for (i, inside) in raster::mask(ring, c.rows, c.cols).into_iter().enumerate() {
                if inside && union[i] {
                    fail(k, format!("repaired rings overlap at pixel {i}"));
                }
                union[i] |= inside;
            }
        }
        for (i, (a, b)) in union.iter().zip(&o.mask).enumerate() {
            if a != b {
                let centre = [
                    (i % c.cols as usize) as f64 + 0.5,
                    (i / c.cols as usize) as f64 + 0.5,
                ];
                if near_an_edge(&c.ring, centre, 1e-6) {
                    near_edge_pixels += 1;
                } else {
                    fail(k, format!("repaired mask differs at {centre:?}"));
                }
            }
        }
        // Everything we made is valid by shapely.
        for (ring, ok) in checks[k].iter().zip(r["check"].as_array().expect("check")) {
            if ok.as_bool() != Some(true) {
                fail(
                    k,
                    format!("shapely finds our output ring invalid: {ring:?}"),
                );
            }
        }
    }
    println!(
        "{CASES} rings: {n_valid} valid, {n_invalid} self-intersecting, {n_clipped} partly outside; \
         shrinks split {n_split}, removed {n_gone}; worst buffer area error over 25 px² {:.3} %; \
         repaired-mask pixels within 1e-6 px of an edge: {near_edge_pixels}",
        worst_buffer * 100.0
    );
    assert!(
        failures.is_empty(),
        "{} failures, the first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The generator must cover what it claims to.
    assert!(
        n_valid >= 200 && n_invalid >= 50 && n_clipped >= 100,
        "coverage"
    );
    assert!(n_split >= 5 && n_gone >= 5, "shrinks that split and vanish");
}
