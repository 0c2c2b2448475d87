#!/usr/bin/env bash
# meridian-cli project predict / explain (issue 11): the model service on a project's cases,
# the same code the window's model panel runs. Checks exit codes (through expect_exit.sh)
# and what the project holds afterwards (project list --json), that `project list` maps no
# LibTorch while `project predict` loads it through libmeridian_model_service.so, and that
# bad input (a damaged model, another modality, bad choices) changes nothing in the project.
#   project_model_commands.sh MERIDIAN_CLI MAKE_TINY_MODEL DEMO_DATA BUNDLED_MODEL OUT_DIR
set -euo pipefail
cli=$1 maker=$2 demo=$3 bundled=$4 out=$5
here=$(cd "$(dirname "$0")" && pwd)
expect() { bash "$here/expect_exit.sh" "$@" > "$out/last.txt" || { cat "$out/last.txt"; exit 1; }; }
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$out" && mkdir -p "$out"
p="$out/project"

"$cli" project create "$p" > /dev/null
"$cli" project add "$p" "$demo/fundus-retina.jpg" "$demo/mr-brain.nii" > /dev/null

# A model that takes CT only, on the photograph: the case fails with the reason, exit 3 (nothing
# was predicted), nothing stored.
"$maker" "$out/ct-model" ct 64 2 64 normal,abnormal > /dev/null
expect 3 "case 1: this model takes CT" "$cli" project predict "$p" --model "$out/ct-model" --case 1
# Weights that do not match the card: exit 3, the SHA-256 named.
cp -r "$bundled" "$out/bad-model"
/usr/bin/python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[len(d)//2]^=1; open(p,"wb").write(bytes(d))' \
  "$out/bad-model/weights.safetensors"
expect 3 "SHA-256" "$cli" project predict "$p" --model "$out/bad-model"
"$cli" project list "$p" --json > "$out/before.json"
/usr/bin/python3 - "$out/before.json" <<'PY'
import json, sys
cases = json.load(open(sys.argv[1]))
assert all(c["predictions"] == [] for c in cases), "a refused run stored something"
PY

# The bundled model (found without --model), all cases; `project list` without LibTorch.
LD_DEBUG=files LD_DEBUG_OUTPUT="$out/predict.ld" "$cli" project predict "$p" --json > "$out/predict.json" 2> "$out/predict.err" \
  || fail "predict exited $?: $(cat "$out/predict.err")"
grep -q "Research use only" "$out/predict.err" || fail "no research-use notice: $(cat "$out/predict.err")"
loaded=$(cat "$out"/predict.ld.* | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u)
grep -q 'libmeridian_model_service\.so' <<< "$loaded" || fail "predict did not load libmeridian_model_service.so"
grep -q 'libtorch_cpu' <<< "$loaded" || fail "predict did not load LibTorch"
LD_DEBUG=files LD_DEBUG_OUTPUT="$out/list.ld" "$cli" project list "$p" --json > "$out/after.json"
loaded=$(cat "$out"/list.ld.* | sed -n 's/.*file=\([^ ]*\) .*/\1/p' | sort -u)
grep -q 'libsqlite3' <<< "$loaded" || fail "the list trace lacks libsqlite3 (is LD_DEBUG working?)"
if grep -E 'libtorch|libmeridian_model_service' <<< "$loaded"; then fail "project list loaded the model"; fi

# One case by id, then explanations (rollout on the volume, CLS head 2 and gradcam on the image).
expect 0 "case 2: attention rollout -> maps/case2-rollout-1.nii.gz" "$cli" project explain "$p" --case 2 --method rollout
expect 0 "case 1: CLS attention, head 2" "$cli" project explain "$p" --case 1 --method cls --head 2
expect 0 "gradient-weighted attention for 'CT'" "$cli" project explain "$p" --case "$demo/fundus-retina.jpg" --method gradcam --class CT
expect 0 "fundus" "$cli" project predict "$p" --case 1
# Bad choices: usage errors (2), nothing written.
expect 2 "--method wants cls, rollout or gradcam" "$cli" project explain "$p" --case 1 --method grad
expect 2 "heads \(0..2\)" "$cli" project explain "$p" --case 1 --method cls --head 3
expect 2 "not one of the model's labels: CT, MR, fundus, pathology" "$cli" project explain "$p" --case 1 --method gradcam --class tumour
expect 3 "the project has no case 9" "$cli" project explain "$p" --case 9 --method cls

"$cli" project list "$p" --json > "$out/final.json"
/usr/bin/python3 - "$out/predict.json" "$out/final.json" "$p" <<'PY'
import json, os, sys
printed, cases, project = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert [p["case"] for p in printed] == [1, 2], printed
image, volume = printed
assert image["kind"] == "image" and image["label"] == "fundus", image
assert abs(sum(image["probabilities"].values()) - 1) < 1e-4, image
assert volume["kind"] == "volume" and len(volume["slice_curve"]) == 25, volume
assert abs(sum(volume["slice_curve"]) / 25 - volume["probability"]) < 1e-4, volume
sha = image["model_sha256"]
assert len(sha) == 64
c1, c2 = cases
kinds1 = [p["outputs"]["kind"] for p in c1["predictions"]]
assert kinds1 == ["inference", "explanation", "explanation", "inference"], kinds1
assert [p["outputs"]["kind"] for p in c2["predictions"]] == ["inference", "explanation"]
for c in cases:
    for p in c["predictions"]:
        assert p["weightsSha256"] == sha, p
        if p["outputs"]["kind"] == "explanation":
            assert os.path.getsize(os.path.join(project, p["mapFile"])) > 0, p
assert c1["predictions"][0]["outputs"]["top"]["label"] == "fundus"
assert c2["predictions"][1]["outputs"]["method"] == "rollout"
print("stored:", kinds1, "model", sha[:12])
PY
# A case named by a path through a symlinked folder is the same case (cases are stored by
# their canonical path).
ln -s "$(cd "$demo" && pwd)" "$out/demo-link"
expect 0 "fundus" "$cli" project predict "$p" --case "$out/demo-link/fundus-retina.jpg"
echo "project model commands: all checks passed"
