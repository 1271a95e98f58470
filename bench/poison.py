"""The poison workload's side stream: request bodies that once killed a serving worker, sent at
a steady rate while wrk measures the valid load (issue 11: at 2 such requests a second, byoc's
valid throughput fell from 5,476 to 50 req/s)."""

from __future__ import annotations

import http.client
import threading
import time
from types import TracebackType

#: (Content-Type, body): an integer of more than Python's 4300 digits, which json.loads
#: refuses with a ValueError; a charset whose codec raised its own UnicodeError.
POISON = (("application/json", b"[" + b"9" * 5000 + b"]"),
          ("text/csv; charset=idna", b"xn--zzzzzzzzz.com"))


class PoisonStream:
    """Sends POISON round robin to ``port``, ``rate`` requests a second, on a thread, while the
    ``with`` block runs; counts the answers that were not a 4xx (5xx, or none at all)."""

    def __init__(self, port: int, rate: float) -> None:
        self.port = port
        self.interval = 1.0 / rate
        self.sent = 0
        self.not_4xx = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PoisonStream:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def as_metrics(self) -> dict[str, float]:
        return {"poison_sent": self.sent, "poison_not_4xx": self.not_4xx}

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.wait(max(0.0, next_at - time.monotonic())):
            content_type, body = POISON[self.sent % len(POISON)]
            self.sent += 1
            if not 400 <= self._post(content_type, body) < 500:
                self.not_4xx += 1
            next_at += self.interval

    def _post(self, content_type: str, body: bytes) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", "/invocations", body, {"Content-Type": content_type})
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return 0
        finally:
            connection.close()
