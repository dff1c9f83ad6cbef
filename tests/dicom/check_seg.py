"""DICOM SEG reference (tests/dicom_seg_export.rs): highdicom reads each Segmentation
(the files listed in the input JSON) and prints its segments (number, label, codes, algorithm type) and, for every source
frame and segment, the flat indices of the pixels inside, as highdicom reconstructs
them from the frames and their references."""

import json
import sys

import highdicom as hd
import numpy as np

with open(sys.argv[1]) as f:
    files = json.load(f)["files"]

out = []
for path in files:
    seg = hd.seg.segread(path)
    segments = []
    for n in seg.segment_numbers:
        d = seg.get_segment_description(n)
        segments.append(
            {
                "number": int(n),
                "label": d.segment_label,
                "category": [d.segmented_property_category.scheme_designator, d.segmented_property_category.value],
                "type": [d.segmented_property_type.scheme_designator, d.segmented_property_type.value],
                "algorithm": d.algorithm_type.value,
            }
        )
    masks = []
    for ref in seg.ReferencedSeriesSequence[0].ReferencedInstanceSequence:
        sop = ref.ReferencedSOPInstanceUID
        for frame_item in seg.PerFrameFunctionalGroupsSequence:
            src = frame_item.DerivationImageSequence[0].SourceImageSequence[0]
            if src.ReferencedSOPInstanceUID != sop:
                continue
            number = int(frame_item.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
            frame = int(getattr(src, "ReferencedFrameNumber", 1))
            if "ReferencedFrameNumber" in src:
                pixels = seg.get_pixels_by_source_frame(
                    source_sop_instance_uid=sop,
                    source_frame_numbers=[frame],
                    segment_numbers=[number],
                    combine_segments=False,
                    ignore_spatial_locations=True,
                )
            else:
                pixels = seg.get_pixels_by_source_instance(
                    source_sop_instance_uids=[sop],
                    segment_numbers=[number],
                    combine_segments=False,
                    ignore_spatial_locations=True,
                )
            inside = np.flatnonzero(np.asarray(pixels)[0, :, :, 0])
            masks.append({"sop_uid": sop, "frame": frame, "segment": number, "pixels": inside.tolist()})
    out.append({"path": path, "segments": segments, "masks": masks})
print(json.dumps(out))
