#!/usr/bin/env bash
# End to end: the volume and slide pipelines through meridian-cli on the demo data, with
# small random-weight ViTs (width 64) written by make_tiny_model: the checks are about the
# commands' outputs, geometry, resume and cancel, not about what the scores mean.
#   pipeline_commands.sh MERIDIAN_CLI MAKE_TINY_MODEL DEMO_DATA OUT_DIR volume|slide|cancel|errors
set -euo pipefail
cli=$1 maker=$2 demo=$3 out=$4 part=$5
py=/usr/bin/python3
out="$out/$part"
rm -rf "$out" && mkdir -p "$out"
slide="$demo/pathology-ihc-slide.tif"

case "$part" in
volume)
  "$maker" "$out/gray" grayscale 64 2 64 normal,abnormal > /dev/null
  "$cli" infer --model "$out/gray" "$demo/ct-abdomen-stent.nii.gz" --json --out "$out/nifti" > "$out/infer.json"
  "$cli" infer --model "$out/gray" "$demo/ct-abdomen-stent-dicom" --batch 32 --out "$out/dicom" > "$out/infer-dicom.txt"
  "$cli" explain --model "$out/gray" "$demo/ct-abdomen-stent.nii.gz" --method rollout --out "$out/maps.nii.gz"
  $py - "$out" <<'PY'
import csv, json, sys
import nibabel as nib, numpy as np
out = sys.argv[1]
printed = json.load(open(f"{out}/infer.json"))
summary = json.load(open(f"{out}/nifti/summary.json"))
assert printed == summary, "stdout JSON and summary.json differ"
assert summary["kind"] == "volume" and summary["slices"] == 256 and summary["all_slices_done"], summary
assert len(summary["model"]["sha256"]) == 64
rows = list(csv.DictReader(open(f"{out}/nifti/slice_scores.csv")))
assert len(rows) == 256 and list(rows[0])[:4] == ["slice", "x_mm", "y_mm", "z_mm"], list(rows[0])
abnormal = np.array([float(r["abnormal"]) for r in rows])
normal = np.array([float(r["normal"]) for r in rows])
assert np.allclose(abnormal + normal, 1, atol=1e-5)
study = summary["outputs"]["study"]
assert abs(study["mean"]["finding"]["abnormal"] - abnormal.mean()) < 1e-5, (study["mean"], abnormal.mean())
assert abs(study["max"]["finding"]["abnormal"] - abnormal.max()) < 1e-6
assert abnormal.std() > 1e-4, "the slice curve is flat"
assert study["attention"] is None and "no aggregator" in study["attention_note"], study
z = np.array([float(r["z_mm"]) for r in rows])
assert np.allclose(np.diff(z), np.diff(z)[0]) and abs(abs(np.diff(z)[0]) - 1.0) < 1e-6, "slices 1 mm apart"
dicom = list(csv.DictReader(open(f"{out}/dicom/slice_scores.csv")))
assert len(dicom) == 256 and json.load(open(f"{out}/dicom/summary.json"))["all_slices_done"]
maps = nib.load(f"{out}/maps.nii.gz")
assert maps.shape[:3] == (4, 4, 256), maps.shape
assert np.allclose(maps.header.get_zooms()[:3], (32, 32, 1), atol=1e-4), maps.header.get_zooms()
print("volume pipeline outputs ok:", summary["outputs"]["study"]["mean"])
PY
  ;;
slide)
  "$maker" "$out/path" color 128 1 64 benign,tumour > /dev/null
  "$cli" infer --model "$out/path" "$slide" --batch 32 --json --out "$out/run" > "$out/infer.json" 2> "$out/stderr.txt"
  grep -q "records no µm/px" "$out/stderr.txt"
  grep -q "patches" "$out/stderr.txt"  # the progress line
  cp "$out/run/patch_scores.csv" "$out/first.csv"
  "$cli" infer --model "$out/path" "$slide" --batch 32 --resume --out "$out/run" > /dev/null 2> "$out/stderr2.txt"
  grep -q "resumed" "$out/stderr2.txt"
  "$cli" explain --model "$out/path" "$slide" --method gradcam --class tumour --out "$out/explain.png" --batch 32
  $py - "$out" <<'PY'
import csv, json, sys
import nibabel as nib, numpy as np
from PIL import Image
out = sys.argv[1]
s = json.load(open(f"{out}/infer.json"))
assert s["kind"] == "slide" and s["complete"] and not s["cancelled"], s
g = s["grid"]
assert g["mpp_known"] is False and g["level"] == 0 and g["patch_level0"] == 128 and g["columns"] == 32 and g["rows"] == 32, g
assert 0.6 < s["tissue"]["coverage"] < 0.97, s["tissue"]
first = list(csv.DictReader(open(f"{out}/first.csv")))
assert len(first) == s["patches"]["tissue"] == s["patches"]["done"] and 600 < len(first) < 1024, s["patches"]
h = nib.load(f"{out}/run/heatmap.nii.gz")
assert h.shape[:2] == (32, 32), h.shape
assert np.allclose(h.header.get_zooms()[:2], (128, 128)), h.header.get_zooms()
# Each patch's x, y (level-0 pixels) is its column, row times the patch size, and its cell
# number counts along rows: checked from the CSV's own columns, not through Meridian's grid.
size = g["patch_level0"]
for r in first:
    c, col, row = int(r["cell"]), int(r["column"]), int(r["row"])
    assert (col, row) == (c % g["columns"], c // g["columns"]), r
    assert (int(float(r["x"])), int(float(r["y"]))) == (col * size, row * size), r
assert any(int(r["column"]) != int(r["row"]) for r in first)
data = np.asarray(h.dataobj).reshape(32, 32, order="F")  # NIfTI: x fastest
for r in first[:50]:
    assert abs(data[int(r["column"]), int(r["row"])] - float(r["tumour"])) < 1e-6
tumour = np.array([float(r["tumour"]) for r in first])
agg = s["outputs"]["slide"]
assert abs(agg["mean"]["finding"]["tumour"] - tumour.mean()) < 1e-5 and abs(agg["max"]["finding"]["tumour"] - tumour.max()) < 1e-6
assert abs(agg["top_k_mean"]["finding"]["tumour"] - np.sort(tumour)[-agg["top_k"]:].mean()) < 1e-5
assert Image.open(f"{out}/run/heatmap.png").size == (1024, 1024)
resumed = json.load(open(f"{out}/run/summary.json"))
assert resumed["patches"]["resumed"] == resumed["patches"]["tissue"] and resumed["complete"], resumed["patches"]
again = list(csv.DictReader(open(f"{out}/run/patch_scores.csv")))
assert again == first, "a resumed complete run must give the same scores"
assert Image.open(f"{out}/explain.png").size == (1024, 1024)
e = nib.load(f"{out}/explain.nii.gz")
assert e.shape[:2] == (256, 256) and np.allclose(e.header.get_zooms()[:2], (16, 16)), (e.shape, e.header.get_zooms())
print("slide pipeline outputs ok:", agg["mean"], s["timing_ms"])
PY
  ;;
cancel)
  "$maker" "$out/path" color 128 1 64 benign,tumour > /dev/null
  "$cli" infer --model "$out/path" "$slide" --batch 32 --out "$out/full" > /dev/null 2>&1
  "$cli" infer --model "$out/path" "$slide" --batch 32 --out "$out/run" > /dev/null 2> "$out/stderr.txt" &
  pid=$!
  for _ in $(seq 1 600); do  # Ctrl-C once the first batch is reported on the progress line
    if grep -q "patches" "$out/stderr.txt" || ! kill -0 "$pid" 2> /dev/null; then break; fi
    sleep 0.05
  done
  kill -INT "$pid" 2> /dev/null || { echo "the run finished before it could be interrupted"; exit 1; }
  set +e; wait "$pid"; rc=$?; set -e
  test "$rc" -eq 130 || { echo "Ctrl-C gave exit code $rc, want 130"; cat "$out/stderr.txt"; exit 1; }
  grep -q "cancelled" "$out/stderr.txt"
  cp "$out/run/patch_scores.csv" "$out/partial.csv"
  cp "$out/run/summary.json" "$out/partial.json"
  "$cli" infer --model "$out/path" "$slide" --batch 32 --resume --out "$out/run" > /dev/null 2>&1
  $py - "$out" <<'PY'
import csv, json, sys
out = sys.argv[1]
partial = json.load(open(f"{out}/partial.json"))
assert partial["cancelled"] and not partial["complete"], partial
done = partial["patches"]["done"]
assert 0 < done < partial["patches"]["tissue"], partial["patches"]
assert len(list(csv.DictReader(open(f"{out}/partial.csv")))) == done
json.load(open(f"{out}/run/progress.json"))  # still valid JSON
final = json.load(open(f"{out}/run/summary.json"))
assert final["complete"] and final["patches"]["resumed"] == done, final["patches"]
full = {r["cell"]: r for r in csv.DictReader(open(f"{out}/full/patch_scores.csv"))}
resumed = list(csv.DictReader(open(f"{out}/run/patch_scores.csv")))
assert [r["cell"] for r in resumed] == list(full), "resumed run covers other patches"
worst = max(abs(float(r["tumour"]) - float(full[r["cell"]]["tumour"])) for r in resumed)
assert worst < 1e-5, worst
print(f"cancel + resume ok: {done} of {partial['patches']['tissue']} patches before Ctrl-C, max score difference {worst:.2e}")
PY
  ;;
errors)
  "$maker" "$out/ct" ct 64 1 64 normal,abnormal > /dev/null
  "$maker" "$out/path" color 64 1 64 benign,tumour > /dev/null
  set +e
  "$cli" infer --model "$out/ct" "$slide" 2> "$out/ct.txt"; rc_ct=$?
  "$cli" infer --model "$out/none" "$slide" 2> /dev/null; rc_missing=$?
  "$cli" infer --model "$out/path" "$slide" --mpp 0 2> "$out/mpp.txt"; rc_mpp0=$?
  "$cli" infer --model "$out/path" "$slide" --mpp abc 2> /dev/null; rc_mppabc=$?
  "$cli" infer --model "$out/path" "$slide" --resume 2> "$out/resume.txt"; rc_resume=$?
  "$cli" infer --model "$out/path" "$demo/ct-abdomen-stent.nii.gz" 2> "$out/colour.txt"; rc_colour=$?
  set -e
  echo "exit codes: ct-model $rc_ct, missing $rc_missing, mpp0 $rc_mpp0, mpp-abc $rc_mppabc, resume $rc_resume, colour-model-on-ct $rc_colour"
  test "$rc_ct" -eq 3 && grep -q "the model takes ct images" "$out/ct.txt"
  test "$rc_missing" -eq 3
  test "$rc_mpp0" -eq 2 && test "$rc_mppabc" -eq 2
  test "$rc_resume" -eq 2 && grep -q "needs --out" "$out/resume.txt"
  test "$rc_colour" -eq 3 && grep -q "colour" "$out/colour.txt"
  ;;
*) echo "unknown part $part"; exit 2 ;;
esac
echo "pipeline commands ($part): all checks passed"
