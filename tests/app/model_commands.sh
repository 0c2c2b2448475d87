#!/usr/bin/env bash
# End to end: import torchvision vit_b_16 weights (the golden fixture's, written by
# PyTorch) and a ViT-T in timm layout with label names, run infer on a real fundus
# photograph, a pathology image and a CT slice, write attention overlays and float maps
# (cls, rollout, gradcam), and check each output. Bad model folders (missing, tampered
# weights) and inputs of the wrong kind fail with exit 3, bad options with exit 2.
#   model_commands.sh MERIDIAN_CLI GOLDEN_DIR DEMO_DATA OUT_DIR
set -euo pipefail
cli=$1 golden=$2 demo=$3 out=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out" && mkdir -p "$out"

"$cli" import-weights "$golden/vit_b_16_torchvision.safetensors" --layout torchvision --arch vit_b_16 --out "$out/vitb"
test -s "$out/vitb/model.json" && test -s "$out/vitb/weights.safetensors" && test ! -e "$out/vitb/config.json"

"$cli" infer --model "$out/vitb" "$demo/fundus-retina.jpg" --json --out "$out/pred" > "$out/infer.json"
/usr/bin/python3 - "$out/infer.json" "$out/pred/fundus-retina.prediction.json" "$out/vitb" <<'PY'
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
probs = r["outputs"]["classification"]
assert len(probs) == 1000 and "class_0" in probs, len(probs)
assert abs(sum(probs.values()) - 1.0) < 1e-3, sum(probs.values())
assert r["embedding_dim"] == 768
assert r["model"]["name"] == "vitb", r["model"]
weights = hashlib.sha256(open(sys.argv[3] + "/weights.safetensors", "rb").read()).hexdigest()
card = json.load(open(sys.argv[3] + "/model.json"))
assert r["model"]["sha256"] == weights == card["provenance"]["weights_sha256"], (r["model"], weights)
assert card["provenance"]["method"] == "import" and len(card["provenance"]["base_model_sha256"]) == 64
assert r["top"][0]["probability"] == max(probs.values())
assert set(r["timing_ms"]) >= {"load_model", "predict"}
assert len(json.load(open(sys.argv[2]))["embedding"]) == 768
print("infer json ok: top", r["top"][0])
PY

# A ViT-T in timm layout with named labels.
/usr/bin/python3 "$here/make_tiny_vit.py" "$out/tiny.safetensors"
"$cli" import-weights "$out/tiny.safetensors" --layout timm --arch vit_t_16 --classes 3 \
  --labels normal,benign,malignant --name tiny-demo --out "$out/tiny"
"$cli" infer --model "$out/tiny" "$demo/pathology-ihc.png" --json > "$out/tiny.json"
/usr/bin/python3 - "$out/tiny.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["model"]["name"] == "tiny-demo", r["model"]
probs = r["outputs"]["classification"]
assert sorted(probs) == ["benign", "malignant", "normal"], probs
assert abs(sum(probs.values()) - 1.0) < 1e-4 and r["embedding_dim"] == 192
print("labelled infer ok:", probs)
PY
# bf16 (where the CPU has it; float32 otherwise, with a note) gives the same top label.
"$cli" infer --model "$out/tiny" "$demo/pathology-ihc.png" --json --precision bf16 > "$out/tiny-bf16.json"
/usr/bin/python3 - "$out/tiny.json" "$out/tiny-bf16.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["top"][0]["label"] == b["top"][0]["label"], (a["top"][0], b["top"][0])
for k, v in a["outputs"]["classification"].items():
    assert abs(v - b["outputs"]["classification"][k]) < 0.02, (k, v, b["outputs"])
print("bf16 infer agrees:", b["outputs"]["classification"])
PY

# Volumes and DICOM series go through the volume pipeline: pipeline_commands.sh tests them.
"$cli" explain --model "$out/vitb" "$demo/fundus-retina.jpg" --out "$out/explain-fundus.png"
"$cli" info "$out/explain-fundus.png" | grep -q '"size": \[1411,1411\]\|size: \[1411,1411\]'

# Explanations: every method as an overlay and as a float map in the image's pixel grid.
"$cli" explain --model "$out/vitb" "$demo/fundus-retina.jpg" --method rollout --out "$out/rollout-fundus.png"
"$cli" info "$out/rollout-fundus.png" | grep -q '"size": \[1411,1411\]\|size: \[1411,1411\]'
"$cli" explain --model "$out/tiny" "$demo/pathology-ihc.png" --method cls --head 2 --out "$out/cls-head2.nii.gz"
"$cli" explain --model "$out/tiny" "$demo/pathology-ihc.png" --method rollout --out "$out/rollout.nii.gz"
"$cli" explain --model "$out/tiny" "$demo/pathology-ihc.png" --method gradcam --class benign --out "$out/gradcam-benign.nii"
"$cli" explain --model "$out/tiny" "$demo/pathology-ihc.png" --method gradcam --class malignant --out "$out/gradcam-malignant.nii" \
  | grep -q "gradient-weighted attention for 'malignant'"
"$cli" explain --model "$out/tiny" "$demo/pathology-ihc.png" --method gradcam --class malignant --out "$out/gradcam-malignant.png"
"$cli" info --json "$out/rollout.nii.gz" > "$out/rollout-info.json"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
import nibabel as nib, numpy as np
out = sys.argv[1]
info = json.load(open(out + "/rollout-info.json"))
# pathology-ihc.png is 512x512: 14x14 patches of 512/224*16 = 36.57 image pixels, the
# first patch's centre at 18.29 - 0.5 (pixel centres on integers).
assert info["size"] in ([14, 14], [14, 14, 1]), info["size"]  # a depth-1 NIfTI reads back 2D
assert abs(info["spacing"][0] - 512 / 14) < 1e-3 and abs(info["spacing"][1] - 512 / 14) < 1e-3, info["spacing"]
# ITK writes NIfTI in RAS: x and y of the (LPS-like) map geometry come out negated.
affine = nib.load(out + "/rollout.nii.gz").affine
assert abs(-affine[0, 0] - 512 / 14) < 1e-3 and abs(-affine[1, 1] - 512 / 14) < 1e-3, affine
assert abs(-affine[0, 3] - (512 / 28 - 0.5)) < 1e-3 and abs(-affine[1, 3] - (512 / 28 - 0.5)) < 1e-3, affine
maps = {name: np.asarray(nib.load(f"{out}/{name}").dataobj, dtype=np.float64).ravel()
        for name in ("cls-head2.nii.gz", "rollout.nii.gz", "gradcam-benign.nii", "gradcam-malignant.nii")}
for name, m in maps.items():
    assert m.size == 196 and np.isfinite(m).all() and (m >= 0).all() and m.max() > 0, name
r = np.corrcoef(maps["gradcam-benign.nii"], maps["gradcam-malignant.nii"])[0, 1]
assert r < 0.99, r  # a class-specific map depends on the class
print("explain maps ok: gradcam benign vs malignant correlation %.3f" % r)
PY

# The same weights as a CT model (lung, mediastinum, bone windows): a CT slice runs, a
# photograph is refused as the wrong kind of input (exit 3, saying what the model takes).
"$cli" import-weights "$out/tiny.safetensors" --layout timm --arch vit_t_16 --classes 3 \
  --labels normal,benign,malignant --modality ct --ct-windows lung,mediastinum,-200/1800 --out "$out/tiny-ct"
/usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["preprocess"]; assert p["modality"]=="ct" and [w["center"] for w in p["ct_windows"]]==[-600,40,-200], p' "$out/tiny-ct/model.json"
"$cli" infer --model "$out/tiny-ct" "$demo/ct-slice.dcm" --json | grep -q '"malignant"'
set +e
"$cli" infer --model "$out/tiny-ct" "$demo/fundus-retina.jpg" 2> "$out/ct-photo.err"; rc=$?
"$cli" import-weights "$out/tiny.safetensors" --layout timm --arch vit_t_16 --classes 3 --modality ct \
  --ct-windows lung,bone --out "$out/two-windows" 2> "$out/two-windows.err"; rc2=$?
set -e
test "$rc" -eq 3 && grep -q "this model takes CT slices in Hounsfield units" "$out/ct-photo.err"
test "$rc2" -eq 2 && grep -q "give 1 window" "$out/two-windows.err"

# Tampered weights: one bit flipped after the card recorded their hash.
cp -r "$out/tiny" "$out/tampered"
/usr/bin/python3 - "$out/tampered/weights.safetensors" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[-1] ^= 1  # one bit of the last weight
open(sys.argv[1], "wb").write(data)
PY

set +e
"$cli" explain --model "$out/tiny" "$demo/pathology-ihc.png" --method gradcam --class cancer --out "$out/x.png" 2> "$out/class.err"; rc5=$?
"$cli" explain --model "$out/tiny" "$demo/pathology-ihc.png" --method rollout --head 1 --out "$out/x.png" 2> "$out/head.err"; rc6=$?
"$cli" explain --model "$out/tiny" "$demo/pathology-ihc.png" --method cls --head 3 --out "$out/x.png" 2> "$out/head3.err"; rc7=$?
"$cli" infer --model "$out/no-such-model" "$demo/fundus-retina.jpg"; rc=$?
# A GPU where the LibTorch has no CUDA (Debian's) or the GPU is missing: refused, exit 3.
"$cli" infer --model "$out/tiny" "$demo/pathology-ihc.png" --device cuda:7 2> "$out/cuda.err"; rc8=$?
"$cli" explain --model "$out/vitb" "$demo/fundus-retina.jpg" --method bogus --out "$out/x.png"; rc2=$?
"$cli" infer --model "$out/tampered" "$demo/pathology-ihc.png" 2> "$out/tampered.err"; rc3=$?
"$cli" import-weights "$out/tiny.safetensors" --layout timm --arch vit_t_16 --classes 3 --labels a,b \
  --out "$out/bad-labels" 2> "$out/bad-labels.err"; rc4=$?
set -e
test "$rc" -eq 3 && test "$rc2" -eq 2
test "$rc3" -eq 3 && grep -q "has SHA-256 [0-9a-f]\{64\} but .* records [0-9a-f]\{64\}" "$out/tampered.err"
test "$rc4" -eq 2 && grep -q "2 labels for a head with 3 classes" "$out/bad-labels.err" && test ! -e "$out/bad-labels"
test "$rc5" -eq 2 && grep -q "'cancer' is not one of the model's labels: normal, benign, malignant" "$out/class.err"
test "$rc6" -eq 2 && grep -q "\-\-head applies to --method cls" "$out/head.err"
test "$rc7" -eq 2 && grep -q "the model has 3 heads" "$out/head3.err"
test "$rc8" -eq 3 && grep -q -E "device 'cuda:7': (this LibTorch .* has no CUDA|there are [0-9]+ GPUs)" "$out/cuda.err"
test ! -e "$out/x.png"
echo "model commands: all checks passed"
