"""@predict_fn, @model_fn, @decoder and @encoder: how a program plugs into serving.

Like @train_fn they register a plain function and return it unchanged.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .. import registry
from ..errors import RegistrationError
from ..registry import Hook, LoaderSpec, PredictSpec, describe
from .context import RequestContext
from .data_kinds import DataKind
from .media_types import MediaType

F = TypeVar("F", bound=Callable[..., Any])


def predict_fn(func: F) -> F:
    """Register ``func(model, data) -> prediction`` as the inference function.

    The annotation of ``data`` chooses what the request body is decoded into:
    ``numpy.ndarray``, ``pandas.DataFrame``, ``list``/``dict`` (parsed JSON) or ``bytes``;
    without one, each content type's default (CSV and npy give an ndarray, JSON the parsed
    value). The return value is encoded according to the request's Accept header. A third
    parameter annotated ``RequestContext`` receives the request's context.
    """
    params, hints = _signature(func, "@predict_fn", "(model, data)", 2)
    kind = _data_kind(hints.get(params[1].name))
    registry.current().register_predict(
        PredictSpec(func, takes_context=len(params) == 3, data_kind=kind))
    return func


@overload
def model_fn(func: F, /) -> F: ...


@overload
def model_fn(*, per_worker: bool = False) -> Callable[[F], F]: ...


def model_fn(func: F | None = None, /, *, per_worker: bool = False) -> F | Callable[[F], F]:
    """Register ``func(model_dir: Path) -> model``, replacing the default loader (joblib's
    model.joblib). It runs before the server reports ready.

    By default the model is loaded once and the workers are forked from that process, sharing
    its memory. ``@model_fn(per_worker=True)`` loads it in each worker process instead, in
    parallel, and never forks a process that loaded it: for models that do not survive a fork
    (CUDA, many native runtimes). Such a function may take a second parameter, the worker's
    ``WorkerInfo`` (index, GPU, device).
    """

    def register(loader: F) -> F:
        count = len(inspect.signature(loader).parameters)
        if count not in (1, 2) or (count == 2 and not per_worker):
            expected = "(model_dir) or (model_dir, worker)" if per_worker else "(model_dir)"
            hint = "" if per_worker else " (a worker parameter needs per_worker=True)"
            raise RegistrationError(f"@model_fn {describe(loader)} must take exactly "
                                    f"{expected}{hint}")
        registry.current().register_model_loader(
            LoaderSpec(loader, per_worker=per_worker, takes_worker=count == 2))
        return loader

    return register if func is None else register(func)


def decoder(content_type: str) -> Callable[[F], F]:
    """Register ``func(body: bytes, media_type) -> data`` for requests of ``content_type``
    (replacing the built-in decoder, or adding a type); its result goes to predict_fn. A third
    parameter annotated ``RequestContext`` receives the request's context."""
    return _codec(content_type, "@decoder", "(body, media_type)", 2,
                  lambda program: program.decoders)


def encoder(content_type: str) -> Callable[[F], F]:
    """Register ``func(prediction) -> bytes`` for responses of ``content_type`` (replacing
    the built-in encoder, or adding a type that Accept can then ask for). A second parameter
    annotated ``RequestContext`` receives the request's context."""
    return _codec(content_type, "@encoder", "(prediction)", 1,
                  lambda program: program.encoders)


def _codec(content_type: str, decorator: str, takes: str, arity: int,
           table: Callable[[registry.Registry], dict[str, Hook]]) -> Callable[[F], F]:
    essence = MediaType.parse(content_type).essence

    def register(func: F) -> F:
        params, _ = _signature(func, decorator, takes, arity)
        table(registry.current())[essence] = Hook(func, takes_context=len(params) > arity)
        return func

    return register


def _signature(func: Callable[..., Any], decorator: str, takes: str,
               arity: int) -> tuple[list[inspect.Parameter], dict[str, Any]]:
    """The parameters and resolved annotations of a hook taking ``arity`` arguments, or one
    more annotated RequestContext; RegistrationError for any other signature."""
    params = list(inspect.signature(func).parameters.values())
    usage = (f"{decorator} {describe(func)} must take {takes}, optionally followed by a "
             "parameter annotated RequestContext")
    if len(params) not in (arity, arity + 1) or any(
            p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY) for p in params):
        raise RegistrationError(usage)
    try:
        hints = typing.get_type_hints(func)
    except Exception as exc:
        raise RegistrationError(
            f"cannot resolve the annotations of {describe(func)}: {exc}") from None
    if len(params) > arity and hints.get(params[-1].name) is not RequestContext:
        raise RegistrationError(usage)
    return params, hints


def _data_kind(annotation: Any) -> DataKind:
    if annotation is None or annotation is Any:
        return DataKind.DEFAULT
    origin = typing.get_origin(annotation) or annotation
    if origin in (list, dict, tuple):
        return DataKind.JSON
    if origin in (bytes, bytearray):
        return DataKind.BYTES
    # By name, so that registering a function needs neither numpy nor pandas imported here.
    module = getattr(origin, "__module__", "")
    name = getattr(origin, "__name__", "")
    if module.startswith("numpy") and name == "ndarray":
        return DataKind.NDARRAY
    if module.startswith("pandas") and name == "DataFrame":
        return DataKind.DATAFRAME
    raise RegistrationError(
        f"unsupported annotation for predict_fn data: {annotation!r}; use numpy.ndarray, "
        "pandas.DataFrame, list, dict or bytes (or none)")
