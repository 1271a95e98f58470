"""The codec matrix of the serving guide (docs/guides/serving.md), cell by cell, through the
pipeline in-process: what a @predict_fn receives for each annotation and Content-Type, and what
body each return type gives for each Accept."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from support.apps import app_of, placeholder_model
from support.bodies import npy_bytes, npz_bytes

from byoc_toolkit.serving.inference import InferenceApp
from byoc_toolkit.serving.messages import Headers, InferenceRequest

CSV_HEADER = "text/csv; header=present"


def sparse_npz() -> bytes:
    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, scipy.sparse.csr_matrix(np.array([[0.0, 2.0], [3.0, 0.0]])))
    return buffer.getvalue()


def receiving(annotation: Any, model_dir: Path) -> tuple[InferenceApp, list[Any]]:
    """An app whose @predict_fn, its data annotated ``annotation``, keeps what it receives."""
    received: list[Any] = []

    def predict(model: Any, data: Any) -> list[int]:
        received.append(data)
        return [0]

    return app_of(predict, annotation, model_dir), received


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return placeholder_model(tmp_path_factory.mktemp("model"))


def frame(columns: list[Any], rows: list[list[Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


DECODED = [
    # annotation, Content-Type, body, what predict_fn receives
    (None, "text/csv", b"1,2\n3,4\n", np.array([[1.0, 2.0], [3.0, 4.0]])),
    (None, CSV_HEADER, b"a,b\n1,2\n", np.array([[1.0, 2.0]])),
    (None, "application/json", b'{"x": [1, 2]}', {"x": [1, 2]}),
    (None, "application/jsonlines", b'{"a": 1}\n[2]\n', [{"a": 1}, [2]]),
    (None, "application/x-npy", npy_bytes(np.array([1, 2], dtype=np.int8)),
     np.array([1, 2], dtype=np.int8)),
    (None, "application/x-npz", npz_bytes(x=np.arange(3)), np.arange(3)),
    (None, "application/x-npz", npz_bytes(a=np.arange(2), b=np.ones(2)),
     {"a": np.arange(2), "b": np.ones(2)}),
    (None, "application/x-npz", sparse_npz(),
     scipy.sparse.csr_matrix(np.array([[0.0, 2.0], [3.0, 0.0]]))),
    (np.ndarray, "text/csv", b"1,2\n3,4\n", np.array([[1.0, 2.0], [3.0, 4.0]])),
    (np.ndarray, CSV_HEADER, b"a,b\n1,2\n3,4\n", np.array([[1.0, 2.0], [3.0, 4.0]])),
    (np.ndarray, "application/json", b"[[1, 2], [3, 4]]", np.array([[1.0, 2.0], [3.0, 4.0]])),
    (np.ndarray, "application/json", b'{"instances": [[1, 2]]}', np.array([[1.0, 2.0]])),
    (np.ndarray, "application/jsonlines", b"[1, 2]\n[3, 4]\n",
     np.array([[1.0, 2.0], [3.0, 4.0]])),
    (np.ndarray, "application/x-npy", npy_bytes(np.arange(4).reshape(2, 2)),
     np.arange(4).reshape(2, 2)),
    (np.ndarray, "application/x-npz", sparse_npz(), np.array([[0.0, 2.0], [3.0, 0.0]])),
    (pd.DataFrame, "text/csv", b"1,x\n2,y\n", frame([0, 1], [[1, "x"], [2, "y"]])),
    (pd.DataFrame, CSV_HEADER, b"n,label\n1,x\n2,y\n",
     frame(["n", "label"], [[1, "x"], [2, "y"]])),
    (pd.DataFrame, "application/json", b'[{"n": 1, "label": "x"}, {"n": 2, "label": "y"}]',
     frame(["n", "label"], [[1, "x"], [2, "y"]])),
    (pd.DataFrame, "application/json", b'{"n": [1, 2], "label": ["x", "y"]}',
     frame(["n", "label"], [[1, "x"], [2, "y"]])),
    (pd.DataFrame, "application/json", b'{"n": 1, "label": "x"}', frame(["n", "label"],
                                                                        [[1, "x"]])),
    (pd.DataFrame, "application/json", b'{"instances": [{"n": 1, "label": "x"}]}',
     frame(["n", "label"], [[1, "x"]])),
    (pd.DataFrame, "application/json", b"[[1, 2], [3, 4]]", frame([0, 1], [[1, 2], [3, 4]])),
    (pd.DataFrame, "application/jsonlines", b'{"n": 1, "label": "x"}\n{"n": 2}\n',
     frame(["n", "label"], [[1, "x"], [2, np.nan]])),
    (pd.DataFrame, "application/x-npy", npy_bytes(np.eye(2)), frame([0, 1], [[1, 0], [0, 1]])),
    (pd.DataFrame, "application/x-npz", npz_bytes(n=np.arange(2), p=np.ones(2)),
     frame(["n", "p"], [[0, 1], [1, 1]])),
    (list, "text/csv", b"1,x\n2,y\n", [["1", "x"], ["2", "y"]]),
    (list, CSV_HEADER, b"n,label\n1,x\n", [{"n": "1", "label": "x"}]),
    (list, "application/json", b'[{"a": 1}]', [{"a": 1}]),
    (dict, "application/jsonlines", b"1\n2\n", [1, 2]),
    (list, "application/x-npy", npy_bytes(np.arange(3)), [0, 1, 2]),
    (dict, "application/x-npz", npz_bytes(a=np.arange(2), b=np.ones(2)),
     {"a": [0, 1], "b": [1.0, 1.0]}),
    (bytes, "text/csv", b"any bytes\xff", b"any bytes\xff"),
    (bytes, "application/x-npy", b"not even npy", b"not even npy"),
]


@pytest.mark.parametrize("annotation, content_type, body, expected", DECODED,
                         ids=lambda value: getattr(value, "__name__", None))
def test_what_predict_fn_receives(model_dir: Path, annotation: Any, content_type: str,
                                  body: bytes, expected: Any):
    app, received = receiving(annotation, model_dir)
    response = app.handle(InferenceRequest(body, Headers({"Content-Type": content_type,
                                                          "Accept": "application/json"})))
    assert response.status == 200, response.body
    (data,) = received
    if isinstance(expected, pd.DataFrame):
        assert isinstance(data, pd.DataFrame)
        pd.testing.assert_frame_equal(data, expected, check_dtype=False)
    elif isinstance(expected, np.ndarray):
        assert isinstance(data, np.ndarray) and data.dtype == expected.dtype
        assert np.array_equal(data, expected)
    elif scipy.sparse.issparse(expected):
        assert scipy.sparse.issparse(data) and (data != expected).nnz == 0
    elif isinstance(expected, dict) and isinstance(next(iter(expected.values())), np.ndarray):
        assert data.keys() == expected.keys()
        assert all(np.array_equal(data[name], expected[name]) for name in expected)
    else:
        assert type(data) is type(expected) and data == expected


def test_csv_columns_are_typed_as_pandas_infers_them(model_dir: Path):
    app, received = receiving(pd.DataFrame, model_dir)
    app.handle(InferenceRequest(b"n,p,label\n1,0.5,x\n2,,y\n", Headers(
        {"Content-Type": CSV_HEADER})))
    assert [received[0][name].dtype.kind for name in ("n", "p", "label")] == ["i", "f", "O"] \
        or received[0]["label"].dtype == "str"


@pytest.mark.parametrize("annotation, content_type, body, message", [
    (np.ndarray, "text/csv", b"1,x\n", "row 1, field 2: 'x' is not a number (a header row? "
                                        "send Content-Type: text/csv; header=present)"),
    (np.ndarray, CSV_HEADER, b"a,b\n1,x\n", "row 2, field 2: 'x' is not a number"),
    (pd.DataFrame, CSV_HEADER, b"a,b\n", "no records after the header row"),
    (pd.DataFrame, "text/csv; header=maybe", b"1\n",
     "text/csv header parameter must be present or absent, got 'maybe'"),
    (pd.DataFrame, "application/json", b'{"a": [1, 2], "b": [3]}',
     "body: columns differ in length ('a' has 2, 'b' has 1)"),
])
def test_what_predict_fn_cannot_receive_is_a_400(model_dir: Path, annotation: Any,
                                                  content_type: str, body: bytes, message: str):
    app, received = receiving(annotation, model_dir)
    response = app.handle(InferenceRequest(body, Headers({"Content-Type": content_type})))
    assert response.status == 400 and json.loads(response.body)["error"] == message
    assert received == []


MIXED = pd.DataFrame({"n": [1, 2], "p": [0.5, 1.5], "label": ["x", "y"]})
NUMERIC = pd.DataFrame({"n": [1, 2], "p": [0.5, 1.5]})
NULLABLE = pd.DataFrame({"n": pd.array([1, None], dtype="Int64")})
RECORDS = [{"label": "x", "p": 0.5}, {"label": "y", "p": 1, "extra": True}]
#: A cell where the response type cannot carry the prediction: 406 naming them.
REFUSED = None

ENCODED = [
    # prediction, text/csv, application/json, application/jsonlines, application/x-npy
    (np.array([1, 2]), "1\n2\n", "[1,2]", "1\n2\n", np.array([1, 2])),
    (np.array([[1.5, 2], [3, 4]]), "1.5,2.0\n3.0,4.0\n", "[[1.5,2.0],[3.0,4.0]]",
     "[1.5,2.0]\n[3.0,4.0]\n", np.array([[1.5, 2], [3, 4]])),
    (MIXED, "1,0.5,x\n2,1.5,y\n", '[{"n":1,"p":0.5,"label":"x"},{"n":2,"p":1.5,"label":"y"}]',
     '{"n":1,"p":0.5,"label":"x"}\n{"n":2,"p":1.5,"label":"y"}\n', REFUSED),
    (NUMERIC, "1,0.5\n2,1.5\n", '[{"n":1,"p":0.5},{"n":2,"p":1.5}]',
     '{"n":1,"p":0.5}\n{"n":2,"p":1.5}\n', np.array([[1.0, 0.5], [2.0, 1.5]])),
    (NULLABLE, '1\n""\n', '[{"n":1},{"n":null}]', '{"n":1}\n{"n":null}\n',
     np.array([[1.0], [np.nan]])),
    (pd.Series(["a", "b"]), "a\nb\n", '["a","b"]', '"a"\n"b"\n', np.array(["a", "b"])),
    (["a", "b"], "a\nb\n", '["a","b"]', '"a"\n"b"\n', np.array(["a", "b"])),
    ([[1, "a"], [2, "b"]], "1,a\n2,b\n", '[[1,"a"],[2,"b"]]', '[1,"a"]\n[2,"b"]\n',
     np.array([["1", "a"], ["2", "b"]])),
    (RECORDS, "x,0.5,\ny,1,True\n",
     '[{"label":"x","p":0.5},{"label":"y","p":1,"extra":true}]',
     '{"label":"x","p":0.5}\n{"label":"y","p":1,"extra":true}\n', REFUSED),
    ({"label": "x"}, REFUSED, '{"label":"x"}', '{"label":"x"}\n', REFUSED),
    (3, "3\n", "3", "3\n", np.array(3)),
    ("x", "x\n", '"x"', '"x"\n', np.array("x")),
    (np.zeros((1, 1, 2)), REFUSED, "[[[0.0,0.0]]]", "[[0.0,0.0]]\n", np.zeros((1, 1, 2))),
    ({1, 2}, REFUSED, REFUSED, REFUSED, REFUSED),
]


@pytest.mark.parametrize("accept, column", [("text/csv", 1), ("application/json", 2),
                                            ("application/jsonlines", 3),
                                            ("application/x-npy", 4)])
@pytest.mark.parametrize("row", ENCODED, ids=lambda row: type(row[0]).__name__)
def test_what_each_return_type_gives_for_each_accept(model_dir: Path, row: tuple[Any, ...],
                                                     accept: str, column: int):
    expected = row[column]
    app = app_of(lambda model, data: row[0], None, model_dir)
    response = app.handle(InferenceRequest(b"1", Headers({"Content-Type": "text/csv",
                                                          "Accept": accept})))
    if expected is REFUSED:
        assert response.status == 406, response.body
        names = {"text/csv": "text/csv", "application/json": "JSON",
                 "application/jsonlines": "JSON", "application/x-npy": "application/x-npy"}
        assert names[accept] in json.loads(response.body)["error"]
    elif isinstance(expected, np.ndarray):
        assert response.status == 200, response.body
        decoded = np.load(io.BytesIO(response.body), allow_pickle=False)
        assert decoded.dtype.kind == expected.dtype.kind
        assert np.array_equal(decoded, expected, equal_nan=decoded.dtype.kind == "f")
    else:
        assert (response.status, response.content_type) == (200, accept), response.body
        assert response.body.decode() == expected
