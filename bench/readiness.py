"""Cold start: poll /ping and /invocations side by side from the moment the stack was started.

Two threads probe every POLL_INTERVAL with a short timeout each, so the first 200 of each
endpoint is seen within about one interval. A probe that a server queues (gunicorn's listen
backlog, MMS before its workers are up) returns as soon as it is served, not after the timeout.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from . import client
from .processes import ServerProcess

POLL_INTERVAL = 0.02
PROBE_TIMEOUT = 1.0


@dataclass(frozen=True)
class Readiness:
    """Seconds from process start to the first 200 of each endpoint."""

    ping_s: float
    invocations_s: float

    @property
    def gap_s(self) -> float:
        """How long /ping claimed health before /invocations could answer (0 = honest ping)."""
        return max(0.0, self.invocations_s - self.ping_s)

    def as_metrics(self) -> dict[str, float]:
        return {"start_s": self.invocations_s, "ping_s": self.ping_s, "gap_s": self.gap_s}


def wait_ready(server: ServerProcess, port: int, body: bytes, timeout: float) -> Readiness:
    """Block until both endpoints answered 200; raise if the server dies or ``timeout`` passes."""
    firsts: dict[str, float] = {}
    stop = threading.Event()

    def poll(name: str, method: str, path: str, payload: bytes | None) -> None:
        while not stop.is_set():
            try:
                if client.call(port, method, path, payload, PROBE_TIMEOUT).status == 200:
                    firsts[name] = time.monotonic() - server.started_at
                    return
            except OSError:
                pass  # not listening yet, reset, or too slow: try again
            stop.wait(POLL_INTERVAL)

    threads = [threading.Thread(target=poll, args=("ping", "GET", "/ping", None), daemon=True),
               threading.Thread(target=poll, args=("invocations", "POST", "/invocations", body),
                                daemon=True)]
    for thread in threads:
        thread.start()
    try:
        deadline = server.started_at + timeout
        while any(t.is_alive() for t in threads):
            if not server.running():
                raise RuntimeError(f"server exited with {server.popen.returncode} before ready:\n"
                                   + server.log_tail())
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s:\n" + server.log_tail())
            time.sleep(POLL_INTERVAL)
    finally:
        stop.set()
        for thread in threads:
            thread.join(PROBE_TIMEOUT + 1)
    return Readiness(firsts["ping"], firsts["invocations"])
