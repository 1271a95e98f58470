"""Log lines under ``byoc serve``: byoc's own, the front end's and the user's ``logging`` calls
in one format, with each request's inference id on the lines written while it is handled.

``BYOC_LOG_FORMAT=text`` (the default) keeps byoc's own lines as ``byoc: message`` and writes
other records as ``time level logger [inference id] message``; ``json`` writes one JSON object
a line: ``time``, ``level``, ``logger``, ``message``, and ``inference_id`` inside a request
(``exception`` with a traceback). The level comes from BYOC_LOG_LEVEL or
SAGEMAKER_CONTAINER_LOG_LEVEL (settings.py).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..errors import LOGGER_NAME, log_through
from .settings import LogFormat, ServingSettings

_inference_id: ContextVar[str | None] = ContextVar("inference_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request)s: %(message)s"


@contextmanager
def request_scope(inference_id: str) -> Iterator[None]:
    """Records logged inside carry ``inference_id``."""
    token = _inference_id.set(inference_id)
    try:
        yield
    finally:
        _inference_id.reset(token)


class _RequestFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        inference_id = _inference_id.get()
        record.__dict__.update(inference_id=inference_id,
                               request=f" [{inference_id}]" if inference_id else "")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        inference_id = getattr(record, "inference_id", None)
        if inference_id:
            line["inference_id"] = inference_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        # ISO 8601 in UTC with milliseconds, as CloudWatch and log shippers parse it.
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{seconds}.{int(record.msecs):03d}Z"


def configure(settings: ServingSettings) -> None:
    """Send this process's log records (byoc's and the user's) to stderr in the configured
    format and level."""
    root = logging.getLogger()
    root.handlers = [_handler(settings.log_format, None)]
    root.setLevel(settings.log_level)
    byoc = logging.getLogger(LOGGER_NAME)
    byoc.handlers = [_handler(settings.log_format, "byoc: %(message)s")]
    byoc.propagate = False
    log_through(byoc)


def _handler(log_format: LogFormat, text_format: str | None) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(text_format or TEXT_FORMAT))
    return handler


def log4j_layout(settings: ServingSettings) -> str:
    """The front end's lines (log4j2 PatternLayout) in the same format; ``%ex`` ends the
    pattern (or sits in the JSON message) so that log4j adds no raw traceback after it."""
    if settings.log_format == "json":
        return ('{"time":"%d{yyyy-MM-dd\'T\'HH:mm:ss.SSS\'Z\'}{UTC}","level":"%p",'
                '"logger":"%c","message":"%enc{%m%ex}{JSON}"}%n')
    return "%d{ISO8601} %p %c{1}: %m%n%ex"
