#!/usr/bin/python3
"""ViT-B/16 on the CPU: Meridian vs PyTorch eager vs ONNX Runtime (issue 20), alternating
rounds. Each round runs every engine once, as its own process (order rotated per round),
each timing RUNS calls per batch after a warm-up; the result is the median over rounds of
each engine's images/s and of the per-round speed ratios, so a slow phase of a shared
machine hits every engine alike. Then each block product's GFLOP/s in Meridian's fp32 path
(oneDNN's chunked kernels, or LibTorch's BLAS in a build without oneDNN) and in ONNX Runtime, alternated too, to locate a gap.

  bash tests/bench/vit_onnx_setup.sh build/onnx-peer          # once: npm package + ONNX export
  /usr/bin/python3 tests/bench/vit_onnx_compare.py [--rounds 3] [--runs 1] [--batches 1,16]
      [--precisions fp32,bf16] [--threads 2] [--peer-dir build/onnx-peer]
      [--meridian NAME=build/bin/bench_vit ...]      # several: e.g. before=... after=...

fp32 is every engine; bf16 only Meridian and eager, and only where the CPU has it (ONNX
Runtime's CPU build runs this model in fp32). CPU ms per image (the process's own CPU
time, spinning threads included) is printed beside the wall figures: on a loaded machine it
is the steadier measure of the work each engine does. --threads goes to every engine
(Meridian's `bench_vit once ... THREADS`; default: the core count).
The machine's OPENBLAS_* variables are printed and passed on unchanged.
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_lines(text, tag):
    return [line.split()[1:] for line in text.splitlines() if line.startswith(tag + " ")]


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return done.stdout


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--batches", default="1,16")
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--peer-dir", default="build/onnx-peer")
    ap.add_argument("--meridian", action="append", default=[], help="NAME=PATH of a bench_vit binary")
    ap.add_argument("--gemm-rows", default="197,3152", help="rows of the products timed alone (batch x 197)")
    args = ap.parse_args()
    meridians = [m.split("=", 1) for m in (args.meridian or ["Meridian=build/bin/bench_vit"])]
    runs = str(args.runs)
    engines = {name: [path, "once", runs, args.batches, args.precisions, str(args.threads)] for name, path in meridians}
    engines["eager"] = ["/usr/bin/python3", os.path.join(HERE, "vit_eager.py"), runs, args.batches, args.precisions,
                        str(args.threads)]
    engines["onnxruntime"] = ["node", os.path.join(HERE, "vit_onnx_peer.js"), args.peer_dir, "model", runs,
                              args.batches, str(args.threads)]
    blas_env = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")}
    print(f"ViT-B/16 224 px, {args.threads} threads, {args.rounds} rounds x {args.runs} calls; "
          f"OPENBLAS environment: {blas_env or 'none set'}; load average before: {load()}", flush=True)

    # results[(precision, batch)][engine] = list of (wall ms, cpu ms), one per round
    results = {}
    names = list(engines)
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            for precision, batch, wall, cpu in parse_lines(run(engines[name]), "RESULT"):
                results.setdefault((precision, int(batch)), {}).setdefault(name, []).append((float(wall), float(cpu)))
        print(f"  round {r + 1} done, load average {load()}", flush=True)

    print(f"\n{'prec':5} {'batch':>5} | {'engine':12} {'img/s':>7} {'cpu ms/img':>10} | ratios (median of rounds)")
    for (precision, batch), by_engine in sorted(results.items()):
        for name, samples in by_engine.items():
            ips = statistics.median(1000.0 * batch / w for w, _ in samples)
            cpu = statistics.median(c / batch for _, c in samples)
            ratios = []
            for peer in ("onnxruntime", "eager"):
                if name in ("onnxruntime", "eager") or peer not in by_engine:
                    continue
                pairs = list(zip(samples, by_engine[peer]))
                speed = statistics.median(p[0] / s[0] for s, p in pairs)
                work = statistics.median(p[1] / s[1] for s, p in pairs)
                ratios.append(f"{speed:.2f}x {peer} (cpu {work:.2f}x)")
            print(f"{precision:5} {batch:5} | {name:12} {ips:7.2f} {cpu:10.0f} | {', '.join(ratios)}")

    print("\nblock products alone, fp32 GFLOP/s (median of runs; first Meridian binary vs ONNX Runtime):")
    first = meridians[0][1]
    for rows in args.gemm_rows.split(","):
        lines = parse_lines(run([first, "gemm", "5", rows, str(args.threads)]), "GEMM")
        ours = {g[0]: float(g[4]) for g in lines}
        backend = {g[0]: (g[5] if len(g) > 5 else "BLAS") for g in lines}
        peer = {g[0]: float(g[4]) for g in parse_lines(
            run(["node", os.path.join(HERE, "vit_onnx_peer.js"), args.peer_dir, "gemm", "5", rows, str(args.threads)]),
            "GEMM")}
        for name in ours:
            print(f"  {name:4} rows {rows:>5}: Meridian ({backend[name]}) {ours[name]:6.1f}, ONNX Runtime {peer.get(name, 0):6.1f}, "
                  f"ratio {ours[name] / max(peer.get(name, 0), 1e-9):.2f}")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
