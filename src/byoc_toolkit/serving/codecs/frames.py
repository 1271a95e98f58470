"""Everything pandas: DataFrames from request bodies, and recognising pandas predictions.

pandas is imported only by the functions that build a DataFrame; recognising one looks in
sys.modules, since a prediction cannot be a DataFrame unless pandas is already loaded.
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any

from ..errors import BadRequest, PayloadTooLarge, count_of, excerpt
from .arrays import Locate, json_type
from .limits import DecodeLimits

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


#: What pandas spends on each column of a DataFrame it builds column by column (measured
#: about 1.4 KB with pandas 3.1): a 6 MB CSV line of 3 million fields took 4 GiB.
FRAME_COLUMN_BYTES = 2048


def fits(columns: int, limits: DecodeLimits) -> bool:
    """Whether pandas may build a frame of ``columns`` columns within ``limits``."""
    return columns * FRAME_COLUMN_BYTES <= limits.max_expanded_bytes


def check_width(columns: int, limits: DecodeLimits, what: str) -> None:
    """PayloadTooLarge unless a DataFrame of ``columns`` columns fits ``limits``."""
    if not fits(columns, limits):
        raise PayloadTooLarge(f"{what} has {columns} columns: a DataFrame of them would take "
                              f"about {columns * FRAME_COLUMN_BYTES} bytes, more than the "
                              f"{limits.max_expanded_bytes} allowed")


def is_frame(value: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


def is_series(value: Any) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.Series)


def is_missing(value: Any) -> bool:
    """Whether ``value`` is pandas' missing value (``pd.NA``, ``pd.NaT``)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def frame_from_csv(text: str, width: int, limits: DecodeLimits, *,
                   header: bool = False) -> pd.DataFrame:
    """CSV ``text`` already checked to have ``width`` fields a record, read as the training
    half reads CSV channels: pandas' type inference, integer column names; with ``header``
    the first record names the columns instead."""
    import pandas as pd

    check_width(width, limits, "the body")
    if header:
        return pd.read_csv(io.StringIO(text), header=0)
    return pd.read_csv(io.StringIO(text), header=None, names=range(width))


def floats_from_large_csv(data: bytes, limits: DecodeLimits) -> np.ndarray | None:
    """A float array from a large numeric CSV body through pandas' C parser (measured 2-3
    times as fast as np.loadtxt on 5 MB), or None for anything it would read differently
    from the exact path: an error, a missing value, a short row, or more columns than a
    frame within ``limits`` may have."""
    import numpy as np
    import pandas as pd

    if not fits(data[:data.find(b"\n")].count(b",") + 1, limits):
        return None

    try:
        frame = pd.read_csv(io.BytesIO(data), header=None, dtype=np.float64, engine="c")
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    array = frame.to_numpy()
    # pandas fills short rows, empty fields and NA-like words with NaN: the exact path
    # decides which of those are errors.
    return None if np.isnan(array).any() else array


def frame_from_array(array: np.ndarray) -> pd.DataFrame:
    """A 1-D array as one column, a 2-D array as rows; other shapes are a BadRequest."""
    import pandas as pd

    if array.ndim not in (1, 2):
        raise BadRequest(f"a {array.ndim}-D array cannot be a DataFrame; send 1-D or 2-D")
    return pd.DataFrame(array)


def frame_from_json(value: Any, locate: Locate, limits: DecodeLimits) -> pd.DataFrame:
    """A DataFrame from a list of records (objects), a list of rows (arrays of equal
    length), a list of scalars (one column), an object of columns (every value an array, all
    of one length) or a single record (an object with any other values: one row)."""
    import pandas as pd

    if isinstance(value, dict):
        if value and all(isinstance(column, list) for column in value.values()):
            return frame_from_columns(value, locate, limits)
        if not value:
            raise BadRequest(f"{locate(())} is an empty object")
        check_width(len(value), limits, locate(()))
        return pd.DataFrame([value])
    if not isinstance(value, list):
        raise BadRequest(f"{locate(())}: expected an array of records or rows, or an object "
                         f"of columns or one record, got {json_type(value)}")
    if not value:
        raise BadRequest(f"{locate(())} is an empty array")
    _check_rows(value, locate)
    if isinstance(value[0], dict):
        check_width(len(dict.fromkeys(key for record in value for key in record)), limits,
                    locate(()))
    elif isinstance(value[0], list):
        check_width(len(value[0]), limits, locate(()))
    return pd.DataFrame(value)


def frame_from_columns(columns: dict[str, Any], locate: Locate,
                       limits: DecodeLimits) -> pd.DataFrame:
    """A DataFrame from name -> column, each a list or a 1-D array, all of one length."""
    import pandas as pd

    if not columns:
        raise BadRequest(f"{locate(())} is an empty object")
    check_width(len(columns), limits, locate(()))
    for name, column in columns.items():
        if not (isinstance(column, list) or getattr(column, "ndim", None) == 1):
            held = f"a {column.ndim}-D array" if hasattr(column, "ndim") else json_type(column)
            raise BadRequest(f"{locate(())}: column {excerpt(name)} must be a list of values, "
                             f"got {held}")
    if len({len(column) for column in columns.values()}) > 1:
        sizes = ", ".join(f"{excerpt(name)} has {len(column)}" for name, column in columns.items())
        raise BadRequest(f"{locate(())}: columns differ in length ({sizes})")
    return pd.DataFrame(columns)


def _check_rows(rows: list[Any], locate: Locate) -> None:
    first = rows[0]
    kind = json_type(first) if isinstance(first, (list, dict)) else "a scalar"
    for index, row in enumerate(rows):
        row_kind = json_type(row) if isinstance(row, (list, dict)) else "a scalar"
        if row_kind != kind:
            raise BadRequest(f"{locate((index,))}: expected {kind} like {locate((0,))}, "
                             f"got {json_type(row)}")
        if kind == "an array" and len(row) != len(first):
            raise BadRequest(f"{locate((index,))} has {count_of(len(row), 'value')}, "
                             f"expected {len(first)}")

