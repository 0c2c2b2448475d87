#!/usr/bin/python3
"""Real images in oblique geometry, written by peers (pydicom, nibabel, PIL and plain
Python header writers for NRRD/MetaImage), with the geometry pydicom/numpy compute for
them, for DicomGeometryReferenceTest.cpp.

  make_geometry_references.py OUT_DIR DEMO_DATA

Writes into OUT_DIR:
  oblique-series/      12 real CT slices (the demo series' middle) rotated by R = Rx(10) Ry(110)
                       (orientation and positions together, so the stack stays a stack), under
                       shuffled file names. The normal points down (z component < 0): sorting by
                       raw z reverses the stack, sorting along the normal does not.
  enhanced-ct.dcm      the same 12 frames as one Enhanced CT object (per-frame positions in the
                       functional groups), frames stored against the normal.
  anatomical-oblique.nii.gz, volume.nrrd, volume.mha: nibabel's anatomical.nii voxels in an
                       oblique geometry, written by nibabel and by hand-written NRRD / MetaImage
                       headers (ITK's formats; Debian has no Python ITK).
  camera.bmp           skimage's camera photograph written by PIL as BMP.
  expected.json        for each: size, spacing, origin and direction (LPS, direction columns =
                       axes i, j, k) and, for the series, the files in the order along the normal
                       with each file's position.
"""
import glob
import gzip
import json
import os
import random
import shutil
import sys

import numpy as np

NIBABEL_DATA = "/usr/lib/python3/dist-packages/nibabel/tests/data"
SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"


def rotation():
    a, b = np.radians(10.0), np.radians(110.0)
    rx = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    ry = np.array([[np.cos(b), 0, np.sin(b)], [0, 1, 0], [-np.sin(b), 0, np.cos(b)]])
    return rx @ ry


def ds_text(values):
    return [f"{v:.6f}" for v in values]


def oblique_series(out, demo, expected):
    import pydicom
    from pydicom.uid import generate_uid

    source = sorted((pydicom.dcmread(f) for f in glob.glob(os.path.join(demo, "ct-abdomen-stent-dicom", "*"))),
                    key=lambda ds: float(ds.ImagePositionPatient[2]))
    middle = len(source) // 2
    slices = source[middle - 6:middle + 6]
    r = rotation()
    centre = np.array(slices[0].ImagePositionPatient, dtype=float)
    series_dir = os.path.join(out, "oblique-series")
    shutil.rmtree(series_dir, ignore_errors=True)
    os.makedirs(series_dir)
    series_uid = generate_uid()
    names = [f"im{n:05d}.dcm" for n in random.Random(7).sample(range(100000), len(slices))]
    records = []
    for ds, name in zip(slices, names):
        iop = np.array(ds.ImageOrientationPatient, dtype=float)
        row, col = r @ iop[:3], r @ iop[3:]
        pos = centre + r @ (np.array(ds.ImagePositionPatient, dtype=float) - centre)
        ds.ImageOrientationPatient = ds_text(np.concatenate([row, col]))
        ds.ImagePositionPatient = ds_text(pos)
        ds.SeriesInstanceUID = series_uid
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.save_as(os.path.join(series_dir, name))
        back = pydicom.dcmread(os.path.join(series_dir, name))  # the values as stored (decimal strings)
        records.append((name, np.array(back.ImagePositionPatient, dtype=float),
                        np.array(back.ImageOrientationPatient, dtype=float)))
    iop = records[0][2]
    normal = np.cross(iop[:3], iop[3:])
    assert normal[2] < -0.1, "the test needs a normal that points down"
    records.sort(key=lambda rec: float(np.dot(rec[1], normal)))
    along = [float(np.dot(rec[1], normal)) for rec in records]
    spacing = float(np.median(np.diff(along)))
    px = [float(v) for v in slices[0].PixelSpacing]  # row spacing, column spacing
    expected["oblique_series"] = {
        "size": [int(slices[0].Columns), int(slices[0].Rows), len(records)],
        "spacing": [px[1], px[0], spacing],
        "origin": records[0][1].tolist(),
        "direction_columns": [iop[:3].tolist(), iop[3:].tolist(), normal.tolist()],
        "files_along_normal": [rec[0] for rec in records],
        "positions_along_normal": [rec[1].tolist() for rec in records],
    }
    return [pydicom.dcmread(os.path.join(series_dir, rec[0])) for rec in records]


def enhanced_ct(out, frames_along_normal, expected):
    """One Enhanced CT object holding the series' frames, stored from the last to the first."""
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    frames = list(reversed(frames_along_normal))
    first = frames[0]
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2.1"  # Enhanced CT Image Storage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = first.StudyInstanceUID, generate_uid()
    ds.Modality, ds.PatientName, ds.PatientID = "CT", "Meridian^Enhanced", "MERIDIAN-ENH"
    ds.Rows, ds.Columns, ds.NumberOfFrames = first.Rows, first.Columns, len(frames)
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = first.BitsAllocated, first.BitsStored, first.HighBit
    ds.PixelRepresentation = first.PixelRepresentation
    orientation, measures, transform = Dataset(), Dataset(), Dataset()
    orientation.ImageOrientationPatient = first.ImageOrientationPatient
    measures.PixelSpacing = first.PixelSpacing
    measures.SliceThickness = getattr(first, "SliceThickness", 1)
    transform.RescaleSlope = getattr(first, "RescaleSlope", 1)
    transform.RescaleIntercept = getattr(first, "RescaleIntercept", 0)
    transform.RescaleType = "HU"
    shared = Dataset()
    shared.PlaneOrientationSequence = Sequence([orientation])
    shared.PixelMeasuresSequence = Sequence([measures])
    shared.PixelValueTransformationSequence = Sequence([transform])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    per_frame = []
    for f in frames:
        position, item = Dataset(), Dataset()
        position.ImagePositionPatient = f.ImagePositionPatient
        item.PlanePositionSequence = Sequence([position])
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = Sequence(per_frame)
    ds.PixelData = b"".join(f.PixelData for f in frames)
    path = os.path.join(out, "enhanced-ct.dcm")
    ds.save_as(path, write_like_original=False)

    back = pydicom.dcmread(path)
    positions = [np.array(item.PlanePositionSequence[0].ImagePositionPatient, dtype=float)
                 for item in back.PerFrameFunctionalGroupsSequence]
    iop = np.array(back.SharedFunctionalGroupsSequence[0].PlaneOrientationSequence[0].ImageOrientationPatient, dtype=float)
    step = positions[1] - positions[0]
    px = [float(v) for v in first.PixelSpacing]
    expected["enhanced_ct"] = {
        "size": [int(ds.Columns), int(ds.Rows), len(frames)],
        "spacing": [px[1], px[0], float(np.linalg.norm(step))],
        "origin": positions[0].tolist(),
        "direction_columns": [iop[:3].tolist(), iop[3:].tolist(), (step / np.linalg.norm(step)).tolist()],
        "frame_positions": [p.tolist() for p in positions],
        "files_of_frames": list(reversed(expected["oblique_series"]["files_along_normal"])),
    }


def oblique_volumes(out, expected):
    import nibabel

    source = nibabel.load(os.path.join(NIBABEL_DATA, "anatomical.nii"))
    data = np.asarray(source.dataobj)
    data = data.astype(data.dtype.newbyteorder("<"))  # the file is big-endian; the writers below say little
    spacing = np.array([2.0, 2.5, 3.0])
    r = rotation()
    origin_lps = np.array([-31.5, 40.25, -12.75])
    direction_lps = r  # columns: axes i, j, k in LPS
    lps_to_ras = np.diag([-1.0, -1.0, 1.0])
    affine = np.eye(4)
    affine[:3, :3] = lps_to_ras @ direction_lps @ np.diag(spacing)
    affine[:3, 3] = lps_to_ras @ origin_lps
    nifti = nibabel.Nifti1Image(data, affine)
    nifti.set_qform(affine, code=1)
    nifti.set_sform(affine, code=1)
    nibabel.save(nifti, os.path.join(out, "anatomical-oblique.nii.gz"))

    shape = data.shape
    dtype = {np.dtype("int16"): ("short", "MET_SHORT"), np.dtype("uint8"): ("uchar", "MET_UCHAR"),
             np.dtype("float32"): ("float", "MET_FLOAT")}[data.dtype]
    raw = np.asfortranarray(data).tobytes(order="F")  # x fastest, as both formats store it
    fmt = lambda v: " ".join(f"{x:.10g}" for x in v)
    nrrd_header = (
        "NRRD0004\n# written by Meridian's test fixture (plain Python), not by Meridian\n"
        f"type: {dtype[0]}\ndimension: 3\nspace: left-posterior-superior\n"
        f"sizes: {shape[0]} {shape[1]} {shape[2]}\n"
        "space directions: " + " ".join(f"({','.join(f'{x:.10g}' for x in direction_lps[:, a] * spacing[a])})"
                                        for a in range(3)) + "\n"
        "kinds: domain domain domain\nendian: little\nencoding: gzip\n"
        f"space origin: ({','.join(f'{x:.10g}' for x in origin_lps)})\n\n")
    with open(os.path.join(out, "volume.nrrd"), "wb") as f:
        f.write(nrrd_header.encode())
        f.write(gzip.compress(raw))
    mha_header = (
        "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
        "CompressedData = False\n"
        f"TransformMatrix = {fmt(direction_lps.T.reshape(-1))}\n"  # row-wise: the i axis first
        f"Offset = {fmt(origin_lps)}\nAnatomicalOrientation = RAI\n"
        f"ElementSpacing = {fmt(spacing)}\nDimSize = {shape[0]} {shape[1]} {shape[2]}\n"
        f"ElementType = {dtype[1]}\nElementDataFile = LOCAL\n")
    with open(os.path.join(out, "volume.mha"), "wb") as f:
        f.write(mha_header.encode())
        f.write(raw)
    geometry = {"size": list(shape), "spacing": spacing.tolist(), "origin": origin_lps.tolist(),
                "direction_columns": [direction_lps[:, a].tolist() for a in range(3)],
                "voxel_sum": int(data.astype(np.int64).sum()),
                "voxels_ijk": [[i, j, k, int(data[i, j, k])] for i, j, k in
                               ((0, 0, 0), (shape[0] - 1, 3, 5), (10, shape[1] - 1, 7), (16, 20, shape[2] - 1))]}
    for name in ("anatomical-oblique.nii.gz", "volume.nrrd", "volume.mha"):
        expected[name] = geometry


def bmp(out, expected):
    from PIL import Image

    image = Image.open(os.path.join(SKIMAGE_DATA, "camera.png")).convert("L")
    image.save(os.path.join(out, "camera.bmp"))
    pixels = np.asarray(image)
    expected["camera.bmp"] = {"size": [image.width, image.height], "sum": int(pixels.astype(np.int64).sum()),
                              "pixels_xy": [[x, y, int(pixels[y, x])] for x, y in
                                            ((0, 0), (511, 0), (0, 511), (200, 100), (300, 400))]}


def main():
    out, demo = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    expected = {}
    frames = oblique_series(out, demo, expected)
    enhanced_ct(out, frames, expected)
    oblique_volumes(out, expected)
    bmp(out, expected)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(f"geometry references written to {out}")


if __name__ == "__main__":
    main()
