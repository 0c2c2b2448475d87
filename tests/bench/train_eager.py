#!/usr/bin/python3
"""PyTorch eager peer for bench_train: one full fine-tuning step of a ViT-S/16 (torchvision's
VisionTransformer with ViT-S sizes: width 384, depth 12, 6 heads, MLP 1536; random weights,
nothing is downloaded) with AdamW, class-weighted cross-entropy, batch BATCH at 224x224,
timed like Meridian (one warm-up step, then the median of RUNS steps).

  /usr/bin/python3 tests/bench/train_eager.py RUNS BATCH PRECISIONS
Prints "RESULT <fp32|bf16> <batch> <median ms per step>" per precision.
bf16 = torch.autocast("cpu", dtype=torch.bfloat16) around the forward pass, as Meridian does.
"""
import os
import sys

import torch
from torchvision.models.vision_transformer import VisionTransformer
from bench_timing import median_ms


def main():
    runs, batch, precisions = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    model = VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384,
                              mlp_dim=1536, num_classes=2).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)
    x = torch.randn(batch, 3, 224, 224)
    y = torch.arange(batch) % 2
    weight = torch.ones(2)
    for precision in precisions:
        def step():
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                logits = model(x)
            loss = torch.nn.functional.cross_entropy(logits.float(), y, weight=weight)
            loss.backward()
            optimizer.step()
        try:
            ms = median_ms(runs, step)
            print(f"RESULT {precision} {batch} {ms:.3f}", flush=True)
        except RuntimeError as e:  # report, do not hide: the C++ side prints "peer: n/a"
            print(f"peer {precision} failed: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
