"""One model's request handling, in four steps: setup (load the model once), decode the
request, predict, encode the response. Errors become HTTP statuses with a one-line JSON body.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model_artifacts import load_model
from ..registry import Registry
from . import codecs
from .data_kinds import DataKind
from .errors import ModelError, PayloadTooLarge, ServingError, UnsupportedMediaType
from .media_types import MediaType, negotiate
from .messages import InferenceRequest, InferenceResponse
from .settings import ServingSettings


@dataclass(frozen=True)
class InferenceApp:
    model: Any
    predict: Callable[[Any, Any], Any]
    data_kind: DataKind
    decoders: dict[str, Callable[..., Any]]
    encoders: dict[str, Callable[..., Any]]
    settings: ServingSettings
    #: What requests may be and responses can be: the built-in codecs plus the program's.
    request_types: tuple[str, ...]
    response_types: tuple[str, ...]

    @classmethod
    def setup(cls, program: Registry, model_dir: Path,
              settings: ServingSettings) -> InferenceApp:
        """Load the model and bind it to the program's @predict_fn (or ``model.predict``)."""
        model = load_model(model_dir, program.model_loader)
        spec = program.predict
        if spec is not None:
            predict, kind = spec.func, spec.data_kind
        elif callable(getattr(model, "predict", None)):
            predict, kind = _call_model_predict, DataKind.DEFAULT
        else:
            raise TypeError(f"the program registers no @predict_fn and the model "
                            f"({type(model).__name__}) has no predict() method")
        return cls(model, predict, kind, dict(program.decoders), dict(program.encoders),
                   settings,
                   request_types=tuple(dict.fromkeys([*codecs.REQUEST_TYPES, *program.decoders])),
                   response_types=tuple(dict.fromkeys([*codecs.RESPONSE_TYPES,
                                                       *program.encoders])))

    def handle(self, request: InferenceRequest) -> InferenceResponse:
        try:
            media = self._request_type(request.headers.get("Content-Type"))
            accept = negotiate(request.headers.get("Accept"), self.response_types,
                               self.settings.default_accept, media.essence)
            if len(request.body) > self.settings.max_payload_bytes:
                raise PayloadTooLarge(
                    f"body of {len(request.body)} bytes exceeds the limit of "
                    f"{self.settings.max_payload_bytes} bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB)")
            data = self.decode(request.body, media)
            prediction = self.run_predict(data)
            body = self.encode(prediction, accept)
            if self.settings.batch:
                self._check_one_line_per_record(request.body, media, data, prediction, accept)
            return InferenceResponse(200, accept, body)
        except ServingError as exc:
            return exc.to_response()

    def _request_type(self, header: str | None) -> MediaType:
        if not header:
            raise UnsupportedMediaType(
                f"Content-Type header is missing; supported: {', '.join(self.request_types)}")
        media = MediaType.parse(header)
        if media.essence not in self.request_types:
            raise UnsupportedMediaType(f"unsupported Content-Type {media.essence!r}; "
                                       f"supported: {', '.join(self.request_types)}")
        return media

    def decode(self, body: bytes, media: MediaType) -> Any:
        custom = self.decoders.get(media.essence)
        if custom is None:
            return codecs.decode(body, media, self.data_kind)
        return _user_code("decoder", custom, body, media)

    def run_predict(self, data: Any) -> Any:
        return _user_code("predict_fn", self.predict, self.model, data)

    def encode(self, prediction: Any, media_type: str) -> bytes:
        custom = self.encoders.get(media_type)
        if custom is None:
            return codecs.encode(prediction, media_type)
        body = _user_code("encoder", custom, prediction)
        if not isinstance(body, (bytes, bytearray)):
            raise ModelError(f"encoder for {media_type} returned {type(body).__name__}, "
                             "expected bytes")
        return bytes(body)

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


def _user_code(role: str, func: Callable[..., Any], *args: Any) -> Any:
    try:
        return func(*args)
    except ServingError:
        raise
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        raise ModelError(f"{role} raised {type(exc).__name__}: {exc}") from None
