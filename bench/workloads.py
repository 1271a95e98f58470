"""The load points, and how one is measured against a server or against the in-process floor."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from . import client, inprocess
from .fixtures import Fixtures
from .loadgen import run_wrk

MIN_BIG_SAMPLES = 3  # a 5 MiB request can take seconds; never report fewer than this


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    body: str  # a Fixtures body name
    connections: int
    sequential: bool = False  # one request at a time from the harness instead of wrk

    def on_server(self, port: int, fixtures: Fixtures, duration: int) -> dict[str, float]:
        if not self.sequential:
            return run_wrk(port, fixtures.bodies[self.body], self.connections,
                           duration).as_metrics()
        times = client.sequential_latencies(port, fixtures.body(self.body), duration,
                                            MIN_BIG_SAMPLES)
        return {"p50_ms": statistics.median(times) * 1e3, "max_ms": max(times) * 1e3,
                "rps": len(times) / sum(times)}

    def in_process(self, fixtures: Fixtures, duration: int) -> dict[str, float]:
        return inprocess.measure(fixtures.model_path, fixtures.body(self.body), self.connections,
                                 duration)


LOAD_WORKLOADS = {w.name: w for w in (
    Workload("row1-c1", "1 row, 1 conn", "row1", 1),
    Workload("row1-c16", "1 row, 16 conns", "row1", 16),
    Workload("rows1000-c4", "1000 rows, 4 conns", "rows1000", 4),
    Workload("mb5", "5 MiB CSV, 1 conn", "mb5", 1, sequential=True),
)}
TRAIN = "train"
ALL_WORKLOADS = (*LOAD_WORKLOADS, TRAIN)
