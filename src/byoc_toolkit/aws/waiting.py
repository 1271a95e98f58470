"""Polling a SageMaker resource until it settles, reporting each change of status."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

#: A poll's answer: the status, and a detail worth showing with it (or None).
Status = tuple[str, "str | None"]


def wait_for(poll: Callable[[], Status], final: Collection[str],
             report: Callable[[str], None], interval: float = 15.0,
             follow: Callable[[], None] | None = None) -> Status:
    """Call ``poll`` every ``interval`` seconds until its status is in ``final``; report
    each new status with the time waited so far, then call ``follow`` (to show what else
    happened, such as new log lines); return the last status."""
    started = time.monotonic()
    last = None
    while True:
        current = poll()
        if current != last:
            report(_describe(current, time.monotonic() - started))
            last = current
        if follow is not None:
            follow()
        if current[0] in final:
            return current
        time.sleep(interval)


def _describe(status: Status, waited: float) -> str:
    name, detail = status
    minutes, seconds = divmod(int(waited), 60)
    return f"{name}{f' ({detail})' if detail else ''} [{minutes}m{seconds:02d}s]"
