#!/usr/bin/python3
"""Golden data for Meridian's ViT: torchvision's vit_b_16 (PyTorch eager) as the peer.

Writes into OUTDIR:
  vit_b_16_torchvision.safetensors  the model's state dict, torchvision key layout
  golden.safetensors                inputs and the peer's outputs:
    input_224 [2,3,224,224], logits_224 [2,1000], cls_attn_224 [2,12,196] (last layer,
    per head), cls_attn_mean_224 [2,196], input_160/logits_160 and input_288/logits_288
    (the same weights run at another size with the position embedding resized
    bicubically, align_corners=False, as timm/DINOv2 do).

Run with the system interpreter (/usr/bin/python3: Debian's python3-torch and
python3-torchvision). Random weights from torch.manual_seed(0): nothing is downloaded.
safetensors is written by hand (struct + json): python3-safetensors is not in Debian 12.
"""
import hashlib
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
import torchvision
from torchvision.models.vision_transformer import VisionTransformer

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
          torch.bool: "BOOL"}


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def perturb(model):
    # torchvision zero-initialises the head, the class token and the attention biases and
    # sets every LayerNorm to (1, 0): a key mix-up (ln_1 vs ln_2, a missing bias) would
    # then change nothing. Random values everywhere make every tensor matter.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(0.1 * torch.randn_like(p))
            elif name in ("class_token", "heads.head.weight"):
                p.normal_(0.0, 0.05)


def cls_attention(model, x):
    """Last block's CLS attention, computed from its ln_1 output and in_proj weights."""
    captured = {}
    last = model.encoder.layers[-1]
    hook = last.ln_1.register_forward_hook(lambda m, i, o: captured.setdefault("y", o))
    model(x)
    hook.remove()
    y = captured["y"]
    attn = last.self_attention
    b, t, d = y.shape
    h = attn.num_heads
    q, k, _ = F.linear(y, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
    q = q.reshape(b, t, h, d // h).transpose(1, 2)
    k = k.reshape(b, t, h, d // h).transpose(1, 2)
    weights = torch.softmax(q @ k.transpose(-2, -1) / (d // h) ** 0.5, dim=-1)
    # Cross-check with PyTorch's own MultiheadAttention weights.
    _, reference = attn(y, y, y, need_weights=True, average_attn_weights=False)
    assert torch.allclose(weights, reference, atol=1e-6), "manual attention differs from nn.MultiheadAttention"
    per_head = weights[:, :, 0, 1:]
    return per_head, per_head.mean(dim=1)


def resized_model(model, size):
    """The same weights at another input size, position embedding resized like timm/DINOv2."""
    other = VisionTransformer(image_size=size, patch_size=16, num_layers=12, num_heads=12, hidden_dim=768,
                              mlp_dim=3072).eval()
    state = dict(model.state_dict())
    pos = state["encoder.pos_embedding"]
    g, n = 224 // 16, size // 16
    grid = pos[:, 1:].reshape(1, g, g, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=(n, n), mode="bicubic", align_corners=False)
    state["encoder.pos_embedding"] = torch.cat([pos[:, :1], grid.permute(0, 2, 3, 1).reshape(1, n * n, -1)], dim=1)
    other.load_state_dict(state)
    return other


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    script_hash = hashlib.sha256(open(__file__, "rb").read()).hexdigest()
    stamp = os.path.join(out, "stamp")
    outputs = [os.path.join(out, f) for f in ("vit_b_16_torchvision.safetensors", "golden.safetensors")]
    if all(map(os.path.exists, outputs)) and os.path.exists(stamp) and open(stamp).read() == script_hash:
        print("golden data up to date in", out)
        return
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    model = torchvision.models.vit_b_16()  # random weights; weights=None downloads nothing
    perturb(model)
    model.eval()
    write_safetensors(os.path.join(out, "vit_b_16_torchvision.safetensors"), model.state_dict())

    golden = {}
    with torch.no_grad():
        x = torch.randn(2, 3, 224, 224)
        golden["input_224"] = x
        golden["logits_224"] = model(x)
        golden["cls_attn_224"], golden["cls_attn_mean_224"] = cls_attention(model, x)
        for size in (160, 288):
            xs = torch.randn(1, 3, size, size)
            golden[f"input_{size}"] = xs
            golden[f"logits_{size}"] = resized_model(model, size)(xs)
    write_safetensors(os.path.join(out, "golden.safetensors"), golden)
    with open(stamp, "w") as f:
        f.write(script_hash)
    print(f"golden data for vit_b_16 (torch {torch.__version__}, torchvision {torchvision.__version__}) in {out}")


if __name__ == "__main__":
    main()
