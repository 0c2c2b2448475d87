#!/usr/bin/python3
"""What this CPU's bf16 matrix products reach, as a ceiling for bench_dino's operator profile:
PyTorch's bf16 `mm` (oneDNN where the CPU has bf16 instructions) on large square products and on
the shapes of the DINO step's linear layers (ViT-S/16, batch 8: 2 x 224 px = 3152 token rows,
6 x 96 px = 1776), each the median of 5 timed blocks of repeated products after a warm-up block
(bench_timing.median_ms).

  /usr/bin/python3 tests/bench/gemm_ceiling.py [THREADS]     (default 2, as bench_dino runs)
Prints "RESULT m k n GFLOP/s" per shape. Run it on a quiet machine: the other jobs' share of
the cores comes off every number.
"""
import sys

import torch

from bench_timing import median_ms  # same folder: the peers' shared median timing

SHAPES = [
    (4096, 4096, 4096), (8192, 2048, 2048),  # large: what the kernels reach at all
    (3152, 384, 1152), (3152, 384, 1536), (3152, 1536, 384),  # 224-px views: qkv, fc1, fc2
    (1776, 384, 1536),  # 96-px views: fc1
]


def gflops(m, k, n):
    a = torch.randn(m, k).bfloat16()
    b = torch.randn(k, n).bfloat16()
    reps = max(3, int(2e10 / (2 * m * k * n)))  # ~20 GFLOP a block

    def block():
        for _ in range(reps):
            torch.mm(a, b)
    return 2 * m * k * n * reps / (median_ms(5, block) / 1000.0) / 1e9


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    print("torch", torch.__version__, "threads", torch.get_num_threads(), "oneDNN", torch.backends.mkldnn.is_available())
    for m, k, n in SHAPES:
        print("RESULT %d %d %d %.0f" % (m, k, n, gflops(m, k, n)))


if __name__ == "__main__":
    main()
