"""application/x-npy and application/x-npz (numpy's formats; scipy's sparse .npz layout too).

Object arrays are never loaded: they are pickles, and unpickling a request runs the
sender's code. numpy's own reader is not used on requests either: for a file object that
is not a real file it allocates the size a header declares before reading, so a few bytes
could claim gigabytes. Here the header is read, its size checked against the bytes that
follow, and the array made from those bytes.
"""

from __future__ import annotations

import contextlib
import io
import math
import zipfile
import zlib
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from ..data_kinds import DataKind
from ..errors import BadRequest, ModelError, PayloadTooLarge, excerpt
from ..media_types import MediaType
from .frames import frame_from_array, frame_from_columns, is_frame, is_series

#: Largest total size of the arrays in an .npz request once decompressed (or densified).
MAX_EXPANDED_BYTES = 1 << 30

_HEADER_READERS = {(1, 0): npy_format.read_array_header_1_0,
                   (2, 0): npy_format.read_array_header_2_0}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_SPARSE_MEMBERS = frozenset({"format", "shape", "data"})


def decode_npy(body: bytes, media_type: MediaType, kind: DataKind) -> Any:
    """NDARRAY and DEFAULT: the array. DATAFRAME: a 1-D or 2-D array as a DataFrame.
    JSON: the array as nested lists."""
    return _as_kind(read_npy(body, "the .npy body"), kind)


def decode_npz(body: bytes, media_type: MediaType, kind: DataKind) -> Any:
    """DEFAULT: the one array an archive holds, a scipy.sparse matrix for scipy's sparse
    layout, else a dict name -> array. NDARRAY needs one array (or a sparse matrix, made
    dense); DATAFRAME takes one array, a sparse matrix or 1-D columns; JSON gives lists."""
    arrays = _read_npz(body)
    if _SPARSE_MEMBERS.issubset(arrays):
        return _sparse_as_kind(body, kind)
    if len(arrays) == 1:
        return _as_kind(next(iter(arrays.values())), kind)
    if kind is DataKind.NDARRAY:
        names = ", ".join(excerpt(name) for name in arrays)
        raise BadRequest(f"the .npz archive holds {len(arrays)} arrays ({names}); "
                         "an ndarray needs exactly one")
    if kind is DataKind.DATAFRAME:
        return frame_from_columns(arrays, lambda path: "the .npz archive")
    if kind is DataKind.JSON:
        return {name: array.tolist() for name, array in arrays.items()}
    return arrays


def read_npy(data: bytes, what: str) -> np.ndarray:
    """The array stored in ``data`` (.npy format 1.0 or 2.0), never unpickled."""
    if not data.startswith(npy_format.MAGIC_PREFIX):
        raise BadRequest(f"{what} is not .npy data (no .npy magic string)")
    stream = io.BytesIO(data)
    try:
        version = npy_format.read_magic(stream)
        if version not in _HEADER_READERS:
            raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
        shape, fortran_order, dtype = _HEADER_READERS[version](stream)
        if dtype.hasobject:
            raise BadRequest(f"{what} holds an object array (pickled data), which is never "
                             "loaded; send a numeric or string dtype")
        if any(size < 0 for size in shape):
            raise ValueError(f"negative dimension in shape {shape}")
        count, start = math.prod(shape), stream.tell()
        if len(data) - start < count * dtype.itemsize:
            raise ValueError(f"expected {count * dtype.itemsize} bytes of data, "
                             f"got {len(data) - start}")
        array = np.frombuffer(data, dtype, count, start)
    except ValueError as exc:
        raise BadRequest(f"{what} is not valid .npy data: {exc}") from None
    # A copy: the caller may write to it, and it must not keep the request buffer alive.
    result: np.ndarray = (array.reshape(shape[::-1]).transpose().copy(order="F")
                          if fortran_order else array.reshape(shape).copy())
    return result


def encode(prediction: Any) -> bytes:
    """The prediction as one .npy array, written without pickle: strings (also in object
    arrays) as a unicode dtype, objects holding only numbers as those numbers."""
    buffer = io.BytesIO()
    np.save(buffer, _as_array(prediction), allow_pickle=False)
    return buffer.getvalue()


def _read_npz(body: bytes) -> dict[str, np.ndarray]:
    if not body.startswith(_ZIP_MAGIC):
        raise BadRequest("the .npz body is not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = archive.infolist()
            expanded = sum(member.file_size for member in members)
            if expanded > MAX_EXPANDED_BYTES:
                raise PayloadTooLarge(f"the .npz archive expands to {expanded} bytes, more "
                                      f"than the {MAX_EXPANDED_BYTES} allowed")
            arrays = {member.filename.removesuffix(".npy"):
                      read_npy(archive.read(member), f"member {excerpt(member.filename)}")
                      for member in members}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise BadRequest(f"the .npz body is not a valid zip archive: {exc}") from None
    if not arrays:
        raise BadRequest("the .npz archive holds no arrays")
    return arrays


def _sparse_as_kind(body: bytes, kind: DataKind) -> Any:
    import scipy.sparse

    try:  # the members were all read safely above, so scipy's reader only sees sound data
        matrix = scipy.sparse.load_npz(io.BytesIO(body))
    except (ValueError, KeyError, TypeError, IndexError, NotImplementedError) as exc:
        raise BadRequest(f"the .npz archive is not a valid scipy.sparse matrix: {exc}"
                         ) from None
    if kind is DataKind.DEFAULT:
        return matrix
    if kind is DataKind.DATAFRAME:
        import pandas as pd

        return pd.DataFrame.sparse.from_spmatrix(matrix)
    dense_bytes = math.prod(matrix.shape) * matrix.dtype.itemsize
    if dense_bytes > MAX_EXPANDED_BYTES:
        raise PayloadTooLarge(f"the sparse matrix of shape {matrix.shape} would take "
                              f"{dense_bytes} bytes as a dense array, more than the "
                              f"{MAX_EXPANDED_BYTES} allowed")
    return _as_kind(matrix.toarray(), kind)


def _as_kind(array: np.ndarray, kind: DataKind) -> Any:
    if kind is DataKind.DATAFRAME:
        return frame_from_array(array)
    return array.tolist() if kind is DataKind.JSON else array


def _as_array(prediction: Any) -> np.ndarray:
    if is_frame(prediction) or is_series(prediction):
        prediction = prediction.to_numpy()
    if isinstance(prediction, dict):
        raise ModelError("a dict cannot be written as application/x-npy; return an array, "
                         "or ask for application/json")
    try:
        array = np.asarray(prediction)
    except ValueError as exc:  # ragged nested lists
        raise ModelError(f"the prediction cannot be written as application/x-npy: {exc}"
                         ) from None
    return _without_objects(array) if array.dtype.hasobject else array


def _without_objects(array: np.ndarray) -> np.ndarray:
    if all(isinstance(value, str) for value in array.flat):
        return array.astype(str)
    if array.dtype.kind == "O":
        with contextlib.suppress(ValueError):  # ragged lists inside
            retyped = np.array(array.tolist())  # objects that are all numbers become numbers
            if retyped.dtype.kind in "biufc":
                return retyped
    held = ", ".join(sorted({type(value).__name__ for value in array.flat})[:5])
    raise ModelError(f"an object array holding {held} cannot be written as "
                     "application/x-npy, which never pickles; return numbers or strings")
