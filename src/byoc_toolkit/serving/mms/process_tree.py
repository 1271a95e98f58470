"""The processes under ``byoc serve``, found through /proc, and stopping all of them."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

POLL_SECONDS = 0.02


def descendants(root: int) -> list[int]:
    """Every live (not zombie) process below ``root``."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != b"Z":
            children.setdefault(int(fields[1]), []).append(int(name))
    found, pending = [], list(children.get(root, []))
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def stop_all(root: int, grace: float, reap: Callable[[], None]) -> None:
    """SIGTERM to every process below ``root``, SIGKILL to those left after ``grace`` seconds;
    ``reap`` collects the children that exited."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        for pid in descendants(root):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            reap()
            if not descendants(root):
                return
            time.sleep(POLL_SECONDS)
