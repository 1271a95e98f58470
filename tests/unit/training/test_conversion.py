import enum
import json
from pathlib import Path
from typing import Any, Literal, Optional, Union

import pytest

from byoc_toolkit.training.conversion import HyperparameterError, converter_for


def convert(name: str, raw: str, annotation: Any) -> Any:
    return converter_for(annotation)(name, raw)


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@pytest.mark.parametrize("annotation, value", [
    (int, 5), (int, -3), (float, 0.25), (float, 1e-05), (bool, True), (bool, False),
    (str, "gini"), (str, "two words"), (str, "5"), (list[int], [1, 2]),
    (list[str], ["a", "b"]), (dict, {"k": 1}), (dict[str, float], {"a": 0.5}),
    (Optional[int], None), (Optional[int], 4), (tuple[int, str], (1, "x")),
    (Literal["gini", "entropy"], "entropy"), (Literal[1, 2], 2),
])
def test_plain_and_sdk_encodings_decode_equal(annotation, value):
    plain, sdk = str(value), json.dumps(list(value) if isinstance(value, tuple) else value)
    assert convert("p", plain, annotation) == value
    assert convert("p", sdk, annotation) == value


INVALID = object()


@pytest.mark.parametrize("raw, annotation, expected", [
    ("rbf", Color, INVALID), ("red", Color, Color.RED), ('"BLUE"', Color, Color.BLUE),
    ("a, b ,c", list[str], ["a", "b", "c"]), ("1,2", list[int], [1, 2]), ("", list[int], []),
    ("null", Optional[str], None), ("/data/x", Path, Path("/data/x")),
    ("yes", bool, True), ("0", bool, False), ("1e3", float, 1000.0), ("1", float, 1.0),
    ("7", Union[int, str], 7), ("seven", Union[int, str], "seven"),
    ("[1, 2]", Any, [1, 2]), ("abc", Any, "abc"),
])
def test_conversions(raw, annotation, expected):
    if expected is INVALID:
        with pytest.raises(HyperparameterError):
            convert("p", raw, annotation)
    else:
        assert convert("p", raw, annotation) == expected


@pytest.mark.parametrize("raw, annotation, message", [
    ("abc", int, "n: expected int, got 'abc'"),
    ("5.5", int, "n: expected int, got '5.5'"),
    ("true", float, "n: expected float, got 'true'"),
    ("maybe", bool, "n: expected bool (true or false), got 'maybe'"),
    ("foo", Literal["gini", "entropy"], "n: expected one of 'gini', 'entropy', got 'foo'"),
    ('"foo"', Literal["gini"], "n: expected one of 'gini', got 'foo'"),
    ("[1, 'x']", list[int], "n: item 1: expected int, got 'x'"),
    ("[1, 2", list[int], "n: expected a list, got '[1, 2'"),
    ("{'a': 'x'}", dict[str, int], "n: key 'a': expected int, got 'x'"),
    ("nope", dict, "n: expected a dict (a JSON object), got 'nope'"),
    ("x", Optional[int], "n: expected int, got 'x'"),
    ("x", Union[int, float], "n: expected int or float, got 'x'"),
    ("[1]", tuple[int, int], "n: expected 2 items, got 1"),
])
def test_errors_name_the_parameter_and_the_value(raw, annotation, message):
    with pytest.raises(HyperparameterError) as info:
        convert("n", raw, annotation)
    assert str(info.value) == message
