"""Click-to-segment's reference (tests/segment_cli.rs), written apart from ours: the
frame's modality values (an .npy from `lightbox decode`) inside the window, the
4-connected component (scikit-image, connectivity 1) holding the seed, its holes
filled (scipy). Prints the flat indices of the region's pixels."""

import json
import sys

import numpy as np
from scipy.ndimage import binary_fill_holes
from skimage.measure import label

with open(sys.argv[1]) as f:
    case = json.load(f)

values = np.load(case["npy"])
lo, hi = case["window"]
inside = (values >= lo) & (values <= hi)
components = label(inside, connectivity=1)
row, col = case["seed_row_col"]
region = components == components[row, col]
region = binary_fill_holes(region)
print(json.dumps({"indices": np.flatnonzero(region).tolist(), "shape": list(values.shape)}))
