#!/usr/bin/python3
"""Builds Meridian's hostile-input corpus (issue 14) from real files that Debian packages
ship and from the demo set: truncations, lying sizes, size products that wrap past 2^64,
deeply nested sequences, decompression bombs, damaged compressed streams, NaN geometry,
detached data files naming paths outside their folder, special files (FIFOs, devices).

    make_hostile_corpus.py CORPUS_DIR DEMO_DATA_DIR

Writes CORPUS/<domain>/<case>/... and appends one JSON line per case to
CORPUS/<domain>/manifest.jsonl (the contract shared with the model/output generator):
  {"name", "args": meridian-cli arguments ("{case}" = the case folder, "{tmp}" = an empty
   scratch folder per run), "expect_exit", "expect_stderr" (regex), optional "expect_stdout",
   "why" (what the case is)}.
The replay runner (replay_corpus.py) runs every line under a memory and time limit.
Deterministic: fixed offsets and seeds. Domains written here: dicom, series, dicomdir,
nifti, analyze, nrrd, mha, slide, raster."""
import io
import json
import os
import random
import shutil
import struct
import sys
import zlib

import numpy as np
import pydicom
from pydicom.uid import DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian

PYDICOM = "/usr/lib/python3/dist-packages/pydicom/data/test_files"
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
NIBABEL = "/usr/lib/python3/dist-packages/nibabel/tests/data"

CORPUS = os.path.abspath(sys.argv[1])
DEMO = os.path.abspath(sys.argv[2])

# Message families (regexes over stderr) for the outcomes Meridian promises.
TRUNC = r"(?i)truncat|ends early|past the end|ends inside|shorter than|premature|remain"
SIZE = r"(?i)beyond any memory|more than this|MiB of pixels\), more than|exceed any memory|impossible|too large|cannot fit"
SPECIAL = r"(?i)FIFO|character device|block device|socket|not a regular file"
OUTSIDE = r"(?i)outside the header's folder|absolute path|outside .*folder"
NESTED = r"(?i)nested more than"
DAMAGED = r"(?i)damaged|corrupt|incorrect|invalid|cannot decode|CRC|checksum|parse error"
NAN = r"(?i)NaN or infinity|not a finite number|infinite"
ANY_REFUSAL = r"meridian-cli: .+"


def read(path):
    with open(path, "rb") as f:
        return bytearray(f.read())


class Domain:
    def __init__(self, name):
        self.name = name
        self.root = os.path.join(CORPUS, name)
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)
        self.manifest = open(os.path.join(self.root, "manifest.jsonl"), "a")
        self.count = 0

    def case(self, name):
        folder = os.path.join(self.root, name)
        assert not os.path.exists(folder), name
        os.makedirs(folder)
        return folder

    def add(self, name, args, exit_code, stderr=r"", stdout=None, why="", case=None):
        if "(?i)" in stderr:  # families are joined with |: one case-insensitive flag, at the front
            stderr = "(?i)" + stderr.replace("(?i)", "")
        line = {"name": name, "args": args, "expect_exit": exit_code, "expect_stderr": stderr, "why": why}
        if case is not None:
            line["case"] = case  # the folder, when several lines share one
        if stdout is not None:
            line["expect_stdout"] = stdout
        self.manifest.write(json.dumps(line) + "\n")
        self.count += 1

    def file_case(self, name, filename, data, args, exit_code, stderr="", stdout=None, why=""):
        folder = self.case(name)
        with open(os.path.join(folder, filename), "wb") as f:
            f.write(bytes(data))
        self.add(name, [a.replace("FILE", "{case}/" + filename) for a in args], exit_code, stderr, stdout, why)

    def special_cases(self, filename, real_file):
        """The same name as a FIFO, as symlinks to /dev/zero and /dev/urandom, and as a folder."""
        folder = self.case("special-fifo")
        os.mkfifo(os.path.join(folder, filename))
        self.add("special-fifo", ["info", "{case}/" + filename], 3, SPECIAL, why="a FIFO would block forever")
        for dev in ("zero", "urandom"):
            folder = self.case("special-link-dev-" + dev)
            os.symlink("/dev/" + dev, os.path.join(folder, filename))
            self.add("special-link-dev-" + dev, ["info", "{case}/" + filename], 3, SPECIAL,
                     why="a symlink to /dev/" + dev + " never ends")
        folder = self.case("special-folder")
        os.makedirs(os.path.join(folder, filename))
        self.add("special-folder", ["info", "{case}/" + filename], 3, r"(?i)folder|no DICOM image files",
                 why="a folder with an image's name")
        folder = self.case("control-symlink-to-real-file")
        os.symlink(real_file, os.path.join(folder, filename))
        self.add("control-symlink-to-real-file", ["info", "{case}/" + filename], 0, "",
                 why="a symlink to a real file is fine")

    def close(self):
        self.manifest.close()
        return self.count


def deflate_zeros(total, prefix=b"", suffix=b"", wrapper="raw"):
    """A deflate stream of prefix + `total` zero bytes + suffix, built from identical
    full-flushed 1 MiB blocks so gigabytes cost milliseconds; with a zlib or gzip wrapper."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)]
    block = bytes(1 << 20)
    one = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(total, len(block))
    out.append(one * whole)
    out.append(c.compress(bytes(rest)) + c.compress(suffix) + c.flush(zlib.Z_FINISH))
    body = b"".join(out)
    if wrapper == "raw":
        return body
    crc, adler = zlib.crc32(prefix), zlib.adler32(prefix)
    for _ in range(whole):
        crc, adler = zlib.crc32(block, crc), zlib.adler32(block, adler)
    crc, adler = zlib.crc32(bytes(rest), crc), zlib.adler32(bytes(rest), adler)
    crc, adler = zlib.crc32(suffix, crc), zlib.adler32(suffix, adler)
    size = len(prefix) + total + len(suffix)
    if wrapper == "zlib":
        return b"\x78\xda" + body + struct.pack(">I", adler)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


def flip_bits(data, count, seed, start, end=None):
    rng = random.Random(seed)
    data = bytearray(data)
    end = len(data) if end is None else end
    for _ in range(count):
        i = rng.randrange(start, end)
        data[i] ^= 1 << rng.randrange(8)
    return data


# ---------------------------------------------------------------------------------------
# DICOM (single files)
# ---------------------------------------------------------------------------------------
def dicom_bytes(ds, syntax=ExplicitVRLittleEndian):
    ds.file_meta.TransferSyntaxUID = syntax
    buf = io.BytesIO()
    ds.save_as(buf, write_like_original=False)
    return bytearray(buf.getvalue())


def element_offset(data, group, element, start=132, big=False):
    return bytes(data).find(struct.pack(">HH" if big else "<HH", group, element), start)


def nested_sequence(depth, implicit=False, defined=False, tag=(0x7FDF, 0x1000)):
    """`depth` sequences nested one inside the other, each in one item."""
    head = struct.pack("<HH", *tag)
    if not defined:
        seq = head + (b"\xff\xff\xff\xff" if implicit else b"SQ\x00\x00\xff\xff\xff\xff")
        item = b"\xfe\xff\x00\xe0\xff\xff\xff\xff"
        end = b"\xfe\xff\x0d\xe0\x00\x00\x00\x00" + b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
        return seq * 0 + (seq + item) * depth + end * depth
    inner = b""
    for _ in range(depth):
        item = b"\xfe\xff\x00\xe0" + struct.pack("<I", len(inner)) + inner
        inner = head + (struct.pack("<I", len(item)) if implicit else b"SQ\x00\x00" + struct.pack("<I", len(item))) + item
    return inner


def insert_before_pixels(data, blob, big=False):
    at = element_offset(data, 0x7FE0, 0x0010, big=big)
    creator = struct.pack("<HH", 0x7FDF, 0x0010) + b"LO" + struct.pack("<H", 16) + b"MERIDIAN HOSTILE"
    return data[:at] + creator + blob + data[at:]


def make_dicom():
    d = Domain("dicom")
    ct = read(f"{PYDICOM}/CT_small.dcm")
    sources = {
        "ct": f"{PYDICOM}/CT_small.dcm",
        "mr": f"{PYDICOM}/MR_small.dcm",
        "mr-implicit": f"{PYDICOM}/MR_small_implicit.dcm",
        "mr-bigendian": f"{PYDICOM}/MR_small_bigendian.dcm",
        "mr-rle": f"{PYDICOM}/MR_small_RLE.dcm",
        "mr-jpegls": f"{PYDICOM}/MR_small_jpeg_ls_lossless.dcm",
        "rgb-jpeg": f"{PYDICOM}/SC_rgb_jpeg_dcmtk.dcm",
        "jpeg-lossy": f"{PYDICOM}/JPEG-lossy.dcm",
        "deflated": f"{PYDICOM}/image_dfl.dcm",
        "ct-ankle": f"{DEMO}/ct-ankle-512.dcm",
        "us-cine": f"{DEMO}/us-echo-cine.dcm",
        "rtdose": f"{PYDICOM}/rtdose.dcm",
    }
    # Controls: every source opens.
    for key, path in sources.items():
        d.file_case(f"control-{key}", "x.dcm", read(path), ["info", "FILE"], 0, "", why="the real file, untouched")
    # Truncations at five places in every source.
    for key, path in sources.items():
        data = read(path)
        for label, cut in (("10pct", len(data) // 10), ("half", len(data) // 2), ("90pct", len(data) * 9 // 10),
                           ("minus7", len(data) - 7), ("minus1", len(data) - 1)):
            if cut <= 132:
                continue
            if key == "deflated" and label in ("minus7", "minus1"):  # 8 bytes follow its deflate stream
                d.file_case(f"truncated-{key}-{label}", "x.dcm", data[:cut], ["info", "FILE"], 0, "",
                            why="image_dfl.dcm keeps 8 bytes after its deflate stream: cutting them loses nothing")
                continue
            d.file_case(f"truncated-{key}-{label}", "x.dcm", data[:cut], ["convert", "FILE", "{tmp}/out.nrrd"], 3,
                        r"(?i)truncat|ends early|past the end|ends inside|remain|damaged|parse error|decode",
                        why=f"{os.path.basename(path)} cut at {cut} of {len(data)} bytes")
    # Size products that wrap around 2^64 (or claim absurd sizes) before anything is allocated.
    wraps = [  # rows, columns, frames, samples, bits allocated
        (32768, 32768, 1 << 30, 1, 16),  # 2^64 bits exactly: wraps to 0
        (65535, 65535, 2147483647, 1, 16),
        (65535, 65535, 2147483647, 3, 8),
        (65535, 65535, 2147483647, 65535, 64),
        (32768, 65535, 1 << 31 - 1, 4, 32),
        (65535, 65535, 4294967, 1, 8),
        (1, 1, 2147483647, 1, 8),
        (65535, 65535, 1, 1, 16),
    ]
    for i, (r, c, f, s, b) in enumerate(wraps):
        ds = pydicom.dcmread(sources["ct"])
        ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.BitsAllocated = r, c, s, b
        ds.NumberOfFrames = str(f)
        d.file_case(f"size-wrap-{i}-{r}x{c}x{f}x{s}x{b}", "x.dcm", dicom_bytes(ds), ["info", "FILE"], 3,
                    SIZE + r"|truncated pixel data|" + TRUNC,
                    why="Rows x Columns x Frames x Samples x Bits that wraps past 2^64 or exceeds memory")
    # Deeply nested sequences: DCMTK recurses per level.
    for depth in (100, 1000, 10000, 50000):
        for implicit, key in ((False, "ct"), (True, "mr-implicit")):
            for defined in (False, True):
                if defined and depth > 10000:
                    continue
                data = read(sources[key])
                # Implicit VR: a defined-length private element is opaque to DCMTK; a dictionary SQ
                # (Content Sequence) is what it recurses into.
                tag = (0x0040, 0xA730) if implicit and defined else (0x7FDF, 0x1000)
                blob = nested_sequence(depth, implicit=implicit, defined=defined, tag=tag)
                if implicit:
                    at = element_offset(data, 0x7FE0, 0x0010)
                    creator = struct.pack("<HHI", 0x7FDF, 0x0010, 16) + b"MERIDIAN HOSTILE"
                    data = data[:at] + creator + blob + data[at:]
                else:
                    data = insert_before_pixels(data, blob)
                name = f"nested-{depth}-{'implicit' if implicit else 'explicit'}-{'defined' if defined else 'undefined'}"
                d.file_case(name, "x.dcm", data, ["info", "FILE"], 3, NESTED,
                            why=f"{depth} sequences nested in each other (SIGSEGV in DCMTK's recursion before)")
    for depth in (5, 30):  # real objects nest a few levels: these must open
        d.file_case(f"control-nested-{depth}", "x.dcm", insert_before_pixels(read(sources["ct"]), nested_sequence(depth)),
                    ["info", "FILE"], 0, "", why="a shallow nesting, as real objects have")
    # Unbalanced structure inside sequences.
    bad = {
        "item-delimiter-without-item": nested_sequence(3)[:-16 * 3] + b"\xfe\xff\x0d\xe0\x00\x00\x00\x00" * 5,
        "sequence-never-closed": nested_sequence(3)[:-16 * 3],
        "item-length-past-file": struct.pack("<HH", 0x7FDF, 0x1000) + b"SQ\x00\x00\xff\xff\xff\xff" +
                                 b"\xfe\xff\x00\xe0\xf0\xff\xff\x7f",
        "element-outside-item": struct.pack("<HH", 0x7FDF, 0x1000) + b"SQ\x00\x00\xff\xff\xff\xff" +
                                struct.pack("<HH", 0x0010, 0x0010) + b"PN\x04\x00ABCD",
        "invalid-vr-in-item": struct.pack("<HH", 0x7FDF, 0x1000) + b"SQ\x00\x00\xff\xff\xff\xff" +
                              b"\xfe\xff\x00\xe0\xff\xff\xff\xff" + struct.pack("<HH", 0x0010, 0x0010) + b"\x00\x01\x04\x00ABCD",
    }
    for name, blob in bad.items():
        d.file_case(f"structure-{name}", "x.dcm", insert_before_pixels(read(sources["ct"]), blob),
                    ["info", "FILE"], 3, r"(?i)DICOM structure|parse error|truncat|damaged|invalid",
                    why="sequence/item structure that contradicts itself")
    # Deflated data sets: bombs, damage, a lying pixel claim.
    ds = pydicom.dcmread(sources["ct"])
    plain = dicom_bytes(ds)
    meta_end = element_offset(plain, 0x0008, 0x0005)
    if meta_end < 0:
        meta_end = element_offset(plain, 0x0008, 0x0008)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    buf = io.BytesIO()
    ds.save_as(buf, write_like_original=False)
    deflated = bytearray(buf.getvalue())
    d.file_case("control-deflated-ct", "x.dcm", deflated, ["info", "FILE"], 0, "", why="CT_small, deflated by pydicom")
    # The meta header: every group-0002 element after the preamble.
    meta_len = 132
    while True:
        grp = struct.unpack_from("<H", deflated, meta_len)[0]
        if grp != 0x0002:
            break
        vr = bytes(deflated[meta_len + 4:meta_len + 6])
        if vr in (b"OB", b"OW", b"UN", b"SQ", b"UT", b"UC", b"UR"):
            meta_len += 12 + struct.unpack_from("<I", deflated, meta_len + 8)[0]
        else:
            meta_len += 8 + struct.unpack_from("<H", deflated, meta_len + 6)[0]
    meta = deflated[:meta_len]
    dataset = plain[meta_end:]
    at_pixels = element_offset(dataset, 0x7FE0, 0x0010, start=0)
    before_pixels = bytes(dataset[:at_pixels])
    for gib in (1, 4):
        size = (gib << 30) - 2
        blob = (struct.pack("<HH", 0x7FDF, 0x0010) + b"LO\x10\x00MERIDIAN HOSTILE" +
                struct.pack("<HH", 0x7FDF, 0x1001) + b"OB\x00\x00" + struct.pack("<I", size))
        stream = deflate_zeros(size, prefix=before_pixels + blob, suffix=bytes(dataset[at_pixels:]))
        d.file_case(f"deflate-bomb-private-{gib}gib", "x.dcm", meta + stream, ["info", "FILE"], 3,
                    r"(?i)decompression bomb|inflates beyond",
                    why=f"{len(stream) >> 10} KiB deflated data set holding {gib} GiB of zeros beside a 128x128 CT")
    # Pixel claim honest but vast: 32768 x 32768 x 16 bits of zeros (2 GiB) in a few MB.
    ds2 = pydicom.dcmread(sources["ct"])
    ds2.Rows, ds2.Columns = 32768, 32768
    head = dicom_bytes(ds2)
    head_ds = head[element_offset(head, 0x0008, 0x0005):]
    head_ds = head_ds[:element_offset(head_ds, 0x7FE0, 0x0010, start=0)]
    stream = deflate_zeros(32768 * 32768 * 2, prefix=bytes(head_ds) + struct.pack("<HH", 0x7FE0, 0x0010) + b"OW\x00\x00" +
                           struct.pack("<I", 32768 * 32768 * 2))
    d.file_case("deflate-bomb-honest-2gib-pixels", "x.dcm", meta + stream, ["convert", "FILE", "{tmp}/out.nrrd"], 3,
                SIZE + r"|(?i)not enough memory|memory exhausted|decompression bomb|Invalid DICOM image",
                why="a 2 GiB all-zero image deflated to a few MB: decoding it ends cleanly at the memory limit")
    d.add("deflate-bomb-honest-2gib-pixels-info", ["info", "{case}/x.dcm"], 0, "", r"32768", why="the same file: "
          "info reads its header only and describes the 2 GiB image without allocating it", case="deflate-bomb-honest-2gib-pixels")
    for seed in range(4):
        body = flip_bits(deflated[meta_len:], 8, 100 + seed, 10, len(deflated) - meta_len - 10)
        d.file_case(f"deflate-damaged-{seed}", "x.dcm", meta + body, ["convert", "FILE", "{tmp}/out.nrrd"], 3,
                    r"(?i)damaged|truncat|invalid|parse error|decode|past the end|structure",
                    why="bit flips inside the deflated stream")
    for cut in (200, 1000, len(deflated) - 50):
        d.file_case(f"deflate-truncated-{cut}", "x.dcm", deflated[:cut], ["info", "FILE"], 3,
                    r"(?i)truncat|ends early|damaged|past the end|parse error",
                    why="deflated stream cut short")
    # Lying pixel data lengths.
    for label, length in (("2gib", 0x7FFFFFF0), ("4gib", 0xFFFFFFF0), ("odd", 12345), ("short", 100)):
        data = read(sources["ct"])
        at = element_offset(data, 0x7FE0, 0x0010)
        struct.pack_into("<I", data, at + 8, length)
        d.file_case(f"pixel-length-{label}", "x.dcm", data, ["info", "FILE"], 3,
                    r"(?i)claims|truncat|remain|past the end|damaged|invalid value representation",
                    why=f"Pixel Data length field set to {length} (the walk then reads pixels as elements)")
    # JPEG frames shorter than the header says (fragment shortened, lengths kept consistent).
    for key in ("rgb-jpeg", "jpeg-lossy"):
        data = read(sources[key])
        at = element_offset(data, 0x7FE0, 0x0010)
        # Basic offset table item, then the first fragment.
        bot_len = struct.unpack_from("<I", data, at + 16)[0]
        frag = at + 12 + 8 + bot_len
        frag_len = struct.unpack_from("<I", data, frag + 4)[0]
        for frac in (2, 4, 10):
            keep = (frag_len // frac) & ~1
            out = data[:frag] + struct.pack("<HHI", 0xFFFE, 0xE000, keep) + data[frag + 8:frag + 8 + keep] + \
                data[frag + 8 + frag_len:]
            d.file_case(f"jpeg-fragment-1-of-{frac}-{key}", "x.dcm", out, ["convert", "FILE", "{tmp}/out.png"], 3,
                        r"(?i)JPEG|truncat|ends early|shorter|damaged|decode",
                        why=f"the JPEG stream holds 1/{frac} of its bytes; lengths consistent")
    # Bit flips in raw pixel data: damaged but readable (no redundancy to check).
    for seed in range(3):
        data = read(sources["ct"])
        at = element_offset(data, 0x7FE0, 0x0010)
        d.file_case(f"control-bitflips-raw-pixels-{seed}", "x.dcm", flip_bits(data, 40, seed, at + 12), ["info", "FILE"], 0,
                    "", why="flipped bits in native pixels: readable, nothing can tell")
    # Header bit flips: must never crash (the outcome is either; exit 0 or 3 both fine -> checked as 'no crash').
    for seed in range(6):
        data = read(sources["mr"])
        d.file_case(f"header-bitflips-{seed}", "x.dcm", flip_bits(data, 12, 200 + seed, 132, 700),
                    ["info", "FILE"], -1, "", why="bit flips in the header: any clean outcome (0 or 3), never a crash")
    d.special_cases("x.dcm", sources["ct"])
    return d.close()


# ---------------------------------------------------------------------------------------
# DICOM series folders
# ---------------------------------------------------------------------------------------
def make_series():
    d = Domain("series")
    src = os.path.join(DEMO, "ct-abdomen-stent-dicom")
    # 12 neighbouring slices (by position along z, the series' normal): a complete series.
    # The first 12 file names would be 12 scattered slices, which is rightly an incomplete one.
    def z_of(name):
        return float(pydicom.dcmread(os.path.join(src, name), stop_before_pixels=True).ImagePositionPatient[2])
    slices = sorted(os.listdir(src), key=z_of)[:12]

    def series_folder(name):
        folder = d.case(name)
        for s in slices:
            try:
                os.link(os.path.join(src, s), os.path.join(folder, s))
            except OSError:
                shutil.copy(os.path.join(src, s), os.path.join(folder, s))
        return folder

    series_folder("control-12-slices")
    d.add("control-12-slices", ["info", "{case}"], 0, "", r"1 DICOM series", why="12 real CT slices")
    d.add("control-12-slices-convert", ["convert", "{case}", "{tmp}/out.nrrd"], 0, "", why="the same folder converted",
          case="control-12-slices")
    one = read(os.path.join(src, slices[0]))
    intruders = {
        "nested-20000": insert_before_pixels(one, nested_sequence(20000)),
        "truncated-header": one[:300],
        "size-wrap": None,
        "garbage": bytearray(random.Random(7).randbytes(50000)),
        "empty": bytearray(),
    }
    ds = pydicom.dcmread(os.path.join(src, slices[0]))
    ds.Rows, ds.Columns, ds.NumberOfFrames, ds.BitsAllocated = 32768, 32768, str(1 << 30), 16
    intruders["size-wrap"] = dicom_bytes(ds)
    for name, data in intruders.items():
        folder = series_folder(f"with-{name}")
        with open(os.path.join(folder, "ZZ-hostile.dcm"), "wb") as f:
            f.write(bytes(data))
        d.add(f"with-{name}", ["info", "{case}"], 0, "", r"DICOM series",
              why=f"12 real slices and one hostile file ({name}): the folder is still described")
        d.add(f"with-{name}-convert", ["convert", "{case}", "{tmp}/out.nrrd"], -1, "",
              why=f"converting that folder: a clean outcome (the series, or a refusal naming the file), never a crash",
              case=f"with-{name}")
    for kind in ("fifo", "dev-zero", "dev-urandom", "link-outside"):
        folder = series_folder(f"with-{kind}")
        target = os.path.join(folder, "ZZ-special.dcm")
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "link-outside":
            os.symlink("/etc/passwd", target)
        else:
            os.symlink("/dev/" + kind[4:], target)
        d.add(f"with-{kind}", ["info", "{case}"], 0, "", r"DICOM series",
              why=f"12 real slices and a {kind}: never opened, never blocks")
    # Truncated slices inside the series: converting must refuse, not fill zeros.
    for cut in (0.5, 0.9):
        folder = series_folder(f"slice-truncated-{int(cut * 100)}pct")
        victim = os.path.join(folder, slices[5])
        data = read(victim)
        os.unlink(victim)
        with open(victim, "wb") as f:
            f.write(bytes(data[:int(len(data) * cut)]))
        d.add(f"slice-truncated-{int(cut * 100)}pct", ["convert", "{case}", "{tmp}/out.nrrd"], 3,
              r"(?i)truncat|past the end|remain|damaged", why="one slice of 12 cut short")
    return d.close()


# ---------------------------------------------------------------------------------------
# DICOMDIR
# ---------------------------------------------------------------------------------------
def make_dicomdir():
    d = Domain("dicomdir")
    src = os.path.join(PYDICOM, "dicomdirtests")

    def tree(name):
        folder = d.case(name)
        shutil.copytree(src, os.path.join(folder, "cd"))
        return os.path.join(folder, "cd")

    tree("control")
    d.add("control", ["info", "{case}/cd/DICOMDIR"], 0, "", r"DICOM series", why="pydicom's DICOMDIR tree")
    original = read(os.path.join(src, "DICOMDIR"))
    first_ref = bytes(original).find(b"77654033")  # the first Referenced File ID's value
    old_len = struct.unpack_from("<H", original, first_ref - 2)[0]
    other = pydicom.dcmread(f"{PYDICOM}/CT_small.dcm")
    other_uid = str(other.SeriesInstanceUID).replace(".", r"\.")
    for label, ref in (("absolute", b"/etc/passwd"), ("dotdot-other-patient", b"..\\OTHER"),
                       ("dotdot-deep", b"..\\..\\..\\..\\X"), ("missing", b"NOPE\\NOPE")):
        if len(ref) > old_len:
            continue
        root = tree(f"ref-{label}")
        shutil.copy(f"{PYDICOM}/CT_small.dcm", os.path.join(os.path.dirname(root), "OTHER"))
        data = bytearray(original)
        data[first_ref:first_ref + old_len] = ref + b" " * (old_len - len(ref))  # lengths unchanged
        with open(os.path.join(root, "DICOMDIR"), "wb") as f:
            f.write(bytes(data))
        d.add(f"ref-{label}", ["info", "{case}/cd/DICOMDIR"], -1, "", r"^(?![\s\S]*" + other_uid + ")",
              why=f"a record referencing {ref.decode()}: another patient's file beside the CD is never indexed under it")
    for cut in (200, 1000, len(original) // 2, len(original) - 10):
        root = tree(f"truncated-{cut}")
        with open(os.path.join(root, "DICOMDIR"), "wb") as f:
            f.write(bytes(original[:cut]))
        d.add(f"truncated-{cut}", ["info", "{case}/cd/DICOMDIR"], 3, r"(?i)truncat|ends|past the end|damaged|parse|structure|no DICOM",
              why="DICOMDIR cut short")
    for depth in (2000, 30000):
        root = tree(f"nested-{depth}")
        at = element_offset(original, 0x0004, 0x1220)  # Directory Record Sequence
        blob = nested_sequence(depth, tag=(0x0004, 0x1200))
        data = original[:at] + blob + original[at:]
        with open(os.path.join(root, "DICOMDIR"), "wb") as f:
            f.write(bytes(data))
        d.add(f"nested-{depth}", ["info", "{case}/cd/DICOMDIR"], 3, NESTED + "|" + DAMAGED,
              why="deeply nested sequences inside the DICOMDIR")
    for seed in range(4):
        root = tree(f"bitflips-{seed}")
        with open(os.path.join(root, "DICOMDIR"), "wb") as f:
            f.write(bytes(flip_bits(original, 20, 300 + seed, 132)))
        d.add(f"bitflips-{seed}", ["info", "{case}/cd/DICOMDIR"], -1, "", why="bit flips: any clean outcome")
    folder = d.case("special-fifo")
    os.mkfifo(os.path.join(folder, "DICOMDIR"))
    d.add("special-fifo", ["info", "{case}/DICOMDIR"], 3, SPECIAL + r"|no DICOM|not a", why="DICOMDIR as a FIFO")
    folder = d.case("special-dev-zero")
    os.symlink("/dev/zero", os.path.join(folder, "DICOMDIR"))
    d.add("special-dev-zero", ["info", "{case}/DICOMDIR"], 3, SPECIAL + r"|no DICOM|not a", why="DICOMDIR -> /dev/zero")
    return d.close()


# ---------------------------------------------------------------------------------------
# NIfTI and Analyze
# ---------------------------------------------------------------------------------------
def endian(buf):
    """The byte order of a NIfTI header (the demo MR is big-endian)."""
    return ">" if struct.unpack_from(">i", buf, 0)[0] in (348, 540) else "<"


def make_nifti():
    d = Domain("nifti")
    mr = read(f"{DEMO}/mr-brain.nii")
    ctgz = read(f"{DEMO}/ct-abdomen-stent.nii.gz")
    ct = bytearray(zlib.decompress(bytes(ctgz), 16 + zlib.MAX_WBITS))
    anat = read(f"{NIBABEL}/anatomical.nii")
    sources = {"mr": mr, "ct": ct, "anat": anat}
    for key, data in sources.items():
        d.file_case(f"control-{key}", "x.nii", data, ["info", "FILE"], 0, "", why="the real file")
    d.file_case("control-ct-gz", "x.nii.gz", ctgz, ["info", "FILE"], 0, "", why="the real .nii.gz")
    d.file_case("control-nifti2", "x.nii.gz", read(f"{NIBABEL}/example_nifti2.nii.gz"), ["info", "FILE"], -1, "",
                why="a NIfTI-2 file (4D here: refused or read, cleanly)")
    d.file_case("control-upper-case-name", "X.NII.GZ", ctgz, ["info", "FILE"], 0, "", why="upper-case extension")
    # NaN / Inf in each sform and qform value (codes set so that readers use them).
    for i in range(12):
        for bad, label in ((float("nan"), "nan"), (float("inf"), "inf")):
            if label == "inf" and i % 3:
                continue
            h = bytearray(mr)
            struct.pack_into(endian(h) + "h", h, 254, 1)
            struct.pack_into(endian(h) + "f", h, 280 + 4 * i, bad)
            d.file_case(f"sform-{label}-{i}", "x.nii", h, ["info", "FILE"], 3, NAN,
                        why=f"srow[{i}] = {label} (ITK/VNL aborted)")
    for i in range(6):
        h = bytearray(mr)
        struct.pack_into(endian(h) + "h", h, 252, 1)
        struct.pack_into(endian(h) + "f", h, 256 + 4 * i, float("nan"))
        d.file_case(f"qform-nan-{i}", "x.nii", h, ["info", "FILE"], 3, NAN, why=f"quatern/qoffset field {i} = NaN")
    for i in (1, 2, 3):
        h = bytearray(mr)
        struct.pack_into(endian(h) + "f", h, 76 + 4 * i, float("nan"))
        d.file_case(f"pixdim-nan-{i}", "x.nii", h, ["info", "FILE"], 3, NAN, why=f"pixdim[{i}] = NaN")
    # Scaling as dcm2niix writes it: must open (was refused as truncated).
    for slope, inter in ((1.0, -1024.0), (2.0, 0.0), (0.5, -1024.0), (1.0, 0.0)):
        h = bytearray(ct)
        struct.pack_into(endian(h) + "ff", h, 112, slope, inter)
        d.file_case(f"scaled-slope{slope}-inter{inter}", "x.nii", h, ["info", "FILE"], 0, "",
                    r'float32|int16', why="scl_slope/scl_inter as dcm2niix writes CT: accepted and applied")
    h = bytearray(ct)
    struct.pack_into(endian(h) + "ff", h, 112, 1.0, float("nan"))
    d.file_case("scaled-inter-nan", "x.nii", h, ["info", "FILE"], 3, NAN, why="scl_inter NaN with a real slope")
    # vox_offset negative, huge, past the data.
    for label, off in (("negative", -352.0), ("minus1", -1.0), ("huge", 1e30), ("nan", float("nan")),
                       ("inf", float("inf")), ("past-end", float(len(mr) + 16)), ("shifted", 352.0 + 4096)):
        h = bytearray(mr)
        struct.pack_into(endian(h) + "f", h, 108, off)
        d.file_case(f"vox-offset-{label}", "x.nii", h, ["info", "FILE"], 3, r"(?i)vox_offset|truncat",
                    why=f"vox_offset = {off}")
    # Dimensions: zero, negative, wrap, too many.
    for label, dims in (("zero", (3, 0, 10, 10)), ("negative", (3, -5, 10, 10)), ("ndim-9", (9, 1, 1, 1)),
                        ("ndim-0", (0, 1, 1, 1)), ("huge", (3, 32767, 32767, 32767))):
        h = bytearray(mr)
        struct.pack_into(endian(h) + "4h", h, 40, *dims)
        d.file_case(f"dims-{label}", "x.nii", h, ["info", "FILE"], 3,
                    r"(?i)dim|truncat|" + SIZE[4:], why=f"dim[0..3] = {dims}")
    for bitpix in (0, 7, -16, 1024):
        h = bytearray(mr)
        struct.pack_into(endian(h) + "h", h, 72, bitpix)
        d.file_case(f"bitpix-{bitpix}", "x.nii", h, ["info", "FILE"], 3, r"(?i)bitpix|truncat|cannot decode|datatype",
                    why=f"bitpix = {bitpix}")
    h = bytearray(mr)
    struct.pack_into(endian(h) + "i", h, 0, 349)
    d.file_case("sizeof-hdr-349", "x.nii", h, ["info", "FILE"], 3, ANY_REFUSAL, why="sizeof_hdr 349")
    # NIfTI-2 dims that wrap past 2^64.
    n2 = bytearray(zlib.decompress(bytes(read(f"{NIBABEL}/example_nifti2.nii.gz")), 16 + zlib.MAX_WBITS))
    struct.pack_into(endian(n2) + "8q", n2, 16, 3, 1 << 21, 1 << 21, 1 << 22, 1, 1, 1, 1)
    d.file_case("nifti2-dims-wrap", "x.nii", n2, ["info", "FILE"], 3,
                r"(?i)beyond any memory|exceed any memory|not a format Meridian reads|" + SIZE[4:],
                why="NIfTI-2 int64 dims whose product wraps past 2^64")
    # Truncations, plain and gzip.
    for key, data in sources.items():
        for label, cut in (("header", 200), ("half", len(data) // 2), ("minus1", len(data) - 1)):
            d.file_case(f"truncated-{key}-{label}", "x.nii", data[:cut], ["info", "FILE"], 3, TRUNC + "|" + ANY_REFUSAL,
                        why=f"cut at {cut} of {len(data)}")
    for label, cut in (("10pct", len(ctgz) // 10), ("half", len(ctgz) // 2), ("minus8", len(ctgz) - 8),
                       ("minus4", len(ctgz) - 4)):
        d.file_case(f"gz-truncated-{label}", "x.nii.gz", ctgz[:cut], ["info", "FILE"], 3, TRUNC + "|" + DAMAGED,
                    why=f"gzip cut at {cut} of {len(ctgz)}")
    # Damaged mid-stream, trailer intact: the CRC must catch it.
    for seed in range(6):
        d.file_case(f"gz-damaged-midstream-{seed}", "x.nii.gz",
                    flip_bits(ctgz, 4, 400 + seed, len(ctgz) // 3, 2 * len(ctgz) // 3), ["info", "FILE"], 3,
                    DAMAGED + "|" + TRUNC, why="bytes flipped mid-stream, gzip trailer (size, CRC) intact")
    # A trailer whose size field matches but whose data does not (blocks swapped).
    # Bombs: small header, gigabytes of zeros in the stream; and an honest 2 GiB zero volume.
    hdr = bytearray(mr[:352])
    struct.pack_into(endian(hdr) + "4h", hdr, 40, 3, 64, 64, 64)
    struct.pack_into(endian(hdr) + "hh", hdr, 70, 2, 8)  # uint8
    for gib in (1, 4):
        stream = deflate_zeros((gib << 30), prefix=bytes(hdr), wrapper="gzip")
        d.file_case(f"gz-bomb-{gib}gib-behind-64cube", "x.nii.gz", stream, ["info", "FILE"], 3,
                    r"(?i)more than the .* bytes its header declares|decompression bomb",
                    why=f"a 64^3 header followed by {gib} GiB of zeros ({len(stream) >> 10} KiB file)")
    hdr2 = bytearray(hdr)
    struct.pack_into(endian(hdr2) + "4h", hdr2, 40, 3, 1024, 1024, 2048)
    stream = deflate_zeros(1024 * 1024 * 2048, prefix=bytes(hdr2), wrapper="gzip")
    d.file_case("gz-honest-2gib-zeros", "x.nii.gz", stream, ["info", "FILE"], -1, r"",
                why="an honest 2 GiB all-zero volume in 2 MB: refused by the decoded-size rule or a clean memory error")
    # Pairs (.hdr/.img) and Analyze 7.5 (no magic).
    hdr_pair = bytearray(mr[:348])
    hdr_pair[344:348] = b"ni1\x00"
    struct.pack_into(endian(hdr_pair) + "f", hdr_pair, 108, 0.0)
    voxels = mr[352:]
    analyze = bytearray(hdr_pair)
    analyze[344:348] = b"\x00\x00\x00\x00"
    struct.pack_into(endian(analyze) + "hh", analyze, 252, 0, 0)
    for kind, h in (("pair", hdr_pair), ("analyze", analyze)):
        dd = d  # same domain file for both
        folder = dd.case(f"{kind}-control")
        open(os.path.join(folder, "x.hdr"), "wb").write(bytes(h))
        open(os.path.join(folder, "x.img"), "wb").write(bytes(voxels))
        dd.add(f"{kind}-control", ["info", "{case}/x.hdr"], 0, "", why=f"{kind} .hdr/.img made from mr-brain.nii")
        folder = dd.case(f"{kind}-img-truncated")
        open(os.path.join(folder, "x.hdr"), "wb").write(bytes(h))
        open(os.path.join(folder, "x.img"), "wb").write(bytes(voxels[:len(voxels) // 2]))
        dd.add(f"{kind}-img-truncated", ["info", "{case}/x.hdr"], 3, TRUNC, why="the .img holds half the voxels")
        folder = dd.case(f"{kind}-img-missing")
        open(os.path.join(folder, "x.hdr"), "wb").write(bytes(h))
        dd.add(f"{kind}-img-missing", ["info", "{case}/x.hdr"], 3, r"(?i)missing|not found|no such|cannot",
               why="no .img beside the .hdr")
        for target, label in (("/dev/zero", "dev-zero"), ("/dev/urandom", "dev-urandom"), ("/etc/passwd", "outside")):
            folder = dd.case(f"{kind}-img-link-{label}")
            open(os.path.join(folder, "x.hdr"), "wb").write(bytes(h))
            os.symlink(target, os.path.join(folder, "x.img"))
            dd.add(f"{kind}-img-link-{label}", ["info", "{case}/x.hdr"], 3, OUTSIDE + "|" + SPECIAL,
                   why=f"the .img is a symlink to {target}")
        folder = dd.case(f"{kind}-img-fifo")
        open(os.path.join(folder, "x.hdr"), "wb").write(bytes(h))
        os.mkfifo(os.path.join(folder, "x.img"))
        dd.add(f"{kind}-img-fifo", ["info", "{case}/x.hdr"], 3, SPECIAL, why="the .img is a FIFO")
        folder = dd.case(f"{kind}-img-gz-damaged")
        open(os.path.join(folder, "x.hdr"), "wb").write(bytes(h))
        gz = bytearray(zlib.compress(bytes(voxels), 6))
        gzfile = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + gz[2:-4] + struct.pack("<II", zlib.crc32(bytes(voxels)), len(voxels))
        open(os.path.join(folder, "x.img.gz"), "wb").write(bytes(flip_bits(gzfile, 4, 500, len(gzfile) // 3, 2 * len(gzfile) // 3)))
        dd.add(f"{kind}-img-gz-damaged", ["info", "{case}/x.hdr"], 3, DAMAGED + "|" + TRUNC, why="damaged .img.gz")
    d.special_cases("x.nii", f"{DEMO}/mr-brain.nii")
    return d.close()


# ---------------------------------------------------------------------------------------
# NRRD and MetaImage (one volume, many wrappers)
# ---------------------------------------------------------------------------------------
def volume_voxels():
    mr = read(f"{DEMO}/mr-brain.nii")
    datatype, bitpix = struct.unpack_from(">hh", mr, 70)  # anatomical.nii is big-endian int16
    assert (datatype, bitpix) == (4, 16)
    dims = struct.unpack_from(">4h", mr, 40)
    raw = np.frombuffer(bytes(mr[352:352 + dims[1] * dims[2] * dims[3] * 2]), dtype=">i2").astype("<i2")
    return dims[1:4], bitpix, raw.tobytes()


NRRD_TYPE = {8: "uint8", 16: "short", 32: "float"}
MET_TYPE = {8: "MET_UCHAR", 16: "MET_SHORT", 32: "MET_FLOAT"}


def make_nrrd():
    d = Domain("nrrd")
    (nx, ny, nz), bitpix, voxels = volume_voxels()

    def header(extra="", encoding="raw", sizes=None, datafile=None, typ=None):
        lines = ["NRRD0004", f"type: {typ or NRRD_TYPE[bitpix]}", "dimension: 3", f"sizes: {sizes or f'{nx} {ny} {nz}'}",
                 "space: left-posterior-superior", "space directions: (1,0,0) (0,1,0) (0,0,1)",
                 "space origin: (0,0,0)", "endian: little", f"encoding: {encoding}"]
        if datafile is not None:
            lines.append(f"data file: {datafile}")
        return ("\n".join(lines) + ("\n" + extra if extra else "") + "\n").encode()

    gz = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    gzvox = gz.compress(voxels) + gz.flush()
    d.file_case("control-raw", "x.nrrd", header() + b"\n" + voxels, ["info", "FILE"], 0, "", why="raw attached")
    d.file_case("control-gzip", "x.nrrd", header(encoding="gzip") + b"\n" + gzvox, ["info", "FILE"], 0, "", why="gzip attached")
    d.file_case("control-convert", "x.nrrd", header() + b"\n" + voxels, ["convert", "FILE", "{tmp}/patient.v2.nii.gz"], 0, "",
                why="a valid output name with several dots")
    d.file_case("control-byte-skip-minus1", "x.nrrd", header("byte skip: -1") + b"\n" + b"junk" * 10 + voxels,
                ["info", "FILE"], 0, "", why="byte skip -1: data ends the file")
    folder = d.case("control-detached")
    open(os.path.join(folder, "x.nhdr"), "wb").write(header(datafile="x.raw"))
    open(os.path.join(folder, "x.raw"), "wb").write(voxels)
    d.add("control-detached", ["info", "{case}/x.nhdr"], 0, "", why="detached raw")
    folder = d.case("control-detached-subfolder")
    os.makedirs(os.path.join(folder, "data"))
    open(os.path.join(folder, "x.nhdr"), "wb").write(header(datafile="data/x.raw"))
    open(os.path.join(folder, "data", "x.raw"), "wb").write(voxels)
    d.add("control-detached-subfolder", ["info", "{case}/x.nhdr"], 0, "", why="detached raw in a subfolder")
    # Detached data outside the folder, or special.
    for label, name in (("etc-passwd", "/etc/passwd"), ("dotdot", "../../../../../../etc/passwd"),
                        ("dev-urandom", "/dev/urandom"), ("dev-zero", "/dev/zero"), ("proc-self", "/proc/self/environ"),
                        ("dotdot-sibling", "../control-detached/x.raw"), ("dotdot-inside-out", "data/../../x.raw")):
        folder = d.case(f"datafile-{label}")
        open(os.path.join(folder, "x.nhdr"), "wb").write(header(datafile=name))
        d.add(f"datafile-{label}", ["info", "{case}/x.nhdr"], 3, OUTSIDE, why=f"data file: {name}")
    for label, target in (("link-etc-passwd", "/etc/passwd"), ("link-dev-urandom", "/dev/urandom"),
                          ("link-dotdot", "../control-detached/x.raw")):
        folder = d.case(f"datafile-{label}")
        open(os.path.join(folder, "x.nhdr"), "wb").write(header(datafile="x.raw"))
        os.symlink(target, os.path.join(folder, "x.raw"))
        d.add(f"datafile-{label}", ["info", "{case}/x.nhdr"], 3, OUTSIDE, why=f"x.raw is a symlink to {target}")
    folder = d.case("datafile-fifo")
    open(os.path.join(folder, "x.nhdr"), "wb").write(header(datafile="x.raw"))
    os.mkfifo(os.path.join(folder, "x.raw"))
    d.add("datafile-fifo", ["info", "{case}/x.nhdr"], 3, SPECIAL, why="x.raw is a FIFO")
    folder = d.case("datafile-missing")
    open(os.path.join(folder, "x.nhdr"), "wb").write(header(datafile="nothing.raw"))
    d.add("datafile-missing", ["info", "{case}/x.nhdr"], 3, r"(?i)no such|missing|not found", why="no data file")
    folder = d.case("datafile-list-outside")
    open(os.path.join(folder, "x.nhdr"), "wb").write(header(datafile="LIST") + b"/etc/passwd\n/etc/hostname\n")
    d.add("datafile-list-outside", ["info", "{case}/x.nhdr"], 3, OUTSIDE, why="data file: LIST of absolute paths")
    folder = d.case("datafile-pattern-dotdot")
    open(os.path.join(folder, "x.nhdr"), "wb").write(header(datafile="../../slice%03d.raw 1 10 1"))
    d.add("datafile-pattern-dotdot", ["info", "{case}/x.nhdr"], 3, OUTSIDE, why="data file pattern with ..")
    # Truncated and damaged data.
    for label, cut in (("header", 60), ("data-half", len(voxels) // 2), ("data-minus1", len(voxels) - 1)):
        blob = header() + b"\n" + voxels
        d.file_case(f"raw-truncated-{label}", "x.nrrd", blob[:len(header()) + 1 + cut] if label != "header" else blob[:cut],
                    ["info", "FILE"], 3, TRUNC + "|" + ANY_REFUSAL, why=f"raw data cut ({label})")
    for label, cut in (("10pct", len(gzvox) // 10), ("half", len(gzvox) // 2), ("minus8", len(gzvox) - 8)):
        d.file_case(f"gzip-truncated-{label}", "x.nrrd", header(encoding="gzip") + b"\n" + gzvox[:cut], ["info", "FILE"], 3,
                    TRUNC + "|" + DAMAGED, why="gzip data cut")
    for seed in range(5):
        d.file_case(f"gzip-damaged-{seed}", "x.nrrd",
                    header(encoding="gzip") + b"\n" + flip_bits(gzvox, 4, 600 + seed, 20, len(gzvox) - 20),
                    ["info", "FILE"], 3, DAMAGED + "|" + TRUNC, why="bit flips in the gzip data")
    d.file_case("gzip-garbage", "x.nrrd", header(encoding="gzip") + b"\n" + random.Random(9).randbytes(50000),
                ["info", "FILE"], 3, DAMAGED + "|" + TRUNC, why="random bytes where gzip data belongs")
    bomb = deflate_zeros(1 << 30, wrapper="gzip")
    d.file_case("gzip-bomb-1gib-behind-64cube", "x.nrrd", header(encoding="gzip", sizes="64 64 64", typ="uint8") + b"\n" + bomb,
                ["info", "FILE"], 3, r"(?i)more than the .* bytes its header declares", why="1 GiB of zeros behind a 64^3 header")
    # Sizes that wrap, are zero or negative; NaN geometry.
    for label, sizes in (("wrap", "4294967296 4294967296 4294967296"), ("zero", "0 10 10"), ("negative", "-1 10 10"),
                         ("huge", "100000 100000 100000")):
        d.file_case(f"sizes-{label}", "x.nrrd", header(sizes=sizes) + b"\n" + voxels, ["info", "FILE"], 3,
                    r"(?i)sizes|" + SIZE[4:] + "|" + TRUNC[4:], why=f"sizes: {sizes}")
    for field, value in (("space directions", "(nan,0,0) (0,1,0) (0,0,1)"), ("space directions", "(inf,0,0) (0,1,0) (0,0,1)"),
                         ("space origin", "(nan,nan,nan)"), ("space origin", "(1e999,0,0)")):
        text = header().decode().replace(
            [l for l in header().decode().splitlines() if l.startswith(field + ":")][0], f"{field}: {value}").encode()
        d.file_case(f"nan-{field.replace(' ', '-')}-{value[:4].strip('(,')}", "x.nrrd", text + b"\n" + voxels, ["info", "FILE"],
                    3, NAN, why=f"{field}: {value}")
    d.file_case("byte-skip-past-end", "x.nrrd", header("byte skip: 99999999") + b"\n" + voxels, ["info", "FILE"], 3,
                r"(?i)truncat|start at byte", why="byte skip beyond the file")
    d.special_cases("x.nrrd", os.path.join(d.root, "control-raw", "x.nrrd"))
    return d.close()


def make_mha():
    d = Domain("mha")
    (nx, ny, nz), bitpix, voxels = volume_voxels()

    def header(datafile="LOCAL", compressed=False, dims=None, extra="", typ=None):
        lines = ["ObjectType = Image", "NDims = 3", "BinaryData = True", "BinaryDataByteOrderMSB = False",
                 f"CompressedData = {'True' if compressed else 'False'}",
                 "TransformMatrix = 1 0 0 0 1 0 0 0 1", "Offset = 0 0 0", "ElementSpacing = 1 1 1",
                 f"DimSize = {dims or f'{nx} {ny} {nz}'}", f"ElementType = {typ or MET_TYPE[bitpix]}"]
        if extra:
            lines.append(extra)
        lines.append(f"ElementDataFile = {datafile}")
        return ("\n".join(lines) + "\n").encode()

    zvox = zlib.compress(voxels, 6)
    d.file_case("control-raw", "x.mha", header() + voxels, ["info", "FILE"], 0, "", why="raw local")
    d.file_case("control-compressed", "x.mha", header(compressed=True) + zvox, ["info", "FILE"], 0, "", why="compressed local")
    d.file_case("control-convert-upper", "x.mha", header() + voxels, ["convert", "FILE", "{tmp}/OUT.NRRD"], 0, "",
                why="an upper-case output extension")
    folder = d.case("control-detached")
    open(os.path.join(folder, "x.mhd"), "wb").write(header(datafile="x.raw"))
    open(os.path.join(folder, "x.raw"), "wb").write(voxels)
    d.add("control-detached", ["info", "{case}/x.mhd"], 0, "", why="detached raw")
    for label, name in (("etc-passwd", "/etc/passwd"), ("dotdot", "../../../../../../etc/passwd"),
                        ("dev-urandom", "/dev/urandom"), ("dev-zero", "/dev/zero"), ("dotdot-sibling", "../control-detached/x.raw")):
        folder = d.case(f"datafile-{label}")
        open(os.path.join(folder, "x.mhd"), "wb").write(header(datafile=name))
        d.add(f"datafile-{label}", ["info", "{case}/x.mhd"], 3, OUTSIDE, why=f"ElementDataFile = {name}")
    for label, target in (("link-etc-passwd", "/etc/passwd"), ("link-dev-urandom", "/dev/urandom")):
        folder = d.case(f"datafile-{label}")
        open(os.path.join(folder, "x.mhd"), "wb").write(header(datafile="x.raw"))
        os.symlink(target, os.path.join(folder, "x.raw"))
        d.add(f"datafile-{label}", ["info", "{case}/x.mhd"], 3, OUTSIDE, why=f"x.raw -> {target}")
    folder = d.case("datafile-fifo")
    open(os.path.join(folder, "x.mhd"), "wb").write(header(datafile="x.raw"))
    os.mkfifo(os.path.join(folder, "x.raw"))
    d.add("datafile-fifo", ["info", "{case}/x.mhd"], 3, SPECIAL, why="x.raw is a FIFO")
    folder = d.case("datafile-list-outside")
    open(os.path.join(folder, "x.mhd"), "wb").write(header(datafile="LIST") + b"/etc/passwd\n")
    d.add("datafile-list-outside", ["info", "{case}/x.mhd"], 3, OUTSIDE, why="LIST naming /etc/passwd")
    for label, cut in (("half", len(voxels) // 2), ("minus1", len(voxels) - 1), ("none", 0)):
        d.file_case(f"raw-truncated-{label}", "x.mha", header() + voxels[:cut], ["info", "FILE"], 3, TRUNC,
                    why="local raw data cut")
    folder = d.case("detached-truncated")
    open(os.path.join(folder, "x.mhd"), "wb").write(header(datafile="x.raw"))
    open(os.path.join(folder, "x.raw"), "wb").write(voxels[:1000])
    d.add("detached-truncated", ["info", "{case}/x.mhd"], 3, TRUNC, why="detached raw cut")
    for label, cut in (("10pct", len(zvox) // 10), ("half", len(zvox) // 2), ("minus4", len(zvox) - 4)):
        d.file_case(f"compressed-truncated-{label}", "x.mha", header(compressed=True) + zvox[:cut], ["info", "FILE"], 3,
                    TRUNC + "|" + DAMAGED, why="compressed data cut")
    for seed in range(5):
        d.file_case(f"compressed-damaged-{seed}", "x.mha",
                    header(compressed=True) + flip_bits(zvox, 4, 700 + seed, 10, len(zvox) - 10), ["info", "FILE"], 3,
                    DAMAGED + "|" + TRUNC, why="bit flips in the zlib data")
    d.file_case("compressed-garbage", "x.mha", header(compressed=True) + random.Random(11).randbytes(40000), ["info", "FILE"],
                3, DAMAGED + "|" + TRUNC, why="garbage where the zlib stream belongs")
    bomb = deflate_zeros(1 << 30, wrapper="zlib")
    d.file_case("compressed-bomb-1gib-behind-64cube", "x.mha", header(compressed=True, dims="64 64 64", typ="MET_UCHAR") + bomb,
                ["info", "FILE"], 3, r"(?i)more than the .* bytes its header declares", why="1 GiB of zeros, 64^3 claimed")
    for label, dims in (("wrap", "4294967296 4294967296 4294967296"), ("zero", "0 10 10"), ("negative", "-3 10 10"),
                        ("huge", "100000 100000 100000")):
        d.file_case(f"dims-{label}", "x.mha", header(dims=dims) + voxels, ["info", "FILE"], 3,
                    r"(?i)DimSize|" + SIZE[4:] + "|" + TRUNC[4:], why=f"DimSize = {dims}")
    for field, value in (("TransformMatrix", "nan 0 0 0 1 0 0 0 1"), ("Offset", "0 inf 0"), ("ElementSpacing", "nan 1 1")):
        text = header().decode()
        line = [l for l in text.splitlines() if l.startswith(field)][0]
        d.file_case(f"nan-{field}", "x.mha", text.replace(line, f"{field} = {value}").encode() + voxels, ["info", "FILE"], 3, NAN,
                    why=f"{field} = {value}")
    d.file_case("no-datafile-line", "x.mha", header().replace(b"ElementDataFile = LOCAL\n", b""), ["info", "FILE"], 3,
                ANY_REFUSAL, why="header without ElementDataFile")
    d.special_cases("x.mha", os.path.join(d.root, "control-raw", "x.mha"))
    return d.close()


# ---------------------------------------------------------------------------------------
# Whole slides (pyramidal TIFF) and 2D rasters
# ---------------------------------------------------------------------------------------
def make_slide():
    d = Domain("slide")
    slide = read(f"{DEMO}/pathology-ihc-slide.tif")
    d.file_case("control", "s.tif", slide, ["info", "FILE"], 0, "", why="the demo pyramid")
    d.file_case("control-convert-level", "s.tif", slide, ["convert", "FILE", "{tmp}/level.png"], 0, "",
                why="the smallest level written")
    for label, cut in (("header", 100), ("10pct", len(slide) // 10), ("half", len(slide) // 2), ("minus1", len(slide) - 1)):
        d.file_case(f"truncated-{label}", "s.tif", slide[:cut], ["convert", "FILE", "{tmp}/level.png"], -1, "",
                    why="slide cut short: a clean refusal (or the intact levels), never a crash")
    for seed in range(10):
        d.file_case(f"bitflips-{seed}", "s.tif", flip_bits(slide, 30, 800 + seed, 8), ["convert", "FILE", "{tmp}/level.png"], -1,
                    "", why="bit flips anywhere: any clean outcome")
    for seed in range(5):
        d.file_case(f"header-bitflips-{seed}", "s.tif", flip_bits(slide, 6, 900 + seed, 4, 400), ["info", "FILE"], -1, "",
                    why="bit flips in the first IFD: any clean outcome")
    # 716 tiles of 4 Mpixel x 16: consistent arrays, so OpenSlide opens it and Meridian judges the size.
    wide = wide_tiled_tiff(3_000_000_000, 16, 1 << 22, 16)
    d.file_case("level-3-gigapixels-wide", "s.tif", wide, ["info", "FILE"], 3, r"claims 3000000000x16 pixels, more than any slide",
                why="TIFF sizes are 32-bit: a side past 2^31 is refused before any product of sides can wrap")
    # fuzz_slide, 2026-12-04: level 0 with a missing (zero-length) tile and a level 1 with more
    # than twice its tiles down made OpenSlide 3.4.1 divide by zero (SIGFPE) inside openslide_open.
    bad = aperio_tiff([(64, 64, [0] + [64] * 15), (32, 144, [64] * 18)])
    d.file_case("aperio-level-grows", "s.svs", bad, ["info", "FILE"], 3,
                r"Aperio level 1 has 2x9 tiles, more than twice level 0's 4x4: not a pyramid",
                why="a later level with more than twice the tiles: refused before OpenSlide divides by zero")
    good = aperio_tiff([(64, 64, [0] + [64] * 15), (32, 32, [64] * 4)])
    d.file_case("aperio-missing-tile-control", "s.svs", good, ["info", "FILE"], 0, "",
                why="the same file with a shrinking level 1: opens (OpenSlide marks the tiles under the gap missing)")
    d.special_cases("s.tif", f"{DEMO}/pathology-ihc-slide.tif")
    return d.close()


def aperio_tiff(levels):
    """A minimal little-endian Aperio-like TIFF: one tiled, uncompressed RGB directory per
    (width, height, tile byte counts) in `levels`, 16 x 16 tiles, the first with Aperio's
    ImageDescription; every tile with a non-zero count points at the same zero bytes."""
    desc = b"Aperio Image Library v10.0.50\r\n64x64 [0,0 64x64] (16x16) RAW|AppMag = 20|MPP = 0.5\0"
    out = bytearray(b"II*\0" + struct.pack("<I", 8))
    pixels_at_placeholder = []
    for index, (width, height, counts) in enumerate(levels):
        n = len(counts)
        entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 3, "bits"), (259, 3, 1, 1), (262, 3, 1, 2)]
        if index == 0:
            entries.append((270, 2, len(desc), "desc"))
        entries += [(277, 3, 1, 3), (284, 3, 1, 1), (322, 4, 1, 16), (323, 4, 1, 16), (324, 4, n, "offsets"),
                    (325, 4, n, "counts")]
        ifd_at = len(out)
        bits_at = ifd_at + 2 + 12 * len(entries) + 4
        desc_at = bits_at + 6
        offsets_at = desc_at + (len(desc) if index == 0 else 0)
        counts_at = offsets_at + 4 * n
        end = counts_at + 4 * n
        places = {"bits": bits_at, "desc": desc_at, "offsets": offsets_at, "counts": counts_at}
        out += struct.pack("<H", len(entries))
        for tag, kind, count, value in entries:
            value = places.get(value, value)
            packed = struct.pack("<HH", value, 0) if kind == 3 and count == 1 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, count) + packed
        next_at = len(out)
        out += struct.pack("<I", 0) + struct.pack("<HHH", 8, 8, 8) + (desc if index == 0 else b"")
        pixels_at_placeholder.append(len(out))
        out += bytes(4 * n) + struct.pack(f"<{n}I", *counts)
        assert len(out) == end
        if index + 1 < len(levels):
            struct.pack_into("<I", out, next_at, len(out))
    pixels_at = len(out)
    out += bytes(16 * 16 * 3)
    for (width, height, counts), at in zip(levels, pixels_at_placeholder):
        struct.pack_into(f"<{len(counts)}I", out, at, *[pixels_at if c else 0 for c in counts])
    return bytes(out)


def wide_tiled_tiff(width, height, tile_width, tile_height):
    """A minimal little-endian tiled RGB TIFF whose tile arrays agree with its claimed size
    (libtiff and OpenSlide then accept the header); every tile points at the same 64 zero
    bytes, since nothing is decoded before the size is judged."""
    n = -(-width // tile_width) * -(-height // tile_height)
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 3, "bits"), (259, 3, 1, 1), (262, 3, 1, 2),
               (277, 3, 1, 3), (284, 3, 1, 1), (322, 4, 1, tile_width), (323, 4, 1, tile_height),
               (324, 4, n, "offsets"), (325, 4, n, "counts")]
    bits_at = 8 + 2 + 12 * len(entries) + 4
    offsets_at = bits_at + 6
    counts_at = offsets_at + 4 * n
    pixels_at = counts_at + 4 * n
    places = {"bits": bits_at, "offsets": offsets_at if n > 1 else pixels_at, "counts": counts_at if n > 1 else 64}
    out = bytearray(b"II*\0" + struct.pack("<IH", 8, len(entries)))
    for tag, kind, count, value in entries:
        value = places.get(value, value)
        packed = struct.pack("<HH", value, 0) if kind == 3 and count == 1 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, count) + packed
    out += struct.pack("<I", 0) + struct.pack("<HHH", 8, 8, 8)
    out += struct.pack(f"<{n}I", *([pixels_at] * n)) + struct.pack(f"<{n}I", *([64] * n)) + bytes(64)
    return out


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def make_raster():
    d = Domain("raster")
    pngs = ["microaneurysms.png", "ihc.png", "camera.png", "coffee.png", "brick.png"]
    jpgs = ["retina.jpg", "color.png"]
    for name in pngs:
        data = read(f"{SKIMAGE}/{name}")
        d.file_case(f"control-{name}", "x.png", data, ["info", "FILE"], 0, "", why="the real file")
        for label, cut in (("header", 40), ("half", len(data) // 2), ("minus12", len(data) - 12)):
            d.file_case(f"truncated-{name}-{label}", "x.png", data[:cut], ["convert", "FILE", "{tmp}/o.png"], 3,
                        r"(?i)truncat|ends early|bad PNG|cannot decode|CRC|Not enough", why=f"cut at {cut}")
        for seed in range(3):
            d.file_case(f"bitflips-{name}-{seed}", "x.png", flip_bits(data, 10, 1000 + seed, 60),
                        ["convert", "FILE", "{tmp}/o.png"], 3, r"(?i)PNG|CRC|decode|damaged|truncat",
                        why="bit flips after the signature (CRC and zlib checks catch them)")
    retina = read(f"{SKIMAGE}/retina.jpg")
    d.file_case("control-retina.jpg", "x.jpg", retina, ["info", "FILE"], 0, "", why="the real JPEG")
    for label, cut in (("header", 200), ("half", len(retina) // 2), ("minus2", len(retina) - 2)):
        d.file_case(f"jpeg-truncated-{label}", "x.jpg", retina[:cut], ["convert", "FILE", "{tmp}/o.png"], 3,
                    r"(?i)JPEG|premature|truncat", why=f"JPEG cut at {cut}")
    # PNG bombs: zeros in IDAT claiming far more pixels than Meridian decodes as one picture.
    for w, h, label in ((65535, 65535, "4gib"), (32768, 32769, "1gib"), (20000, 20000, "400mib-ok")):
        ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
        row = w + 1
        idat = deflate_zeros(row * h, wrapper="zlib")
        data = b"\x89PNG\r\n\x1a\n" + ihdr + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
        if label.endswith("ok"):
            d.file_case(f"png-zeros-{label}", "x.png", data, ["info", "FILE"], 0, "",
                        why=f"{w}x{h} zeros ({len(data) >> 10} KiB): within the 1 GiB rule, decoded")
        else:
            d.file_case(f"png-bomb-{label}", "x.png", data, ["info", "FILE"], 3, SIZE,
                        why=f"{w}x{h} zeros in {len(data) >> 10} KiB: refused before decoding")
    # IHDR claims that wrap or are impossible.
    base = read(f"{SKIMAGE}/camera.png")
    for w, h in ((0x7FFFFFFF, 0x7FFFFFFF), (1 << 20, 1 << 20), (0, 100), (100, 0)):
        data = bytearray(base)
        struct.pack_into(">II", data, 16, w, h)
        struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
        d.file_case(f"png-ihdr-{w}x{h}", "x.png", data, ["info", "FILE"], 3, r"(?i)PNG|" + SIZE[4:],
                    why=f"IHDR {w}x{h} with a valid CRC")
    # TIFF: a real one written by PIL from a real picture, then damaged.
    from PIL import Image
    buf = io.BytesIO()
    Image.open(f"{SKIMAGE}/camera.png").save(buf, format="TIFF")
    tif = bytearray(buf.getvalue())
    d.file_case("control-tiff", "x.tif", tif, ["info", "FILE"], 0, "", why="camera.png as TIFF")
    for label, cut in (("header", 50), ("half", len(tif) // 2)):
        d.file_case(f"tiff-truncated-{label}", "x.tif", tif[:cut], ["convert", "FILE", "{tmp}/o.png"], -1, "",
                    why="TIFF cut: any clean outcome")
    d.special_cases("x.png", f"{SKIMAGE}/camera.png")
    return d.close()


if __name__ == "__main__":
    os.makedirs(CORPUS, exist_ok=True)
    total = 0
    for make in (make_dicom, make_series, make_dicomdir, make_nifti, make_nrrd, make_mha, make_slide, make_raster):
        n = make()
        print(f"{make.__name__[5:]:10s} {n:4d} cases")
        total += n
    print(f"{'total':10s} {total:4d} cases in {CORPUS}")
