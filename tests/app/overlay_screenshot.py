#!/usr/bin/python3
"""End-to-end check of `meridian --open IMAGE --overlay MAP --screenshot OUT.png`.

A 14x14 map over the real fundus photograph (1411x1411) is written with nibabel, the way a
script outside Meridian would make one; meridian draws it and saves the window. On the
screenshot the map's hottest cell must be where the map says, relative to the image's
extent on screen (found as the pixels the overlay changed). The same map over a 128-pixel
CT slice must be refused (exit 5, both extents in the message), an unreadable map too (exit 3).
(A map smaller than its image fits: maps may cover part of an image, as tissue-only slide
maps do.)

NIfTI stores RAS; Meridian (like ITK and DICOM) works in LPS, so a map whose cells sit at
image pixel (x, y) = origin + spacing * (i, j) has the affine diag(-sx, -sy, 1) with
translation (-ox, -oy, 0).

Usage: overlay_screenshot.py MERIDIAN DEMO_DATA OUT_DIR   (run under xvfb-run)
"""
import os
import subprocess
import sys

import nibabel
import numpy as np
from scipy import ndimage
from skimage import io as skio

HOT = (10, 3)  # column, row of the hottest cell
CELLS = 14


def write_map(path, values, spacing, origin):
    affine = np.diag([-spacing, -spacing, 1.0, 1.0])
    affine[0, 3], affine[1, 3] = -origin, -origin
    # nibabel's first array axis is x (columns), the second y (rows).
    nibabel.save(nibabel.Nifti1Image(values.T[:, :, None].astype(np.float32), affine), path)


def run(meridian, *args):
    result = subprocess.run([meridian, *args], capture_output=True, text=True, timeout=120)
    print("$ meridian", " ".join(args), "->", result.returncode)
    print(result.stdout + result.stderr)
    return result


def main():
    meridian, demo, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    image = os.path.join(demo, "fundus-retina.jpg")
    size = 1411
    spacing = size / CELLS
    values = np.full((CELLS, CELLS), 0.1, dtype=np.float32)  # rows, columns
    values[HOT[1], HOT[0]] = 1.0
    good_map = os.path.join(out, "fundus-attention.nii.gz")
    write_map(good_map, values, spacing, spacing / 2 - 0.5)

    plain_png = os.path.join(out, "overlay-plain.png")
    overlay_png = os.path.join(out, "overlay-fundus.png")
    assert run(meridian, "--open", image, "--screenshot", plain_png, "--size", "1600x1000").returncode == 0
    result = run(meridian, "--open", image, "--overlay", good_map, "--screenshot", overlay_png, "--size", "1600x1000")
    assert result.returncode == 0, "the overlay screenshot failed"

    plain = skio.imread(plain_png)[:, :, :3].astype(float)
    shot = skio.imread(overlay_png)[:, :, :3].astype(float)
    changed = np.abs(shot - plain).sum(axis=2) > 12
    # The colour bar (a third of the view's height) changes pixels too: the image's extent
    # is the rows and columns where more than half the pixels changed.
    rows = np.where(changed.mean(axis=1) > 0.5)[0]
    cols = np.where(changed.mean(axis=0) > 0.5)[0]
    assert rows.size and cols.size, "the overlay changed nothing on screen"
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    print(f"overlay extent on screen: x {left}..{right}, y {top}..{bottom}")
    assert abs((right - left) - (bottom - top)) <= 3, "a square image's overlay should be square"

    # The map's colours, unblended (default opacity 0.5: shot = (photo + colour) / 2); jet's
    # hot end is red without blue. The hottest place is the centre of the one-cell window with
    # the most red: the colour bar (drawn over the image when the image fills the view's width)
    # is a thin strip whose red top fills a small part of such a window, the map's hot cell all of it.
    colour = (2 * shot - plain)[top:bottom, left:right]
    heat = colour[:, :, 0] - colour[:, :, 2]
    cell_w, cell_h = (right - left) / CELLS, (bottom - top) / CELLS
    smoothed = ndimage.uniform_filter(heat, size=(int(cell_h), int(cell_w)), mode="constant")
    y, x = np.unravel_index(np.argmax(smoothed), heat.shape)
    expected_x, expected_y = (HOT[0] + 0.5) * cell_w, (HOT[1] + 0.5) * cell_h
    print(f"hottest cell-sized window at ({x}, {y}), map maximum at ({expected_x:.1f}, {expected_y:.1f})")
    assert abs(x - expected_x) < cell_w / 6 and abs(y - expected_y) < cell_h / 6, \
        "the overlay's hottest colour is not where the map's maximum is"
    r, g, b = shot[top + y, left + x]
    assert r > 100 and b < 100, f"the maximum should look red/orange, got {r, g, b}"

    # The fundus map shown on a 128x128 CT slice: it reaches far beyond the image. Refused,
    # with both extents, and no screenshot written.
    ct = os.path.join(demo, "ct-slice.dcm")
    never = os.path.join(out, "never.png")
    result = run(meridian, "--open", ct, "--overlay", good_map, "--screenshot", never)
    assert result.returncode == 5, "a map that does not fit must exit 5"
    assert "does not fit" in result.stderr and "-0.5..1410.5" in result.stderr and "-0.5..127.5" in result.stderr
    assert not os.path.exists(never)

    # Not a map at all.
    junk = os.path.join(out, "not-a-map.nii.gz")
    with open(junk, "wb") as f:
        f.write(b"this is not a NIfTI file")
    result = run(meridian, "--open", image, "--overlay", junk, "--screenshot", never)
    assert result.returncode == 3 and "not-a-map.nii.gz" in result.stderr
    print("overlay screenshot checks passed")


if __name__ == "__main__":
    main()
