"""Serves the example's model; a row whose first value is negative sleeps that many seconds."""

import time

import numpy as np

from byoc_toolkit import predict_fn


@predict_fn
def predict(model, data: np.ndarray):
    if data[0, 0] < 0:
        time.sleep(-data[0, 0])
    return model.predict(np.abs(data))
