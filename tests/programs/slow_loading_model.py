"""Loads the example's model after TEST_LOAD_SECONDS, as a model of many GB would."""

import os
import time

import joblib

from byoc_toolkit import model_fn


@model_fn
def load(model_dir):
    time.sleep(float(os.environ["TEST_LOAD_SECONDS"]))
    return joblib.load(model_dir / "model.joblib")
