"""Serves the example's model, but its predict_fn fails on a row whose first value is 999."""

import numpy as np

from byoc_toolkit import predict_fn


@predict_fn
def predict(model, data: np.ndarray):
    if (data[:, 0] == 999).any():
        raise ValueError("feature 0 is 999, which this model refuses")
    return model.predict(data)
