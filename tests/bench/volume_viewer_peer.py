"""Meridian's volume viewer against bare VTK (issue 17), in alternating rounds under one display.

    xvfb-run -a -s "-screen 0 1920x1080x24" /usr/bin/python3 tests/bench/volume_viewer_peer.py \
        build/bin [--rounds 5] [--frames 150] [--size 1920x1080] [--redraw changed|all] \
        [--also NAME=PATH/TO/bench_volume_viewer ...]

Each round runs bench_vtk_mpr (the peer: one vtkRenderWindow, four viewports, no Qt) and
bench_volume_viewer (--only volume) -- and any other build of it given with --also, e.g. the
one before a change -- with the same volume, size, scroll and window/level drag; the order
rotates every round so that a change in the machine's load falls on all. Prints p50 and p99
per frame over the pooled frames of each, their ratios to bare VTK, the median over rounds of
the per-round p50 and p99, and the 1-minute load average before each run."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile


def percentile(values, p):
    """The element VolumeBenchSupport.hpp's percentile picks."""
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100.0 * (len(values) - 1) + 0.5))]


def run(cmd):
    """Per-frame times {"scroll": [...], "drag": [...]} of one benchmark run."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as times:
        done = subprocess.run(cmd + ["--times", times.name], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        frames = {}
        for line in times.read().splitlines():
            what, ms = line.split()
            frames.setdefault(what, []).append(float(ms))
        return frames


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--redraw", default="changed", choices=["changed", "all"])
    parser.add_argument("--also", action="append", default=[], metavar="NAME=PATH")
    args = parser.parse_args()
    common = ["--frames", str(args.frames), "--size", args.size]
    peers = {
        "bare VTK": [os.path.join(args.bin, "bench_vtk_mpr"), "--redraw", args.redraw] + common,
        "Meridian": [os.path.join(args.bin, "bench_volume_viewer"), "--only", "volume"] + common,
    }
    for extra in args.also:
        name, path = extra.split("=", 1)
        peers[name] = [path, "--only", "volume"] + common
    names = list(peers)
    pooled = {name: {} for name in names}
    rounds = {name: {} for name in names}
    loads = []
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            loads.append(open("/proc/loadavg").read().split()[0])
            for what, ms in run(peers[name]).items():
                pooled[name].setdefault(what, []).extend(ms)
                rounds[name].setdefault(what, []).append((percentile(ms, 50), percentile(ms, 99)))
    print(f"{args.rounds} rounds x {args.frames} frames at {args.size}, bare VTK redraws {args.redraw} viewports; "
          f"1-min load average before each run: {' '.join(loads)} ({os.cpu_count()} CPUs)")
    for what, title in (("scroll", "axial scroll"), ("drag", "window/level drag")):
        base50, base99 = percentile(pooled["bare VTK"][what], 50), percentile(pooled["bare VTK"][what], 99)
        print(f"{title}:")
        for name in names:
            ms = pooled[name][what]
            p50, p99 = percentile(ms, 50), percentile(ms, 99)
            med = [statistics.median(x) for x in zip(*rounds[name][what])]
            goal = ""
            if name != "bare VTK":
                goal = (f"  ratio to bare VTK p50 {p50 / base50:5.2f} p99 {p99 / base99:5.2f}"
                        f"  (goals: p99 ratio <= 1.3 {'met' if p99 / base99 <= 1.3 else 'NOT met'}, "
                        f"p99 < 16.7 ms {'met' if p99 < 16.7 else 'NOT met'})")
            print(f"  {name:18} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  (median of rounds: p50 {med[0]:6.2f}, "
                  f"p99 {med[1]:6.2f}){goal}")


if __name__ == "__main__":
    main()
