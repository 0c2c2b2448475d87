#!/usr/bin/python3
"""Every crop packaging/bundled_model_data.py cuts has something in it.

The modality images feed the bundled model's pretraining and the evaluation suite's modality
task. Until 2026-12-02 the abdominal CT (imageio's stent.npz) was read as "HU + 1000" while
its values are plain HU clipped at 0, so the soft-tissue and bone windows turned 2/3 of the CT
training crops into black pictures and the probe learnt "CT = black" (modality AUROC at
chance). A crop counts as blank when one grey value covers more than 90 % of its pixels or
its standard deviation is under 4 grey levels.

usage: modality_data_test.py WORKDIR [--demo-data DIR]   (exit 1 naming the blank crops)
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys

import numpy as np
import skimage.io

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "packaging", "bundled_model_data.py")


def blank(img):
    flat = np.asarray(img).reshape(-1)
    most = np.bincount(flat, minlength=256).max() / flat.size
    return most > 0.9 or flat.std() < 4.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("work")
    p.add_argument("--demo-data", default="")
    args = p.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    command = [sys.executable, SCRIPT, args.work]
    if args.demo_data:
        command += ["--demo-data", args.demo_data]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(args.work, "all.csv")) as f:
        rows = list(csv.DictReader(f))
    empty = [r["path"] for r in rows if blank(skimage.io.imread(os.path.join(args.work, r["path"])))]
    per_label = {}
    for r in rows:
        per_label[r["label"]] = per_label.get(r["label"], 0) + 1
    print("modality_data_test: %d crops %s, %d blank" % (len(rows), per_label, len(empty)))
    if empty:
        print("blank crops:\n  " + "\n  ".join(empty[:20]) + ("\n  ..." if len(empty) > 20 else ""))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
