#!/usr/bin/python3
"""Planted-bug proof: applies each mutant of mutants.py to a copy of the source, builds what
it needs, runs the tests meant to catch it, and prints a table: mutant -> the tests that
failed (caught) or "NOT CAUGHT".

  tests/mutants/run_mutants.py [--only NAME[,NAME...]] [--jobs 2] [--check] [--no-baseline]

The copy lives in build/mutants/src (git's tracked and untracked, not ignored, files),
built in build/mutants/src/build with the default preset's settings: the same relative
paths as build/, so ccache (base_dir) serves every unchanged file. First the copy is built
and the selected tests run unmutated (they must pass, or the table would mean nothing);
then one mutant at a time (in --only's order when given): apply, build, test, revert.
--check only verifies that every mutant still applies (its `old` text occurs exactly once).
--no-baseline skips the unmutated run: only right after a run whose baseline was green on
the same source (a loaded machine, the slow DINO tests).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from mutants import MUTANTS  # noqa: E402

SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))


def sh(cmd, cwd=None, log=None, check=True):
    result = subprocess.run(cmd, cwd=cwd, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if log:
        with open(log, "a") as f:
            f.write(f"$ {' '.join(cmd)}\n{result.stdout}\n")
    if check and result.returncode != 0:
        print(result.stdout[-4000:])
        sys.exit(f"failed: {' '.join(cmd)}")
    return result


def read(path):
    with open(path) as f:
        return f.read()


def check_applies(tree, mutant):
    text = read(os.path.join(tree, mutant["file"]))
    n = text.count(mutant["old"])
    return None if n == 1 else f"{mutant['file']}: the text to replace occurs {n} times"


def copy_tree(dest):
    """git's tracked and untracked (not ignored) files, timestamps kept; the copy's build/ stays."""
    os.makedirs(dest, exist_ok=True)
    for entry in os.listdir(dest):
        if entry != "build":
            path = os.path.join(dest, entry)
            shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=SOURCE,
                           stdout=subprocess.PIPE, check=True).stdout
    files = b"\0".join(f for f in files.split(b"\0") if f and os.path.lexists(os.path.join(SOURCE.encode(), f)))
    pack = subprocess.Popen(["tar", "--null", "-T", "-", "-cf", "-"], cwd=SOURCE, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    unpack = subprocess.Popen(["tar", "-xf", "-"], cwd=dest, stdin=pack.stdout)
    pack.stdin.write(files)
    pack.stdin.close()
    pack.stdout.close()
    if unpack.wait() != 0 or pack.wait() != 0:
        sys.exit("copying the source failed")


def failed_tests(ctest_output):
    # "12 - Suite.Name (Failed)", or with a parameter: "46 - P/Suite.Name/x  # GetParam() = ... (Failed)"
    names = re.findall(r"^\s*\d+ - (\S+).*\((?:Failed|Timeout|SEGFAULT|Subprocess aborted|Not Run|Exception)\)\s*$",
                       ctest_output, re.M)
    return sorted(set(names))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    by_name = {m["name"]: m for m in MUTANTS}
    unknown = [n for n in args.only.split(",") if n and n not in by_name]
    if unknown:
        sys.exit(f"no such mutant: {', '.join(unknown)}")
    chosen = [by_name[n] for n in args.only.split(",") if n] if args.only else MUTANTS
    problems = [(m["name"], p) for m in chosen if (p := check_applies(SOURCE, m))]
    for name, p in problems:
        print(f"{name}: does not apply: {p}")
    if problems:
        sys.exit(1)
    if args.check:
        print(f"all {len(chosen)} mutants apply")
        return

    work = os.path.join(SOURCE, "build", "mutants")
    tree = os.path.join(work, "src")
    build = os.path.join(tree, "build")
    log = os.path.join(work, "log.txt")
    os.makedirs(work, exist_ok=True)
    open(log, "w").close()
    print(f"copying the source to {tree} (log: {log})", flush=True)
    copy_tree(tree)
    # The copy keeps the source's timestamps, so a file a mutant once changed would look
    # older than the object built from the mutant: touch every such file (ccache makes the
    # rebuild cheap), or a stale mutant could sit in the next run's baseline.
    reverted = os.path.join(work, "mutated-files.txt")
    if os.path.isfile(reverted):
        for rel in set(read(reverted).split()):
            if os.path.isfile(os.path.join(tree, rel)):
                os.utime(os.path.join(tree, rel))
    # Data the tests' fixtures would otherwise rebuild (demo set, the peers' golden files).
    for data in ("demo-data", "tests/model/ihc_tiles"):
        src = os.path.join(SOURCE, "build", data)
        if os.path.isdir(src) and not os.path.isdir(os.path.join(build, data)):
            os.makedirs(os.path.dirname(os.path.join(build, data)), exist_ok=True)
            shutil.copytree(src, os.path.join(build, data), symlinks=True)
    if not os.path.isfile(os.path.join(build, "build.ninja")):
        sh(["cmake", "--preset", "default"], cwd=tree, log=log)
    # The DINO tests need only the peer's real image tiles of the model_golden fixture, not
    # its 346 MB of torchvision weights: write those here and skip that fixture's setup.
    golden = os.path.join(build, "tests", "model", "golden")
    if not os.path.isfile(os.path.join(golden, "real_images.safetensors")):
        sh(["/usr/bin/python3", os.path.join(tree, "tests", "model", "make_real_images.py"), golden], log=log)
    targets = sorted({t for m in chosen for t in m["targets"]})
    # Each mutant's pattern is a top-level alternation, so joining them with | needs no
    # wrapping group (CMake's regex allows only 9 groups in all: no (...) per mutant).
    regex = "|".join(dict.fromkeys(m["tests"] for m in chosen))

    def build_and_test(label, targets, regex):
        t0 = time.time()
        if targets:
            b = sh(["cmake", "--build", build, f"-j{args.jobs}", "--target", *targets], log=log, check=False)
            if b.returncode != 0:
                return None, "build failed", time.time() - t0
        r = sh(["ctest", "--test-dir", build, "-R", regex, "-FS", "model_golden", "-j", "1", "--timeout", "900"],
               log=log, check=False)
        passed = re.search(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", r.stdout)
        total = int(passed.group(3)) if passed else 0
        return failed_tests(r.stdout), f"{total} tests run", time.time() - t0

    if args.no_baseline:
        print("baseline skipped (--no-baseline)", flush=True)
    else:
        print(f"baseline: building {len(targets)} targets and running the {len(chosen)} mutants' tests unmutated",
              flush=True)
        failed, note, seconds = build_and_test("baseline", targets, regex)
        if failed is None or failed or note == "0 tests run":
            sys.exit(f"baseline is not green ({note}; failed: {failed}); see {log}")
        print(f"baseline green ({note}, {seconds:.0f} s)", flush=True)

    rows = []
    for m in chosen:
        path = os.path.join(tree, m["file"])
        original = read(path)
        with open(reverted, "a") as f:
            f.write(m["file"] + "\n")
        with open(path, "w") as f:
            f.write(original.replace(m["old"], m["new"], 1))
        try:
            failed, note, seconds = build_and_test(m["name"], m["targets"], m["tests"])
        finally:
            with open(path, "w") as f:
                f.write(original)
        caught = "BUILD FAILED" if failed is None else (", ".join(failed) if failed else "NOT CAUGHT")
        if note == "0 tests run":
            caught = "NO TESTS RAN"
        rows.append((m["name"], m["layer"], caught, seconds))
        print(f"  {m['name']}: {caught} ({note}, {seconds:.0f} s)", flush=True)

    print("\n| planted bug | layer | caught by (failing tests) |\n|---|---|---|")
    for name, layer, caught, _ in rows:
        print(f"| {name} | {layer} | {caught} |")
    missed = [r for r in rows if r[2] in ("NOT CAUGHT", "BUILD FAILED", "NO TESTS RAN")]
    print(f"\n{len(rows) - len(missed)} of {len(rows)} planted bugs caught")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
