"""--range values read against a @train_fn's signature."""

from __future__ import annotations

import enum
from typing import Literal, Optional

import pytest

from byoc_toolkit.aws.tuning_jobs import CategoricalRange, ContinuousRange, IntegerRange
from byoc_toolkit.aws.tuning_ranges import RangeError, parse_range
from byoc_toolkit.training.parameters import analyze


class Kernel(enum.Enum):
    LINEAR = "linear"
    RBF = "rbf"


def train(depth: int = 3, rate: float = 0.1, leaves: Optional[int] = None,
          criterion: Literal["gini", "entropy"] = "gini", kernel: Kernel = Kernel.RBF,
          shuffle: bool = True, label: str = "y"):
    pass


PARAMETERS = {p.name: p for p in analyze(train)}


def parsed(name, text):
    return parse_range(name, text, PARAMETERS[name])


def test_numeric_bounds_follow_the_annotation():
    assert parsed("depth", "2:32:log") == IntegerRange("depth", 2, 32, "Logarithmic")
    assert parsed("leaves", "2:64") == IntegerRange("leaves", 2, 64, "Auto")
    assert parsed("rate", "0.001:1:log") == ContinuousRange("rate", 0.001, 1.0, "Logarithmic")
    assert parsed("rate", "1:2") == ContinuousRange("rate", 1.0, 2.0, "Auto")


def test_lists_of_values_for_any_type_each_value_checked():
    assert parsed("criterion", "gini, entropy") == CategoricalRange(
        "criterion", ("gini", "entropy"))
    assert parsed("kernel", "linear,RBF") == CategoricalRange("kernel", ("linear", "RBF"))
    assert parsed("shuffle", "true,false") == CategoricalRange("shuffle", ("true", "false"))
    assert parsed("depth", "3,5,8") == CategoricalRange("depth", ("3", "5", "8"))
    assert parsed("label", "a,b") == CategoricalRange("label", ("a", "b"))


@pytest.mark.parametrize("name, text, message", [
    ("depth", "2:8.5", "--range depth: expected int, got '8.5'"),
    ("depth", "8:8", "the low bound 8 is not below the high bound 8"),
    ("depth", "0:8:log", "a logarithmic range needs bounds above 0"),
    ("depth", "2:8:ln", "expected LO:HI or LO:HI:log, got '2:8:ln'"),
    ("criterion", "gini,hinge", "expected one of 'gini', 'entropy', got 'hinge'"),
    ("criterion", "a:b", "LO:HI needs an int or float hyperparameter, not Literal"),
    ("kernel", "poly", "expected one of 'linear', 'rbf', got 'poly'"),
    ("shuffle", "true,maybe", "expected bool (true or false), got 'maybe'"),
    ("label", "a,,b", "an empty value in 'a,,b'"),
    ("label", "a,a", "a value given twice in 'a,a'"),
])
def test_ranges_the_training_code_would_refuse(name, text, message):
    with pytest.raises(RangeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parsed(name, text)


def test_names_taken_through_kwargs_are_read_as_numbers():
    assert parse_range("lr", "0.01:0.1", None) == ContinuousRange("lr", 0.01, 0.1, "Auto")
    assert parse_range("n", "1:4", None) == IntegerRange("n", 1, 4, "Auto")
    assert parse_range("opt", "adam,sgd", None) == CategoricalRange("opt", ("adam", "sgd"))
    with pytest.raises(RangeError, match="expected a number, got 'x'"):
        parse_range("n", "x:4", None)
