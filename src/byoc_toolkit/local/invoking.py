"""Talking HTTP to an endpoint on this machine, as InvokeEndpoint and SageMaker's health
checks would: one request, one response, HTTP errors included."""

from __future__ import annotations

import http.client
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..serving.errors import ServingError
from ..serving.media_types import DEFAULT_CHARSET, MediaType
from ..serving.messages import Headers


@dataclass(frozen=True)
class Response:
    """An endpoint's answer: the status, its headers (names in any case) and the body."""

    status: int
    body: bytes = b""
    headers: Headers = field(default_factory=Headers)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")

    @property
    def text(self) -> str:
        """The body decoded with the Content-Type's charset (UTF-8 when it names none or
        one Python does not know)."""
        try:
            return self.body.decode(MediaType.parse(self.content_type or "text/plain").charset,
                                    errors="replace")
        except (ServingError, LookupError):
            return self.body.decode(DEFAULT_CHARSET, errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def request(host: str, port: int, method: str, path: str, body: bytes | None = None,
            headers: Mapping[str, str] | None = None, timeout: float = 70.0) -> Response:
    """One request on a new connection; only an unreachable or silent server raises
    (OSError, or TimeoutError after ``timeout`` seconds)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        answer = connection.getresponse()
        return Response(answer.status, answer.read(), Headers(answer.getheaders()))
    finally:
        connection.close()


def invoke(host: str, port: int, body: bytes, content_type: str, accept: str | None,
           path: str = "/invocations", timeout: float = 70.0) -> Response:
    """POST ``body`` as InvokeEndpoint would (SageMaker's client allows 70 s)."""
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    return request(host, port, "POST", path, body, headers, timeout)
