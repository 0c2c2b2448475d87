#!/usr/bin/python3
"""`meridian-cli convert` outputs read back and compared with an independent reader.

  check_convert.py series CLI SERIES_DIR OUT_DIR
      The series written as NIfTI, read by nibabel, against pydicom: slices stacked along
      the slice normal, rescaled values, and the affine built from the DICOM geometry
      (LPS -> RAS: x and y negated).
  check_convert.py slide CLI SLIDE OUT_DIR
      Slide regions (--level/--region, x,y in level-0 pixels, w,h in level pixels) and the
      default (the whole smallest level) written as PNG, against OpenSlide's own
      read_region, pixel for pixel.

Prints "convert checks passed" and exits 0, or names the first difference and exits 1.
"""
import glob
import os
import shutil
import subprocess
import sys

import numpy as np


def run(cli, *args):
    result = subprocess.run([cli, "convert", *args], capture_output=True, text=True, timeout=300)
    print("$ meridian-cli convert", " ".join(args), "->", result.returncode)
    print(result.stdout + result.stderr, end="")
    if result.returncode != 0:
        sys.exit(f"convert exited {result.returncode}")
    return result


def check_series(cli, series_dir, out):
    import nibabel
    import pydicom

    nii = os.path.join(out, "series.nii.gz")
    run(cli, series_dir, nii)
    slices = [pydicom.dcmread(f) for f in sorted(glob.glob(os.path.join(series_dir, "*"))) if os.path.isfile(f)]
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    slices.sort(key=lambda ds: float(np.dot(np.array(ds.ImagePositionPatient, dtype=float), normal)))
    expected = np.stack([ds.pixel_array * float(getattr(ds, "RescaleSlope", 1)) + float(getattr(ds, "RescaleIntercept", 0))
                         for ds in slices], axis=-1)  # rows, columns, slices
    image = nibabel.load(nii)
    got = np.asarray(image.get_fdata())  # x (columns), y (rows), z
    got = np.transpose(got, (1, 0, 2))
    if got.shape != expected.shape:
        sys.exit(f"shape {got.shape} != pydicom's {expected.shape}")
    if not np.allclose(got, expected, atol=1e-3):
        sys.exit(f"voxels differ from pydicom's stack: max |diff| {np.abs(got - expected).max()}")
    dy, dx = (float(v) for v in slices[0].PixelSpacing)  # row spacing, column spacing
    p0 = np.array(slices[0].ImagePositionPatient, dtype=float)
    p1 = np.array(slices[-1].ImagePositionPatient, dtype=float)
    step = (p1 - p0) / (len(slices) - 1)
    lps = np.eye(4)
    lps[:3, 0], lps[:3, 1], lps[:3, 2], lps[:3, 3] = row * dx, col * dy, step, p0
    expected_affine = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
    if not np.allclose(image.affine, expected_affine, atol=1e-3):
        sys.exit(f"affine\n{image.affine}\n!= pydicom's\n{expected_affine}")
    print(f"series: {expected.shape} voxels and affine equal pydicom's")


def check_slide(cli, slide_path, out):
    import openslide
    from PIL import Image

    slide = openslide.OpenSlide(slide_path)
    last = slide.level_count - 1
    cases = [("level0", 0, (1000, 1000, 300, 200)),
             ("level1", min(1, last), (1200, 800, 150, 100)),
             ("default", last, None)]
    for name, level, region in cases:
        png = os.path.join(out, f"region-{name}.png")
        args = [slide_path, png]
        if region is not None:
            args += ["--level", str(level), "--region", ",".join(str(v) for v in region)]
        run(cli, *args)
        x, y, w, h = region if region is not None else (0, 0, *slide.level_dimensions[last])
        expected = np.asarray(slide.read_region((x, y), level, (w, h)).convert("RGB"))
        got = np.asarray(Image.open(png).convert("RGB"))
        if got.shape != expected.shape:
            sys.exit(f"{name}: size {got.shape} != OpenSlide's {expected.shape}")
        if not np.array_equal(got, expected):
            sys.exit(f"{name}: pixels differ from OpenSlide's read_region: max |diff| "
                     f"{np.abs(got.astype(int) - expected).max()}, {np.count_nonzero(got != expected)} values")
        if expected.std() < 5:
            sys.exit(f"{name}: the reference region is flat; choose one with tissue")
        print(f"slide {name}: level {level} region {x},{y},{w},{h} equals OpenSlide's")


def main():
    mode, cli, source, out = sys.argv[1:5]
    # A fresh folder each run: convert refuses to overwrite an existing output (no --force),
    # so a rerun over the last run's files would fail for the wrong reason.
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    {"series": check_series, "slide": check_slide}[mode](cli, source, out)
    print("convert checks passed")


if __name__ == "__main__":
    main()
