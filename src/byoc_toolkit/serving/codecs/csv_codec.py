"""text/csv: no header row (SageMaker's convention), one record a line, RFC 4180 quoting.

A record is a CSV row; rows whose raw text is only whitespace are blank and skipped, in
decoding and in counting alike. Responses end every record with "\\n" and quote any field
that holds a comma, a quote or a line break, so a response has exactly one line a record.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..data_kinds import DataKind
from ..errors import BadRequest, ModelError, ServingError, count_of, excerpt
from ..media_types import MediaType
from .frames import floats_from_large_csv, frame_from_csv, is_frame, is_series
from .text import ASCII_WHITESPACE, NO_RECORDS, ascii_bytes, count_nonblank, decode_text

# Below about 200 bytes float() on split bytes beats np.loadtxt's set-up (measured 1.0 us
# against 2.2 us for one row of four numbers); above, loadtxt's C parser wins.
_SMALL_BODY = 128
# Batch-transform sizes: pandas' parser (a dependency already) is 2-3 times as fast.
_LARGE_BODY = 1 << 20
_NEEDS_QUOTES = re.compile(r'[",\r\n]')
_BLANKS = " \t\x0b\x0c"
_NOT_SCALAR = (list, tuple, dict, set, frozenset, bytes, bytearray, np.ndarray)


def decode(body: bytes, media_type: MediaType, kind: DataKind) -> Any:
    """NDARRAY and DEFAULT: a 2-D float64 array, a row per record (an empty field is NaN).
    DATAFRAME: pandas' reading with integer column names. JSON: a list of rows of strings."""
    if kind is DataKind.NDARRAY or kind is DataKind.DEFAULT:
        return _numbers(body, media_type)
    text = decode_text(body, media_type)
    rows = _rows(text)
    return rows if kind is DataKind.JSON else frame_from_csv(text, len(rows[0]))


def count_records(body: bytes, media_type: MediaType) -> int | None:
    """The number of records; None for an unknown charset or a quoted body that cannot be
    decoded."""
    try:
        data = ascii_bytes(body, media_type)
        if b'"' not in data:  # no quoting: a record is a line
            return count_nonblank(data.splitlines())
        return sum(1 for _ in records(decode_text(body, media_type)))
    except ServingError:
        return None


def records(text: str) -> Iterator[list[str]]:
    """The CSV rows of ``text``, blank ones left out; BadRequest for what csv cannot read."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    # The reader takes exactly the lines of one row before yielding it, so ``consumed`` is
    # that row's raw text: only there can a blank line be told from a quoted empty field.
    reader = csv.reader(lines())
    try:
        for row in reader:
            raw = "".join(consumed)
            consumed.clear()
            if raw.strip(ASCII_WHITESPACE):
                yield row
    except csv.Error as exc:
        raise BadRequest(f"invalid CSV at line {reader.line_num}: {exc}") from None


def _numbers(body: bytes, media_type: MediaType) -> np.ndarray:
    data = ascii_bytes(body, media_type)
    if data and not data.isspace():
        try:
            if len(data) < _SMALL_BODY:
                return np.array([[float(field) for field in line.split(b",")]
                                 for line in data.splitlines() if line], dtype=np.float64)
            if len(data) >= _LARGE_BODY:
                array = floats_from_large_csv(data)
                if array is not None:
                    return array
            return np.loadtxt(io.BytesIO(data), dtype=np.float64, delimiter=",", comments=None,
                              ndmin=2)
        except ValueError:
            pass  # the exact message, or quoted or empty fields: read it again the slow way
    return np.array([[_number(field, row, column) for column, field in enumerate(fields, 1)]
                     for row, fields in enumerate(_rows(decode_text(body, media_type)), 1)])


def _rows(text: str) -> list[list[str]]:
    rows = list(records(text))
    if not rows:
        raise BadRequest(NO_RECORDS)
    width = len(rows[0])
    for number, row in enumerate(rows, 1):
        if len(row) != width:
            raise BadRequest(f"row {number} has {count_of(len(row), 'field')}, expected {width}")
    return rows


def _number(field: str, row: int, column: int) -> float:
    if not field.strip():
        return np.nan  # an empty field is a missing value
    try:
        return float(field)
    except ValueError:
        hint = " (text/csv requests have no header row)" if row == 1 else ""
        raise BadRequest(f"row {row}, field {column}: {excerpt(field)} is not a number{hint}"
                         ) from None


def encode(prediction: Any) -> bytes:
    """One line a record: a 1-D array or list gives one value a line, a 2-D array or a
    DataFrame one row a line (no header, no index); a scalar is one record."""
    values, ndim, numeric = _records(prediction)
    if not values:
        return b""
    if numeric:  # numbers never need quoting
        text = ("\n".join([",".join(map(str, row)) for row in values]) if ndim == 2
                else "\n".join(map(str, values)))
    else:
        plain = _join_plain(values, ndim)
        text = plain if plain is not None else "\n".join(
            [_line(value, row) for row, value in enumerate(values, 1)])
    return (text + "\n").encode()


def _records(prediction: Any) -> tuple[list[Any], int, bool]:
    """The records as Python values, their depth (1: a value each, 2: a row each) and
    whether they are known to be numbers."""
    if is_frame(prediction) or is_series(prediction):
        prediction = prediction.to_numpy()
    if isinstance(prediction, np.ndarray):
        if prediction.ndim > 2:
            raise ModelError(f"a {prediction.ndim}-D array cannot be written as text/csv; "
                             "return a 1-D or 2-D array")
        values = prediction.tolist()
        numeric = prediction.dtype.kind in "biuf" and prediction.shape[-1:] != (0,)
        return (values if prediction.ndim else [values]), max(prediction.ndim, 1), numeric
    if isinstance(prediction, dict):
        raise ModelError("a dict cannot be written as text/csv; return an array, a list or a "
                         "DataFrame, or ask for application/json")
    if isinstance(prediction, (list, tuple)):
        return list(prediction), 1, False
    return [prediction], 1, False


def _join_plain(values: list[Any], ndim: int) -> str | None:
    """Records of strings that need no quoting, joined; None if any record needs more care
    (a value that is not a string, or one that holds a comma, quote or line break, or a
    record that would read as a blank line)."""
    try:
        lines = [",".join(row) for row in values] if ndim == 2 else values
        text = "\n".join(lines)
    except TypeError:
        return None
    commas = sum(map(len, values)) - len(values) if ndim == 2 else 0
    if (text.count(",") != commas or text.count("\n") != len(lines) - 1 or '"' in text
            or "\r" in text or _has_blank_line(text, lines)):
        return None
    return text


def _has_blank_line(text: str, lines: list[str]) -> bool:
    """Whether a line is empty or only blanks (it would read back as no record at all).
    Lines are stripped one by one only when the text holds a blank at all: one-character
    searches are fast, multi-character ones measured ten times slower on 2 MB."""
    if not all(lines):
        return True
    if any(blank in text for blank in _BLANKS):
        return not all(map(str.strip, lines))
    return False


def _line(value: Any, row: int) -> str:
    fields = value if isinstance(value, (list, tuple, np.ndarray)) else (value,)
    if len(fields) == 0:
        raise ModelError(f"row {row} of the prediction has no fields; text/csv needs one or more")
    line = ",".join([_field(field, row, column) for column, field in enumerate(fields, 1)])
    # A lone empty or blank field is quoted, or the record would read as a blank line.
    return line if line.strip() else f'"{line}"'


def _field(value: Any, row: int, column: int) -> str:
    if value is None:
        return ""
    if isinstance(value, _NOT_SCALAR):
        raise ModelError(f"row {row}, field {column} of the prediction is a "
                         f"{type(value).__name__}; text/csv needs one scalar a field")
    text = value if isinstance(value, str) else str(value)
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text
