#!/usr/bin/python3
"""The scaling table of issue 19 (the BioVFM-21M question: does more data or a bigger model help?).

For each architecture (ViT-T/16, ViT-S/16) and each fraction of the pretraining images (25, 50,
100 %): DINO from a seed-fixed random initialisation with `meridian-cli pretrain --arch`, the same
number of optimiser steps for every run, then `meridian-cli evaluate-suite --backbone model` on
the brain-region and fashion-mnist tasks (linear probe AUROC with 95 % bootstrap CIs). A
"0 %" row per architecture is the same random initialisation without pretraining (the suite's
random_init backbone), so every row is read against its own starting point.

The pretraining images are the training sides of the two tasks (labels unused; no test image
is ever pretrained on), shuffled once with a fixed seed; the fractions are nested (the 25 % set
is inside the 50 % set). Runs and results are kept in OUT, so an interrupted table resumes.

usage: suite_scaling.py --suite build/eval-data/suite.json --out build/scaling
       [--cli build/bin/meridian-cli] [--arch vit_t_16 --arch vit_s_16] [--fraction 25 ...]
       [--steps 100] [--image-size 48] [--batch 32] [--local-crops 2] [--bootstrap 1000]
       [--max-train-per-class N] [--max-test-per-class N]
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = ("brain-region", "fashion-mnist")


def pretraining_images(suite_path):
    suite = json.load(open(suite_path))
    base = os.path.dirname(os.path.abspath(suite_path))
    paths = []
    for task in suite["tasks"]:
        if task["name"] in TASKS:
            csv_path = os.path.join(base, task["train"])
            with open(csv_path) as f:
                for row in csv.DictReader(f):
                    paths.append(os.path.join(os.path.dirname(csv_path), row["path"]))
    missing = sorted(set(TASKS) - {t["name"] for t in suite["tasks"]})
    if missing:
        sys.exit("suite_scaling: %s has no task %s" % (suite_path, ", ".join(missing)))
    paths.sort()
    random.Random(20261202).shuffle(paths)
    return paths


def run(command, log):
    started = time.monotonic()
    with open(log, "w") as out:
        code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
    if code != 0:
        sys.exit("suite_scaling: %s failed (exit %d), see %s" % (command[1], code, log))
    return time.monotonic() - started


def evaluate(a, model, backbone, out_json):
    if os.path.exists(out_json):
        return json.load(open(out_json))
    command = [a.cli, "evaluate-suite", "--model", model, "--suite", a.suite, "--backbone", backbone, "--json",
               "--bootstrap", str(a.bootstrap), "--no-cache"]
    for t in TASKS:
        command += ["--task", t]
    if a.max_train_per_class:
        command += ["--max-train-per-class", str(a.max_train_per_class)]
    if a.max_test_per_class:
        command += ["--max-test-per-class", str(a.max_test_per_class)]
    with open(out_json + ".part", "w") as out:
        code = subprocess.run(command, stdout=out).returncode
    if code != 0:
        sys.exit("suite_scaling: evaluate-suite failed (exit %d) for %s" % (code, model))
    os.replace(out_json + ".part", out_json)
    return json.load(open(out_json))


def cell(result):
    lo, hi = result["auroc_ci"]
    return "%.3f [%.3f, %.3f]" % (result["auroc"], lo, hi)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--suite", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--cli", default=os.path.join(HERE, "..", "..", "build", "bin", "meridian-cli"))
    p.add_argument("--arch", action="append", default=[])
    p.add_argument("--fraction", action="append", type=int, default=[])
    p.add_argument("--steps", type=int, default=100, help="DINO steps of every run (the same budget)")
    p.add_argument("--image-size", type=int, default=48, help="model input (the brain patches are 48 px)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--local-crops", type=int, default=2)
    p.add_argument("--prototypes", type=int, default=1024)
    p.add_argument("--bootstrap", type=int, default=1000)
    p.add_argument("--max-train-per-class", type=int, default=0)
    p.add_argument("--max-test-per-class", type=int, default=0)
    a = p.parse_args()
    archs = a.arch or ["vit_t_16", "vit_s_16"]
    fractions = a.fraction or [25, 50, 100]
    a.suite = os.path.abspath(a.suite)
    os.makedirs(a.out, exist_ok=True)
    images = pretraining_images(a.suite)
    rows = []
    for arch in archs:
        for fraction in [0] + fractions:
            name = "%s_%03d" % (arch, fraction)
            folder = os.path.join(a.out, name)
            os.makedirs(folder, exist_ok=True)
            n = len(images) * fraction // 100
            seconds = 0.0
            model = os.path.join(folder, "run", "model")
            timing = os.path.join(folder, "pretrain_seconds.txt")
            if fraction == 0:
                # A model folder of the right architecture: evaluate-suite's random_init takes
                # its config and the suite's seed 0, which is pretrain --arch --seed 0's start.
                model = os.path.join(a.out, "%s_%03d" % (arch, fractions[0]), "run", "model")
            elif not os.path.exists(os.path.join(model, "model.json")):
                listing = os.path.join(folder, "images.csv")
                with open(listing, "w", newline="") as f:
                    w = csv.writer(f, lineterminator="\n")
                    w.writerow(["path"])
                    w.writerows([p_] for p_ in images[:n])
                stepsPerEpoch = max(1, n // a.batch)
                command = [a.cli, "pretrain", "--arch", arch, "--image-size", str(a.image_size), "--images", listing,
                           "--out", os.path.join(folder, "run"), "--force", "--seed", "0", "--batch", str(a.batch),
                           "--local-crops", str(a.local_crops), "--prototypes", str(a.prototypes),
                           "--epochs", str((a.steps + stepsPerEpoch - 1) // stepsPerEpoch), "--stop-after", str(a.steps)]
                print("suite_scaling: %s: %d images, %d steps" % (name, n, a.steps), flush=True)
                seconds = run(command, os.path.join(folder, "pretrain.log"))
                with open(timing, "w") as f:
                    f.write("%.1f\n" % seconds)
            if os.path.exists(timing) and fraction > 0:
                seconds = float(open(timing).read())
            rows.append((arch, fraction, n, seconds, folder, model))
    # Evaluate after all pretraining (the 0 % rows need a model folder of their architecture).
    table = []
    for arch, fraction, n, seconds, folder, model in rows:
        report = evaluate(a, model, "random_init" if fraction == 0 else "model", os.path.join(folder, "suite.json"))
        by_task = {r["task"]: r for r in report["results"]}
        table.append((arch, fraction, n, seconds, by_task))
    print("DINO %d steps per run, batch %d, %d local crops, %d px input; probe AUROC [95%% CI]" %
          (a.steps, a.batch, a.local_crops, a.image_size))
    print("| backbone | pretraining images | pretrain s | brain-region AUROC | fashion-mnist AUROC |")
    print("| --- | --- | --- | --- | --- |")
    for arch, fraction, n, seconds, by_task in table:
        print("| %s | %s | %s | %s | %s |" % (arch, "%d %% (%d)" % (fraction, n) if fraction else "0 (random init)",
                                              "%.0f" % seconds if fraction else "-", cell(by_task["brain-region"]),
                                              cell(by_task["fashion-mnist"])))
    with open(os.path.join(a.out, "table.json"), "w") as f:
        json.dump([{"arch": arch, "fraction": fraction, "images": n, "pretrain_seconds": seconds,
                    "results": by_task} for arch, fraction, n, seconds, by_task in table], f, indent=1)


if __name__ == "__main__":
    main()
