"""pycocotools' AP and scikit-learn's ROC on the cases tests/agreement_scored.rs wrote:
a JSON object {"coco": [...], "roc": [...]}.

A coco case is {threshold, images, labels, refs: [[image, label, x, y, w, h]],
tests: [[image, label, x, y, w, h, score]]} (images and labels from 0; boxes in whole
pixels). COCOeval runs with iouType 'bbox', that one IoU threshold, one area range
('all'), maxDets [10000]; it prints, per case, the AP of each label (None for COCO's
-1: no reference box) and the mean over labels with one (COCO's AP stat).

A roc case is {truth: [bool], scores: [float]}; it prints roc_auc_score (None when
AUC is undefined: one class only) and roc_curve(drop_intermediate=False) without
its leading threshold-inf point."""
import contextlib
import io
import json
import math
import sys
import warnings

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from sklearn.metrics import roc_auc_score, roc_curve


def coco_of(case, anns):
    coco = COCO()
    coco.dataset = {
        "info": {},
        "images": [{"id": i + 1} for i in range(case["images"])],
        "categories": [{"id": k + 1} for k in range(case["labels"])],
        "annotations": anns,
    }
    coco.createIndex()
    return coco


def box(row, n):
    image, label, x, y, w, h = row[:6]
    ann = {"id": n + 1, "image_id": image + 1, "category_id": label + 1,
           "bbox": [x, y, w, h], "area": w * h, "iscrowd": 0}
    if len(row) > 6:
        ann["score"] = row[6]
    return ann


def coco_ap(case):
    gt = coco_of(case, [box(r, n) for n, r in enumerate(case["refs"])])
    dt = gt.loadRes([{k: v for k, v in box(r, n).items() if k in
                      ("image_id", "category_id", "bbox", "score")}
                     for n, r in enumerate(case["tests"])])
    e = COCOeval(gt, dt, "bbox")
    e.params.iouThrs = np.array([case["threshold"]])
    e.params.maxDets = [10000]
    e.params.areaRng = [[0, 1e10]]
    e.params.areaRngLbl = ["all"]
    e.params.useCats = 1
    e.evaluate()
    e.accumulate()
    precision = e.eval["precision"]  # [T, R, K, A, M]
    per_label = []
    for k in range(case["labels"]):
        p = precision[0, :, k, 0, -1]
        per_label.append(float(np.mean(p[p > -1])) if (p > -1).any() else None)
    s = precision[0, :, :, 0, -1]
    ap = float(np.mean(s[s > -1])) if (s > -1).any() else None
    return {"per_label": per_label, "ap": ap}


def roc(case):
    truth, scores = np.array(case["truth"]), np.array(case["scores"], dtype=float)
    # One class only: older scikit-learn raises, newer warns and gives NaN.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            auc = float(roc_auc_score(truth, scores))
    except ValueError:
        auc = math.nan
    if math.isnan(auc):
        return {"auc": None}
    fpr, tpr, thresholds = roc_curve(truth, scores, drop_intermediate=False)
    return {"auc": auc, "fpr": fpr[1:].tolist(), "tpr": tpr[1:].tolist(),
            "thresholds": thresholds[1:].tolist()}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    # pycocotools prints progress on stdout: keep it out of the JSON.
    with contextlib.redirect_stdout(io.StringIO()):
        out = {"coco": [coco_ap(c) for c in cases["coco"]],
               "roc": [roc(c) for c in cases["roc"]]}
    json.dump(out, sys.stdout)


main()
