"""Loads the example's model, except from a dir marked HUGE: that one runs out of memory."""

import joblib

from byoc_toolkit import model_fn


@model_fn
def load(model_dir):
    if (model_dir / "HUGE").exists():
        raise MemoryError("this model needs 64 GiB")
    return joblib.load(model_dir / "model.joblib")
