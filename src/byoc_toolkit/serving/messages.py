"""One inference request and its response, as the pipeline sees them, whatever carried them
(multi-model-server's protocol, or a test calling the pipeline in-process)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cached_property

#: SageMaker's id for one invocation; byoc makes one up when the caller sent none.
INFERENCE_ID_HEADER = "X-Amzn-SageMaker-Inference-Id"


class Headers(MutableMapping[str, str]):
    """HTTP headers: names compare without regard to case, and keep the spelling they were
    first given in."""

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        pairs = items.items() if isinstance(items, Mapping) else items
        for name, value in pairs:
            self[name] = value

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __setitem__(self, name: str, value: str) -> None:
        key = name.lower()
        spelled = self._items[key][0] if key in self._items else name
        self._items[key] = (spelled, value)

    def __delitem__(self, name: str) -> None:
        del self._items[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return (spelled for spelled, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass
class InferenceRequest:
    """A request body and its headers."""

    body: bytes = b""
    headers: Headers = field(default_factory=Headers)

    @cached_property
    def inference_id(self) -> str:
        """The caller's X-Amzn-SageMaker-Inference-Id, else an id made up for this request."""
        return self.headers.get(INFERENCE_ID_HEADER) or uuid.uuid4().hex


@dataclass
class InferenceResponse:
    """A status, the body's content type, the body, and any other headers to send."""

    status: int
    content_type: str
    body: bytes
    headers: Headers = field(default_factory=Headers)
