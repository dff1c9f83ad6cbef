"""An independent RTSTRUCT writer for tests/rtstruct_import.rs: rt-utils (Qurit) makes an
RT Structure Set on one CT series, and rasterises its own contours back.

Input (argv[1], JSON):
  {"series_dir": folder of the series' files, "out": path of the RTSTRUCT,
   "ring": {"name", "colour": [r, g, b], "instances": [Instance Numbers],
            "centre": [col, row], "outer": px, "inner": px},
   "extra": [{"name", "colour", "type": RT ROI Interpreted Type,
              "contours": [{"type": Contour Geometric Type, "points": [[x, y, z] mm, ...],
                            "sop_uid": Referenced SOP Instance UID or null}]}]}

The ring ROI is the mask (col + 0.5 - cx)² + (row + 0.5 - cy)² ≤ outer², less the same
disc of radius inner (a hole), on the slices listed; rt-utils traces it with OpenCV
(`findContours`, RETR_TREE: the hole is a contour of its own) into CLOSED_PLANAR
contours through boundary pixel centres, each naming its image. The extra ROIs are
appended by hand with pydicom, exactly as given (a contour without "sop_uid" has no
Contour Image Sequence, so a reader must place it by geometry).

Output (JSON): {"ring": [{"sop_uid", "written": flat indices of the mask given to
rt-utils, "pixels": flat indices of `get_roi_mask_by_name` (rt-utils' own reading,
OpenCV `fillPoly` of the contours), "outline": flat indices of the pixels whose centre
lies on one of the slice's contours (within 1e-3 px)}]}, slices in the order listed.
"""

import contextlib
import glob
import json
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from rt_utils import RTStructBuilder, ds_helper, image_helper


def load_headers(path):
    """The series' headers without decoding pixels (rt-utils would decode each file,
    and the sample's JPEG Lossless needs a codec pydicom lacks); the geometry is all
    it uses. Type 2 study/patient attributes the de-identified sample leaves out are
    given empty values in memory, as tests/dicom/make_seg.py does for highdicom."""
    out = []
    for f in sorted(glob.glob(os.path.join(path, "*.dcm"))):
        ds = pydicom.dcmread(f, stop_before_pixels=True)
        for keyword in ("StudyID", "PatientName", "PatientBirthDate", "StudyDate", "StudyTime"):
            if keyword not in ds:
                setattr(ds, keyword, "")
        out.append(ds)
    return out


def on_contour(contours_px, rows, cols):
    """Pixels whose centre (col, row) lies within 1e-3 px of a contour's edges."""
    r, c = np.mgrid[0:rows, 0:cols]
    p = np.stack([c.ravel(), r.ravel()], axis=1).astype(float)
    hit = np.zeros(len(p), bool)
    for poly in contours_px:
        for a, b in zip(poly, np.roll(poly, -1, axis=0)):
            ab = b - a
            t = np.clip(((p - a) @ ab) / max(ab @ ab, 1e-12), 0.0, 1.0)
            d = np.linalg.norm(p - (a + t[:, None] * ab), axis=1)
            hit |= d <= 1e-3
    return np.flatnonzero(hit)


def main():
    warnings.simplefilter("ignore")
    args = json.load(open(sys.argv[1]))
    image_helper.load_dcm_images_from_path = load_headers
    rt = RTStructBuilder.create_new(args["series_dir"])
    series = rt.series_data
    rows, cols = int(series[0].Rows), int(series[0].Columns)

    ring = args["ring"]
    rr, cc = np.mgrid[0:rows, 0:cols]
    cx, cy = ring["centre"]
    d2 = (cc + 0.5 - cx) ** 2 + (rr + 0.5 - cy) ** 2
    plane = (d2 <= ring["outer"] ** 2) & ~(d2 <= ring["inner"] ** 2)
    mask = np.zeros((rows, cols, len(series)), bool)
    chosen = []
    for number in ring["instances"]:
        k = next(i for i, s in enumerate(series) if int(s.InstanceNumber) == number)
        mask[:, :, k] = plane
        chosen.append(k)
    rt.add_roi(mask=mask, color=ring["colour"], name=ring["name"])

    frame_of_reference = rt.frame_of_reference_uid
    for extra in args["extra"]:
        number = len(rt.ds.StructureSetROISequence) + 1
        roi = Dataset()
        roi.ROINumber = number
        roi.ReferencedFrameOfReferenceUID = frame_of_reference
        roi.ROIName = extra["name"]
        roi.ROIGenerationAlgorithm = "MANUAL"
        rt.ds.StructureSetROISequence.append(roi)
        contours = Sequence()
        for given in extra["contours"]:
            contour = Dataset()
            if given.get("sop_uid"):
                image = Dataset()
                image.ReferencedSOPClassUID = series[0].SOPClassUID
                image.ReferencedSOPInstanceUID = given["sop_uid"]
                contour.ContourImageSequence = Sequence([image])
            contour.ContourGeometricType = given["type"]
            contour.NumberOfContourPoints = len(given["points"])
            contour.ContourData = [v for p in given["points"] for v in p]
            contours.append(contour)
        roi_contour = Dataset()
        roi_contour.ROIDisplayColor = extra["colour"]
        roi_contour.ContourSequence = contours
        roi_contour.ReferencedROINumber = number
        rt.ds.ROIContourSequence.append(roi_contour)
        observation = Dataset()
        observation.ObservationNumber = number
        observation.ReferencedROINumber = number
        observation.RTROIInterpretedType = extra["type"]
        observation.ROIInterpreter = ""
        rt.ds.RTROIObservationsSequence.append(observation)
    with contextlib.redirect_stdout(sys.stderr):  # rt-utils prints "Writing file to …"
        rt.save(args["out"])

    # What rt-utils reads back, from the file just written.
    back = RTStructBuilder.create_from(args["series_dir"], args["out"])
    pixels = back.get_roi_mask_by_name(ring["name"])
    to_pixel = image_helper.get_patient_to_pixel_transformation_matrix(series)
    roi_number = next(
        r.ROINumber for r in back.ds.StructureSetROISequence if r.ROIName == ring["name"]
    )
    sequence = ds_helper.get_contour_sequence_by_roi_number(back.ds, roi_number)
    out = []
    for k in chosen:
        sop = series[k].SOPInstanceUID
        polys = []
        for contour in sequence:
            if contour.ContourImageSequence[0].ReferencedSOPInstanceUID != sop:
                continue
            xyz = np.reshape(np.array(contour.ContourData, float), (-1, 3))
            ijk = image_helper.apply_transformation_to_3d_points(xyz, to_pixel)
            polys.append(ijk[:, :2])
        out.append({
            "sop_uid": sop,
            "written": np.flatnonzero(mask[:, :, k]).tolist(),
            "pixels": np.flatnonzero(pixels[:, :, k]).tolist(),
            "outline": on_contour(polys, rows, cols).tolist(),
        })
    json.dump({"ring": out}, sys.stdout)


if __name__ == "__main__":
    main()
