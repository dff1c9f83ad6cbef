"""MPR's reference (tests/mpr_cli.rs), written apart from ours: pydicom reads every
file of the series under a folder, the slices are sorted by Image Position (Patient)
along the slice normal (row cosines x column cosines), Rescale Slope/Intercept are
applied, and numpy stacks them. Then, per case:

- axial N: the N-th slice in slice order (along the normal, in the direction in which
  Instance Numbers rise, as Lightbox's index orders a series);
- coronal N: image row N of every slice, sagittal N: image column N, the slices from
  superior to inferior (Image Position (Patient) z, largest first);
- a slab of MM: the planes within MM/2 (+1e-6) of the centre, by the slice positions
  along the normal (axial) or by the row / column spacing of Pixel Spacing (coronal /
  sagittal), combined by max (mip), min (minip) or mean (avg).

Input: {"folder", "series", "cases": [{"plane", "index", "slab_mm" | null, "mode"}]}.
Prints {"files": [the files in slice order], "cases": [{"shape", "values", "planes"}]}.
"""

import json
import os
import sys

import numpy as np
import pydicom

with open(sys.argv[1]) as f:
    job = json.load(f)

slices = []
for root, _, names in os.walk(job["folder"]):
    for name in names:
        path = os.path.join(root, name)
        try:
            ds = pydicom.dcmread(path)
        except Exception:
            continue
        if ds.get("SeriesInstanceUID") == job["series"] and "PixelData" in ds:
            slices.append((path, ds))

o = np.array(slices[0][1].ImageOrientationPatient, dtype=float)
normal = np.cross(o[:3], o[3:])
along = lambda ds: float(np.dot(np.array(ds.ImagePositionPatient, dtype=float), normal))
slices.sort(key=lambda s: along(s[1]))
numbers = [int(ds.InstanceNumber) for _, ds in slices]
if sum(b < a for a, b in zip(numbers, numbers[1:])) > sum(b > a for a, b in zip(numbers, numbers[1:])):
    slices.reverse()


def modality(ds):
    return ds.pixel_array.astype(np.float64) * float(ds.get("RescaleSlope", 1)) + float(
        ds.get("RescaleIntercept", 0)
    )


volume = np.stack([modality(ds) for _, ds in slices])  # slice order
positions = np.array([along(ds) for _, ds in slices])
z = np.array([float(ds.ImagePositionPatient[2]) for _, ds in slices])
superior_first = np.argsort(-z, kind="stable")
row_mm, col_mm = (float(v) for v in slices[0][1].PixelSpacing)
reduce = {"mip": np.max, "minip": np.min, "avg": np.mean}

out = []
for case in job["cases"]:
    n, mm = case["index"], case.get("slab_mm") or 0.0
    half = mm / 2 + 1e-6
    if case["plane"] == "axial":
        planes = [k for k in range(len(slices)) if abs(positions[k] - positions[n]) <= half]
        values = reduce[case["mode"]](volume[planes], axis=0)
    elif case["plane"] == "coronal":
        planes = [r for r in range(volume.shape[1]) if abs(r - n) * row_mm <= half]
        values = reduce[case["mode"]](volume[superior_first][:, planes, :], axis=1)
    else:
        planes = [c for c in range(volume.shape[2]) if abs(c - n) * col_mm <= half]
        values = reduce[case["mode"]](volume[superior_first][:, :, planes], axis=2)
    out.append({"shape": list(values.shape), "values": values.ravel().tolist(), "planes": planes})

print(json.dumps({"files": [p for p, _ in slices], "cases": out}))
