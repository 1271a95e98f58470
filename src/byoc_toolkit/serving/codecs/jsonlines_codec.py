"""application/jsonlines: one JSON value a line ("\\n"-separated; blank lines skipped)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data_kinds import DataKind
from ..errors import BadRequest, ServingError
from ..media_types import MediaType
from .arrays import float_array, row_path
from .frames import frame_from_json, is_frame, is_series
from .json_codec import dumps, loads
from .limits import DecodeLimits
from .text import ASCII_WHITESPACE, NO_RECORDS, ascii_bytes, count_nonblank, decode_text


def decode(body: bytes, media_type: MediaType, kind: DataKind, limits: DecodeLimits) -> Any:
    """DEFAULT and JSON: a list with one value a line. NDARRAY: a float64 array, a row a
    line. DATAFRAME: a row a line, each line a record (object), a row (array) or a value."""
    lines = [line for line in decode_text(body, media_type).split("\n")
             if line.strip(ASCII_WHITESPACE)]
    if not lines:
        raise BadRequest(NO_RECORDS)
    values = [loads(line, row) for row, line in enumerate(lines, 1)]
    if kind is DataKind.NDARRAY:
        return float_array(values, row_path)
    if kind is DataKind.DATAFRAME:
        return frame_from_json(values, row_path, limits)
    return values


def count_records(body: bytes, media_type: MediaType) -> int | None:
    """The number of non-blank lines; None for a body in a charset that cannot be read."""
    try:
        data = ascii_bytes(body, media_type)
    except ServingError:
        return None
    return count_nonblank(data.split(b"\n"))


def encode(prediction: Any) -> bytes:
    """One JSON value a line: an array's rows (or values), a DataFrame's row records, a
    list's items; a dict or a scalar is one line."""
    return "".join([dumps(record) + "\n" for record in _records(prediction)]).encode()


def _records(prediction: Any) -> list[Any]:
    records: list[Any]
    if isinstance(prediction, np.ndarray):
        records = prediction.tolist() if prediction.ndim else [prediction.tolist()]
    elif is_frame(prediction):
        records = prediction.to_dict(orient="records")
    elif is_series(prediction):
        records = prediction.tolist()
    else:
        records = list(prediction) if isinstance(prediction, (list, tuple)) else [prediction]
    return records
