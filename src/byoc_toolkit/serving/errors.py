"""Errors that become HTTP responses: a status code and a one-line message for the client."""

from __future__ import annotations

import json

from ..errors import ByocError
from .messages import InferenceResponse

#: Longest message sent to a client; the rest is cut so a body never echoes a whole payload.
MAX_MESSAGE_LENGTH = 1000


class ServingError(ByocError):
    """An error the server answers with ``status`` and the JSON body ``{"error": message}``.

    ``message`` is always one line: any run of whitespace (newlines included) becomes one
    space, and it is cut to MAX_MESSAGE_LENGTH characters.
    """

    status: int = 500

    def __init__(self, message: str, *, status: int | None = None) -> None:
        message = " ".join(str(message).split())
        if len(message) > MAX_MESSAGE_LENGTH:
            message = message[:MAX_MESSAGE_LENGTH - 1] + "…"
        self.message = message
        if status is not None:
            self.status = status
        super().__init__(message)

    def to_response(self) -> InferenceResponse:
        """The response: this status, and ``{"error": message}`` as UTF-8 JSON."""
        return InferenceResponse(self.status, "application/json",
                                 json.dumps({"error": self.message}).encode())


class BadRequest(ServingError):
    """400: the body is malformed for its content type or for what the handler wants."""

    status = 400


class NotAcceptable(ServingError):
    """406: nothing in the Accept header can be produced."""

    status = 406


class PayloadTooLarge(ServingError):
    """413: the request, or what it expands to, is larger than allowed."""

    status = 413


class UnsupportedMediaType(ServingError):
    """415: the Content-Type (or its charset) cannot be read."""

    status = 415


class ModelError(ServingError):
    """500: user code raised, or returned what byoc cannot use (an encoder that returns no
    bytes, a batch prediction with the wrong record count)."""

    status = 500


class HTTPError(ServingError):
    """Raise it from a @predict_fn, @decoder or @encoder to answer with ``status`` (400-599)
    and the body ``{"error": message}``; it is logged as a warning, without a traceback.

        if data.shape[1] != 4:
            raise HTTPError(422, f"expected 4 features, got {data.shape[1]}")
    """

    def __init__(self, status: int, message: str) -> None:
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(f"HTTPError status must be an int from 400 to 599, got {status!r}")
        super().__init__(message, status=status)


class InsufficientMemory(ServingError):
    """507: the worker ran out of memory on this request (it stays up for the next one)."""

    status = 507


class RequestTimedOut(ServingError):
    """504: handling the request took longer than SAGEMAKER_MODEL_SERVER_TIMEOUT."""

    status = 504


def excerpt(value: str | bytes, limit: int = 40) -> str:
    """``value`` quoted for a message, cut to ``limit`` characters: ``'abc'``, ``'abcd…'``."""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", "replace")
    if len(value) > limit:
        value = value[:limit] + "…"
    return repr(value)


def count_of(count: int, noun: str) -> str:
    """``1 field``, ``2 fields``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
