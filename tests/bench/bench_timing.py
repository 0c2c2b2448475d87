"""Timing shared by the Python peers of the benchmarks (run with /usr/bin/python3)."""
import time


def median_ms(runs, work):
    """Median wall time in ms of `runs` calls of `work` after one warm-up call: the same
    element BenchTiming.hpp's medianMs picks."""
    work()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append((time.perf_counter() - t0) * 1000.0)
    return sorted(times)[runs // 2]
