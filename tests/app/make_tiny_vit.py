#!/usr/bin/env python3
"""Writes a ViT-T/16 (width 192, depth 12, 3 heads) with a 3-class head in timm's key
layout as safetensors, with a fixed seed: a small third-party-style checkpoint for the
CLI tests (import with --labels, infer, explain --class). Written by hand, like the
format's spec (8-byte header length, JSON header, raw little-endian data): the test must
not depend on the safetensors Python package.

    make_tiny_vit.py OUT.safetensors
"""
import json
import struct
import sys

import numpy as np

D, DEPTH, PATCH, GRID, CLASSES = 192, 12, 16, 14, 3


def tensors(rng):
    t = {}

    def normal(name, *shape, std=0.02):
        t[name] = (rng.standard_normal(shape) * std).astype(np.float32)

    def ones(name, n):
        t[name] = np.ones(n, np.float32)

    def zeros(name, n):
        t[name] = np.zeros(n, np.float32)

    normal("cls_token", 1, 1, D)
    normal("pos_embed", 1, 1 + GRID * GRID, D)
    normal("patch_embed.proj.weight", D, 3, PATCH, PATCH)
    zeros("patch_embed.proj.bias", D)
    for i in range(DEPTH):
        b = f"blocks.{i}."
        ones(b + "norm1.weight", D); zeros(b + "norm1.bias", D)
        # Larger qkv weights than 0.02 so the attention is not uniform (a trained look).
        normal(b + "attn.qkv.weight", 3 * D, D, std=0.15); normal(b + "attn.qkv.bias", 3 * D)
        normal(b + "attn.proj.weight", D, D); zeros(b + "attn.proj.bias", D)
        ones(b + "norm2.weight", D); zeros(b + "norm2.bias", D)
        normal(b + "mlp.fc1.weight", 4 * D, D); zeros(b + "mlp.fc1.bias", 4 * D)
        normal(b + "mlp.fc2.weight", D, 4 * D); zeros(b + "mlp.fc2.bias", D)
    ones("norm.weight", D); zeros("norm.bias", D)
    normal("head.weight", CLASSES, D, std=0.5); zeros("head.bias", CLASSES)
    return t


def write_safetensors(path, t):
    header, blobs, offset = {}, [], 0
    for name, a in t.items():
        data = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


if __name__ == "__main__":
    write_safetensors(sys.argv[1], tensors(np.random.default_rng(2024)))
