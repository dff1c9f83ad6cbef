"""The brush test's reference (tests/brush_cli.rs), written apart from ours with shapely.

Reads {"cases": [...]} from the file named on the command line; each case has
  ring     the shape before, [[x, y], ...] open, image pixel coordinates (x right, y down)
  stroke   the brush's path, [[x, y], ...] pixels; one point is a single dab
  radius   the brush's radius in mm
  erase    true: the trail is cut out of the shape; false: added to it
  spacing  [row_mm, col_mm] as DICOM Pixel Spacing has them: row_mm is the distance
           between rows (a step in y), col_mm between columns (a step in x)
  ours     the rings Lightbox stored for the shape and the pieces it split into, pixels
and prints {"results": [...]} with, for each case, everything in mm:
  reference_area   area of the expected region with its holes filled (a shape is one
                   outline, so Lightbox fills them and says how many)
  symdiff_area     area of the symmetric difference between that and the union of ours
  ratio            symdiff_area / reference_area
  reference_parts  polygons of the expected region
  reference_holes  holes in them
  our_parts        our rings
  ours_valid       every ring of ours is a valid polygon and no two of them overlap
"""

import json
import sys

import shapely
from shapely.geometry import LineString, Point, Polygon

# Segments per quarter circle of the reference's round caps and joins: at a radius of
# 10 mm the polygon is within 10 · (1 − cos(π/1024)) ≈ 5e-5 mm of the true circle.
QUAD_SEGS = 512


def to_mm(points, row_mm, col_mm):
    # x counts columns, so it steps by the column spacing; y counts rows.
    return [(x * col_mm, y * row_mm) for x, y in points]


def one(case):
    row_mm, col_mm = case["spacing"]
    shape = Polygon(to_mm(case["ring"], row_mm, col_mm))
    assert shape.is_valid, shapely.is_valid_reason(shape)
    stroke = to_mm(case["stroke"], row_mm, col_mm)
    r = case["radius"]
    if len(stroke) == 1:
        trail = Point(stroke[0]).buffer(r, quad_segs=QUAD_SEGS)
    else:
        trail = LineString(stroke).buffer(r, quad_segs=QUAD_SEGS)
    expected = shape.difference(trail) if case["erase"] else shape.union(trail)
    parts = [p for p in shapely.get_parts(expected) if not p.is_empty and p.area > 0]
    holes = sum(len(p.interiors) for p in parts)
    filled = shapely.union_all([Polygon(p.exterior) for p in parts])
    ours = [Polygon(to_mm(ring, row_mm, col_mm)) for ring in case["ours"]]
    ours_union = shapely.union_all(ours)
    valid = all(p.is_valid for p in ours) and abs(
        ours_union.area - sum(p.area for p in ours)
    ) <= 1e-9 * max(ours_union.area, 1.0)
    symdiff = filled.symmetric_difference(ours_union).area
    return {
        "reference_area": filled.area,
        "symdiff_area": symdiff,
        "ratio": symdiff / filled.area if filled.area > 0 else (0.0 if symdiff == 0 else 1.0),
        "reference_parts": len(parts),
        "reference_holes": holes,
        "our_parts": len(ours),
        "ours_valid": bool(valid),
    }


with open(sys.argv[1]) as f:
    cases = json.load(f)["cases"]
print(json.dumps({"results": [one(c) for c in cases]}))
