"""A program whose model cannot load."""

from byoc_toolkit import model_fn


@model_fn
def load(model_dir):
    raise RuntimeError(f"cannot load the model from {model_dir}: weights are corrupt")
