"""Health that tells the truth after any process death: each process of byoc serve's tree is
killed with SIGKILL under load; byoc serve either recovers or exits non-zero, and /ping is
never 200 while nothing can answer."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from support.paths import EXAMPLE_PROGRAM, PAYLOAD_CSV, PROGRAMS
from support.serving import (
    Load,
    PingWatch,
    ServeProcess,
    ServingTree,
    invoke,
    no_plugin_env,
    request,
    serving_tree,
    start_serve,
)

pytestmark = pytest.mark.java

ROW = b"5.1,3.5,1.4,0.2\n"


def kill_under_load(serve: ServeProcess, victim: Callable[[ServingTree], psutil.Process],
                    path: str = "/invocations") -> tuple[Load, PingWatch, float]:
    serve.wait_ready()
    with PingWatch(serve.port, ROW, "text/csv", path) as watch, \
            Load(serve.port, ROW, "text/csv", path) as load:
        time.sleep(1)
        process = victim(serving_tree(serve))
        killed = time.monotonic()
        process.kill()
        deadline = killed + 90
        while not load.successes(after=killed + 0.5) and serve.process.poll() is None:
            assert time.monotonic() < deadline, serve.log
            time.sleep(0.1)
        time.sleep(2)
    return load, watch, killed


def assert_recovered(serve: ServeProcess, load: Load, watch: PingWatch, killed: float) -> None:
    assert serve.process.poll() is None, serve.log
    assert load.successes(after=killed + 0.5), serve.log
    assert watch.dishonest(after=killed + 1) == [], serve.log
    assert watch.checks, "the ping watch never saw /ping 200 again"
    assert invoke(serve.port, ROW).status == 200


def assert_exited_and_left_nothing(serve: ServeProcess, watch: PingWatch, killed: float):
    assert serve.process.wait(30) == 1, serve.log
    assert watch.dishonest(after=killed + 1) == []
    deadline = time.monotonic() + 20
    while serve.leftovers():
        assert time.monotonic() < deadline, serve.leftovers()
        time.sleep(0.1)


@pytest.mark.parametrize("victim", [
    lambda tree: tree.forked[0],
    lambda tree: tree.loaders[0],
    lambda tree: tree.connectors[0],
], ids=["forked-worker", "model-process", "connector"])
def test_single_model_recovers(trained, victim):
    serve = start_serve(EXAMPLE_PROGRAM, trained)
    try:
        load, watch, killed = kill_under_load(serve, victim)
        assert_recovered(serve, load, watch, killed)
        assert len(load.failures(after=killed)) <= 2
    finally:
        serve.stop()


def test_while_the_model_loads_again_ping_is_503(trained):
    serve = start_serve(PROGRAMS / "slow_loading_model.py", trained,
                        {"TEST_LOAD_SECONDS": "3"})
    try:
        serve.wait_ready()
        serving_tree(serve).loaders[0].kill()
        deadline = time.monotonic() + 10
        while (reply := request(serve.port, "GET", "/ping")).status == 200:
            assert time.monotonic() < deadline, serve.log
            time.sleep(0.05)
        assert reply.status == 503
        assert reply.json() == {"error": "the model's process exited; it is loading again"}
        deadline = time.monotonic() + 60
        while request(serve.port, "GET", "/ping").status != 200:
            assert time.monotonic() < deadline, serve.log
            time.sleep(0.1)
        assert invoke(serve.port, PAYLOAD_CSV.read_bytes()).status == 200
    finally:
        serve.stop()


def test_the_front_end_killed_stops_everything_with_status_1(trained):
    serve = start_serve(EXAMPLE_PROGRAM, trained)
    try:
        _, watch, killed = kill_under_load(serve, lambda tree: tree.frontend)
        assert_exited_and_left_nothing(serve, watch, killed)
        assert "multi-model-server exited" in serve.log
    finally:
        serve.stop()


def test_without_the_plugin_a_lost_model_process_stops_everything(trained, tmp_path):
    serve = start_serve(EXAMPLE_PROGRAM, trained, no_plugin_env(tmp_path))
    try:
        _, watch, killed = kill_under_load(serve, lambda tree: tree.loaders[0])
        assert_exited_and_left_nothing(serve, watch, killed)
        assert "multi-model-server runs without byoc's plugin" in serve.log
        assert "its plugin is missing" in serve.log
    finally:
        serve.stop()


@pytest.fixture
def multi_model_root(tmp_path: Path, trained: Path) -> Path:
    root = tmp_path / "opt_ml"
    for name in ("a", "b"):
        shutil.copytree(trained / "model", root / "models" / name / "model")
    return root


def load_model(port: int, root: Path, name: str, directory: str | None = None):
    body = json.dumps({"model_name": name,
                       "url": str(root / "models" / (directory or name) / "model")})
    return request(port, "POST", "/models", body.encode(), {"Content-Type": "application/json"})


@pytest.mark.parametrize("victim", [
    lambda tree: tree.template,
    lambda tree: tree.loaders[0],
    lambda tree: tree.forked[0],
], ids=["template", "model-process", "forked-worker"])
def test_multi_model_recovers(multi_model_root, victim):
    serve = start_serve(EXAMPLE_PROGRAM, multi_model_root, {"SAGEMAKER_MULTI_MODEL": "true",
                                                            "SAGEMAKER_MODEL_SERVER_WORKERS": "1"})
    try:
        serve.wait_ready()
        assert load_model(serve.port, multi_model_root, "a").status == 200
        load, watch, killed = kill_under_load(serve, victim, "/models/a/invoke")
        assert serve.process.poll() is None, serve.log
        assert load.successes(after=killed + 0.5)
        assert watch.dishonest(after=killed + 1) == []
        assert load_model(serve.port, multi_model_root, "b").status == 200
        for name in ("a", "b"):
            assert invoke(serve.port, ROW, path=f"/models/{name}/invoke").status == 200
    finally:
        serve.stop()


def test_multi_model_connector_killed_unloads_the_model_and_it_loads_again(multi_model_root):
    serve = start_serve(EXAMPLE_PROGRAM, multi_model_root, {"SAGEMAKER_MULTI_MODEL": "true"})
    try:
        serve.wait_ready()
        assert load_model(serve.port, multi_model_root, "a").status == 200
        tree = serving_tree(serve)
        tree.connectors[0].kill()
        # Not a wait for workers that will not come: 404, and SageMaker loads it again.
        deadline = time.monotonic() + 20
        while request(serve.port, "GET", "/models/a").status != 404:
            assert time.monotonic() < deadline, serve.log
            time.sleep(0.1)
        assert invoke(serve.port, ROW, path="/models/a/invoke").status == 404
        deadline = time.monotonic() + 20
        while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE
                  for p in tree.loaders + tree.forked):
            assert time.monotonic() < deadline, "the model's processes outlived it"
            time.sleep(0.1)
        assert load_model(serve.port, multi_model_root, "a").status == 200
        assert invoke(serve.port, ROW, path="/models/a/invoke").status == 200
    finally:
        serve.stop()


def test_multi_model_front_end_killed_stops_everything(multi_model_root):
    serve = start_serve(EXAMPLE_PROGRAM, multi_model_root, {"SAGEMAKER_MULTI_MODEL": "true"})
    try:
        serve.wait_ready()
        assert load_model(serve.port, multi_model_root, "a").status == 200
        _, watch, killed = kill_under_load(serve, lambda tree: tree.frontend, "/models/a/invoke")
        assert_exited_and_left_nothing(serve, watch, killed)
    finally:
        serve.stop()


def test_nothing_outlives_byoc_serve_killed_outright(multi_model_root):
    serve = start_serve(EXAMPLE_PROGRAM, multi_model_root, {"SAGEMAKER_MULTI_MODEL": "true"})
    serve.wait_ready()
    assert load_model(serve.port, multi_model_root, "a").status == 200
    serve.descendants = psutil.Process(serve.process.pid).children(recursive=True)
    assert len(serve.descendants) >= 5  # front end, connector, template, model, worker
    os.kill(serve.process.pid, 9)
    serve.process.wait(10)
    deadline = time.monotonic() + 20
    while serve.leftovers():
        assert time.monotonic() < deadline, serve.leftovers()
        time.sleep(0.1)
