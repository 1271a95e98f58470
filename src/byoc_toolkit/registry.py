"""The functions a user's program registers with the decorators, kept in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class RegistrationError(TypeError):
    """A decorator was used in a way that cannot work (found at import time)."""


def describe(func: Callable[..., Any]) -> str:
    """``name() in file:line`` for messages."""
    code = getattr(func, "__code__", None)
    where = f" in {code.co_filename}:{code.co_firstlineno}" if code else ""
    return f"{getattr(func, '__qualname__', func)!s}(){where}"


@dataclass
class Registry:
    """What the user's program declared: at most one of each role, plus codec overrides."""

    train: Any = None
    predict: Any = None
    model_loader: Any = None
    decoders: dict[str, Callable[..., Any]] = field(default_factory=dict)
    encoders: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def set_once(self, role: str, value: Any, func: Callable[..., Any]) -> None:
        current = getattr(self, role)
        if current is not None and _identity(current.func) != _identity(func):
            raise RegistrationError(
                f"a second @{role}_fn: {describe(func)} (already registered: "
                f"{describe(current.func)})"
            )
        setattr(self, role, value)


def _identity(func: Callable[..., Any]) -> tuple[str, str]:
    # A program imported twice defines new function objects with the same names.
    return getattr(func, "__module__", ""), getattr(func, "__qualname__", "")


_current = Registry()


def current() -> Registry:
    """The registry the decorators write to."""
    return _current


def reset() -> Registry:
    """Start from an empty registry (before loading a program)."""
    global _current
    _current = Registry()
    return _current
