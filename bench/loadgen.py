"""HTTP load from wrk (a separate process, one thread, keep-alive where the server allows it)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk_post.lua")
WRK_TIMEOUT_S = 30  # per request; a timed-out request counts as an error and fails the point


@dataclass(frozen=True)
class LoadResult:
    requests: int
    rps: float  # answered with a 2xx
    p50_ms: float
    p99_ms: float
    failed: int = 0  # answered otherwise, or not within the timeout

    def as_metrics(self) -> dict[str, float]:
        return {"rps": self.rps, "p50_ms": self.p50_ms, "p99_ms": self.p99_ms,
                "failed": self.failed}


def run_wrk(port: int, body_path: Path, connections: int, duration: int,
            count_failures: bool = False) -> LoadResult:
    """POST ``body_path`` over ``connections`` connections for ``duration`` seconds. A request
    that fails (not 2xx, or timed out) fails the point, unless ``count_failures``."""
    # One thread: a single wrk thread drives >10k req/s, far above any stack here, and leaves
    # the second core to the servers.
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", f"{WRK_TIMEOUT_S}s",
            "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}/invocations", "--", str(body_path)]
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=duration + 2 * WRK_TIMEOUT_S)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    stats = json.loads(line.removeprefix("BENCH_JSON "))
    errors = stats["errors"]
    # Connect/read/write errors are how wrk sees servers that close after each response
    # (gunicorn sync workers send Connection: close); only wrong statuses and timeouts fail.
    failed = errors["status"] + errors["timeout"]
    if (failed and not count_failures) or not stats["requests"]:
        raise RuntimeError(f"wrk saw failed requests: {stats}")
    return LoadResult(requests=stats["requests"],
                      rps=(stats["requests"] - errors["status"]) / (stats["duration_us"] / 1e6),
                      p50_ms=stats["p50_us"] / 1e3, p99_ms=stats["p99_us"] / 1e3,
                      failed=failed)
