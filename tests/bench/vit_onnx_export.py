#!/usr/bin/python3
"""Exports the ONNX Runtime peer's models for vit_onnx_compare.py with Debian's PyTorch:
torchvision's vit_b_16 with the random weights vit_eager.py uses (seed 0; speed does not
depend on the values), batch as a dynamic axis, opset 14; and one nn.Linear per matrix
product shape of a block (qkv, proj, fc1, fc2) to time each product alone.

  /usr/bin/python3 tests/bench/vit_onnx_export.py OUT_DIR
"""
import os
import sys
import warnings

import torch
import torchvision

# (name, in features, out features) of ViT-B/16's per-block products.
LINEARS = [("qkv", 768, 2304), ("proj", 768, 768), ("fc1", 768, 3072), ("fc2", 3072, 768)]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    warnings.filterwarnings("ignore")  # the tracer's warnings about torchvision's shape asserts
    torch.manual_seed(0)
    model = torchvision.models.vit_b_16().eval()
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), os.path.join(out, "vit_b_16.onnx"), opset_version=14,
                      input_names=["pixels"], output_names=["logits"],
                      dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}})
    for name, k, n in LINEARS:
        torch.onnx.export(torch.nn.Linear(k, n).eval(), torch.randn(197, k), os.path.join(out, f"linear_{name}.onnx"),
                          opset_version=14, input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "rows"}})
    print(f"exported vit_b_16.onnx and {len(LINEARS)} linear layers to {out}")


if __name__ == "__main__":
    main()
