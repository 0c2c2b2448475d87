#!/usr/bin/python3
"""`meridian-cli demo` outputs read back: demo-summary.json lists every item of the demo
set's provenance.json without an error, each item's size equals what an independent
reader says (nibabel, pydicom, PIL, OpenSlide), and each preview PNG exists, fits in
1024 pixels with the item's aspect ratio and shows an image (not one flat grey). With the
bundled model (the default: no MERIDIAN_MODEL), each item whose manifest modality is one of
the model's labels gets that label, except a derived 3D rendering (DICOM ImageType ...\3D, the
octave-dicom ankle: not a cross-section). Issue 19: every CT came out "MR" when a windowless
CT in HU reached the model stretched from its lowest to its highest value.

Usage: check_demo.py CLI DEMO_DATA OUT_DIR
"""
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

PREVIEW_SIDE = 1024


def reference_size(path):
    """(width, height) of the picture the demo previews, by a reader that is not Meridian's."""
    name = os.path.basename(path)
    if os.path.isdir(path):
        import pydicom
        first = pydicom.dcmread(os.path.join(path, sorted(os.listdir(path))[0]), stop_before_pixels=True)
        return int(first.Columns), int(first.Rows)
    if name.endswith((".nii", ".nii.gz")):
        import nibabel
        shape = nibabel.load(path).shape
        return int(shape[0]), int(shape[1])  # the middle axial slice
    if name.endswith(".dcm"):
        import pydicom
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        return int(ds.Columns), int(ds.Rows)
    if name.endswith(".tif"):
        import openslide
        s = openslide.OpenSlide(path)
        return s.level_dimensions[0]  # the preview fits the whole slide into 1024 pixels
    with Image.open(path) as im:
        return im.size


def is_3d_rendering(path):
    if not path.endswith(".dcm"):
        return False
    import pydicom
    image_type = pydicom.dcmread(path, stop_before_pixels=True).get("ImageType", [])
    return "3D" in [str(v).upper() for v in image_type]


def check_predictions(manifest, got, demo):
    labels = {"CT", "MR", "fundus", "pathology"}
    for item in manifest["items"]:
        name, want = item["file"], item.get("modality", "")
        if want not in labels or is_3d_rendering(os.path.join(demo, name)):
            continue
        prediction = got[name].get("model_prediction")
        if prediction is None:
            sys.exit(f"{name}: no model prediction (the bundled model did not load?)")
        if prediction["label"] != want:
            sys.exit(f"{name}: the bundled model says {prediction['label']} "
                     f"({prediction['probability']:.2f}), the file is {want}")
        print(f"{name}: model says {want} ({prediction['probability']:.2f})")


def main():
    cli, demo, out = sys.argv[1:4]
    result = subprocess.run([cli, "demo", "--data", demo, "--out", out], capture_output=True, text=True, timeout=600)
    print(result.stdout + result.stderr, end="")
    if result.returncode != 0:
        sys.exit(f"demo exited {result.returncode}")
    manifest = json.load(open(os.path.join(demo, "provenance.json")))
    summary = json.load(open(os.path.join(out, "demo-summary.json")))
    files = [item["file"] for item in manifest["items"]]
    got = {item["file"]: item for item in summary["items"]}
    if sorted(got) != sorted(files):
        sys.exit(f"summary lists {sorted(got)}, the demo set holds {sorted(files)}")
    for name in files:
        item = got[name]
        if "error" in item:
            sys.exit(f"{name}: {item['error']}")
        width, height = reference_size(os.path.join(demo, name))
        preview_path = os.path.join(out, item["preview"])
        with Image.open(preview_path) as im:
            preview = np.asarray(im.convert("L"), dtype=float)
        scale = min(1.0, PREVIEW_SIDE / max(width, height))
        expected = (round(height * scale), round(width * scale))
        if abs(preview.shape[0] - expected[0]) > 1 or abs(preview.shape[1] - expected[1]) > 1:
            sys.exit(f"{name}: preview is {preview.shape[1]}x{preview.shape[0]}, the item is {width}x{height} "
                     f"(expected {expected[1]}x{expected[0]})")
        if preview.std() < 10 or len(np.unique(preview)) < 8:
            sys.exit(f"{name}: the preview is nearly flat (std {preview.std():.1f})")
        print(f"{name}: {width}x{height}, preview {preview.shape[1]}x{preview.shape[0]} std {preview.std():.0f}")
    if not os.environ.get("MERIDIAN_MODEL"):
        check_predictions(manifest, got, demo)
    print("demo checks passed")


if __name__ == "__main__":
    main()
