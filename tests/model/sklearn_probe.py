#!/usr/bin/python3
"""Peer for ProbeTest: scikit-learn's multinomial LogisticRegression (lbfgs) on the
embeddings the C++ test computed, with the same standardisation (StandardScaler) and
class weights.

usage: sklearn_probe.py IN.json OUT.json
IN:  {"x": [[...], ...], "y": [...], "C": 1.0, "balanced": true}
OUT: {"probabilities": [[...], ...], "accuracy": a}
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    x = np.asarray(data["x"], dtype=np.float64)
    y = np.asarray(data["y"])
    z = StandardScaler().fit_transform(x)
    model = LogisticRegression(C=data["C"], class_weight="balanced" if data["balanced"] else None,
                               multi_class="multinomial", solver="lbfgs", max_iter=10000, tol=1e-10)
    model.fit(z, y)
    p = model.predict_proba(z)
    with open(sys.argv[2], "w") as f:
        json.dump({"probabilities": p.tolist(), "accuracy": float((p.argmax(1) == y).mean())}, f)


if __name__ == "__main__":
    main()
