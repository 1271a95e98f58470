"""The classic scikit_bring_your_own decision tree, written with byoc-toolkit.

Training reads the ``training`` channel's CSV files (label first, no header) and fits a
DecisionTreeClassifier; byoc saves the returned model into the model dir.
"""

from typing import Literal, Optional

import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from byoc_toolkit import log_metric, train_fn


@train_fn(metrics=["train:accuracy"])
def train(
    training: pd.DataFrame,
    max_leaf_nodes: Optional[int] = None,
    criterion: Literal["gini", "entropy", "log_loss"] = "gini",
) -> DecisionTreeClassifier:
    labels = training.iloc[:, 0].to_numpy()
    features = training.iloc[:, 1:].to_numpy(dtype=float)
    model = DecisionTreeClassifier(max_leaf_nodes=max_leaf_nodes, criterion=criterion)
    model.fit(features, labels)
    log_metric("train:accuracy", model.score(features, labels))
    return model
