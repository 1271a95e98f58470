"""``--range`` values for a tuning job, read against the @train_fn's signature: ``LO:HI`` or
``LO:HI:log`` for an int or float hyperparameter, ``a,b,c`` for any (Literal and Enum
choices, bools, strings, numbers), every bound and value checked by the parameter's own
converter, so that a range the training code would refuse fails before the tuning job."""

from __future__ import annotations

from ..errors import InputError
from ..training.conversion import HyperparameterError, type_name
from ..training.parameters import Parameter
from .tuning_jobs import (
    CategoricalRange,
    ContinuousRange,
    IntegerRange,
    ParameterRange,
    Scaling,
)

#: SageMaker's limit on the values of one categorical range.
MAX_CATEGORICAL_VALUES = 30
_SCALINGS: dict[str, Scaling] = {"log": "Logarithmic"}


class RangeError(InputError):
    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"--range {name}: {problem}")


def parse_range(name: str, text: str, parameter: Parameter | None) -> ParameterRange:
    """The range ``text`` gives hyperparameter ``name``; ``parameter`` is None for a name the
    function takes only through ``**kwargs`` (then bounds are read as numbers, unchecked)."""
    value_type = parameter.value_type if parameter is not None else None
    if ":" not in text:
        return _categorical(name, text, parameter)
    if parameter is not None and value_type not in (int, float):
        raise RangeError(name, f"LO:HI needs an int or float hyperparameter, not "
                               f"{type_name(parameter.annotation)}; list the values: "
                               f"{name}=a,b,c")
    low_text, _, rest = text.partition(":")
    high_text, colon, scaling_text = rest.partition(":")
    scaling = _SCALINGS.get(scaling_text) if colon else "Auto"
    if scaling is None:
        raise RangeError(name, f"expected LO:HI or LO:HI:log, got {text!r}")
    low, high = _bound(name, low_text, parameter), _bound(name, high_text, parameter)
    if not low < high:
        raise RangeError(name, f"the low bound {low} is not below the high bound {high}")
    if scaling == "Logarithmic" and low <= 0:
        raise RangeError(name, "a logarithmic range needs bounds above 0")
    if isinstance(low, int) and isinstance(high, int) and value_type is not float:
        return IntegerRange(name, low, high, scaling)
    return ContinuousRange(name, float(low), float(high), scaling)


def _bound(name: str, text: str, parameter: Parameter | None) -> int | float:
    if parameter is not None and parameter.converter is not None:
        try:
            value = parameter.converter(name, text)
        except HyperparameterError as exc:
            raise RangeError(name, exc.problem) from None
        if isinstance(value, (int, float)):
            return value
    for read in (int, float):
        try:
            return read(text)
        except ValueError:
            continue
    raise RangeError(name, f"expected a number, got {text!r}")


def _categorical(name: str, text: str, parameter: Parameter | None) -> CategoricalRange:
    values = tuple(v.strip() for v in text.split(","))
    if not all(values):
        raise RangeError(name, f"an empty value in {text!r}")
    if len(set(values)) < len(values):
        raise RangeError(name, f"a value given twice in {text!r}")
    if len(values) > MAX_CATEGORICAL_VALUES:
        raise RangeError(name, f"{len(values)} values; SageMaker takes at most "
                               f"{MAX_CATEGORICAL_VALUES}")
    if parameter is not None and parameter.converter is not None:
        for value in values:
            try:
                parameter.converter(name, value)
            except HyperparameterError as exc:
                raise RangeError(name, exc.problem) from None
    return CategoricalRange(name, values)
