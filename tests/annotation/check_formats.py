"""Reads Lightbox's annotation exports with the reference implementations.

Run by tests/annotation_formats.rs with one argument, a manifest (JSON) that says
which files were written and what each should hold. Exits non-zero, naming every
failed check, unless all pass; then prints "all checks passed".

- jsonschema: our JSON files validate against the schema, and broken copies of the
  first one do not (so the schema is not vacuous).
- pycocotools: COCO() loads the file; for each frame and label, the union of
  annToMask over its polygon annotations agrees with our mask PNG; keypoint
  annotations hold our points; areas and boxes agree with the masks.
- labelme: LabelFile(filename=...) loads every file (which also loads the rendered
  frame beside it and checks its size); shapes, types, points and notes are ours;
  shape_to_mask of each label agrees with our mask PNG.

Masks are compared as rasterisers differ only along edges: pycocotools upsamples
the polygon and rounds, PIL fills each row from the pixel holding one crossing to
the pixel holding the other and adds a 1-pixel outline, we take pixels whose centre
is inside. So (1) every pixel whose centre is more than 1 px from every edge of
the label's rings must be the same in both masks; a different rule away from the
edges (a wrong fill rule, a lost or extra ring, a wrong image) fails this. (2) The
masks' centroids, averaged over all masks of a format, must agree within 0.2 px in
x and in y: a half-pixel convention error (points read as pixel centres instead of
corners) moves every mask by 0.5 px, inside the 1-px band of (1) but plain here;
single small masks (radius 4 px) wobble by up to 0.4 px, so the mean is tested.
(3) For COCO, whose rasteriser follows the same corner convention, each mask's IoU
with ours is at least 0.85 (measured: 0.9 and up on 4-px-radius disks).
"""

import copy
import json
import sys

import numpy as np
import PIL.Image

FAILURES = []


def check(ok, message):
    if not ok:
        FAILURES.append(message)
    return ok


def edge_distance(rings, height, width):
    """Distance from each pixel centre to the nearest edge of any ring."""
    ys, xs = np.mgrid[0:height, 0:width]
    px = xs + 0.5
    py = ys + 0.5
    best = np.full((height, width), np.inf)
    for ring in rings:
        pts = np.asarray(ring, dtype=float)
        for a, b in zip(pts, np.roll(pts, -1, axis=0)):
            d = b - a
            length2 = float(d @ d)
            if length2 == 0:
                t = np.zeros_like(px)
            else:
                t = np.clip(((px - a[0]) * d[0] + (py - a[1]) * d[1]) / length2, 0, 1)
            dist = np.hypot(px - (a[0] + t * d[0]), py - (a[1] + t * d[1]))
            best = np.minimum(best, dist)
    return best


def centroid(mask):
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


def compare(ours, theirs, rings, what, offsets, min_iou=None):
    """Checks (1) and (3) of the module doc; records the centroid offset for (2)."""
    if not check(ours.shape == theirs.shape, f"{what}: size {theirs.shape} vs ours {ours.shape}"):
        return
    if not (check(ours.any(), f"{what}: our mask is empty") and check(theirs.any(), f"{what}: their mask is empty")):
        return
    far = edge_distance(rings, *ours.shape) > 1.0
    differ = int(((ours != theirs) & far).sum())
    check(differ == 0, f"{what}: {differ} pixels more than 1 px from any edge differ")
    iou = (ours & theirs).sum() / (ours | theirs).sum()
    if min_iou is not None:
        check(iou >= min_iou, f"{what}: IoU {iou:.3f} < {min_iou}")
    offsets.append(centroid(theirs) - centroid(ours))
    print(f"  {what}: {int(ours.sum())} px ours, {int(theirs.sum())} theirs, IoU {iou:.3f}, "
          f"centroid offset {offsets[-1].round(3).tolist()}")


def check_offsets(offsets, what):
    if not check(len(offsets) > 0, f"{what}: no masks compared"):
        return
    mean = np.mean(offsets, axis=0)
    print(f"{what}: mean centroid offset {mean.round(3).tolist()} over {len(offsets)} masks")
    check(bool(np.all(np.abs(mean) < 0.2)), f"{what}: masks are offset by {mean.tolist()} px on average")


def our_mask(entry):
    img = np.array(PIL.Image.open(entry["path"]))
    check(img.dtype == np.uint8 and img.ndim == 2, f"{entry['path']}: not 8-bit greyscale")
    check(set(np.unique(img).tolist()) <= {0, 255}, f"{entry['path']}: values other than 0 and 255")
    check(img.shape == (entry["height"], entry["width"]), f"{entry['path']}: size {img.shape}")
    return img == 255


def check_schema(manifest):
    import jsonschema

    schema = json.load(open(manifest["schema"], encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in manifest["documents"]:
        doc = json.load(open(path, encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(doc)]
        check(not errors, f"{path}: schema errors {errors[:5]}")
        print(f"schema: {path}: {len(doc['shapes'])} shapes valid")
    doc = json.load(open(manifest["documents"][0], encoding="utf-8"))
    area = next(i for i, s in enumerate(doc["shapes"]) if s["kind"] != "point")
    point = next(i for i, s in enumerate(doc["shapes"]) if s["kind"] == "point")

    def broken(change):
        bad = copy.deepcopy(doc)
        change(bad)
        return bad

    cases = {
        "unknown kind": broken(lambda d: d["shapes"][area].update(kind="circle")),
        "area of 2 points": broken(lambda d: d["shapes"][area].update(points=d["shapes"][area]["points"][:2])),
        "point of 2 points": broken(lambda d: d["shapes"][point]["points"].append([1.0, 2.0])),
        "frame 0": broken(lambda d: d["shapes"][area].update(frame=0)),
        "unknown field": broken(lambda d: d["shapes"][area].update(lable="x")),
        "version 2": broken(lambda d: d.update(version=2)),
        "bad colour": broken(lambda d: d["labels"][0].update(colour="red")),
        "3-number point": broken(lambda d: d["shapes"][area]["points"][0].append(1.0)),
        "unknown grade": broken(lambda d: d["shapes"][area].update(grade="urgent")),
    }
    for name, bad in cases.items():
        check(not validator.is_valid(bad), f"schema accepts a file with {name}")
    print(f"schema: refuses {len(cases)} broken variants")


def check_coco(manifest):
    from pycocotools.coco import COCO
    from pycocotools import mask as mask_utils

    coco = COCO(manifest["coco"])
    check(len(coco.getImgIds()) == manifest["coco_images"], "COCO image count")
    check(len(coco.getAnnIds()) == manifest["coco_annotations"], "COCO annotation count")
    images = {img["file_name"]: img for img in coco.loadImgs(coco.getImgIds())}
    categories = {c["name"]: c for c in coco.loadCats(coco.getCatIds())}
    offsets = []
    for entry in manifest["masks"]:
        what = f"COCO {entry['file_name']} {entry['label']}"
        img = images.get(entry["file_name"])
        cat = categories.get(entry["label"])
        if not (check(img is not None, f"{what}: no such image") and check(cat is not None, f"{what}: no such category")):
            continue
        check((img["width"], img["height"]) == (entry["width"], entry["height"]), f"{what}: image size")
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[img["id"]], catIds=[cat["id"]]))
        polygons = [a for a in anns if a["segmentation"]]
        check(len(polygons) == len(entry["rings"]), f"{what}: {len(polygons)} polygons, expected {len(entry['rings'])}")
        theirs = np.zeros((img["height"], img["width"]), dtype=bool)
        for ann in polygons:
            one = coco.annToMask(ann).astype(bool)
            theirs |= one
            rle = coco.annToRLE(ann)
            pixels = float(mask_utils.area(rle))
            ring = np.asarray(ann["segmentation"][0], dtype=float).reshape(-1, 2)
            perimeter = float(np.hypot(*(np.roll(ring, -1, axis=0) - ring).T).sum())
            # The exact area and the pixel count differ by at most the pixels the
            # boundary crosses: about one per pixel of perimeter, times sqrt(2) at
            # 45 degrees.
            check(abs(ann["area"] - pixels) <= 1.5 * perimeter + 4,
                  f"{what}: area {ann['area']} vs {pixels} pixels")
            x, y, w, h = ann["bbox"]
            bx, by, bw, bh = mask_utils.toBbox(rle).tolist()
            check(abs(x - bx) <= 1 and abs(y - by) <= 1 and abs(x + w - bx - bw) <= 1 and abs(y + h - by - bh) <= 1,
                  f"{what}: bbox {ann['bbox']} vs mask box {[bx, by, bw, bh]}")
            check(ann["iscrowd"] == 0, f"{what}: iscrowd")
        compare(our_mask(entry), theirs, entry["rings"], what, offsets, min_iou=0.85)
    check_offsets(offsets, "COCO")
    for entry in manifest["points"]:
        what = f"COCO keypoint {entry['file_name']} {entry['label']}"
        img = images.get(entry["file_name"])
        cat = categories.get(entry["label"])
        if not (check(img is not None, f"{what}: no image") and check(cat is not None, f"{what}: no category")):
            continue
        check(cat.get("keypoints") == [entry["label"]], f"{what}: category keypoints {cat.get('keypoints')}")
        anns = [a for a in coco.loadAnns(coco.getAnnIds(imgIds=[img["id"]], catIds=[cat["id"]])) if a.get("num_keypoints")]
        found = [a["keypoints"] for a in anns]
        check([entry["point"][0], entry["point"][1], 2] in found, f"{what}: {entry['point']} not in {found}")
    print(f"COCO: {len(manifest['masks'])} masks, {len(manifest['points'])} keypoints checked")


def check_labelme(manifest):
    import labelme
    from labelme.utils import shape_to_mask

    offsets = []
    for entry in manifest["labelme"]:
        path = entry["path"]
        label_file = labelme.LabelFile(filename=path)
        raw = json.load(open(path, encoding="utf-8"))
        check(raw["imagePath"] == entry["image_path"], f"{path}: imagePath {raw['imagePath']}")
        check(raw["imageData"] is None, f"{path}: imageData embedded")
        with PIL.Image.open(__import__("io").BytesIO(label_file.image_data)) as image:
            check(image.size == (entry["width"], entry["height"]), f"{path}: image {image.size}")
        got = [(s["label"], s["shape_type"], s["points"], s["description"]) for s in label_file.shapes]
        want = [(s["label"], s["shape_type"], s["points"], s["description"]) for s in entry["shapes"]]
        check(got == want, f"{path}: shapes {got} != {want}")
        size = (entry["height"], entry["width"])
        for mask_entry in entry["masks"]:
            theirs = np.zeros(size, dtype=bool)
            for s in label_file.shapes:
                if s["label"] == mask_entry["label"] and s["shape_type"] == "polygon":
                    theirs |= shape_to_mask(size, s["points"], s["shape_type"])
            what = f"labelme {mask_entry['file_name']} {mask_entry['label']}"
            compare(our_mask(mask_entry), theirs, mask_entry["rings"], what, offsets)
    check_offsets(offsets, "labelme")
    print(f"labelme: {len(manifest['labelme'])} files loaded with LabelFile")


def main():
    manifest = json.load(open(sys.argv[1], encoding="utf-8"))
    check_schema(manifest)
    check_coco(manifest)
    check_labelme(manifest)
    if FAILURES:
        for failure in FAILURES:
            print("FAILED:", failure)
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
