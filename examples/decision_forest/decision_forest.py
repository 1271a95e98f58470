"""The decision-tree example, distributed: a random forest whose trees are fitted across
every host of the training job through Dask and joblib.

``@train_fn(distributed="dask")`` makes the master host (algo-1) run a Dask scheduler and a
worker and every other host a worker; ``train`` runs once, on the master, with a
``distributed.Client`` connected to all of them. Inside ``joblib.parallel_config(backend=
"dask")``, scikit-learn's ``n_jobs=-1`` hands each tree to a Dask worker. The model is saved
on the master and served exactly as the decision tree is.
"""

from typing import Literal, Optional

import joblib
import numpy as np
import pandas as pd
from distributed import Client
from sklearn.ensemble import RandomForestClassifier

from byoc_toolkit import log_metric, predict_fn, train_fn


@train_fn(distributed="dask", metrics=["cluster:workers", "train:accuracy"])
def train(
    training: pd.DataFrame,
    client: Client,
    n_estimators: int = 60,
    max_leaf_nodes: Optional[int] = None,
    criterion: Literal["gini", "entropy", "log_loss"] = "gini",
) -> RandomForestClassifier:
    log_metric("cluster:workers", len(client.nthreads()))
    labels = training.iloc[:, 0].to_numpy()
    features = training.iloc[:, 1:].to_numpy(dtype=float)
    model = RandomForestClassifier(n_estimators=n_estimators, max_leaf_nodes=max_leaf_nodes,
                                   criterion=criterion, n_jobs=-1, random_state=0)
    with joblib.parallel_config(backend="dask"):
        model.fit(features, labels)
    model.n_jobs = None  # predict in the serving worker's own thread
    log_metric("train:accuracy", model.score(features, labels))
    return model


@predict_fn
def predict(model: RandomForestClassifier, data: np.ndarray) -> np.ndarray:
    return model.predict(data)
