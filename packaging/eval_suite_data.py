#!/usr/bin/python3
"""The evaluation suite's tasks and their fixed, leakage-free splits (packaging/make-eval-data.sh).

Every image is real and comes from a Debian package nobody here made; every label is the
source's own (an atlas region, a colour-deconvolution rule, the source file's modality, a
data set's class). Each task gets OUT/<task>/train.csv and OUT/<task>/test.csv
(path,label,patient) and OUT/suite.json lists the tasks. The split rules:

  brain-region  axial 48x48 mm patches of Colin27 (mricron-data ch2.nii.gz, 1 mm T1) labelled
                with the AAL atlas region under the patch centre, grouped into five lobes
                (frontal, parietal, temporal, occipital, cerebellum). Training patches lie
                wholly in the LEFT hemisphere, test patches wholly in the RIGHT one (centres
                at least 24 mm from the midline): no test pixel is in any training patch.
                Test patches are mirrored left-right, so both sides show the lateral
                surface on the same side (the task is the region, not the hemisphere).
  ihc           skimage's ihc.png cut into 256 tiles of 32 px, DAB-positive/negative by mean
                DAB optical density against the median (tests/model/make_ihc_tiles.py);
                tiles of the rightmost 128-px column of regions are the test side.
  modality      packaging/bundled_model_data.py's crops (CT / MR / fundus / pathology) whose
                test crops come from other source files than the training crops, made fair
                (see modality()): the test side holds CT_small (whole and crops), ITK's
                example MR slices (insighttoolkit5-examples Data/: BrainProtonDensitySlice,
                BrainT1Slice, BrainMidSagittalSlice, FatMRISlice), MR_small, skimage's
                red-free microaneurysms.png and the right quarter of ihc.png; the training
                side the stent CT, nibabel's EPI and T1, retina.jpg in colour and red-free,
                the rest of ihc.png and, with --npm-data, real CT and MR slices of two npm
                packages (NPM_SOURCES; packaging/fetch-npm-dicom.sh).
  fashion-mnist the standard split (train-* for training, t10k-* for testing), the first
                --fmnist-train / --fmnist-test images of each (all 60000 / 10000 with 0).

usage: eval_suite_data.py OUT --mricron DIR --itk-data DIR --fmnist DIR [--demo-data DIR] [--npm-data DIR]
       [--fmnist-train 2000] [--fmnist-test 1000] [--brain-per-class 120] [--only TASK ...]
Deterministic (fixed seeds); no network. Refuses a task whose test side lacks a class.
"""
import argparse
import csv
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys

import nibabel
import numpy as np
import skimage.io

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SEED = 20261202

# AAL label name prefixes -> lobe. Regions not listed (insula, cingulum, deep grey matter,
# hippocampus, ...) are left out: a handful of large, unambiguous classes.
LOBES = [
    ("frontal", ("Precentral", "Frontal_", "Supp_Motor_Area", "Olfactory", "Rectus", "Paracentral_Lobule")),
    ("parietal", ("Postcentral", "Parietal_", "SupraMarginal", "Angular", "Precuneus")),
    ("temporal", ("Temporal_", "Heschl")),
    ("occipital", ("Calcarine", "Cuneus", "Lingual", "Occipital_", "Fusiform")),
    ("cerebellum", ("Cerebelum_", "Vermis_")),
]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["path", "label", "patient"])
        out.writerows(rows)


def require_all_classes(task, train, test):
    missing = sorted({r[1] for r in train} - {r[1] for r in test})
    if missing:
        sys.exit("eval_suite_data: task %s: class %s has no test image" % (task, ", ".join(missing)))


def brain_region(out, mricron, per_class):
    t1 = np.asarray(nibabel.load(os.path.join(mricron, "ch2.nii.gz")).dataobj, dtype=np.float64)
    aal_img = nibabel.load(os.path.join(mricron, "aal.nii.gz"))
    aal = np.asarray(aal_img.dataobj)
    assert aal.shape == t1.shape, "AAL and ch2 are not on one grid"
    names = {}
    with open(os.path.join(mricron, "aal.nii.txt")) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                names[int(parts[0])] = parts[1]
    lobe_of = np.zeros(256, dtype=np.int64)  # 0 = not used, k = LOBES[k-1]
    for code, name in names.items():
        for k, (_, prefixes) in enumerate(LOBES, start=1):
            if name.startswith(prefixes):
                lobe_of[code] = k
    lobes = lobe_of[aal]
    # 8-bit window over the head: 0.5..99.5 percentiles of non-zero voxels.
    lo, hi = np.percentile(t1[t1 > 0], [0.5, 99.5])
    t8 = (np.clip((t1 - lo) / (hi - lo), 0, 1) * 255 + 0.5).astype(np.uint8)
    half = 24
    mid = int(round(-aal_img.affine[0, 3] / aal_img.affine[0, 0]))  # voxel index of x = 0 mm
    nx, ny, nz = t1.shape
    candidates = {side: {k: [] for k in range(1, len(LOBES) + 1)} for side in ("L", "R")}
    for z in range(8, nz - 8, 3):
        for y in range(half, ny - half, 4):
            for x in range(half, nx - half, 4):
                k = lobes[x, y, z]
                if k == 0 or abs(x - mid) < half:
                    continue
                side = "L" if x < mid else "R"  # RAS grid: voxel x grows to the subject's right
                candidates[side][k].append((x, y, z))
    rng = np.random.default_rng(SEED)
    rows = {"train": [], "test": []}
    os.makedirs(os.path.join(out, "patches"), exist_ok=True)
    for side, split in (("L", "train"), ("R", "test")):
        for k, (lobe, _) in enumerate(LOBES, start=1):
            pool = candidates[side][k]
            pick = sorted(rng.choice(len(pool), size=min(per_class, len(pool)), replace=False))
            for i in pick:
                x, y, z = pool[i]
                patch = np.rot90(t8[x - half:x + half, y - half:y + half, z])  # anterior at the top
                if side == "R":  # mirrored, so both sides show the lateral surface on the left
                    patch = np.fliplr(patch)
                rel = "patches/%s_%s_x%03d_y%03d_z%03d.png" % (lobe, side, x, y, z)
                skimage.io.imsave(os.path.join(out, rel), np.ascontiguousarray(patch), check_contrast=False)
                rows[split].append((rel, lobe, "ch2_%s_z%03d" % (side, z)))
    require_all_classes("brain-region", rows["train"], rows["test"])
    write_csv(os.path.join(out, "train.csv"), rows["train"])
    write_csv(os.path.join(out, "test.csv"), rows["test"])
    return {
        "sources": {p: sha256(os.path.join(mricron, p)) for p in ("ch2.nii.gz", "aal.nii.gz", "aal.nii.txt")},
        "rule": "48x48 mm axial patches of ch2 (1 mm), label = AAL lobe under the centre; "
                "train = left hemisphere, test = right (mirrored left-right), centres >= 24 mm from x = 0",
        "classes": [l for l, _ in LOBES],
        "per_class": per_class,
    }


def ihc(out):
    subprocess.run([sys.executable, os.path.join(REPO, "tests", "model", "make_ihc_tiles.py"), out, "--tile", "32"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "labels.csv")) as f:
        rows = list(csv.reader(f))[1:]
    # patient = region_<row>_<col> of 128-px regions: the rightmost column is the test side.
    test = [r for r in rows if r[2].endswith("_3")]
    train = [r for r in rows if not r[2].endswith("_3")]
    require_all_classes("ihc", train, test)
    write_csv(os.path.join(out, "train.csv"), train)
    write_csv(os.path.join(out, "test.csv"), test)
    with open(os.path.join(out, "provenance.json")) as f:
        provenance = json.load(f)
    provenance["split"] = "test = tiles of the rightmost 128-px column of regions (x >= 384)"
    return provenance


def crops(img, rng, n, low, high):
    """n random square crops with sides low..high of the short side (fractions)."""
    h, w = img.shape[:2]
    out = []
    for _ in range(n):
        s = int(rng.integers(int(min(h, w) * low), int(min(h, w) * high) + 1))
        y0 = int(rng.integers(0, h - s + 1)); x0 = int(rng.integers(0, w - s + 1))
        out.append(img[y0:y0 + s, x0:x0 + s])
    return out


# Real CT and MR slices from npm packages (packaging/fetch-npm-dicom.sh: MIT and Apache-2.0, so they
# may train the shipped head), for the modality task's TRAINING side only. Why (2026-12-03): the
# only CT training source was imageio's stent, whose values are HU clipped at 0, so air was never
# black in any window, while the test CT (CT_small) has air at -1000 HU; and MR training was
# nibabel's EPI and one small T1. Each entry: package, file, label, frames used.
NPM_SOURCES = [
    ("cornerstone-wado-image-loader", "package/testImages/CTImage.dcm", "CT", None),  # GE chest, neck level
    ("cornerstone-wado-image-loader", "package/testImages/CT1_J2KR", "CT", None),  # GE chest (JPEG 2000)
    ("ami.js", "package/data/dicom/MELANIX.dcm", "CT", None),  # Siemens PET/CT, pelvis
    ("ami.js", "package/data/dicom/ser002img00001-16-signed.dcm", "CT", None),  # GE head CT, skull base
    ("ami.js", "package/data/dicom/adi_slice.dcm", "MR", None),  # Siemens MEMPRAGE head
    ("ami.js", "package/data/dicom/mi2b2.dcm", "MR", None),  # GE DWI b1000 brain
    ("ami.js", "package/data/dicom/MR-MONO2-8-16x-heart.dcm", "MR", (0, 4, 8, 12)),  # Philips cardiac cine
]
# The CT windows of the test side's CT_small crops (bundled_model_data.py): soft tissue (the
# card's ct_windows, what a windowless CT is shown through at run time), lung, bone.
NPM_CT_WINDOWS = [(40, 400), (-600, 1500), (400, 1800)]


def read_dicom(path):
    """Pixel values (rescaled) of a DICOM file; compressed syntaxes pydicom cannot decode here
    (JPEG lossless) go through DCMTK's dcmdjpeg, a Meridian dependency, into a temporary copy."""
    import tempfile
    import pydicom
    ds = pydicom.dcmread(path)
    try:
        pixels = ds.pixel_array
    except Exception:
        with tempfile.TemporaryDirectory() as tmp:
            plain = os.path.join(tmp, "plain.dcm")
            subprocess.run(["dcmdjpeg", path, plain], check=True, stderr=subprocess.DEVNULL)
            ds = pydicom.dcmread(plain)
            pixels = ds.pixel_array
    return ds, pixels.astype(np.float64) * float(getattr(ds, "RescaleSlope", 1)) + float(
        getattr(ds, "RescaleIntercept", 0))


def blank(img):
    """tests/model/modality_data_test.py's rule: one grey value over 90 % of the pixels, or a
    standard deviation under 4 grey levels."""
    flat = np.asarray(img).reshape(-1)
    return np.bincount(flat, minlength=256).max() / flat.size > 0.9 or flat.std() < 4.0


def npm_training_crops(out, npm_data, save, train):
    """Per source: the whole slice and 4 crops (half to all of the short side), a CT in each of
    NPM_CT_WINDOWS, an MR through its 0.5..99.5 percentiles (as bundled_model_data.py renders
    MR and Meridian shows a windowless MR). Own seed, drawn after every other crop, so the test
    side and the older training crops are the same images as without --npm-data. Checks each
    file's modality and that its ImageType is an ORIGINAL or PRIMARY image, not a derived
    secondary rendering."""
    sys.path.insert(0, HERE)
    from bundled_model_data import percentile8, to8  # same folder
    with open(os.path.join(npm_data, "npm-packages.json")) as f:
        versions = {p["package"][len("npm:"):]: (p["version"], p["licence"]) for p in json.load(f)["packages"]}
    rng = np.random.default_rng(SEED + 2)
    used = {}
    for package, rel, label, frames in NPM_SOURCES:
        path = os.path.join(npm_data, package, rel)
        ds, values = read_dicom(path)
        image_type = [str(v).upper() for v in getattr(ds, "ImageType", [])]
        if ds.Modality != label or "SECONDARY" in image_type or "LOCALIZER" in image_type:
            sys.exit("eval_suite_data: %s is %s %s, not a %s cross-section" % (path, ds.Modality, "\\".join(image_type), label))
        stem = "npm_" + os.path.splitext(os.path.basename(rel))[0].replace(".", "_").replace("-", "_")
        slices = [values[f] for f in frames] if frames else [values]
        renders = []
        for i, v in enumerate(slices):
            tag = "_f%02d" % frames[i] if frames else ""
            if label == "CT":
                renders += [("%s%s_w%d" % (stem, tag, k), to8(v, c - w / 2, c + w / 2)) for k, (c, w) in enumerate(NPM_CT_WINDOWS)]
            else:
                renders.append((stem + tag, percentile8(v)))
        count = 0
        for name, img in renders:
            pictures = [(name, img)] + [("%s_crop%d" % (name, k), c) for k, c in enumerate(crops(img, rng, 4, 0.5, 1.0))]
            for n, picture in pictures:
                if not blank(picture):  # an air-only corner at the bone window says nothing
                    save(picture, label, n, stem, train)
                    count += 1
        used[stem] = {"package": "%s@%s" % (package, versions[package][0]), "licence": versions[package][1], "file": rel, "label": label, "modality": ds.Modality,
                      "image_type": "\\".join(image_type), "crops": count, "sha256": sha256(path)}
    return used


def rewrite_provenance(out, train, test, npm=None):
    """bundled_model_data.py's provenance.json describes its own split; the folder now holds
    this one (packaging/make-bundled-model.sh ships it in the bundled model's card)."""
    path = os.path.join(out, "provenance.json")
    with open(path) as f:
        provenance = json.load(f)
    labels = sorted({r[1] for r in train + test})
    provenance["counts"] = {c: {"train": sum(r[1] == c for r in train), "test": sum(r[1] == c for r in test)}
                            for c in labels}
    provenance["split"] = ("train/test by source file (eval_suite_data.py's fair modality split: the ankle, a 3D "
                           "rendering, left out; red-free fundus and structural MR on both sides); pathology by "
                           "region of its single image")
    provenance["made_by"] = "packaging/eval_suite_data.py --only modality (on packaging/bundled_model_data.py)"
    if npm:
        for stem, source in npm.items():
            provenance["sources"][source["label"]] += "; npm %s %s (%s; training only)" % (
                source["package"], source["file"], source["licence"])
        provenance["npm_sources"] = npm
    # The split by source, per modality: what the head trained on and what only tests it.
    for side, rows in (("train_sources", train), ("test_sources", test)):
        provenance[side] = {c: sorted({r[2] for r in rows if r[1] == c}) for c in labels}
    provenance["files_sha256"] = {r[0]: sha256(os.path.join(out, r[0])) for r in train + test}
    with open(path, "w") as f:
        json.dump(provenance, f, indent=1)


def modality(out, itk_data, demo, npm_data=""):
    """bundled_model_data.py's crops, made fair (2026-12-02; before, every backbone scored at
    chance because each test class looked like another class's training crops):
      - the octave-dicom ankle leaves the test side: it is a 3D surface rendering (ImageType
        DERIVED\\SECONDARY\\3D), not a CT cross-section;
      - CT test = pydicom's CT_small in three windows, whole and in crops;
      - nibabel's anatomical.nii (T1) moves to the training side, so MR training covers
        structural MR and not only the example4d EPI; the test side is ITK's brain PD / T1 /
        mid-sagittal and fat MR slices and pydicom's MR_small;
      - the test fundus (skimage microaneurysms.png) is a red-free (grey) photograph: the
        training side gets red-free crops (the green channel, as red-free fundus photography
        shows it) of retina.jpg, its only colour fundus source.
    Training and test images still come from different source files."""
    args = [sys.executable, os.path.join(HERE, "bundled_model_data.py"), out]
    if demo:
        args += ["--demo-data", demo]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "train.csv")) as f:
        train = list(csv.reader(f))[1:]
    with open(os.path.join(out, "test.csv")) as f:
        test = list(csv.reader(f))[1:]
    train += [r for r in test if r[2] == "anatomical"]
    test = [r for r in test if r[2] not in ("anatomical", "ankle")]
    rng = np.random.default_rng(SEED + 1)

    def save(img, label, stem, patient, rows):
        rel = "images/%s/%s.png" % (label, stem)
        os.makedirs(os.path.join(out, "images", label), exist_ok=True)
        skimage.io.imsave(os.path.join(out, rel), np.ascontiguousarray(img), check_contrast=False)
        rows.append([rel, label, patient])

    sources = {}
    for name in ("BrainProtonDensitySlice.png", "BrainT1Slice.png", "BrainMidSagittalSlice.png", "FatMRISlice.png"):
        path = os.path.join(itk_data, name)
        sources[name] = sha256(path)
        img = skimage.io.imread(path)
        stem = "itk_" + os.path.splitext(name)[0]
        save(img, "MR", stem, stem, test)
        for k, crop in enumerate(crops(img, rng, 4, 0.5, 1.0)):  # half to all of the short side
            save(crop, "MR", "%s_crop%d" % (stem, k), stem, test)
    ct_rows = [r for r in test if r[2] == "ct_small"]
    for r in ct_rows:  # each window of CT_small, in 3 crops of 50..90 % of the side
        img = skimage.io.imread(os.path.join(out, r[0]))
        stem = os.path.splitext(os.path.basename(r[0]))[0]
        for k, crop in enumerate(crops(img, rng, 3, 0.5, 0.9)):
            save(crop, "CT", "%s_crop%d" % (stem, k), "ct_small", test)
    retina_path = os.path.join(os.path.dirname(skimage.__file__), "data", "retina.jpg")
    green = skimage.io.imread(retina_path)[..., 1]
    for k in range(45):  # red-free crops inside the fundus disc, 160..700 px (as the colour ones)
        s = int(rng.integers(160, 701))
        cy, cx = rng.integers(250 + s // 2, 1161 - s // 2 + 1, size=2)
        save(green[cy - s // 2:cy - s // 2 + s, cx - s // 2:cx - s // 2 + s], "fundus", "retina_redfree_%03d" % k,
             "retina", train)
    npm = npm_training_crops(out, npm_data, save, train) if npm_data else {}
    require_all_classes("modality", train, test)
    write_csv(os.path.join(out, "train.csv"), train)
    write_csv(os.path.join(out, "test.csv"), test)
    train_sources = sorted({r[2] for r in train})
    test_sources = sorted({r[2] for r in test})
    assert not set(train_sources) & set(test_sources), "a source file on both sides"
    rewrite_provenance(out, train, test, npm)
    return {"itk_sources": sources, "npm_sources": npm, "train_sources": train_sources, "test_sources": test_sources,
            "rule": "test crops come from other source files than training crops; the ankle (a 3D rendering) is "
                    "left out; red-free fundus and structural MR on both sides"}


FMNIST_CLASSES = ["tshirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                  "ankle_boot"]


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=header)


def fashion_mnist(out, fmnist, n_train, n_test):
    rows = {}
    sources = {}
    for split, prefix, n in (("train", "train", n_train), ("test", "t10k", n_test)):
        images_path = os.path.join(fmnist, prefix + "-images-idx3-ubyte.gz")
        labels_path = os.path.join(fmnist, prefix + "-labels-idx1-ubyte.gz")
        sources[os.path.basename(images_path)] = sha256(images_path)
        sources[os.path.basename(labels_path)] = sha256(labels_path)
        images = read_idx(images_path, 16).reshape(-1, 28, 28)
        labels = read_idx(labels_path, 8)
        n = len(labels) if n == 0 else min(n, len(labels))
        os.makedirs(os.path.join(out, split), exist_ok=True)
        rows[split] = []
        for i in range(n):
            rel = "%s/%05d.png" % (split, i)
            skimage.io.imsave(os.path.join(out, rel), images[i], check_contrast=False)
            rows[split].append((rel, FMNIST_CLASSES[labels[i]], "%s_%05d" % (split, i)))
    require_all_classes("fashion-mnist", rows["train"], rows["test"])
    write_csv(os.path.join(out, "train.csv"), rows["train"])
    write_csv(os.path.join(out, "test.csv"), rows["test"])
    return {"sources": sources, "rule": "standard split: the first %d of train-*, the first %d of t10k-*" % (
        len(rows["train"]), len(rows["test"]))}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--mricron", default="", help="mricron-data's templates/ folder")
    p.add_argument("--itk-data", default="", help="insighttoolkit5-examples' examples/Data folder")
    p.add_argument("--fmnist", default="", help="dataset-fashion-mnist's folder")
    p.add_argument("--demo-data", default="")
    p.add_argument("--npm-data", default="",
                   help="packaging/fetch-npm-dicom.sh's folder: more CT and MR sources for modality's training side")
    p.add_argument("--fmnist-train", type=int, default=2000)
    p.add_argument("--fmnist-test", type=int, default=1000)
    p.add_argument("--brain-per-class", type=int, default=120)
    p.add_argument("--only", action="append", default=[],
                   help="make only this task (repeatable); in an existing OUT, suite.json keeps the others")
    args = p.parse_args()
    needs = {"brain-region": args.mricron, "modality": args.itk_data, "fashion-mnist": args.fmnist}
    for name, folder in needs.items():
        if (not args.only or name in args.only) and not folder:
            p.error("task %s needs its package folder (--mricron, --itk-data, --fmnist)" % name)
    tasks = [
        ("brain-region", "AAL lobe of a 48 mm T1 patch (train left hemisphere, test right)",
         lambda d: brain_region(d, args.mricron, args.brain_per_class)),
        ("ihc", "DAB-positive vs negative 32 px IHC tiles (test = other 128 px regions)", ihc),
        ("modality", "CT / MR / fundus / pathology, test crops from other source files",
         lambda d: modality(d, args.itk_data, args.demo_data, args.npm_data)),
        ("fashion-mnist", "Fashion-MNIST, 10 classes, standard split (subset)",
         lambda d: fashion_mnist(d, args.fmnist, args.fmnist_train, args.fmnist_test)),
    ]
    suite = {"format": "meridian-eval-suite", "version": 1, "seed": SEED, "tasks": []}
    kept = {}
    if args.only and os.path.exists(os.path.join(args.out, "suite.json")):  # else a suite of these tasks only
        with open(os.path.join(args.out, "suite.json")) as f:
            kept = {t["name"]: t for t in json.load(f)["tasks"]}
    for name, description, make in tasks:
        if args.only and name not in args.only:
            if name in kept:
                suite["tasks"].append(kept[name])
            continue
        folder = os.path.join(args.out, name)
        if args.only:
            shutil.rmtree(folder, ignore_errors=True)  # no image of the old recipe stays behind
        os.makedirs(folder, exist_ok=True)
        provenance = make(folder)
        suite["tasks"].append({"name": name, "description": description, "train": name + "/train.csv",
                               "test": name + "/test.csv", "provenance": provenance})
        print("eval_suite_data: %s done" % name, flush=True)
    with open(os.path.join(args.out, "suite.json"), "w") as f:
        json.dump(suite, f, indent=2)


if __name__ == "__main__":
    main()
