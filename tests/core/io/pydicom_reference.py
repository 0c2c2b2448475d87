#!/usr/bin/python3
"""Decodes every DICOM file of pydicom's own test suite with pydicom (the peer) and writes
what it got, for ReaderAcceptanceTest to compare Meridian's pixels against.

    pydicom_reference.py OUT_DIR [EXTRA.dcm ...]

EXTRA files (real DICOM from other packages, e.g. the demo set's octave-dicom samples) are
decoded the same way and listed under their file names. OUT_DIR/reference.json maps file name -> {"status": "ok", "shape": [...], "photometric": ...}
or {"status": "pydicom-error", "reason": ...}; OUT_DIR/<name>.f64 holds the decoded array as
little-endian float64: modality LUT (rescale) applied for monochrome images, colour
converted to RGB (YBR via pydicom's convert_color_space, palettes via apply_color_lut; 16-bit
palette entries are reduced to 8 bits by dropping the low byte, as DCMTK does).
Run with Debian's /usr/bin/python3 (python3-pydicom 2.3.1, python3-numpy).
"""
import json
import os
import sys
import warnings

import numpy as np
import pydicom
from pydicom.data import get_testdata_file  # noqa: F401  (ensures the data package exists)
from pydicom.pixel_data_handlers.util import apply_color_lut, apply_modality_lut, convert_color_space

warnings.simplefilter("ignore")
SOURCE = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")


def decode(path):
    ds = pydicom.dcmread(path, force=True)
    if "PixelData" not in ds:
        return None, "no pixel data"
    arr = ds.pixel_array
    photometric = str(ds.get("PhotometricInterpretation", ""))
    if photometric == "PALETTE COLOR":
        arr = apply_color_lut(arr, ds)
        if ds.RedPaletteColorLookupTableDescriptor[2] == 16:
            arr = arr >> 8
    elif photometric.startswith("YBR"):  # pydicom leaves YCbCr as decoded, even from JPEG
        arr = convert_color_space(arr, photometric, "RGB")
    elif photometric.startswith("MONOCHROME"):
        arr = apply_modality_lut(arr, ds)
    return (np.asarray(arr, dtype=np.float64), photometric), None


def main(out_dir, extra):
    os.makedirs(out_dir, exist_ok=True)
    table = {}
    suite = [os.path.join(SOURCE, name) for name in sorted(os.listdir(SOURCE))]
    for path in suite + extra:
        name = os.path.basename(path)
        if not name.endswith(".dcm") or not os.path.isfile(path):
            continue
        try:
            result, reason = decode(path)
        except Exception as e:  # pydicom cannot decode this syntax or file
            result, reason = None, f"{type(e).__name__}: {e}"
        if result is None:
            table[name] = {"status": "pydicom-error", "reason": reason[:300]}
            continue
        arr, photometric = result
        arr.astype("<f8").tofile(os.path.join(out_dir, name + ".f64"))
        table[name] = {"status": "ok", "shape": list(arr.shape), "photometric": photometric}
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
