#!/usr/bin/env python3
"""Reads de-identified copies back with pydicom (a reader independent of DCMTK) and checks that
each decodes, says it was de-identified, holds no private attribute at any depth, and has the
same pixels as the original with the same Instance Number.
Usage: deid_readback.py OUTPUT_FOLDER ORIGINALS_FOLDER"""
import pathlib
import sys

import pydicom

out_dir, in_dir = map(pathlib.Path, sys.argv[1:3])
originals = {}
for path in sorted(in_dir.glob("*.dcm")):
    ds = pydicom.dcmread(path)
    originals[int(ds.InstanceNumber)] = ds.pixel_array

count = 0
for path in sorted(out_dir.rglob("*.dcm")):
    ds = pydicom.dcmread(path)  # raises on a malformed file
    assert ds.PatientIdentityRemoved == "YES", path
    private = []
    ds.walk(lambda _, elem: private.append(elem.tag) if elem.tag.is_private else None)
    assert not private, f"{path}: private tags {private}"
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID, path
    pixels = ds.pixel_array
    original = originals[int(ds.InstanceNumber)]
    assert pixels.shape == original.shape and (pixels == original).all(), f"{path}: pixels differ"
    count += 1
assert count == len(originals), f"{count} copies for {len(originals)} originals"
print(f"pydicom read back {count} de-identified files, pixels identical")
