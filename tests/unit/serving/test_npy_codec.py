import io
import pickle
import time
import zipfile

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from byoc_toolkit.serving.codecs import DecodeLimits, decode, encode
from byoc_toolkit.serving.data_kinds import DataKind
from byoc_toolkit.serving.errors import (
    BadRequest,
    NotAcceptable,
    PayloadTooLarge,
    ServingError,
)
from byoc_toolkit.serving.media_types import MediaType

NPY = MediaType.parse("application/x-npy")
NPZ = MediaType.parse("application/x-npz")


def npy(array, **kwargs):
    buffer = io.BytesIO()
    np.save(buffer, array, **kwargs)
    return buffer.getvalue()


def npz(*args, compressed=False, **arrays):
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, *args, **arrays)
    return buffer.getvalue()


def bad_request(body, media_type=NPY, kind=DataKind.DEFAULT):
    with pytest.raises(BadRequest) as caught:
        decode(body, media_type, kind)
    return caught.value.message


class Exploit:
    """Unpickling this would create a file: proof that a request's pickle was run."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("array", [
    np.arange(12.0).reshape(3, 4), np.array([1, 2, 3], dtype=np.int8), np.array(2.5),
    np.array(["setosa", "virginica"]), np.array([[True, False]]),
    np.asfortranarray(np.arange(6).reshape(2, 3)), np.zeros((0, 3)),
    np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]),
])
def test_npy_round_trip(array):
    decoded = decode(npy(array), NPY)
    assert decoded.dtype == array.dtype and decoded.shape == array.shape
    assert np.array_equal(decoded, array)
    assert decoded.flags.writeable
    assert np.array_equal(decode(encode(array, "application/x-npy"), NPY), array)


def test_npy_kinds():
    body = npy(np.arange(4.0).reshape(2, 2))
    assert decode(body, NPY, DataKind.NDARRAY).tolist() == [[0, 1], [2, 3]]
    assert decode(body, NPY, DataKind.JSON) == [[0.0, 1.0], [2.0, 3.0]]
    frame = decode(body, NPY, DataKind.DATAFRAME)
    assert isinstance(frame, pd.DataFrame) and frame.shape == (2, 2)
    assert decode(body, NPY, DataKind.BYTES) is body
    assert bad_request(npy(np.zeros((1, 1, 1))), kind=DataKind.DATAFRAME) == (
        "a 3-D array cannot be a DataFrame; send 1-D or 2-D")


def test_object_npy_is_refused_and_never_unpickled(tmp_path):
    target = tmp_path / "pwned"
    body = npy(np.array([Exploit(str(target))], dtype=object), allow_pickle=True)
    assert bad_request(body) == ("the .npy body holds an object array (pickled data), which is "
                                 "never loaded; send a numeric or string dtype")
    assert not target.exists()
    assert bad_request(pickle.dumps(Exploit(str(target)))) == (
        "the .npy body is not .npy data (no .npy magic string)")
    assert not target.exists()


def test_npy_header_that_claims_more_than_is_sent_is_refused_without_allocating():
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (99999999999,)})
    body = header.getvalue() + bytes(16)
    started = time.perf_counter()
    assert bad_request(body) == ("the .npy body is not valid .npy data: expected 799999999992 "
                                 "bytes of data, got 16")
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("body, message", [
    (npy(np.zeros(3))[:-4], "the .npy body is not valid .npy data: expected 24 bytes of data, "
                            "got 20"),
    (npy(np.zeros(3))[:9], "the .npy body is not valid .npy data: EOF: reading array header "
                           "length, expected 2 bytes got 1"),
    (b"\x93NUMPY\x09\x00" + npy(np.zeros(3))[8:],
     "the .npy body is not valid .npy data: unsupported .npy format version 9.0"),
    (npy(np.zeros(3)).replace(b"'<f8'", b"'<zz'"),
     "the .npy body is not valid .npy data: descr is not a valid dtype descriptor: '<zz'"),
    (npy(np.zeros(3)).replace(b"(3,)", b"(-3,)"),
     "the .npy body is not valid .npy data: negative dimension in shape (-3,)"),
    (b"1,2,3", "the .npy body is not .npy data (no .npy magic string)"),
])
def test_malformed_npy(body, message):
    assert bad_request(body) == message


def test_an_unterminated_npy_header_is_a_bad_request():
    body = b"\x93NUMPY\x01\x00\x30\x00{'descr': '|V4', 'shape': (1,)\xff" + b" " * 16 + b"\n"

    message = bad_request(body)

    # Python's tokenizer words it: 3.11 "EOF in multi-line statement", 3.13 "unexpected EOF...".
    assert message.startswith("the .npy body is not valid .npy data: ")
    assert "EOF in multi-line statement" in message


def test_npz_single_array_and_dicts():
    single = npz(x=np.arange(3))
    assert decode(single, NPZ).tolist() == [0, 1, 2]
    assert decode(single, NPZ, DataKind.NDARRAY).tolist() == [0, 1, 2]
    both = npz(compressed=True, a=np.arange(2), b=np.array(["x", "y"]))
    arrays = decode(both, NPZ)
    assert sorted(arrays) == ["a", "b"] and arrays["b"].tolist() == ["x", "y"]
    assert decode(both, NPZ, DataKind.JSON) == {"a": [0, 1], "b": ["x", "y"]}
    frame = decode(both, NPZ, DataKind.DATAFRAME)
    assert list(frame.columns) == ["a", "b"] and frame.values.tolist() == [[0, "x"], [1, "y"]]
    assert bad_request(both, NPZ, DataKind.NDARRAY) == (
        "the .npz archive holds 2 arrays ('a', 'b'); an ndarray needs exactly one")
    assert bad_request(npz(a=np.arange(2), b=np.arange(3)), NPZ, DataKind.DATAFRAME) == (
        "the .npz archive: columns differ in length ('a' has 2, 'b' has 3)")
    assert bad_request(npz(a=np.zeros((2, 2)), b=np.arange(2)), NPZ, DataKind.DATAFRAME) == (
        "the .npz archive: column 'a' must be a list of values, got a 2-D array")


def test_npz_sparse_matrix():
    matrix = scipy.sparse.random(5, 4, density=0.3, format="csr", random_state=0)
    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, matrix)
    body = buffer.getvalue()
    decoded = decode(body, NPZ)
    assert scipy.sparse.issparse(decoded) and (decoded != matrix).nnz == 0
    assert np.array_equal(decode(body, NPZ, DataKind.NDARRAY), matrix.toarray())
    assert decode(body, NPZ, DataKind.JSON) == matrix.toarray().tolist()
    assert np.array_equal(decode(body, NPZ, DataKind.DATAFRAME).sparse.to_dense().to_numpy(),
                          matrix.toarray())


def test_sparse_matrix_too_large_to_densify():
    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, scipy.sparse.csr_matrix((100, 100)))
    with pytest.raises(PayloadTooLarge) as caught:
        decode(buffer.getvalue(), NPZ, DataKind.NDARRAY, DecodeLimits(10_000))
    assert caught.value.status == 413
    assert caught.value.message == ("the sparse matrix of shape (100, 100) would take 80000 "
                                    "bytes as a dense array, more than the 10000 allowed")


def test_npz_that_expands_too_far_is_413():
    body = npz(compressed=True, zeros=np.zeros(100_000))
    with pytest.raises(PayloadTooLarge) as caught:
        decode(body, NPZ, DataKind.DEFAULT, DecodeLimits(10_000))
    assert caught.value.message == ("the .npz archive expands to 800128 bytes, more than the "
                                    "10000 allowed")


def zip_of(**members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_malformed_npz(tmp_path):
    target = tmp_path / "pwned"
    assert bad_request(npz(np.array([Exploit(str(target))], dtype=object)), NPZ) == (
        "member 'arr_0.npy' holds an object array (pickled data), which is never loaded; send "
        "a numeric or string dtype")
    assert not target.exists()
    assert bad_request(npy(np.zeros(2)), NPZ) == "the .npz body is not a zip archive"
    assert bad_request(npz(a=np.zeros(2))[:-30], NPZ).startswith(
        "the .npz body is not a valid zip archive: ")
    assert bad_request(zip_of(**{"readme.txt": "hello"}), NPZ) == (
        "member 'readme.txt' is not .npy data (no .npy magic string)")
    assert bad_request(zip_of(), NPZ) == "the .npz archive holds no arrays"
    sparse_layout = zip_of(**{name + ".npy": npy(np.array(value)) for name, value in
                              {"format": b"nope", "shape": [2, 2], "data": [1.0]}.items()})
    assert bad_request(sparse_layout, NPZ) == (
        "the .npz archive's 'format' must name a sparse format (csr, csc, bsr, dia, coo), "
        "got \"b'nope'\"")


@pytest.mark.parametrize("prediction, expected", [
    (np.array(["a", "bb"], dtype=object), np.array(["a", "bb"])),
    (["a", "bb"], np.array(["a", "bb"])),
    ([[1, 2], [3, 4]], np.array([[1, 2], [3, 4]])),
    (np.array([1, 2.5], dtype=object), np.array([1, 2.5])),
    (pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]}), np.array([[1, 0.5], [2, 1.5]])),
    (pd.Series(["x", "y"], dtype=object), np.array(["x", "y"])),
    (3.5, np.array(3.5)),
])
def test_encode_npy(prediction, expected):
    decoded = decode(encode(prediction, "application/x-npy"), NPY)
    assert decoded.dtype == expected.dtype and np.array_equal(decoded, expected)


@pytest.mark.parametrize("prediction, message", [
    ({"a": 1}, "a dict cannot be written as application/x-npy; return an array, or ask for "
               "application/json"),
    ([[1, 2], [3]], "the prediction cannot be written as application/x-npy: setting an array"),
    (np.array([1, "a", None], dtype=object),
     "an object array holding NoneType, int, str cannot be written as application/x-npy, which "
     "never pickles; return numbers or strings"),
    (np.array([[1, 2], [3]], dtype=object),
     "an object array holding list cannot be written as application/x-npy"),
])
def test_encode_npy_never_pickles(prediction, message):
    with pytest.raises(NotAcceptable) as caught:
        encode(prediction, "application/x-npy")
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize("sparse", [
    scipy.sparse.coo_matrix(np.eye(3)), scipy.sparse.csc_matrix(np.eye(3)),
    scipy.sparse.csr_array(np.eye(3)), scipy.sparse.dia_matrix(np.eye(3)),
    scipy.sparse.bsr_matrix(np.eye(4), blocksize=(2, 2)),
])
def test_every_scipy_sparse_layout(sparse):
    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, sparse)
    decoded = decode(buffer.getvalue(), NPZ)
    assert type(decoded) is type(sparse) and np.array_equal(decoded.toarray(), sparse.toarray())


@pytest.mark.parametrize("members, message", [
    ({"indices": [0, 7], "indptr": [0, 1, 2]}, "the .npz archive is not a valid scipy.sparse "
                                                "matrix: "),
    ({"indices": [0, 1], "indptr": [0, 5, 2]}, "the .npz archive is not a valid scipy.sparse "
                                                "matrix: "),
    ({"indices": [0, 1]}, "the .npz archive holds a csr sparse matrix without 'indptr'"),
    ({"shape": [2, 2**40]}, "the sparse matrix of shape (2, 1099511627776) would need"),
    ({"shape": [2]}, "the .npz archive's 'shape' must be two sizes of a 2-D sparse matrix, "
                     "got '[2]'"),
])
def test_sparse_indices_are_checked_before_scipy_uses_them(members, message):
    layout = {"format": np.array("csr"), "shape": [2, 2], "data": [1.0, 2.0], **members}
    body = zip_of(**{name + ".npy": npy(np.array(value)) for name, value in layout.items()})
    with pytest.raises(ServingError) as caught:
        decode(body, NPZ, DataKind.NDARRAY)
    assert caught.value.status in (400, 413) and caught.value.message.startswith(message)
