"""Serving apps built in-process from a plain function, through @predict_fn as a program
registers it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib

from byoc_toolkit import predict_fn
from byoc_toolkit.registry import reset
from byoc_toolkit.serving.inference import InferenceApp
from byoc_toolkit.serving.settings import ServingSettings


def placeholder_model(directory: Path) -> Path:
    """``directory`` with a model.joblib that the default loader reads (a string)."""
    joblib.dump("a model", directory / "model.joblib")
    return directory


def app_of(predict: Callable[[Any, Any], Any], annotation: Any, model_dir: Path,
           settings: ServingSettings | None = None) -> InferenceApp:
    """The app of a program whose only @predict_fn is ``predict(model, data)``, its ``data``
    annotated ``annotation`` (None: no annotation)."""
    program = reset()

    def registered(model: Any, data: Any) -> Any:
        return predict(model, data)

    if annotation is not None:
        registered.__annotations__["data"] = annotation
    predict_fn(registered)
    return InferenceApp.setup(program, model_dir, settings or ServingSettings())
