"""Serves the example's model, but its predict_fn fails on a row whose first value is 999,
and drops a prediction when the first row's first value is 888."""

import numpy as np

from byoc_toolkit import predict_fn


@predict_fn
def predict(model, data: np.ndarray):
    if (data[:, 0] == 999).any():
        raise ValueError("feature 0 is 999, which this model refuses")
    predictions = model.predict(data)
    return predictions[1:] if data[0, 0] == 888 else predictions
