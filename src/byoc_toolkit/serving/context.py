"""The request context: what a request tells the code that handles it (SageMaker's headers,
the negotiated types) and what that code adds to the response (custom attributes, headers).

A @predict_fn, @decoder or @encoder receives it when its last parameter is annotated
``RequestContext``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ModelError, excerpt
from .messages import Headers

CUSTOM_ATTRIBUTES_HEADER = "X-Amzn-SageMaker-Custom-Attributes"
TARGET_MODEL_HEADER = "X-Amzn-SageMaker-Target-Model"
TARGET_VARIANT_HEADER = "X-Amzn-SageMaker-Target-Variant"
#: SageMaker passes and returns at most this many characters of custom attributes.
MAX_CUSTOM_ATTRIBUTES_LENGTH = 1024

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Visible US-ASCII, with spaces and tabs inside (RFC 9110 §5.5): no line breaks, so a value
# can never end the header block (the front end copies values into the response unchecked).
_FIELD_VALUE = re.compile(r"[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?|")
# Headers that the server owns: the body's type and framing, and the connection.
_RESERVED = frozenset({"content-type", "content-length", "transfer-encoding", "connection",
                       "keep-alive", "upgrade", "trailer", "te", "proxy-connection"})


class ResponseHeaders(Headers):
    """Headers to add to the response. Each one is checked as it is set: a name that is not an
    HTTP token, a value with anything but visible US-ASCII characters, spaces and tabs, a
    header the server sets itself, or custom attributes over SageMaker's limit raise
    ModelError (the request then gets a 500 that says which)."""

    def __setitem__(self, name: str, value: str) -> None:
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ModelError(f"response header name {excerpt(str(name))} is not a valid "
                             "HTTP header name")
        if name.lower() in _RESERVED:
            raise ModelError(f"response header {name} is set by the server and cannot be "
                             "set by the handler")
        if not isinstance(value, str) or not _FIELD_VALUE.fullmatch(value):
            raise ModelError(f"response header {name}: {excerpt(str(value))} is not a valid "
                             "value; use visible US-ASCII characters, spaces and tabs")
        if (name.lower() == CUSTOM_ATTRIBUTES_HEADER.lower()
                and len(value) > MAX_CUSTOM_ATTRIBUTES_LENGTH):
            raise ModelError(f"{CUSTOM_ATTRIBUTES_HEADER}: {len(value)} characters, more than "
                             f"the {MAX_CUSTOM_ATTRIBUTES_LENGTH} SageMaker allows")
        super().__setitem__(name, value)


@dataclass
class RequestContext:
    """One request as its handler sees it, and the headers it adds to the response.

    ``headers`` holds every request header (names compare without regard to case);
    ``content_type`` is the request's Content-Type as sent, ``accept`` the response type
    negotiated from its Accept header (``text/csv``): what the encoder will write.
    """

    inference_id: str
    headers: Headers
    content_type: str
    accept: str
    #: Headers sent with the response, whatever its status (see ResponseHeaders).
    response_headers: ResponseHeaders = field(default_factory=ResponseHeaders)

    @property
    def custom_attributes(self) -> str | None:
        """X-Amzn-SageMaker-Custom-Attributes as the caller sent it; None when absent."""
        return self.headers.get(CUSTOM_ATTRIBUTES_HEADER)

    @property
    def target_model(self) -> str | None:
        """X-Amzn-SageMaker-Target-Model: on a multi-model endpoint, the model's artifact
        path relative to the endpoint's S3 prefix; None when absent."""
        return self.headers.get(TARGET_MODEL_HEADER)

    @property
    def target_variant(self) -> str | None:
        """X-Amzn-SageMaker-Target-Variant: the production variant the caller chose; None
        when absent."""
        return self.headers.get(TARGET_VARIANT_HEADER)

    def set_custom_attributes(self, value: str) -> None:
        """Return ``value`` to the caller as X-Amzn-SageMaker-Custom-Attributes (at most 1024
        visible US-ASCII characters; InvokeEndpoint's response shows it as CustomAttributes)."""
        self.response_headers[CUSTOM_ATTRIBUTES_HEADER] = value
