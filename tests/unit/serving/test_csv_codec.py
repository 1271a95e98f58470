import numpy as np
import pandas as pd
import pytest

from byoc_toolkit.serving.codecs import count_records, decode, encode
from byoc_toolkit.serving.data_kinds import DataKind
from byoc_toolkit.serving.errors import BadRequest, NotAcceptable, UnsupportedMediaType
from byoc_toolkit.serving.media_types import MediaType

CSV = MediaType.parse("text/csv")
HEADER_HINT = "(a header row? send Content-Type: text/csv; header=present)"
NAN = float("nan")


def numbers(body, media_type=CSV):
    return decode(body, media_type, DataKind.NDARRAY)


def bad_request(body, kind=DataKind.NDARRAY, media_type=CSV):
    with pytest.raises(BadRequest) as caught:
        decode(body, media_type, kind)
    return caught.value.message


def wide(rows, *, last=None):
    """A body above the small-body threshold, so that np.loadtxt reads it first."""
    lines = ["1.5,2,3.25,4"] * rows
    if last is not None:
        lines.append(last)
    return "\n".join(lines).encode() + b"\n"


def test_one_row_is_a_2d_float_array():
    array = numbers(b"5.1,3.5,1.4,0.2")
    assert array.dtype == np.float64 and array.shape == (1, 4)
    assert array.tolist() == [[5.1, 3.5, 1.4, 0.2]]
    assert decode(b"5.1,3.5\n", CSV).tolist() == [[5.1, 3.5]]  # DEFAULT is NDARRAY


def test_many_rows_read_exactly():
    expected = np.random.default_rng(1).normal(size=(500, 4)) * 1e3
    body = "\n".join(",".join(repr(v) for v in row) for row in expected.tolist()).encode()
    assert np.array_equal(numbers(body), expected)
    assert np.array_equal(numbers(bytearray(body)), expected)


@pytest.mark.parametrize("body, expected", [
    (b"1,2\n3,4\n", [[1, 2], [3, 4]]),
    (b"1,2\r\n3,4\r\n", [[1, 2], [3, 4]]),
    (b"1,2\r3,4\r", [[1, 2], [3, 4]]),
    (b"\n1,2\n\n  \n3,4\n\t\n", [[1, 2], [3, 4]]),
    (b" 1 , 2 \n+3,-4e0\n", [[1, 2], [3, -4]]),
    (b'"1","2"\n3,"4"\n', [[1, 2], [3, 4]]),
    (b"1,\n,4\n", [[1, NAN], [NAN, 4]]),
    (b"nan,inf\n-inf,NaN\n", [[NAN, float("inf")], [float("-inf"), NAN]]),
    (b"1\n2\n3", [[1], [2], [3]]),
    (b"7", [[7]]),
    (b"\xef\xbb\xbf1,2", [[1, 2]]),
])
def test_numbers_accepted_on_every_path(body, expected):
    for data in (body, body + b"\n" * 200):  # under and over the small-body threshold
        array = numbers(data)
        assert np.array_equal(array, np.array(expected, dtype=float), equal_nan=True)
        assert len(array) == count_records(data, CSV)


def test_charsets():
    assert numbers("1,2\n".encode("utf-16"),
                   MediaType.parse("text/csv; charset=utf-16")).tolist() == [[1, 2]]
    assert numbers(b"1,2\n", MediaType.parse("text/csv; charset=ISO-8859-1")).tolist() == [
        [1, 2]]
    assert "'é' is not a number" in bad_request(
        "é,1".encode("latin-1"), media_type=MediaType.parse("text/csv; charset=latin-1"))


@pytest.mark.parametrize("body, message", [
    (b"1,2,3,4\n1,2,3,4\n1,2\n", "row 3 has 2 fields, expected 4"),
    (b"1,2\n3\n", "row 2 has 1 field, expected 2"),
    (b"1,2\n\n3,4,5\n", "row 2 has 3 fields, expected 2"),
    (b"1,2,3\n1,2,abc\n", "row 2, field 3: 'abc' is not a number"),
    (b"1,2\n0x10,1", "row 2, field 1: '0x10' is not a number"),
    (b'1,"a,b"\n', "row 1, field 2: 'a,b' is not a number " + HEADER_HINT),
    (b"sepal,width\n1,2\n", "row 1, field 1: 'sepal' is not a number " + HEADER_HINT),
    (b"1,2\n3,4 5\n", "row 2, field 2: '4 5' is not a number"),
    (b"\n\n", "no records: the body holds only blank lines"),
    (b"   \r\n", "no records: the body holds only blank lines"),
    (b"1,\xff\n", "body is not valid utf-8: invalid start byte at byte 2"),
])
def test_malformed_numbers_name_the_place(body, message):
    assert bad_request(body) == message


@pytest.mark.parametrize("body, message", [
    (wide(40, last="1,2"), "row 41 has 2 fields, expected 4"),
    (wide(40, last="1,2,3,4,5"), "row 41 has 5 fields, expected 4"),
    (wide(40, last="1,2,3,abc"), "row 41, field 4: 'abc' is not a number"),
    (b"a,b,c,d\n" + wide(40), "row 1, field 1: 'a' is not a number " + HEADER_HINT),
])
def test_faults_behind_the_fast_path(body, message):
    assert bad_request(body) == message


def test_messages_never_hold_the_body():
    message = bad_request(wide(50_000, last="1,2,3," + "z" * 10_000))
    assert message == "row 50001, field 4: '" + "z" * 40 + "…' is not a number"
    message = bad_request(wide(10) + b"1,2\n")
    assert message == "row 11 has 2 fields, expected 4"


def test_unknown_charset_is_415():
    with pytest.raises(UnsupportedMediaType) as caught:
        numbers(b"1,2", MediaType.parse("text/csv; charset=klingon"))
    assert caught.value.message == "unsupported charset 'klingon'"
    with pytest.raises(UnsupportedMediaType):
        numbers(b"1,2", MediaType.parse("text/csv; charset=rot13"))


def test_dataframe_has_no_header_and_pandas_types():
    frame = decode(b'1,a,0.5\n2,"b,\nc",\n\n3,d,1.5\n', CSV, DataKind.DATAFRAME)
    assert list(frame.columns) == [0, 1, 2]
    assert frame[0].tolist() == [1, 2, 3] and frame[0].dtype == np.int64
    assert frame[1].tolist() == ["a", "b,\nc", "d"]
    assert frame[2].tolist()[0::2] == [0.5, 1.5] and np.isnan(frame[2][1])


def test_dataframe_keeps_quoted_blank_records():
    body = b'a\n""\n"  "\nb\n'
    frame = decode(body, CSV, DataKind.DATAFRAME)
    assert len(frame) == count_records(body, CSV) == 4


def test_dataframe_rejects_ragged_rows():
    assert bad_request(b"1,2\n3\n", DataKind.DATAFRAME) == "row 2 has 1 field, expected 2"
    assert bad_request(b"1\n2,3\n", DataKind.DATAFRAME) == "row 2 has 2 fields, expected 1"


def test_json_kind_is_rows_of_strings():
    rows = decode(b'a,1\r\n"x ""y""",\n\n"multi\nline",3\n', CSV, DataKind.JSON)
    assert rows == [["a", "1"], ['x "y"', ""], ["multi\nline", "3"]]
    assert bad_request(b"a,b\nc\n", DataKind.JSON) == "row 2 has 1 field, expected 2"


@pytest.mark.parametrize("body, count", [
    (b"1,2", 1), (b"1,2\n", 1), (b"1\n2\n3\n", 3), (b"1\r\n2\r\n", 2), (b"1\r2\r3", 3),
    (b"\n1\n\n \n2\n\t\n", 2), (b'1,"a\nb"\n2,c\n', 2), (b'""\n"  "\n\n', 2),
    (b'\xef\xbb\xbf1,"x"\n2,y', 2),
])
def test_count_records(body, count):
    assert count_records(body, CSV) == count
    assert len(decode(body, CSV, DataKind.JSON)) == count


def test_count_records_in_other_charsets_and_bad_bodies():
    utf16 = MediaType.parse("text/csv; charset=utf-16")
    assert count_records("a\nb\n\nc".encode("utf-16"), utf16) == 3
    assert count_records(b'"\xff"\n', CSV) is None
    assert count_records(b"1", MediaType.parse("text/csv; charset=klingon")) is None


@pytest.mark.parametrize("prediction, body", [
    (np.array(["setosa", "virginica"]), b"setosa\nvirginica\n"),
    (np.array(["setosa", "virginica"], dtype=object), b"setosa\nvirginica\n"),
    (np.array([1, 0, 2]), b"1\n0\n2\n"),
    (np.array([0.1, 2.5e-10, np.nan]), b"0.1\n2.5e-10\nnan\n"),
    (np.array([True, False]), b"True\nFalse\n"),
    (np.array([[1.5, 2.0], [3.0, 4.25]]), b"1.5,2.0\n3.0,4.25\n"),
    (np.array([["a", "b"], ["c", "d"]]), b"a,b\nc,d\n"),
    (np.float64(0.5), b"0.5\n"), (np.array(3), b"3\n"), (7, b"7\n"), ("yes", b"yes\n"),
    ([1, "a", None, 2.5], b'1\na\n""\n2.5\n'),
    ((1, 2), b"1\n2\n"),
    ([[1, "x"], (2, "y")], b"1,x\n2,y\n"),
    (pd.DataFrame({"p": [0.25, 0.75], "label": ["a", "b"]}, index=[5, 6]), b"0.25,a\n0.75,b\n"),
    (pd.Series(["a", "b"], name="label"), b"a\nb\n"),
    (np.array([]), b""), ([], b""),
    (np.array(["é", "日本"]), "é\n日本\n".encode()),
])
def test_encode(prediction, body):
    assert encode(prediction, "text/csv") == body


@pytest.mark.parametrize("values, body", [
    (["a,b", "c"], b'"a,b"\nc\n'),
    (['say "hi"'], b'"say ""hi"""\n'),
    (["line\nbreak"], b'"line\nbreak"\n'),
    (["carriage\rreturn"], b'"carriage\rreturn"\n'),
    ([""], b'""\n'),
    (["  "], b'"  "\n'),
    ([None], b'""\n'),
    ([["", ""]], b",\n"),
    ([["a", None, "b,c"]], b'a,,"b,c"\n'),
])
def test_encode_quotes_per_rfc_4180(values, body):
    assert encode(values, "text/csv") == body
    assert encode(np.array(values, dtype=object), "text/csv") == body


@pytest.mark.parametrize("prediction, message", [
    ({"a": 1}, "a dict cannot be written as text/csv; return an array, a list or a DataFrame, "
               "or ask for application/json"),
    (np.zeros((2, 2, 2)), "a 3-D array cannot be written as text/csv; return a 1-D or 2-D "
                          "array, or ask for application/json"),
    ([[1, [2, 3]]], "row 1, field 2 of the prediction is a list; text/csv needs one scalar a "
                    "field (application/json can carry it)"),
    (["a", {"b": 1}], "row 2, field 1 of the prediction is a dict; text/csv needs one scalar a "
                      "field (application/json can carry it)"),
    ([{"a": 1}, ["b"]], "row 2 of the prediction is a list and row 1 a dict; text/csv needs "
                        "rows of one kind"),
    ([b"raw"], "row 1, field 1 of the prediction is a bytes; text/csv needs one scalar a field"),
    ([[1], []], "row 2 of the prediction has no fields; text/csv needs one or more"),
    (np.zeros((2, 0)), "row 1 of the prediction has no fields; text/csv needs one or more"),
])
def test_encode_rejects_what_csv_cannot_hold(prediction, message):
    with pytest.raises(NotAcceptable) as caught:
        encode(prediction, "text/csv")
    assert caught.value.message == message and caught.value.status == 406


LARGE = 1 << 20  # csv_codec reads bodies this large with pandas' parser first


def test_large_bodies_read_exactly_and_fall_back_on_anything_irregular():
    expected = np.random.default_rng(2).normal(size=(30_000, 4)) * 1e3
    body = "\n".join(",".join(repr(v) for v in row) for row in expected.tolist()).encode()
    assert len(body) >= LARGE
    assert np.array_equal(numbers(body), expected)
    padded = wide(LARGE // 13)
    assert bad_request(padded + b"1,2\n") == (
        f"row {LARGE // 13 + 1} has 2 fields, expected 4")
    assert "'NA' is not a number" in bad_request(padded + b"1,NA,3,4\n")
    holes = numbers(padded + b"1,,3,4\n")
    assert np.isnan(holes[-1, 1]) and holes.shape == (LARGE // 13 + 1, 4)
