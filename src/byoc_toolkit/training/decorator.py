"""@train_fn: registers a plain function as the container's training entry point."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from .. import registry
from . import stopping
from .model_saving import Saver
from .parameters import Parameter, analyze

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class TrainSpec:
    func: Callable[..., Any]
    parameters: tuple[Parameter, ...]
    saver: Saver | None = None
    on_sigterm: str = stopping.RAISE
    metrics: tuple[str, ...] = ()


@overload
def train_fn(func: F) -> F: ...
@overload
def train_fn(*, saver: Saver | None = None, on_sigterm: str = stopping.RAISE,
             metrics: Sequence[str] = ()) -> Callable[[F], F]: ...


def train_fn(func: Callable[..., Any] | None = None, *, saver: Saver | None = None,
             on_sigterm: str = stopping.RAISE, metrics: Sequence[str] = ()) -> Any:
    """Register ``func`` as the training function; it is returned unchanged.

    Its parameters are filled by name: hyperparameters converted by their annotations (with
    the function's defaults), channels annotated ``Channel``, ``Path`` or ``pandas.DataFrame``,
    and ``TrainingEnv``/``ResourceConfig`` for the rest. What it returns is saved into the
    model dir with joblib, or with ``saver(model, model_dir)``; None saves nothing.

    ``on_sigterm``: ``"raise"`` raises TrainingStopped inside the function when the job is
    stopped; ``"flag"`` only sets stop_requested() for the function to poll.
    ``metrics``: names logged with log_metric(), used for the job's MetricDefinitions.
    """
    if on_sigterm not in stopping.MODES:
        raise registry.RegistrationError(
            f"on_sigterm must be one of {stopping.MODES}, got {on_sigterm!r}")

    def register(f: F) -> F:
        spec = TrainSpec(f, analyze(f), saver, on_sigterm, tuple(metrics))
        registry.current().set_once("train", spec, f)
        return f

    return register(func) if func is not None else register
