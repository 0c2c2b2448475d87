#!/usr/bin/env bash
# End to end (issue 12): infer -> a prediction file -> meridian-cli report; a project with
# predictions and reviews -> report --project and export csv / sr / geojson / deid, a heatmap's
# cells as GeoJSON; every output read back with the tools other people use (pdftotext, dsrdump,
# pydicom, json, csv) and the exports found in the project's verified audit trail.
#   report_commands.sh MERIDIAN_CLI MAKE_TINY_MODEL OUT_DIR
set -euo pipefail
cli=$1 maker=$2 out=$3
py=/usr/bin/python3
pydicom_series=/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/98892001/CT5N
camera=/usr/lib/python3/dist-packages/skimage/data/camera.png
expect_exit="bash $(dirname "$0")/expect_exit.sh"
rm -rf "$out" && mkdir -p "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
# pydicom's series is marked de-identified (Patient Identity Removed = YES, with a made-up name);
# a copy that says NO stands for a study that names its patient.
series="$out/CT5N"
cp -r "$pydicom_series" "$series"
dcmodify -nb -i "(0012,0062)=NO" "$series"/*

# A random-weight model (what the scores say does not matter here) and its real outputs.
"$maker" "$out/model" any 64 2 64 normal,tumour > /dev/null
"$cli" infer --model "$out/model" "$camera" --out "$out/pred" > /dev/null
"$cli" explain --model "$out/model" "$camera" --out "$out/camera-map.nii.gz" > /dev/null
pred="$out/pred/camera.prediction.json"
sha=$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['model']['sha256'])" "$pred")

# report --prediction: the input named in the file, the map over it; pdftotext reads it back.
"$cli" report --prediction "$pred" --map "$out/camera-map.nii.gz" --reviewer "Dr. Ada Reviewer" --decision accept \
  --out "$out/camera.pdf" > /dev/null
pdftotext -layout "$out/camera.pdf" "$out/camera.txt"
for want in "$sha" "Dr. Ada Reviewer" "RESEARCH USE ONLY" "Research use only. Not for clinical diagnosis." \
            "camera.png" "Key image" "tumour"; do
  grep -qF -- "$want" "$out/camera.txt" || fail "camera.pdf lacks '$want'"
done
pdftoppm -r 60 -png -f 1 -l 1 "$out/camera.pdf" "$out/camera-page" && test -s "$out/camera-page-1.png"
# The same output again: refused (exit 2, names --force), the file left as it was.
before=$(sha256sum < "$out/camera.pdf")
$expect_exit 2 "already exists.*--force" "$cli" report --prediction "$pred" --out "$out/camera.pdf" > /dev/null
[ "$(sha256sum < "$out/camera.pdf")" = "$before" ] || fail "a refused report changed the file"
$expect_exit 2 "needs one of --input PATH, --prediction FILE or --project FOLDER" "$cli" report --out "$out/x.pdf" > /dev/null

# report --input: the model runs (through the model service, as in the window) on a 2D image and
# on a CT series, and each is reported with the weights' SHA-256 and the model's labels; nothing
# of the scratch project stays behind; an unreadable input: exit 3, no file.
export TMPDIR="$out/tmp" && mkdir -p "$TMPDIR"
for input in "$camera" "$series"; do
  name=$(basename "$input")
  "$cli" report --input "$input" --model "$out/model" --out "$out/input-$name.pdf" > /dev/null 2>&1 \
    || fail "report --input $name failed"
  pdftotext -layout "$out/input-$name.pdf" "$out/input-$name.txt"
  for want in "$sha" "tumour" "normal" "RESEARCH USE ONLY"; do
    grep -qF -- "$want" "$out/input-$name.txt" || fail "input-$name.pdf lacks '$want'"
  done
done
# The bundled model (no --model): its card's training data and held-out metrics are on the page.
"$cli" report --input "$camera" --out "$out/input-bundled.pdf" > /dev/null 2>&1 || fail "report --input (bundled model) failed"
pdftotext "$out/input-bundled.pdf" "$out/input-bundled.txt"
for want in "Training data" "Method: probe" "test_auroc" "95% CI"; do
  grep -qF -- "$want" "$out/input-bundled.txt" || fail "input-bundled.pdf lacks the card's '$want'"
done
[ -z "$(ls -A "$TMPDIR")" ] || fail "report --input left its scratch project: $(ls "$TMPDIR")"
$expect_exit 3 "cannot be read" "$cli" report --input "$out/no-such-image.png" --model "$out/model" --out "$out/x.pdf" > /dev/null
[ ! -e "$out/x.pdf" ] && [ -z "$(ls -A "$TMPDIR")" ] || fail "a failed report --input left a file"
unset TMPDIR
echo '{"outputs": {"a": 2}}' > "$out/bad.prediction.json"
$expect_exit 3 "bad.prediction.json: .*not a number in \[0, 1\]" "$cli" report --prediction "$out/bad.prediction.json" --out "$out/x.pdf" > /dev/null
[ ! -e "$out/x.pdf" ] || fail "a failed report left a file"

# A project: the CT series (Doe^Peter) and the camera, each with a prediction and a review.
p="$out/project"
"$cli" project create "$p" > /dev/null
"$cli" project add "$p" "$series" "$camera" > /dev/null
$py - "$pred" "$out/series.prediction.json" "$series" <<'PY'
import json, sys
# The series' prediction in infer's layout, with the same model (infer on a series writes a
# pipeline summary, not this file).
p = json.load(open(sys.argv[1]))
p.update(input=sys.argv[3], modality="CT", outputs={"classification": {"normal": 0.125, "tumour": 0.875}})
json.dump(p, open(sys.argv[2], "w"))
PY
"$cli" project add-prediction "$p" 1 "$out/series.prediction.json" > /dev/null
"$cli" project add-prediction "$p" "$camera" "$pred" > /dev/null
"$cli" project --user "Dr. Ada Reviewer" review "$p" 1 correct --correction normal > /dev/null
# The correction is the case's image-level label now (the Review panel's edit, ReviewCommand.hpp).
"$cli" project list "$p" --json | $py -c 'import json, sys; c = json.load(sys.stdin)[0]; assert c["labels"] == ["normal"], c' ||
  fail "a correction did not label the case"
$expect_exit 2 "needs --correction" "$cli" project review "$p" 2 correct > /dev/null
printf 'annotate 2 region-1 10,10 100,12 60,90 class=tumour\nquit\n' | "$cli" project session "$p" > /dev/null

"$cli" report --project "$p" --user "Dr. Ada Reviewer" --out "$out/project.pdf" > /dev/null
pdftotext -layout "$out/project.pdf" "$out/project.txt"
for want in "Meridian report: case 1" "Meridian report: case 2" "Doe^Peter" "Not de-identified" "correct to normal" \
            "Not reviewed." "$sha"; do
  grep -qF -- "$want" "$out/project.txt" || fail "project.pdf lacks '$want'"
done
"$cli" report --project "$p" --reviewed-only --deidentified --out "$out/reviewed.pdf" > /dev/null
pdftotext "$out/reviewed.pdf" "$out/reviewed.txt"
! grep -q "Doe" "$out/reviewed.txt" || fail "a --deidentified report names the patient"
! grep -q "Meridian report: case 2" "$out/reviewed.txt" || fail "--reviewed-only kept the unreviewed case"

"$cli" export --project "$p" --format csv --out "$out/predictions.csv" > /dev/null
"$cli" export --project "$p" --format sr --out "$out/sr" > /dev/null
"$cli" export --project "$p" --format geojson --case 2 --out "$out/camera.geojson" > /dev/null
"$cli" export --project "$p" --format deid --json --out "$out/deid" > "$out/deid.json" 2> "$out/deid.err"
grep -q "left out case 2 .*not DICOM" "$out/deid.err" || fail "deid did not say why the camera was left out"
"$cli" export --map "$out/camera-map.nii.gz" --format geojson --class tumour --out "$out/cells.geojson" --json > "$out/cells.json"
$expect_exit 3 "no case has annotations" "$cli" export --project "$p" --format geojson --case 1 --out "$out/none.geojson" > /dev/null
$expect_exit 2 "map exports GeoJSON" "$cli" export --map "$out/camera-map.nii.gz" --format csv --out "$out/x.csv" > /dev/null
dsrdump +Pl "$out/sr/case-1.dcm" > "$out/sr1.txt"
for want in "Probability of tumour" "0.875" "Doe^Peter" "correct to normal by Dr. Ada Reviewer"; do
  grep -qF -- "$want" "$out/sr1.txt" || fail "dsrdump of case-1.dcm lacks '$want'"
done

$py - "$out" "$sha" <<'PY'
import csv, glob, json, sys
import pydicom
out, sha = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{out}/predictions.csv", newline="")))
assert len(rows) == 2, rows
assert rows[0]["p_tumour"] == "0.875" and rows[0]["decision"] == "correct to normal", rows[0]
assert rows[0]["reviewer"] == "Dr. Ada Reviewer" and rows[1]["weights_sha256"] == sha, rows
# The series names its patient (NO); the camera photo has no patient attributes at all (YES).
for sr, removed in ((f"{out}/sr/case-1.dcm", "NO"), (f"{out}/sr/case-2.dcm", "YES")):
    d = pydicom.dcmread(sr)
    assert d.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.33", (sr, d.SOPClassUID)  # Comprehensive SR
    assert d.PatientIdentityRemoved == removed, (sr, d.PatientIdentityRemoved)
assert len(glob.glob(f"{out}/sr/*.dcm")) == 2
d = pydicom.dcmread(f"{out}/sr/case-1.dcm")
evidence = d.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence
assert len(evidence) == 5, len(evidence)
g = json.load(open(f"{out}/camera.geojson"))
f = g["features"][0]
assert g["type"] == "FeatureCollection" and f["properties"]["classification"]["name"] == "tumour", f
assert f["geometry"]["coordinates"][0][0] == [10.5, 10.5], f["geometry"]
summary = json.load(open(f"{out}/deid.json"))
assert len(summary["written"]) == 5 and summary["identifies_patients"] is False, summary
for copy in summary["written"]:
    ds = pydicom.dcmread(copy)
    assert "Doe" not in str(ds.PatientName) and ds.PatientIdentityRemoved == "YES", copy
    assert b"Doe^Peter" not in open(copy, "rb").read(), copy
cells = json.load(open(f"{out}/cells.geojson"))
assert json.load(open(f"{out}/cells.json"))["cells"] == len(cells["features"]) > 0
c = cells["features"][0]
assert c["geometry"]["type"] == "Polygon" and len(c["geometry"]["coordinates"][0]) == 5, c
assert c["properties"]["classification"]["name"] == "tumour" and "score" in c["properties"]["measurements"], c
PY

# The audit trail: every export recorded (the identifying ones say so), and the chain verifies.
"$cli" audit verify "$p" > "$out/audit.txt" || fail "audit verify: $(cat "$out/audit.txt")"
grep -q "^OK: [0-9]* event(s) verified; head hash [0-9a-f]\{64\}" "$out/audit.txt" || fail "audit: $(cat "$out/audit.txt")"
$py - "$p/project.sqlite" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
exports = [json.loads(p) for (p,) in db.execute("SELECT payload_json FROM events WHERE kind = 'export' ORDER BY seq")]
formats = [e["format"] for e in exports]
assert formats == ["pdf", "pdf", "csv", "sr", "geojson", "deid"], formats
assert [e["deidentified"] for e in exports] == [False, True, True, False, True, True], exports
PY
echo "report commands: all checks passed"
