"""A MONAI Label app with one infer task that needs no weights: voxels above a threshold."""

import logging
import tempfile

import nibabel as nib
import numpy as np
from monailabel.interfaces.app import MONAILabelApp
from monailabel.interfaces.tasks.infer_v2 import InferTask, InferType

logger = logging.getLogger(__name__)


class Threshold(InferTask):
    def __init__(self):
        super().__init__(
            type=InferType.SEGMENTATION,
            labels={"bright": 1},
            dimension=3,
            description="voxels above a threshold (no weights)",
            config={"threshold": 100.0},
        )

    def is_valid(self):
        return True

    def __call__(self, request):
        img = nib.load(request["image"])
        t = float(request.get("threshold", self._config["threshold"]))
        mask = (np.asanyarray(img.dataobj) > t).astype(np.uint8)
        out = tempfile.NamedTemporaryFile(suffix=".nii.gz", delete=False).name
        nib.save(nib.Nifti1Image(mask, img.affine), out)
        return out, {"threshold": t, "voxels": int(mask.sum())}


class ThresholdApp(MONAILabelApp):
    def __init__(self, app_dir, studies, conf):
        super().__init__(
            app_dir=app_dir,
            studies=studies,
            conf=conf,
            name="threshold",
            description="one weight-free infer task",
            version="0.1",
            labels={"bright": 1},
        )

    def init_infers(self):
        return {"threshold": Threshold()}

    def init_trainers(self):
        return {}
