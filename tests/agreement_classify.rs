//! Cohen's kappa (unweighted and linear-weighted) and the binary confusion matrix
//! against scikit-learn (`cohen_kappa_score`, `confusion_matrix`) on random raters:
//! binary calls and four ordered grades, balanced and skewed, including the
//! undefined case where both raters always give the same class.

mod common;

use common::Rng;

use lightbox::agreement::classify::{Weights, binary, kappa};
use serde_json::{Value, json};

struct Case {
    reference: Vec<usize>,
    test: Vec<usize>,
    k: usize,
    weights: Weights,
}

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x5EED_CAFE);
    let mut out = Vec::new();
    for c in 0..60 {
        let k = if c % 2 == 0 { 2 } else { 4 };
        let n = 5 + rng.below(60);
        let reference: Vec<usize> = (0..n).map(|_| rng.below(k)).collect();
        // The test agrees often, drifts by one class sometimes, is random otherwise.
        let test: Vec<usize> = reference
            .iter()
            .map(|&r| match rng.below(10) {
                0..=5 => r,
                6 | 7 => (r + 1).min(k - 1),
                _ => rng.below(k),
            })
            .collect();
        let weights = if k == 4 && c % 4 == 1 {
            Weights::Linear
        } else {
            Weights::None
        };
        out.push(Case {
            reference,
            test,
            k,
            weights,
        });
    }
    // Both always the same class: kappa undefined.
    out.push(Case {
        reference: vec![1; 7],
        test: vec![1; 7],
        k: 2,
        weights: Weights::None,
    });
    out
}

#[test]
fn kappa_and_confusion_matrix_equal_scikit_learn() {
    let cases = cases();
    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "reference": c.reference,
                "test": c.test,
                "k": c.k,
                "weights": if c.weights == Weights::Linear { json!("linear") } else { Value::Null },
            })
        })
        .collect();
    let sklearn = common::python::reference_json(
        "agreement",
        "agreement/check_classify.py",
        &Value::Array(input),
    );
    let sklearn = sklearn.as_array().expect("scikit-learn's list");
    let mut weighted = 0;
    for (n, (c, want)) in cases.iter().zip(sklearn).enumerate() {
        let ours = kappa(&c.reference, &c.test, c.k, c.weights);
        match want["kappa"].as_f64() {
            Some(w) => {
                let got = ours.unwrap_or_else(|| panic!("case {n}: scikit-learn has {w}, we none"));
                assert!(
                    (got - w).abs() < 1e-12,
                    "case {n}: kappa {got} vs scikit-learn {w}"
                );
            }
            None => assert_eq!(ours, None, "case {n}: undefined for scikit-learn"),
        }
        weighted += usize::from(c.weights == Weights::Linear);
        if c.k == 2 {
            let b = binary(
                &c.reference.iter().map(|&r| r == 1).collect::<Vec<_>>(),
                &c.test.iter().map(|&t| t == 1).collect::<Vec<_>>(),
            );
            let m = &want["matrix"];
            let cell = |i: usize, j: usize| m[i][j].as_u64().expect("a count");
            assert_eq!(
                (b.tn, b.fp, b.fn_, b.tp),
                (cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1)),
                "case {n}"
            );
            if let (Some(k), Some(w)) = (b.kappa, want["kappa"].as_f64()) {
                assert!((k - w).abs() < 1e-12, "case {n}: binary kappa");
            }
        }
    }
    assert!(weighted >= 10, "{weighted} linear-weighted cases");
}
