#!/usr/bin/python3
"""Writes the seed corpus of fuzz_slide: tiny tiled TIFF slides (a few KB each) cut from a
real image (skimage's immunohistochemistry sample, the demo slide's source), in the layouts
OpenSlide 3.4 reads: generic tiled TIFF (JPEG, deflate; classic and BigTIFF) and the
TIFF-based vendor formats it tells apart by their tags (Aperio SVS with its thumbnail, label
and macro images, Philips TIFF, Trestle). Without seeds the fuzzer never got past OpenSlide's
format detection (42 edges in 2 million runs).

    /usr/bin/python3 tests/fuzz/make_slide_seeds.py OUT_DIR

Every file written is checked to open in OpenSlide (python3-openslide) as the vendor meant.
The TIFF is written here by hand: tifffile cannot store JPEG tiles without imagecodecs,
which Debian 12 lacks."""
import io
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

SOURCE = "/usr/lib/python3/dist-packages/skimage/data/ihc.png"
TILE = 16

# TIFF field types
SHORT, LONG, ASCII, UNDEFINED, LONG8 = 3, 4, 2, 7, 16


def jpeg(pixels):
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=80)  # YCbCr 4:2:0, as scanners write
    return out.getvalue()


def encode(pixels, compression):
    if compression == "jpeg":
        return jpeg(pixels)
    if compression == "deflate":
        return zlib.compress(pixels.tobytes())
    return pixels.tobytes()


COMPRESSION_TAG = {"jpeg": 7, "deflate": 8, "none": 1}


class Page:
    """One directory: tiled (a pyramid level) or stripped (an associated image)."""

    def __init__(self, pixels, compression, tiled=True, description=None, software=None, extra=()):
        self.pixels, self.compression, self.tiled = pixels, compression, tiled
        self.description, self.software, self.extra = description, software, list(extra)

    def blobs(self):
        h, w, _ = self.pixels.shape
        if not self.tiled:
            return [encode(self.pixels, self.compression)]
        out = []
        for y in range(0, h, TILE):
            for x in range(0, w, TILE):
                tile = np.zeros((TILE, TILE, 3), np.uint8)  # edge tiles are padded, as TIFF requires
                part = self.pixels[y : y + TILE, x : x + TILE]
                tile[: part.shape[0], : part.shape[1]] = part
                out.append(encode(tile, self.compression))
        return out


def write_tiff(path, pages, bigtiff=False):
    """Little-endian TIFF (or BigTIFF): the pixel data first, then one IFD per page."""
    offset_type = LONG8 if bigtiff else LONG
    data = bytearray(b"II" + (struct.pack("<HHHQ", 43, 8, 0, 0) if bigtiff else struct.pack("<HI", 42, 0)))
    ifd_pointer_at = 8 if bigtiff else 4
    for page in pages:
        offsets, counts = [], []
        for blob in page.blobs():
            offsets.append(len(data))
            counts.append(len(blob))
            data += blob
            if len(data) % 2:
                data += b"\0"
        h, w, _ = page.pixels.shape
        ycbcr = page.compression == "jpeg"
        tags = [
            (256, LONG, [w]), (257, LONG, [h]), (258, SHORT, [8, 8, 8]),
            (259, SHORT, [COMPRESSION_TAG[page.compression]]), (262, SHORT, [6 if ycbcr else 2]),
            (277, SHORT, [3]), (284, SHORT, [1]),
        ]
        if page.description is not None:
            tags.append((270, ASCII, page.description))
        if page.software is not None:
            tags.append((305, ASCII, page.software))
        if page.tiled:
            tags += [(322, LONG, [TILE]), (323, LONG, [TILE]), (324, offset_type, offsets), (325, LONG, counts)]
        else:
            tags += [(273, offset_type, offsets), (278, LONG, [h]), (279, LONG, counts)]
        if ycbcr:
            tags.append((530, SHORT, [2, 2]))
        tags += page.extra
        tags.sort(key=lambda t: t[0])
        # Values that do not fit in the entry go before the IFD.
        entries = []
        for tag, kind, values in tags:
            if kind == ASCII:
                raw = values.encode() + b"\0"
                count = len(raw)
            elif kind == UNDEFINED:
                raw, count = bytes(values), len(values)
            else:
                fmt = {SHORT: "H", LONG: "I", LONG8: "Q"}[kind]
                raw, count = struct.pack("<%d%s" % (len(values), fmt), *values), len(values)
            if len(raw) > (8 if bigtiff else 4):
                where = len(data)
                data += raw + (b"\0" if len(raw) % 2 else b"")
                raw = struct.pack("<Q" if bigtiff else "<I", where)
            entries.append((tag, kind, count, raw.ljust(8 if bigtiff else 4, b"\0")))
        ifd_at = len(data)
        struct.pack_into("<Q" if bigtiff else "<I", data, ifd_pointer_at, ifd_at)
        if bigtiff:
            data += struct.pack("<Q", len(entries))
            for tag, kind, count, raw in entries:
                data += struct.pack("<HHQ", tag, kind, count) + raw
            ifd_pointer_at = len(data)
            data += struct.pack("<Q", 0)
        else:
            data += struct.pack("<H", len(entries))
            for tag, kind, count, raw in entries:
                data += struct.pack("<HHI", tag, kind, count) + raw
            ifd_pointer_at = len(data)
            data += struct.pack("<I", 0)
    with open(path, "wb") as f:
        f.write(bytes(data))


def pyramid(image, base, levels):
    return [np.asarray(image.resize((base >> i, base >> i), Image.BICUBIC)) for i in range(levels)]


REDUCED = [(254, LONG, [1])]  # NewSubfileType: a reduced-resolution copy (generic TIFF wants it)


def levels_of(level, compression, **kw):
    return [Page(p, compression, extra=REDUCED if i else (), **kw) for i, p in enumerate(level)]


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    source = Image.open(SOURCE).convert("RGB")
    crop = source.crop((128, 128, 384, 384))  # stained tissue, not background
    level = pyramid(crop, 64, 3)  # 64, 32, 16 pixels square; tiles of 16
    thumb = np.asarray(crop.resize((24, 24)))
    label = np.asarray(source.crop((0, 0, 64, 32)).resize((32, 16)))
    macro = np.asarray(source.resize((48, 16)))
    aperio = "Aperio Image Library v10.0.50\r\n64x64 [0,0 64x64] (16x16) JPEG/RGB Q=80"
    meta = "|AppMag = 20|MPP = 0.4990|ScanScope ID = SS0000|Date = 12/02/26|Time = 12:00:00"
    philips = ('<?xml version="1.0" encoding="UTF-8" ?><DataObject ObjectType="DPUfsImport">'
               '<Attribute Name="DICOM_MANUFACTURER" Group="0x0008" Element="0x0070" PMSVR="IString">PHILIPS</Attribute>'
               '<Attribute Name="PIM_DP_SCANNED_IMAGES" Group="0x301D" Element="0x1003" PMSVR="IDataObjectArray">'
               '<Array><DataObject ObjectType="DPScannedImage">'
               '<Attribute Name="PIM_DP_IMAGE_TYPE" Group="0x101D" Element="0x1004" PMSVR="IString">WSI</Attribute>'
               '<Attribute Name="DICOM_PIXEL_SPACING" Group="0x0028" Element="0x0030" PMSVR="IDoubleArray">'
               '&quot;0.000499&quot; &quot;0.000499&quot;</Attribute>'
               '<Attribute Name="PIIM_PIXEL_DATA_REPRESENTATION_SEQUENCE" Group="0x1001" Element="0x8B01" '
               'PMSVR="IDataObjectArray"><Array>' +
               "".join('<DataObject ObjectType="PixelDataRepresentation">'
                       '<Attribute Name="DICOM_PIXEL_SPACING" Group="0x0028" Element="0x0030" PMSVR="IDoubleArray">'
                       '&quot;%g&quot; &quot;%g&quot;</Attribute></DataObject>' % (0.000499 * 2**i, 0.000499 * 2**i)
                       for i in range(3)) +
               '</Array></Attribute></DataObject></Array></Attribute></DataObject>')
    seeds = {
        "generic-jpeg.tif": (levels_of(level, "jpeg"), False, "generic-tiff"),
        "generic-deflate.tif": (levels_of(level, "deflate"), False, "generic-tiff"),
        "generic-jpeg-bigtiff.tif": (levels_of(level, "jpeg"), True, "generic-tiff"),
        "aperio.svs": ([Page(level[0], "jpeg", description=aperio + meta),
                        Page(thumb, "none", tiled=False, description=aperio + " -> 24x24"),
                        Page(level[1], "jpeg", description=aperio + " -> 32x32"),
                        Page(level[2], "jpeg", description=aperio + " -> 16x16"),
                        Page(label, "none", tiled=False, description="Aperio Image Library v10.0.50\nlabel 32x16"),
                        Page(macro, "none", tiled=False, description="Aperio Image Library v10.0.50\nmacro 48x16")],
                       False, "aperio"),
        "philips.tiff": ([Page(level[0], "jpeg", description=philips, software="Philips")] +
                         [Page(p, "jpeg", extra=REDUCED) for p in level[1:]], False, "philips"),
        "trestle.tif": (levels_of(level, "jpeg", software="MedScan",
                                  description="Background Color=FFFFFF;White Balance=FFFFFF;Objective Power=20;"
                                              "JPEG Quality=80"), False, "trestle"),
    }
    try:
        import openslide
    except ImportError:
        openslide = None
    for name, (pages, bigtiff, vendor) in seeds.items():
        path = os.path.join(out_dir, name)
        write_tiff(path, pages, bigtiff)
        if openslide is None:
            continue
        try:
            got = openslide.OpenSlide.detect_format(path)
        except Exception as e:  # noqa: BLE001 - report and drop
            got = repr(e)
        if got != vendor:
            print(f"{name}: OpenSlide says {got!r}, not {vendor!r}: dropped")
            os.remove(path)
            continue
        try:
            slide = openslide.OpenSlide(path)
            slide.read_region((0, 0), 0, (64, 64))
        except openslide.OpenSlideError as e:
            print(f"{name}: OpenSlide cannot read it ({e}): dropped")
            os.remove(path)
            continue
        print(f"{name}: {vendor}, levels {slide.level_dimensions}, associated {sorted(slide.associated_images)}, "
              f"{os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
