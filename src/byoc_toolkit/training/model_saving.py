"""Saving what a @train_fn returns into the model dir (SageMaker tars it as model.tar.gz)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The file byoc writes a returned model to, and the one serving loads by default.
MODEL_FILE_NAME = "model.joblib"

Saver = Callable[[Any, Path], Any]


def save_model(model: Any, model_dir: Path, saver: Saver | None = None) -> Path | None:
    """Save ``model``: with ``saver(model, model_dir)`` if given, else joblib into
    model.joblib. None saves nothing (the function wrote its own files)."""
    if model is None:
        return None
    model_dir.mkdir(parents=True, exist_ok=True)
    if saver is not None:
        saver(model, model_dir)
        return model_dir
    import joblib

    target = model_dir / MODEL_FILE_NAME
    joblib.dump(model, target)
    return target
