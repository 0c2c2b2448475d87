#!/usr/bin/env bash
# meridian-cli pretrain end to end on four real demo images (fundus, IHC, CT, MR):
# a short DINO run stopped half-way and resumed ends with the same weights as a straight
# run; the model folder it writes loads and embeds; bad input exits 2/3 with the reason.
#   pretrain_commands.sh MERIDIAN_CLI DEMO_DATA OUT_DIR
set -euo pipefail
cli=$1 demo=$(cd "$2" && pwd) out=$3
rm -rf "$out" && mkdir -p "$out"
printf 'path\n%s\n%s\n%s\n%s\n' "$demo/fundus-retina.jpg" "$demo/pathology-ihc.png" "$demo/ct-slice.dcm" \
  "$demo/mr-brain.nii" > "$out/images.csv"
recipe=(--method dino --arch vit_t_16 --image-size 32 --epochs 2 --local-crops 2 --prototypes 16 --memory 8
        --rehearsal 3 --seed 5)
common=("${recipe[@]}" --images "$out/images.csv")

"$cli" pretrain "${common[@]}" --batch 2 --out "$out/straight" > "$out/straight.txt"
grep -q "finished 4 steps" "$out/straight.txt"
test "$(wc -l < "$out/straight/loss.csv")" -eq 5

"$cli" pretrain "${common[@]}" --batch 2 --out "$out/split" --stop-after 2 > "$out/half.txt"
grep -q "stopped at step 2" "$out/half.txt"
"$cli" pretrain "${common[@]}" --batch 2 --out "$out/split" --resume "$out/split/checkpoint.safetensors" > "$out/rest.txt"
grep -q "finished 4 steps" "$out/rest.txt"
test "$(wc -l < "$out/split/loss.csv")" -eq 5
cmp "$out/straight/model/weights.safetensors" "$out/split/model/weights.safetensors"
cmp <(tail -n 2 "$out/straight/loss.csv") <(tail -n 2 "$out/split/loss.csv")
echo "resume: bit-identical to the straight run"

/usr/bin/python3 - "$out/straight/model/model.json" <<'PY'
import json, sys
card = json.load(open(sys.argv[1]))
p = card["provenance"]
assert p["method"] == "dino", p
assert len(p["training_data_sha256"]) == 64 and p["training_images"] == 4, p
assert p["seed"] == 5 and p["hyper_parameters"]["memory_size"] == "8", p["hyper_parameters"]
print("card ok")
PY
"$cli" infer --model "$out/straight/model" "$demo/fundus-retina.jpg" --json > "$out/infer.json"
grep -q '"embedding_dim": 192' "$out/infer.json"

expect() {  # expect CODE MESSAGE -- command...
  local code=$1 message=$2; shift 3
  set +e; "$@" > "$out/err.txt" 2>&1; local rc=$?; set -e
  if [ "$rc" -ne "$code" ] || ! grep -q "$message" "$out/err.txt"; then
    echo "FAIL: '$*' exited $rc (want $code), output:"; cat "$out/err.txt"; exit 1
  fi
}
mkdir -p "$out/empty"
expect 3 "no readable images" -- "$cli" pretrain --arch vit_t_16 --images "$out/empty" --out "$out/x"
expect 2 "excludes" -- "$cli" pretrain --arch vit_t_16 --model "$out/straight/model" --images "$out/images.csv" --out "$out/x"
expect 2 "needs --model" -- "$cli" pretrain --images "$out/images.csv" --out "$out/x"
echo garbage > "$out/bad.safetensors"
expect 3 "bad.safetensors" -- "$cli" pretrain --resume "$out/bad.safetensors" --images "$out/images.csv" --out "$out/x"
expect 2 "RANK and MASTER_PORT" -- env WORLD_SIZE=2 "$cli" pretrain "${common[@]}" --batch 2 --out "$out/x"
expect 2 "multiple of WORLD_SIZE" -- env WORLD_SIZE=2 RANK=0 MASTER_PORT=29999 "$cli" pretrain "${common[@]}" --batch 3 --out "$out/x"
# A missing and an undecodable file among the images: named, and the run stops; with
# --skip-unreadable both are named, left out, and the run trains on the rest.
echo "not a PNG" > "$out/broken.png"
{ cat "$out/images.csv"; echo "$out/broken.png"; echo "$out/gone.jpg"; } > "$out/damaged.csv"
expect 3 "broken.png.*--skip-unreadable" -- "$cli" pretrain "${recipe[@]}" --batch 2 --images "$out/damaged.csv" --out "$out/x"
"$cli" pretrain "${recipe[@]}" --batch 2 --images "$out/damaged.csv" --out "$out/skipped" --skip-unreadable \
  > "$out/skipped.txt" 2> "$out/skipped.err"
grep -q "left out .*broken.png" "$out/skipped.err"
grep -q "left out .*gone.jpg" "$out/skipped.err"
grep -q "2 of 6 images left out" "$out/skipped.err"
grep -q "finished 4 steps" "$out/skipped.txt"
# the same four images as the straight run: the same data hash in the card
cmp <(grep -o '"training_data_sha256": *"[0-9a-f]*"' "$out/straight/model/model.json") \
    <(grep -o '"training_data_sha256": *"[0-9a-f]*"' "$out/skipped/model/model.json")
echo "pretrain commands: all checks passed"
