#!/usr/bin/env bash
# End to end: import torchvision vit_b_16 weights (the golden fixture's, written by
# PyTorch), run infer on a real fundus photograph and a DICOM series, write an
# attention overlay, and check each output. A bad model folder must fail with exit 3.
#   model_commands.sh MERIDIAN_CLI GOLDEN_DIR DEMO_DATA OUT_DIR
set -euo pipefail
cli=$1 golden=$2 demo=$3 out=$4
rm -rf "$out" && mkdir -p "$out"

"$cli" import-weights "$golden/vit_b_16_torchvision.safetensors" --layout torchvision --arch vit_b_16 --out "$out/vitb"
test -s "$out/vitb/config.json" && test -s "$out/vitb/model.safetensors"

"$cli" infer --model "$out/vitb" "$demo/fundus-retina.jpg" --json --out "$out/pred" > "$out/infer.json"
/usr/bin/python3 - "$out/infer.json" "$out/pred/fundus-retina.prediction.json" <<'PY'
import json, math, sys
r = json.load(open(sys.argv[1]))
probs = r["outputs"]["classification"]
assert len(probs) == 1000, len(probs)
assert abs(sum(probs.values()) - 1.0) < 1e-3, sum(probs.values())
assert r["embedding_dim"] == 768 and len(r["model"]["sha256"]) == 64
assert r["top"][0]["probability"] == max(probs.values())
assert len(json.load(open(sys.argv[2]))["embedding"]) == 768
print("infer json ok: top", r["top"][0])
PY

"$cli" infer --model "$out/vitb" "$demo/ct-abdomen-stent-dicom" | head -3
"$cli" explain --model "$out/vitb" "$demo/fundus-retina.jpg" --out "$out/explain-fundus.png"
"$cli" info "$out/explain-fundus.png" | grep -q '"size": \[1411,1411\]\|size: \[1411,1411\]'

set +e
"$cli" infer --model "$out/no-such-model" "$demo/fundus-retina.jpg"; rc=$?
"$cli" explain --model "$out/vitb" "$demo/fundus-retina.jpg" --method gradcam --out "$out/x.png"; rc2=$?
set -e
test "$rc" -eq 3 && test "$rc2" -eq 2
echo "model commands: all checks passed"
