#!/usr/bin/python3
"""Adds VOI LUT and Modality LUT Sequences to real images (pydicom's CT_small.dcm and
MR_small.dcm: real pixels, synthetic tables, since Debian's test files carry none) and
writes what pydicom (the peer) makes of them, for LookupTableTest to compare against.

    lut_reference.py OUT_DIR

OUT_DIR/<name>.dcm: the variants; OUT_DIR/lut-reference.json: per file, per VOI LUT index,
"pydicom" ("ok" or the error) and "agrees" (pydicom's result equals the standard's rule
computed here with numpy: entry[clip(value - first, 0, n - 1)]); <name>.voi<i>.pydicom.f64 /
.standard.f64 the two results; <name>.modality.f64 apply_modality_lut's output (float64,
little endian, row-major). A file that also stores windows (Window Center/Width with their
explanations, beside its VOI LUTs: a viewer offers both) lists them under "windows", with
pydicom's windowing of each in <name>.window<i>.pydicom.f64. Run with Debian's /usr/bin/python3 (python3-pydicom 2.3.1).
"""
import json
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut
from pydicom.sequence import Sequence

warnings.simplefilter("ignore")
SOURCE = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")


def lut_item(entries, first, bits, packed=False, explanation=""):
    item = Dataset()
    n = len(entries)
    item.add_new(0x00283002, "SS" if first < 0 else "US", [n % 65536, first, bits])
    values = np.asarray(entries, dtype=np.uint16)
    if packed:  # 8-bit entries, two per 16-bit word (low byte first)
        if n % 2:
            values = np.append(values, 0)
        words = (values[0::2] & 0xFF) | ((values[1::2] & 0xFF) << 8)
        item.add_new(0x00283006, "OW", words.astype("<u2").tobytes())
    elif n > 32767:  # US values have a 16-bit length in explicit VR: long tables are OW
        item.add_new(0x00283006, "OW", values.astype("<u2").tobytes())
    else:
        item.add_new(0x00283006, "US", [int(v) for v in values])
    if explanation:
        item.LUTExplanation = explanation
    return item


def standard(arr, entries, first):
    index = np.clip(np.floor(arr).astype(np.int64) - first, 0, len(entries) - 1)
    return np.asarray(entries, dtype=np.float64)[index]


def variants():
    ramp = np.arange(4096)
    x = np.linspace(-6, 6, 3000)
    sigmoid = np.round(65535 / (1 + np.exp(-x))).astype(int)
    gamma = np.round(4095 * np.linspace(0, 1, 2048) ** 0.5).astype(int)
    bend = np.round(np.concatenate([np.linspace(0, 30000, 1200), np.linspace(30000, 40000, 2896)])).astype(int)
    return [
        # (name, source, voi [(entries, first, bits, packed, explanation)], modality (entries, first, bits) or None, implicit)
        ("ct-voi-linear-12bit", "CT_small.dcm", [(ramp, -1024, 12, False, "LINEAR")], None, False),
        ("ct-voi-two-nonlinear", "CT_small.dcm",
         [(sigmoid, -1000, 16, False, "SIGMOID"), (gamma, -200, 12, False, "GAMMA")], None, False),
        ("ct-voi-implicit-negative-first", "CT_small.dcm", [(ramp[:3000], -1024, 12, False, "")], None, True),
        ("mr-voi-8bit-words", "MR_small.dcm", [(np.arange(256), 1000, 8, False, "8 BIT")], None, False),
        ("mr-voi-8bit-packed", "MR_small.dcm", [(np.arange(512) // 2, 800, 8, True, "8 BIT PACKED")], None, False),
        ("mr-voi-65536-entries", "MR_small.dcm", [(65535 - np.arange(65536), 0, 16, False, "INVERSE")], None, False),
        ("ct-modality-lut", "CT_small.dcm", [], (bend, 0, 16), False),
    ]


# Stored windows added beside the VOI LUTs: (centres, widths, explanations).
WINDOWS = {"ct-voi-two-nonlinear": ([40, -600], [400, 1500], ["ABDOMEN", "LUNG"])}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    table = {}
    for name, source, vois, modality, implicit in variants():
        ds = pydicom.dcmread(os.path.join(SOURCE, source))
        if modality is not None:
            entries, first, bits = modality
            for tag in ("RescaleSlope", "RescaleIntercept", "RescaleType"):
                if tag in ds:
                    delattr(ds, tag)
            item = lut_item(entries, first, bits)
            item.ModalityLUTType = "HU"
            ds.ModalityLUTSequence = Sequence([item])
        if vois:
            ds.VOILUTSequence = Sequence([lut_item(e, f, b, p, x) for e, f, b, p, x in vois])
        if name in WINDOWS:
            centres, widths, explanations = WINDOWS[name]
            ds.WindowCenter, ds.WindowWidth = centres, widths
            ds.WindowCenterWidthExplanation = explanations
        path = os.path.join(out_dir, name + ".dcm")
        if implicit:
            ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
            ds.is_implicit_VR, ds.is_little_endian = True, True
        ds.save_as(path, write_like_original=False)
        ds = pydicom.dcmread(path)  # what pydicom makes of the file, not of its own objects
        values = apply_modality_lut(ds.pixel_array, ds)
        entry = {"voi": []}
        if modality is not None:
            np.asarray(values, dtype="<f8").tofile(os.path.join(out_dir, name + ".modality.f64"))
            entry["modality"] = True
        for i, (entries, first, bits, packed, explanation) in enumerate(vois):
            std = standard(values, entries, first)
            std.astype("<f8").tofile(os.path.join(out_dir, f"{name}.voi{i}.standard.f64"))
            result = {"explanation": explanation, "bits": bits}
            try:
                ours = np.asarray(apply_voi_lut(values, ds, index=i), dtype=np.float64)
                ours.astype("<f8").tofile(os.path.join(out_dir, f"{name}.voi{i}.pydicom.f64"))
                result["pydicom"] = "ok"
                result["agrees"] = bool(np.array_equal(ours, std))
                result["pydicom_differs"] = int(np.count_nonzero(ours != std))
            except Exception as e:  # pydicom cannot read this table
                result["pydicom"] = f"{type(e).__name__}: {e}"[:300]
                result["agrees"] = False
            entry["voi"].append(result)
        if name in WINDOWS:
            entry["windows"] = []
            for i, (c, w, x) in enumerate(zip(*WINDOWS[name])):
                windowed = np.asarray(apply_voi_lut(values, ds, index=i, prefer_lut=False), dtype=np.float64)
                windowed.astype("<f8").tofile(os.path.join(out_dir, f"{name}.window{i}.pydicom.f64"))
                entry["windows"].append({"center": c, "width": w, "explanation": x})
        entry["shape"] = list(ds.pixel_array.shape)
        table[name] = entry
    with open(os.path.join(out_dir, "lut-reference.json"), "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
