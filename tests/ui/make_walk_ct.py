"""The demo CT cut to a slab of its axial slices, for the whole-flow GUI test: the NIfTI and the
DICOM series alike (the series' files copied unchanged, chosen by InstanceNumber, so it is still
the demo's series with shuffled file names). 64 of 256 slices keep the walk's model work (predict
on both volumes, attention rollout on one) to a quarter on the shared two-core machine.

usage: make_walk_ct.py DEMO_DIR OUT_DIR FIRST COUNT
Writes OUT_DIR/ct-abdomen-stent-slab.nii.gz and OUT_DIR/ct-abdomen-stent-slab-dicom/.
"""
import os
import shutil
import sys

import nibabel as nib
import numpy as np
import pydicom

demo, out, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out, exist_ok=True)
nifti = os.path.join(out, "ct-abdomen-stent-slab.nii.gz")
if not os.path.exists(nifti):
    image = nib.load(os.path.join(demo, "ct-abdomen-stent.nii.gz"))
    slab = np.asarray(image.dataobj)[:, :, first:first + count]
    affine = image.affine.copy()
    affine[:3, 3] += affine[:3, 2] * first  # the slab where it was in the full volume
    nib.save(nib.Nifti1Image(slab.astype(np.int16), affine), nifti)
series = os.path.join(out, "ct-abdomen-stent-slab-dicom")
if not os.path.isdir(series):
    os.makedirs(series + ".part", exist_ok=True)
    source = os.path.join(demo, "ct-abdomen-stent-dicom")
    for name in sorted(os.listdir(source)):
        ds = pydicom.dcmread(os.path.join(source, name), stop_before_pixels=True)
        if first < int(ds.InstanceNumber) <= first + count:
            shutil.copyfile(os.path.join(source, name), os.path.join(series + ".part", name))
    os.rename(series + ".part", series)
