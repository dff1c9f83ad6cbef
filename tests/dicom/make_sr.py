"""An independent TID 1500 writer for tests/dicom_sr_import.rs: highdicom makes a
Comprehensive SR Measurement Report on one source image (input JSON: {"source": path,
"out": path}) observed by "Independent^Reader", with three TID 1410 groups:

1. "nodule-a": a closed POLYLINE (a 10 × 6 rectangle at (40, 50)), Finding Nodule
   (SCT 27925004) in the category Morphologically Altered Structure (SCT 49755003);
2. "cyst-b": a CIRCLE about (100.5, 90.5) of radius 8, Finding Cyst (SCT 441457006);
3. "spot-c": a POINT at (12.25, 200.75), Finding Nodule, no category.

Prints {"sop_uid": the source's SOP Instance UID}.
"""

import json
import sys
import warnings

import highdicom as hd
import numpy as np
import pydicom
from pydicom.sr.codedict import codes


def main():
    warnings.simplefilter("ignore")
    args = json.load(open(sys.argv[1]))
    src = pydicom.dcmread(args["source"], stop_before_pixels=True)
    # As make_seg.py: type 2 attributes the de-identified sample leaves out.
    for keyword in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyID",
                    "StudyDate", "StudyTime", "ReferringPhysicianName", "AccessionNumber"):
        if keyword not in src:
            setattr(src, keyword, "")
    image = hd.sr.SourceImageForRegion(
        referenced_sop_class_uid=src.SOPClassUID,
        referenced_sop_instance_uid=src.SOPInstanceUID,
    )
    nodule = hd.sr.CodedConcept("27925004", "SCT", "Nodule")
    cyst = hd.sr.CodedConcept("441457006", "SCT", "Cyst")
    altered = hd.sr.CodedConcept("49755003", "SCT", "Morphologically Altered Structure")
    regions = [
        ("nodule-a", nodule, altered, hd.sr.GraphicTypeValues.POLYLINE,
         [[40, 50], [50, 50], [50, 56], [40, 56], [40, 50]]),
        ("cyst-b", cyst, altered, hd.sr.GraphicTypeValues.CIRCLE, [[100.5, 90.5], [108.5, 90.5]]),
        ("spot-c", nodule, None, hd.sr.GraphicTypeValues.POINT, [[12.25, 200.75]]),
    ]
    groups = []
    for tracking, finding, category, graphic, points in regions:
        groups.append(hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations(
            tracking_identifier=hd.sr.TrackingIdentifier(
                identifier=tracking, uid=hd.UID()
            ),
            referenced_region=hd.sr.ImageRegion(
                graphic_type=graphic,
                graphic_data=np.array(points, dtype=float),
                source_image=image,
            ),
            finding_type=finding,
            finding_category=category,
        ))
    observer = hd.sr.ObserverContext(
        observer_type=codes.DCM.Person,
        observer_identifying_attributes=hd.sr.PersonObserverIdentifyingAttributes(
            name="Independent^Reader"
        ),
    )
    report = hd.sr.MeasurementReport(
        observation_context=hd.sr.ObservationContext(observer_person_context=observer),
        procedure_reported=hd.sr.CodedConcept("25045-6", "LN", "CT unspecified body region"),
        imaging_measurements=groups,
    )
    sr = hd.sr.ComprehensiveSR(
        evidence=[src],
        content=report[0],
        series_number=88,
        series_instance_uid=hd.UID(),
        sop_instance_uid=hd.UID(),
        instance_number=1,
        manufacturer="highdicom",
    )
    sr.save_as(args["out"])
    json.dump({"sop_uid": src.SOPInstanceUID}, sys.stdout)


if __name__ == "__main__":
    main()
