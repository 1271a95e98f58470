"""@predict_fn, @model_fn, @decoder and @encoder: how a program plugs into serving.

Like @train_fn they register a plain function and return it unchanged.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from .. import registry
from ..errors import RegistrationError
from ..registry import LoaderSpec, PredictSpec, describe
from .data_kinds import DataKind
from .media_types import MediaType

F = TypeVar("F", bound=Callable[..., Any])


def predict_fn(func: F) -> F:
    """Register ``func(model, data) -> prediction`` as the inference function.

    The annotation of ``data`` chooses what the request body is decoded into:
    ``numpy.ndarray``, ``pandas.DataFrame``, ``list``/``dict`` (parsed JSON) or ``bytes``;
    without one, each content type's default (CSV and npy give an ndarray, JSON the parsed
    value). The return value is encoded according to the request's Accept header.
    """
    params = list(inspect.signature(func).parameters.values())
    if len(params) != 2 or any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        raise RegistrationError(f"@predict_fn {describe(func)} must take exactly "
                                "(model, data)")
    try:
        hints = typing.get_type_hints(func)
    except Exception as exc:
        raise RegistrationError(
            f"cannot resolve the annotations of {describe(func)}: {exc}") from None
    kind = _data_kind(hints.get(params[1].name))
    registry.current().register_predict(PredictSpec(func, kind))
    return func


def model_fn(func: F) -> F:
    """Register ``func(model_dir: Path) -> model``, replacing the default loader (joblib's
    model.joblib). It runs once per model at start-up, before the server reports ready."""
    if len(inspect.signature(func).parameters) != 1:
        raise RegistrationError(f"@model_fn {describe(func)} must take exactly (model_dir)")
    registry.current().register_model_loader(LoaderSpec(func))
    return func


def decoder(content_type: str) -> Callable[[F], F]:
    """Register ``func(body: bytes, media_type) -> data`` for requests of ``content_type``
    (replacing the built-in decoder, or adding a type); its result goes to predict_fn."""
    return _codec(content_type, lambda program: program.decoders)


def encoder(content_type: str) -> Callable[[F], F]:
    """Register ``func(prediction) -> bytes`` for responses of ``content_type`` (replacing
    the built-in encoder, or adding a type that Accept can then ask for)."""
    return _codec(content_type, lambda program: program.encoders)


def _codec(content_type: str,
           table: Callable[[registry.Registry], dict[str, Callable[..., Any]]]
           ) -> Callable[[F], F]:
    essence = MediaType.parse(content_type).essence

    def register(func: F) -> F:
        table(registry.current())[essence] = func
        return func

    return register


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
