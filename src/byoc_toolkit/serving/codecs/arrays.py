"""Decoded JSON values as float arrays, naming the first element that does not fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import BadRequest, count_of, excerpt

#: Names the element at an index path in a message: () is the whole value.
Locate = Callable[[tuple[int, ...]], str]


def json_path(root: str) -> Locate:
    """Paths in one JSON document: ``body``, ``instances[2][0]`` (0-based, like JSON)."""
    return lambda path: root + "".join(f"[{i}]" for i in path)


def row_path(path: tuple[int, ...]) -> str:
    """Paths in a list of records: ``row 3``, ``row 3, field 2`` (1-based, like CSV)."""
    if not path:
        return "body"
    where = f"row {path[0] + 1}"
    if len(path) > 1:
        where += f", field {path[1] + 1}" + "".join(f"[{i}]" for i in path[2:])
    return where


def json_type(value: Any) -> str:
    """How a message names a decoded JSON value's type: ``an object``, ``a string``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object" if isinstance(value, dict) else "an array"


def float_array(value: Any, locate: Locate) -> np.ndarray:
    """``value`` (nested lists of numbers) as a float64 array of the same shape.

    null reads as NaN, booleans as 0/1 and numeric strings as their number, as numpy does.
    Anything else is a BadRequest naming the first offending element.
    """
    if not isinstance(value, list):
        raise BadRequest(f"{locate(())}: expected an array, got {json_type(value)}")
    if not value:
        raise BadRequest(f"{locate(())} is an empty array")
    try:
        return np.asarray(value, dtype=np.float64)
    except (ValueError, TypeError, OverflowError) as exc:
        raise BadRequest(_first_problem(value, locate) or f"not an array of numbers: {exc}"
                         ) from None


def _first_problem(value: list[Any], locate: Locate) -> str | None:
    # The first element at each depth sets the expected shape, as numpy's does.
    shape: list[int] = []
    probe: Any = value
    while isinstance(probe, list):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    return _problem(value, shape, (), locate)


def _problem(node: Any, shape: list[int], path: tuple[int, ...], locate: Locate) -> str | None:
    depth = len(path)
    if depth < len(shape):
        expected = count_of(shape[depth], "value")
        if not isinstance(node, list):
            return f"{locate(path)}: expected an array of {expected}, got {json_type(node)}"
        if len(node) != shape[depth]:
            return f"{locate(path)} has {count_of(len(node), 'value')}, expected {shape[depth]}"
        for index, item in enumerate(node):
            problem = _problem(item, shape, (*path, index), locate)
            if problem:
                return problem
        return None
    if isinstance(node, (list, dict)):
        return f"{locate(path)}: expected a number, got {json_type(node)}"
    try:
        np.float64(node)
    except OverflowError:
        return f"{locate(path)}: {excerpt(str(node))} is out of range for float64"
    except (ValueError, TypeError):
        return f"{locate(path)}: {excerpt(node)} is not a number"
    return None
