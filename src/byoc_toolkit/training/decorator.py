"""@train_fn: registers a plain function as the container's training entry point."""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from .. import registry
from ..errors import RegistrationError
from ..model_artifacts import Saver
from ..registry import OnSigterm, TrainSpec
from .parameters import analyze

F = TypeVar("F", bound=Callable[..., Any])

_ON_SIGTERM = typing.get_args(OnSigterm)


@overload
def train_fn(func: F) -> F: ...
@overload
def train_fn(*, saver: Saver | None = None, on_sigterm: OnSigterm = "raise",
             metrics: Sequence[str] = ()) -> Callable[[F], F]: ...


def train_fn(func: Callable[..., Any] | None = None, *, saver: Saver | None = None,
             on_sigterm: OnSigterm = "raise", metrics: Sequence[str] = ()) -> Any:
    """Register ``func`` as the training function; it is returned unchanged.

    Its parameters are filled by name: hyperparameters converted by their annotations (with
    the function's defaults), channels annotated ``Channel``, ``Path`` or ``pandas.DataFrame``,
    and ``TrainingEnv``/``ResourceConfig`` for the rest. What it returns is saved into the
    model dir with joblib, or with ``saver(model, model_dir)``; None saves nothing.

    ``on_sigterm``: ``"raise"`` raises TrainingStopped inside the function when the job is
    stopped; ``"flag"`` only sets stop_requested() for the function to poll.
    ``metrics``: names logged with log_metric(), used for the job's MetricDefinitions.
    """
    if on_sigterm not in _ON_SIGTERM:
        raise RegistrationError(f"on_sigterm must be one of {_ON_SIGTERM}, got {on_sigterm!r}")

    def register(f: F) -> F:
        registry.current().register_train(
            TrainSpec(f, analyze(f), saver, on_sigterm, tuple(metrics)))
        return f

    return register(func) if func is not None else register
