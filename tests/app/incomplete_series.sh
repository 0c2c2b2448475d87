#!/usr/bin/env bash
# End to end (issue 13): a real series (pydicom's CT5N) with one slice removed, one
# truncated, one padded. info --json lists each series' geometry and what is missing;
# convert, infer and explain refuse an incomplete series (exit 3, the reason on stderr)
# unless --allow-incomplete, and then the output records it; a padded slice reads as is;
# project add keeps each series' mark, and project list shows it.
#   incomplete_series.sh MERIDIAN_CLI OUT_DIR
set -euo pipefail
cli=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
src=/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/98892001/CT5N
rm -rf "$out" && mkdir -p "$out"
# Slices by z: 3353 (-1.24), 3023 (1.26), 2693 (3.76), 2392 (6.26), 2062 (8.76).
for v in removed truncated padded; do cp -r "$src" "$out/$v"; done
rm "$out/removed/2693"
head -c -300 "$src/2693" > "$out/truncated/2693"
head -c 2500000 /dev/zero >> "$out/padded/2693"

"$cli" info --json "$out/removed" > "$out/removed.json"
"$cli" info --json "$out/truncated" > "$out/truncated.json"
"$cli" info --json "$out/padded" > "$out/padded.json"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
r = json.load(open(out + "/removed.json"))["series"][0]
assert r["complete"] is False and r["count"] == 4 and r["size"] == [16, 16, 4], r
assert len(r["missing"]) == 1 and abs(r["missing"][0][2] - 3.7625) < 1e-3, r["missing"]
assert r["unreadable"] == [] and r["irregular_spacing"] is True, r
assert abs(r["spacing"][2] - 2.5) < 1e-4 and abs(r["origin"][2] + 1.2375) < 1e-4 and len(r["direction"]) == 9, r
t = json.load(open(out + "/truncated.json"))["series"][0]
assert t["complete"] is False and len(t["unreadable"]) == 1, t
assert t["unreadable"][0]["file"].endswith("/2693") and "truncated" in t["unreadable"][0]["reason"], t["unreadable"]
assert len(t["missing"]) == 1, t
p = json.load(open(out + "/padded.json"))["series"][0]
assert p["complete"] is True and p["count"] == 5 and p["missing"] == [] and p["unreadable"] == [], p
print("info json ok")
PY

# convert: refused by default, with the reason and the way on.
set +e
"$cli" convert "$out/removed" "$out/removed.nii.gz" 2> "$out/convert.err"; rc=$?
set -e
test "$rc" -eq 3 || { echo "convert of an incomplete series exited $rc"; exit 1; }
grep -q "incomplete series: 1 slice is missing" "$out/convert.err"
grep -q -- "--allow-incomplete" "$out/convert.err"
test ! -e "$out/removed.nii.gz"
"$cli" convert "$out/removed" "$out/removed.nii.gz" --allow-incomplete > "$out/convert.out"
grep -q "INCOMPLETE series" "$out/convert.out"
/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert len(r['incomplete']['missing'])==1, r" \
  "$out/removed.nii.gz.incomplete.json"
set +e
"$cli" convert "$out/truncated" "$out/truncated.nii.gz" 2> "$out/convert-truncated.err"; rc=$?
set -e
test "$rc" -eq 3 && grep -q "2693" "$out/convert-truncated.err"
"$cli" convert "$out/padded" "$out/padded.nii.gz" | grep -q "wrote"
test ! -e "$out/padded.nii.gz.incomplete.json"
echo "convert ok"

# infer / explain through the volume pipeline with a tiny ViT.
/usr/bin/python3 "$here/make_tiny_vit.py" "$out/tiny.safetensors"
"$cli" import-weights "$out/tiny.safetensors" --layout timm --arch vit_t_16 --classes 3 --labels a,b,c --out "$out/tiny" >/dev/null
set +e
"$cli" infer --model "$out/tiny" "$out/truncated" --json > /dev/null 2> "$out/infer.err"; rc=$?
set -e
test "$rc" -eq 3 && grep -q "incomplete series" "$out/infer.err" && grep -q -- "--allow-incomplete" "$out/infer.err"
"$cli" infer --model "$out/tiny" "$out/truncated" --json --allow-incomplete > "$out/infer.json" 2> /dev/null
/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['incomplete']['unreadable'][0]['file'].endswith('2693'), r" \
  "$out/infer.json"
set +e
"$cli" explain --model "$out/tiny" "$out/removed" --out "$out/map.nii.gz" 2> "$out/explain.err"; rc=$?
set -e
test "$rc" -eq 3 && grep -q "incomplete series" "$out/explain.err"
echo "infer and explain ok"

# project add: each series joins WITH its mark (never silently); add prints it, list shows it.
"$cli" project create "$out/project" > /dev/null
"$cli" project add "$out/project" "$out/removed" "$out/truncated" "$out/padded" > "$out/project-add.out"
test "$(grep -c "is an INCOMPLETE series" "$out/project-add.out")" -eq 2 || { cat "$out/project-add.out"; exit 1; }
grep -q "at (-72.2, -143, 3.7625) mm" "$out/project-add.out"
grep -q "truncated/2693: " "$out/project-add.out"
grep -q "added 3 case(s), 0 already in the project, 0 could not be added; 2 of the added are INCOMPLETE" "$out/project-add.out"
test "$("$cli" project list "$out/project" | grep -c "INCOMPLETE")" -eq 2
"$cli" project list --json "$out/project" > "$out/project-list.json"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
cases = {c["path"].rsplit("/", 1)[-1]: c for c in json.load(open(out + "/project-list.json"))}
r, t, p = cases["removed"], cases["truncated"], cases["padded"]
assert r["complete"] is False and len(r["missing"]) == 1 and abs(r["missing"][0][2] - 3.7625) < 1e-3, r
assert r["unreadable"] == [] and r["files"] == 4, r
assert t["complete"] is False and t["unreadable"][0]["file"].endswith("/2693"), t
assert "truncated" in t["unreadable"][0]["reason"] and t["files"] == 4, t
assert p["complete"] is True and p["missing"] == [] and p["unreadable"] == [] and p["files"] == 5, p
print("project ok")
PY
echo "incomplete series: all checks passed"
