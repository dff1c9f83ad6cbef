"""Reference answers for tests/annotation_geometry.rs, from scikit-image and shapely.

Reads {"cases": [...]} as JSON on stdin; each case has
  ring       [[x, y], ...]  open ring in image pixel coordinates (x right, y down,
                            centre of the top-left pixel at (0.5, 0.5))
  rows, cols image size for the mask
  spacing    [row_mm, col_mm] (a step in y, a step in x; [1, 1] for pixels)
  buffers    distances in mm to buffer the ring's polygon by (valid rings only)
  check      more rings (pixel coordinates) to report the validity of
and prints {"results": [...]} with, for each case,
  mask            skimage.draw.polygon2mask of the ring, one '0'/'1' string per row.
                  skimage puts pixel centres at integer (row, col) coordinates, so the
                  ring is passed as (y - 0.5, x - 0.5).
  valid, reason   shapely's is_valid and is_valid_reason of the polygon
  area, length    shapely's area and length of the polygon in mm (area only means
                  something for a valid ring)
  even_odd_area   in px²: the ring noded by shapely (GEOS), polygonized into faces,
                  each face kept when a point inside it is inside the ring by the
                  even-odd crossing test
  make_valid_area in px²: shapely.make_valid (GEOS "linework") of the polygon
  diameter        in mm: the largest distance between two vertices (brute force)
  buffers         for each distance: the area in mm² of polygon.buffer(d, quad_segs=64)
                  with every hole filled (None for an invalid ring)
  check           shapely's is_valid of each ring in "check"
"""

import json
import sys

import numpy as np
import shapely
from shapely.geometry import LinearRing, Polygon
from skimage.draw import polygon2mask

QUAD_SEGS = 64


def even_odd_inside(ring, x, y):
    """The even-odd crossing test (PNPOLY) for one point."""
    inside = False
    n = len(ring)
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[i - 1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
    return inside


def even_odd_area(ring):
    noded = shapely.node(LinearRing(ring))
    faces = shapely.polygonize(list(shapely.get_parts(noded)))
    total = 0.0
    for face in shapely.get_parts(faces):
        p = face.point_on_surface()
        if even_odd_inside(ring, p.x, p.y):
            total += face.area
    return total


def filled_area(geom):
    total = 0.0
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon) and not part.is_empty:
            total += Polygon(part.exterior).area
    return total


def one(case):
    ring = np.asarray(case["ring"], dtype=float)
    rows, cols = case["rows"], case["cols"]
    row_mm, col_mm = case["spacing"]
    rc = np.stack([ring[:, 1] - 0.5, ring[:, 0] - 0.5], axis=1)
    mask = polygon2mask((rows, cols), rc)
    mm = ring * np.array([col_mm, row_mm])
    poly_mm = Polygon(mm)
    poly_px = Polygon(ring)
    valid = bool(poly_mm.is_valid)
    d = mm[:, None, :] - mm[None, :, :]
    return {
        "mask": ["".join("1" if v else "0" for v in row) for row in mask],
        "valid": valid,
        "reason": shapely.is_valid_reason(poly_mm),
        "area": poly_mm.area,
        "length": poly_mm.exterior.length,
        "even_odd_area": even_odd_area([tuple(p) for p in ring]),
        "make_valid_area": shapely.make_valid(poly_px).area,
        "diameter": float(np.sqrt((d**2).sum(axis=2)).max()),
        "buffers": [
            filled_area(poly_mm.buffer(b, quad_segs=QUAD_SEGS)) if valid else None
            for b in case.get("buffers", [])
        ],
        "check": [
            bool(len(r) >= 3 and Polygon(r).is_valid) for r in case.get("check", [])
        ],
    }


def main():
    cases = json.load(sys.stdin)["cases"]
    json.dump({"results": [one(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
