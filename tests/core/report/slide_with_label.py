#!/usr/bin/python3
"""Slide fixtures for the slide de-identification test (SlideDeidentifierTest.cpp).

make OUT.svs   writes an Aperio-layout SVS (the layout OpenSlide's aperio driver reads): two
               tiled pyramid levels of skimage's real IHC image, a thumbnail, a label and a macro
               image. The label and macro pixels hold the byte pattern CANARY-PIXELS, the label's
               description a barcode, level 0's description a file name and a user: every one a
               canary that must be gone from the de-identified copy.
check ORIG OUT prints what OpenSlide sees in OUT (vendor, levels, associated images) and
               compares OUT's level-0 pixels with ORIG's over the whole level.
"""
import sys

import numpy as np
import openslide
import tifffile
from skimage import data

HEADER = "Aperio Image Library v12.0.15\r\n"


def canary_image(h, w):
    pattern = np.frombuffer(b"CANARY-PIXELS", dtype=np.uint8)
    return np.resize(pattern, (h, w, 3)).astype(np.uint8)


def make(path):
    ihc = data.immunohistochemistry()  # 512x512 RGB, real IHC-stained tissue
    level0 = np.tile(ihc, (2, 2, 1))   # 1024x1024
    level1 = level0[::2, ::2].copy()
    thumb = level0[::8, ::8].copy()
    with tifffile.TiffWriter(path) as t:
        t.write(level0, tile=(256, 256), photometric="rgb", compression="zlib", metadata=None,
                description=HEADER + "1024x1024 [0,0 1024x1024] (256x256) ZLIB|AppMag = 20|MPP = 0.5"
                "|Filename = CANARY-FILENAME|Date = 01/02/20|Time = 09:59:15|User = CANARY-USER")
        t.write(thumb, photometric="rgb", compression="zlib", rowsperstrip=16, metadata=None,
                description=HEADER + "1024x1024 -> 128x128 - |AppMag = 20|MPP = 0.5")
        t.write(level1, tile=(256, 256), photometric="rgb", compression="zlib", metadata=None,
                description=HEADER + "1024x1024 -> 512x512 - |AppMag = 20|MPP = 0.5")
        t.write(canary_image(96, 160), photometric="rgb", rowsperstrip=96, metadata=None,
                description=HEADER.strip() + "\nlabel 160x96|Barcode = CANARY-BARCODE")
        t.write(canary_image(120, 320), photometric="rgb", rowsperstrip=120, metadata=None,
                description=HEADER.strip() + "\nmacro 320x120")


def check(original, copy):
    a, b = openslide.OpenSlide(original), openslide.OpenSlide(copy)
    print("vendor", b.properties.get(openslide.PROPERTY_NAME_VENDOR))
    print("levels", b.level_count, list(b.level_dimensions))
    print("associated", ",".join(sorted(b.associated_images.keys())) or "-")
    w, h = a.level_dimensions[0]
    same = np.array_equal(np.asarray(a.read_region((0, 0), 0, (w, h))), np.asarray(b.read_region((0, 0), 0, (w, h))))
    print("level0", "identical" if same else "DIFFERENT")
    print("mpp", b.properties.get(openslide.PROPERTY_NAME_MPP_X))


if __name__ == "__main__":
    {"make": lambda: make(sys.argv[2]), "check": lambda: check(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
