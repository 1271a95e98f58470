"""Request decoding and response encoding by media type.

Importing this package loads neither numpy nor pandas: each codec module is imported on
first use (numpy with it), and pandas only to build a DataFrame. Every error is a
ServingError with a one-line message: UnsupportedMediaType for a type or charset that
cannot be read, BadRequest for a malformed body, ModelError for a prediction that cannot be
written in the response type.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..errors import BadRequest, NotAcceptable, UnsupportedMediaType
from ..media_types import MediaType
from .kinds import DataKind

__all__ = ["REQUEST_TYPES", "RESPONSE_TYPES", "DataKind", "count_records", "decode",
           "encode", "encode_record_count", "preload"]

REQUEST_TYPES = ("text/csv", "application/json", "application/jsonlines", "application/x-npy",
                 "application/x-npz")
RESPONSE_TYPES = ("text/csv", "application/json", "application/jsonlines", "application/x-npy")

# "module:function" in this package, resolved on first use.
_DECODERS = {
    "text/csv": "csv_codec:decode",
    "application/json": "json_codec:decode",
    "application/jsonlines": "jsonlines_codec:decode",
    "application/x-npy": "npy_codec:decode_npy",
    "application/x-npz": "npy_codec:decode_npz",
}
_ENCODERS = {
    "text/csv": "csv_codec:encode",
    "application/json": "json_codec:encode",
    "application/jsonlines": "jsonlines_codec:encode",
    "application/x-npy": "npy_codec:encode",
}
_COUNTERS = {
    "text/csv": "csv_codec:count_records",
    "application/jsonlines": "jsonlines_codec:count_records",
}
_resolved: dict[str, Callable[..., Any]] = {}


def decode(body: bytes, media_type: MediaType, kind: DataKind = DataKind.DEFAULT) -> Any:
    """The request body (bytes or bytearray) as ``kind``.

    DEFAULT is, by type: text/csv a 2-D float64 array (a row a line); application/json the
    decoded value; application/jsonlines a list of values (a line each); application/x-npy
    the array; application/x-npz its one array, a scipy.sparse matrix, or a dict name ->
    array. BYTES returns the body untouched. See each codec's decode for the other kinds.
    """
    spec = _DECODERS.get(media_type.essence)
    if spec is None:
        raise UnsupportedMediaType(f"cannot read {media_type.essence}; supported: "
                                   f"{', '.join(REQUEST_TYPES)}")
    if not body:
        raise BadRequest("empty body")
    if kind is DataKind.BYTES:
        return body
    return _function(spec)(body, media_type, kind)


def count_records(body: bytes, media_type: MediaType) -> int | None:
    """How many records a line-based body holds (text/csv, application/jsonlines: non-blank
    lines, CSV quoting respected); None for other types or an undecodable body.

    For a body decode() accepts, this is the length of what decode() returns (rows of an
    array or DataFrame, items of a list).
    """
    spec = _COUNTERS.get(media_type.essence)
    return None if spec is None else _function(spec)(body, media_type)


def encode(prediction: Any, media_type: str) -> bytes:
    """``prediction`` written as ``media_type`` (one of RESPONSE_TYPES, parameters allowed).

    Takes numpy arrays (0-D to 2-D; numbers, booleans, strings), DataFrames, Series, lists,
    tuples, dicts (JSON types only) and scalars. text/csv and application/jsonlines give
    exactly encode_record_count(prediction) lines. ModelError when the prediction cannot
    be written as that type; NotAcceptable for a type not in RESPONSE_TYPES.
    """
    spec = _ENCODERS.get(media_type) or _ENCODERS.get(MediaType.parse(media_type).essence)
    if spec is None:
        raise NotAcceptable(f"cannot write {media_type}; supported: {', '.join(RESPONSE_TYPES)}")
    return _function(spec)(prediction)


def encode_record_count(prediction: Any) -> int:
    """How many records (lines) encode() writes for ``prediction`` as text/csv or
    application/jsonlines: the length of an array, DataFrame, Series, list or tuple, and 1
    for a 0-D array, a scalar or a dict."""
    if isinstance(prediction, (list, tuple)):
        return len(prediction)
    shape = getattr(prediction, "shape", None)  # arrays, DataFrames, Series, numpy scalars
    if isinstance(shape, tuple):
        return shape[0] if shape else 1
    return 1


def preload() -> None:
    """Import every codec now (a server does it once, before it forks its workers, so that
    no first request pays for an import)."""
    for table in (_DECODERS, _ENCODERS, _COUNTERS):
        for spec in table.values():
            _function(spec)


def _function(spec: str) -> Callable[..., Any]:
    function = _resolved.get(spec)
    if function is None:
        module, name = spec.split(":")
        function = getattr(importlib.import_module(f".{module}", __name__), name)
        _resolved[spec] = function
    return function
