"""One multi-model-server worker connection: read its protocol, answer each request.

Nothing a request does ends the loop: whatever escapes the pipeline is answered for that
request (500, or 507 for MemoryError) and logged with the request's inference id; the loop
ends only when the front end hangs up.
"""

from __future__ import annotations

import io
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from ..errors import ServingError
from ..inference import InferenceApp
from ..logs import request_scope
from ..messages import InferenceRequest, InferenceResponse
from ..settings import ServingSettings
from . import protocol
from .deadline import Deadline
from .libc import release_free_memory

LARGE_BODY_BYTES = 1 << 20
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadFailure:
    """A model that did not load (multi-model): what its load request and any request that
    reaches it get."""

    status: int
    message: str

    def response(self) -> InferenceResponse:
        return ServingError(self.message, status=self.status).to_response()


Served = InferenceApp | LoadFailure


def serve_connection(connection: socket.socket, app: Served, settings: ServingSettings,
                     tmp_dir: Path) -> None:
    """Answer the front end on ``connection`` until it hangs up."""
    stream = io.BufferedReader(socket.SocketIO(connection, "rb"), buffer_size=1 << 16)
    deadline = Deadline(settings.timeout_seconds)
    descriptor = None
    try:
        while True:
            command = protocol.read_command(stream)
            if command == protocol.PREDICT:
                envelopes = protocol.read_inference(stream)
                connection.sendall(protocol.encode_predict_reply(
                    [(e.request_id, respond(app, e.request, deadline, settings))
                     for e in envelopes]))
                if sum(len(e.request.body) for e in envelopes) >= LARGE_BODY_BYTES:
                    release_free_memory()
            elif command == protocol.LOAD:
                descriptor = protocol.read_load(stream).io_descriptor
                if isinstance(app, LoadFailure):
                    connection.sendall(protocol.encode_load_reply(app.status, app.message))
                else:
                    connection.sendall(protocol.encode_load_reply(
                        200, f"loaded. [PID]:{os.getpid()}"))
            else:
                raise protocol.FrontendClosed(f"unknown command {command!r}")
    except (protocol.FrontendClosed, BrokenPipeError, ConnectionResetError):
        pass  # the front end hung up: a scale-down, an unload, its own timeout or shutdown
    finally:
        connection.close()
        if descriptor is not None:
            _remove_output_files(tmp_dir, descriptor)


def respond(app: Served, request: InferenceRequest, deadline: Deadline,
            settings: ServingSettings) -> InferenceResponse:
    """The response to one request, whatever happens while handling it."""
    if isinstance(app, LoadFailure):
        return app.response()
    with request_scope(request.inference_id):
        try:
            with deadline:
                response = app.handle(request)
        except ServingError as exc:  # the time limit, landing outside the pipeline's own catch
            response = exc.to_response()
        except MemoryError:
            logger.exception("out of memory while handling the request")
            response = ServingError("out of memory while handling the request",
                                    status=507).to_response()
        except BaseException as exc:  # noqa: BLE001 - the worker must answer and live on
            logger.exception("the request failed outside the inference pipeline")
            response = ServingError(f"internal error: {type(exc).__name__}: {exc}",
                                    status=500).to_response()
        if len(response.body) > settings.max_response_bytes:
            response = ServingError(
                f"the response of {len(response.body)} bytes exceeds the limit of "
                f"{settings.max_response_bytes} bytes (BYOC_MAX_RESPONSE_IN_MB)",
                status=500).to_response()
            logger.error(response.body.decode())
    return response


def _remove_output_files(tmp_dir: Path, descriptor: str) -> None:
    # multi-model-server opens <tmp>/<connection>-stdout and -stderr after a load to read a
    # worker's output; byoc's workers write to byoc serve's own stdout and stderr instead,
    # so these stay empty files: remove them with the connection.
    for suffix in ("stdout", "stderr"):
        (tmp_dir / f"{descriptor}-{suffix}").unlink(missing_ok=True)
