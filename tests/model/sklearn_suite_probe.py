#!/usr/bin/python3
"""Peer for EvaluationSuiteTest: scikit-learn's multinomial LogisticRegression (lbfgs,
standardised features, balanced class weights) fitted on the training embeddings and scored
on the test embeddings with roc_auc_score (binary, or macro one-vs-rest) and accuracy.

usage: sklearn_suite_probe.py IN.json OUT.json
IN:  {"x_train": [[...]], "y_train": [...], "x_test": [[...]], "y_test": [...], "C": 1.0}
OUT: {"auroc": a, "accuracy": b}
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    scaler = StandardScaler().fit(np.asarray(data["x_train"], dtype=np.float64))
    model = LogisticRegression(C=data["C"], class_weight="balanced", multi_class="multinomial", solver="lbfgs",
                               max_iter=10000, tol=1e-10)
    model.fit(scaler.transform(np.asarray(data["x_train"], dtype=np.float64)), np.asarray(data["y_train"]))
    p = model.predict_proba(scaler.transform(np.asarray(data["x_test"], dtype=np.float64)))
    y = np.asarray(data["y_test"])
    auroc = roc_auc_score(y, p[:, 1]) if p.shape[1] == 2 else roc_auc_score(y, p, multi_class="ovr", average="macro")
    with open(sys.argv[2], "w") as f:
        json.dump({"auroc": float(auroc), "accuracy": float((p.argmax(1) == y).mean())}, f)


if __name__ == "__main__":
    main()
