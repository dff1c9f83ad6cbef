//! The agreement metrics against MedPy (`medpy.metric.binary`: `dc`, `jc`, `hd`,
//! `hd95`, `assd`) on the same masks: random polygons on random frames with
//! anisotropic spacing, shapes cut by the frame's edge, identical, disjoint and
//! one-pixel masks. Ours are computed from the shapes' spans over the masks' bounding
//! box; MedPy sees the whole frame.

mod common;

use common::Rng;

use lightbox::agreement::mask_agreement;
use lightbox::agreement::region::Region;
use serde_json::{Value, json};

/// One case: two masks on a frame, and the spacing.
struct Case {
    rows: u32,
    cols: u32,
    spacing: [f64; 2],
    a: Region,
    b: Region,
}

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x1858_2022);
    let mut out = Vec::new();
    for k in 0..80 {
        let rows = rng.range(12.0, 90.0) as u32;
        let cols = rng.range(12.0, 90.0) as u32;
        let spacing = [rng.range(0.2, 2.5), rng.range(0.2, 2.5)];
        let size = f64::from(rows.min(cols));
        let centre = |rng: &mut Rng| {
            [
                rng.range(0.0, f64::from(cols)),
                rng.range(0.0, f64::from(rows)),
            ]
        };
        let at = centre(&mut rng);
        let a_ring = rng.star(at, (size * 0.1, size * 0.45), 3 + k % 9);
        let b_ring = match k % 8 {
            // The same shape: every distance 0.
            0 => a_ring.clone(),
            // A copy shifted by a few pixels: overlapping.
            1..=3 => {
                let (dx, dy) = (rng.range(-4.0, 4.0), rng.range(-4.0, 4.0));
                a_ring.iter().map(|p| [p[0] + dx, p[1] + dy]).collect()
            }
            // Anywhere: often disjoint.
            _ => {
                let at = centre(&mut rng);
                rng.star(at, (size * 0.05, size * 0.4), 3 + k % 7)
            }
        };
        out.push(Case {
            rows,
            cols,
            spacing,
            a: Region::of_ring(&a_ring, rows, cols),
            b: Region::of_ring(&b_ring, rows, cols),
        });
    }
    // One pixel each, far apart; and a mask against an empty one.
    let one = |x: f64, y: f64| {
        Region::of_ring(
            &[[x, y], [x + 1.0, y], [x + 1.0, y + 1.0], [x, y + 1.0]],
            20,
            30,
        )
    };
    out.push(Case {
        rows: 20,
        cols: 30,
        spacing: [0.7, 1.3],
        a: one(2.0, 3.0),
        b: one(25.0, 17.0),
    });
    out.push(Case {
        rows: 20,
        cols: 30,
        spacing: [1.0, 1.0],
        a: one(2.0, 3.0),
        b: Region::default(),
    });
    out
}

/// The flat indices of a region's pixels on the whole frame.
fn indices(r: &Region, rows: u32, cols: u32) -> Vec<usize> {
    r.grid([0, 0, rows, cols])
        .iter()
        .enumerate()
        .filter(|(_, inside)| **inside)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn dice_jaccard_and_surface_distances_equal_medpy() {
    let cases = cases();
    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "rows": c.rows,
                "cols": c.cols,
                "spacing": c.spacing,
                "a": indices(&c.a, c.rows, c.cols),
                "b": indices(&c.b, c.rows, c.cols),
            })
        })
        .collect();
    let medpy = common::python::reference_json(
        "agreement",
        "agreement/check_surface.py",
        &Value::Array(input),
    );
    let medpy = medpy.as_array().expect("MedPy's list");
    assert_eq!(medpy.len(), cases.len());
    let (mut overlapping, mut distances) = (0, 0);
    for (k, (c, want)) in cases.iter().zip(medpy).enumerate() {
        let ours = mask_agreement(&c.a, &c.b, c.spacing);
        let close = |got: f64, key: &str| {
            let w = want[key]
                .as_f64()
                .unwrap_or_else(|| panic!("case {k}: MedPy's {key}"));
            assert!(
                (got - w).abs() <= 1e-9 * w.abs().max(1.0),
                "case {k}: {key} {got} vs MedPy {w}"
            );
        };
        close(ours.dice, "dice");
        close(ours.jaccard, "jaccard");
        overlapping += usize::from(ours.dice > 0.0 && ours.dice < 1.0);
        match ours.surface {
            Some(d) => {
                close(d.hd, "hd");
                close(d.hd95, "hd95");
                close(d.assd, "assd");
                distances += 1;
            }
            None => assert!(
                want.get("hd").is_none(),
                "case {k}: MedPy has distances, we none"
            ),
        }
    }
    // Not vacuous: partial overlaps and distances were compared.
    assert!(
        overlapping >= 20 && distances >= 60,
        "{overlapping} overlaps, {distances} distances"
    );
}
