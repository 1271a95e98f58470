"""Loading the model a worker serves: the user's @model_fn, else joblib's model.joblib."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..training.model_saving import MODEL_FILE_NAME
from .decorators import LoaderSpec


class ModelLoadError(Exception):
    """The model directory holds nothing the loader can use."""


def load_model(model_dir: Path, loader: LoaderSpec | None) -> Any:
    """The model in ``model_dir``, loaded once per worker process before it serves."""
    if not model_dir.is_dir():
        raise ModelLoadError(f"model dir {model_dir} does not exist")
    if loader is not None:
        return loader.func(model_dir)
    path = model_dir / MODEL_FILE_NAME
    if not path.is_file():
        found = ", ".join(sorted(p.name for p in model_dir.iterdir())[:10]) or "nothing"
        raise ModelLoadError(
            f"no {MODEL_FILE_NAME} in {model_dir} (found: {found}); return the model from "
            "@train_fn or register a @model_fn that loads it")
    import joblib

    return joblib.load(path)
