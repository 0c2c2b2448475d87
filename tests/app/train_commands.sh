#!/usr/bin/env bash
# End to end: label real tiles (skimage's IHC image, DAB-positive/negative by colour
# deconvolution), embed them through the cache, train a probe, kNN and prototype from an
# imported ViT-T, evaluate with --json, and refuse bad labels with exit 3 and a message.
#   train_commands.sh MERIDIAN_CLI OUT_DIR
set -euo pipefail
cli=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out" && mkdir -p "$out"
py=/usr/bin/python3

"$py" "$here/../model/make_ihc_tiles.py" "$out/ihc" --tile 64   # 64 PNG tiles + labels.csv
"$py" "$here/make_tiny_vit.py" "$out/tiny.safetensors"
"$cli" import-weights "$out/tiny.safetensors" --layout timm --arch vit_t_16 --classes 3 \
  --labels a,b,c --name tiny-base --out "$out/base" > /dev/null

# embed: computed once, then served from the cache.
"$cli" embed --model "$out/base" --labels "$out/ihc/labels.csv" --cache "$out/cache" --json > "$out/embed1.json"
"$cli" embed --model "$out/base" --labels "$out/ihc/labels.csv" --cache "$out/cache" --json > "$out/embed2.json"
"$py" - "$out/embed1.json" "$out/embed2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["images"] == 64 and a["computed"] == 64 and a["from_cache"] == 0 and a["dimension"] == 192, a
assert b["from_cache"] == 64 and b["computed"] == 0, b
print("embed ok")
PY

# train a probe: card with base hash, data hash, split, seed, metrics with CIs.
"$cli" train --method probe --model "$out/base" --labels "$out/ihc/labels.csv" --out "$out/probe" \
  --cache "$out/cache" --seed 3 --folds 3 --bootstrap 200 --json > "$out/train.json"
"$py" - "$out/train.json" "$out/probe" "$out/base" <<'PY'
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
card = json.load(open(sys.argv[2] + "/model.json"))
base = json.load(open(sys.argv[3] + "/model.json"))
p = card["provenance"]
assert p["method"] == "probe" and p["seed"] == 3, p
assert p["base_model_sha256"] == base["provenance"]["weights_sha256"], p
assert len(p["training_data_sha256"]) == 64 and "patient-level" in p["split"], p["split"]
auroc = p["metrics"]["auroc"]
held = r["held_out"]
assert abs(held["auroc"] - auroc["value"]) < 1e-12, (held["auroc"], auroc)
assert held["auroc_ci"][0] <= held["auroc"] <= held["auroc_ci"][1], held
assert "cv_auroc" in p["metrics"] and r["embeddings_from_cache"] == 64, r
assert p["weights_sha256"] == hashlib.sha256(open(sys.argv[2] + "/weights.safetensors", "rb").read()).hexdigest()
assert held["auroc"] > 0.8, f"the probe did not learn DAB-positive from negative: {held}"
print("train ok: held-out AUROC %.3f [%.3f, %.3f], n=%d" % (held["auroc"], *held["auroc_ci"], held["n"]))
PY

# evaluate --json: the documented keys.
"$cli" evaluate --model "$out/probe" --labels "$out/ihc/labels.csv" --cache "$out/cache" --json > "$out/eval.json"
"$py" - "$out/eval.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for key in ("n", "auroc", "auroc_ci", "auprc", "accuracy", "confusion", "classes"):
    assert key in r, key
assert r["n"] == 64 and len(r["auroc_ci"]) == 2 and sum(map(sum, r["confusion"])) == 64, r
assert [c["label"] for c in r["classes"]] == ["dab_negative", "dab_positive"], r["classes"]
assert all("auroc" in c and "n" in c for c in r["classes"])
print("evaluate ok: AUROC %.3f" % r["auroc"])
PY
# The probe is an ordinary classifier folder: infer runs it.
# (Outputs go to files before grep: `cmd | grep -q` under pipefail can fail on SIGPIPE.)
"$cli" infer --model "$out/probe" "$out/ihc/tiles/r00_c00.png" --json > "$out/infer.json"
grep -q dab_positive "$out/infer.json"

for method in knn prototype; do
  "$cli" train --method $method --model "$out/base" --labels "$out/ihc/labels.csv" --out "$out/$method" \
    --cache "$out/cache" --bootstrap 100 > "$out/$method.txt"
  grep -q "held-out (n=" "$out/$method.txt"
  "$cli" evaluate --model "$out/$method" --labels "$out/ihc/labels.csv" --cache "$out/cache" --json > "$out/$method.json"
  grep -q '"auroc_ci"' "$out/$method.json"
done

# Image-level fine-tuning (one epoch of LoRA): a loadable folder with the recipe in its card.
"$cli" train --method lora --rank 4 --epochs 1 --batch-size 16 --model "$out/base" --labels "$out/ihc/labels.csv" \
  --out "$out/lora" --bootstrap 100 --json > "$out/lora.json"
"$py" - "$out/lora.json" "$out/lora" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2] + "/model.json"))["provenance"]
h = p["hyper_parameters"]
assert p["method"] == "lora" and h["rank"] == "4" and h["optimizer"] == "AdamW" and "layer_decay" in h, h
assert r["training_note"] and not r["diverged"], r
# It learned: the merged weights differ from the base's in the adapted layers (read with
# struct/json/numpy, not Meridian), and the held-out tiles are told apart above chance.
import struct
import numpy as np
def tensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    data = raw[8 + n:]
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], "<f4")
            for k, v in header.items() if v["dtype"] == "F32"}
base = tensors(sys.argv[2].replace("/lora", "/base") + "/weights.safetensors")
tuned = tensors(sys.argv[2] + "/weights.safetensors")
adapted = [k for k in base if "attn.qkv.weight" in k and k in tuned]
assert adapted, sorted(base)[:10]
moved = max(float(np.abs(tuned[k] - base[k]).max()) for k in adapted)
assert moved > 1e-4, f"LoRA left the attention weights as they were (max change {moved})"
assert r["held_out"]["auroc"] > 0.6, r["held_out"]
print("lora ok:", r["training_note"], "max weight change %.4g, held-out AUROC %.3f" % (moved, r["held_out"]["auroc"]))
PY
"$cli" evaluate --model "$out/lora" --labels "$out/ihc/labels.csv" --no-cache --json > "$out/lora-eval.json"
grep -q '"auroc_ci"' "$out/lora-eval.json"

# Bad input: exit 3 and a message that says what to fix.
expect_bad() {  # expect_bad PATTERN ARGS...
  local pattern=$1; shift
  set +e; "$cli" "$@" > "$out/bad.out" 2> "$out/bad.err"; local rc=$?; set -e
  if [[ $rc -ne 3 ]] || ! grep -q "$pattern" "$out/bad.err"; then
    echo "expected exit 3 and '$pattern' from: $*  (rc=$rc)"; cat "$out/bad.err"; exit 1
  fi
}
head -1 "$out/ihc/labels.csv" > "$out/ihc/one.csv"; grep dab_positive "$out/ihc/labels.csv" >> "$out/ihc/one.csv"
expect_bad "at least two classes" train --model "$out/base" --labels "$out/ihc/one.csv" --out "$out/x"
printf 'path,label\ntiles/r00_c00.png,a\ntiles/nope.png,b\n' > "$out/ihc/missing.csv"
expect_bad "do not exist" train --model "$out/base" --labels "$out/ihc/missing.csv" --out "$out/x"
printf 'path,label,site\ntiles/r00_c00.png,a,1\n' > "$out/ihc/column.csv"
expect_bad "unknown column 'site'" train --model "$out/base" --labels "$out/ihc/column.csv" --out "$out/x"
expect_bad "at least 40 per class" train --model "$out/base" --labels "$out/ihc/labels.csv" --out "$out/x" --min-per-class 40
# All positive tiles from one patient: no patient-level split can hold them on both sides.
awk -F, 'NR==1 || $2=="dab_negative" {print; next} {print $1","$2",P0"}' "$out/ihc/labels.csv" > "$out/ihc/onepatient.csv"
expect_bad "patient-level" train --model "$out/base" --labels "$out/ihc/onepatient.csv" --out "$out/x"
test ! -e "$out/x"
set +e; "$cli" train --method magic --model "$out/base" --labels "$out/ihc/labels.csv" --out "$out/x" 2> /dev/null
rc=$?; set -e; test $rc -eq 2
echo "train commands ok"
