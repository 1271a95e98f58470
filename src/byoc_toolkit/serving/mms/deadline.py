"""The per-request time limit, enforced inside the worker.

multi-model-server's own limit kills the worker and answers "Worker died."; a SIGALRM in the
worker interrupts the request instead (between Python bytecodes, so also inside a sleeping
or looping predict_fn), answers 504 with a message that names the setting, and keeps the
worker. The frontend's limit stays a little longer, as the fallback for code stuck in C.
"""

from __future__ import annotations

import signal
from types import FrameType

from ..errors import RequestTimedOut


class Deadline:
    """Arms SIGALRM around each request of this (main) thread."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False
        signal.signal(signal.SIGALRM, self._expire)

    def __enter__(self) -> Deadline:
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        self.armed = False

    def _expire(self, signum: int, frame: FrameType | None) -> None:
        # An alarm that lands between two requests interrupts nothing.
        if self.armed:
            self.armed = False
            raise RequestTimedOut(
                f"the request took longer than {self.seconds:g} s "
                "(SAGEMAKER_MODEL_SERVER_TIMEOUT)")
