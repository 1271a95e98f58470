"""Request decoding and response encoding by media type: one Codec per type, in one table.

Importing this package imports numpy (each codec module needs it); pandas is imported only to
build a DataFrame. Every error is a ServingError with a one-line message, whatever the body or
the prediction: UnsupportedMediaType for a type or charset that cannot be read, BadRequest for
a malformed body, PayloadTooLarge for a body that declares more than the DecodeLimits allow,
NotAcceptable for a prediction that the response type cannot carry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

from ..data_kinds import DataKind
from ..errors import BadRequest, NotAcceptable, ServingError, UnsupportedMediaType
from ..media_types import MediaType
from . import csv_codec, json_codec, jsonlines_codec, npy_codec
from .limits import DEFAULT_LIMITS, DecodeLimits

__all__ = ["CODECS", "DEFAULT_LIMITS", "REQUEST_TYPES", "RESPONSE_TYPES", "Codec",
           "DecodeLimits", "count_records", "decode", "encode", "encode_record_count",
           "media_type_of_file"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Codec:
    """What byoc can do with one media type: read requests, write responses, and (for types
    with a record a line) count a body's records."""

    media_type: str
    decode: Callable[[bytes, MediaType, DataKind, DecodeLimits], Any] | None
    encode: Callable[[Any], bytes] | None
    count_records: Callable[[bytes, MediaType], int | None] | None = None
    #: File name extensions of bodies of this type (``byoc local invoke`` goes by them).
    extensions: tuple[str, ...] = ()

    @property
    def line_based(self) -> bool:
        """One record a line: batch transform can split requests and join responses by line."""
        return self.count_records is not None


CODECS: Mapping[str, Codec] = MappingProxyType({codec.media_type: codec for codec in (
    Codec("text/csv", csv_codec.decode, csv_codec.encode, csv_codec.count_records, (".csv",)),
    Codec("application/json", json_codec.decode, json_codec.encode, extensions=(".json",)),
    Codec("application/jsonlines", jsonlines_codec.decode, jsonlines_codec.encode,
          jsonlines_codec.count_records, (".jsonl", ".jsonlines")),
    Codec("application/x-npy", npy_codec.decode_npy, npy_codec.encode, extensions=(".npy",)),
    Codec("application/x-npz", npy_codec.decode_npz, None, extensions=(".npz",)),
)})
REQUEST_TYPES = tuple(name for name, codec in CODECS.items() if codec.decode is not None)
RESPONSE_TYPES = tuple(name for name, codec in CODECS.items() if codec.encode is not None)


def decode(body: bytes, media_type: MediaType, kind: DataKind = DataKind.DEFAULT,
           limits: DecodeLimits = DEFAULT_LIMITS) -> Any:
    """The request body (bytes or bytearray) as ``kind``.

    DEFAULT is, by type: text/csv a 2-D float64 array (a row a line); application/json the
    decoded value; application/jsonlines a list of values (a line each); application/x-npy
    the array; application/x-npz its one array, a scipy.sparse matrix, or a dict name ->
    array. BYTES returns the body untouched. See each codec's decode for the other kinds.

    Only ServingErrors (and MemoryError) come out: any other exception a library raises on
    a body is that body's fault, a BadRequest (logged with its traceback, as it means a
    check is missing here).
    """
    codec = CODECS.get(media_type.essence)
    if codec is None or codec.decode is None:
        raise UnsupportedMediaType(f"cannot read {media_type.essence}; supported: "
                                   f"{', '.join(REQUEST_TYPES)}")
    if not body:
        raise BadRequest("empty body")
    if kind is DataKind.BYTES:
        return body
    try:
        return codec.decode(body, media_type, kind, limits)
    except (ServingError, MemoryError):
        raise
    except Exception as exc:
        _log.warning("unexpected error reading a %s body", media_type.essence, exc_info=True)
        raise BadRequest(f"the body cannot be read as {media_type.essence}: "
                         f"{type(exc).__name__}: {exc}") from None


def count_records(body: bytes, media_type: MediaType) -> int | None:
    """How many records a line-based body holds (non-blank lines, CSV quoting respected);
    None for other types or an undecodable body.

    For a body decode() accepts, this is the length of what decode() returns (rows of an
    array or DataFrame, items of a list).
    """
    codec = CODECS.get(media_type.essence)
    return None if codec is None or codec.count_records is None else codec.count_records(
        body, media_type)


def encode(prediction: Any, media_type: str) -> bytes:
    """``prediction`` written as ``media_type`` (one of RESPONSE_TYPES, parameters allowed).

    Takes numpy arrays (0-D to 2-D; numbers, booleans, strings), DataFrames, Series, lists
    (of values, rows or dicts), tuples, dicts (JSON types only) and scalars. text/csv and
    application/jsonlines give exactly encode_record_count(prediction) lines. NotAcceptable
    for a type not in RESPONSE_TYPES and for a prediction that the type cannot carry; no
    other exception comes out.
    """
    codec = CODECS.get(media_type) or CODECS.get(MediaType.parse(media_type).essence)
    if codec is None or codec.encode is None:
        raise NotAcceptable(f"cannot write {media_type}; supported: {', '.join(RESPONSE_TYPES)}")
    try:
        return codec.encode(prediction)
    except (ServingError, MemoryError):
        raise
    except Exception as exc:
        _log.warning("unexpected error writing a prediction as %s", codec.media_type,
                     exc_info=True)
        raise NotAcceptable(f"the prediction ({type(prediction).__name__}) cannot be written "
                            f"as {codec.media_type}: {type(exc).__name__}: {exc}") from None


def encode_record_count(prediction: Any) -> int:
    """How many records (lines) encode() writes for ``prediction`` as a line-based type: the
    length of an array, DataFrame, Series, list or tuple, and 1 for a 0-D array, a scalar or a
    dict."""
    if isinstance(prediction, (list, tuple)):
        return len(prediction)
    shape = getattr(prediction, "shape", None)  # arrays, DataFrames, Series, numpy scalars
    if isinstance(shape, tuple):
        return shape[0] if shape else 1
    return 1


def media_type_of_file(path: str) -> str | None:
    """The media type of a body stored in a file, by its name's extension (``.csv``,
    ``.json``, ``.jsonl``, ``.npy``, ``.npz``); None for any other name."""
    suffix = PurePath(path).suffix.lower()
    return next((codec.media_type for codec in CODECS.values() if suffix in codec.extensions),
                None)
