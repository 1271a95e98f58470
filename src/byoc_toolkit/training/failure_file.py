"""output/failure: why a job failed, as SageMaker shows it (its first 1024 characters)."""

from __future__ import annotations

import sys
from pathlib import Path

#: DescribeTrainingJob's FailureReason is the first 1024 characters of the file.
REASON_LIMIT = 1024


def format_failure(reason: str, details: str | None = None) -> str:
    """The reason, cut to fit the first 1024 characters, then the details (a traceback)."""
    reason = reason.strip() or "training failed"
    if len(reason) > REASON_LIMIT:
        reason = reason[: REASON_LIMIT - 3] + "..."
    return f"{reason}\n\n{details.rstrip()}\n" if details else f"{reason}\n"


def write_failure(path: Path, reason: str, details: str | None = None) -> bool:
    """Write the failure file unless the user's code already wrote one (theirs is the better
    reason). The text also goes to stderr, so it reaches the job's log either way. Returns
    whether the file was written."""
    text = format_failure(reason, details)
    sys.stderr.write(text)
    sys.stderr.flush()
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True
