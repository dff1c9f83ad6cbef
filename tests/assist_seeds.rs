//! Grow from seeds against scikit-image's `random_walker` (solved exactly, mode
//! `bf`) on the same values and strokes: touching discs of different densities,
//! a square in noise, three labels, an anisotropic slab in 3-D. Also against the
//! truth the images were drawn from. Values go through a window to 0..1 first, as
//! the tool hands them over (β = 130 is meant for that scale).

mod common;

use common::Rng;
use lightbox::assist::seeds::{Grid, SeedsError, WalkerOptions, random_walker, unit_values};
use serde_json::{Value, json};

/// One case: values, seeds, the truth, and how the reference is asked.
struct Case {
    shape: [usize; 3],
    spacing: [f64; 3],
    beta: f64,
    values: Vec<f32>,
    seeds: Vec<u8>,
    truth: Vec<u8>,
}

/// A case from `truth(slice, row, col)` (a label from 1), its value per label, noise,
/// and seed strokes: pixels where `stroke` gives a label.
fn case(
    shape: [usize; 3],
    spacing: [f64; 3],
    noise: f64,
    value_of: &[f32],
    truth: impl Fn(usize, usize, usize) -> u8,
    stroke: impl Fn(usize, usize, usize) -> u8,
    rng: &mut Rng,
) -> Case {
    let n = shape[0] * shape[1] * shape[2];
    let at = |i: usize| {
        (
            i / (shape[1] * shape[2]),
            i / shape[2] % shape[1],
            i % shape[2],
        )
    };
    let truth: Vec<u8> = (0..n)
        .map(|i| {
            let (k, r, c) = at(i);
            truth(k, r, c)
        })
        .collect();
    let values: Vec<f32> = truth
        .iter()
        .map(|&t| value_of[usize::from(t) - 1] + (rng.range(-1.0, 1.0) * noise) as f32)
        .collect();
    // As the viewer hands them over: through a window to 0..1.
    let values = unit_values(&values, [-1024.0, 1024.0]);
    let seeds = (0..n)
        .map(|i| {
            let (k, r, c) = at(i);
            stroke(k, r, c)
        })
        .collect();
    Case {
        shape,
        spacing,
        beta: 130.0,
        values,
        seeds,
        truth,
    }
}

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x0005_eed5);
    let disc = |r: usize, c: usize, cr: f64, cc: f64, rad: f64| {
        (r as f64 - cr).powi(2) + (c as f64 - cc).powi(2) <= rad * rad
    };
    let mut out = Vec::new();
    // Two touching discs (nodule 60 HU on a vessel 40 HU) in lung; strokes in the
    // nodule (1) and in the lung (2).
    out.push(case(
        [1, 64, 64],
        [1.0, 0.7, 0.7],
        8.0,
        &[60.0, -820.0],
        |_, r, c| {
            if disc(r, c, 30.0, 30.0, 12.0) || disc(r, c, 30.0, 47.0, 6.0) {
                1
            } else {
                2
            }
        },
        |_, r, c| {
            if (r, c) == (30, 30) || (r, c) == (31, 30) {
                1
            } else if r == 3 || c == 3 {
                2
            } else {
                0
            }
        },
        &mut rng,
    ));
    // A square in noise, strokes as a short line inside and a frame around.
    out.push(case(
        [1, 48, 56],
        [1.0, 1.0, 1.0],
        30.0,
        &[400.0, 100.0],
        |_, r, c| {
            if (14..34).contains(&r) && (18..40).contains(&c) {
                1
            } else {
                2
            }
        },
        |_, r, c| {
            if r == 24 && (25..32).contains(&c) {
                1
            } else if r == 2 || r == 45 || c == 2 || c == 53 {
                2
            } else {
                0
            }
        },
        &mut rng,
    ));
    // Three labels: two discs and the background.
    out.push(case(
        [1, 50, 70],
        [1.0, 0.8, 0.8],
        10.0,
        &[300.0, 150.0, 0.0],
        |_, r, c| {
            if disc(r, c, 25.0, 20.0, 10.0) {
                1
            } else if disc(r, c, 25.0, 50.0, 12.0) {
                2
            } else {
                3
            }
        },
        |_, r, c| match (r, c) {
            (25, 20) => 1,
            (25, 50) => 2,
            (2, _) => 3,
            _ => 0,
        },
        &mut rng,
    ));
    // A slab of 5 slices, 2.5 mm apart, 0.7 mm pixels: a sphere in 3-D.
    out.push(case(
        [5, 32, 32],
        [2.5, 0.7, 0.7],
        5.0,
        &[50.0, -500.0],
        |k, r, c| {
            let (z, y, x) = (
                k as f64 * 2.5 - 5.0,
                (r as f64 - 16.0) * 0.7,
                (c as f64 - 16.0) * 0.7,
            );
            if z * z + y * y + x * x <= 36.0 { 1 } else { 2 }
        },
        |k, r, c| {
            if (1..=3).contains(&k) && (15..18).contains(&r) && (15..18).contains(&c) {
                1
            } else if r == 0 || r == 31 || c == 0 || c == 31 {
                2
            } else {
                0
            }
        },
        &mut rng,
    ));
    out
}

#[test]
fn labels_equal_scikit_images_random_walker() {
    let cases = cases();
    let input = json!({
        "cases": cases.iter().map(|c| json!({
            "shape": c.shape,
            "spacing": c.spacing,
            "beta": c.beta,
            "values": c.values,
            "seeds": c.seeds,
        })).collect::<Vec<Value>>()
    });
    let reference = common::python::reference_json("annotation", "assist/check_seeds.py", &input);
    let reference = reference["labels"].as_array().expect("labels");
    for (k, (c, want)) in cases.iter().zip(reference).enumerate() {
        let grid = Grid {
            values: &c.values,
            shape: c.shape,
            spacing: c.spacing,
        };
        let ours = random_walker(&grid, &c.seeds, &WalkerOptions::default()).expect("walks");
        let want: Vec<u8> = want
            .as_array()
            .expect("a map")
            .iter()
            .map(|v| v.as_u64().expect("a label") as u8)
            .collect();
        let same = ours.iter().zip(&want).filter(|(a, b)| a == b).count();
        let agree = same as f64 / ours.len() as f64;
        let truth =
            ours.iter().zip(&c.truth).filter(|(a, b)| a == b).count() as f64 / ours.len() as f64;
        assert!(
            agree >= 0.999,
            "case {k}: {agree} of the pixels as scikit-image"
        );
        assert!(truth >= 0.9, "case {k}: {truth} of the pixels as the truth");
    }
}

#[test]
fn one_label_or_a_wrong_size_is_refused() {
    let values = [0.0f32; 4];
    let grid = Grid {
        values: &values,
        shape: [1, 2, 2],
        spacing: [1.0; 3],
    };
    let o = WalkerOptions::default();
    assert_eq!(
        random_walker(&grid, &[1, 0, 0, 1], &o),
        Err(SeedsError::OneLabel)
    );
    assert_eq!(
        random_walker(&grid, &[1, 2], &o),
        Err(SeedsError::Size {
            seeds: 2,
            values: 4
        })
    );
}
