"""output/failure: why a job failed, as SageMaker shows it (its first 1024 characters)."""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExitCode, InputError
from .cluster.outcome import ClusterError
from .stopping import TrainingStopped

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


@dataclass(frozen=True)
class Failure:
    """How an exception ends a training process: its exit code and what the failure file
    says (the reason first, then the details)."""

    exit_code: ExitCode
    reason: str
    details: str | None = None


def failure_of(exc: BaseException) -> Failure:
    """The exit code, reason and details for an exception that ended the training."""
    if isinstance(exc, SystemExit) and exc.code in (0, None):
        return Failure(ExitCode.OK, "")
    if isinstance(exc, InputError):
        return Failure(ExitCode.BAD_INPUT, str(exc))
    if isinstance(exc, ClusterError):
        return Failure(ExitCode.FAILED, str(exc), exc.details)
    details = "".join(traceback.format_exception(exc))
    if isinstance(exc, TrainingStopped):
        return Failure(ExitCode.STOPPED, f"TrainingStopped: {exc}", details)
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Failure(ExitCode.FAILED, reason, details)
