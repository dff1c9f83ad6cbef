"""scikit-learn's confusion matrix and Cohen's kappa on the cases
tests/agreement_classify.rs wrote: a JSON list of {reference, test, k, weights}
(weights: null or "linear"). Prints, for each, the confusion matrix and the kappa
(None where scikit-learn gives NaN: kappa undefined)."""
import json
import math
import sys
import warnings

from sklearn.metrics import cohen_kappa_score, confusion_matrix


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = []
    for case in cases:
        labels = list(range(case["k"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kappa = cohen_kappa_score(
                case["reference"], case["test"], labels=labels, weights=case["weights"]
            )
        matrix = confusion_matrix(case["reference"], case["test"], labels=labels)
        out.append({
            "matrix": matrix.tolist(),
            "kappa": None if math.isnan(kappa) else float(kappa),
        })
    json.dump(out, sys.stdout)


main()
