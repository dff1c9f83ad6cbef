//! Scored findings (`agreement::scored`): AP against pycocotools' `COCOeval` and ROC
//! against scikit-learn on random cases, and hand-worked matching, AP, FROC and ROC.
//!
//! The COCO cases use whole-pixel axis-aligned rectangles: their centre-rule pixel masks
//! are exactly the boxes, so our mask IoU is COCO's box IoU, to the last bit.

mod common;

use std::sync::OnceLock;
use std::time::Instant;

use common::Rng;
use lightbox::agreement::region::Region;
use lightbox::agreement::scored::{
    FROC_FP_PER_IMAGE, ScoredFrame, average_precision, froc, match_frames, match_scored, roc,
};
use serde_json::{Value, json};

/// The whole-pixel rectangle of columns `x..x + w`, rows `y..y + h` of a 64 × 64 frame.
fn rect(x: u32, y: u32, w: u32, h: u32) -> Region {
    let [x, y, w, h] = [x, y, w, h].map(f64::from);
    Region::of_ring(&[[x, y], [x + w, y], [x + w, y + h], [x, y + h]], 64, 64)
}

/// A box on a frame: image, label, x, y, w, h.
type Boxed = [u32; 6];

struct CocoCase {
    threshold: f64,
    images: u32,
    labels: u32,
    refs: Vec<Boxed>,
    tests: Vec<(Boxed, f64)>,
}

fn random_box(rng: &mut Rng, image: u32, label: u32) -> Boxed {
    let (w, h) = (4 + rng.below(13) as u32, 4 + rng.below(13) as u32);
    // Within 40 × 40 so that boxes often overlap.
    let (x, y) = (
        rng.below(41 - w as usize) as u32,
        rng.below(41 - h as usize) as u32,
    );
    [image, label, x, y, w, h]
}

/// `b` moved and resized by up to 2 pixels, kept on the frame.
fn jitter(rng: &mut Rng, b: Boxed) -> Boxed {
    let mut step = |v: u32, lo: u32| (v as i64 + rng.below(5) as i64 - 2).max(i64::from(lo)) as u32;
    let (w, h) = (step(b[4], 1), step(b[5], 1));
    let (x, y) = (step(b[2], 0).min(64 - w), step(b[3], 0).min(64 - h));
    [b[0], b[1], x, y, w, h]
}

fn coco_cases() -> Vec<CocoCase> {
    let mut rng = Rng(0xC0C0_A9E5);
    let mut out = Vec::new();
    for c in 0..72 {
        let (images, labels) = (2 + rng.below(5) as u32, 2 + rng.below(2) as u32);
        // Scores on a coarse grid every fourth case: ties across and within frames.
        let tied = c % 4 == 3;
        let score = |rng: &mut Rng| {
            if tied {
                rng.below(5) as f64 / 4.0
            } else {
                rng.unit()
            }
        };
        // The last label without test findings (c % 5 == 0) or without references (1).
        let (no_tests, no_refs) = (c % 5 == 0, c % 5 == 1);
        let mut case = CocoCase {
            threshold: [0.3, 0.5, 0.75][c % 3],
            images,
            labels,
            refs: Vec::new(),
            tests: Vec::new(),
        };
        for image in 0..images {
            for label in 0..labels {
                let last = label == labels - 1;
                let n_refs = if no_refs && last { 0 } else { rng.below(4) };
                for _ in 0..n_refs {
                    let b = random_box(&mut rng, image, label);
                    case.refs.push(b);
                    if !(no_tests && last) && rng.below(10) < 7 {
                        let t = jitter(&mut rng, b);
                        case.tests.push((t, score(&mut rng)));
                    }
                }
                for _ in 0..if no_tests && last { 0 } else { rng.below(3) } {
                    let t = random_box(&mut rng, image, label);
                    case.tests.push((t, score(&mut rng)));
                }
            }
        }
        if case.tests.is_empty() {
            let t = random_box(&mut rng, 0, 0);
            case.tests.push((t, 0.5));
        }
        out.push(case);
    }
    out
}

struct RocCase {
    truth: Vec<bool>,
    scores: Vec<f64>,
}

fn roc_cases() -> Vec<RocCase> {
    let mut rng = Rng(0x0A0C_5C0E);
    let mut out: Vec<RocCase> = (0..50)
        .map(|c| {
            let n = 2 + rng.below(70);
            // Even cases: six score levels, so many ties.
            let scores: Vec<f64> = (0..n)
                .map(|_| {
                    if c % 2 == 0 {
                        rng.below(6) as f64 * 0.25
                    } else {
                        rng.unit()
                    }
                })
                .collect();
            let max = scores.iter().copied().fold(0.0, f64::max).max(1e-9);
            let truth = scores
                .iter()
                .map(|s| rng.unit() < 0.2 + 0.6 * s / max)
                .collect();
            RocCase { truth, scores }
        })
        .collect();
    for truth in [vec![true; 4], vec![false; 4]] {
        out.push(RocCase {
            truth,
            scores: vec![0.1, 0.5, 0.5, 0.9],
        });
    }
    out
}

struct Reference {
    coco: Vec<CocoCase>,
    roc: Vec<RocCase>,
    want: Value,
}

/// The cases and what pycocotools and scikit-learn make of them: one Python run for
/// all tests of this file.
fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let (coco, roc) = (coco_cases(), roc_cases());
        let input = json!({
            "coco": coco.iter().map(|c| json!({
                "threshold": c.threshold,
                "images": c.images,
                "labels": c.labels,
                "refs": c.refs,
                "tests": c.tests.iter().map(|(b, s)| {
                    let mut row: Vec<Value> = b.iter().map(|&v| json!(v)).collect();
                    row.push(json!(s));
                    row
                }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "roc": roc.iter().map(|c| json!({"truth": c.truth, "scores": c.scores}))
                .collect::<Vec<_>>(),
        });
        let want = common::python::reference_json("agreement", "agreement/check_scored.py", &input);
        Reference { coco, roc, want }
    })
}

fn close(got: Option<f64>, want: &Value, tol: f64, what: &str) {
    match want.as_f64() {
        Some(w) => {
            let g = got.unwrap_or_else(|| panic!("{what}: reference {w}, we none"));
            assert!((g - w).abs() <= tol, "{what}: {g} vs reference {w}");
        }
        None => assert_eq!(got, None, "{what}: the reference has none"),
    }
}

#[test]
fn ap_equals_pycocotools() {
    let r = reference();
    let want = r.want["coco"].as_array().expect("COCO's list");
    assert_eq!(want.len(), r.coco.len());
    let (mut partial, mut missing, mut zero) = (0, 0, 0);
    for (n, (case, want)) in r.coco.iter().zip(want).enumerate() {
        // Frames of one image and label, in image order.
        let mut groups = Vec::new();
        for image in 0..case.images {
            for label in 0..case.labels {
                let here = |b: &Boxed| b[0] == image && b[1] == label;
                let region = |b: &Boxed| rect(b[2], b[3], b[4], b[5]);
                let refs: Vec<Region> = case.refs.iter().filter(|b| here(b)).map(region).collect();
                let tests: Vec<(Region, f64)> = case
                    .tests
                    .iter()
                    .filter(|(b, _)| here(b))
                    .map(|(b, s)| (region(b), *s))
                    .collect();
                if !refs.is_empty() || !tests.is_empty() {
                    groups.push((format!("L{label}"), refs, tests));
                }
            }
        }
        let frames: Vec<ScoredFrame> = groups
            .iter()
            .map(|(label, refs, tests)| ScoredFrame {
                label,
                references: refs,
                tests,
            })
            .collect();
        let ours = average_precision(&match_frames(&frames, case.threshold));
        for k in 0..case.labels {
            let name = format!("L{k}");
            let got = ours
                .per_label
                .iter()
                .find(|l| l.label == name)
                .and_then(|l| l.ap);
            close(
                got,
                &want["per_label"][k as usize],
                1e-9,
                &format!("case {n} label {k}"),
            );
            match got {
                None => missing += 1,
                Some(0.0) => zero += 1,
                Some(ap) if ap < 1.0 => partial += 1,
                Some(_) => {}
            }
        }
        close(ours.ap, &want["ap"], 1e-9, &format!("case {n} mean"));
    }
    // The comparison means something: partial APs, labels without AP, labels at 0.
    assert!(partial >= 80, "{partial} labels with 0 < AP < 1");
    assert!(missing >= 10, "{missing} labels without AP");
    assert!(zero >= 10, "{zero} labels with AP 0");
}

#[test]
fn roc_equals_scikit_learn() {
    let r = reference();
    let want = r.want["roc"].as_array().expect("scikit-learn's list");
    let mut between = 0;
    for (n, (case, want)) in r.roc.iter().zip(want).enumerate() {
        let ours = roc(&case.truth, &case.scores);
        close(
            ours.as_ref().map(|o| o.auc),
            &want["auc"],
            1e-12,
            &format!("case {n} AUC"),
        );
        let Some(ours) = ours else { continue };
        between += usize::from(ours.auc > 0.0 && ours.auc < 1.0);
        let column = |key: &str| -> Vec<f64> {
            want[key]
                .as_array()
                .expect("a list")
                .iter()
                .filter_map(Value::as_f64)
                .collect()
        };
        let (fpr, tpr, thresholds) = (column("fpr"), column("tpr"), column("thresholds"));
        assert_eq!(ours.curve.len(), thresholds.len(), "case {n}: points");
        for (i, p) in ours.curve.iter().enumerate() {
            assert_eq!(p.score_threshold, thresholds[i], "case {n} point {i}");
            assert!(
                (p.false_positive_rate - fpr[i]).abs() < 1e-12,
                "case {n} point {i}"
            );
            assert!(
                (p.true_positive_rate - tpr[i]).abs() < 1e-12,
                "case {n} point {i}"
            );
        }
    }
    assert!(between >= 40, "{between} cases with 0 < AUC < 1");
}

#[test]
fn matching_follows_score_order_and_cocos_tie_rule() {
    // One reference; the higher score wins it though the lower one overlaps it better
    // (IoU 0.6 against 1). Given lowest first: the result comes highest first.
    let reference = [rect(0, 0, 10, 10)];
    let tests = [(rect(0, 0, 10, 10), 0.5), (rect(0, 0, 10, 6), 0.9)];
    let m = match_scored(&reference, &tests, 0.5);
    let got: Vec<(f64, bool)> = m.iter().map(|m| (m.score, m.matched)).collect();
    assert_eq!(got, [(0.9, true), (0.5, false)]);
    // A finding with IoU 0.2 with both references (8 of 40 pixels each) takes the later
    // one, as COCO's `if ious < iou: continue` does; a copy of the other then matches
    // it when it is free.
    let (left, right) = (rect(0, 0, 4, 4), rect(8, 0, 4, 4));
    let tests = [(rect(2, 0, 8, 4), 0.9), (left.clone(), 0.5)];
    let matched = |refs: &[Region]| -> Vec<bool> {
        match_scored(refs, &tests, 0.2)
            .iter()
            .map(|m| m.matched)
            .collect()
    };
    assert_eq!(matched(&[left.clone(), right.clone()]), [true, true]);
    assert_eq!(matched(&[right, left]), [true, false]);
    // A threshold of 1 admits a copy.
    let copy = [(rect(3, 3, 5, 5), 0.1)];
    assert!(match_scored(&[rect(3, 3, 5, 5)], &copy, 1.0)[0].matched);
}

#[test]
fn ap_by_hand() {
    // Label a: references R1, R2; tests 0.9 on R1, 0.8 on nothing, 0.7 on R2.
    // Cumulative tp 1, 1, 2; fp 0, 1, 1; recall .5, .5, 1; precision 1, .5, 2/3, made
    // monotone 1, 2/3, 2/3. Recall thresholds 0 … 0.50 (51 of them) read precision 1,
    // 0.51 … 1 (50) read 2/3: AP = (51 + 50 · 2/3) / 101 = 0.834983…
    let a_refs = [rect(0, 0, 10, 10), rect(20, 20, 10, 10)];
    let a_tests = [
        (rect(0, 0, 10, 10), 0.9),
        (rect(40, 40, 5, 5), 0.8),
        (rect(20, 20, 10, 10), 0.7),
    ];
    // Label b: a reference and no test (AP 0); label c: a test and no reference (no AP).
    let b_refs = [rect(5, 5, 5, 5)];
    let c_tests = [(rect(5, 5, 5, 5), 0.3)];
    let frames = [
        ScoredFrame {
            label: "a",
            references: &a_refs,
            tests: &a_tests,
        },
        ScoredFrame {
            label: "b",
            references: &b_refs,
            tests: &[],
        },
        ScoredFrame {
            label: "c",
            references: &[],
            tests: &c_tests,
        },
    ];
    let ap = average_precision(&match_frames(&frames, 0.5));
    let by_hand = (51.0 + 50.0 * 2.0 / 3.0) / 101.0;
    let per: Vec<(&str, Option<f64>)> = ap
        .per_label
        .iter()
        .map(|l| (l.label.as_str(), l.ap))
        .collect();
    assert_eq!(per.len(), 3);
    assert!(
        (per[0].1.unwrap_or(-1.0) - by_hand).abs() < 1e-12,
        "{per:?}"
    );
    assert_eq!(per[1..], [("b", Some(0.0)), ("c", None)]);
    assert!(
        (ap.ap.unwrap_or(-1.0) - by_hand / 2.0).abs() < 1e-12,
        "mean over a and b"
    );
    assert_eq!(ap.per_label[2].test_findings, 1);
}

/// A frame by hand: how many references, and the tests' scores and whether each hits.
type HandFrame = (usize, Vec<(f64, bool)>);

/// A frame's reference findings and scored test findings.
type Findings = (Vec<Region>, Vec<(Region, f64)>);

/// Frames by hand as findings: label "x", hits copies of references.
fn froc_frames(frames: &[HandFrame]) -> Vec<Findings> {
    // Reference i is a box in row band i; a hit is its copy, a miss a box far away.
    frames
        .iter()
        .map(|(refs, tests)| {
            let refs: Vec<Region> = (0..*refs as u32).map(|i| rect(0, 4 * i, 3, 3)).collect();
            let mut next = 0;
            let tests = tests
                .iter()
                .map(|&(score, hit)| {
                    let r = if hit {
                        next += 1;
                        rect(0, 4 * (next - 1), 3, 3)
                    } else {
                        rect(50, 50, 3, 3)
                    };
                    (r, score)
                })
                .collect();
            (refs, tests)
        })
        .collect()
}

fn froc_of(frames: &[HandFrame], images: usize) -> Option<Vec<f64>> {
    let built = froc_frames(frames);
    let scored: Vec<ScoredFrame> = built
        .iter()
        .map(|(r, t)| ScoredFrame {
            label: "x",
            references: r,
            tests: t,
        })
        .collect();
    let f = froc(&match_frames(&scored, 0.5), images)?;
    assert_eq!(f.sensitivity_at.len(), FROC_FP_PER_IMAGE.len());
    let mut out: Vec<f64> = f.sensitivity_at.iter().map(|r| r.sensitivity).collect();
    out.push(f.cpm_sensitivity);
    Some(out)
}

fn assert_all_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
    }
}

#[test]
fn froc_by_hand() {
    // Two images, three references. Frame A: 0.9 hit, 0.6 miss; frame B: 0.8 miss,
    // 0.7 hit, 0.5 miss. Pooled: 0.9 (1/3, 0 FP/image), 0.8 (1/3, 0.5), 0.7 (2/3, 0.5),
    // 0.6 (2/3, 1), 0.5 (2/3, 1.5). At 1/8 and 1/4 only 0.9 qualifies: 1/3; from 1/2
    // on 2/3. CPM = (2 · 1/3 + 5 · 2/3) / 7 = 4/7.
    let frames = [
        (2, vec![(0.9, true), (0.6, false)]),
        (1, vec![(0.8, false), (0.7, true), (0.5, false)]),
    ];
    let (third, two) = (1.0 / 3.0, 2.0 / 3.0);
    let want = [third, third, two, two, two, two, two, 4.0 / 7.0];
    assert_all_close(&froc_of(&frames, 2).unwrap_or_default(), &want);

    // Equal scores enter together. Four images, two references; 0.8 hit, 0.8 miss,
    // 0.4 hit. One point at 0.8 (1/2, 1/4 FP/image), one at 0.4 (1, 1/4): nothing at
    // 1/8 (taking the 0.8 hit alone would have given 1/2 there), 1 from 1/4 on.
    // CPM = 6/7.
    let frames = [(2, vec![(0.8, true), (0.8, false), (0.4, true)])];
    let want = [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 6.0 / 7.0];
    assert_all_close(&froc_of(&frames, 4).unwrap_or_default(), &want);

    // No references, or no images: no FROC.
    assert_eq!(froc_of(&[(0, vec![(0.5, false)])], 3), None);
    assert_eq!(froc_of(&frames, 0), None);
}

#[test]
fn roc_by_hand() {
    // Scores 0.9 (positive), 0.8 (negative), 0.8 (positive), 0.1 (negative): points
    // (0, 1/2), (1/2, 1), (1, 1); area 1/2 · 3/2 / 2 + 1/2 · 1 = 0.875, the share of
    // positive-negative pairs the positive wins (3 and a tie of 4).
    let r = roc(&[true, false, true, false], &[0.9, 0.8, 0.8, 0.1]);
    let r = r.expect("both classes");
    let points: Vec<[f64; 3]> = r
        .curve
        .iter()
        .map(|p| {
            [
                p.score_threshold,
                p.false_positive_rate,
                p.true_positive_rate,
            ]
        })
        .collect();
    assert_eq!(points, [[0.9, 0.0, 0.5], [0.8, 0.5, 1.0], [0.1, 1.0, 1.0]]);
    assert_eq!((r.positives, r.negatives, r.auc), (2, 2, 0.875));
    assert_eq!(roc(&[true, true], &[0.1, 0.2]), None);
}

#[test]
fn ten_thousand_pairs_are_matched_quickly() {
    // 100 frames, each with 100 references and 100 tests (every test overlapping its
    // reference by a pixel shift): 10,000 pairs among 1,000,000 candidates.
    let frames: Vec<Findings> = (0..100)
        .map(|f| {
            let refs = (0..100)
                .map(|i| rect(6 * (i % 10), 6 * (i / 10), 5, 5))
                .collect();
            let tests = (0..100)
                .map(|i| {
                    (
                        rect(6 * (i % 10) + 1, 6 * (i / 10), 5, 5),
                        f64::from(f * 100 + i),
                    )
                })
                .collect();
            (refs, tests)
        })
        .collect();
    let scored: Vec<ScoredFrame> = frames
        .iter()
        .map(|(r, t)| ScoredFrame {
            label: "x",
            references: r,
            tests: t,
        })
        .collect();
    let start = Instant::now();
    let matches = match_frames(&scored, 0.5);
    let ap = average_precision(&matches);
    let f = froc(&matches, 100).expect("references");
    let took = start.elapsed();
    // IoU 20/30 each: all matched, AP 1, sensitivity 1 at 0 FP.
    assert_eq!(ap.ap, Some(1.0));
    assert_eq!(f.cpm_sensitivity, 1.0);
    if !cfg!(debug_assertions) {
        assert!(took.as_secs_f64() < 1.0, "{took:?}");
    }
}
