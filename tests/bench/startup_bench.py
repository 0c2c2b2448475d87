#!/usr/bin/env python3
"""Start-up benchmark (issue 16): Meridian's programs against their peers, side by side in
one run, as a user starts them (a new process each time, wall time, warm file cache).

    python3 tests/bench/startup_bench.py [--build build] [--before OTHER_BUILD] [--runs 5]

Rows (medians of --runs; the variants of a row alternate run by run, so drift hits all alike):
  help              meridian-cli --help (no peer)
  info              meridian-cli info on one 512x512 CT file  vs  dcmdump on the same file (goal: within 3x)
  convert           meridian-cli convert of a 300-slice 512x512 series to .nii
                    vs  dcm2niix -z n on the same folder (goal: within 1.5x)
  convert-gz        the same to .nii.gz vs dcm2niix -z i -6: both gzip level 6 on one thread
                    (Meridian's level is zlib's default, 6; dcm2niix's internal miniz at its default -6)
  window            meridian --open IMAGE --screenshot: process start to screenshot written and
                    exit, with its peak RSS; and the first frame with the image, from the process's
                    start to the end of the viewer's first paint (MERIDIAN_FIRST_FRAME=1; goal < 0.5 s)
  infer             meridian-cli infer with the bundled model: wall time and the command's own
                    load_model / predict times (goal: no slower than --before)
--before OTHER_BUILD adds the same commands of another build (e.g. main before the change).
--libraries prints, instead of times, how many shared objects each command loads in each build
(the dynamic loader's own trace, LD_DEBUG=files, dlopen included), grouped by library family.
The peers are Debian's dcmtk and dcm2niix; when missing, this script installs them with
    MERIDIAN_PACKAGES_FILE=packaging/bench-packages.txt bash packaging/setup-debian.sh

The series is built once in BUILD/bench-data/startup-series-300/ from one real CT slice (the
demo set's ct-ankle-512.dcm, from Debian's octave-dicom) repeated at 1 mm steps with shuffled
file names: real pixels and headers, synthetic only in count and position. No real 300-slice
series ships in a Debian package (see ../shared/DATA.md)."""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(cmd, env=None, out=None):
    """Runs cmd; returns (wall seconds, peak RSS MiB, stdout, CPU seconds (user + system)). Fails
    loudly on a non-zero exit. CPU time is printed too: on a shared machine wall time waits for cores."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if out else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    stdout = proc.stdout.read() if out else b""
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{stderr.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024.0, stdout, usage.ru_utime + usage.ru_stime


FAMILIES = [("LibTorch", ("libtorch", "libc10", "libgomp", "libopenblas", "libprotobuf", "libdnnl", "libgloo")),
            ("OpenCV", ("libopencv",)), ("Qt 5", ("libQt5",)), ("Qt 6", ("libQt6",)), ("VTK", ("libvtk",)),
            ("ITK/GDCM", ("libITK", "libitk", "libgdcm", "libmeridian_io_itk")),
            ("OpenSlide", ("libopenslide", "libmeridian_io_openslide")), ("DCMTK", ("libdcm", "libof", "libi2d", "liboflog"))]


def loaded_objects(cmd, env=None):
    """The shared objects a run of cmd loads, from the dynamic loader's own trace."""
    with tempfile.TemporaryDirectory() as trace:
        env = dict(env or os.environ, LD_DEBUG="files", LD_DEBUG_OUTPUT=str(Path(trace) / "ld"))
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        names = set()
        for f in Path(trace).iterdir():
            for line in f.read_text(errors="replace").splitlines():
                if "file=" in line and "generating link map" in line:  # once per object loaded
                    names.add(line.split("file=")[1].split()[0])
    return sorted(names)


def describe_objects(names):
    groups = []
    for family, prefixes in FAMILIES:
        n = sum(1 for name in names if Path(name).name.startswith(prefixes))
        if n:
            groups.append(f"{family} {n}")
    return f"{len(names):4d} objects ({', '.join(groups) or 'none of the big families'})"


def ensure_peers():
    if shutil.which("dcmdump") and shutil.which("dcm2niix"):
        return
    env = dict(os.environ, MERIDIAN_PACKAGES_FILE=str(ROOT / "packaging/bench-packages.txt"))
    subprocess.run(["bash", str(ROOT / "packaging/setup-debian.sh")], env=env, check=True)


def make_series(source, folder, slices=300):
    if (folder / ".complete").exists():
        return
    import pydicom
    from pydicom.uid import generate_uid
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ds = pydicom.dcmread(source)
    series_uid = generate_uid()
    order = list(range(slices))
    random.Random(5).shuffle(order)
    ds.SeriesInstanceUID = series_uid
    if "ImageOrientationPatient" not in ds:
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    x, y = (float(v) for v in ds.get("ImagePositionPatient", [0, 0, 0])[:2])
    for i, k in enumerate(order):
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [x, y, float(k)]
        ds.SliceLocation = float(k)
        ds.save_as(folder / f"slice-{i:03d}.dcm", write_like_original=False)
    (folder / ".complete").touch()


def start_xvfb():
    for n in range(90, 120):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp", "-noreset"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # -noreset: no
            # server reset (and refused connections) between one window closing and the next opening
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{n}").exists():
                    return proc, f":{n}"
                time.sleep(0.05)
            proc.kill()
    sys.exit("no Xvfb display could be started")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--before", help="another build folder, e.g. main before the change")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="rows to run (default: all): help info convert convert-gz window infer")
    parser.add_argument("--libraries", action="store_true", help="count the shared objects each command loads instead")
    args = parser.parse_args()
    build = Path(args.build).resolve()
    demo = build / "demo-data"
    ankle = demo / "ct-ankle-512.dcm"
    image = demo / "fundus-retina.jpg"
    model = ROOT / "resources/model"
    for needed in (ankle, image, model / "weights.safetensors"):
        if not needed.exists():
            sys.exit(f"missing {needed} (bash packaging/make-demo-data.sh {demo})")
    ensure_peers()
    series = build / "bench-data/startup-series-300"
    make_series(ankle, series)
    work = Path(tempfile.mkdtemp(prefix="meridian-startup-"))
    xvfb = [start_xvfb()]

    def window(b):
        # The X server is shared by the runs; start another if something ended it.
        if xvfb[0][0].poll() is not None:
            xvfb[0] = start_xvfb()
        env = dict(os.environ, DISPLAY=xvfb[0][1], MERIDIAN_FIRST_FRAME="1")  # prints its first frame's time
        env.pop("WAYLAND_DISPLAY", None)
        return [str(builds[b] / "bin/meridian"), "--open", str(image), "--screenshot",
                str(work / f"window-{b}.png"), "--size", "1400x900"], env

    builds = {"after": build}
    if args.before:
        builds = {"before": Path(args.before).resolve(), **builds}

    def cli(b):
        return str(builds[b] / "bin/meridian-cli")

    def fresh(name):
        path = work / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir()
        return path

    # row -> variant -> function returning (seconds, MiB, extra dict)
    # row -> variant -> (command, environment or None, keep stdout)
    commands = {"help": {}, "info": {}, "convert": {}, "convert-gz": {}, "window": {}, "infer": {}}
    for b in builds:
        commands["help"][b] = lambda b=b: ([cli(b), "--help"], None, False)
        commands["info"][b] = lambda b=b: ([cli(b), "info", str(ankle)], None, False)
        commands["convert"][b] = lambda b=b: ([cli(b), "convert", str(series), str(fresh(f"conv-{b}") / "series.nii")],
                                              None, False)
        commands["convert-gz"][b] = lambda b=b: ([cli(b), "convert", str(series),
                                                  str(fresh(f"conv-{b}") / "series.nii.gz")], None, False)
        commands["window"][b] = lambda b=b: (*window(b), True)
        commands["infer"][b] = lambda b=b: ([cli(b), "infer", "--model", str(model), str(image), "--json"], None, True)
    if args.libraries:
        print("shared objects loaded by each command (LD_DEBUG=files; dlopen included)", flush=True)
        try:
            for row, variants in commands.items():
                if args.only and row not in args.only:
                    continue
                for b, make in variants.items():
                    cmd, env, _ = make()
                    print(f"{row:10} {b:7} {describe_objects(loaded_objects(cmd, env))}", flush=True)
        finally:
            xvfb[0][0].terminate()
            xvfb[0][0].wait()
            shutil.rmtree(work, ignore_errors=True)
        return
    def timed(make):
        cmd, env, out = make()
        return run(cmd, env=env, out=out)

    rows = {row: {b: (lambda make=make: timed(make)) for b, make in variants.items()} for row, variants in commands.items()}
    rows["info"]["peer"] = lambda: run(["dcmdump", str(ankle)])
    rows["convert"]["peer"] = lambda: run(["dcm2niix", "-z", "n", "-b", "n", "-f", "series", "-o",
                                           str(fresh("conv-peer")), str(series)])
    rows["convert-gz"]["peer"] = lambda: run(["dcm2niix", "-z", "i", "-6", "-b", "n", "-f", "series", "-o",
                                              str(fresh("conv-peer")), str(series)])
    peers = {"info": "dcmdump", "convert": "dcm2niix -z n", "convert-gz": "dcm2niix -z i -6"}

    med = statistics.median
    # Wall times on a shared machine wait for cores: the load says how far to trust them.
    print("load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    print(f"medians of {args.runs} runs: wall s / CPU s [peak RSS MiB]; variants alternate run by run", flush=True)
    print(f"{'command':10} " + " ".join(f"{v:>24}" for v in list(builds) + ["peer"]) + "   after/peer (wall, CPU)",
          flush=True)
    try:
        for row, variants in rows.items():
            if args.only and row not in args.only:
                continue
            results = {v: [] for v in variants}
            for fn in variants.values():  # one warm-up each (file cache, the X server's first client)
                fn()
            for _ in range(args.runs):
                for v, fn in variants.items():
                    results[v].append(fn())
            cells = [f"{med([r[0] for r in results[v]]):7.3f} / {med([r[3] for r in results[v]]):6.3f} "
                     f"[{med([r[1] for r in results[v]]):4.0f}]" if v in results else ""
                     for v in list(builds) + ["peer"]]
            ratio = ""
            if "peer" in results:
                ratio = "{:.2f}x, {:.2f}x ({})".format(
                    *(med([r[i] for r in results["after"]]) / med([r[i] for r in results["peer"]]) for i in (0, 3)),
                    peers[row])
            print(f"{row:10} " + " ".join(f"{c:>24}" for c in cells) + "   " + ratio, flush=True)
            if row == "window":
                for b in builds:  # a build before the probe prints nothing
                    frames = [float(line.split()[6]) for r in results[b] for line in r[2].decode().splitlines()
                              if line.startswith("meridian: first frame with an image")]
                    if frames:
                        print(f"  window {b}: first frame with the image {med(frames):.3f} s after the process started "
                              f"(median of {len(frames)}; goal < 0.5 s)", flush=True)
            if row == "infer":
                for b in builds:
                    timings = [json.loads(r[2])["timing_ms"] for r in results[b]]
                    print(f"  infer {b}: load_model {med([t['load_model'] for t in timings]):.0f} ms, predict "
                          f"{med([t['predict'] for t in timings]):.0f} ms (the command's own timings)", flush=True)
    finally:
        print("load average (1, 5, 15 min) at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
        xvfb[0][0].terminate()  # not kill: Xvfb removes its lock file and socket on SIGTERM
        xvfb[0][0].wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
