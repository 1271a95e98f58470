"""application/json, and the JSON reading and writing that application/jsonlines shares."""

from __future__ import annotations

import datetime
import json
import math
import sys
from typing import Any

import numpy as np

from ..data_kinds import DataKind
from ..errors import BadRequest, NotAcceptable
from ..media_types import MediaType
from .arrays import Locate, float_array, json_path
from .frames import frame_from_json, is_frame, is_missing, is_series
from .limits import DecodeLimits
from .text import decode_text

_WRAPPERS = ("instances", "inputs")


def decode(body: bytes, media_type: MediaType, kind: DataKind, limits: DecodeLimits) -> Any:
    """DEFAULT and JSON: the decoded value. NDARRAY: a float64 array from an array (of
    arrays) or from the array under "instances" or "inputs". DATAFRAME: see
    frames.frame_from_json, also under "instances" or "inputs"."""
    value = loads(decode_text(body, media_type))
    if kind is DataKind.NDARRAY:
        rows, locate = _unwrap(value)
        if isinstance(rows, dict):
            raise BadRequest('body: expected an array, or an object with "instances" or '
                             '"inputs", got an object without them')
        return float_array(rows, locate)
    if kind is DataKind.DATAFRAME:
        return frame_from_json(*_unwrap(value), limits)
    return value


def loads(text: str, row: int | None = None) -> Any:
    """``text`` parsed as JSON; a BadRequest names the position (and the row, if given).

    The work is bounded by Python's own limits: integers of more than 4300 digits (their
    conversion is quadratic) and nesting deeper than the recursion limit are refused."""
    where = "" if row is None else f"row {row}: "
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        position = (f"line {exc.lineno} column {exc.colno}" if row is None
                    else f"column {exc.colno}")
        raise BadRequest(f"{where}invalid JSON: {exc.msg} at {position}") from None
    except ValueError:  # int("9" * 5000): Python's limit on integer digits
        raise BadRequest(f"{where}invalid JSON: an integer has more than "
                         f"{sys.get_int_max_str_digits()} digits") from None
    except RecursionError:
        raise BadRequest(f"{where}invalid JSON: nested too deeply") from None


def encode(prediction: Any) -> bytes:
    """The prediction as one JSON document; a DataFrame is a list of row records."""
    return dumps(prediction).encode()


def dumps(value: Any) -> str:
    """``value`` as compact JSON: numpy and pandas values converted, NaN and infinities as
    null (JSON has no such numbers). NotAcceptable for what JSON cannot hold."""
    try:
        try:
            return _ENCODER.encode(value)
        except ValueError:  # a NaN or an infinity somewhere: convert the slow way
            return _ENCODER.encode(_finite(value))
    except (TypeError, ValueError, RecursionError) as exc:
        raise NotAcceptable(f"the prediction cannot be written as JSON: {exc}") from None


def _unwrap(value: Any) -> tuple[Any, Locate]:
    if isinstance(value, dict):
        keys = [key for key in _WRAPPERS if key in value]
        if len(keys) > 1:
            raise BadRequest('body: use "instances" or "inputs", not both')
        if keys:
            return value[keys[0]], json_path(keys[0])
    return value, json_path("body")


def _plain(value: Any) -> Any:
    """What the encoder writes for a value JSON has no type for."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if is_frame(value):
        return value.to_dict(orient="records")
    if is_series(value):
        return value.tolist()
    if is_missing(value):
        return None
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# ensure_ascii keeps U+2028 and friends escaped, so no reader can split a record in two.
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"), default=_plain)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if value is None or isinstance(value, (str, int)):
        return value
    return _finite(_plain(value))
