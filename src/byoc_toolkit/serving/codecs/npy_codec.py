"""application/x-npy and application/x-npz (numpy's formats; scipy's sparse .npz layout too).

Object arrays are never loaded: they are pickles, and unpickling a request runs the
sender's code. numpy's own readers are not used on requests either: for a file object that
is not a real file np.load allocates the size a header declares before reading, so a few
bytes could claim gigabytes, and scipy's sparse reader trusts what the archive says. Here
every size a body declares (a header's shape and dtype, an archive member's size, a sparse
matrix's shape) is checked against the bytes sent and the DecodeLimits before anything is
allocated, and the arrays are made from those bytes.
"""

from __future__ import annotations

import contextlib
import io
import math
import struct
import tokenize
import zipfile
import zlib
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from ..data_kinds import DataKind
from ..errors import BadRequest, NotAcceptable, PayloadTooLarge, excerpt
from ..media_types import MediaType
from .frames import check_width, frame_from_array, frame_from_columns, is_frame, is_series
from .limits import DecodeLimits

#: numpy 1.x's limit (2.x allows 64); no model takes more.
MAX_DIMENSIONS = 32

_HEADER_READERS = {(1, 0): npy_format.read_array_header_1_0,
                   (2, 0): npy_format.read_array_header_2_0}
# What numpy's header parser raises for a malformed header (it tokenizes and evaluates it).
_HEADER_ERRORS = (ValueError, SyntaxError, TypeError, OverflowError, RecursionError,
                  tokenize.TokenError)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# np.savez writes members stored, np.savez_compressed deflated; nothing else is read.
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_ZIP_ENCRYPTED = 0x1
# What zipfile raises for a malformed archive: its documentation names only BadZipFile.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
               OSError, ValueError, struct.error, OverflowError, KeyError, IndexError)
_SPARSE_MEMBERS = frozenset({"format", "shape", "data"})
_SPARSE_ARRAYS = {"csr": ("data", "indices", "indptr"), "csc": ("data", "indices", "indptr"),
                  "bsr": ("data", "indices", "indptr"), "dia": ("data", "offsets"),
                  "coo": ("data", "row", "col")}
_INDEX_BYTES = np.dtype(np.int64).itemsize


def decode_npy(body: bytes, media_type: MediaType, kind: DataKind,
               limits: DecodeLimits) -> Any:
    """NDARRAY and DEFAULT: the array. DATAFRAME: a 1-D or 2-D array as a DataFrame.
    JSON: the array as nested lists."""
    return _as_kind(read_npy(body, "the .npy body", limits), kind)


def decode_npz(body: bytes, media_type: MediaType, kind: DataKind,
               limits: DecodeLimits) -> Any:
    """DEFAULT: the one array an archive holds, a scipy.sparse matrix for scipy's sparse
    layout, else a dict name -> array. NDARRAY needs one array (or a sparse matrix, made
    dense); DATAFRAME takes one array, a sparse matrix or 1-D columns; JSON gives lists.

    PayloadTooLarge when the members together, or a sparse matrix made dense or turned into
    a DataFrame, would take more than ``limits.max_expanded_bytes``."""
    arrays = _read_npz(body, limits)
    if _SPARSE_MEMBERS.issubset(arrays):
        return _sparse_as_kind(_sparse_matrix(arrays, limits), kind, limits)
    if len(arrays) == 1:
        return _as_kind(next(iter(arrays.values())), kind)
    if kind is DataKind.NDARRAY:
        names = ", ".join(excerpt(name) for name in arrays)
        raise BadRequest(f"the .npz archive holds {len(arrays)} arrays ({names}); "
                         "an ndarray needs exactly one")
    if kind is DataKind.DATAFRAME:
        return frame_from_columns(arrays, lambda path: "the .npz archive", limits)
    if kind is DataKind.JSON:
        return {name: array.tolist() for name, array in arrays.items()}
    return arrays


def read_npy(data: bytes, what: str, limits: DecodeLimits) -> np.ndarray:
    """The array stored in ``data`` (.npy format 1.0 or 2.0), never unpickled; BadRequest
    for anything else, before allocating more than ``data`` holds."""
    if not data.startswith(npy_format.MAGIC_PREFIX):
        raise BadRequest(f"{what} is not .npy data (no .npy magic string)")
    stream = io.BytesIO(data)
    try:
        version = npy_format.read_magic(stream)
        if version not in _HEADER_READERS:
            raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
        shape, fortran_order, dtype = _HEADER_READERS[version](stream)
    except _HEADER_ERRORS as exc:
        raise BadRequest(f"{what} is not valid .npy data: {exc}") from None
    if dtype.hasobject:
        raise BadRequest(f"{what} holds an object array (pickled data), which is never "
                         "loaded; send a numeric or string dtype")
    start = stream.tell()
    _check_layout(shape, dtype, len(data) - start, what, limits)
    try:
        array = np.frombuffer(data, dtype, math.prod(shape), start)
        # A copy: the caller may write to it, and it must not keep the request buffer alive.
        result: np.ndarray = (array.reshape(shape[::-1]).transpose().copy(order="F")
                              if fortran_order else array.reshape(shape).copy())
    except (ValueError, TypeError) as exc:
        raise BadRequest(f"{what} is not valid .npy data: {exc}") from None
    return result


def _check_layout(shape: tuple[int, ...], dtype: np.dtype[Any], available: int, what: str,
                  limits: DecodeLimits) -> None:
    """What the header declares must fit in the bytes that follow it. A dtype of zero bytes
    would let any shape pass that test, so it is refused. An empty array passes it with any
    other dimensions, which cost nothing until the array is turned into lists or frames: they
    must be what the array would hold within the limits had it no empty dimension."""
    invalid = f"{what} is not valid .npy data"
    if dtype.itemsize == 0:
        raise BadRequest(f"{invalid}: dtype {dtype} has elements of zero bytes")
    if len(shape) > MAX_DIMENSIONS:
        raise BadRequest(f"{invalid}: {len(shape)} dimensions, more than the "
                         f"{MAX_DIMENSIONS} accepted")
    if any(size < 0 for size in shape):
        raise BadRequest(f"{invalid}: negative dimension in shape {shape}")
    needed = math.prod(shape) * dtype.itemsize
    if needed > available:
        raise BadRequest(f"{invalid}: expected {needed} bytes of data, got {available}")
    if math.prod(size or 1 for size in shape) * dtype.itemsize > limits.max_expanded_bytes:
        raise BadRequest(f"{invalid}: the dimensions of the empty shape {shape} are larger "
                         "than the request limits allow")


def encode(prediction: Any) -> bytes:
    """The prediction as one .npy array, written without pickle: strings (also in object
    arrays) as a unicode dtype, objects holding only numbers as those numbers."""
    buffer = io.BytesIO()
    np.save(buffer, _as_array(prediction), allow_pickle=False)
    return buffer.getvalue()


def _read_npz(body: bytes, limits: DecodeLimits) -> dict[str, np.ndarray]:
    if not body.startswith(_ZIP_MAGIC):
        raise BadRequest("the .npz body is not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = archive.infolist()
            for member in members:
                _check_member(member)
            expanded = sum(member.file_size for member in members)
            if expanded > limits.max_expanded_bytes:
                raise PayloadTooLarge(f"the .npz archive expands to {expanded} bytes, more "
                                      f"than the {limits.max_expanded_bytes} allowed")
            # zipfile never returns more than a member's declared size.
            arrays = {member.filename.removesuffix(".npy"):
                      read_npy(archive.read(member), f"member {excerpt(member.filename)}",
                               limits)
                      for member in members}
    except _ZIP_ERRORS as exc:
        raise BadRequest(f"the .npz body is not a valid zip archive: {exc}") from None
    if not arrays:
        raise BadRequest("the .npz archive holds no arrays")
    return arrays


def _check_member(member: zipfile.ZipInfo) -> None:
    name = excerpt(member.filename)
    if member.flag_bits & _ZIP_ENCRYPTED:
        raise BadRequest(f"member {name} of the .npz archive is encrypted")
    if member.compress_type not in _ZIP_METHODS:
        raise BadRequest(f"member {name} of the .npz archive uses compression method "
                         f"{member.compress_type}; numpy writes members stored or deflated")


def _sparse_matrix(arrays: dict[str, np.ndarray], limits: DecodeLimits) -> Any:
    """scipy's sparse .npz layout as a matrix, made from the arrays already read, with every
    index checked (scipy's routines trust them)."""
    import scipy.sparse

    layout = _sparse_format(arrays["format"])
    shape = _sparse_shape(arrays["shape"])
    # Every conversion (to CSC for a DataFrame, to dense) allocates per row and column.
    index_bytes = (shape[0] + shape[1] + 2) * _INDEX_BYTES
    if index_bytes > limits.max_expanded_bytes:
        raise PayloadTooLarge(f"the sparse matrix of shape {shape} would need {index_bytes} "
                              f"bytes of indices, more than the {limits.max_expanded_bytes} "
                              "allowed")
    missing = [name for name in _SPARSE_ARRAYS[layout] if name not in arrays]
    if missing:
        raise BadRequest(f"the .npz archive holds a {layout} sparse matrix without "
                         f"{', '.join(map(repr, missing))}")
    data, *rest = (arrays[name] for name in _SPARSE_ARRAYS[layout])
    # scipy.sparse.save_npz marks its sparse arrays (as opposed to matrices) with _is_array.
    is_array = "_is_array" in arrays and bool(arrays["_is_array"].any())
    matrix_class, array_class = {
        "csr": (scipy.sparse.csr_matrix, scipy.sparse.csr_array),
        "csc": (scipy.sparse.csc_matrix, scipy.sparse.csc_array),
        "bsr": (scipy.sparse.bsr_matrix, scipy.sparse.bsr_array),
        "dia": (scipy.sparse.dia_matrix, scipy.sparse.dia_array),
        "coo": (scipy.sparse.coo_matrix, scipy.sparse.coo_array)}[layout]
    cls = array_class if is_array else matrix_class
    try:
        with np.errstate(all="ignore"):
            if layout == "coo":
                matrix = cls((data, tuple(rest)), shape=shape)
            else:
                matrix = cls((data, *rest), shape=shape)
            if layout in ("csr", "csc", "bsr"):
                matrix.check_format(full_check=True)
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise BadRequest(f"the .npz archive is not a valid scipy.sparse matrix: {exc}"
                         ) from None
    return matrix


def _sparse_format(array: np.ndarray) -> str:
    value = array.item() if array.shape == () and array.dtype.kind in "SU" else None
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if value not in _SPARSE_ARRAYS:
        raise BadRequest(f"the .npz archive's 'format' must name a sparse format "
                         f"({', '.join(_SPARSE_ARRAYS)}), got {excerpt(str(array.tolist()))}")
    return str(value)


def _sparse_shape(array: np.ndarray) -> tuple[int, int]:
    if array.shape != (2,) or array.dtype.kind not in "iu" or (array < 0).any():
        raise BadRequest(f"the .npz archive's 'shape' must be two sizes of a 2-D sparse "
                         f"matrix, got {excerpt(str(array.tolist()))}")
    rows, columns = (int(size) for size in array)
    return rows, columns


def _sparse_as_kind(matrix: Any, kind: DataKind, limits: DecodeLimits) -> Any:
    if kind is DataKind.DEFAULT:
        return matrix
    if kind is DataKind.DATAFRAME:
        import pandas as pd

        check_width(matrix.shape[1], limits, "the sparse matrix")
        return pd.DataFrame.sparse.from_spmatrix(matrix)
    dense_bytes = math.prod(matrix.shape) * matrix.dtype.itemsize
    if dense_bytes > limits.max_expanded_bytes:
        raise PayloadTooLarge(f"the sparse matrix of shape {matrix.shape} would take "
                              f"{dense_bytes} bytes as a dense array, more than the "
                              f"{limits.max_expanded_bytes} allowed")
    return _as_kind(matrix.toarray(), kind)


def _as_kind(array: np.ndarray, kind: DataKind) -> Any:
    if kind is DataKind.DATAFRAME:
        return frame_from_array(array)
    return array.tolist() if kind is DataKind.JSON else array


def _as_array(prediction: Any) -> np.ndarray:
    if is_frame(prediction) or is_series(prediction):
        prediction = prediction.to_numpy()
    if isinstance(prediction, dict):
        raise NotAcceptable("a dict cannot be written as application/x-npy; return an array, "
                            "or ask for application/json")
    try:
        array = np.asarray(prediction)
    except ValueError as exc:  # ragged nested lists
        raise NotAcceptable(f"the prediction cannot be written as application/x-npy: {exc}"
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
    raise NotAcceptable(f"an object array holding {held} cannot be written as "
                        "application/x-npy, which never pickles; return numbers or strings")
