"""Hyperparameters: reading hyperparameters.json and decoding its strings into typed values.

SageMaker stores every value as a string, in one of two encodings: plain ``str()`` (the API,
the console, plain estimators) or ``json.dumps`` first (the Python SDK's framework
estimators), so ``gini`` may arrive as ``"gini"`` or as ``"\\"gini\\""``, ``True`` as
``"True"`` or ``"true"``, and a list as ``"['a', 'b']"`` or ``"[\\"a\\", \\"b\\"]"``. Both
decode to the same typed value here.
"""

from __future__ import annotations

import ast
import enum
import json
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config_files import read_json_object
from .errors import ContractError
from .paths import Paths

#: Names SageMaker and its Python SDK add on their own; never the user's.
SAGEMAKER_PREFIX = "sagemaker_"
SAGEMAKER_ADDED_NAMES = frozenset({"_tuning_objective_metric", "default_user_module_name"})

_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off"})
_NONE = frozenset({"none", "null"})
_INT = re.compile(r"[+-]?\d+")


class HyperparameterError(ValueError):
    """A hyperparameter value that does not fit its declared type."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


class _Mismatch(Exception):
    def __init__(self, problem: str) -> None:
        self.problem = problem


def is_sagemaker_added(name: str) -> bool:
    """True for the names SageMaker or its SDK put into hyperparameters.json."""
    return name.startswith(SAGEMAKER_PREFIX) or name in SAGEMAKER_ADDED_NAMES


def read_raw_hyperparameters(paths: Paths) -> dict[str, str]:
    """hyperparameters.json as a name -> string map; no file gives an empty map.

    Values that are not strings (hand-written local files) are stored as their JSON text,
    which decodes exactly as SageMaker's strings do.
    """
    data = read_json_object(paths.hyperparameters_file, default={})
    raw: dict[str, str] = {}
    for name, value in data.items():
        if not name:
            raise ContractError("hyperparameters.json", "a hyperparameter has an empty name")
        raw[name] = value if isinstance(value, str) else json.dumps(value)
    return raw


def decode_untyped(raw: str) -> Any:
    """What sagemaker-training makes of a value: its JSON reading, else the string itself."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def decode_all_untyped(raw: Mapping[str, str]) -> dict[str, Any]:
    return {name: decode_untyped(value) for name, value in raw.items()}


def convert(name: str, raw: str, annotation: Any) -> Any:
    """``raw`` as a value of ``annotation``; a HyperparameterError names ``name`` on failure.

    Supported: str, int, float, bool, pathlib.Path, Optional/Union, list/tuple/set of those,
    dict, Literal[...] and Enum choices; no annotation decodes as sagemaker-training does.
    """
    try:
        return _convert(raw, annotation)
    except _Mismatch as exc:
        raise HyperparameterError(name, exc.problem) from None


def type_name(annotation: Any) -> str:
    """How error messages and help text name a type: ``int``, ``list[int]``, ``Optional[str]``."""
    if annotation is Any:
        return "any"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _unquote(raw: str) -> str:
    """The value without the SDK's JSON string layer: '"gini"' -> 'gini'."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        try:
            value = json.loads(raw)
        except ValueError:
            return raw
        if isinstance(value, str):
            return value
    return raw


def _expected(what: str, raw: str) -> _Mismatch:
    return _Mismatch(f"expected {what}, got {_unquote(raw)!r}")


def _convert(raw: str, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _convert(raw, args[0])
    if annotation is Any:
        return decode_untyped(raw)
    if origin is typing.Union or origin is types.UnionType:
        return _convert_union(raw, args)
    if origin is typing.Literal:
        return _convert_literal(raw, args)
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
        return _convert_collection(raw, origin or annotation, args)
    if origin is dict or annotation is dict:
        return _convert_dict(raw, args)
    if annotation is bool:
        word = _unquote(raw).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise _expected("bool (true or false)", raw)
    if annotation is int:
        text = _unquote(raw).strip()
        if _INT.fullmatch(text):
            return int(text)
        raise _expected("int", raw)
    if annotation is float:
        text = _unquote(raw).strip()
        if text.lower() in _TRUE | _FALSE:
            raise _expected("float", raw)
        try:
            return float(text)
        except ValueError:
            raise _expected("float", raw) from None
    if annotation is str:
        return _unquote(raw)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _convert_enum(raw, annotation)
    if annotation is Path:
        return Path(_unquote(raw))
    raise _Mismatch(f"unsupported annotation {type_name(annotation)}")


def _convert_union(raw: str, args: tuple[Any, ...]) -> Any:
    members = [a for a in args if a is not type(None)]
    if len(members) < len(args) and _unquote(raw).strip().lower() in _NONE:
        return None
    problems = []
    for member in members:
        try:
            return _convert(raw, member)
        except _Mismatch as exc:
            problems.append(type_name(member))
            last = exc
    if len(members) == 1:
        raise last
    raise _expected(" or ".join(problems), raw)


def _convert_literal(raw: str, choices: tuple[Any, ...]) -> Any:
    for choice in choices:
        try:
            if _convert(raw, type(choice)) == choice:
                return choice
        except _Mismatch:
            continue
    listed = ", ".join(repr(c) for c in choices)
    raise _Mismatch(f"expected one of {listed}, got {_unquote(raw)!r}")


def _convert_enum(raw: str, enum_type: type[enum.Enum]) -> enum.Enum:
    text = _unquote(raw)
    for member in enum_type:
        if str(member.value) == text or member.name == text:
            return member
    listed = ", ".join(repr(str(m.value)) for m in enum_type)
    raise _Mismatch(f"expected one of {listed}, got {text!r}")


def _parse_literal(raw: str) -> Any:
    """A JSON value, else a Python literal (``str()`` of a list or dict); None if neither."""
    text = _unquote(raw).strip()
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return None


def _item_raw(item: Any) -> str:
    return item if isinstance(item, str) else json.dumps(item)


def _convert_collection(raw: str, kind: type, args: tuple[Any, ...]) -> Any:
    parsed = _parse_literal(raw)
    if not isinstance(parsed, (list, tuple)):
        text = _unquote(raw).strip()
        if text.startswith(("[", "(")):
            raise _expected(f"a {kind.__name__}", raw)
        # A bare "a,b,c" is the one spelling typed by hand on a command line.
        parsed = [part.strip() for part in text.split(",")] if text else []
    if kind is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        if len(parsed) != len(args):
            raise _Mismatch(f"expected {len(args)} items, got {len(parsed)}")
        item_types = list(args)
    else:
        item_types = [args[0] if args else Any] * len(parsed)
    items = []
    for index, (item, item_type) in enumerate(zip(parsed, item_types, strict=True)):
        if item_type is Any:
            items.append(item)
            continue
        try:
            items.append(_convert(_item_raw(item), item_type))
        except _Mismatch as exc:
            raise _Mismatch(f"item {index}: {exc.problem}") from None
    return kind(items)


def _convert_dict(raw: str, args: tuple[Any, ...]) -> dict[Any, Any]:
    parsed = _parse_literal(raw)
    if not isinstance(parsed, dict):
        raise _expected("a dict (a JSON object)", raw)
    key_type, value_type = args if args else (Any, Any)
    result = {}
    for key, value in parsed.items():
        try:
            result[_convert(_item_raw(key), key_type)] = _convert(_item_raw(value), value_type)
        except _Mismatch as exc:
            raise _Mismatch(f"key {key!r}: {exc.problem}") from None
    return result
