//! Shape-based interpolation (`assist::interpolate`) against truth made here.
//!
//! - Solids sampled on slices at a known spacing: a sphere, an ellipsoid, and a
//!   shifted ellipsoid tilted out of the slice plane. Every 4th slice is a key frame,
//!   rasterised from the solid's exact cross-section (a pixel is inside when its
//!   centre is inside the solid); every slice between two non-empty keys is compared
//!   with its own exact cross-section by Dice.
//! - Hand cases: identical squares give the same square at every fraction; a square
//!   shrinking to a concentric one is the mid-size square at one half, within a pixel.
//! - `interpolated_shapes` end to end on hand-made frames and shapes: which frames
//!   get shapes, their provenance and ids, key frames untouched, the shapes' pixels
//!   those of `between`.

use lightbox::agreement::region::Region;
use lightbox::annotate::shape::{Grade, Shape, ShapeImage, ShapeKind};
use lightbox::assist::interpolate::{
    FrameSlot, SOURCE, between, interpolate_series, interpolated_shapes,
};
use lightbox::measure::{PixelSpacing, SpacingSource};

const ROWS: usize = 128;
const COLS: usize = 112;

/// A solid: centre (mm), semi-axes (mm), and a tilt about the x axis (radians).
struct Solid {
    centre: [f64; 3],
    axes: [f64; 3],
    tilt: f64,
}

impl Solid {
    fn contains(&self, p: [f64; 3]) -> bool {
        let d = [
            p[0] - self.centre[0],
            p[1] - self.centre[1],
            p[2] - self.centre[2],
        ];
        let (s, c) = self.tilt.sin_cos();
        let q = [d[0], c * d[1] + s * d[2], -s * d[1] + c * d[2]];
        (0..3).map(|i| (q[i] / self.axes[i]).powi(2)).sum::<f64>() <= 1.0
    }

    /// The exact cross-section at `z` mm, with `pixel` = [row step, column step].
    fn slice(&self, z: f64, pixel: [f64; 2]) -> Vec<bool> {
        (0..ROWS * COLS)
            .map(|i| {
                let x = ((i % COLS) as f64 + 0.5) * pixel[1];
                let y = ((i / COLS) as f64 + 0.5) * pixel[0];
                self.contains([x, y, z])
            })
            .collect()
    }
}

fn dice(a: &[bool], b: &[bool]) -> f64 {
    let both = a.iter().zip(b).filter(|(x, y)| **x && **y).count();
    let sizes = a.iter().chain(b).filter(|x| **x).count();
    if sizes == 0 {
        1.0
    } else {
        2.0 * both as f64 / sizes as f64
    }
}

/// Mean and worst Dice of the interpolated slices of `solid` (keys every 4th slice)
/// against their exact cross-sections, and how many slices were compared.
fn interpolate_solid(solid: &Solid, slices: usize, dz: f64, pixel: [f64; 2]) -> (f64, f64, usize) {
    let truth: Vec<Vec<bool>> = (0..slices)
        .map(|k| solid.slice(k as f64 * dz, pixel))
        .collect();
    let positions: Vec<Option<f64>> = (0..slices).map(|k| Some(k as f64 * dz)).collect();
    let keys: Vec<(usize, &[bool])> = (0..slices)
        .step_by(4)
        .map(|k| (k, truth[k].as_slice()))
        .collect();
    let out = interpolate_series(&keys, &positions, ROWS, COLS, pixel);
    let non_empty: Vec<usize> = keys
        .iter()
        .filter(|(_, m)| m.contains(&true))
        .map(|k| k.0)
        .collect();
    let (first, last) = (non_empty[0], non_empty[non_empty.len() - 1]);
    let mut scores = Vec::new();
    for s in (first + 1..last).filter(|s| s % 4 != 0) {
        let got = out.iter().find(|(k, _)| *k == s).map(|(_, m)| m.as_slice());
        let got = got.unwrap_or(&[]);
        let empty = vec![false; ROWS * COLS];
        scores.push(dice(if got.is_empty() { &empty } else { got }, &truth[s]));
    }
    assert!(
        out.iter()
            .all(|(s, _)| (first + 1..last).contains(s) && s % 4 != 0)
    );
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    let worst = scores.iter().copied().fold(1.0, f64::min);
    (mean, worst, scores.len())
}

#[test]
fn solids_between_key_frames_match_their_cross_sections() {
    let cases = [
        (
            "sphere",
            Solid {
                centre: [40.0, 45.0, 30.0],
                axes: [25.0, 25.0, 25.0],
                tilt: 0.0,
            },
            [0.75, 0.75],
        ),
        (
            "ellipsoid",
            Solid {
                centre: [39.0, 44.0, 31.0],
                axes: [30.0, 18.0, 24.0],
                tilt: 0.0,
            },
            [0.7, 0.8],
        ),
        (
            "shifted tilted ellipsoid",
            Solid {
                centre: [33.0, 52.0, 28.0],
                axes: [20.0, 26.0, 14.0],
                tilt: 0.5,
            },
            [0.75, 0.7],
        ),
    ];
    for (name, solid, pixel) in cases {
        let (mean, worst, n) = interpolate_solid(&solid, 31, 2.0, pixel);
        println!("{name}: mean Dice {mean:.4}, worst {worst:.4} over {n} slices");
        assert!(mean >= 0.9, "{name}: mean Dice {mean}");
    }
}

fn square(lo: usize, hi: usize) -> Vec<bool> {
    (0..ROWS * COLS)
        .map(|i| (lo..hi).contains(&(i / COLS)) && (lo..hi).contains(&(i % COLS)))
        .collect()
}

#[test]
fn identical_squares_stay_and_a_shrinking_square_passes_the_mid_size() {
    let a = square(20, 50);
    for t in [0.1, 0.25, 0.5, 0.75, 0.9] {
        assert_eq!(between(&a, &a, ROWS, COLS, [0.8, 0.8], t), a, "t = {t}");
    }
    // Sides 20 (pixels 10..30) and 10 (15..25): at one half, 15 (12.5..27.5).
    let (big, small) = (square(10, 30), square(15, 25));
    let mid = between(&big, &small, ROWS, COLS, [1.0, 1.0], 0.5);
    let (outer, inner) = (square(12, 28), square(13, 27));
    for i in 0..ROWS * COLS {
        assert!(
            !mid[i] || outer[i],
            "pixel {i} outside the square of side 16"
        );
        assert!(
            !inner[i] || mid[i],
            "pixel {i} of the square of side 14 missing"
        );
    }
    // The other way round, and with the keys swapped, the same.
    assert_eq!(between(&small, &big, ROWS, COLS, [1.0, 1.0], 0.5), mid);
    let keys: [(usize, &[bool]); 2] = [(0, &big), (2, &small)];
    assert_eq!(
        interpolate_series(&keys, &[], ROWS, COLS, [1.0, 1.0]),
        [(1, mid)]
    );
}

fn slot(k: usize, size: u32) -> FrameSlot {
    FrameSlot {
        image: ShapeImage {
            study_uid: "1.2".into(),
            series_uid: "1.2.3".into(),
            sop_uid: format!("1.2.3.{k}"),
            file_name: format!("IM{k:04}"),
            frame: 1,
        },
        rows: size,
        cols: size,
        spacing: PixelSpacing {
            row_mm: 0.5,
            col_mm: 0.5,
            source: SpacingSource::PixelSpacing,
        },
        position_mm: Some(2.5 * k as f64),
    }
}

fn drawn(frames: &[FrameSlot], k: usize, label: &str, who: &str, ring: Vec<[f64; 2]>) -> Shape {
    Shape {
        id: format!("{who}-{k}-{label}"),
        kind: if ring.len() == 1 {
            ShapeKind::Point
        } else {
            ShapeKind::Polygon
        },
        label: label.into(),
        image: frames[k].image.clone(),
        points: ring,
        grade: Grade::High,
        score: None,
        source: None,
        source_parameters: serde_json::Map::new(),
        note: String::new(),
        annotator: who.into(),
        created: "2026-01-01T00:00:00Z".into(),
        modified: "2026-01-01T00:00:00Z".into(),
    }
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
    vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
}

fn circle(cx: f64, cy: f64, r: f64) -> Vec<[f64; 2]> {
    (0..64)
        .map(|k| {
            let a = std::f64::consts::TAU * f64::from(k) / 64.0;
            [cx + r * a.cos(), cy + r * a.sin()]
        })
        .collect()
}

fn grid(ring: &[[f64; 2]], size: u32) -> Vec<bool> {
    Region::of_ring(ring, size, size).grid([0, 0, size, size])
}

#[test]
fn interpolated_shapes_fill_the_gaps_with_provenance() {
    let mut frames: Vec<FrameSlot> = (0..9).map(|k| slot(k, 64)).collect();
    frames[8] = slot(8, 32); // a gap across a frame of another size is skipped
    let keys = vec![
        drawn(&frames, 0, "nodule", "ann", rect(10.0, 10.0, 40.0, 40.0)),
        drawn(&frames, 4, "nodule", "ann", circle(30.0, 30.0, 8.0)),
        drawn(&frames, 6, "nodule", "ann", vec![[30.0, 30.0]]), // a point: an empty key
        drawn(&frames, 7, "nodule", "ann", rect(20.0, 20.0, 40.0, 40.0)),
        drawn(&frames, 1, "cyst", "ann", rect(5.0, 5.0, 15.0, 15.0)),
        drawn(&frames, 1, "cyst", "ann", rect(15.0, 5.0, 25.0, 15.0)),
        drawn(&frames, 3, "cyst", "ann", rect(5.0, 5.0, 25.0, 25.0)),
        drawn(&frames, 5, "cyst", "ann", rect(-30.0, 5.0, -10.0, 25.0)), // off the frame
        drawn(&frames, 7, "cyst", "ann", rect(5.0, 5.0, 25.0, 25.0)),
        drawn(&frames, 2, "nodule", "bob", rect(10.0, 10.0, 40.0, 40.0)),
        drawn(&frames, 8, "nodule", "bob", rect(10.0, 10.0, 20.0, 20.0)),
    ];
    let refs: Vec<&Shape> = keys.iter().collect();
    let out = interpolated_shapes(&refs, &frames);
    let on = |label: &str, who: &str| -> Vec<(String, Vec<u64>)> {
        out.iter()
            .filter(|s| s.label == label && s.annotator == who)
            .map(|s| {
                let kf = s.source_parameters["key_frames"].as_array().expect("keys");
                (
                    s.image.sop_uid.clone(),
                    kf.iter().filter_map(|v| v.as_u64()).collect(),
                )
            })
            .collect()
    };
    let nodule: Vec<(String, Vec<u64>)> =
        (1..4).map(|k| (format!("1.2.3.{k}"), vec![1, 5])).collect();
    assert_eq!(on("nodule", "ann"), nodule);
    assert_eq!(on("cyst", "ann"), [("1.2.3.2".to_owned(), vec![2, 4])]);
    assert!(on("nodule", "bob").is_empty());
    for s in &out {
        assert_eq!(s.kind, ShapeKind::Polygon);
        assert_eq!((s.grade, s.score, s.note.as_str()), (Grade::None, None, ""));
        assert_eq!(s.source.as_deref(), Some(SOURCE));
        assert!(s.created.is_empty() && s.modified.is_empty());
        assert!(s.id.starts_with("interpolated:") && !keys.iter().any(|k| k.id == s.id));
    }
    let mut ids: Vec<&str> = out.iter().map(|s| s.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), out.len(), "ids are unique");
    assert_eq!(
        interpolated_shapes(&refs, &frames),
        out,
        "and the same every run"
    );

    // The middle nodule's pixels are those of `between` at one half.
    let mid = out
        .iter()
        .find(|s| s.label == "nodule" && s.image.sop_uid == "1.2.3.2")
        .expect("mid nodule");
    let want = between(
        &grid(&keys[0].points, 64),
        &grid(&keys[1].points, 64),
        64,
        64,
        [0.5, 0.5],
        0.5,
    );
    let d = dice(&grid(&mid.points, 64), &want);
    assert!(d >= 0.97, "Dice {d}");
}

#[test]
#[ignore = "timing: run with --release --ignored --nocapture"]
fn twenty_frames_of_512_squared() {
    let frames: Vec<FrameSlot> = (0..20).map(|k| slot(k, 512)).collect();
    let keys: Vec<Shape> = [0, 4, 8, 12, 16, 19]
        .into_iter()
        .map(|k| {
            let r = 60.0 + 8.0 * k as f64;
            drawn(
                &frames,
                k,
                "liver",
                "ann",
                circle(256.0 + k as f64, 250.0, r),
            )
        })
        .collect();
    let refs: Vec<&Shape> = keys.iter().collect();
    let start = std::time::Instant::now();
    let out = interpolated_shapes(&refs, &frames);
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{} shapes on 14 frames of 512 x 512 in {ms:.1} ms",
        out.len()
    );
    assert_eq!(out.len(), 14);
}
