"""Names SageMaker accepts for jobs, models, endpoint configs and endpoints."""

from __future__ import annotations

import re
import time

MAX_LENGTH = 63
_INVALID = re.compile(r"[^a-zA-Z0-9]+")


def timestamp() -> str:
    """A UTC time suffix to the millisecond, that sorts in creation order:
    ``20250102-030405-678`` (two deployments in one second still get two names)."""
    now = time.time()
    return f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime(now))}-{int(now * 1000) % 1000:03d}"


def resource_name(base: str, suffix: str = "", max_length: int = MAX_LENGTH) -> str:
    """``base`` with runs of other characters turned into one ``-``, shortened so that
    ``base-suffix`` fits SageMaker's 63 characters (or ``max_length``)."""
    tail = f"-{suffix}" if suffix else ""
    cleaned = _INVALID.sub("-", base).strip("-")[: max_length - len(tail)].rstrip("-")
    return f"{cleaned or 'byoc'}{tail}"
