#!/usr/bin/python3
"""Hostile corpus, second generator: model folders, label CSVs and output paths.

    make_model_corpus.py CORPUS_DIR            # writes CORPUS_DIR/<domain>/<case>/... and manifests
    make_model_corpus.py CORPUS_DIR --unmount  # unmounts the small tmpfs disks it mounted
    make_model_corpus.py CORPUS_DIR --replay MERIDIAN_CLI   # also replays the cases (alone,
                                               # without the shared runner); exit 1 on a mismatch

Each domain gets CORPUS_DIR/<domain>/manifest.jsonl with one JSON object per case:
{"name", "args" (meridian-cli arguments; "{case}" stands for the case folder),
 "expect_exit", "expect_stderr" (regex), optional "expect_stdout" (regex)} - the contract of
the hostile-corpus runner (tests/hostile), which replays every domain.

Everything is made from real files: CT_small.dcm (pydicom's test suite) cut into tiles for
the label lists, skimage's camera.png and nibabel's anatomical.nii as inputs to write from,
and a small ViT (width 32, depth 2) whose weights are drawn with a fixed seed and written in
safetensors by hand (like tests/app/make_tiny_vit.py). Disk-full and read-only cases mount a
1 MB tmpfs in the case folder; where mounting is not allowed (not root) they are skipped with
a message. Run with the system Python (numpy, pydicom, PIL, nibabel from Debian).
"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys

import nibabel as nib
import numpy as np
import pydicom
from PIL import Image

PYDICOM = "/usr/lib/python3/dist-packages/pydicom/data/test_files"
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
NIBABEL = "/usr/lib/python3/dist-packages/nibabel/tests/data"

D, DEPTH, HEADS, PATCH, IMAGE, CLASSES = 32, 2, 2, 16, 32, 2


# ---------------------------------------------------------------- model folders

def vit_tensors(seed=3, depth=DEPTH, classes=CLASSES, registers=0):
    rng = np.random.default_rng(seed)
    t = {}

    def normal(name, *shape, std=0.05):
        t[name] = (rng.standard_normal(shape) * std).astype(np.float32)

    grid = IMAGE // PATCH
    normal("cls_token", 1, 1, D)
    if registers:
        normal("reg_token", 1, registers, D)
    normal("pos_embed", 1, 1 + grid * grid, D)
    normal("patch_embed.proj.weight", D, 3, PATCH, PATCH)
    t["patch_embed.proj.bias"] = np.zeros(D, np.float32)
    for i in range(depth):
        b = f"blocks.{i}."
        t[b + "norm1.weight"] = np.ones(D, np.float32); t[b + "norm1.bias"] = np.zeros(D, np.float32)
        normal(b + "attn.qkv.weight", 3 * D, D, std=0.2); normal(b + "attn.qkv.bias", 3 * D)
        normal(b + "attn.proj.weight", D, D); t[b + "attn.proj.bias"] = np.zeros(D, np.float32)
        t[b + "norm2.weight"] = np.ones(D, np.float32); t[b + "norm2.bias"] = np.zeros(D, np.float32)
        normal(b + "mlp.fc1.weight", 4 * D, D); t[b + "mlp.fc1.bias"] = np.zeros(4 * D, np.float32)
        normal(b + "mlp.fc2.weight", D, 4 * D); t[b + "mlp.fc2.bias"] = np.zeros(D, np.float32)
    t["norm.weight"] = np.ones(D, np.float32); t["norm.bias"] = np.zeros(D, np.float32)
    if classes:
        normal("head.weight", classes, D, std=0.5); t["head.bias"] = np.zeros(classes, np.float32)
    return t


DTYPES = {np.dtype("<f4"): "F32", np.dtype("<f2"): "F16", np.dtype("<i4"): "I32", np.dtype("<f8"): "F64"}


def safetensors_bytes(t):
    header, blobs, offset = {}, [], 0
    for name, a in t.items():
        a = np.ascontiguousarray(a)
        data = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[a.dtype.newbyteorder("<")], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def architecture(**over):
    a = {"type": "vit", "image_size": IMAGE, "patch_size": PATCH, "embed_dim": D, "depth": DEPTH,
         "num_heads": HEADS, "mlp_ratio": 4.0, "register_tokens": 0, "layer_scale_init": 0.0,
         "pooling": "cls", "num_classes": CLASSES, "layer_norm_eps": 1e-6, "qkv_bias": True}
    a.update(over)
    return a


def model_json(weights, arch=None, preprocess=None, sha=None, drop_sha=False, **top):
    j = {"format": "meridian-model", "format_version": 1, "name": "hostile-tiny",
         "tasks": [{"name": "classification", "labels": ["normal", "abnormal"]}],
         "architecture": arch or architecture(),
         "preprocess": preprocess or {"modality": "any"},
         "provenance": {"weights_sha256": sha if sha is not None else hashlib.sha256(weights).hexdigest()}}
    if drop_sha:
        del j["provenance"]["weights_sha256"]
    j.update(top)
    return json.dumps(j, indent=2)


def write_model(folder, weights=None, text=None, **kw):
    os.makedirs(folder, exist_ok=True)
    if weights is None:
        weights = safetensors_bytes(vit_tensors())
    with open(os.path.join(folder, "weights.safetensors"), "wb") as f:
        f.write(weights)
    with open(os.path.join(folder, "model.json"), "w") as f:
        f.write(text if text is not None else model_json(weights, **kw))


def write_nrrd(path, a):
    """A raw little-endian float NRRD, written by hand (the values kept bit for bit)."""
    header = (f"NRRD0004\ntype: float\ndimension: {a.ndim}\nsizes: {' '.join(str(s) for s in a.shape[::-1])}\n"
              "encoding: raw\nendian: little\n\n").encode()
    with open(path, "wb") as f:
        f.write(header + np.ascontiguousarray(a, dtype="<f4").tobytes())


# ---------------------------------------------------------------- real images

def ct_tiles():
    """CT_small.dcm (a real 128x128 CT slice) as sixteen 32x32 8-bit tiles."""
    ds = pydicom.dcmread(os.path.join(PYDICOM, "CT_small.dcm"))
    hu = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    img = np.clip((hu + 160) / 400 * 255, 0, 255).astype(np.uint8)  # soft-tissue window
    return [img[r:r + 32, c:c + 32] for r in range(0, 128, 32) for c in range(0, 128, 32)]


def save_png(path, array):
    Image.fromarray(array).save(path)


class Corpus:
    def __init__(self, root):
        self.root = root
        self.cases = {}
        self.skipped = []

    def case(self, domain, name):
        folder = os.path.join(self.root, domain, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        return folder

    def add(self, domain, name, args, exit_code, stderr, stdout=None):
        entry = {"name": name, "args": args, "expect_exit": exit_code, "expect_stderr": stderr}
        if stdout is not None:
            entry["expect_stdout"] = stdout
        self.cases.setdefault(domain, []).append(entry)

    def write_manifests(self):
        for domain, entries in self.cases.items():
            with open(os.path.join(self.root, domain, "manifest.jsonl"), "w") as f:
                for e in entries:
                    f.write(json.dumps(e) + "\n")

    def small_disk(self, folder, read_only=False):
        """Mounts a 1 MB tmpfs at folder/disk; None (and a note) where that is not allowed."""
        disk = os.path.join(folder, "disk")
        os.makedirs(disk, exist_ok=True)
        options = "size=1m,mode=0777" + (",ro" if read_only else "")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", disk], capture_output=True, text=True)
        if r.returncode != 0:
            self.skipped.append(f"{folder}: cannot mount a tmpfs ({r.stderr.strip() or 'not root'})")
            return None
        return disk


def fill(disk):
    """Fills a small disk to the last byte."""
    with open(os.path.join(disk, "filler"), "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\xff" * 4096)
        except OSError:
            pass


# ---------------------------------------------------------------- domain: model folders

def model_folders(c):
    dom = "model-folders"
    camera = os.path.join(SKIMAGE, "camera.png")

    def infer_case(name, exit_code, stderr, stdout=None, **model):
        folder = c.case(dom, name)
        shutil.copy(camera, os.path.join(folder, "image.png"))
        if model.pop("no_model", False) is False:
            write_model(os.path.join(folder, "model"), **model)
        c.add(dom, name, ["infer", "--model", "{case}/model", "{case}/image.png", "--json"], exit_code, stderr, stdout)
        return folder

    good = safetensors_bytes(vit_tensors())
    infer_case("valid-tiny-vit", 0, r"^$|note:", stdout=r'"probability"')

    f = infer_case("model-json-missing", 3, r"not a model folder")
    os.remove(os.path.join(f, "model", "model.json"))
    f = infer_case("weights-missing", 3, r"weights\.safetensors: no such file")
    os.remove(os.path.join(f, "model", "weights.safetensors"))
    f = infer_case("weights-symlink-dev-zero", 3, r"character device, not a regular file")
    os.remove(os.path.join(f, "model", "weights.safetensors"))
    os.symlink("/dev/zero", os.path.join(f, "model", "weights.safetensors"))
    f = infer_case("weights-symlink-dev-urandom", 3, r"character device, not a regular file")
    os.remove(os.path.join(f, "model", "weights.safetensors"))
    os.symlink("/dev/urandom", os.path.join(f, "model", "weights.safetensors"))
    f = infer_case("weights-fifo", 3, r"FIFO")
    os.remove(os.path.join(f, "model", "weights.safetensors"))
    os.mkfifo(os.path.join(f, "model", "weights.safetensors"))
    f = infer_case("weights-folder", 3, r"is a folder, not a regular file")
    os.remove(os.path.join(f, "model", "weights.safetensors"))
    os.mkdir(os.path.join(f, "model", "weights.safetensors"))
    f = infer_case("weights-symlink-loop", 3, r"symbolic link loop|no such file")
    os.remove(os.path.join(f, "model", "weights.safetensors"))
    os.symlink("weights.safetensors", os.path.join(f, "model", "weights.safetensors"))
    f = infer_case("model-json-fifo", 3, r"FIFO")
    os.remove(os.path.join(f, "model", "model.json"))
    os.mkfifo(os.path.join(f, "model", "model.json"))
    f = infer_case("model-json-symlink-dev-zero", 3, r"character device")
    os.remove(os.path.join(f, "model", "model.json"))
    os.symlink("/dev/zero", os.path.join(f, "model", "model.json"))
    f = infer_case("model-json-folder", 3, r"is a folder")
    os.remove(os.path.join(f, "model", "model.json"))
    os.mkdir(os.path.join(f, "model", "model.json"))
    f = infer_case("model-json-sparse-17mb", 3, r"larger than any model description")
    with open(os.path.join(f, "model", "model.json"), "r+b") as fh:
        fh.truncate(17 << 20)
    f = infer_case("model-folder-is-a-file", 3, r"not a model folder", no_model=True)
    open(os.path.join(f, "model"), "w").write("not a folder\n")

    # Configurations the weights do not fill: refused before the network is built.
    infer_case("config-width-8192-depth-256", 3, r"configuration and the weights disagree",
               weights=good, arch=architecture(embed_dim=8192, depth=256, num_heads=8))
    infer_case("config-depth-3-weights-2", 3, r"no tensor for 'blocks\.2\.",
               weights=good, arch=architecture(depth=3))
    infer_case("config-depth-1-weights-2", 3, r"'blocks\.1\.[a-z0-9.]+' does not fit this ViT configuration",
               weights=good, arch=architecture(depth=1))
    infer_case("config-width-64", 3, r"'cls_token' has shape \[1, 1, 32\], the model needs \[1, 1, 64\]",
               weights=good, arch=architecture(embed_dim=64))
    infer_case("config-classes-5", 3, r"'head\.weight' has shape \[2, 32\], the model needs \[5, 32\]",
               weights=good, arch=architecture(num_classes=5),
               tasks=[{"name": "classification", "labels": ["a", "b", "c", "d", "e"]}])
    infer_case("config-registers-4", 3, r"no tensor for 'reg_token'", weights=good, arch=architecture(register_tokens=4))
    infer_case("config-no-qkv-bias", 3, r"qkv\.bias' does not fit this ViT configuration", weights=good, arch=architecture(qkv_bias=False))
    infer_case("config-layer-scale", 3, r"no tensor for 'blocks\.0\.ls1\.gamma'",
               weights=good, arch=architecture(layer_scale_init=1e-5))
    infer_case("config-image-size-64", 3, r"pos_embed.*needs \[1, 17, 32\]", weights=good, arch=architecture(image_size=64))
    infer_case("config-mlp-ratio-2", 3, r"mlp\.fc1\.weight' has shape \[128, 32\], the model needs \[64, 32\]", weights=good, arch=architecture(mlp_ratio=2.0))
    infer_case("config-heads-do-not-divide", 3, r"heads do not divide", weights=good, arch=architecture(num_heads=5))
    infer_case("config-width-1e12", 3, r"embed_dim' is out of range|must be a whole number",
               weights=good, arch=architecture(embed_dim=10 ** 12))
    infer_case("config-width-fraction", 3, r"embed_dim' must be a whole number", weights=good, arch=architecture(embed_dim=32.5))
    infer_case("config-width-negative", 3, r"embedding width -32", weights=good, arch=architecture(embed_dim=-32))
    infer_case("config-depth-huge", 3, r"depth", weights=good, arch=architecture(depth=100000))
    infer_case("config-mlp-ratio-1e300", 3, r"MLP ratio", weights=good, arch=architecture(mlp_ratio=1e300))
    infer_case("config-image-size-1e6", 3, r"image size", weights=good, arch=architecture(image_size=1000000))
    infer_case("config-patch-7", 3, r"patch size 7", weights=good, arch=architecture(patch_size=7))
    infer_case("config-layer-norm-eps-1", 3, r"LayerNorm epsilon", weights=good, arch=architecture(layer_norm_eps=1.0))
    infer_case("config-pooling-max", 3, r"pooling", weights=good, arch=architecture(pooling="max"))
    infer_case("config-type-resnet", 3, r"architecture\.type", weights=good, arch=architecture(type="resnet"))
    infer_case("config-width-string", 3, r"embed_dim' must be a number", weights=good, arch=architecture(embed_dim="32"))

    # model.json itself.
    infer_case("model-json-not-json", 3, r"not a JSON object", weights=good, text="{ this is not json")
    infer_case("model-json-array", 3, r"not a JSON object", weights=good, text="[1, 2, 3]")
    infer_case("model-json-empty", 3, r"not a JSON object", weights=good, text="")
    infer_case("model-json-format-other", 3, r"'format'", weights=good, format="other")
    infer_case("model-json-version-99", 3, r"format_version 99", weights=good, format_version=99)
    infer_case("model-json-no-architecture", 3, r"'architecture' is missing", weights=good,
               text=json.dumps({"format": "meridian-model", "format_version": 1,
                                "provenance": {"weights_sha256": hashlib.sha256(good).hexdigest()}}))
    infer_case("model-json-sha-missing", 3, r"cannot be verified", weights=good, drop_sha=True)
    infer_case("model-json-sha-wrong", 3, r"the weights were changed or replaced", weights=good, sha="0" * 64)
    infer_case("model-json-labels-overflow-head", 3, r"model\.json", weights=good,
               tasks=[{"name": "classification", "labels": ["a", "b", "c"]}])
    infer_case("preprocess-std-1e-30", 3, r"preprocess\.std", weights=good,
               preprocess={"modality": "any", "std": [1e-30, 1e-30, 1e-30]})
    infer_case("preprocess-std-zero", 3, r"preprocess\.std", weights=good, preprocess={"modality": "any", "std": [0, 1, 1]})
    infer_case("preprocess-mean-1e30", 3, r"preprocess\.mean", weights=good,
               preprocess={"modality": "any", "mean": [1e30, 0, 0]})
    infer_case("preprocess-ct-window-width-0", 3, r"ct_windows", weights=good,
               preprocess={"modality": "ct", "ct_windows": [{"center": 40, "width": 0}]})
    infer_case("preprocess-ct-window-1e300", 3, r"ct_windows", weights=good,
               preprocess={"modality": "ct", "ct_windows": [{"center": 1e300, "width": 400}]})
    infer_case("preprocess-modality-xray", 3, r"preprocess\.modality", weights=good, preprocess={"modality": "xray"})

    # Weights that are damaged or poisoned (the hash in model.json matches them: the damage
    # must be caught by what the file says, not by the hash).
    t = vit_tensors(); t["head.weight"][0, 0] = np.nan
    infer_case("weights-nan-in-head", 3, r"'head\.weight' holds NaN or infinite", weights=safetensors_bytes(t))
    t = vit_tensors(); t["blocks.1.attn.qkv.weight"][5, 7] = np.inf
    infer_case("weights-inf-in-qkv", 3, r"'blocks\.1\.attn\.qkv\.weight' holds NaN or infinite", weights=safetensors_bytes(t))
    t = vit_tensors(); t["pos_embed"][0, 0, 0] = -np.inf
    infer_case("weights-minus-inf-pos-embed", 3, r"'pos_embed' holds NaN or infinite", weights=safetensors_bytes(t))
    t = {k: v.astype(np.float16) for k, v in vit_tensors().items()}; t["norm.bias"][3] = np.float16("nan")
    infer_case("weights-f16-nan", 3, r"'norm\.bias' holds NaN or infinite", weights=safetensors_bytes(t))
    t = {k: v.astype(np.float16) for k, v in vit_tensors().items()}
    infer_case("weights-f16-valid", 0, r"^$|note:", stdout=r'"probability"', weights=safetensors_bytes(t))
    t = vit_tensors(); t["head.bias"] = np.array([1, 2], np.int32)
    infer_case("weights-int-tensor", 3, r"'head\.bias' is not a floating-point tensor", weights=safetensors_bytes(t))
    t = vit_tensors(); t["extra.tensor"] = np.zeros(4, np.float32)
    infer_case("weights-extra-tensor", 3, r"'extra\.tensor' does not fit this ViT configuration", weights=safetensors_bytes(t))
    t = vit_tensors(); del t["norm.weight"]
    infer_case("weights-missing-tensor", 3, r"no tensor for 'norm\.weight'", weights=safetensors_bytes(t))
    t = vit_tensors(); t["cls_token"] = t["cls_token"].reshape(1, 32, 1)
    infer_case("weights-wrong-shape", 3, r"'cls_token' has shape \[1, 32, 1\]", weights=safetensors_bytes(t))
    bad = struct.pack("<Q", 1 << 40) + good[8:]
    infer_case("weights-header-claims-1tb", 3, r"header claims", weights=bad)
    infer_case("weights-truncated", 3, r"truncated|cover", weights=good[: len(good) // 2])
    infer_case("weights-empty", 3, r"shorter than the 8-byte header", weights=b"")
    hdr_len = struct.unpack("<Q", good[:8])[0]
    infer_case("weights-header-not-json", 3, r"not valid JSON", weights=good[:8] + b"x" * hdr_len + good[8 + hdr_len:])

    # Inputs whose values make NaN: refused with the reason, never a NaN probability. NRRD
    # keeps float values as they are (ITK's NIfTI reader turned an inf pixel into a finite one).
    for name, value in [("input-float-nrrd-with-inf", np.inf), ("input-float-nrrd-with-minus-inf", -np.inf),
                        ("input-float-nrrd-with-nan", np.nan)]:
        folder = infer_case(name, 3, r"NaN or infinite", weights=good)
        a = np.linspace(0, 1000, 64 * 64, dtype="<f4").reshape(64, 64)
        a[10, 10] = value
        write_nrrd(os.path.join(folder, "image.nrrd"), a)
        c.cases[dom][-1]["args"][3] = "{case}/image.nrrd"
    folder = infer_case("explain-float-nrrd-with-inf", 3, r"NaN or infinite", weights=good)
    a = np.linspace(0, 1000, 64 * 64, dtype="<f4").reshape(64, 64)
    a[0, 0] = np.inf
    write_nrrd(os.path.join(folder, "image.nrrd"), a)
    c.cases[dom][-1]["args"] = ["explain", "--model", "{case}/model", "{case}/image.nrrd", "--out", "{case}/map.png",
                                "--force"]
    # Values near float's limit are a legal image (scaled in double): a result, not NaN.
    folder = infer_case("input-float-nifti-3e38", 0, r"^$|note:", stdout=r'"probability"', weights=good)
    a = np.full((64, 64, 1), 3e38, np.float32); a[:32] = -3e38
    nib.save(nib.Nifti1Image(a, np.eye(4)), os.path.join(folder, "image.nii"))
    c.cases[dom][-1]["args"][3] = "{case}/image.nii"


# ---------------------------------------------------------------- domain: label CSVs

def label_csvs(c):
    dom = "label-csvs"
    tiles = ct_tiles()
    base = os.path.join(c.root, dom, "_base-model")  # shared by every case ({case}/../_base-model)
    shutil.rmtree(base, ignore_errors=True)
    write_model(base)

    def images(folder, n=16):
        os.makedirs(os.path.join(folder, "img"), exist_ok=True)
        rows = []
        for i in range(n):
            name = f"img/t{i:02d}.png"
            save_png(os.path.join(folder, name), tiles[i % len(tiles)] if i < len(tiles) else np.rot90(tiles[i % 16]))
            rows.append((name, "soft" if i % 2 == 0 else "dense"))
        return rows

    def train_case(name, csv_text, exit_code, stderr, stdout=None, extra_args=(), out="{case}/out"):
        folder = c.case(dom, name)
        rows = images(folder)
        text = csv_text(folder, rows) if callable(csv_text) else csv_text
        if text is not None:
            with open(os.path.join(folder, "labels.csv"), "w", newline="") as f:
                f.write(text)
        c.add(dom, name, ["train", "--method", "probe", "--model", "{case}/../_base-model", "--labels",
                          "{case}/labels.csv", "--out", out, "--no-cache", "--bootstrap", "10", "--seed", "1",
                          *extra_args], exit_code, stderr, stdout)
        return folder

    def table(rows, header="path,label"):
        return header + "\n" + "".join(f"{p},{l}\n" for p, l in rows)

    # Valid cases pass --force so that replaying the corpus twice gives the same outcome.
    train_case("valid-16-tiles", lambda f, rows: table(rows), 0, r".*", stdout=r"held-out \(n=", extra_args=["--force"])
    train_case("valid-bom-crlf-quoted", lambda f, rows: "\ufeffpath,label\r\n" +
               "".join(f'"{p}","{l}"\r\n' for p, l in rows), 0, r".*", stdout=r"held-out \(n=",
               extra_args=["--force"])

    def dup(alias):
        return lambda f, rows: table(rows + [(alias, rows[0][1])])
    train_case("duplicate-dot-slash", dup("./img/t00.png"), 3, r"same image as line 2")
    train_case("duplicate-double-slash", dup("img//t00.png"), 3, r"same image as line 2")
    train_case("duplicate-dot-dot", dup("img/../img/t00.png"), 3, r"same image as line 2")
    train_case("duplicate-exact", dup("img/t00.png"), 3, r"same image as line 2")
    train_case("duplicate-other-label", lambda f, rows: table(rows + [("./img/t00.png", "dense")]), 3,
               r"same image as line 2")

    def linked(kind):
        def make(folder, rows):
            src = os.path.join(folder, "img", "t00.png")
            dst = os.path.join(folder, "img", "alias.png")
            if kind == "symlink":
                os.symlink("t00.png", dst)
            else:
                os.link(src, dst)
            return table(rows + [("img/alias.png", rows[0][1])])
        return make
    train_case("duplicate-symlink", linked("symlink"), 3, r"same image as line 2")
    train_case("duplicate-hard-link", linked("hard"), 3, r"same image as line 2")

    def folder_link(folder, rows):
        os.symlink("img", os.path.join(folder, "pics"))
        return table(rows + [("pics/t00.png", rows[0][1])])
    train_case("duplicate-through-folder-symlink", folder_link, 3, r"same image as line 2")

    train_case("missing-image", dup("img/nope.png"), 3, r"do not exist")

    def special(kind):
        def make(folder, rows):
            p = os.path.join(folder, "img", "special.png")
            if kind == "fifo":
                os.mkfifo(p)
            elif kind == "dev-zero":
                os.symlink("/dev/zero", p)
            else:
                os.mkdir(p)
            return table(rows + [("img/special.png", "soft")])
        return make
    train_case("image-is-fifo", special("fifo"), 3, r"do not exist")
    train_case("image-is-dev-zero-link", special("dev-zero"), 3, r"do not exist")
    train_case("image-is-folder", special("folder"), 3, r"do not exist")

    f = train_case("csv-is-fifo", None, 3, r"FIFO")
    os.mkfifo(os.path.join(f, "labels.csv"))
    f = train_case("csv-is-dev-zero-link", None, 3, r"character device")
    os.symlink("/dev/zero", os.path.join(f, "labels.csv"))
    f = train_case("csv-missing", None, 3, r"cannot open the labels file")
    f = train_case("csv-sparse-300mb", None, 3, r"labels lists are read whole")
    with open(os.path.join(f, "labels.csv"), "wb") as fh:
        fh.truncate(300 << 20)
    train_case("csv-empty", "", 3, r"empty; expected a header")
    train_case("csv-header-only", "path,label\n", 3, r"no labelled images")
    train_case("csv-unknown-column", lambda f, rows: table(rows, "path,label,site"), 3, r"unknown column 'site'")
    train_case("csv-no-label-column", lambda f, rows: "path\n" + "".join(p + "\n" for p, _ in rows), 3, r"no 'label' column")
    train_case("csv-column-twice", "path,label,path\nimg/t00.png,soft,x\n", 3, r"appears twice")
    train_case("csv-unclosed-quote", lambda f, rows: table(rows) + '"img/t01.png,soft\n', 3, r"not closed")
    train_case("csv-quote-inside-field", lambda f, rows: table(rows) + 'img/t"01.png,soft\n', 3, r"a quote inside")
    train_case("csv-ragged-row", lambda f, rows: table(rows) + "img/t01.png,soft,extra\n", 3, r"fields, the header has")
    train_case("csv-empty-label", lambda f, rows: table(rows) + "img/t01.png,\n", 3, r"empty label")
    train_case("csv-empty-path", lambda f, rows: table(rows) + ",soft\n", 3, r"empty path")
    train_case("csv-one-class", lambda f, rows: table([(p, "soft") for p, _ in rows]), 3, r"at least two classes")
    train_case("csv-binary-garbage", lambda f, rows: "path,label\n\x00\x01\x02,\xff\n", 3, r"do not exist|empty")
    train_case("csv-patient-empty", lambda f, rows: "path,label,patient\n" + "".join(f"{p},{l},\n" for p, l in rows), 3,
               r"empty patient")

    # Where the trained model goes.
    train_case("out-is-base-model", lambda f, rows: table(rows), 2, r"holds the input", out="{case}/../_base-model")
    f = train_case("out-exists-not-empty", lambda f, rows: table(rows), 2, r"already exists and is not empty.*--force")
    os.makedirs(os.path.join(f, "out")); open(os.path.join(f, "out", "keep.txt"), "w").write("precious\n")
    train_case("out-holds-the-labels", lambda f, rows: table(rows), 2, r"holds the input", out="{case}")
    f = train_case("out-is-a-file", lambda f, rows: table(rows), 2, r"exists and is not a folder")
    open(os.path.join(f, "out"), "w").write("a file\n")


# ---------------------------------------------------------------- domain: output paths

def output_paths(c):
    dom = "output-paths"
    camera = os.path.join(SKIMAGE, "camera.png")
    anatomical = os.path.join(NIBABEL, "anatomical.nii")

    def convert_case(name, out, exit_code, stderr, stdout=None, source=camera, extra=(), setup=None):
        folder = c.case(dom, name)
        ext = ".nii" if source.endswith(".nii") else ".png"
        shutil.copy(source, os.path.join(folder, "input" + ext))
        if setup:
            if setup(folder) is False:
                c.skipped.append(f"{dom}/{name}: skipped")
                return None
        c.add(dom, name, ["convert", "{case}/input" + ext, out, *extra], exit_code, stderr, stdout)
        return folder

    convert_case("convert-png-valid", "{case}/out.png", 0, r"^$", stdout=r"wrote", extra=["--force"])
    convert_case("convert-tif-valid", "{case}/out.tif", 0, r"^$", stdout=r"wrote", extra=["--force"])
    convert_case("convert-nifti-valid", "{case}/out.nii.gz", 0, r"^$", stdout=r"wrote", source=anatomical,
                 extra=["--force"])
    convert_case("convert-dotted-name-nrrd", "{case}/patient.v2.nrrd", 0, r"^$", stdout=r"wrote", source=anatomical,
                 extra=["--force"])
    convert_case("convert-upper-case-nii-gz", "{case}/SCAN.NII.GZ", 0, r"^$", stdout=r"wrote", source=anatomical,
                 extra=["--force"])
    convert_case("convert-upper-case-png", "{case}/OUT.PNG", 0, r"^$", stdout=r"wrote", extra=["--force"])

    def existing(folder):
        open(os.path.join(folder, "out.png"), "w").write("keep me\n")
    convert_case("convert-onto-existing", "{case}/out.png", 2, r"already exists.*--force", setup=existing)
    convert_case("convert-onto-existing-force", "{case}/out.png", 0, r"^$", stdout=r"wrote", setup=existing,
                 extra=["--force"])
    convert_case("convert-onto-itself", "{case}/input.png", 2, r"is the input")
    convert_case("convert-onto-itself-force", "{case}/input.png", 2, r"is the input", extra=["--force"])
    convert_case("convert-onto-itself-dot-slash", "{case}/./input.png", 2, r"is the input", extra=["--force"])
    convert_case("convert-onto-itself-double-slash", "{case}//input.png", 2, r"is the input", extra=["--force"])

    def link(kind):
        def make(folder):
            if kind == "symlink":
                os.symlink("input.png", os.path.join(folder, "alias.png"))
            else:
                os.link(os.path.join(folder, "input.png"), os.path.join(folder, "alias.png"))
        return make
    convert_case("convert-onto-symlink-to-input", "{case}/alias.png", 2, r"is the input", setup=link("symlink"),
                 extra=["--force"])
    convert_case("convert-onto-hard-link-to-input", "{case}/alias.png", 2, r"is the input", setup=link("hard"),
                 extra=["--force"])
    convert_case("convert-to-dev-null", "/dev/null", 2, r"device, FIFO or socket", extra=["--force"])
    convert_case("convert-to-fifo", "{case}/pipe.png", 2, r"device, FIFO or socket", extra=["--force"],
                 setup=lambda f: os.mkfifo(os.path.join(f, "pipe.png")))
    convert_case("convert-to-symlink-to-dev-null", "{case}/null.png", 2, r"device, FIFO or socket", extra=["--force"],
                 setup=lambda f: os.symlink("/dev/null", os.path.join(f, "null.png")))
    convert_case("convert-to-folder", "{case}/dir.png", 2, r"is a folder", extra=["--force"],
                 setup=lambda f: os.mkdir(os.path.join(f, "dir.png")))
    convert_case("convert-into-missing-folder", "{case}/no/such/out.png", 1, r"output folder .* is missing")
    convert_case("convert-unknown-extension", "{case}/out.xyz", 2, r"cannot tell the image format")
    convert_case("convert-volume-as-png", "{case}/out.png", 2, r"volumes are written as", source=anatomical)
    # Outputs holding NaN or infinity are refused with the reason (nothing written).
    for name, out, value in [("convert-inf-to-nifti", "out.nii.gz", np.inf), ("convert-nan-to-nrrd", "out.nrrd", np.nan),
                             ("convert-inf-to-tif", "out.tif", -np.inf)]:
        def make(folder, value=value):
            a = np.linspace(-5, 5, 32 * 32, dtype="<f4").reshape(32, 32)
            a[3, 4] = value
            write_nrrd(os.path.join(folder, "float.nrrd"), a)
        f = convert_case(name, "{case}/" + out, 3, r"not written: the data holds NaN or infinite values", setup=make)
        c.cases[dom][-1]["args"][1] = "{case}/float.nrrd"

    def disk(read_only=False, fill_it=False):
        def make(folder):
            d = c.small_disk(folder, read_only)
            if d is None:
                return False
            if fill_it:
                fill(d)
        return make
    # Bigger than the 1 MB disk: CT of nibabel's anatomical.nii is 68 kB, camera.png 140 kB
    # (filled to 2 kB free first), so every format runs out of space part way.
    for fmt in ["png", "tif", "bmp", "nii", "nii.gz", "nrrd", "mha"]:
        convert_case(f"convert-disk-full-{fmt.replace('.', '-')}", "{case}/disk/out." + fmt, 1,
                     r"No space left on device|disk full", setup=disk(fill_it=True))
    convert_case("convert-read-only-folder", "{case}/disk/out.png", 1, r"Read-only file system", setup=disk(read_only=True))

    # infer --out and explain --out.
    model = os.path.join(c.root, dom, "_model")
    shutil.rmtree(model, ignore_errors=True)
    write_model(model)

    def model_case(name, args, exit_code, stderr, stdout=None, setup=None):
        folder = c.case(dom, name)
        shutil.copy(camera, os.path.join(folder, "input.png"))
        if setup and setup(folder) is False:
            c.skipped.append(f"{dom}/{name}: skipped")
            return
        c.add(dom, name, [*args[:1], "--model", "{case}/../_model", *args[1:]], exit_code, stderr, stdout)

    model_case("infer-out-valid", ["infer", "{case}/input.png", "--out", "{case}/pred", "--force"], 0, r"^$|note:", stdout=r"input\.png")
    model_case("infer-out-read-only", ["infer", "{case}/input.png", "--out", "{case}/disk"], 1, r"Read-only file system",
               setup=disk(read_only=True))
    model_case("infer-out-disk-full", ["infer", "{case}/input.png", "--out", "{case}/disk"], 1,
               r"No space left on device|disk full", setup=disk(fill_it=True))
    model_case("infer-out-is-a-file", ["infer", "{case}/input.png", "--out", "{case}/input.png"], 1,
               r"Not a directory|not a folder|cannot create the output folder")
    model_case("infer-out-existing-prediction", ["infer", "{case}/input.png", "--out", "{case}"], 2,
               r"already exists.*--force",
               setup=lambda f: open(os.path.join(f, "input.prediction.json"), "w").write("{}\n"))
    model_case("infer-out-existing-prediction-force", ["infer", "{case}/input.png", "--out", "{case}", "--force"], 0,
               r"^$|note:", stdout=r"input\.png",
               setup=lambda f: open(os.path.join(f, "input.prediction.json"), "w").write("{}\n"))
    model_case("explain-out-valid", ["explain", "{case}/input.png", "--out", "{case}/map.png", "--force"], 0, r"^$|note:", stdout=r"wrote")
    model_case("explain-out-onto-input", ["explain", "{case}/input.png", "--out", "{case}/input.png"], 2, r"is the input")
    model_case("explain-out-onto-input-force", ["explain", "{case}/input.png", "--out", "{case}/input.png", "--force"], 2,
               r"is the input")
    model_case("explain-out-onto-input-other-name", ["explain", "{case}/input.png", "--out", "{case}/../" +
                                                     "explain-out-onto-input-other-name/input.png", "--force"], 2,
               r"is the input")
    model_case("explain-out-existing", ["explain", "{case}/input.png", "--out", "{case}/map.png"], 2, r"already exists",
               setup=lambda f: open(os.path.join(f, "map.png"), "w").write("keep\n"))
    model_case("explain-out-existing-force", ["explain", "{case}/input.png", "--out", "{case}/map.png", "--force"], 0,
               r"^$|note:", stdout=r"wrote", setup=lambda f: open(os.path.join(f, "map.png"), "w").write("keep\n"))
    model_case("explain-out-nifti-disk-full", ["explain", "{case}/input.png", "--out", "{case}/disk/map.nii.gz"], 1,
               r"No space left on device|disk full", setup=disk(fill_it=True))
    model_case("explain-out-png-disk-full", ["explain", "{case}/input.png", "--out", "{case}/disk/map.png"], 1,
               r"No space left on device|disk full", setup=disk(fill_it=True))
    model_case("explain-out-dev-null", ["explain", "{case}/input.png", "--out", "/dev/null", "--force"], 2,
               r"device, FIFO or socket")

    # import-weights --out: refused before the source is even read.
    def import_case(name, out, exit_code, stderr, setup=None):
        folder = c.case(dom, name)
        with open(os.path.join(folder, "source.safetensors"), "wb") as f:
            f.write(safetensors_bytes(vit_tensors()))
        if setup:
            setup(folder)
        c.add(dom, name, ["import-weights", "{case}/source.safetensors", "--arch", "vit_t_16", "--out", out], exit_code,
              stderr)
    import_case("import-out-existing-model", "{case}/model", 2, r"already exists and is not empty.*--force",
                setup=lambda f: write_model(os.path.join(f, "model")))
    import_case("import-out-holds-source", "{case}", 2, r"holds the input")
    import_case("import-out-is-a-file", "{case}/source.safetensors", 2, r"holds the input|not a folder")


def replay(root, cli, domains, time_limit=120, memory_limit=16 << 30):
    """Runs every case of `domains` (time and address-space limits per case) and compares."""
    import re
    import resource

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    failures, table = [], {}
    for domain in domains:
        for line in open(os.path.join(root, domain, "manifest.jsonl")):
            case = json.loads(line)
            folder = os.path.join(root, domain, case["name"])
            args = [a.replace("{case}", folder) for a in case["args"]]
            try:
                r = subprocess.run([cli, *args], capture_output=True, text=True, errors="replace",
                                   timeout=time_limit, preexec_fn=limits)
                rc, out, err = r.returncode, r.stdout, r.stderr
            except subprocess.TimeoutExpired:
                rc, out, err = "timeout", "", ""
            ok = rc == case["expect_exit"] and re.search(case["expect_stderr"], err, re.S) is not None
            if ok and "expect_stdout" in case:
                ok = re.search(case["expect_stdout"], out, re.S) is not None
            key = (domain, case["expect_exit"])
            table[key] = table.get(key, 0) + 1
            if not ok:
                failures.append(f"{domain}/{case['name']}: exit {rc} (want {case['expect_exit']})\n"
                                f"    stderr: {err.strip()[-400:]}\n    stdout: {out.strip()[-200:]}")
    for (domain, code), n in sorted(table.items()):
        print(f"  {domain:15s} exit {code}: {n} cases")
    for f in failures:
        print("MISMATCH", f)
    print(f"replayed {sum(table.values())} cases, {len(failures)} mismatches")
    return 1 if failures else 0


def unmount_all(root):
    for line in open("/proc/mounts"):
        target = line.split()[1]
        if target.startswith(os.path.abspath(root) + "/") and line.split()[2] == "tmpfs":
            subprocess.run(["umount", "-l", target])


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    root = os.path.abspath(sys.argv[1])
    unmount_all(root)  # a previous run's small disks
    if "--unmount" in sys.argv[2:]:
        return 0
    c = Corpus(root)
    model_folders(c)
    label_csvs(c)
    output_paths(c)
    c.write_manifests()
    for note in c.skipped:
        print("skipped:", note)
    for domain, entries in sorted(c.cases.items()):
        by_exit = {}
        for e in entries:
            by_exit[e["expect_exit"]] = by_exit.get(e["expect_exit"], 0) + 1
        print(f"{domain}: {len(entries)} cases, by expected exit {dict(sorted(by_exit.items()))}")
    print("total:", sum(len(e) for e in c.cases.values()))
    if "--replay" in sys.argv[2:]:
        cli = sys.argv[sys.argv.index("--replay") + 1]
        try:
            return replay(root, cli, sorted(c.cases))
        finally:
            unmount_all(root)  # the small disks go with the run: none is left mounted after it
    return 0


if __name__ == "__main__":
    sys.exit(main())
