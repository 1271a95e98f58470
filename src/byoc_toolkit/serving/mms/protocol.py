"""multi-model-server's frontend-to-worker wire format (``mms/protocol/otf_message_handler``
in MMS 1.1.11): big-endian int32 lengths, a one-byte command, lists ended by -1."""

from __future__ import annotations

import http
import struct
from dataclasses import dataclass
from typing import BinaryIO

from ..messages import Headers, InferenceRequest, InferenceResponse

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


@dataclass(frozen=True)
class Envelope:
    """One request of a predict batch, with the id the frontend matches its reply by."""

    request_id: bytes
    request: InferenceRequest


def _exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise FrontendClosed("frontend disconnected")
    return data


def _int(stream: BinaryIO) -> int:
    value: int = _INT.unpack(_exact(stream, 4))[0]
    return value


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


def read_inference(stream: BinaryIO) -> list[Envelope]:
    """One batch: as many requests as the frontend's batching put together."""
    envelopes = []
    while (length := _int(stream)) != -1:
        request_id = _chunk(stream, length)
        headers = Headers()
        while (length := _int(stream)) != -1:
            name = _chunk(stream, length).decode("latin-1")
            headers[name] = _chunk(stream, _int(stream)).decode("latin-1")
        bodies: list[bytes] = []
        while (length := _int(stream)) != -1:
            parameter = _chunk(stream, length)
            _chunk(stream, _int(stream))  # the parameter's content type, without charset
            value = _chunk(stream, _int(stream))
            if parameter == b"body":
                bodies.insert(0, value)
            else:
                bodies.append(value)
        envelopes.append(Envelope(request_id, InferenceRequest(bodies[0] if bodies else b"",
                                                               headers)))
    return envelopes


def _pack(data: bytes) -> bytes:
    return _INT.pack(len(data)) + data


def encode_load_reply(code: int, message: str) -> bytes:
    return _INT.pack(code) + _pack(message.encode()) + _END


def encode_predict_reply(replies: list[tuple[bytes, InferenceResponse]]) -> bytes:
    """The reply to a predict batch: each request's id with its response."""
    parts = [_INT.pack(200), _pack(b"Prediction success")]
    for request_id, response in replies:
        parts += [_pack(request_id), _pack(response.content_type.encode()),
                  _INT.pack(response.status), _pack(_REASONS.get(response.status, b"")),
                  _INT.pack(len(response.headers))]
        for name, value in response.headers.items():
            parts += [_pack(name.encode()), _pack(value.encode())]
        parts.append(_pack(response.body))
    parts.append(_END)
    return b"".join(parts)


# Every status a handler may choose (HTTPError takes 400-599) gets its standard phrase.
_REASONS = {status.value: status.phrase.encode() for status in http.HTTPStatus}
