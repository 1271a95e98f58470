"""Training without byoc-toolkit: the same work as the example, as a plain script.

Usage: plain_train.py ROOT (an /opt/ml tree). Reads every CSV of the training channel with
pandas (label first, no header), fits the DecisionTreeClassifier with the job's
hyperparameters, prints the training accuracy and dumps model/model.joblib.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import joblib
import pandas as pd
from sklearn.tree import DecisionTreeClassifier


def main(root: Path) -> None:
    params = json.loads((root / "input" / "config" / "hyperparameters.json").read_text())
    files = sorted((root / "input" / "data" / "training").glob("*.csv"))
    training = pd.concat([pd.read_csv(f, header=None) for f in files])
    labels = training.iloc[:, 0].to_numpy()
    features = training.iloc[:, 1:].to_numpy(dtype=float)
    leaves = params.get("max_leaf_nodes")
    model = DecisionTreeClassifier(max_leaf_nodes=int(leaves) if leaves else None,
                                   criterion=params.get("criterion", "gini"))
    model.fit(features, labels)
    print(f"train:accuracy={model.score(features, labels)}")
    (root / "model").mkdir(exist_ok=True)
    joblib.dump(model, root / "model" / "model.joblib")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
