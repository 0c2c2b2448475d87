#!/usr/bin/python3
"""Measures two numbers of issue 12's closing note with meridian-cli (not a ctest: timings).

  report: a 100-case project (skimage's camera, each copy with one pixel changed so that every
          case is its own file, each with a prediction in infer's layout and a review) ->
          `meridian-cli report --project P --out r.pdf`; pages per second = pages / wall time.
  deid:   `meridian-cli deid SERIES OUT` on a DICOM series (the demo series by default);
          files per second = files / wall time.

Each is run RUNS times; the median, min and max are printed. The wall time includes the process
start, as a user sees it.

usage: bench_report_deid.py MERIDIAN_CLI WORK_DIR DICOM_SERIES_FOLDER [RUNS]
"""

import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
from PIL import Image
from skimage import data

CLI, WORK, SERIES = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
RUNS = int(sys.argv[4]) if len(sys.argv) > 4 else 5
CASES = 100


def run(*args):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, args))}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def pdf_pages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def make_project():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(f"{WORK}/images")
    camera = data.camera()
    for i in range(CASES):
        img = camera.copy()
        img[0, i] ^= 0xFF  # one pixel: a distinct file (and SHA-256) per case
        Image.fromarray(img).save(f"{WORK}/images/camera-{i:03d}.png")
    project = f"{WORK}/project"
    run("project", "create", project)
    run("project", "add", project, f"{WORK}/images")
    cases = json.loads(run("project", "list", "--json", project).stdout)
    if len(cases) != CASES:
        sys.exit(f"bench: the project holds {len(cases)} cases, wanted {CASES}")
    for n, c in enumerate(cases):
        p = {"model": {"name": "vit-bench", "sha256": "4f1c" * 16}, "input": c["path"], "modality": "photo",
             "outputs": {"classification": {"normal": 1 - n / CASES, "tumour": n / CASES}}}
        with open(f"{WORK}/p.json", "w") as f:
            json.dump(p, f)
        run("project", "add-prediction", project, c["id"], f"{WORK}/p.json")
        run("project", "--user", "Dr. Bench", "review", project, c["id"], "accept")
    return project


def summary(values):
    return f"median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"


def main():
    project = make_project()
    rates = []
    for i in range(RUNS):
        out = f"{WORK}/report-{i}.pdf"
        start = time.monotonic()
        run("report", "--project", project, "--out", out)
        wall = time.monotonic() - start
        rates.append(pdf_pages(out) / wall)
    pages = pdf_pages(f"{WORK}/report-0.pdf")
    print(f"report: {CASES}-case project, {pages} pages: {summary(rates)} pages/s over {RUNS} runs")

    files = [f for f in glob.glob(f"{SERIES}/**/*", recursive=True) if os.path.isfile(f)]
    rates = []
    for i in range(RUNS):
        out = f"{WORK}/deid-{i}"
        start = time.monotonic()
        run("deid", SERIES, out)
        wall = time.monotonic() - start
        written = len(glob.glob(f"{out}/**/*.dcm", recursive=True))
        rates.append(written / wall)
    print(f"deid: {SERIES} ({len(files)} files, {written} written): {summary(rates)} files/s over {RUNS} runs")


if __name__ == "__main__":
    main()
