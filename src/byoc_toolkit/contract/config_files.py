"""Reading the JSON files under input/config with errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar, overload

from .errors import ContractError

MISSING: Any = object()
_Default = TypeVar("_Default")


@overload
def read_json_object(path: Path) -> dict[str, Any]: ...
@overload
def read_json_object(path: Path, *, default: _Default) -> dict[str, Any] | _Default: ...


def read_json_object(path: Path, *, default: Any = MISSING) -> Any:
    """The JSON object stored in ``path``.

    A missing file gives ``default`` when one is given, else a ContractError; an empty or
    malformed file, or one that holds something other than an object, is always an error.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if default is not MISSING:
            return default
        raise ContractError(path.name, f"file not found at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(path.name, f"cannot be read: {exc}") from None
    if not text.strip():
        raise ContractError(path.name, "file is empty; expected a JSON object")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContractError(
            path.name, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(value, dict):
        raise ContractError(path.name, f"expected a JSON object, got {type(value).__name__}")
    return value


def require(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], file: str,
            field: str | None = None, *, default: Any = MISSING) -> Any:
    """``obj[key]`` checked against ``kind``; ``field`` is how the error names it."""
    field = field or key
    if key not in obj or obj[key] is None:
        if default is not MISSING:
            return default
        raise ContractError(file, "required field is missing", field)
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise ContractError(
            file, f"expected {_kind_name(kind)}, got {type(value).__name__} {value!r}", field
        )
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", dict: "an object", int: "an integer"}
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))
