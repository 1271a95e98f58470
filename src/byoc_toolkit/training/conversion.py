"""Hyperparameter values as the types a @train_fn declares.

A converter is built for each hyperparameter parameter when the function registers, so an
annotation byoc cannot fill fails at import time, with or without a default. At run time the
converter turns the raw string SageMaker wrote (either encoding, see
``contract.hyperparameters``) into the value, or raises HyperparameterError naming the
parameter.

Supported: str, int, float, bool, pathlib.Path, Optional/Union, list/tuple/set/frozenset of
those, dict, Literal[...] and Enum choices; ``Any`` decodes as sagemaker-training does.
"""

from __future__ import annotations

import ast
import enum
import json
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..contract.hyperparameters import decode_untyped, unquote
from ..errors import InputError

_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off"})
_NONE = frozenset({"none", "null"})
_INT = re.compile(r"[+-]?\d+")

#: Raw string in, typed value out; raises _Mismatch.
_Convert = Callable[[str], Any]


class HyperparameterError(InputError, ValueError):
    """A hyperparameter value that does not fit its declared type."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


class UnsupportedAnnotation(TypeError):
    """An annotation no converter can be built for."""


class _Mismatch(Exception):
    def __init__(self, problem: str) -> None:
        self.problem = problem


@dataclass(frozen=True)
class Converter:
    """How one hyperparameter's raw string becomes its value."""

    annotation: Any
    _convert: _Convert

    def __call__(self, name: str, raw: str) -> Any:
        """``raw`` as a value of the annotation; HyperparameterError names ``name``."""
        try:
            return self._convert(raw)
        except _Mismatch as exc:
            raise HyperparameterError(name, exc.problem) from None
        except (ValueError, TypeError, OverflowError, MemoryError, RecursionError) as exc:
            # Whatever else a value can break (Python's limit on int digits, say) is still
            # this hyperparameter's bad value, not a crash of the job.
            raise HyperparameterError(
                name, f"cannot be read as {type_name(self.annotation)}: {exc}") from None


def converter_for(annotation: Any) -> Converter:
    """The converter for ``annotation``; UnsupportedAnnotation if there can be none."""
    return Converter(annotation, _build(annotation))


def type_name(annotation: Any) -> str:
    """How error messages and help text name a type: ``int``, ``list[int]``, ``Optional[str]``."""
    if annotation is Any:
        return "any"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _build(annotation: Any) -> _Convert:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _build(args[0])
    if annotation is Any:
        return decode_untyped
    if origin is typing.Union or origin is types.UnionType:
        return _union(args)
    if origin is typing.Literal:
        return _literal(args)
    if origin in _COLLECTIONS or annotation in _COLLECTIONS:
        return _collection(origin or annotation, args)
    if origin is dict or annotation is dict:
        return _dict(args)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum(annotation)
    scalar = _SCALARS.get(annotation)
    if scalar is None:
        raise UnsupportedAnnotation(f"unsupported annotation {type_name(annotation)}")
    return scalar


def _expected(what: str, raw: str) -> _Mismatch:
    return _Mismatch(f"expected {what}, got {unquote(raw)!r}")


def _bool(raw: str) -> bool:
    word = unquote(raw).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise _expected("bool (true or false)", raw)


def _int(raw: str) -> int:
    text = unquote(raw).strip()
    if _INT.fullmatch(text):
        return int(text)
    raise _expected("int", raw)


def _float(raw: str) -> float:
    text = unquote(raw).strip()
    try:
        return float(text)
    except ValueError:
        raise _expected("float", raw) from None


def _path(raw: str) -> Path:
    return Path(unquote(raw))


_SCALARS: dict[Any, _Convert] = {bool: _bool, int: _int, float: _float, str: unquote,
                                 Path: _path}
_COLLECTIONS = (list, tuple, set, frozenset)


def _union(args: tuple[Any, ...]) -> _Convert:
    members = [(a, _build(a)) for a in args if a is not type(None)]
    optional = len(members) < len(args)

    def convert(raw: str) -> Any:
        if optional and unquote(raw).strip().lower() in _NONE:
            return None
        last = None
        for _, member in members:
            try:
                return member(raw)
            except _Mismatch as exc:
                last = exc
        if len(members) == 1 and last is not None:
            raise last
        raise _expected(" or ".join(type_name(a) for a, _ in members), raw)

    return convert


def _literal(choices: tuple[Any, ...]) -> _Convert:
    readers = [(choice, _build(type(choice))) for choice in choices]
    listed = ", ".join(repr(c) for c in choices)

    def convert(raw: str) -> Any:
        for choice, read in readers:
            try:
                if read(raw) == choice:
                    return choice
            except _Mismatch:
                continue
        raise _Mismatch(f"expected one of {listed}, got {unquote(raw)!r}")

    return convert


def _enum(enum_type: type[enum.Enum]) -> _Convert:
    listed = ", ".join(repr(str(m.value)) for m in enum_type)

    def convert(raw: str) -> enum.Enum:
        text = unquote(raw)
        for member in enum_type:
            if str(member.value) == text or member.name == text:
                return member
        raise _Mismatch(f"expected one of {listed}, got {text!r}")

    return convert


def _parse_literal(raw: str) -> Any:
    """A JSON value, else a Python literal (``str()`` of a list or dict); None if neither."""
    text = unquote(raw).strip()
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    return None


def _item_raw(item: Any) -> str:
    return item if isinstance(item, str) else json.dumps(item)


def _collection(kind: type, args: tuple[Any, ...]) -> _Convert:
    fixed = kind is tuple and bool(args) and not (len(args) == 2 and args[1] is Ellipsis)
    # None: an untyped item, kept as the list literal gave it.
    items: list[_Convert | None] = [
        None if item is Any else _build(item)
        for item in (args if fixed else (args[0] if args else Any,))]

    def convert(raw: str) -> Any:
        parsed = _parse_literal(raw)
        if not isinstance(parsed, (list, tuple)):
            text = unquote(raw).strip()
            if text.startswith(("[", "(")):
                raise _expected(f"a {kind.__name__}", raw)
            # A bare "a,b,c" is the one spelling typed by hand on a command line.
            parsed = [part.strip() for part in text.split(",")] if text else []
        if fixed and len(parsed) != len(items):
            raise _Mismatch(f"expected {len(items)} items, got {len(parsed)}")
        values = []
        for index, item in enumerate(parsed):
            read = items[index] if fixed else items[0]
            if read is None:
                values.append(item)
                continue
            try:
                values.append(read(_item_raw(item)))
            except _Mismatch as exc:
                raise _Mismatch(f"item {index}: {exc.problem}") from None
        return kind(values)

    return convert


def _dict(args: tuple[Any, ...]) -> _Convert:
    key_type, value_type = args if args else (Any, Any)
    read_key, read_value = _build(key_type), _build(value_type)

    def convert(raw: str) -> dict[Any, Any]:
        parsed = _parse_literal(raw)
        if not isinstance(parsed, dict):
            raise _expected("a dict (a JSON object)", raw)
        result = {}
        for key, value in parsed.items():
            try:
                result[read_key(_item_raw(key))] = read_value(_item_raw(value))
            except _Mismatch as exc:
                raise _Mismatch(f"key {key!r}: {exc.problem}") from None
        return result

    return convert
