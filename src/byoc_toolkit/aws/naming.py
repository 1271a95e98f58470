"""Names SageMaker accepts for jobs, models, endpoint configs and endpoints."""

from __future__ import annotations

import re
import time

MAX_LENGTH = 63
_INVALID = re.compile(r"[^a-zA-Z0-9]+")


def timestamp() -> str:
    """A UTC time suffix that sorts in creation order: ``20250102-030405``."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime())


def resource_name(base: str, suffix: str = "") -> str:
    """``base`` with runs of other characters turned into one ``-``, shortened so that
    ``base-suffix`` fits SageMaker's 63 characters."""
    tail = f"-{suffix}" if suffix else ""
    cleaned = _INVALID.sub("-", base).strip("-")[: MAX_LENGTH - len(tail)].rstrip("-")
    return f"{cleaned or 'byoc'}{tail}"
