"""The user module for sagemaker-inference (installed as <model dir>/code/inference.py)."""

from __future__ import annotations

import os
from typing import Any

import joblib
import numpy as np


def model_fn(model_dir: str) -> Any:
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(input_data: np.ndarray, model: Any) -> np.ndarray:
    # SIT's CSV decoder (np.genfromtxt) returns a 1-D array for a one-row body.
    return model.predict(np.asarray(input_data).reshape(-1, model.n_features_in_))
