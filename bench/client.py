"""A minimal HTTP/1.1 client for probes, answer checks and the sequential big-body workload."""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass

CSV_HEADERS = {"Content-Type": "text/csv", "Accept": "text/csv"}


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def call(port: int, method: str, path: str, body: bytes | None = None,
         timeout: float = 60.0, content_type: str = "text/csv") -> Response:
    """One request on a fresh connection to 127.0.0.1; raises OSError when it cannot complete."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {**CSV_HEADERS, "Content-Type": content_type} if body is not None else {}
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return Response(resp.status, resp.read())
    except http.client.HTTPException as exc:  # e.g. the server closed mid-answer
        raise OSError(str(exc)) from exc
    finally:
        conn.close()


def invoke(port: int, body: bytes, timeout: float = 60.0) -> Response:
    return call(port, "POST", "/invocations", body, timeout)


def sequential_latencies(port: int, body: bytes, duration: float, min_samples: int) -> list[float]:
    """Seconds per POST, one at a time, until ``duration`` passed and ``min_samples`` were taken."""
    samples: list[float] = []
    start = time.perf_counter()
    while len(samples) < min_samples or time.perf_counter() - start < duration:
        began = time.perf_counter()
        resp = invoke(port, body)
        if resp.status != 200:
            raise RuntimeError(f"/invocations answered {resp.status}: {resp.body[:200]!r}")
        samples.append(time.perf_counter() - began)
    return samples
