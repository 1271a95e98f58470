"""Content-Type parsing and Accept negotiation (RFC 9110 §8.3 and §12.5.1).

Parsing is lenient where clients differ in harmless ways (case, spaces, empty parameters,
quoted values, the JSON Lines aliases) and strict where a header cannot be understood. Parsed
values are cached: a server sees the same few headers over and over.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

from .errors import NotAcceptable, UnsupportedMediaType, excerpt

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_ESSENCE = re.compile(rf"[ \t]*({_TOKEN})/({_TOKEN})[ \t]*")
# A parameter may be empty ("text/csv;;charset=utf-8" and a trailing ";" are allowed).
_PARAMETER = re.compile(rf";[ \t]*(?:({_TOKEN})[ \t]*=[ \t]*({_TOKEN}|{_QUOTED})[ \t]*)?")
# One Accept element: commas inside quoted parameter values do not split it.
_ACCEPT_ELEMENT = re.compile(r'(?:[^,"]|"(?:[^"\\]|\\.)*")+')
_ESCAPE = re.compile(r"\\(.)")
_IS_TOKEN = re.compile(_TOKEN)

#: Spellings of JSON Lines seen in the wild, all read as application/jsonlines.
JSON_LINES_ALIASES = {
    "application/json-lines": "application/jsonlines",
    "application/x-jsonlines": "application/jsonlines",
    "application/jsonl": "application/jsonlines",
}

DEFAULT_CHARSET = "utf-8"


@dataclass(frozen=True)
class MediaType:
    """A media type such as ``text/csv; charset=utf-8``.

    ``type`` and ``subtype`` are lowercase (aliases resolved), parameter names lowercase,
    parameter values as sent; ``params`` is read-only.
    """

    type: str
    subtype: str
    params: Mapping[str, str] = field(default_factory=dict)

    _wildcards: ClassVar[bool] = False

    def __post_init__(self) -> None:
        essence = f"{self.type}/{self.subtype}".lower()
        type_, subtype = JSON_LINES_ALIASES.get(essence, essence).split("/")
        if "*" in (type_, subtype) and not (self._wildcards and subtype == "*"):
            raise UnsupportedMediaType(f"malformed media type {excerpt(essence)}: "
                                       "a wildcard is not allowed here")
        object.__setattr__(self, "type", type_)
        object.__setattr__(self, "subtype", subtype)
        params = {name.lower(): value for name, value in self.params.items()}
        object.__setattr__(self, "params", MappingProxyType(params))

    def __hash__(self) -> int:
        return hash((self.type, self.subtype, frozenset(self.params.items())))

    def __str__(self) -> str:
        return self.essence + "".join(f"; {name}={_quote(value)}"
                                      for name, value in self.params.items())

    @functools.cached_property
    def essence(self) -> str:
        """``type/subtype`` without parameters: ``text/csv``."""
        return f"{self.type}/{self.subtype}"

    @functools.cached_property
    def charset(self) -> str:
        """The charset parameter, lowercase; ``utf-8`` when there is none."""
        return self.params.get("charset", DEFAULT_CHARSET).lower()

    @classmethod
    def parse(cls, header: str) -> MediaType:
        """``header`` (a Content-Type value) parsed; UnsupportedMediaType if malformed."""
        # mypy takes MediaType's own __hash__ to make the class object unhashable.
        return _parse_cached(cls, header)  # type: ignore[arg-type]


class MediaRange(MediaType):
    """An Accept element: a media type whose subtype, or type and subtype, may be ``*``."""

    _wildcards: ClassVar[bool] = True

    @property
    def specificity(self) -> int:
        """0 for ``*/*``, 1 for ``text/*``, 2 for ``text/csv``, 3 with parameters."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: MediaType) -> bool:
        """Whether ``media_type`` is in this range; a charset asked for must be the one
        the type has (utf-8 unless it says otherwise). Other parameters are not compared."""
        if self.type not in ("*", media_type.type) or self.subtype not in ("*",
                                                                           media_type.subtype):
            return False
        return "charset" not in self.params or self.charset == media_type.charset


def parse_accept(header: str | None) -> list[tuple[MediaRange, float]]:
    """The elements of an Accept header with their quality, most preferred first.

    Preference is by q, then specificity, then order in the header. Elements with a q of 0
    (not acceptable) are kept; malformed elements are left out. None or "" gives [].
    """
    entries = sorted(_accept_entries(header or ""),
                     key=lambda entry: (-entry[1], -entry[0].specificity, entry[2]))
    return [(media_range, quality) for media_range, quality, _ in entries]


def negotiate(accept_header: str | None, available: Sequence[str], default: str | None,
              request_type: str | None) -> str:
    """The response type (an essence from ``available``) for ``accept_header``.

    Each available type gets the q of the most specific Accept element that matches it; the
    highest q wins, then the more specific element, then the element earlier in the header.
    What is still tied (always the case for a missing Accept or ``*/*``) goes to ``default``
    if available, else to ``request_type`` if available, else to the first available type.
    ``default`` and ``request_type`` may carry parameters; unparsable values are ignored.
    Raises NotAcceptable when no available type has a q above 0.
    """
    return _negotiate(accept_header or "", tuple(available), default, request_type)


_ANY = (MediaRange("*", "*"), 1.0, 0)


@functools.lru_cache(maxsize=256)
def _negotiate(accept: str, available: tuple[str, ...], default: str | None,
               request_type: str | None) -> str:
    entries = _accept_entries(accept) or (_ANY,)
    offered = [MediaType.parse(name) for name in available]
    preferred = [_parse_or_none(default), _parse_or_none(request_type)]
    # Candidates in tie-break order: a later one must be strictly better to win.
    candidates = sorted(offered, key=lambda t: next(
        (rank for rank, p in enumerate(preferred) if p is not None and p.essence == t.essence),
        len(preferred)))
    best, best_score = None, None
    for candidate in candidates:
        matching = [(range_.specificity, -position, quality)
                    for range_, quality, position in entries if range_.matches(candidate)]
        if not matching:
            continue
        specificity, position, quality = max(matching)
        score = (quality, specificity, position)
        if quality > 0 and (best_score is None or score > best_score):
            best, best_score = candidate, score
    if best is None:
        names = ", ".join(t.essence for t in offered)
        raise NotAcceptable(f"cannot produce any type in Accept {excerpt(accept, 100)}; "
                            f"available: {names}")
    return best.essence


@functools.lru_cache(maxsize=256)
def _accept_entries(header: str) -> tuple[tuple[MediaRange, float, int], ...]:
    entries = []
    for position, element in enumerate(_ACCEPT_ELEMENT.findall(header)):
        element = element.strip()
        if element == "*" or element.startswith("*;"):  # old Java clients send a bare "*"
            element = "*/*" + element[1:]
        try:
            type_, subtype, params = _split(element)
            entry = _accept_entry(type_, subtype, params, position)
        except (UnsupportedMediaType, ValueError):
            continue
        entries.append(entry)
    return tuple(entries)


def _accept_entry(type_: str, subtype: str, params: list[tuple[str, str]],
                  position: int) -> tuple[MediaRange, float, int]:
    """Parameters before ``q`` belong to the range; ``q`` and what follows it do not."""
    names = [name for name, _ in params]
    cut = names.index("q") if "q" in names else len(params)
    quality = float(params[cut][1]) if cut < len(params) else 1.0
    if not 0.0 <= quality <= 1.0 or math.isnan(quality):
        raise ValueError(quality)
    return MediaRange(type_, subtype, dict(params[:cut])), quality, position


@functools.lru_cache(maxsize=512)
def _parse_cached(cls: type[MediaType], header: str) -> MediaType:
    type_, subtype, params = _split(header)
    return cls(type_, subtype, dict(params))


def _split(text: str) -> tuple[str, str, list[tuple[str, str]]]:
    match = _ESSENCE.match(text)
    if match is None:
        raise UnsupportedMediaType(f"malformed media type {excerpt(text)}")
    params, position = [], match.end()
    while position < len(text):
        parameter = _PARAMETER.match(text, position)
        if parameter is None:
            raise UnsupportedMediaType(f"malformed media type {excerpt(text)}")
        name, value = parameter.groups()
        if name:
            params.append((name.lower(), _unquote(value)))
        position = parameter.end()
    return match.group(1), match.group(2), params


def _parse_or_none(header: str | None) -> MediaType | None:
    try:
        return MediaType.parse(header) if header else None
    except UnsupportedMediaType:
        return None


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return _ESCAPE.sub(r"\1", value[1:-1])
    return value


def _quote(value: str) -> str:
    if _IS_TOKEN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
