"""Request decoding and response encoding by media type: one Codec per type, in one table.

Importing this package imports numpy (each codec module needs it); pandas is imported only to
build a DataFrame. Every error is a ServingError with a one-line message: UnsupportedMediaType
for a type or charset that cannot be read, BadRequest for a malformed body, ModelError for a
prediction that cannot be written in the response type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..data_kinds import DataKind
from ..errors import BadRequest, NotAcceptable, UnsupportedMediaType
from ..media_types import MediaType
from . import csv_codec, json_codec, jsonlines_codec, npy_codec

__all__ = ["CODECS", "REQUEST_TYPES", "RESPONSE_TYPES", "Codec", "count_records", "decode",
           "encode", "encode_record_count"]


@dataclass(frozen=True)
class Codec:
    """What byoc can do with one media type: read requests, write responses, and (for types
    with a record a line) count a body's records."""

    media_type: str
    decode: Callable[[bytes, MediaType, DataKind], Any] | None
    encode: Callable[[Any], bytes] | None
    count_records: Callable[[bytes, MediaType], int | None] | None = None

    @property
    def line_based(self) -> bool:
        """One record a line: batch transform can split requests and join responses by line."""
        return self.count_records is not None


CODECS: Mapping[str, Codec] = MappingProxyType({codec.media_type: codec for codec in (
    Codec("text/csv", csv_codec.decode, csv_codec.encode, csv_codec.count_records),
    Codec("application/json", json_codec.decode, json_codec.encode),
    Codec("application/jsonlines", jsonlines_codec.decode, jsonlines_codec.encode,
          jsonlines_codec.count_records),
    Codec("application/x-npy", npy_codec.decode_npy, npy_codec.encode),
    Codec("application/x-npz", npy_codec.decode_npz, None),
)})
REQUEST_TYPES = tuple(name for name, codec in CODECS.items() if codec.decode is not None)
RESPONSE_TYPES = tuple(name for name, codec in CODECS.items() if codec.encode is not None)


def decode(body: bytes, media_type: MediaType, kind: DataKind = DataKind.DEFAULT) -> Any:
    """The request body (bytes or bytearray) as ``kind``.

    DEFAULT is, by type: text/csv a 2-D float64 array (a row a line); application/json the
    decoded value; application/jsonlines a list of values (a line each); application/x-npy
    the array; application/x-npz its one array, a scipy.sparse matrix, or a dict name ->
    array. BYTES returns the body untouched. See each codec's decode for the other kinds.
    """
    codec = CODECS.get(media_type.essence)
    if codec is None or codec.decode is None:
        raise UnsupportedMediaType(f"cannot read {media_type.essence}; supported: "
                                   f"{', '.join(REQUEST_TYPES)}")
    if not body:
        raise BadRequest("empty body")
    if kind is DataKind.BYTES:
        return body
    return codec.decode(body, media_type, kind)


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

    Takes numpy arrays (0-D to 2-D; numbers, booleans, strings), DataFrames, Series, lists,
    tuples, dicts (JSON types only) and scalars. text/csv and application/jsonlines give
    exactly encode_record_count(prediction) lines. ModelError when the prediction cannot
    be written as that type; NotAcceptable for a type not in RESPONSE_TYPES.
    """
    codec = CODECS.get(media_type) or CODECS.get(MediaType.parse(media_type).essence)
    if codec is None or codec.encode is None:
        raise NotAcceptable(f"cannot write {media_type}; supported: {', '.join(RESPONSE_TYPES)}")
    return codec.encode(prediction)


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
