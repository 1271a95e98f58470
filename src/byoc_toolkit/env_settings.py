"""Settings read from environment variables (CreateModel's and CreateTrainingJob's
``Environment``): each value checked, and a bad one named in a one-line error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from .errors import InputError


class SettingsError(InputError):
    """An environment variable with a value that cannot be used; names the variable."""


def integer(env: Mapping[str, str], name: str, default: int, *,
            maximum: int | None = None) -> int:
    """``$name`` as a positive integer (at most ``maximum``), else ``default``."""
    value = optional_integer(env, name, maximum=maximum)
    return default if value is None else value


def optional_integer(env: Mapping[str, str], name: str, *, minimum: int = 1,
                     maximum: int | None = None) -> int | None:
    """``$name`` as an integer from ``minimum`` (at most ``maximum``), None when unset or
    empty."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum else f"at least {minimum}"
        raise SettingsError(f"{name}: expected an integer {bounds}, got {value}")
    return value


def boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    """``$name`` as true/false (also 1/0, yes/no), else ``default``."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise SettingsError(f"{name}: expected true or false, got {raw!r}")


_C = TypeVar("_C", bound=str)


def choice(env: Mapping[str, str], name: str, choices: tuple[_C, ...]) -> _C:
    """``$name`` as one of ``choices``, in any case, else the first of them."""
    raw = env.get(name, "").strip()
    if not raw:
        return choices[0]
    for option in choices:
        if raw.lower() == option.lower():
            return option
    raise SettingsError(f"{name}: expected one of {', '.join(choices)}, got {raw!r}")
