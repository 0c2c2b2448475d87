#!/usr/bin/python3
"""Peer values for MetricsSklearnTest: scikit-learn's roc_auc_score and
average_precision_score on the data the C++ test generated.

usage: sklearn_metrics.py IN.json OUT.json
IN:  {"binary": [{"scores": [...], "labels": [...]}, ...],
      "multiclass": [{"probabilities": [[...], ...], "labels": [...]}, ...]}
OUT: {"binary": [{"auroc": x, "ap": y}, ...], "multiclass": [{"auroc_ovr_macro": z}, ...]}
"""
import json
import sys

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    out = {"binary": [], "multiclass": []}
    for case in data["binary"]:
        y = np.asarray(case["labels"])
        s = np.asarray(case["scores"], dtype=np.float64)
        out["binary"].append({"auroc": float(roc_auc_score(y, s)), "ap": float(average_precision_score(y, s))})
    for case in data["multiclass"]:
        y = np.asarray(case["labels"])
        p = np.asarray(case["probabilities"], dtype=np.float64)
        out["multiclass"].append({"auroc_ovr_macro": float(roc_auc_score(y, p, multi_class="ovr", average="macro"))})
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
