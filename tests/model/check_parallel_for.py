#!/usr/bin/env python3
"""Every source under ROOT that calls at::parallel_for is compiled with -fopenmp.

Why: with LibTorch's OpenMP backend (Debian's), at::parallel_for is a `#pragma omp parallel`
inlined from ATen's header into the caller. A file built without -fopenmp compiles the pragma
away and runs the whole range on the calling thread, silently: GELU's gradient and the fused
AdamW ran on one of two cores that way until 2026-12-05 (issue 19).

usage: check_parallel_for.py COMPILE_COMMANDS_JSON ROOT
Exits 1 and names each offending file; prints how many callers it checked.
"""
import json
import pathlib
import re
import shlex
import sys

CALL = re.compile(r"\bat::parallel_(for|reduce)\b")


def main() -> int:
    database = pathlib.Path(sys.argv[1]).resolve()
    root = pathlib.Path(sys.argv[2]).resolve()
    callers, serial = 0, []
    for entry in json.loads(database.read_text()):
        directory = pathlib.Path(entry.get("directory", "."))
        if not directory.is_absolute():
            directory = database.parent / directory
        source = (directory / entry["file"]).resolve()
        if root not in source.parents or not source.is_file():
            continue
        if not CALL.search(source.read_text(errors="replace")):
            continue
        callers += 1
        arguments = entry.get("arguments") or shlex.split(entry["command"])
        if "-fopenmp" not in arguments:
            serial.append(str(source.relative_to(root)))
    for name in serial:
        print(f"{name}: calls at::parallel_for but is built without -fopenmp (it would run on one thread)")
    print(f"{callers} file(s) call at::parallel_for; {len(serial)} built without -fopenmp")
    return 1 if serial or callers == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
