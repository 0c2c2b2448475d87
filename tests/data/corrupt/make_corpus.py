#!/usr/bin/python3
"""Builds the corrupt-file corpus in this folder from real files shipped by Debian packages:
truncated, bit-flipped, length-bombed and wrong-transfer-syntax variants. Deterministic
(fixed offsets and seeds); run it again after changing it and commit the files.
The expected outcome of each file is in expected.tsv (checked by CorruptCorpusTest)."""
import os
import random
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
PYDICOM = "/usr/lib/python3/dist-packages/pydicom/data/test_files"
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"


def read(path):
    with open(path, "rb") as f:
        return bytearray(f.read())


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(bytes(data))


def flip_bits(data, count, seed, start=0):
    rng = random.Random(seed)
    for _ in range(count):
        i = rng.randrange(start, len(data))
        data[i] ^= 1 << rng.randrange(8)
    return data


def dicom_element_offset(data, group, element):
    """Offset of the first explicit-VR little-endian element (group, element) in data."""
    return bytes(data).find(struct.pack("<HH", group, element), 132)


ct = read(f"{PYDICOM}/CT_small.dcm")
mr = read(f"{PYDICOM}/MR_small.dcm")
jpeg_dcm = read(f"{PYDICOM}/SC_rgb_jpeg_dcmtk.dcm")
png = read(f"{SKIMAGE}/microaneurysms.png")
jpg = read(f"{SKIMAGE}/retina.jpg")

# Truncated: cut in the header, in the middle of the pixel data, just before the end.
write("ct-truncated-in-header.dcm", ct[:600])
write("ct-truncated-in-pixels.dcm", ct[: len(ct) // 2])
write("ct-truncated-last-bytes.dcm", ct[:-7])
write("png-truncated.png", png[: len(png) // 2])
write("jpeg-truncated.jpg", jpg[:20000])
write("jpeg-dicom-truncated.dcm", jpeg_dcm[: len(jpeg_dcm) - 500])

# Bit flips in the pixel data (a damaged but readable file) and in the header.
pixels = dicom_element_offset(ct, 0x7FE0, 0x0010)
write("ct-bitflips-in-pixels.dcm", flip_bits(read(f"{PYDICOM}/CT_small.dcm"), 40, 1, pixels + 12))
write("png-bitflips.png", flip_bits(read(f"{SKIMAGE}/microaneurysms.png"), 20, 2, 40))
write("jpeg-dicom-bitflips.dcm", flip_bits(read(f"{PYDICOM}/SC_rgb_jpeg_dcmtk.dcm"), 30, 3, len(jpeg_dcm) - 2000))

# Length bombs: Rows/Columns inflated; a pixel data length beyond the file; a PNG header
# claiming 2^20 x 2^20 pixels.
bomb = read(f"{PYDICOM}/CT_small.dcm")
rows = dicom_element_offset(bomb, 0x0028, 0x0010)
cols = dicom_element_offset(bomb, 0x0028, 0x0011)
struct.pack_into("<H", bomb, rows + 8, 65535)
struct.pack_into("<H", bomb, cols + 8, 65535)
write("ct-rows-columns-65535.dcm", bomb)
bomb = read(f"{PYDICOM}/CT_small.dcm")
struct.pack_into("<I", bomb, pixels + 8, 0x7FFFFFF0)
write("ct-pixel-length-2gb.dcm", bomb)
bomb = read(f"{SKIMAGE}/microaneurysms.png")
struct.pack_into(">II", bomb, 16, 1 << 20, 1 << 20)  # IHDR width, height: CRC now wrong
write("png-1m-by-1m-bad-crc.png", bomb)
struct.pack_into(">I", bomb, 29, zlib.crc32(bytes(bomb[12:29])))  # ... and with a valid CRC
write("png-1m-by-1m.png", bomb)

# Wrong transfer syntax: an explicit-VR file that claims implicit VR, and one that claims
# JPEG baseline while its pixel data is native.
wrong = read(f"{PYDICOM}/MR_small.dcm")
i = bytes(wrong).find(b"1.2.840.10008.1.2.1\x00")
wrong[i : i + 20] = b"1.2.840.10008.1.2\x00\x00\x00"
write("mr-claims-implicit-vr.dcm", wrong)
wrong = read(f"{PYDICOM}/MR_small.dcm")
wrong[i : i + 20] = b"1.2.840.10008.1.2.4.50"[:20]
write("mr-claims-jpeg-baseline.dcm", wrong)
# Compressed frames smaller than the header says (fuzz_dicom): DCMTK sized the frame from
# Rows and left the rest zero, exit 0. A JPEG baseline frame of 100 rows under a header of
# 25344, a JPEG-LS one of 64 under 640, and JPEG-LS claiming 513 samples per pixel.
lie = read(f"{PYDICOM}/SC_rgb_jpeg_dcmtk.dcm")
struct.pack_into("<H", lie, dicom_element_offset(lie, 0x0028, 0x0010) + 8, 25344)
write("fuzz-dicom-jpeg-rows-25344.dcm", lie)
lie = read(f"{PYDICOM}/MR_small_jpeg_ls_lossless.dcm")
struct.pack_into("<H", lie, dicom_element_offset(lie, 0x0028, 0x0010) + 8, 640)
write("fuzz-dicom-jpeg-ls-rows-640.dcm", lie)
lie = read(f"{PYDICOM}/MR_small_jpeg_ls_lossless.dcm")
struct.pack_into("<H", lie, dicom_element_offset(lie, 0x0028, 0x0002) + 8, 513)
write("fuzz-dicom-jpeg-ls-samples-513.dcm", lie)
# MONOCHROME2 with 2 samples per pixel (the same bytes: half the rows): the photometric
# interpretation fixes the samples (fuzz_dicom found 513 costing 1 GB to decode 1 MB).
lie = read(f"{PYDICOM}/MR_small.dcm")
struct.pack_into("<H", lie, dicom_element_offset(lie, 0x0028, 0x0002) + 8, 2)
struct.pack_into("<H", lie, dicom_element_offset(lie, 0x0028, 0x0010) + 8, 32)
write("fuzz-dicom-monochrome-2-samples.dcm", lie)

# A slide whose label claims 16384 x 16384 pixels (fuzz_slide): the Aperio seed of
# tests/fuzz/make_slide_seeds.py with its label directory's width, length and rows per strip
# rewritten. The reader allowed associated images up to 256 Mpixel: 1 GiB of ARGB plus
# libtiff's strip buffer took the 22 KB file past the fuzzer's 2 GB. Now refused by size.
def tiff_ifds(data):
    """(offset of each IFD) of a classic little-endian TIFF."""
    at, out = struct.unpack_from("<I", data, 4)[0], []
    while at:
        out.append(at)
        at = struct.unpack_from("<I", data, at + 2 + 12 * struct.unpack_from("<H", data, at)[0])[0]
    return out


def tiff_entry(data, ifd, tag):
    """Offset of the 12-byte entry of `tag` in the IFD at `ifd`."""
    for i in range(struct.unpack_from("<H", data, ifd)[0]):
        entry = ifd + 2 + 12 * i
        if struct.unpack_from("<H", data, entry)[0] == tag:
            return entry
    raise ValueError("tag %d not in the IFD at %d" % (tag, ifd))


def tiff_description(data, ifd):
    _, count, at = struct.unpack_from("<HII", data, tiff_entry(data, ifd, 270) + 2)
    return bytes(data[at : at + count]) if count > 4 else b""


def set_tiff_long(data, ifd, tag, value):
    struct.pack_into("<HII", data, tiff_entry(data, ifd, tag) + 2, 4, 1, value)  # LONG, one value


import subprocess
import sys
import tempfile

with tempfile.TemporaryDirectory() as seeds:
    subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "fuzz", "make_slide_seeds.py"), seeds],
                   check=True, stdout=subprocess.DEVNULL)
    svs = read(os.path.join(seeds, "aperio.svs"))
label = [ifd for ifd in tiff_ifds(svs) if b"\nlabel " in tiff_description(svs, ifd)]
assert len(label) == 1, "the Aperio seed's label directory not found"
for tag in (256, 257, 278):  # ImageWidth, ImageLength, RowsPerStrip
    set_tiff_long(svs, label[0], tag, 16384)
write("fuzz-slide-aperio-label-256-mpixel.svs", svs)
print("corpus written to", HERE)
