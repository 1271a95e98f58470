"""text/csv: one record a line, RFC 4180 quoting, and no header row (SageMaker's convention)
unless the Content-Type says ``header=present`` (RFC 4180's parameter).

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
from ..errors import BadRequest, NotAcceptable, ServingError, count_of, excerpt
from ..media_types import MediaType
from .frames import floats_from_large_csv, frame_from_csv, is_frame, is_missing, is_series
from .limits import DecodeLimits
from .text import ASCII_WHITESPACE, NO_RECORDS, ascii_bytes, count_nonblank, decode_text

# Below about 200 bytes float() on split bytes beats np.loadtxt's set-up (measured 1.0 us
# against 2.2 us for one row of four numbers); above, loadtxt's C parser wins.
_SMALL_BODY = 128
# Batch-transform sizes: pandas' parser (a dependency already) is 2-3 times as fast.
_LARGE_BODY = 1 << 20
_NEEDS_QUOTES = re.compile(r'[",\r\n]')
_BLANKS = " \t\x0b\x0c"
_NOT_SCALAR = (list, tuple, dict, set, frozenset, bytes, bytearray, np.ndarray)
_JSON_NESTED = (list, tuple, dict, np.ndarray)
_HEADER_VALUES = ("absent", "present")
NO_RECORDS_AFTER_HEADER = "no records after the header row"


def decode(body: bytes, media_type: MediaType, kind: DataKind, limits: DecodeLimits) -> Any:
    """NDARRAY and DEFAULT: a 2-D float64 array, a row per record (an empty field is NaN).
    DATAFRAME: pandas' reading, with integer column names, or the header row's names.
    JSON: a list of rows of strings, or of records (dicts) with a header row."""
    header = has_header(media_type)
    if kind is DataKind.NDARRAY or kind is DataKind.DEFAULT:
        return _numbers(body, media_type, header, limits)
    text = decode_text(body, media_type)
    if kind is DataKind.DATAFRAME:  # checked row by row; only pandas holds them all
        count, width = _shape(text)
        if header and count == 1:
            raise BadRequest(NO_RECORDS_AFTER_HEADER)
        return frame_from_csv(text, width, limits, header=header)
    rows = _rows(text)
    if not header:
        return rows
    if len(rows) == 1:
        raise BadRequest(NO_RECORDS_AFTER_HEADER)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def has_header(media_type: MediaType) -> bool:
    """Whether the body's first record is a header row: ``text/csv; header=present``."""
    value = media_type.params.get("header", "absent").lower()
    if value not in _HEADER_VALUES:
        raise BadRequest(f"text/csv header parameter must be present or absent, got "
                         f"{excerpt(value)}")
    return value == "present"


def count_records(body: bytes, media_type: MediaType) -> int | None:
    """The number of records (a header row is not one); None for an unknown charset or a
    quoted body that cannot be decoded."""
    try:
        header = has_header(media_type)
        data = ascii_bytes(body, media_type)
        if b'"' not in data:  # no quoting: a record is a line
            count = count_nonblank(data.splitlines())
        else:
            count = sum(1 for _ in records(decode_text(body, media_type)))
    except ServingError:
        return None
    return max(count - 1, 0) if header else count


def records(text: str) -> Iterator[list[str]]:
    """The CSV rows of ``text``, blank ones left out; BadRequest for what csv cannot read."""
    return (row for row, _ in _records_ending(text))


def _records_ending(text: str) -> Iterator[tuple[list[str], int]]:
    """Each non-blank CSV row of ``text`` with the offset in ``text`` where it ends."""
    consumed: list[str] = []
    end = 0

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
            end += len(raw)
            if raw.strip(ASCII_WHITESPACE):
                yield row, end
    except csv.Error as exc:
        raise BadRequest(f"invalid CSV at line {reader.line_num}: {exc}") from None


def _numbers(body: bytes, media_type: MediaType, header: bool,
             limits: DecodeLimits) -> np.ndarray:
    text = None
    if header:  # the rows after the header, numbered from 2 in messages
        text = decode_text(body, media_type)
        first = next(_records_ending(text), None)
        if first is None:
            raise BadRequest(NO_RECORDS)
        text = text[first[1]:]
        if not text.strip(ASCII_WHITESPACE):
            raise BadRequest(NO_RECORDS_AFTER_HEADER)
    data = text.encode() if text is not None else ascii_bytes(body, media_type)
    if data and not data.isspace():
        try:
            if len(data) < _SMALL_BODY:
                return np.array([[float(field) for field in line.split(b",")]
                                 for line in data.splitlines() if line], dtype=np.float64)
            if len(data) >= _LARGE_BODY:
                array = floats_from_large_csv(data, limits)
                if array is not None:
                    return array
            return np.loadtxt(io.BytesIO(data), dtype=np.float64, delimiter=",", comments=None,
                              ndmin=2)
        except ValueError:
            pass  # the exact message, or quoted or empty fields: read it again the slow way
    first_row = 2 if header else 1
    rows = _rows(text if text is not None else decode_text(body, media_type), first_row)
    return np.array([[_number(field, row, column, header)
                      for column, field in enumerate(fields, 1)]
                     for row, fields in enumerate(rows, first_row)])


def _rows(text: str, first_row: int = 1) -> list[list[str]]:
    rows = list(_checked(text, first_row))
    if not rows:
        raise BadRequest(NO_RECORDS)
    return rows


def _shape(text: str) -> tuple[int, int]:
    """How many records ``text`` holds and their width, without keeping them."""
    count = width = 0
    for row in _checked(text):
        count, width = count + 1, len(row)
    if not count:
        raise BadRequest(NO_RECORDS)
    return count, width


def _checked(text: str, first_row: int = 1) -> Iterator[list[str]]:
    """The records of ``text``; BadRequest for one that is not as wide as the first."""
    width = None
    for number, row in enumerate(records(text), first_row):
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise BadRequest(f"row {number} has {count_of(len(row), 'field')}, expected {width}")
        yield row


def _number(field: str, row: int, column: int, header: bool) -> float:
    if not field.strip():
        return np.nan  # an empty field is a missing value
    try:
        return float(field)
    except ValueError:
        hint = (" (a header row? send Content-Type: text/csv; header=present)"
                if row == 1 and not header else "")
        raise BadRequest(f"row {row}, field {column}: {excerpt(field)} is not a number{hint}"
                         ) from None


def encode(prediction: Any) -> bytes:
    """One line a record, no header: a 1-D array or list gives one value a line, a 2-D array
    or a list of lists one row a line; a DataFrame one row a line in column order (each
    column written as its own type, so integers stay integers, missing values empty); a list
    of dicts one row a line, its values in the order the keys first appear; a scalar is one
    record. NotAcceptable for what has no such reading (a dict, nested values in a field, an
    array of more than 2 dimensions)."""
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
    if is_frame(prediction):
        return _frame_rows(prediction)
    if is_series(prediction):
        prediction = prediction.to_numpy()
    if isinstance(prediction, np.ndarray):
        if prediction.ndim > 2:
            raise NotAcceptable(f"a {prediction.ndim}-D array cannot be written as text/csv; "
                                "return a 1-D or 2-D array, or ask for application/json")
        values = prediction.tolist()
        return (values if prediction.ndim else [values]), max(prediction.ndim, 1), _numeric(
            prediction.dtype) and prediction.shape[-1:] != (0,)
    if isinstance(prediction, dict):
        raise NotAcceptable("a dict cannot be written as text/csv; return an array, a list or "
                            "a DataFrame, or ask for application/json")
    if isinstance(prediction, (list, tuple)):
        if prediction and isinstance(prediction[0], dict):
            return _dict_rows(prediction), 2, False
        return list(prediction), 1, False
    return [prediction], 1, False


def _numeric(dtype: Any) -> bool:
    # numpy's own dtypes only: pandas' nullable ones (Int64, boolean) hold pd.NA.
    return isinstance(dtype, np.dtype) and dtype.kind in "biuf"


def _frame_rows(frame: Any) -> tuple[list[Any], int, bool]:
    dtypes = list(frame.dtypes)
    if len(set(dtypes)) <= 1 and all(isinstance(dtype, np.dtype) for dtype in dtypes):
        return _records(frame.to_numpy())  # one numpy dtype: the array keeps it
    columns = [frame.iloc[:, index].tolist() for index in range(len(dtypes))]
    return [list(row) for row in zip(*columns, strict=True)], 2, all(map(_numeric, dtypes))


def _dict_rows(records: list[Any] | tuple[Any, ...]) -> list[list[Any]]:
    for row, record in enumerate(records, 1):
        if not isinstance(record, dict):
            raise NotAcceptable(f"row {row} of the prediction is a {type(record).__name__} "
                                "and row 1 a dict; text/csv needs rows of one kind")
    keys = list(dict.fromkeys(key for record in records for key in record))
    return [[record.get(key) for key in keys] for record in records]


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
        raise NotAcceptable(f"row {row} of the prediction has no fields; text/csv needs one or "
                            "more")
    line = ",".join([_field(field, row, column) for column, field in enumerate(fields, 1)])
    # A lone empty or blank field is quoted, or the record would read as a blank line.
    return line if line.strip() else f'"{line}"'


def _field(value: Any, row: int, column: int) -> str:
    if value is None or is_missing(value):
        return ""
    if isinstance(value, _NOT_SCALAR):
        hint = " (application/json can carry it)" if isinstance(value, _JSON_NESTED) else ""
        raise NotAcceptable(f"row {row}, field {column} of the prediction is a "
                            f"{type(value).__name__}; text/csv needs one scalar a field{hint}")
    text = value if isinstance(value, str) else str(value)
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text
