"""Grow-from-seeds' reference (tests/assist_seeds.rs, tests/seeds_cli.rs):
scikit-image's random_walker on the same values and seeds, solved exactly (mode
'bf'), beta as given, with the spacing given. A case gives its values, or an .npy of
modality values (or a list of them, "npys", one per slice) and the window that maps
them to 0..1. Prints each label map."""

import json
import sys

import numpy as np
from skimage.segmentation import random_walker

with open(sys.argv[1]) as f:
    cases = json.load(f)["cases"]

out = []
for case in cases:
    shape = case["shape"]
    if "npy" in case or "npys" in case:
        lo, hi = case["window"]
        raw = np.stack([np.load(f) for f in case.get("npys", [case.get("npy")])])
        values = np.clip((raw.astype(np.float64) - lo) / (hi - lo), 0, 1)
        values = values.astype(np.float32).astype(np.float64).reshape(shape)
    else:
        values = np.array(case["values"], dtype=np.float64).reshape(shape)
    seeds = np.array(case["seeds"], dtype=np.int32).reshape(shape)
    spacing = case["spacing"]
    if shape[0] == 1:
        values, seeds, spacing = values[0], seeds[0], spacing[1:]
    labels = random_walker(values, seeds, beta=case["beta"], mode="bf", spacing=spacing)
    out.append(np.asarray(labels).ravel().astype(int).tolist())
print(json.dumps({"labels": out}))
