"""Reads Lightbox's DICOM SR exports with highdicom and prints what it finds, as JSON.

Input (argv[1], JSON): {"files": [path, ...]}. Output: {"files": [{"path", "title",
"template", "observers", "evidence", "groups": [...]}]}; each group is what highdicom's
TID 1410 reader (`MeasurementReport.get_planar_roi_measurement_groups`) gives: tracking
identifier and UID, finding and finding category, graphic type and data, the referenced image (and frame),
measurements (name code -> value, unit code), qualitative evaluations, plus the group's
Comment and Person Observer Name items read from its content sequence.
"""

import json
import sys
import warnings

import highdicom as hd
from pydicom.multival import MultiValue
from pydicom.sr.codedict import codes


def code(c):
    return {"value": c.value, "scheme": c.scheme_designator, "meaning": c.meaning}


def main():
    warnings.simplefilter("ignore")
    request = json.load(open(sys.argv[1]))
    out = []
    for path in request["files"]:
        sr = hd.sr.srread(path)
        assert isinstance(sr, hd.sr.ComprehensiveSR), type(sr)
        report = sr.content
        root = sr.ContentSequence
        observers = [
            str(item.PersonName)
            for item in root
            if item.ValueType == "PNAME" and item.ConceptNameCodeSequence[0].CodeValue == "121008"
        ]
        evidence = [
            sop.ReferencedSOPInstanceUID
            for study in sr.CurrentRequestedProcedureEvidenceSequence
            for series in study.ReferencedSeriesSequence
            for sop in series.ReferencedSOPSequence
        ]
        groups = []
        for g in report.get_planar_roi_measurement_groups():
            region = g.roi
            src = region.ContentSequence[0].ReferencedSOPSequence[0]
            frames = src.get("ReferencedFrameNumber")
            if frames is None:
                frames = []
            elif not isinstance(frames, MultiValue):
                frames = [frames]
            comment = None
            observer = None
            for item in g[0].ContentSequence:
                name = item.ConceptNameCodeSequence[0].CodeValue
                if item.ValueType == "TEXT" and name == codes.DCM.Comment.value:
                    comment = item.TextValue
                if item.ValueType == "PNAME" and name == "121008":
                    observer = str(item.PersonName)
            groups.append({
                "tracking_id": g.tracking_identifier,
                "tracking_uid": str(g.tracking_uid),
                "finding": code(g.finding_type),
                "finding_category": code(g.finding_category) if g.finding_category else None,
                "graphic_type": region.graphic_type.value,
                "points": region.value.tolist(),
                "sop_uid": src.ReferencedSOPInstanceUID,
                "frames": [int(f) for f in frames],
                "measurements": {
                    m.name.value: {"value": m.value, "unit": code(m.unit), "meaning": m.name.meaning}
                    for m in g.get_measurements()
                },
                "qualitative": [
                    {"name": code(q.name), "value": code(q.value)}
                    for q in g.get_qualitative_evaluations()
                ],
                "comment": comment,
                "observer": observer,
            })
        out.append({
            "path": path,
            "title": code(hd.sr.CodedConcept.from_dataset(sr.ConceptNameCodeSequence[0])),
            "template": sr.ContentTemplateSequence[0].TemplateIdentifier,
            "observers": observers,
            "evidence": evidence,
            "groups": groups,
        })
    json.dump({"files": out}, sys.stdout)


if __name__ == "__main__":
    main()
