"""The classic scikit_bring_your_own decision tree, written with byoc-toolkit.

Training reads the ``training`` channel's CSV files (label first, no header) and fits a
DecisionTreeClassifier; byoc saves the returned model into the model dir. Serving takes
rows of the four features (CSV, JSON, JSON Lines or npy) and answers one predicted species
a row, in the format the request's Accept header asks for (CSV by default for CSV input).
"""

from typing import Literal, Optional

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from byoc_toolkit import log_metric, predict_fn, train_fn


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


@predict_fn
def predict(model: DecisionTreeClassifier, data: np.ndarray) -> np.ndarray:
    return model.predict(data)
