"""What a user's program registers with the decorators: one typed spec per role, plus codec
overrides. The decorators build the specs; ``byoc train`` and ``byoc serve`` read them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .errors import RegistrationError
from .serving.data_kinds import DataKind

if TYPE_CHECKING:
    from .model_artifacts import Saver
    from .serving.context import RequestContext
    from .training.cluster.options import Distribution
    from .training.parameters import Parameter

#: What SIGTERM does to a running @train_fn: raise TrainingStopped in it, or only set a flag.
OnSigterm = Literal["raise", "flag"]


@dataclass(frozen=True)
class TrainSpec:
    """A ``@train_fn``: the function, how its parameters are filled, and its options."""

    func: Callable[..., Any]
    parameters: tuple[Parameter, ...]
    saver: Saver | None = None
    on_sigterm: OnSigterm = "raise"
    metrics: tuple[str, ...] = ()
    #: How the function is spread over the job's hosts; None: it runs on every host.
    distribution: Distribution | None = None


@dataclass(frozen=True)
class Hook:
    """A function of the program that serving calls for each request (``@predict_fn``,
    ``@decoder``, ``@encoder``), and whether its last parameter takes the RequestContext."""

    func: Callable[..., Any]
    takes_context: bool = False

    def __call__(self, *args: Any, context: RequestContext) -> Any:
        """``func(*args)``, with ``context`` added as the last argument if it takes one."""
        return self.func(*args, context) if self.takes_context else self.func(*args)


@dataclass(frozen=True)
class PredictSpec(Hook):
    """A ``@predict_fn``: the function and what its ``data`` is decoded into."""

    data_kind: DataKind = DataKind.DEFAULT


@dataclass(frozen=True)
class LoaderSpec:
    """A ``@model_fn``: loads the model from its directory. ``per_worker``: in each worker
    process, which is never forked afterwards (fork-unsafe models, GPUs), instead of once
    before the workers fork; ``takes_worker``: the function's second parameter receives the
    worker's ``WorkerInfo``."""

    func: Callable[..., Any]
    per_worker: bool = False
    takes_worker: bool = False




@dataclass
class Registry:
    """What the user's program declared: at most one of each role, plus codec overrides by
    media type (essence)."""

    train: TrainSpec | None = None
    predict: PredictSpec | None = None
    model_loader: LoaderSpec | None = None
    #: ``@decoder``s: ``(body, media_type[, context]) -> data``.
    decoders: dict[str, Hook] = field(default_factory=dict)
    #: ``@encoder``s: ``(prediction[, context]) -> bytes``.
    encoders: dict[str, Hook] = field(default_factory=dict)

    def register_train(self, spec: TrainSpec) -> None:
        _check_once("@train_fn", self.train, spec.func)
        self.train = spec

    def register_predict(self, spec: PredictSpec) -> None:
        _check_once("@predict_fn", self.predict, spec.func)
        self.predict = spec

    def register_model_loader(self, spec: LoaderSpec) -> None:
        _check_once("@model_fn", self.model_loader, spec.func)
        self.model_loader = spec


def describe(func: Callable[..., Any]) -> str:
    """``name() in file:line`` for messages."""
    code = getattr(func, "__code__", None)
    where = f" in {code.co_filename}:{code.co_firstlineno}" if code else ""
    return f"{getattr(func, '__qualname__', func)!s}(){where}"


def _check_once(decorator: str, current: TrainSpec | PredictSpec | LoaderSpec | None,
                func: Callable[..., Any]) -> None:
    if current is not None and _identity(current.func) != _identity(func):
        raise RegistrationError(f"a second {decorator}: {describe(func)} (already registered: "
                                f"{describe(current.func)})")


def _identity(func: Callable[..., Any]) -> tuple[str, str]:
    # A program imported twice defines new function objects with the same names.
    return getattr(func, "__module__", ""), getattr(func, "__qualname__", "")


_current = Registry()


def current() -> Registry:
    """The registry the decorators write to."""
    return _current


def reset() -> Registry:
    """Start from an empty registry (before loading a program)."""
    global _current
    _current = Registry()
    return _current
