"""SIGTERM during training: SageMaker's StopTrainingJob and spot interruptions send it, then
SIGKILL 120 s later. byoc turns it into something user code can act on."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

#: ``on_sigterm`` values of @train_fn.
RAISE = "raise"
FLAG = "flag"
MODES = (RAISE, FLAG)

_stop = threading.Event()
_mode = RAISE


class TrainingStopped(BaseException):
    """Raised in the training function when SIGTERM arrives (``on_sigterm="raise"``).

    A BaseException, like KeyboardInterrupt, so that ``except Exception`` blocks in training
    loops do not swallow it; catch it (or use ``finally``) to write a checkpoint.
    """


def stop_requested() -> bool:
    """True once SIGTERM has arrived; poll it with ``@train_fn(on_sigterm="flag")``."""
    return _stop.is_set()


def install(mode: str = RAISE) -> None:
    """Handle SIGTERM in this (main) thread from now on, in ``mode``."""
    global _mode
    if mode not in MODES:
        raise ValueError(f"on_sigterm must be one of {MODES}, got {mode!r}")
    _mode = mode
    signal.signal(signal.SIGTERM, _on_sigterm)


def set_mode(mode: str) -> None:
    global _mode
    _mode = mode


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    first = not _stop.is_set()
    _stop.set()
    if not first:
        return
    sys.stderr.write("byoc: SIGTERM received (job stopping; SIGKILL follows in 120 s)\n")
    sys.stderr.flush()
    if _mode == RAISE:
        raise TrainingStopped("SIGTERM received: the training job was stopped "
                              "(StopTrainingJob, time limit or spot interruption)")
