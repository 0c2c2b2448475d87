#!/usr/bin/env bash
# meridian-cli evaluate-suite end to end on a small subset of the real evaluation set
# (packaging/make-eval-data.sh): every task x backbone row in --json with consistent numbers,
# the table without it, and a suite with a class absent from the test side refused (exit 3)
# with the reason.
#   evaluate_suite.sh MERIDIAN_CLI EVAL_DATA MODEL_DIR OUT_DIR
set -euo pipefail
cli=$1 data=$(cd "$2" && pwd) model=$3 out=$4
rm -rf "$out" && mkdir -p "$out"
small=(--max-train-per-class 6 --max-test-per-class 4 --dino-steps 1 --dino-batch 4 --dino-local-crops 2
       --dino-prototypes 64 --bootstrap 100 --seed 2 --cache "$out/cache")

"$cli" evaluate-suite --model "$model" --suite "$data/suite.json" "${small[@]}" --json > "$out/suite.json"
/usr/bin/python3 - "$out/suite.json" "$data/suite.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
suite = json.load(open(sys.argv[2]))
tasks = [t["name"] for t in suite["tasks"]]
rows = report["results"]
assert [(r["task"], r["backbone"]) for r in rows] == [(t, b) for t in tasks
                                                      for b in ("random_init", "model", "continued_dino")], rows
for r in rows:
    k = len(r["labels"])
    assert k >= 2 and r["test_images"] == 4 * k and r["train_images"] == 6 * k, r
    lo, hi = r["auroc_ci"]
    assert 0.0 <= lo <= r["auroc"] <= hi <= 1.0, r
    lo, hi = r["accuracy_ci"]
    assert 0.0 <= lo <= r["accuracy"] <= hi <= 1.0, r
    assert sum(map(sum, r["confusion"])) == r["test_images"], r
    assert [c["label"] for c in r["per_class"]] == r["labels"], r
    assert sum(c["count"] for c in r["per_class"]) == r["test_images"], r
    for c in r["per_class"]:
        lo, hi = c["auroc_ci"]
        assert 0.0 <= lo <= c["auroc"] <= hi <= 1.0, r
    if k == 2:  # binary: one-vs-rest of either class is the same ranking
        assert abs(r["per_class"][1]["auroc"] - r["auroc"]) < 1e-9, r
    if r["backbone"] == "continued_dino":
        assert r["dino"]["steps"] == 1, r
print("json ok:", len(rows), "rows")
PY

"$cli" evaluate-suite --model "$model" --suite "$data/suite.json" "${small[@]}" --task ihc --backbone model > "$out/table.txt"
grep -q "^ihc  *model  *12  *8  " "$out/table.txt"

# A task whose test side lacks a class: refused before any image is embedded.
mkdir -p "$out/bad"
head -n 1 "$data/ihc/test.csv" > "$out/bad/test.csv"
grep ',dab_negative,' "$data/ihc/test.csv" | head -n 2 | sed "s|^|$data/ihc/|" >> "$out/bad/test.csv"
sed "1! s|^|$data/ihc/|" "$data/ihc/train.csv" > "$out/bad/train.csv"
echo '{"tasks": [{"name": "ihc-bad", "train": "train.csv", "test": "test.csv"}]}' > "$out/bad/suite.json"
set +e
"$cli" evaluate-suite --model "$model" --suite "$out/bad/suite.json" 2> "$out/bad.err"
code=$?
set -e
test "$code" -eq 3 || { echo "expected exit 3, got $code"; cat "$out/bad.err"; exit 1; }
grep -q "class 'dab_positive' has training images but no test image" "$out/bad.err"
echo "evaluate-suite: all checks passed"
