"""The floor: parse, predict and encode in a loop, no HTTP.

It replays the closed loop wrk drives (c clients on 2 workers) with zero server overhead:
min(c, 2) processes call ``bare_wsgi.predict_csv`` back to back, and each process serves its
c/loops virtual clients in turn, so a request's latency is the sum of the c/loops consecutive
calls that end with its own. At c = 1 that is simply the call time.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import numpy as np

from .peers.bare_wsgi import load_model, predict_csv
from .settings import WORKERS

_RESULT_TIMEOUT_S = 120  # model load + duration + one last call, with a wide margin


def _loop(model_path: str, body: bytes, duration: float, barrier: Barrier,
          results: Queue[list[float]]) -> None:
    model = load_model(model_path)
    predict_csv(model, body)  # first call pays one-off costs, as a server's warm-up does
    barrier.wait()  # all loops time the same window, so they contend for the CPUs as workers do
    times = []
    end = time.perf_counter() + duration
    while (began := time.perf_counter()) < end:
        predict_csv(model, body)
        times.append(time.perf_counter() - began)
    results.put(times)


def measure(model_path: Path, body: bytes, connections: int, duration: float) -> dict[str, float]:
    """p50/p99 latency and req/s of the zero-overhead closed loop at ``connections``."""
    loops = min(connections, WORKERS)
    clients_per_loop = connections // loops
    # spawn, not fork: the harness may hold threads and BLAS state that fork copies badly.
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(loops), ctx.Queue()
    procs = [ctx.Process(target=_loop, daemon=True,
                         args=(str(model_path), body, duration, barrier, results))
             for _ in range(loops)]
    for proc in procs:
        proc.start()
    try:
        per_loop = [np.array(results.get(timeout=_RESULT_TIMEOUT_S)) for _ in procs]
    except queue.Empty:
        raise RuntimeError("in-process loop gave no result") from None
    finally:
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
    latencies = np.concatenate([_queued(t, clients_per_loop) for t in per_loop])
    return {"rps": float(sum(len(t) / t.sum() for t in per_loop)),
            "p50_ms": float(np.percentile(latencies, 50)) * 1e3,
            "p99_ms": float(np.percentile(latencies, 99)) * 1e3}


def _queued(times: np.ndarray, clients: int) -> np.ndarray:
    """Latency of each request when ``clients`` take turns on one worker: a rolling sum."""
    sums = np.cumsum(times)
    return sums[clients - 1:] - np.concatenate(([0.0], sums[:-clients]))
