"""One model's request handling, in four steps: setup (load the model once), decode the
request, predict, encode the response.

No request can make ``handle`` raise: every failure is a response with a one-line JSON body.
Bad input is a 4xx (the codecs turn whatever a body does to them into one), an exception in
the program's own code a 500 with its message (and its traceback in the log), an HTTPError
the status it names, and running out of memory a 507.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model_artifacts import load_model
from ..registry import Hook, PredictSpec, Registry
from . import codecs
from .context import RequestContext
from .data_kinds import DataKind
from .errors import (
    HTTPError,
    InsufficientMemory,
    ModelError,
    PayloadTooLarge,
    ServingError,
    UnsupportedMediaType,
)
from .media_types import MediaType, negotiate
from .messages import InferenceRequest, InferenceResponse
from .settings import ServingSettings
from .workers import WorkerInfo

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InferenceApp:
    model: Any
    predict: PredictSpec
    decoders: Mapping[str, Hook]
    encoders: Mapping[str, Hook]
    settings: ServingSettings
    #: What requests may be and responses can be: the built-in codecs plus the program's.
    request_types: tuple[str, ...]
    response_types: tuple[str, ...]

    @classmethod
    def setup(cls, program: Registry, model_dir: Path, settings: ServingSettings,
              worker: WorkerInfo | None = None) -> InferenceApp:
        """Load the model (in ``worker``, for a per-worker @model_fn) and bind it to the
        program's @predict_fn (or ``model.predict``)."""
        model = load_model(model_dir, program.model_loader, worker)
        predict = program.predict
        if predict is None:
            if not callable(getattr(model, "predict", None)):
                raise TypeError(f"the program registers no @predict_fn and the model "
                                f"({type(model).__name__}) has no predict() method")
            predict = PredictSpec(_call_model_predict)
        return cls(model, predict, dict(program.decoders), dict(program.encoders), settings,
                   request_types=tuple(dict.fromkeys([*codecs.REQUEST_TYPES, *program.decoders])),
                   response_types=tuple(dict.fromkeys([*codecs.RESPONSE_TYPES,
                                                       *program.encoders])))

    @property
    def data_kind(self) -> DataKind:
        """What the built-in decoders make of a body for the predict function."""
        return self.predict.data_kind

    def handle(self, request: InferenceRequest) -> InferenceResponse:
        """The response to ``request``; never raises."""
        context = None
        try:
            media = self._request_type(request.headers.get("Content-Type"))
            accept = negotiate(request.headers.get("Accept"), self.response_types,
                               self.settings.default_accept, media.essence)
            if len(request.body) > self.settings.max_payload_bytes:
                raise PayloadTooLarge(
                    f"body of {len(request.body)} bytes exceeds the limit of "
                    f"{self.settings.max_payload_bytes} bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB)")
            context = RequestContext(request.inference_id, request.headers,
                                     request.headers.get("Content-Type", ""), accept)
            data = self.decode(request.body, media, context)
            prediction = self.run_predict(data, context)
            body = self.encode(prediction, accept, context)
            if self.settings.batch:
                self._check_one_line_per_record(request.body, media, data, prediction, accept)
            response = InferenceResponse(200, accept, body)
        except ServingError as exc:
            response = exc.to_response()
        except MemoryError:
            _log.warning("out of memory handling a request of %d bytes", len(request.body))
            response = InsufficientMemory(
                f"out of memory handling this request (a body of {len(request.body)} "
                "bytes)").to_response()
        if context is not None:
            response.headers.update(context.response_headers)
        return response

    def _request_type(self, header: str | None) -> MediaType:
        if not header:
            raise UnsupportedMediaType(
                f"Content-Type header is missing; supported: {', '.join(self.request_types)}")
        media = MediaType.parse(header)
        if media.essence not in self.request_types:
            raise UnsupportedMediaType(f"unsupported Content-Type {media.essence!r}; "
                                       f"supported: {', '.join(self.request_types)}")
        return media

    def decode(self, body: bytes, media: MediaType, context: RequestContext) -> Any:
        custom = self.decoders.get(media.essence)
        if custom is None:
            return codecs.decode(body, media, self.data_kind, self.limits)
        return _user_code("decoder", custom, body, media, context=context)

    def run_predict(self, data: Any, context: RequestContext) -> Any:
        return _user_code("predict_fn", self.predict, self.model, data, context=context)

    def encode(self, prediction: Any, media_type: str, context: RequestContext) -> bytes:
        custom = self.encoders.get(media_type)
        if custom is None:
            return codecs.encode(prediction, media_type)
        body = _user_code("encoder", custom, prediction, context=context)
        if not isinstance(body, (bytes, bytearray)):
            raise ModelError(f"encoder for {media_type} returned {type(body).__name__}, "
                             "expected bytes")
        return bytes(body)

    @property
    def limits(self) -> codecs.DecodeLimits:
        return codecs.DecodeLimits.for_payload_limit(self.settings.max_payload_bytes)

    def _check_one_line_per_record(self, body: bytes, media: MediaType, data: Any,
                                   prediction: Any, accept: str) -> None:
        # Batch transform joins responses by line (AssembleWith=Line): a count that drifts
        # shifts every later record onto the wrong input.
        if not _line_based(accept):
            return
        if media.essence in self.decoders or self.data_kind is DataKind.BYTES:
            records = codecs.count_records(body, media)
        elif _line_based(media.essence):
            records = len(data)  # the built-in decoders give a row or an item per record
        else:
            records = None
        produced = codecs.encode_record_count(prediction)
        if records is not None and produced != records:
            raise ModelError(f"predict_fn returned {produced} records for {records} input "
                             f"records; batch transform needs one output line per input line")


def _line_based(media_type: str) -> bool:
    codec = codecs.CODECS.get(media_type)
    return codec is not None and codec.line_based


def _call_model_predict(model: Any, data: Any) -> Any:
    return model.predict(data)


def _user_code(role: str, hook: Hook, *args: Any, context: RequestContext) -> Any:
    """``hook(*args)``: what the program's code raises becomes a 500 naming ``role``, unless
    it chose its answer (an HTTPError, or any ServingError) or ran out of memory (507)."""
    try:
        return hook(*args, context=context)
    except HTTPError as exc:
        _log.warning("%s answered %d: %s", role, exc.status, exc.message)
        raise
    except (ServingError, MemoryError):
        raise
    except (Exception, SystemExit) as exc:
        _log.error("%s raised %s", role, type(exc).__name__, exc_info=True)
        raise ModelError(f"{role} raised {type(exc).__name__}: {exc}") from None
