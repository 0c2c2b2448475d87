#!/usr/bin/python3
"""PyTorch eager peer for bench_vit: torchvision's vit_b_16 (random weights, nothing is
downloaded) at its best setting on this CPU, timed like Meridian (one warm-up call, then
the median of RUNS calls).

  /usr/bin/python3 tests/bench/vit_eager.py RUNS BATCHES PRECISIONS
  e.g. /usr/bin/python3 tests/bench/vit_eager.py 5 1,16 fp32,bf16

Prints one line per measurement: "RESULT <fp32|bf16> <batch> <median ms>".
Best setting: torch.set_num_threads(cores), torch.inference_mode(); bf16 casts the whole
model and input (PyTorch 1.13's CPU autocast fails in nn.MultiheadAttention's fused path).
Run with /usr/bin/python3 (Debian's python3-torch), not a pyenv python without torch.
"""
import os
import sys

import torch
import torchvision
from bench_timing import median_ms


def main():
    runs = int(sys.argv[1])
    batches = [int(b) for b in sys.argv[2].split(",")]
    precisions = sys.argv[3].split(",")
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    model = torchvision.models.vit_b_16().eval()
    for precision in precisions:
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        net = model.to(dtype)
        with torch.inference_mode():
            for batch in batches:
                x = torch.randn(batch, 3, 224, 224).to(dtype)
                ms = median_ms(runs, lambda: net(x))
                print(f"RESULT {precision} {batch} {ms:.3f}", flush=True)


if __name__ == "__main__":
    main()
