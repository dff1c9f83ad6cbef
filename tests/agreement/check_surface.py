"""MedPy's metrics on the masks tests/agreement_metrics.rs wrote.

Reads a JSON list of cases {rows, cols, spacing: [row, col], a: [flat indices],
b: [flat indices]} and prints, for each, MedPy's dc, jc, hd, hd95 and assd (the
distances None when either mask is empty, where MedPy raises).
"""
import json
import sys

import numpy as np
from medpy.metric.binary import assd, dc, hd, hd95, jc


def mask(case, key):
    m = np.zeros(case["rows"] * case["cols"], dtype=bool)
    m[case[key]] = True
    return m.reshape(case["rows"], case["cols"])


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = []
    for case in cases:
        a, b = mask(case, "a"), mask(case, "b")
        spacing = tuple(case["spacing"])
        row = {"dice": float(dc(a, b)), "jaccard": float(jc(a, b))}
        if a.any() and b.any():
            row["hd"] = float(hd(a, b, voxelspacing=spacing))
            row["hd95"] = float(hd95(a, b, voxelspacing=spacing))
            row["assd"] = float(assd(a, b, voxelspacing=spacing))
        out.append(row)
    json.dump(out, sys.stdout)


main()
