#!/usr/bin/python3
"""Unlabelled real images for the bundled model's DINO pretraining (issue 19, item 5).

Every image comes from a Debian package whose licence allows shipping weights trained on it,
and none comes from a source file that any evaluation task tests on:
  CT        imageio's stent.npz (abdominal CT, BSD-2-Clause): axial slices in three windows,
            coronal and sagittal reformats
  MR        nibabel's example4d.nii.gz (EPI, MIT/Expat): axial slices and reformats;
            insighttoolkit5-examples' KmeansTest_T1UCharRaw.nii.gz (T1 head, 128x128x62 at
            2x2x3 mm; Apache-2.0)
  fundus    skimage's retina.jpg (CC0): crops inside the disc
  pathology skimage's ihc.png (no known copyright restrictions): crops of columns 0..383 only
Left out on purpose: everything the modality task tests on (pydicom CT_small/MR_small,
octave-dicom's ankle CT, nibabel's anatomical.nii, skimage's microaneurysms.png, the right
quarter of ihc.png, ITK's BrainProtonDensity*/BrainT1Slice*/FatMRISlice*/BrainMidSagittalSlice
and every ITK file derived from them), mricron-data (its atlases' licences are unchecked; the brain-region task
tests on it), ITK's Visible Woman slices (NLM's own licence terms), Fashion-MNIST (not medical).

usage: bundled_model_pretrain_data.py OUT --itk-data DIR
Writes OUT/images/<kind>/*.png, OUT/pretrain.csv (path,source) and OUT/provenance.json
(sources with SHA-256, counts, every image's SHA-256). Deterministic (seeded); no network.
"""
import argparse
import json
import os

import nibabel
import numpy as np
import skimage
import skimage.io
import skimage.transform

# The 8-bit conversions and hashing are the labelled crops' own (one definition).
from bundled_model_data import percentile8, sha256, to8  # noqa: E402  (same folder)

SEED = 20261202


def aspect(img, row_mm, col_mm):
    """Resample a reformatted slice to square pixels (the finer spacing)."""
    if abs(row_mm - col_mm) < 1e-6:
        return img
    s = min(row_mm, col_mm)
    out = skimage.transform.resize(img.astype(np.float64), (round(img.shape[0] * row_mm / s), round(img.shape[1] * col_mm / s)),
                                   order=1, anti_aliasing=False, preserve_range=True)
    return out


class Writer:
    def __init__(self, out):
        self.out = out
        self.rows = []  # (relpath, source)

    def add(self, img, kind, source, name):
        if img.ndim == 2 and min(img.shape) < 64:  # small slices: upsample so crops have room
            scale = 64.0 / min(img.shape)
            img = (skimage.transform.rescale(img / 255.0, scale, order=1, anti_aliasing=False) * 255 + 0.5).astype(np.uint8)
        rel = os.path.join("images", kind, name + ".png")
        os.makedirs(os.path.join(self.out, "images", kind), exist_ok=True)
        skimage.io.imsave(os.path.join(self.out, rel), img, check_contrast=False)
        self.rows.append((rel, source))


def ct(w, sources):
    path = os.path.join(os.path.dirname(__import__("imageio").__file__), "resources/images/stent.npz")
    sources["stent.npz"] = sha256(path)
    # The values are HU with everything below 0 clipped to 0 (percentiles 25/50/75/99 % =
    # 0/0/62/375), not HU + 1000: read as HU + 1000, the soft-tissue and bone windows came out black.
    hu = np.load(path)["arr_0"].astype(np.float64)
    windows = [(40, 400), (400, 1800), (50, 350), (100, 700)]  # soft tissue, bone, abdomen, wide (no lung: air is clipped)
    for i, z in enumerate(range(2, 256, 2)):  # 127 axial slices, windows in turn
        c, wd = windows[i % len(windows)]
        w.add(to8(hu[z], c - wd / 2, c + wd / 2), "CT", "stent", "stent_ax%03d_w%d" % (z, i % len(windows)))
    for i, y in enumerate(range(8, 120, 4)):  # 28 coronal and 28 sagittal reformats
        c, wd = windows[i % len(windows)]
        w.add(to8(hu[::-1, y, :], c - wd / 2, c + wd / 2), "CT", "stent", "stent_cor%03d" % y)
        w.add(to8(hu[::-1, :, y], c - wd / 2, c + wd / 2), "CT", "stent", "stent_sag%03d" % y)


def mr(w, sources, itk):
    # Not ITK's BrainMidSagittalSlice.png: the modality task tests on it (h19eval's split).
    data = os.path.join(os.path.dirname(nibabel.__file__), "tests", "data")
    path = os.path.join(data, "example4d.nii.gz")
    sources["example4d.nii.gz"] = sha256(path)
    epi = np.asarray(nibabel.load(path).dataobj, dtype=np.float64)
    for t in range(2):
        for z in range(1, 23):  # 44 axial EPI slices
            w.add(percentile8(np.rot90(epi[:, :, z, t])), "MR", "example4d", "epi_t%d_z%02d" % (t, z))
    for x in range(16, 112, 6):  # 16 sagittal, 16 coronal reformats
        w.add(percentile8(np.rot90(epi[x, :, :, 0])), "MR", "example4d", "epi_sag%03d" % x)
    for y in range(12, 92, 5):
        w.add(percentile8(np.rot90(epi[:, y, :, 1])), "MR", "example4d", "epi_cor%03d" % y)
    path = os.path.join(itk, "KmeansTest_T1UCharRaw.nii.gz")
    sources["KmeansTest_T1UCharRaw.nii.gz"] = sha256(path)
    img = nibabel.load(path)
    t1 = np.asarray(img.dataobj, dtype=np.float64)
    dx, dy, dz = (float(v) for v in img.header.get_zooms()[:3])
    for z in range(6, t1.shape[2] - 4, 1):  # axial T1 slices
        w.add(percentile8(np.rot90(t1[:, :, z])), "MR", "itk_kmeans_t1", "t1_ax%02d" % z)
    for x in range(20, t1.shape[0] - 20, 3):  # sagittal and coronal reformats, square pixels
        w.add(percentile8(aspect(np.rot90(t1[x, :, :]), dz, dy)), "MR", "itk_kmeans_t1", "t1_sag%03d" % x)
    for y in range(20, t1.shape[1] - 20, 3):
        w.add(percentile8(aspect(np.rot90(t1[:, y, :]), dz, dx)), "MR", "itk_kmeans_t1", "t1_cor%03d" % y)


def fundus(w, sources, rng):
    path = os.path.join(os.path.dirname(skimage.__file__), "data", "retina.jpg")
    sources["retina.jpg"] = sha256(path)
    retina = skimage.io.imread(path)[..., :3]
    w.add(retina, "fundus", "retina", "retina_full")
    for k in range(200):  # crops inside the fundus disc, 128..900 px
        s = int(rng.integers(128, 901))
        cy, cx = rng.integers(250 + s // 2, 1161 - s // 2 + 1, size=2) if s < 900 else (705, 705)
        w.add(retina[cy - s // 2:cy - s // 2 + s, cx - s // 2:cx - s // 2 + s], "fundus", "retina", "retina_%03d" % k)


def pathology(w, sources, rng):
    path = os.path.join(os.path.dirname(skimage.__file__), "data", "ihc.png")
    sources["ihc.png"] = sha256(path)
    ihc = skimage.io.imread(path)[..., :3]
    for k in range(220):  # columns 0..383 only: the right quarter is the evaluation's test region
        s = int(rng.integers(48, 321))
        y0 = int(rng.integers(0, 512 - s + 1)); x0 = int(rng.integers(0, 384 - s + 1))
        w.add(ihc[y0:y0 + s, x0:x0 + s], "pathology", "ihc_left", "ihc_%03d" % k)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--itk-data", required=True, help="insighttoolkit5-examples' examples/Data folder")
    args = p.parse_args()
    rng = np.random.default_rng(SEED)
    w = Writer(args.out)
    sources = {}
    ct(w, sources)
    mr(w, sources, args.itk_data)
    fundus(w, sources, rng)
    pathology(w, sources, rng)
    with open(os.path.join(args.out, "pretrain.csv"), "w") as f:
        f.write("path,source\n")
        for rel, source in w.rows:
            f.write("%s,%s\n" % (rel, source))
    counts = {}
    for rel, _ in w.rows:
        kind = rel.split(os.sep)[1]
        counts[kind] = counts.get(kind, 0) + 1
    provenance = {
        "made_by": "packaging/bundled_model_pretrain_data.py (seed %d)" % SEED,
        "counts": counts,
        "sources_sha256": sources,
        "packages": {"stent.npz": "python3-imageio (BSD-2-Clause)", "example4d.nii.gz": "python3-nibabel (MIT/Expat)",
                     "KmeansTest_T1UCharRaw.nii.gz": "insighttoolkit5-examples (Apache-2.0)",
                     "retina.jpg": "python3-skimage (CC0, Mikael Haggstrom)",
                     "ihc.png": "python3-skimage (no known copyright restrictions, CMMI)"},
        "excluded": "every source file the evaluation suite tests on (modality: CT_small, ankle CT, anatomical.nii, "
                    "MR_small, microaneurysms.png, ihc.png columns >= 384, ITK BrainProtonDensity*/BrainT1Slice*/FatMRISlice*/BrainMidSagittalSlice); "
                    "mricron-data (licences unchecked); ITK Visible Woman slices; Fashion-MNIST",
        "files_sha256": {rel: sha256(os.path.join(args.out, rel)) for rel, _ in w.rows},
    }
    with open(os.path.join(args.out, "provenance.json"), "w") as f:
        json.dump(provenance, f, indent=1)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
