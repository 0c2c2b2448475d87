#!/usr/bin/python3
"""PyTorch eager peer for bench_dino: one DINO step of the same recipe as Meridian's
(model/src/ssl): a ViT-S/16 student and EMA teacher (torchvision's VisionTransformer at ViT-S
sizes with the classifier removed: width 384, depth 12, 6 heads, MLP 1536; random weights,
nothing is downloaded), the projection head (3-layer GELU MLP 384 -> 1024 -> 1024 -> 256,
L2-normalised, weight-normalised prototypes with g = 1), multi-crop (2 global views at 224 +
LOCAL views at 96 by torchvision's RandomResizedCrop, flip, colour jitter, grayscale, blur and
solarisation on uint8 tensors, one image after another in the step, as a plain training loop
does), centring, teacher temperature 0.04, student 0.1, AdamW, gradient clipping at 3 and the
EMA update. Timed like Meridian: one warm-up step, then the median of RUNS steps.

  /usr/bin/python3 tests/bench/dino_eager.py RUNS BATCH LOCAL PROTOTYPES PRECISIONS
Prints "RESULT <fp32|bf16> <batch> <median ms per step>" per precision.
bf16 = torch.autocast("cpu", dtype=torch.bfloat16) around the forward passes.
"""
import copy
import os
import sys

import torch
import torch.nn.functional as F
import torchvision.transforms as T
from torchvision.models.vision_transformer import VisionTransformer
from bench_timing import median_ms


class Head(torch.nn.Module):
    def __init__(self, dim, hidden=1024, bottleneck=256, k=4096):
        super().__init__()
        self.mlp = torch.nn.Sequential(torch.nn.Linear(dim, hidden), torch.nn.GELU(), torch.nn.Linear(hidden, hidden),
                                       torch.nn.GELU(), torch.nn.Linear(hidden, bottleneck))
        self.prototypes = torch.nn.Parameter(torch.randn(k, bottleneck) * 0.02)

    def forward(self, x):
        x = F.normalize(self.mlp(x), dim=-1, eps=1e-6)
        return x @ F.normalize(self.prototypes, dim=1, eps=1e-6).t()


class Net(torch.nn.Module):
    def __init__(self, k):
        super().__init__()
        self.backbone = VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384,
                                          mlp_dim=1536, num_classes=1)
        self.backbone.heads = torch.nn.Identity()
        self.head = Head(384, k=k)

    def forward(self, x):
        return self.head(self.backbone(x))


def vit_any_size(backbone, x):
    """torchvision's ViT checks the input size; the 96 px local views need the position
    embedding interpolated, as DINO's and Meridian's ViTs do."""
    n, _, h, w = x.shape
    x = backbone.conv_proj(x).flatten(2).transpose(1, 2)
    pos = backbone.encoder.pos_embedding
    cls_pos, grid = pos[:, :1], pos[:, 1:]
    side = int(grid.shape[1] ** 0.5)
    if x.shape[1] != grid.shape[1]:
        g = grid.reshape(1, side, side, -1).permute(0, 3, 1, 2)
        g = F.interpolate(g, size=(h // 16, w // 16), mode="bicubic", align_corners=False)
        grid = g.permute(0, 2, 3, 1).reshape(1, -1, pos.shape[-1])
    x = torch.cat([backbone.class_token.expand(n, -1, -1), x], dim=1) + torch.cat([cls_pos, grid], dim=1)
    x = backbone.encoder.ln(backbone.encoder.layers(backbone.encoder.dropout(x)))
    return x[:, 0]


def main():
    runs, batch, local, k = (int(a) for a in sys.argv[1:5])
    precisions = sys.argv[5].split(",")
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    student = Net(k)
    teacher = copy.deepcopy(student)
    for p in teacher.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(student.parameters(), lr=2e-4, weight_decay=0.04)
    center = torch.zeros(1, k)
    images = [torch.randint(0, 256, (3, 512, 512), dtype=torch.uint8) for _ in range(batch)]
    photo = [T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2)], p=0.8), T.RandomGrayscale(p=0.2)]
    norm = [T.ConvertImageDtype(torch.float32), T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))]
    global1 = T.Compose([T.RandomResizedCrop(224, (0.4, 1.0)), T.RandomHorizontalFlip()] + photo +
                        [T.GaussianBlur(13, (0.1, 2.0))] + norm)
    global2 = T.Compose([T.RandomResizedCrop(224, (0.4, 1.0)), T.RandomHorizontalFlip()] + photo +
                        [T.RandomApply([T.GaussianBlur(13, (0.1, 2.0))], p=0.1), T.RandomSolarize(128, p=0.2)] + norm)
    local_t = T.Compose([T.RandomResizedCrop(96, (0.05, 0.4)), T.RandomHorizontalFlip()] + photo +
                        [T.RandomApply([T.GaussianBlur(5, (0.1, 2.0))], p=0.5)] + norm)

    def forward(net, x):
        return net.head(vit_any_size(net.backbone, x))

    for precision in precisions:
        def step():
            nonlocal center
            g = torch.cat([torch.stack([global1(im) for im in images]), torch.stack([global2(im) for im in images])])
            lo = torch.cat([torch.stack([local_t(im) for im in images]) for _ in range(local)]) if local else None
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                with torch.no_grad():
                    t_out = forward(teacher, g).float()
                s_out = [forward(student, g).float()]
                if lo is not None:
                    s_out.append(forward(student, lo).float())
            s_views = list(torch.cat(s_out).chunk(2 + local))
            t_views = ((t_out - center) / 0.04).softmax(-1).chunk(2)
            loss, pairs = 0.0, 0
            for ti, t in enumerate(t_views):
                for si, s in enumerate(s_views):
                    if si != ti:
                        loss = loss + (-t * F.log_softmax(s / 0.1, -1)).sum(-1).mean()
                        pairs += 1
            loss = loss / pairs
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(student.parameters(), 3.0)
            optimizer.step()
            with torch.no_grad():
                for ps, pt in zip(student.parameters(), teacher.parameters()):
                    pt.mul_(0.996).add_(ps.detach(), alpha=0.004)
                center = center * 0.9 + t_out.mean(0, keepdim=True) * 0.1
        try:
            ms = median_ms(runs, step)
            print(f"RESULT {precision} {batch} {ms:.3f}", flush=True)
        except RuntimeError as e:  # report, do not hide: the C++ side prints "peer: n/a"
            print(f"peer {precision} failed: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
