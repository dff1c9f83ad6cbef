"""An independent SEG writer for tests/dicom_seg_export.rs: highdicom makes a binary
Segmentation of one source image (input JSON: {"source": path, "out": path}) with one
segment "lesion" (SCT 52988006) whose mask is a disc of radius 20 pixels about
(column 100, row 90) and a 10 × 30 bar at rows 150-159, columns 40-69 on the same frame.
Prints the flat indices of the mask's pixels."""

import json
import sys

import highdicom as hd
import numpy as np
import pydicom
from pydicom.sr.codedict import codes

with open(sys.argv[1]) as f:
    args = json.load(f)
src = pydicom.dcmread(args["source"])
# The de-identified sample leaves out type 2 patient/study attributes that highdicom
# copies; give them empty values in memory (the source file is not written).
for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyID",
                "StudyDate", "StudyTime", "ReferringPhysicianName", "AccessionNumber"):
    if keyword not in src:
        setattr(src, keyword, "")
rows, cols = int(src.Rows), int(src.Columns)
r, c = np.mgrid[0:rows, 0:cols]
mask = ((c + 0.5 - 100) ** 2 + (r + 0.5 - 90) ** 2 <= 20**2)
mask[150:160, 40:70] = True
desc = hd.seg.SegmentDescription(
    segment_number=1,
    segment_label="lesion",
    segmented_property_category=codes.SCT.MorphologicallyAbnormalStructure,
    segmented_property_type=hd.sr.CodedConcept("52988006", "SCT", "Lesion"),
    algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL,
)
seg = hd.seg.Segmentation(
    source_images=[src],
    pixel_array=mask[np.newaxis].astype(np.uint8),
    segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
    segment_descriptions=[desc],
    series_instance_uid=hd.UID(),
    series_number=77,
    sop_instance_uid=hd.UID(),
    instance_number=1,
    manufacturer="highdicom",
    manufacturer_model_name="test",
    software_versions="0",
    device_serial_number="1",
    content_creator_name="Independent^Writer",
)
seg.save_as(args["out"])
print(json.dumps({"pixels": np.flatnonzero(mask).tolist()}))
