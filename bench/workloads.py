"""The load points, and how one is measured against a server or against the in-process floor."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from . import client, inprocess
from .fixtures import Fixtures
from .loadgen import run_wrk
from .poison import PoisonStream

MIN_BIG_SAMPLES = 3  # a 5 MiB request can take seconds; never report fewer than this


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    body: str  # a Fixtures body name
    connections: int
    sequential: bool = False  # one request at a time from the harness instead of wrk
    poison_rate: float = 0.0  # requests a second of bodies that once killed workers, beside

    def on_server(self, port: int, fixtures: Fixtures, duration: int) -> dict[str, float]:
        if self.poison_rate:
            with PoisonStream(port, self.poison_rate) as poison:
                load = run_wrk(port, fixtures.bodies[self.body], self.connections, duration,
                               count_failures=True)
            return load.as_metrics() | poison.as_metrics()
        if not self.sequential:
            return run_wrk(port, fixtures.bodies[self.body], self.connections,
                           duration).as_metrics()
        times = client.sequential_latencies(port, fixtures.body(self.body), duration,
                                            MIN_BIG_SAMPLES)
        return {"p50_ms": statistics.median(times) * 1e3, "max_ms": max(times) * 1e3,
                "rps": len(times) / sum(times)}

    def in_process(self, fixtures: Fixtures, duration: int) -> dict[str, float]:
        if self.poison_rate:
            return {}  # the floor has no server to poison
        return inprocess.measure(fixtures.model_path, fixtures.body(self.body), self.connections,
                                 duration)


LOAD_WORKLOADS = {w.name: w for w in (
    Workload("row1-c1", "1 row, 1 conn", "row1", 1),
    Workload("row1-c16", "1 row, 16 conns", "row1", 16),
    Workload("rows1000-c4", "1000 rows, 4 conns", "rows1000", 4),
    Workload("mb5", "5 MiB CSV, 1 conn", "mb5", 1, sequential=True),
    Workload("poison-c16", "1 row, 16 conns, 2 poison req/s", "row1", 16, poison_rate=2.0),
)}
TRAIN = "train"
#: Multi-model density (density.py): byoc and sit-mms as multi-model endpoints.
MULTI_MODEL = "multi-model"
IMAGE = "image"  # images.py: byoc's image against the classic one
ALL_WORKLOADS = (*LOAD_WORKLOADS, TRAIN, MULTI_MODEL, IMAGE)
