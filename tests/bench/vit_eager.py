#!/usr/bin/python3
"""PyTorch eager peer for bench_vit: torchvision's vit_b_16 (random weights, nothing is
downloaded) at its best setting on this CPU, timed like Meridian (one warm-up call, then
the median of RUNS calls).

  /usr/bin/python3 tests/bench/vit_eager.py RUNS BATCHES PRECISIONS [THREADS]
  e.g. /usr/bin/python3 tests/bench/vit_eager.py 5 1,16 fp32,bf16

Prints one line per measurement: "RESULT <fp32|bf16> <batch> <median ms> <median process cpu ms>".
Best setting: torch.set_num_threads(cores), torch.inference_mode(); bf16 casts the whole
model and input (PyTorch 1.13's CPU autocast fails in nn.MultiheadAttention's fused path).
Run with /usr/bin/python3 (Debian's python3-torch), not a pyenv python without torch.
"""
import os
import sys
import time

import torch
import torchvision
from bench_timing import median_ms


def main():
    runs = int(sys.argv[1])
    batches = [int(b) for b in sys.argv[2].split(",")]
    precisions = sys.argv[3].split(",")
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else os.cpu_count())
    torch.manual_seed(0)
    model = torchvision.models.vit_b_16().eval()
    for precision in precisions:
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        net = model.to(dtype)
        with torch.inference_mode():
            for batch in batches:
                x = torch.randn(batch, 3, 224, 224).to(dtype)
                cpu = []

                def call():
                    c0 = time.process_time()
                    net(x)
                    cpu.append((time.process_time() - c0) * 1000.0)

                ms = median_ms(runs, call)
                cpu_ms = sorted(cpu[1:])[runs // 2]  # cpu[0] is the warm-up call
                print(f"RESULT {precision} {batch} {ms:.3f} {cpu_ms:.3f}", flush=True)


if __name__ == "__main__":
    main()
