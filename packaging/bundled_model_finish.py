#!/usr/bin/python3
"""Last step of packaging/make-bundled-model.sh: the probe's model folder becomes the
bundled model -- weights stored as F16 (half the size; Meridian loads F16 into its fp32
ViT), the card completed with the recipe, the held-out metrics of `meridian-cli evaluate`
(with their bootstrap CIs) and the pretraining loss, and weights_sha256 updated to the F16
file so that VitModel::load's hash check holds.

usage: bundled_model_finish.py PROBE_DIR OUT_DIR TEST_METRICS_JSON DATA_PROVENANCE_JSON LOSS_CSV
                               [PRETRAIN_PROVENANCE_JSON [WALL_SECONDS_FILE]]
PRETRAIN_PROVENANCE_JSON: the DINO images' provenance (bundled_model_pretrain_data.py), copied
as pretrain-provenance.json; WALL_SECONDS_FILE: one line of seconds per (re)start of the run.
"""
import hashlib
import json
import os
import shutil
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "U8": np.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        tensors[name] = np.frombuffer(data[a:b], dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        t = np.ascontiguousarray(tensors[name])
        dtype = {np.dtype(np.float16): "F16", np.dtype(np.float32): "F32"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + t.nbytes]}
        offset += t.nbytes
        blobs.append(t.tobytes())
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    os.replace(tmp, path)


def main():
    probe, out, metrics_path, data_prov_path, loss_csv = sys.argv[1:6]
    pretrain_prov_path = sys.argv[6] if len(sys.argv) > 6 else ""
    wall_path = sys.argv[7] if len(sys.argv) > 7 else ""
    os.makedirs(out, exist_ok=True)
    tensors, meta = read_safetensors(os.path.join(probe, "weights.safetensors"))
    half = {k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in tensors.items()}
    overflow = [k for k, v in half.items() if not np.all(np.isfinite(v))]
    if overflow:
        sys.exit("fp16 overflow in " + ", ".join(overflow))
    weights = os.path.join(out, "weights.safetensors")
    write_safetensors(weights, half, dict(meta, dtype="F16"))
    digest = hashlib.sha256(open(weights, "rb").read()).hexdigest()

    card = json.load(open(os.path.join(probe, "model.json")))
    metrics = json.load(open(metrics_path))
    data = json.load(open(data_prov_path))
    losses = [l.strip().split(",") for l in open(loss_csv)][1:]
    card["name"] = "meridian-default-vit-t16"
    # Stated, not left to the default: a CT in Hounsfield units with no window of its own is
    # shown to this model through the mediastinal window, the rendering its CT crops had
    # (bundled_model_data.py); before 2026-12-03 it was stretched from its lowest to its
    # highest value and every such CT came out "MR".
    card.setdefault("preprocess", {})["ct_windows"] = [{"center": 40.0, "width": 400.0}]
    p = card["provenance"]
    p["weights_sha256"] = digest
    hp = p.setdefault("hyper_parameters", {})
    hp["weights_dtype"] = "F16"
    hp["recipe"] = ("packaging/make-bundled-model.sh (bundled_model_pretrain_data.py seed 20261202 for DINO, "
                    "bundled_model_data.py seed 20261123 in eval_suite_data.py's modality split for the probe, "
                    "DINO seed 7, probe seed 7)")
    hp["dino_loss_first"] = losses[0][2] if losses else ""
    hp["dino_loss_last"] = losses[-1][2] if losses else ""
    hp["dino_steps"] = str(len(losses))
    pretrain = json.load(open(pretrain_prov_path)) if pretrain_prov_path else None
    wall = sum(float(l) for l in open(wall_path) if l.strip()) if wall_path and os.path.exists(wall_path) else None
    if wall is not None:
        hp["dino_wall_seconds"] = "%.0f" % wall
    if pretrain is not None:
        hp["dino_images"] = str(sum(pretrain["counts"].values()))
    held_out = {}
    for key in ("auroc", "accuracy", "auprc"):
        if key in metrics and isinstance(metrics[key], (int, float)):
            ci = metrics.get(key + "_ci", [metrics[key], metrics[key]])
            held_out["test_" + key] = {"value": metrics[key], "ci_low": ci[0], "ci_high": ci[1]}
    # The probe's own validation split shares sources with its training crops: keep those
    # numbers, under names that say so, and let test_* (other source files) be the headline.
    val = {"val_image_level_" + k: v for k, v in p.get("metrics", {}).items() if not k.startswith("val_image_level_")}
    p["metrics"] = dict(val, **held_out)
    p["split"] = data["split"] + "; test n=%s" % metrics.get("n", "?")
    if pretrain is not None:
        seen = "DINO on %d unlabelled real images (%s; sources: %s), %s steps of 32%s" % (
            sum(pretrain["counts"].values()), json.dumps(pretrain["counts"]), ", ".join(sorted(pretrain["packages"].values())),
            hp["dino_steps"], "" if wall is None else ", %.1f h wall on 2 shared CPU cores" % (wall / 3600))
    else:
        seen = "DINO on %d real crops (%s), %s steps of 32" % (
            sum(c["train"] for c in data["counts"].values()), json.dumps(data["counts"]), hp["dino_steps"])
    # The head's own training sources (the DINO images above are a different set): the package
    # files of the modality split's training side, named per modality.
    head_sources = "; ".join("%s: %s" % (label, ", ".join(names)) for label, names in sorted(data.get("train_sources", {}).items()))
    head_counts = json.dumps({c: v["train"] for c, v in sorted(data["counts"].items())})
    p["notes"] = ("Meridian's bundled demo model. Backbone: ViT-T/16 at 112 px trained FROM SCRATCH with "
                  "Meridian's %s; head: linear probe for the image's modality, fitted on %s of the %s labelled training crops "
                  "of these source files (data-provenance.json names their packages): %s; crops of other files test it. No image any evaluation tests on "
                  "was among the DINO images. Labels are the modality of each crop's source package file, not a "
                  "clinical finding. test_* metrics: a probe fitted on the training sources only, scored on crops "
                  "of OTHER source files (pathology: another region of its single IHC image) -- the honest "
                  "estimate, and the shipped head is that probe. val_image_level_* metrics: its validation "
                  "crops share sources with its training crops, so they are optimistic. A CT in Hounsfield "
                  "units with no window of its own is shown to it through ct_windows (40/400), an MR or other "
                  "scalar image through its 0.5-99.5 percentiles, as its training crops were rendered. "
                  "Only 1-5 training sources per modality (pathology and fundus: one image each). "
                  "Not a foundation model; not for clinical use." % (seen, p.get("training_images", "?"), head_counts, head_sources))
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(card, f, indent=2)
    shutil.copy(loss_csv, os.path.join(out, "dino-loss.csv"))
    shutil.copy(data_prov_path, os.path.join(out, "data-provenance.json"))
    if pretrain_prov_path:
        shutil.copy(pretrain_prov_path, os.path.join(out, "pretrain-provenance.json"))
    print("wrote", out, "weights %.1f MB" % (os.path.getsize(weights) / 1e6))


if __name__ == "__main__":
    main()
