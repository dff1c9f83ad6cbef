"""Grow-from-seeds' reference (tests/assist_seeds.rs): scikit-image's random_walker
on the same values and seeds, solved exactly (mode 'bf'), beta as given, with the
spacing given. Prints each case's label map."""

import json
import sys

import numpy as np
from skimage.segmentation import random_walker

with open(sys.argv[1]) as f:
    cases = json.load(f)["cases"]

out = []
for case in cases:
    shape = case["shape"]
    values = np.array(case["values"], dtype=np.float64).reshape(shape)
    seeds = np.array(case["seeds"], dtype=np.int32).reshape(shape)
    spacing = case["spacing"]
    if shape[0] == 1:
        values, seeds, spacing = values[0], seeds[0], spacing[1:]
    labels = random_walker(values, seeds, beta=case["beta"], mode="bf", spacing=spacing)
    out.append(np.asarray(labels).ravel().astype(int).tolist())
print(json.dumps({"labels": out}))
