#!/usr/bin/python3
"""A small labelled set from a real image: tiles of skimage's immunohistochemistry crop
(skimage/data/ihc.png, 512x512, from the Immunohistochemistry image of the Human Protein
Atlas as packaged by scikit-image) labelled DAB-positive / DAB-negative.

Label rule (the peer's colour deconvolution, not a pathologist): skimage.color.rgb2hed
separates haematoxylin, eosin and DAB; a tile is "dab_positive" when its mean DAB optical
density is above the median over all tiles, else "dab_negative" (balanced classes by
construction). "patient" is the 128x128 region the tile lies in, so a patient-level split
keeps neighbouring tiles on one side.

usage: make_ihc_tiles.py OUTDIR [--tile 32] [--format png|ppm]
Writes OUTDIR/tiles/r{row}_c{col}.{png|ppm}, OUTDIR/labels.csv (path,label,patient) and
OUTDIR/provenance.json. Skips the work when labels.csv is newer than this script.
"""
import argparse
import hashlib
import json
import os

import numpy as np
import skimage
import skimage.color
import skimage.io


def write_ppm(path, rgb):
    h, w, _ = rgb.shape
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h))
        f.write(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--tile", type=int, default=32)
    parser.add_argument("--format", choices=["png", "ppm"], default="png")
    args = parser.parse_args()
    csv_path = os.path.join(args.out, "labels.csv")
    if os.path.exists(csv_path) and os.path.getmtime(csv_path) >= os.path.getmtime(os.path.abspath(__file__)):
        return
    source = os.path.join(os.path.dirname(skimage.__file__), "data", "ihc.png")
    rgb = skimage.io.imread(source)[..., :3]
    dab = skimage.color.rgb2hed(rgb)[..., 2]
    t = args.tile
    rows, cols = rgb.shape[0] // t, rgb.shape[1] // t
    means = np.array([[dab[r * t:(r + 1) * t, c * t:(c + 1) * t].mean() for c in range(cols)] for r in range(rows)])
    threshold = float(np.median(means))
    os.makedirs(os.path.join(args.out, "tiles"), exist_ok=True)
    lines = ["path,label,patient"]
    region = max(1, 128 // t)
    for r in range(rows):
        for c in range(cols):
            name = "tiles/r%02d_c%02d.%s" % (r, c, args.format)
            tile = rgb[r * t:(r + 1) * t, c * t:(c + 1) * t]
            if args.format == "ppm":
                write_ppm(os.path.join(args.out, name), tile)
            else:
                skimage.io.imsave(os.path.join(args.out, name), tile, check_contrast=False)
            label = "dab_positive" if means[r, c] > threshold else "dab_negative"
            lines.append("%s,%s,region_%d_%d" % (name, label, r // region, c // region))
    with open(os.path.join(args.out, "provenance.json"), "w") as f:
        json.dump({
            "source": source,
            "source_sha256": hashlib.sha256(open(source, "rb").read()).hexdigest(),
            "source_origin": "scikit-image data/ihc.png (Human Protein Atlas IHC crop), Debian python3-skimage",
            "tile": t,
            "label_rule": "mean rgb2hed DAB optical density of the tile > median over tiles",
            "dab_threshold": threshold,
            "patient": "128x128 region index",
            "tiles": rows * cols,
        }, f, indent=2)
    with open(csv_path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
