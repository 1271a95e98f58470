"""Issue 11 over HTTP: the bodies that killed workers get a 4xx with a one-line JSON error from
the same workers, the 1 KB .npz bomb stays far under the per-request memory bound the serving
guide states, and a bounded fuzz leaves every worker standing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from support.fuzzing import accepts, bodies, content_types
from support.paths import EXAMPLE_PROGRAM, PAYLOAD_CSV
from support.poison import NPZ_BOMB, Poison, poison_bodies
from support.serving import ServeProcess, request, serving

pytestmark = pytest.mark.java

#: The serving guide's bound: decoding one request costs a worker at most this many times the
#: payload limit above its idle size (measured worst case: 46, JSON Lines of empty arrays).
MEMORY_FACTOR = 50
PAYLOAD_LIMIT_MIB = 6


@pytest.fixture(scope="module")
def server(trained):
    with serving(EXAMPLE_PROGRAM, trained) as serve:
        yield serve


def post(serve: ServeProcess, body: bytes, content_type: str, accept: str | None = None):
    headers = {"Content-Type": content_type}
    if accept is not None:
        headers["Accept"] = accept
    return request(serve.port, "POST", "/invocations", body, headers)


def assert_one_line_error(reply) -> None:
    assert reply.headers["content-type"].startswith("application/json"), reply.body
    assert b"\n" not in reply.body.strip()
    assert set(json.loads(reply.body)) == {"error"}


@pytest.mark.parametrize("poison", poison_bodies(), ids=lambda poison: poison.name)
def test_poison_gets_a_4xx_from_the_same_workers(server, poison: Poison):
    workers = server.worker_pids()
    assert workers
    reply = post(server, poison.body, poison.content_type)
    assert reply.status == poison.status, reply.body
    assert_one_line_error(reply)
    valid = post(server, PAYLOAD_CSV.read_bytes(), "text/csv")
    assert valid.status == 200 and len(valid.body.splitlines()) == 29
    assert server.worker_pids() == workers


def memory_mib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) // 1024


def test_the_npz_bomb_stays_under_the_per_request_memory_bound(server):
    idle = {pid: memory_mib(pid, "VmRSS") for pid in server.worker_pids()}
    for _ in range(2):  # both workers
        reply = post(server, NPZ_BOMB.read_bytes(), "application/x-npz")
        assert reply.status == 400, reply.body
    grown = max(memory_mib(pid, "VmHWM") - rss for pid, rss in idle.items())
    assert grown < MEMORY_FACTOR * PAYLOAD_LIMIT_MIB
    assert server.worker_pids() == set(idle)


def sendable(value: str) -> bool:
    """Whether an HTTP client can send ``value`` as a header (visible ASCII, spaces, tabs)."""
    return all(" " <= char <= "~" or char == "\t" for char in value)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(body=bodies(), content_type=content_types, accept=accepts)
def test_http_fuzz_leaves_every_worker_standing(server, body, content_type, accept):
    assume(sendable(content_type) and (accept is None or sendable(accept)))
    workers = server.worker_pids()
    reply = post(server, body, content_type, accept)
    if reply.status >= 400:
        assert_one_line_error(reply)
    # The example's predict_fn raises for rows of the wrong width: its own 500.
    assert reply.status < 500 or reply.json()["error"].startswith("predict_fn raised"), reply.body
    assert server.worker_pids() == workers
