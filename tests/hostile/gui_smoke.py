#!/usr/bin/python3
"""Opens a sample of the hostile corpus in the window: `meridian --open CASE --screenshot OUT`
under Xvfb must end with its documented exit code (0 shown, 3 cannot be opened, 4 no
screenshot) within a time limit, never by a signal.

    gui_smoke.py MERIDIAN CORPUS OUT_DIR [--per-domain N] [--timeout S]

The sample: from each domain, the cases whose names mark the worst families (nesting,
special files, bombs, NaN geometry, detached data outside the folder, truncation, size
wraps) and one control, at most N per domain, first by name (deterministic)."""
import argparse
import json
import os
import re
import subprocess
import sys
import time

WITH_XVFB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ui", "with_xvfb.sh")

FAMILIES = re.compile(r"nested-10000|nested-50000|special-fifo|special-link-dev-zero|bomb|sform-nan-0|qform-nan|"
                      r"datafile-etc-passwd|datafile-link-dev-urandom|size-wrap-0|truncated-.*half|with-nested|"
                      r"img-link-dev-zero|^control$|^control-raw$|^control-ct$|^control-mr$|^control-12-slices$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("meridian")
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--per-domain", type=int, default=6)
    ap.add_argument("--timeout", type=float, default=90)
    o = ap.parse_args()
    os.makedirs(o.out, exist_ok=True)
    failures, ran = [], 0
    for domain in sorted(os.listdir(o.corpus)):
        manifest = os.path.join(o.corpus, domain, "manifest.jsonl")
        if not os.path.isfile(manifest):
            continue
        picked = 0
        for text in open(manifest):
            line = json.loads(text)
            if picked >= o.per_domain or line["args"][0] != "info" or not FAMILIES.search(line["name"]):
                continue
            picked += 1
            case = os.path.join(o.corpus, domain, line.get("case", line["name"]))
            target = line["args"][1].replace("{case}", case)
            shot = os.path.join(o.out, f"{domain}-{line['name']}.png")
            # One Xvfb per case that picks its own free display (tests/ui/with_xvfb.sh):
            # `xvfb-run -a` races for display numbers and once left the window without one.
            cmd = [WITH_XVFB, o.meridian, "--open", target, "--screenshot", shot]
            start = time.monotonic()
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=o.timeout)
                code, err = p.returncode, p.stderr
            except subprocess.TimeoutExpired:
                code, err = "timeout", ""
            seconds = time.monotonic() - start
            ran += 1
            want = {0: (0,), 3: (3,), -1: (0, 3, 4)}.get(line["expect_exit"], (line["expect_exit"],))
            ok = code in want or (line["expect_exit"] == 0 and code == 4 and domain == "slide")
            print(f"{'ok  ' if ok else 'FAIL'} {domain}/{line['name']}: exit {code} (want {'/'.join(map(str, want))}), "
                  f"{seconds:.1f} s")
            if not ok:
                failures.append((domain, line["name"], code, err.strip()[-400:]))
    for domain, name, code, err in failures:
        print(f"\nFAIL {domain}/{name}: exit {code}\n  {err}")
    print(f"\n{ran} cases opened in the window, {len(failures)} failures")
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
