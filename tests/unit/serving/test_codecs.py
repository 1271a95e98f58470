"""The codecs package as the server uses it: dispatch, record counts, round trips, imports."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from byoc_toolkit.serving.codecs import (
    REQUEST_TYPES,
    RESPONSE_TYPES,
    count_records,
    decode,
    encode,
    encode_record_count,
)
from byoc_toolkit.serving.data_kinds import DataKind
from byoc_toolkit.serving.errors import BadRequest, NotAcceptable, UnsupportedMediaType
from byoc_toolkit.serving.media_types import MediaType

LINE_TYPES = ("text/csv", "application/jsonlines")


@pytest.mark.parametrize("content_type", ["text/plain", "image/png", "application/octet-stream",
                                          "application/x-ndjson"])
def test_unsupported_request_type_is_415(content_type):
    with pytest.raises(UnsupportedMediaType) as caught:
        decode(b"1", MediaType.parse(content_type), DataKind.BYTES)
    assert caught.value.message == (
        f"cannot read {content_type}; supported: text/csv, application/json, "
        "application/jsonlines, application/x-npy, application/x-npz")


@pytest.mark.parametrize("content_type", REQUEST_TYPES)
@pytest.mark.parametrize("kind", list(DataKind))
def test_empty_body_is_400(content_type, kind):
    with pytest.raises(BadRequest) as caught:
        decode(b"", MediaType.parse(content_type), kind)
    assert caught.value.message == "empty body"


@pytest.mark.parametrize("content_type", REQUEST_TYPES)
def test_bytes_kind_is_the_body_untouched(content_type):
    body = bytearray(b"\x00not even valid\xff")
    assert decode(body, MediaType.parse(content_type), DataKind.BYTES) is body


def test_count_records_only_for_line_types():
    for content_type in REQUEST_TYPES:
        count = count_records(b"1\n2\n", MediaType.parse(content_type))
        assert count == (2 if content_type in LINE_TYPES else None)


@pytest.mark.parametrize("media_type", ["Text/CSV; charset=utf-8", "application/jsonl",
                                        "application/json; charset=UTF-8"])
def test_encode_takes_header_spellings(media_type):
    assert encode([1], media_type) == encode([1], MediaType.parse(media_type).essence)


@pytest.mark.parametrize("media_type", ["application/x-npz", "text/html", "image/png"])
def test_encode_to_an_unknown_type_is_406(media_type):
    with pytest.raises(NotAcceptable) as caught:
        encode([1], media_type)
    assert caught.value.message == (f"cannot write {media_type}; supported: text/csv, "
                                    "application/json, application/jsonlines, application/x-npy")


NASTY = ["plain", "with,comma", 'with "quotes"', "line\nbreak", "crlf\r\nbreak", "cr\ronly",
         "", " ", "\t", "trailing space ", "ünïcödé", "\u2028", '"', ",", "\n"]

PREDICTIONS = [
    np.array(NASTY), np.array(NASTY, dtype=object), NASTY, tuple(NASTY),
    np.array([[value, value] for value in NASTY], dtype=object), [[value] for value in NASTY],
    np.arange(7.0), np.arange(12).reshape(4, 3), np.array(1.5), np.float32(2.5), 3, "one",
    [None, 1, "a"], pd.DataFrame({"label": NASTY, "p": np.linspace(0, 1, len(NASTY))}),
    pd.Series(NASTY), np.array([], dtype=str), [],
]


@pytest.mark.parametrize("prediction", PREDICTIONS, ids=lambda p: type(p).__name__)
@pytest.mark.parametrize("media_type", LINE_TYPES)
def test_one_line_per_record(prediction, media_type):
    body = encode(prediction, media_type)
    assert count_records(body, MediaType.parse(media_type)) == encode_record_count(prediction)
    if body:
        assert body.endswith(b"\n")
        records = decode(body, MediaType.parse(media_type), DataKind.JSON)
        assert len(records) == encode_record_count(prediction)


def test_dict_is_one_jsonlines_record():
    prediction = {"a": [1, 2, 3]}
    assert encode_record_count(prediction) == 1
    assert count_records(encode(prediction, "application/jsonlines"),
                         MediaType.parse("application/jsonlines")) == 1


def test_csv_strings_round_trip():
    body = encode(np.array(NASTY), "text/csv")
    assert decode(body, MediaType.parse("text/csv"), DataKind.JSON) == [[v] for v in NASTY]
    frame = pd.DataFrame({"a": NASTY, "b": NASTY[::-1]})
    rows = decode(encode(frame, "text/csv"), MediaType.parse("text/csv"), DataKind.JSON)
    assert rows == frame.values.tolist()


def test_jsonlines_strings_round_trip():
    body = encode(np.array(NASTY), "application/jsonlines")
    assert decode(body, MediaType.parse("application/jsonlines")) == NASTY


@pytest.mark.parametrize("media_type", RESPONSE_TYPES)
def test_numeric_round_trip(media_type):
    array = np.random.default_rng(3).normal(size=(20, 3))
    body = encode(array, media_type)
    assert np.array_equal(decode(body, MediaType.parse(media_type), DataKind.NDARRAY), array)


def test_json_and_jsonlines_agree():
    prediction = pd.DataFrame({"p": [0.1, 0.9], "label": ["a", "b"]})
    lines = encode(prediction, "application/jsonlines").splitlines()
    assert [json.loads(line) for line in lines] == json.loads(encode(prediction,
                                                                     "application/json"))


def test_pandas_and_scipy_are_imported_only_when_needed():
    code = """if True:
        import sys
        from byoc_toolkit.serving import codecs
        from byoc_toolkit.serving.data_kinds import DataKind
        from byoc_toolkit.serving.media_types import MediaType
        heavy = lambda: sorted(m for m in ("numpy", "pandas", "scipy") if m in sys.modules)
        print(heavy())
        csv = MediaType.parse("text/csv")
        codecs.decode(b"1,2\\n3,4", csv, DataKind.NDARRAY)
        prediction = codecs.decode(b'["a", "b"]', MediaType.parse("application/json"))
        codecs.encode(prediction, "text/csv")
        codecs.encode(prediction, "application/json")
        print(heavy())
        codecs.decode(b"1,2", csv, DataKind.DATAFRAME)
        print(heavy())
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["['numpy']", "['numpy']", "['numpy', 'pandas']"]
