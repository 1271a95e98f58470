"""byoc serve loads the model before the front end opens its port: any load time up to
SAGEMAKER_STARTUP_TIMEOUT, and never a 200 from /ping before the model can serve."""

from __future__ import annotations

import time

import psutil
import pytest
from support.paths import PAYLOAD_CSV, PROGRAMS
from support.serving import invoke, ping, start_serve

pytestmark = pytest.mark.java

SLOW = PROGRAMS / "slow_loading_model.py"


def test_a_130_second_load_is_served_and_ping_waits_for_it(trained):
    # multi-model-server gives a model's worker two minutes, and opens its port after one:
    # byoc serve stops it while the model loads and starts it again afterwards.
    serve = start_serve(SLOW, trained, {"TEST_LOAD_SECONDS": "130"})
    started = time.monotonic()
    try:
        while (status := ping(serve.port)) != 200:
            assert serve.process.poll() is None, serve.log
            assert time.monotonic() - started < 400, serve.log
            time.sleep(0.2)
        assert time.monotonic() - started >= 130
        reply = invoke(serve.port, PAYLOAD_CSV.read_bytes())
        assert reply.status == 200 and len(reply.body.splitlines()) == 29
        assert "stopping multi-model-server until it is loaded" in serve.log
        assert status == 200
    finally:
        serve.stop()


def test_a_load_longer_than_the_startup_timeout_exits_1_and_leaves_nothing(trained):
    serve = start_serve(SLOW, trained, {"TEST_LOAD_SECONDS": "120",
                                        "SAGEMAKER_STARTUP_TIMEOUT": "5"})
    seen: set[psutil.Process] = set()
    started = time.monotonic()
    while serve.process.poll() is None:
        assert time.monotonic() - started < 60, serve.log
        assert ping(serve.port) != 200
        try:
            seen.update(psutil.Process(serve.process.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.1)
    assert serve.process.returncode == 1
    assert "not ready after 5 s (SAGEMAKER_STARTUP_TIMEOUT)" in serve.log
    assert len(seen) >= 2  # the model process and the front end, at least
    assert [p for p in seen if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
