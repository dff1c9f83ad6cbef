"""The 3-D references for the masks tests/agreement_volume.rs wrote.

Reads a JSON list of cases {shape: [slices, rows, cols], spacing: [slice, row, col],
z: [slice positions] or null, a: [flat indices], b: [flat indices]} and prints, for
each, dc, jc, the voxel counts and the surface distances hd, hd95 and assd (None when
either mask is empty, where MedPy raises):

- without z (evenly spaced slices): MedPy's, with voxelspacing = spacing;
- with z (any spacing): brute force, independent of any distance transform: border
  voxels as the mask minus its scipy binary_erosion by the 6-neighbourhood (voxels on
  the array's edge are border), their coordinates (z[slice], row * row_mm,
  col * col_mm), every border-to-border distance by cdist, the nearest one each way,
  both directions pooled: the max, NumPy's 95th percentile and the mean.
"""
import json
import sys

import numpy as np
from medpy.metric.binary import assd, dc, hd, hd95, jc
from scipy.ndimage import binary_erosion, generate_binary_structure
from scipy.spatial.distance import cdist


def mask(case, key):
    m = np.zeros(int(np.prod(case["shape"])), dtype=bool)
    m[case[key]] = True
    return m.reshape(case["shape"])


def border_points(m, z, row_mm, col_mm):
    structure = generate_binary_structure(3, 1)
    border = m & ~binary_erosion(m, structure=structure, iterations=1, border_value=0)
    k, r, c = np.nonzero(border)
    return np.stack([np.asarray(z)[k], r * row_mm, c * col_mm], axis=1)


def brute(a, b, z, spacing):
    pa = border_points(a, z, spacing[1], spacing[2])
    pb = border_points(b, z, spacing[1], spacing[2])
    d = cdist(pa, pb)
    pooled = np.hstack((d.min(axis=1), d.min(axis=0)))
    return {
        "hd": float(pooled.max()),
        "hd95": float(np.percentile(pooled, 95)),
        "assd": float(pooled.mean()),
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = []
    for case in cases:
        a, b = mask(case, "a"), mask(case, "b")
        spacing = tuple(case["spacing"])
        row = {
            "dice": float(dc(a, b)),
            "jaccard": float(jc(a, b)),
            "a_voxels": int(a.sum()),
            "b_voxels": int(b.sum()),
        }
        if a.any() and b.any():
            if case["z"] is None:
                row["hd"] = float(hd(a, b, voxelspacing=spacing))
                row["hd95"] = float(hd95(a, b, voxelspacing=spacing))
                row["assd"] = float(assd(a, b, voxelspacing=spacing))
            else:
                row.update(brute(a, b, case["z"], spacing))
        out.append(row)
    json.dump(out, sys.stdout)


main()
