"""@train_fn: registers a plain function as the container's training entry point."""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from .. import registry
from ..errors import RegistrationError
from ..model_artifacts import Saver
from ..registry import OnSigterm, TrainSpec
from .cluster.options import Dask, Distribution, LauncherName, as_distribution
from .parameters import Role, analyze

F = TypeVar("F", bound=Callable[..., Any])

_ON_SIGTERM = typing.get_args(OnSigterm)


@overload
def train_fn(func: F) -> F: ...
@overload
def train_fn(*, saver: Saver | None = None, on_sigterm: OnSigterm = "raise",
             metrics: Sequence[str] = (),
             distributed: LauncherName | Distribution | None = None) -> Callable[[F], F]: ...


def train_fn(func: Callable[..., Any] | None = None, *, saver: Saver | None = None,
             on_sigterm: OnSigterm = "raise", metrics: Sequence[str] = (),
             distributed: LauncherName | Distribution | None = None) -> Any:
    """Register ``func`` as the training function; it is returned unchanged.

    Its parameters are filled by name: hyperparameters converted by their annotations (with
    the function's defaults), channels annotated ``Channel``, ``Path`` or ``pandas.DataFrame``,
    and ``TrainingEnv``/``ResourceConfig`` for the rest. What it returns is saved into the
    model dir with joblib, or with ``saver(model, model_dir)``; None saves nothing.

    ``on_sigterm``: ``"raise"`` raises TrainingStopped inside the function when the job is
    stopped; ``"flag"`` only sets stop_requested() for the function to poll.
    ``metrics``: names logged with log_metric(), used for the job's MetricDefinitions.
    ``distributed``: ``"torchrun"``, ``"dask"`` or ``"mpi"`` (or ``Torchrun(...)``,
    ``Dask(...)``, ``Mpi(...)`` with options) starts that engine across the job's hosts; None
    runs the function on every host.
    """
    if on_sigterm not in _ON_SIGTERM:
        raise RegistrationError(f"on_sigterm must be one of {_ON_SIGTERM}, got {on_sigterm!r}")
    distribution = as_distribution(distributed)

    def register(f: F) -> F:
        parameters = analyze(f)
        client = next((p for p in parameters if p.role is Role.DASK_CLIENT), None)
        if client is not None and not isinstance(distribution, Dask):
            raise RegistrationError(f"{registry.describe(f)}: parameter {client.name} is a "
                                    f"distributed.Client: use @train_fn(distributed=\"dask\")")
        registry.current().register_train(
            TrainSpec(f, parameters, saver, on_sigterm, tuple(metrics), distribution))
        return f

    return register(func) if func is not None else register
