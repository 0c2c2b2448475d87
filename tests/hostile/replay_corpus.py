#!/usr/bin/python3
"""Replays Meridian's hostile-input corpus: every line of every CORPUS/<domain>/manifest.jsonl
runs `meridian-cli ARGS` under an address-space limit (ulimit -v) and a wall-clock limit, and
its exit code and messages are checked against the line's expectations.

    replay_corpus.py MERIDIAN_CLI CORPUS [--memory-mib N] [--timeout S] [--only REGEX] [--json OUT]

Manifest lines: {"name", optional "case" (the folder, when not the name), "args" ("{case}" = the case folder, "{tmp}" = a fresh empty folder),
"expect_exit" (int; -1 = any clean outcome: exit 0..3, no signal, within the limits),
"expect_stderr" (regex, searched), optional "expect_stdout" (regex, searched), "why"}.
Prints a table of cases per domain x outcome, the worst peak RSS and time, and every
failure; exits 1 when any case failed."""
import argparse
import collections
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

OUTCOMES = ["refused-ok", "accepted-ok", "clean-any", "crash", "timeout", "wrong-exit", "wrong-message"]


def run_case(cli, case_dir, line, memory_mib, timeout):
    scratch = tempfile.mkdtemp(prefix="meridian-hostile-")
    args = [a.replace("{case}", case_dir).replace("{tmp}", scratch) for a in line["args"]]
    limit = memory_mib << 20

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()

    out_path, err_path = os.path.join(scratch, ".stdout"), os.path.join(scratch, ".stderr")
    start = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([cli] + args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, preexec_fn=limits,
                                env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
    elapsed = time.monotonic() - start
    stdout = open(out_path, "rb").read().decode("utf-8", "replace")
    stderr = open(err_path, "rb").read().decode("utf-8", "replace")
    shutil.rmtree(scratch, ignore_errors=True)
    code = os.waitstatus_to_exitcode(status)
    result = {"name": line["name"], "args": args, "exit": code, "seconds": round(elapsed, 2),
              "rss_mib": usage.ru_maxrss >> 10, "stderr": stderr[-600:], "stdout": stdout[-300:]}
    expect = line["expect_exit"]
    if timed_out:
        result["outcome"] = "timeout"
    elif code < 0 or code >= 128:
        result["outcome"] = "crash"
    elif expect == -1:
        result["outcome"] = "clean-any" if 0 <= code <= 3 else "wrong-exit"
    elif code != expect:
        result["outcome"] = "wrong-exit"
    elif line.get("expect_stderr") and not re.search(line["expect_stderr"], stderr):
        result["outcome"] = "wrong-message"
    elif line.get("expect_stdout") and not re.search(line["expect_stdout"], stdout):
        result["outcome"] = "wrong-message"
    else:
        result["outcome"] = "accepted-ok" if code == 0 else "refused-ok"
    if result["outcome"] == "clean-any" and line.get("expect_stdout") and code == 0 and \
            not re.search(line["expect_stdout"], stdout):
        result["outcome"] = "wrong-message"
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("corpus")
    ap.add_argument("--memory-mib", type=int, default=2048)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--only", default="")
    ap.add_argument("--json", default="")
    opts = ap.parse_args()
    table = collections.OrderedDict()
    results, failures = [], []
    worst_rss, worst_time = None, None
    for domain in sorted(os.listdir(opts.corpus)):
        manifest = os.path.join(opts.corpus, domain, "manifest.jsonl")
        if not os.path.isfile(manifest):
            continue
        counts = table.setdefault(domain, collections.Counter())
        for text in open(manifest):
            if not text.strip():
                continue
            line = json.loads(text)
            if opts.only and not re.search(opts.only, f"{domain}/{line['name']}"):
                continue
            r = run_case(opts.cli, os.path.join(opts.corpus, domain, line.get("case", line["name"])), line,
                         opts.memory_mib, opts.timeout)
            r["domain"] = domain
            r["why"] = line.get("why", "")
            counts[r["outcome"]] += 1
            print(f"{r['outcome']:13s} {domain}/{r['name']} exit {r['exit']} {r['seconds']} s {r['rss_mib']} MiB",
                  file=sys.stderr, flush=True)
            results.append(r)
            if r["outcome"] in ("crash", "timeout", "wrong-exit", "wrong-message"):
                failures.append(r)
            if worst_rss is None or r["rss_mib"] > worst_rss["rss_mib"]:
                worst_rss = r
            if worst_time is None or r["seconds"] > worst_time["seconds"]:
                worst_time = r
    header = f"{'domain':10s} {'cases':>5s} " + " ".join(f"{o:>13s}" for o in OUTCOMES)
    print(header)
    print("-" * len(header))
    totals = collections.Counter()
    for domain, counts in table.items():
        n = sum(counts.values())
        totals.update(counts)
        print(f"{domain:10s} {n:5d} " + " ".join(f"{counts[o]:13d}" for o in OUTCOMES))
    print("-" * len(header))
    print(f"{'total':10s} {sum(totals.values()):5d} " + " ".join(f"{totals[o]:13d}" for o in OUTCOMES))
    if worst_rss:
        print(f"worst peak RSS: {worst_rss['rss_mib']} MiB ({worst_rss['domain']}/{worst_rss['name']}, "
              f"{worst_rss['seconds']} s, exit {worst_rss['exit']})")
        print(f"worst time:     {worst_time['seconds']} s ({worst_time['domain']}/{worst_time['name']}, "
              f"{worst_time['rss_mib']} MiB, exit {worst_time['exit']})")
    print(f"limits: address space {opts.memory_mib} MiB, {opts.timeout:.0f} s per case")
    for r in failures:
        print(f"\nFAIL {r['outcome']}: {r['domain']}/{r['name']} (exit {r['exit']}, {r['seconds']} s, {r['rss_mib']} MiB)")
        print(f"  why: {r['why']}")
        print(f"  args: {' '.join(r['args'])}")
        if r["stderr"].strip():
            print("  stderr: " + r["stderr"].strip().replace("\n", "\n          ")[-400:])
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=1)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
