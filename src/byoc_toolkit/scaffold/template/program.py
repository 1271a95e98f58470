"""The training and serving code of this SageMaker container.

Training reads the ``training`` channel's CSV files (the label first, no header row) and fits
a logistic regression; byoc-toolkit saves the returned model into /opt/ml/model. Serving
loads it and predicts a label per row of the request (CSV, JSON, JSON Lines or npy), in the
format the request's Accept header asks for.
"""

from typing import Optional

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from byoc_toolkit import log_metric, predict_fn, train_fn


@train_fn(metrics=["train:accuracy", "validation:accuracy"])
def train(
    training: pd.DataFrame,                        # the "training" channel's CSV files
    validation: Optional[pd.DataFrame] = None,     # an optional "validation" channel
    regularization: float = 1.0,                   # hyperparameters, typed by annotation
    max_iter: int = 200,
) -> LogisticRegression:
    model = LogisticRegression(C=regularization, max_iter=max_iter)
    model.fit(_features(training), _labels(training))
    log_metric("train:accuracy", model.score(_features(training), _labels(training)))
    if validation is not None:
        log_metric("validation:accuracy",
                   model.score(_features(validation), _labels(validation)))
    return model


@predict_fn
def predict(model: LogisticRegression, data: np.ndarray) -> np.ndarray:
    return model.predict(data)


def _labels(frame: pd.DataFrame) -> np.ndarray:
    return frame.iloc[:, 0].to_numpy()


def _features(frame: pd.DataFrame) -> np.ndarray:
    return frame.iloc[:, 1:].to_numpy(dtype=float)
