#!/usr/bin/python3
"""Real images for the model's precision tests, decoded by the Python peer.

Writes OUTDIR/real_images.safetensors with F32 tensors (values unchanged, only the type):
  retina  [1411,1411,3]  skimage's fundus photograph (data/retina.jpg), 0..255
  ihc     [512,512,3]    skimage's immunohistochemistry slide crop (data/ihc.png), 0..255
  ct      [128,128]      pydicom's CT_small.dcm in Hounsfield units (rescale applied)

The model-only build has no core/io, so the images reach the tests through Meridian's
own safetensors reader instead of its image readers. Run with /usr/bin/python3.
"""
import os
import sys

import numpy as np
import pydicom
import skimage.io
from pydicom.data import get_testdata_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import write_safetensors  # noqa: E402  (same hand-written writer)

import torch  # noqa: E402


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "real_images.safetensors")
    if os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(os.path.abspath(__file__)):
        return
    data = os.path.join(os.path.dirname(skimage.__file__), "data")
    retina = skimage.io.imread(os.path.join(data, "retina.jpg"))
    ihc = skimage.io.imread(os.path.join(data, "ihc.png"))[..., :3]
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    tensors = {name: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
               for name, a in (("retina", retina), ("ihc", ihc), ("ct", hu))}
    write_safetensors(path, tensors)


if __name__ == "__main__":
    main()
