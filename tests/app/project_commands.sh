#!/usr/bin/env bash
# End to end: meridian-cli project create / add / list / label / check on the demo data, as a
# user runs them, including the bad input of issue 15 (unreadable files, a second writer,
# a changed file, a project from a newer Meridian).
#   project_commands.sh MERIDIAN_CLI DEMO_DATA OUT_DIR
set -euo pipefail
cli=$1 demo=$2 out=$3
py=/usr/bin/python3
rm -rf "$out" && mkdir -p "$out"
p="$out/project"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cli" project create "$p" | grep -q "created project"
if "$cli" project create "$p" 2> "$out/create2.err"; then fail "creating twice succeeded"; fi
grep -q "already holds a Meridian project" "$out/create2.err" || fail "create twice: $(cat "$out/create2.err")"

# A folder with files Meridian cannot read: the rest is added, the failures are named.
mkdir -p "$out/mixed"
cp "$demo/fundus-retina.jpg" "$demo/ct-slice.dcm" "$out/mixed/"
cp "$(dirname "$0")/../data/corrupt/png-truncated.png" "$out/mixed/"
echo "not an image" > "$out/mixed/notes.txt"
"$cli" project add "$p" "$demo" "$out/mixed" "$out/nowhere.png" > "$out/add.out" 2> "$out/add.err" \
  || fail "project add exited $? though cases were added: $(cat "$out/add.err")"
grep -q "added 11 case(s), 0 already in the project, 4 could not be added" "$out/add.out" || fail "add: $(cat "$out/add.out")"
for bad in provenance.json png-truncated.png notes.txt nowhere.png; do
  grep -q "could not add .*$bad: " "$out/add.err" || fail "add did not name $bad: $(cat "$out/add.err")"
done
# Again: nothing twice. Only bad input: exit 3.
"$cli" project add "$p" "$demo/fundus-retina.jpg" | grep -q "added 0 case(s), 1 already" || fail "re-add"
set +e; "$cli" project add "$p" "$out/mixed/notes.txt" 2> /dev/null; rc=$?; set -e
[ $rc -eq 3 ] || fail "adding only unreadable files exited $rc, not 3"

# Labels by id and by path; the JSON list.
"$cli" project label "$p" 1 tumour > /dev/null
"$cli" project label "$p" "$demo/fundus-retina.jpg" normal > /dev/null
"$cli" project label "$p" "$demo/fundus-retina.jpg" referable > /dev/null
"$cli" project unlabel "$p" "$demo/fundus-retina.jpg" referable > /dev/null
set +e; "$cli" project label "$p" 999 tumour 2> "$out/nocase.err"; rc=$?; set -e
[ $rc -eq 3 ] && grep -q "no case 999" "$out/nocase.err" || fail "labelling a missing case: rc $rc $(cat "$out/nocase.err")"
"$cli" project list "$p" --json > "$out/list.json"
$py - "$out/list.json" "$demo" <<'PY'
import hashlib, json, sys
cases = json.load(open(sys.argv[1])); demo = sys.argv[2]
assert len(cases) == 11, len(cases)
for c in cases:
    for key in ("id", "path", "kind", "sha256", "labels", "predictions"):
        assert key in c, (key, c)
    assert len(c["sha256"]) == 64 and c["kind"] in ("image", "volume", "slide"), c
by_path = {c["path"]: c for c in cases}
fundus = by_path[f"{demo}/fundus-retina.jpg"]
assert fundus["labels"] == ["normal"], fundus["labels"]
assert fundus["sha256"] == hashlib.sha256(open(f"{demo}/fundus-retina.jpg", "rb").read()).hexdigest()
assert cases[0]["labels"] == ["tumour"], cases[0]
series = by_path[f"{demo}/ct-abdomen-stent-dicom"]
assert series["kind"] == "volume" and series["files"] == 256 and series["dicom"]["modality"] == "CT", series
kinds = sorted(c["kind"] for c in cases)
assert kinds.count("slide") == 1 and kinds.count("volume") >= 3, kinds
print("list json ok")
PY

# A second writer is refused while a session holds the project; readers still read.
mkfifo "$out/session.in"
"$cli" project session "$p" < "$out/session.in" > "$out/session.out" &
session=$!
exec 7> "$out/session.in"
for _ in $(seq 50); do grep -q ready "$out/session.out" && break; sleep 0.1; done
set +e; "$cli" project label "$p" 2 benign 2> "$out/second.err"; rc=$?; set -e
[ $rc -eq 1 ] && grep -q "open for writing in another" "$out/second.err" || fail "second writer: rc $rc $(cat "$out/second.err")"
echo "label 2 benign" >&7
for _ in $(seq 50); do grep -q "ok 1" "$out/session.out" && break; sleep 0.1; done
"$cli" project list "$p" --json | $py -c 'import json,sys; c=json.load(sys.stdin); assert c[1]["labels"]==["benign"], c[1]["labels"]'
exec 7>&-
wait $session

# A changed and a missing file are reported as such.
cp "$demo/pathology-ihc.png" "$out/moving.png"
cp "$demo/pathology-ihc.png" "$out/changing.png"
"$cli" project add "$p" "$out/moving.png" "$out/changing.png" > /dev/null
"$cli" project check "$p" > /dev/null || fail "check before any change"
printf 'x' >> "$out/changing.png"
mv "$out/moving.png" "$out/moved.png"
set +e; "$cli" project check "$p" > "$out/check.out"; rc=$?; set -e
[ $rc -eq 3 ] || fail "check exited $rc with a changed file"
grep -q "changed .*changing.png" "$out/check.out" || fail "check: $(cat "$out/check.out")"
grep -q "missing .*moving.png" "$out/check.out" || fail "check: $(cat "$out/check.out")"

# A project written by a newer Meridian is refused and left as it was.
$py - "$p/project.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.execute("PRAGMA user_version = 99"); db.execute("PRAGMA wal_checkpoint(TRUNCATE)"); db.close()
PY
before=$(sha256sum < "$p/project.sqlite")
set +e; "$cli" project label "$p" 1 benign 2> "$out/newer.err"; rc=$?; set -e
[ $rc -eq 3 ] && grep -q "written by a newer Meridian" "$out/newer.err" || fail "newer project: rc $rc $(cat "$out/newer.err")"
[ "$before" = "$(sha256sum < "$p/project.sqlite")" ] || fail "the newer project was altered"

echo "project commands: all checks passed"
