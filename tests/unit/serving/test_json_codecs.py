import datetime
import json

import numpy as np
import pandas as pd
import pytest

from byoc_toolkit.serving.codecs import count_records, decode, encode
from byoc_toolkit.serving.data_kinds import DataKind
from byoc_toolkit.serving.errors import BadRequest, NotAcceptable, UnsupportedMediaType
from byoc_toolkit.serving.media_types import MediaType

JSON = MediaType.parse("application/json")
JSONL = MediaType.parse("application/jsonlines")


def bad_request(body, kind, media_type=JSON):
    with pytest.raises(BadRequest) as caught:
        decode(body, media_type, kind)
    return caught.value.message


def test_default_and_json_kinds_are_the_decoded_value():
    body = b'{"instances": [[1, 2]], "note": "\xc3\xa9"}'
    assert decode(body, JSON) == decode(body, JSON, DataKind.JSON) == {
        "instances": [[1, 2]], "note": "é"}
    assert decode(b'"just a string"', JSON) == "just a string"
    assert decode(b"\xef\xbb\xbf[1]", JSON) == [1]
    assert decode(bytearray(b"[1]"), JSON) == [1]


def test_charset_parameter_is_honoured():
    body = '["é"]'.encode("utf-16")
    assert decode(body, MediaType.parse("application/json; charset=UTF-16")) == ["é"]
    with pytest.raises(UnsupportedMediaType):
        decode(b"[1]", MediaType.parse("application/json; charset=nope"))


@pytest.mark.parametrize("body, message", [
    (b'{"a": }', "invalid JSON: Expecting value at line 1 column 7"),
    (b"[1, 2,\n 3", "invalid JSON: Expecting ',' delimiter at line 2 column 3"),
    (b"   ", "invalid JSON: Expecting value at line 1 column 4"),
    (b"[1] [2]", "invalid JSON: Extra data at line 1 column 5"),
    (b"[" * 100_000, "invalid JSON: nested too deeply"),
    (b'["\xff"]', "body is not valid utf-8: invalid start byte at byte 2"),
])
def test_malformed_json(body, message):
    assert bad_request(body, DataKind.JSON) == message


@pytest.mark.parametrize("body, expected", [
    (b"[[1, 2.5], [3, 4]]", [[1, 2.5], [3, 4]]),
    (b"[1, 2, 3]", [1, 2, 3]),
    (b'{"instances": [[1, 2]]}', [[1, 2]]),
    (b'{"inputs": [[1, 2]], "parameters": {}}', [[1, 2]]),
    (b'[[true, null, "2.5"]]', [[1, np.nan, 2.5]]),
    (b"[[[1], [2]], [[3], [4]]]", [[[1], [2]], [[3], [4]]]),
])
def test_ndarray_from_json(body, expected):
    array = decode(body, JSON, DataKind.NDARRAY)
    assert array.dtype == np.float64
    assert np.array_equal(array, np.array(expected, dtype=float), equal_nan=True)


@pytest.mark.parametrize("body, message", [
    (b"[[1, 2], [3]]", "body[1] has 1 value, expected 2"),
    (b'{"instances": [[1, 2], [3, 4, 5]]}', "instances[1] has 3 values, expected 2"),
    (b'{"inputs": [[1, 2], [3, "abc"]]}', "inputs[1][1]: 'abc' is not a number"),
    (b"[[1, 2], 3]", "body[1]: expected an array of 2 values, got a number"),
    (b"[1, [2]]", "body[1]: expected a number, got an array"),
    (b'[[1, {"a": 1}]]', "body[0][1]: expected a number, got an object"),
    (b"[1e999999, 10" + b"0" * 400 + b"]", "body[1]: '1000000000000000000000000000000000000000…'"
                                          " is out of range for float64"),
    (b"[[[1, 2]], [[3]]]", "body[1][0] has 1 value, expected 2"),
    (b"[]", "body is an empty array"),
    (b"3", "body: expected an array, got a number"),
    (b'{"a": [1]}', 'body: expected an array, or an object with "instances" or "inputs", '
                    "got an object without them"),
    (b'{"instances": [1], "inputs": [1]}', 'body: use "instances" or "inputs", not both'),
    (b'{"instances": "x"}', "instances: expected an array, got a string"),
])
def test_ndarray_from_json_errors(body, message):
    assert bad_request(body, DataKind.NDARRAY) == message


@pytest.mark.parametrize("body, columns, rows", [
    (b'[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]', ["a", "b"], [[1, "x"], [2, "y"]]),
    (b"[[1, 2], [3, 4]]", [0, 1], [[1, 2], [3, 4]]),
    (b"[1, 2]", [0], [[1], [2]]),
    (b'{"a": [1, 2], "b": ["x", "y"]}', ["a", "b"], [[1, "x"], [2, "y"]]),
    (b'{"instances": [{"a": 1}]}', ["a"], [[1]]),
])
def test_dataframe_from_json(body, columns, rows):
    frame = decode(body, JSON, DataKind.DATAFRAME)
    assert list(frame.columns) == columns and frame.values.tolist() == rows


@pytest.mark.parametrize("body, message", [
    (b"[[1, 2], [3]]", "body[1] has 1 value, expected 2"),
    (b'[{"a": 1}, [1]]', "body[1]: expected an object like body[0], got an array"),
    (b'[[1], "x"]', "body[1]: expected an array like body[0], got a string"),
    (b'{"a": [1, 2], "b": [3]}', "body: columns differ in length ('a' has 2, 'b' has 1)"),
    (b"{}", "body is an empty object"),
    (b"[]", "body is an empty array"),
    (b'"text"', "body: expected an array of records or rows, or an object of columns or one "
                "record, got a string"),
])
def test_dataframe_from_json_errors(body, message):
    assert bad_request(body, DataKind.DATAFRAME) == message


@pytest.mark.parametrize("prediction, text", [
    (np.array(["setosa", "virginica"]), '["setosa","virginica"]'),
    (np.array([[1.5, np.nan], [np.inf, 2]]), "[[1.5,null],[null,2.0]]"),
    (np.float32(0.5), "0.5"), (np.int64(3), "3"), (np.bool_(True), "true"), (None, "null"),
    ({"scores": np.array([1, 2]), "label": np.str_("a"), "n": np.int8(1)},
     '{"scores":[1,2],"label":"a","n":1}'),
    ([np.float64(np.nan), {"x": [float("-inf")]}], '[null,{"x":[null]}]'),
    (pd.DataFrame({"p": [0.5, np.nan], "label": ["a", "b"]}),
     '[{"p":0.5,"label":"a"},{"p":null,"label":"b"}]'),
    (pd.Series([1, 2], index=[7, 8]), "[1,2]"),
    ({"when": datetime.date(2024, 5, 1)}, '{"when":"2024-05-01"}'),
    ("é\u2028", '"\\u00e9\\u2028"'),
])
def test_encode_json(prediction, text):
    assert encode(prediction, "application/json") == text.encode()


@pytest.mark.parametrize("prediction", [object(), {"a": b"bytes"}, {1j: 1}, np.array([1j])])
def test_encode_json_rejects_what_json_cannot_hold(prediction):
    with pytest.raises(NotAcceptable) as caught:
        encode(prediction, "application/json")
    assert caught.value.message.startswith("the prediction cannot be written as JSON: ")


def test_encode_json_rejects_circular_values():
    loop = []
    loop.append(loop)
    with pytest.raises(NotAcceptable):
        encode(loop, "application/json")


def test_jsonlines_decode_kinds():
    body = b'{"a": 1}\n\n[1, 2]\r\n  \n"x"\n'
    assert decode(body, JSONL) == [{"a": 1}, [1, 2], "x"]
    rows = b"[1, 2]\n[3, 4]\n"
    assert decode(rows, JSONL, DataKind.NDARRAY).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert decode(b"1\n2\n", JSONL, DataKind.NDARRAY).tolist() == [1.0, 2.0]
    frame = decode(b'{"a": 1, "b": "x"}\n{"a": 2}\n', JSONL, DataKind.DATAFRAME)
    assert list(frame.columns) == ["a", "b"] and frame["a"].tolist() == [1, 2]
    assert decode(rows, JSONL, DataKind.DATAFRAME).values.tolist() == [[1, 2], [3, 4]]
    assert decode(rows, MediaType.parse("application/jsonl")) == [[1, 2], [3, 4]]


@pytest.mark.parametrize("body, kind, message", [
    (b"[1, 2]\n[3, 4\n", DataKind.JSON, "row 2: invalid JSON: Expecting ',' delimiter at column 6"),
    (b"1\n\n{\n", DataKind.JSON,
     "row 2: invalid JSON: Expecting property name enclosed in double quotes at column 2"),
    (b"1, 2\n", DataKind.JSON, "row 1: invalid JSON: Extra data at column 2"),
    (b"\n \r\n", DataKind.JSON, "no records: the body holds only blank lines"),
    (b"[1, 2]\n[3]\n", DataKind.NDARRAY, "row 2 has 1 value, expected 2"),
    (b'[1, 2]\n[3, "x"]\n', DataKind.NDARRAY, "row 2, field 2: 'x' is not a number"),
    (b'{"a": 1}\n[1]\n', DataKind.DATAFRAME, "row 2: expected an object like row 1, got an array"),
])
def test_jsonlines_errors(body, kind, message):
    assert bad_request(body, kind, JSONL) == message


@pytest.mark.parametrize("body, count", [
    (b"1", 1), (b"1\n2\n", 2), (b"\n1\n \n\t\r\n2", 2), (b'"a\\nb"\n', 1), (b"1\r\n2\r\n", 2),
])
def test_jsonlines_count_records(body, count):
    assert count_records(body, JSONL) == count == len(decode(body, JSONL))


def test_jsonlines_count_in_another_charset():
    utf16 = MediaType.parse("application/jsonlines; charset=utf-16")
    assert count_records("1\n\n2\n".encode("utf-16"), utf16) == 2
    assert count_records(b"1", MediaType.parse("application/jsonlines; charset=x")) is None
    assert count_records(b"1", JSON) is None


@pytest.mark.parametrize("prediction, text", [
    (np.array(["a", "b"]), '"a"\n"b"\n'),
    (np.array([[1, 2], [3, 4]]), "[1,2]\n[3,4]\n"),
    (np.array(0.5), "0.5\n"),
    (pd.DataFrame({"p": [0.5, np.nan], "label": ["a", "b"]}),
     '{"p":0.5,"label":"a"}\n{"p":null,"label":"b"}\n'),
    (pd.Series(["a", "b"]), '"a"\n"b"\n'),
    ([{"a": 1}, [2], "x\ny"], '{"a":1}\n[2]\n"x\\ny"\n'),
    ({"a": [1, 2]}, '{"a":[1,2]}\n'),
    (7, "7\n"), ([], ""),
])
def test_encode_jsonlines(prediction, text):
    encoded = encode(prediction, "application/jsonlines")
    assert encoded == text.encode()
    assert [json.loads(line) for line in encoded.splitlines()] == [
        json.loads(line) for line in text.splitlines()]
