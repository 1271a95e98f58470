"""multi-model-server's frontend-to-worker wire format (``mms/protocol/otf_message_handler``
in MMS 1.1.11): big-endian int32 lengths, a one-byte command, lists ended by -1."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import BinaryIO

LOAD = b"L"
PREDICT = b"I"
_INT = struct.Struct("!i")
_END = _INT.pack(-1)


class FrontendClosed(ConnectionError):
    """The frontend closed the connection (scale-down, unload or shutdown)."""


@dataclass(frozen=True)
class LoadRequest:
    model_name: str
    model_path: str
    batch_size: int
    handler: str
    gpu: int
    io_descriptor: str


@dataclass
class InferenceRequest:
    request_id: bytes
    #: Request headers by lower-cased name.
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class InferenceResponse:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise FrontendClosed("frontend disconnected")
    return data


def _int(stream: BinaryIO) -> int:
    return _INT.unpack(_exact(stream, 4))[0]


def _chunk(stream: BinaryIO, length: int) -> bytes:
    return _exact(stream, length) if length > 0 else b""


def read_command(stream: BinaryIO) -> bytes:
    return _exact(stream, 1)


def read_load(stream: BinaryIO) -> LoadRequest:
    name = _chunk(stream, _int(stream)).decode()
    path = _chunk(stream, _int(stream)).decode()
    batch_size = _int(stream)
    handler = _chunk(stream, _int(stream)).decode()
    gpu = _int(stream)
    io_descriptor = _chunk(stream, _int(stream)).decode()
    return LoadRequest(name, path, batch_size, handler, gpu, io_descriptor)


def read_inference(stream: BinaryIO) -> list[InferenceRequest]:
    """One batch: as many requests as the frontend's batching put together."""
    requests = []
    while (length := _int(stream)) != -1:
        request = InferenceRequest(_chunk(stream, length))
        while (length := _int(stream)) != -1:
            name = _chunk(stream, length).decode("latin-1")
            request.headers[name.lower()] = _chunk(stream, _int(stream)).decode("latin-1")
        bodies = []
        while (length := _int(stream)) != -1:
            name = _chunk(stream, length)
            _chunk(stream, _int(stream))  # the parameter's content type, without charset
            value = _chunk(stream, _int(stream))
            if name == b"body":
                bodies.insert(0, value)
            else:
                bodies.append(value)
        request.body = bodies[0] if bodies else b""
        requests.append(request)
    return requests


def _pack(data: bytes) -> bytes:
    return _INT.pack(len(data)) + data


def encode_load_reply(code: int, message: str) -> bytes:
    return _INT.pack(code) + _pack(message.encode()) + _END


def encode_predict_reply(request_ids: list[bytes], responses: list[InferenceResponse]) -> bytes:
    parts = [_INT.pack(200), _pack(b"Prediction success")]
    for request_id, response in zip(request_ids, responses, strict=True):
        parts += [_pack(request_id), _pack(response.content_type.encode()),
                  _INT.pack(response.status), _pack(_REASONS.get(response.status, b"")),
                  _INT.pack(len(response.headers))]
        for name, value in response.headers.items():
            parts += [_pack(name.encode()), _pack(value.encode())]
        parts.append(_pack(response.body))
    parts.append(_END)
    return b"".join(parts)


_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 406: b"Not Acceptable",
            413: b"Payload Too Large", 415: b"Unsupported Media Type",
            500: b"Internal Server Error", 503: b"Service Unavailable",
            507: b"Insufficient Storage"}
