"""SIGTERM during training: SageMaker's StopTrainingJob and spot interruptions send it, then
SIGKILL 120 s later. byoc turns it into something user code can act on."""

from __future__ import annotations

import signal
import threading
from types import FrameType

from ..errors import log
from ..registry import OnSigterm

_stop = threading.Event()
_mode: OnSigterm = "raise"


class TrainingStopped(BaseException):
    """Raised in the training function when SIGTERM arrives (``on_sigterm="raise"``).

    A BaseException, like KeyboardInterrupt, so that ``except Exception`` blocks in training
    loops do not swallow it; catch it (or use ``finally``) to write a checkpoint.
    """


def stop_requested() -> bool:
    """True once SIGTERM has arrived; poll it with ``@train_fn(on_sigterm="flag")``."""
    return _stop.is_set()


def install(mode: OnSigterm = "raise") -> None:
    """Handle SIGTERM in this (main) thread from now on, in ``mode``."""
    set_mode(mode)
    signal.signal(signal.SIGTERM, _on_sigterm)


def set_mode(mode: OnSigterm) -> None:
    """What the next SIGTERM does: raise TrainingStopped, or only set the flag."""
    global _mode
    _mode = mode


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    first = not _stop.is_set()
    _stop.set()
    if not first:
        return
    log("SIGTERM received (job stopping; SIGKILL follows in 120 s)")
    if _mode == "raise":
        raise TrainingStopped("SIGTERM received: the training job was stopped "
                              "(StopTrainingJob, time limit or spot interruption)")
