#!/usr/bin/python3
"""Real images for the bundled default model (packaging/make-bundled-model.sh).

Cuts many 8-bit PNG crops out of the real medical images that Debian packages ship (see
../shared/DATA.md) and labels each with the modality of its source -- no image is
synthetic, every label is the source's own:
  CT        imageio's stent.npz (abdominal CT, 256x128x128; values are HU clipped at 0),
            pydicom's CT_small.dcm, octave-dicom's CT-MONO2-16-ankle.dcm (a 3D surface rendering of a CT, from the demo data)
  MR        nibabel's example4d.nii.gz (EPI, 128x96x24x2) and anatomical.nii (T1, 33x41x25),
            pydicom's MR_small.dcm
  fundus    skimage's retina.jpg (1411x1411) and microaneurysms.png
  pathology skimage's ihc.png (512x512 IHC, DAB + haematoxylin)

usage: bundled_model_data.py OUTDIR [--demo-data DIR]
Writes OUTDIR/images/<modality>/*.png, OUTDIR/all.csv (path,label,patient) for
pretraining, OUTDIR/train.csv and OUTDIR/test.csv for the modality probe, and
OUTDIR/provenance.json. "patient" is the source image (or volume); the test split holds
different sources than training wherever a modality has more than one (pathology has one
source image: its test tiles come from a region no training tile overlaps -- said in
provenance.json). Deterministic (seeded); no network.
"""
import argparse
import hashlib
import json
import os

import nibabel
import numpy as np
import pydicom
import skimage
import skimage.io
import skimage.transform
from pydicom.data import get_testdata_file

SEED = 20261123


def to8(a, low, high):
    a = (np.asarray(a, dtype=np.float64) - low) / max(high - low, 1e-6)
    return (np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8)


def percentile8(a):
    lo, hi = np.percentile(a, [0.5, 99.5])
    return to8(a, lo, hi)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Writer:
    def __init__(self, out):
        self.out = out
        self.rows = []  # (relpath, label, patient, split)

    def add(self, img, label, patient, name, split):
        if img.ndim == 2 and min(img.shape) < 64:  # tiny MR slices: upsample so crops have room
            scale = 64.0 / min(img.shape)
            img = (skimage.transform.rescale(img / 255.0, scale, order=1, anti_aliasing=False) * 255 + 0.5).astype(np.uint8)
        rel = os.path.join("images", label, name + ".png")
        os.makedirs(os.path.join(self.out, "images", label), exist_ok=True)
        skimage.io.imsave(os.path.join(self.out, rel), img, check_contrast=False)
        self.rows.append((rel, label, patient, split))


def ct(w, rng, demo):
    vol = np.load(os.path.join(os.path.dirname(__import__("imageio").__file__), "resources/images/stent.npz"))["arr_0"]
    # The values are HU with everything below 0 stored as 0 (no header says so; percentiles
    # 25/50/75/95/99 % = 0/0/62/187/375, max 2000: soft tissue ~40, contrast-filled aorta and
    # bone a few hundred, the stent clipped at 2000). Read as "HU + 1000" (as before
    # 2026-12-02) the soft-tissue and bone windows made 2/3 of the crops black pictures.
    hu = vol.astype(np.float64)
    windows = [(40, 400), (-600, 1500), (400, 1800)]  # soft tissue, lung, bone
    stent_windows = [(40, 400), (150, 700), (400, 1800)]  # no lungs in this crop: angio instead
    for i, z in enumerate(range(8, 248, 3)):  # 80 axial slices, windows in turn
        c, wd = stent_windows[i % 3]
        w.add(to8(hu[z], c - wd / 2, c + wd / 2), "CT", "stent", "stent_ax%03d" % z, "train")
    for i, y in enumerate(range(16, 112, 8)):  # 12 coronal reformats
        w.add(to8(hu[:, y, :], -160, 240), "CT", "stent", "stent_cor%03d" % y, "train")
    small = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    h = small.pixel_array * float(small.RescaleSlope) + float(small.RescaleIntercept)
    for i, (c, wd) in enumerate(windows):
        w.add(to8(h, c - wd / 2, c + wd / 2), "CT", "ct_small", "ct_small_w%d" % i, "test")
    ankle_path = os.path.join(demo, "ct-ankle-512.dcm")
    if os.path.exists(ankle_path):
        ankle = pydicom.dcmread(ankle_path)
        a = ankle.pixel_array * float(getattr(ankle, "RescaleSlope", 1)) + float(getattr(ankle, "RescaleIntercept", 0))
        for k in range(12):  # crops of the 512x512 slice at bone and soft-tissue windows
            s = int(rng.integers(192, 449))
            y0, x0 = rng.integers(0, 512 - s + 1, size=2)
            c, wd = windows[[0, 2][k % 2]]
            w.add(to8(a[y0:y0 + s, x0:x0 + s], c - wd / 2, c + wd / 2), "CT", "ankle", "ankle_%02d" % k, "test")


def mr(w, rng):
    data = os.path.join(os.path.dirname(nibabel.__file__), "tests", "data")
    epi = np.asarray(nibabel.load(os.path.join(data, "example4d.nii.gz")).dataobj, dtype=np.float64)
    for t in range(2):
        for z in range(2, 22):  # 40 axial EPI slices
            w.add(percentile8(np.rot90(epi[:, :, z, t])), "MR", "example4d", "epi_t%d_z%02d" % (t, z), "train")
    for x in range(32, 104, 8):  # 9 sagittal reformats (x = 24 lies outside the head: one grey value)
        w.add(percentile8(np.rot90(epi[x, :, :, 0])), "MR", "example4d", "epi_sag%03d" % x, "train")
    anat = np.asarray(nibabel.load(os.path.join(data, "anatomical.nii")).dataobj, dtype=np.float64)
    for z in range(3, 23):
        w.add(percentile8(np.rot90(anat[:, :, z])), "MR", "anatomical", "t1_z%02d" % z, "test")
    small = pydicom.dcmread(get_testdata_file("MR_small.dcm")).pixel_array
    w.add(percentile8(small), "MR", "mr_small", "mr_small", "test")


def fundus(w, rng):
    data = os.path.join(os.path.dirname(skimage.__file__), "data")
    retina = skimage.io.imread(os.path.join(data, "retina.jpg"))[..., :3]
    for k in range(90):  # crops inside the fundus disc, 160..700 px
        s = int(rng.integers(160, 701))
        cy, cx = rng.integers(250 + s // 2, 1161 - s // 2 + 1, size=2)
        w.add(retina[cy - s // 2:cy - s // 2 + s, cx - s // 2:cx - s // 2 + s], "fundus", "retina", "retina_%03d" % k, "train")
    w.add(retina, "fundus", "retina", "retina_full", "train")
    micro = skimage.io.imread(os.path.join(data, "microaneurysms.png"))
    micro = micro[..., :3] if micro.ndim == 3 else np.stack([micro] * 3, -1)
    H, W = micro.shape[:2]
    for k in range(12):
        s = int(rng.integers(min(H, W) // 2, min(H, W) + 1))
        y0 = int(rng.integers(0, H - s + 1)); x0 = int(rng.integers(0, W - s + 1))
        w.add(micro[y0:y0 + s, x0:x0 + s], "fundus", "microaneurysms", "micro_%02d" % k, "test")


def pathology(w, rng):
    ihc = skimage.io.imread(os.path.join(os.path.dirname(skimage.__file__), "data", "ihc.png"))[..., :3]
    # Training tiles from columns 0..383, test tiles from 384..511: no overlap.
    for k in range(90):
        s = int(rng.integers(64, 257))
        y0 = int(rng.integers(0, 512 - s + 1)); x0 = int(rng.integers(0, 384 - s + 1))
        w.add(ihc[y0:y0 + s, x0:x0 + s], "pathology", "ihc_left", "ihc_%03d" % k, "train")
    for k in range(16):
        s = int(rng.integers(64, 129))
        y0 = int(rng.integers(0, 512 - s + 1)); x0 = int(rng.integers(384, 512 - s + 1))
        w.add(ihc[y0:y0 + s, x0:x0 + s], "pathology", "ihc_right", "ihc_test_%02d" % k, "test")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--demo-data", default="")
    args = p.parse_args()
    rng = np.random.default_rng(SEED)
    w = Writer(args.out)
    ct(w, rng, args.demo_data)
    mr(w, rng)
    fundus(w, rng)
    pathology(w, rng)
    for name, keep in (("all.csv", None), ("train.csv", "train"), ("test.csv", "test")):
        with open(os.path.join(args.out, name), "w") as f:
            f.write("path,label,patient\n")
            for rel, label, patient, split in w.rows:
                if keep is None or split == keep:
                    f.write("%s,%s,%s\n" % (rel, label, patient))
    counts = {}
    for _, label, _, split in w.rows:
        counts.setdefault(label, {"train": 0, "test": 0})[split] += 1
    provenance = {
        "made_by": "packaging/bundled_model_data.py (seed %d)" % SEED,
        "counts": counts,
        "sources": {
            "CT": "python3-imageio stent.npz (values read as HU, below 0 stored as 0); python3-pydicom CT_small.dcm; octave-dicom CT-MONO2-16-ankle.dcm (demo data; a 3D surface rendering, ImageType DERIVED\\SECONDARY\\3D)",
            "MR": "python3-nibabel example4d.nii.gz, anatomical.nii; python3-pydicom MR_small.dcm",
            "fundus": "python3-skimage retina.jpg (CC0), microaneurysms.png",
            "pathology": "python3-skimage ihc.png (one image: test tiles from its right quarter, training tiles from the rest)",
        },
        "labels": "the modality of each image's source; no manual labelling",
        "split": "train/test by source image (patient column); pathology by region of its single image",
        "files_sha256": {rel: sha256(os.path.join(args.out, rel)) for rel, _, _, _ in w.rows},
    }
    with open(os.path.join(args.out, "provenance.json"), "w") as f:
        json.dump(provenance, f, indent=1)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
