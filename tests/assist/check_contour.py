"""The contour test's reference (tests/assist_contour.rs): for each mask, scipy's
hole filling (4-connected background, its default structure) and scikit-image's
4-connected components of the filled mask, with each component's pixel count in
label order (raster order of first pixels)."""

import json
import sys

import numpy as np
from scipy.ndimage import binary_fill_holes
from skimage.measure import label, regionprops

with open(sys.argv[1]) as f:
    cases = json.load(f)["cases"]

out = []
for case in cases:
    mask = np.array(case["mask"], dtype=bool).reshape(case["rows"], case["cols"])
    filled = binary_fill_holes(mask)
    labels = label(filled, connectivity=1)
    areas = [int(p.area) for p in sorted(regionprops(labels), key=lambda p: p.label)]
    out.append({"filled": filled.ravel().astype(int).tolist(), "areas": areas})
print(json.dumps({"results": out}))
