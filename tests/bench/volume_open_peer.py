"""Opening a 300-slice 512x512 CT series in Meridian's window against bare VTK (issue 17, item 4),
in alternating rounds under one display; one process per run.

    xvfb-run -a -s "-screen 0 1920x1080x24" /usr/bin/python3 tests/bench/volume_open_peer.py \
        build [--runs 5] [--size 1920x1080] [--vtk-reader] [--also NAME=PATH/TO/bench_volume_open ...]

Each round runs bench_vtk_open (the peer: Meridian's series reader, the voxels in one
vtkImageData, three reslice planes in one vtkRenderWindow, no Qt), bench_volume_open (the
MainWindow opening the folder) and, with --vtk-reader, bench_vtk_open --reader vtk (VTK's own
vtkDICOMImageReader); --also adds another build's bench_volume_open (e.g. before a change). The
order rotates every round. Prints the median over runs of: the read, the planes' first frame
after the read, open to the planes' first frame, open to the 3D view drawn, and the peak RSS
(VmHWM) at the planes' frame and at the end, also as a multiple of the voxel bytes. Goals
(issue 17): planes <= 1.0 s after the read, peak RSS <= 2.5x the voxel bytes.

The series is startup_bench.py's: BUILD/bench-data/startup-series-300, built once from the demo
set's real 512x512 CT slice (ct-ankle-512.dcm) repeated at 1 mm steps with shuffled file names."""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup_bench import make_series  # noqa: E402


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--vtk-reader", action="store_true")
    parser.add_argument("--also", action="append", default=[], metavar="NAME=PATH")
    args = parser.parse_args()
    build = Path(args.build).resolve()
    ankle = build / "demo-data/ct-ankle-512.dcm"
    if not ankle.exists():
        sys.exit(f"missing {ankle} (bash packaging/make-demo-data.sh {ankle.parent})")
    series = build / "bench-data/startup-series-300"
    make_series(ankle, series)
    common = [str(series), "--size", args.size]
    peers = {"bare VTK": [str(build / "bin/bench_vtk_open")] + common}
    if args.vtk_reader:
        peers["bare VTK (VTK reader)"] = [str(build / "bin/bench_vtk_open")] + common + ["--reader", "vtk"]
    peers["Meridian"] = [str(build / "bin/bench_volume_open")] + common
    for extra in args.also:
        name, path = extra.split("=", 1)
        peers[name] = [path] + common
    names = list(peers)
    results = {name: [] for name in names}
    loads = []
    for r in range(args.runs):
        for name in names[r % len(names):] + names[:r % len(names)]:
            loads.append(open("/proc/loadavg").read().split()[0])
            results[name].append(run(peers[name]))
    print(f"{args.runs} runs each at {args.size}, medians; 1-min load average before each run: {' '.join(loads)} "
          f"({os.cpu_count()} CPUs)")
    for name in names:
        med = {key: statistics.median(r[key] for r in results[name]) for key in results[name][0]}
        after = med["planes_s"] - med["read_s"]
        print(f"  {name:22} read {med['read_s']:6.3f} s  planes {after:6.3f} s after the read "
              f"(goal <= 1.0: {'met' if after <= 1.0 else 'NOT met'})  open->planes {med['planes_s']:6.3f} s  "
              f"open->3D {med['full_s']:6.3f} s")
        print(f"  {'':22} RSS before {med['rss_before_mib']:5.0f} MiB  peak at planes {med['hwm_planes_mib']:5.0f} MiB "
              f"({med['hwm_planes_mib'] / med['voxel_mib']:.2f}x voxels)  peak at end {med['hwm_full_mib']:5.0f} MiB "
              f"({med['hwm_full_mib'] / med['voxel_mib']:.2f}x; goal <= 2.5x: "
              f"{'met' if med['hwm_full_mib'] <= 2.5 * med['voxel_mib'] else 'NOT met'})  voxels {med['voxel_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
