"""byoc serve's workers: per-worker models and GPUs, a killed worker replaced under load, a
request that escapes the pipeline answered without losing the worker, and log lines that
carry the request's inference id."""

from __future__ import annotations

import json
import time

import pytest
from support.paths import PROGRAMS
from support.serving import Load, invoke, request, serving, serving_tree

pytestmark = pytest.mark.java

IDENTITY = PROGRAMS / "worker_identity.py"
PER_WORKER = {"TEST_PER_WORKER": "1"}


def answers_under_load(port: int, seconds: float = 2.0) -> list[dict]:
    with Load(port, b"{}", "application/json", threads=4) as load:
        time.sleep(seconds)
    assert load.failures() == []
    return [json.loads(o.body) for o in load.outcomes]


def test_per_worker_models_load_in_each_worker_and_see_one_gpu_each(trained):
    env = {**PER_WORKER, "BYOC_GPUS": "2", "SAGEMAKER_MODEL_SERVER_WORKERS": "4"}
    with serving(IDENTITY, trained, env) as serve:
        answers = answers_under_load(serve.port)
        tree = serving_tree(serve)
    assert all(a["pid"] == a["loaded_in"] for a in answers)
    assert len(tree.loaders) == 4 and tree.forked == []
    assert {a["pid"] for a in answers} == {p.pid for p in tree.loaders}
    by_index = {a["index"]: a for a in answers}
    assert {i: a["cuda_visible_devices"] for i, a in by_index.items()} == {
        0: "0", 1: "1", 2: "0", 3: "1"}
    assert {a["device"] for a in answers} == {"cuda:0"}


def test_two_per_worker_workers_are_two_processes_without_gpus(trained):
    with serving(IDENTITY, trained, {**PER_WORKER, "SAGEMAKER_MODEL_SERVER_WORKERS": "2"}) \
            as serve:
        answers = answers_under_load(serve.port)
    assert len({a["pid"] for a in answers}) == 2
    assert all(a["pid"] == a["loaded_in"] for a in answers)
    assert {(a["gpu"], a["cuda_visible_devices"], a["device"]) for a in answers} == {
        (None, None, "cpu")}


@pytest.mark.parametrize("per_worker", [False, True], ids=["forked", "per-worker"])
def test_a_killed_worker_is_replaced_under_load(trained, per_worker):
    with serving(IDENTITY, trained, PER_WORKER if per_worker else {}) as serve:
        tree = serving_tree(serve)
        workers = tree.loaders if per_worker else tree.forked
        assert len(workers) == 2
        with Load(serve.port, b"{}", "application/json") as load:
            time.sleep(1)
            killed = time.monotonic()
            workers[0].kill()
            deadline = time.monotonic() + 60
            while not any(json.loads(o.body)["pid"] not in {w.pid for w in workers}
                          for o in load.successes(after=killed)):
                assert time.monotonic() < deadline, serve.log
                time.sleep(0.1)
            time.sleep(1)
        # At most the requests in flight on the killed worker fail ("Worker died.").
        assert len(load.failures()) <= 2, [(o.status, o.body) for o in load.failures()]
        answers = [json.loads(o.body) for o in load.successes(after=killed)]
        replacements = {a["pid"] for a in answers} - {w.pid for w in workers}
        assert len(replacements) == 1
        if per_worker:
            assert all(a["pid"] == a["loaded_in"] for a in answers)
        assert "loading the model again" in serve.log if per_worker else True


def test_whatever_escapes_the_pipeline_is_a_500_and_the_worker_lives(trained):
    with serving(IDENTITY, trained, {"SAGEMAKER_MODEL_SERVER_WORKERS": "1"}) as serve:
        before = invoke(serve.port, b"{}", "application/json").json()["pid"]
        reply = invoke(serve.port, b'{"exit": true}', "application/json")
        assert reply.status == 500
        assert "SystemExit: predict_fn called sys.exit" in reply.json()["error"]
        after = invoke(serve.port, b"{}", "application/json")
        assert after.status == 200 and after.json()["pid"] == before


def test_json_log_lines_carry_the_inference_id(trained):
    with serving(IDENTITY, trained, {"BYOC_LOG_FORMAT": "json"}) as serve:
        reply = request(serve.port, "POST", "/invocations", b"{}", {
            "Content-Type": "application/json",
            "X-Amzn-SageMaker-Inference-Id": "inference-42"})
        assert reply.status == 200
        deadline = time.monotonic() + 10
        while "inference-42" not in serve.log:
            assert time.monotonic() < deadline, serve.log
            time.sleep(0.1)
    # The JVM prints one line before its logging starts; every other line is JSON.
    lines = [json.loads(line) for line in serve.log.splitlines()
             if not line.startswith("WARNING: sun.reflect.Reflection.getCallerClass")]
    ours = [line for line in lines if line.get("inference_id") == "inference-42"]
    assert [(line["logger"], line["level"]) for line in ours] == [("worker_identity", "INFO")]
    assert ours[0]["message"].startswith("predicting in process")
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert any(line["logger"] == "byoc" and line["message"].startswith("ready on port")
               for line in lines)
