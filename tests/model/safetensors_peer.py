#!/usr/bin/python3
"""Reads the file SafeTensorsRoundTripTest writes with nothing but struct, json and numpy,
following the safetensors format (8-byte little-endian header length, JSON header with
dtype / shape / data_offsets per tensor and __metadata__, then the data), and checks every
tensor's values against the ones the test wrote. Exit 0 when all match.

Usage: safetensors_peer.py FILE
"""
import json
import struct
import sys

import numpy as np

EXPECTED = {  # name: (dtype, shape, values as numpy reads them)
    "w.f32": ("F32", [2, 3], np.array([1.5, -2.0, 3.25, 0.0, 7.0, -8.5], "<f4")),
    "w.f64": ("F64", [1], np.array([3.141592653589793], "<f8")),
    "w.i64": ("I64", [2], np.array([-1, 1 << 40], "<i8")),
    "w.f16": ("F16", [2], np.array([1.0, -2.0], "<f2")),
    "w.bf16": ("BF16", [1, 2], np.array([0x3f80, 0x4049], "<u2")),  # numpy has no bfloat16: the bits
    "w.i32": ("I32", [], np.array([7], "<i4")),
    "w.i16": ("I16", [2], np.array([-3, 4], "<i2")),
    "w.i8": ("I8", [2], np.array([-128, 127], "i1")),
    "w.u8": ("U8", [3], np.array([0, 255, 9], "u1")),
    "w.bool": ("BOOL", [2], np.array([True, False], "?")),
    "empty": ("F32", [0, 4], np.array([], "<f4")),
}


def main():
    raw = open(sys.argv[1], "rb").read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    data = raw[8 + length:]
    assert header.pop("__metadata__") == {"producer": "meridian"}
    assert set(header) == set(EXPECTED), sorted(header)
    spans = sorted(tuple(h["data_offsets"]) for h in header.values())
    assert spans[0][0] == 0 and spans[-1][1] == len(data), (spans[:2], spans[-1], len(data))
    for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
        assert a1 == b0, "data sections must be contiguous"
    for name, (dtype, shape, values) in EXPECTED.items():
        h = header[name]
        assert h["dtype"] == dtype and h["shape"] == shape, (name, h)
        start, end = h["data_offsets"]
        got = np.frombuffer(data[start:end], dtype=values.dtype)
        assert got.size == int(np.prod(shape)), (name, got.size)
        assert np.array_equal(got, values), (name, got, values)
    print(f"safetensors_peer: {len(EXPECTED)} tensors read by struct/json/numpy equal what was written")


if __name__ == "__main__":
    main()
