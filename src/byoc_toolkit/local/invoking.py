"""Sending one request to a running endpoint, as InvokeEndpoint would."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


def invoke(url: str, body: bytes, content_type: str, accept: str | None,
           timeout: float = 70.0) -> Reply:
    """POST ``body``; HTTP errors are replies too, only an unreachable server raises."""
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.headers.get("Content-Type", ""),
                         response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers.get("Content-Type", ""), error.read())
