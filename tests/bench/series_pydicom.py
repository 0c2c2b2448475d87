#!/usr/bin/python3
"""pydicom + NumPy loading a series the usual way: read every file, sort by position along
the slice normal, stack, apply rescale. Prints the median milliseconds of RUNS warm runs.
    series_pydicom.py DIR RUNS"""
import os
import statistics
import sys
import time

import numpy as np
import pydicom


def load(folder):
    datasets = [pydicom.dcmread(os.path.join(folder, f)) for f in os.listdir(folder) if f.endswith(".dcm")]
    o = np.array(datasets[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(o[:3], o[3:])
    datasets.sort(key=lambda d: float(np.dot(normal, np.array(d.ImagePositionPatient, dtype=float))))
    volume = np.stack([d.pixel_array for d in datasets]).astype(np.int16)
    slope, intercept = float(datasets[0].RescaleSlope), float(datasets[0].RescaleIntercept)
    return (volume * slope + intercept).astype(np.int16)


folder, runs = sys.argv[1], int(sys.argv[2])
load(folder)
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    load(folder)
    times.append((time.perf_counter() - t0) * 1000)
print(f"{statistics.median(times):.1f}")
