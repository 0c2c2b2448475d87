#!/usr/bin/env bash
# A project on a full disk and on a read-only disk (issue 15, bad input): a clear error,
# and everything acknowledged before is still there. Uses a small tmpfs, so it needs the
# right to mount (root in a container); without it the test is skipped (exit 77).
#   project_disk_errors.sh MERIDIAN_CLI OUT_DIR
set -euo pipefail
cli=$1 out=$2
py=/usr/bin/python3
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out/disk"
if ! mount -t tmpfs -o size=600k tmpfs "$out/disk" 2> /dev/null; then
  echo "SKIP: cannot mount a tmpfs here (needs root)"; exit 77
fi
trap 'umount "$out/disk" 2> /dev/null || true' EXIT
p="$out/disk/project"
"$cli" project create "$p" > /dev/null
"$cli" project add "$p" /usr/lib/python3/dist-packages/skimage/data/camera.png > /dev/null

# Fill the disk with labelled edits until the store says the disk is full.
$py - "$cli" "$p" "$out/acked.txt" <<'PY'
import subprocess, sys
cli, project, acked_path = sys.argv[1:]
proc = subprocess.Popen([cli, "project", "session", project], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
assert proc.stdout.readline().strip() == "ready"
acked, error = [], None
for i in range(200000):
    edit = f"annotate 1 a{i} " + " ".join(f"{x},{x + 1}" for x in range(40)) + f" class=c{i % 7}"
    proc.stdin.write(edit + "\n"); proc.stdin.flush()
    reply = proc.stdout.readline().strip()
    if reply.startswith("ok"):
        acked.append(f"a{i}")
    else:
        error = reply
        break
proc.stdin.close(); proc.wait()
assert error is not None, "the disk never filled"
assert "disk holding the project is full" in error, error
open(acked_path, "w").write("\n".join(acked))
print(f"disk full after {len(acked)} acknowledged annotations: {error}")
PY
# Reopening finds every acknowledged annotation (read-only: the disk is still full).
"$cli" project list "$p" --json > "$out/list.json" || fail "reopening a project on a full disk failed"
$py - "$out/list.json" "$out/acked.txt" <<'PY'
import json, sys
cases = json.load(open(sys.argv[1])); acked = open(sys.argv[2]).read().split()
have = {a["id"] for a in cases[0]["annotations"]}
missing = [a for a in acked if a not in have]
assert not missing, f"{len(missing)} acknowledged annotations lost, e.g. {missing[:3]}"
print(f"all {len(acked)} acknowledged annotations kept")
PY

# Read-only disk: edits refused with a message that says so, reading still works.
mount -o remount,ro "$out/disk"
set +e; "$cli" project label "$p" 1 tumour 2> "$out/ro.err"; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "read-only" "$out/ro.err" || fail "label on a read-only disk: rc $rc $(cat "$out/ro.err")"
"$cli" project list "$p" --json > "$out/list-ro.json" || fail "listing a project on a read-only disk failed"
cmp -s <($py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[0]["annotations"]))' "$out/list.json") \
       <($py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[0]["annotations"]))' "$out/list-ro.json") \
  || fail "the read-only listing differs"
echo "project disk errors: all checks passed"
