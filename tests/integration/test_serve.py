"""``byoc serve`` as SageMaker runs it: a real process, real HTTP, multi-model-server."""

from __future__ import annotations

import io
import json
import shutil
import time

import joblib
import numpy as np
import pytest
from support.bodies import npy_bytes
from support.commands import run_byoc
from support.paths import EXAMPLE_PROGRAM, EXAMPLE_TEST_DIR, PAYLOAD_CSV, PROGRAMS
from support.serving import invoke, ping, request, serving, start_serve

pytestmark = pytest.mark.java


@pytest.fixture(scope="module")
def expected(trained):
    model = joblib.load(trained / "model" / "model.joblib")
    features = np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2)
    return features, [str(label) for label in model.predict(features)]


@pytest.fixture(scope="module")
def server(trained):
    with serving(EXAMPLE_PROGRAM, trained) as serve:
        yield serve


def lines(body: bytes) -> list[str]:
    return body.decode().splitlines()


def test_csv_payload_gives_one_prediction_a_line(server, expected):
    features, labels = expected
    reply = invoke(server.port, PAYLOAD_CSV.read_bytes())
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("text/csv")
    assert len(features) == 29
    assert lines(reply.body) == labels


def test_other_formats_give_the_same_classes(server, expected):
    features, labels = expected
    as_json = invoke(server.port, json.dumps(features.tolist()).encode(), "application/json",
                     "application/json")
    assert as_json.status == 200 and as_json.json() == labels
    rows = "".join(json.dumps(row) + "\n" for row in features.tolist()).encode()
    as_lines = invoke(server.port, rows, "application/jsonlines", "application/jsonlines")
    assert as_lines.status == 200
    assert [json.loads(line) for line in lines(as_lines.body)] == labels
    buffer = io.BytesIO()
    np.save(buffer, features)
    as_npy = invoke(server.port, buffer.getvalue(), "application/x-npy", "application/x-npy")
    assert as_npy.status == 200
    assert np.load(io.BytesIO(as_npy.body), allow_pickle=False).tolist() == labels
    with_charset = invoke(server.port, PAYLOAD_CSV.read_bytes(), "text/csv; charset=utf-8")
    assert with_charset.status == 200 and lines(with_charset.body) == labels


# Every case of negotiation, codecs and errors is in tests/unit/serving/test_pipeline.py; over
# HTTP, one of each kind shows that the server carries them.
def test_accept_negotiation(server):
    reply = invoke(server.port, b"5.1,3.5,1.4,0.2\n",
                   accept="image/png;q=1, application/*;q=0.8")
    assert reply.status == 200
    assert reply.headers["content-type"].split(";")[0] == "application/json"


@pytest.mark.parametrize("body, content_type, accept, status, message", [
    (b"1,2,3,4\n", "image/png", None, 415, "unsupported Content-Type 'image/png'"),
    (b"1,2,3,4\n", "text/csv", "image/png", 406, "text/csv"),
    (npy_bytes(np.array([{"a": 1}], dtype=object), allow_pickle=True), "application/x-npy", None,
     400, "pickle"),
    (b"", "text/csv", None, 400, "empty body"),
    (b"999,1,1,1\n", "text/csv", None, 500, "predict_fn raised ValueError: feature 0 is 999"),
])
def test_errors_give_their_code_and_a_one_line_message_then_service_goes_on(
        faulty_server, body, content_type, accept, status, message, expected):
    reply = invoke(faulty_server.port, body, content_type, accept)
    assert reply.status == status, reply.body
    assert reply.headers["content-type"].startswith("application/json")
    assert b"\n" not in reply.body.strip()
    assert message.lower() in reply.json()["error"].lower()
    after = invoke(faulty_server.port, PAYLOAD_CSV.read_bytes())
    assert after.status == 200 and lines(after.body) == expected[1]


@pytest.fixture(scope="module")
def faulty_server(trained):
    with serving(PROGRAMS / "faulty_predictor.py", trained,
                 {"SAGEMAKER_MAX_PAYLOAD_IN_MB": "1"}) as serve:
        yield serve


def test_body_over_the_payload_limit_is_413(faulty_server, expected):
    row = b"5.1,3.5,1.4,0.2\n"
    reply = invoke(faulty_server.port, row * (3 * 1024 * 1024 // 2 // len(row)))
    assert reply.status == 413
    assert "exceeds the limit of 1048576 bytes" in reply.json()["error"]
    huge = invoke(faulty_server.port, row * (3 * 1024 * 1024 // len(row)))
    assert huge.status == 413
    after = invoke(faulty_server.port, PAYLOAD_CSV.read_bytes())
    assert after.status == 200 and lines(after.body) == expected[1]


def test_first_invocation_after_first_ping_succeeds_on_every_start(trained, expected):
    for _ in range(3):
        with serving(EXAMPLE_PROGRAM, trained) as serve:
            reply = invoke(serve.port, PAYLOAD_CSV.read_bytes())
            assert reply.status == 200 and lines(reply.body) == expected[1]


def test_model_that_fails_to_load_exits_non_zero_and_never_pings_ok(trained):
    serve = start_serve(PROGRAMS / "unloadable_model.py", trained,
                        {"SAGEMAKER_STARTUP_TIMEOUT": "60"})
    started = time.monotonic()
    try:
        while serve.process.poll() is None:
            assert ping(serve.port) != 200
            assert time.monotonic() - started < 60, "byoc serve did not give up"
            time.sleep(0.05)
        assert serve.process.returncode == 1
        assert "weights are corrupt" in serve.log
        assert "Traceback" in serve.log
    finally:
        if serve.process.poll() is None:
            serve.kill()


def test_sigterm_stops_everything_within_30_seconds(trained):
    serve = start_serve(EXAMPLE_PROGRAM, trained)
    serve.wait_ready()
    assert len(serve.descendants) >= 3  # the JVM, the model's worker and its forks
    assert serve.stop() < 30
    assert serve.process.returncode == 0
    assert serve.leftovers() == []


def test_batch_transform_gives_one_line_per_record(trained, expected):
    batch = {"SAGEMAKER_BATCH": "true", "SAGEMAKER_MAX_PAYLOAD_IN_MB": "20"}
    with serving(PROGRAMS / "faulty_predictor.py", trained, batch) as serve:
        body = PAYLOAD_CSV.read_bytes() * 200
        reply = invoke(serve.port, body)
        assert reply.status == 200
        assert lines(reply.body) == expected[1] * 200
        rows = "".join(json.dumps(r) + "\n" for r in expected[0].tolist()).encode()
        reply = invoke(serve.port, rows, "application/jsonlines")
        assert reply.status == 200
        assert [json.loads(x) for x in lines(reply.body)] == expected[1]
        short = invoke(serve.port, b"888,1,1,1\n" + PAYLOAD_CSV.read_bytes())
        assert short.status == 500
        assert short.json()["error"] == ("predict_fn returned 29 records for 30 input records; "
                                         "batch transform needs one output line per input line")


def train_variant(root, max_leaf_nodes: int, target):
    work = root.parent / f"work-{max_leaf_nodes}"
    shutil.copytree(EXAMPLE_TEST_DIR, work)
    (work / "input/config/hyperparameters.json").write_text(
        json.dumps({"max_leaf_nodes": str(max_leaf_nodes)}))
    assert run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=work).returncode == 0
    shutil.copytree(work / "model", target)


def wait_unregistered(port: int, name: str) -> None:
    """A model that failed to load is unregistered by ``byoc serve`` right after the reply."""
    deadline = time.monotonic() + 10
    while request(port, "GET", f"/models/{name}").status != 404:
        assert time.monotonic() < deadline, f"failed model {name} stayed registered"
        time.sleep(0.05)


def test_multi_model_endpoint(tmp_path):
    root = tmp_path / "opt_ml"
    models = root / "models"
    train_variant(root, 2, models / "small" / "model")
    train_variant(root, 8, models / "large" / "model")
    features = np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2)
    want = {name: [str(x) for x in joblib.load(models / name / "model/model.joblib")
                   .predict(features)] for name in ("small", "large")}
    assert want["small"] != want["large"]
    with serving(EXAMPLE_PROGRAM, root, {"SAGEMAKER_MULTI_MODEL": "true"}) as serve:
        for name in ("small", "large"):
            body = json.dumps({"model_name": name, "url": str(models / name / "model")})
            reply = request(serve.port, "POST", "/models", body.encode(),
                            {"Content-Type": "application/json"})
            assert reply.status == 200, reply.body
        again = request(serve.port, "POST", "/models", json.dumps(
            {"model_name": "small", "url": str(models / "small" / "model")}).encode(),
            {"Content-Type": "application/json"})
        assert again.status == 409
        for name in ("small", "large"):
            reply = invoke(serve.port, PAYLOAD_CSV.read_bytes(), path=f"/models/{name}/invoke")
            assert reply.status == 200 and lines(reply.body) == want[name]
        listed = request(serve.port, "GET", "/models").json()
        assert sorted(m["modelName"] for m in listed["models"]) == ["large", "small"]
        assert request(serve.port, "GET", "/models/small").status == 200
        assert request(serve.port, "DELETE", "/models/small").status == 200
        assert request(serve.port, "GET", "/models/small").status == 404
        gone = invoke(serve.port, PAYLOAD_CSV.read_bytes(), path="/models/small/invoke")
        assert gone.status == 404
        for url in (f"{models}/../../etc", "/etc", str(tmp_path)):
            refused = request(serve.port, "POST", "/models", json.dumps(
                {"model_name": "evil", "url": url}).encode(),
                {"Content-Type": "application/json"})
            assert 400 <= refused.status < 600 and refused.status != 200, url
        wait_unregistered(serve.port, "evil")
        still = invoke(serve.port, PAYLOAD_CSV.read_bytes(), path="/models/large/invoke")
        assert still.status == 200 and lines(still.body) == want["large"]


def test_byoc_serve_killed_outright_takes_its_processes_with_it(trained):
    serve = start_serve(EXAMPLE_PROGRAM, trained)
    serve.wait_ready()
    serve.process.kill()
    serve.process.wait(10)
    deadline = time.monotonic() + 20
    while serve.leftovers():
        assert time.monotonic() < deadline, serve.leftovers()
        time.sleep(0.1)


def test_timeout_is_in_seconds_and_keeps_the_worker(trained, expected):
    limit = {"SAGEMAKER_MODEL_SERVER_TIMEOUT": "1", "SAGEMAKER_MODEL_SERVER_WORKERS": "1"}
    with serving(PROGRAMS / "slow_predictor.py", trained, limit) as serve:
        assert invoke(serve.port, b"-0.3,3.5,1.4,0.2\n").status == 200
        workers = serve.worker_pids()
        started = time.monotonic()
        slow = invoke(serve.port, b"-5,3.5,1.4,0.2\n")
        assert slow.status == 504 and time.monotonic() - started < 3
        assert slow.json()["error"] == (
            "the request took longer than 1 s (SAGEMAKER_MODEL_SERVER_TIMEOUT)")
        after = invoke(serve.port, PAYLOAD_CSV.read_bytes())
        assert after.status == 200 and lines(after.body) == expected[1]
        assert serve.worker_pids() == workers  # the same worker answered: none was restarted


def test_custom_codecs_and_default_accept(trained, expected):
    labels = expected[1]
    env = {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "application/json"}
    with serving(PROGRAMS / "custom_codecs.py", trained, env) as serve:
        plain = "".join(" ".join(map(str, row)) + "\n" for row in expected[0].tolist())
        counted = invoke(serve.port, plain.encode(), "text/plain",
                         "application/x-species-count")
        assert counted.status == 200
        assert counted.json() == {name: labels.count(name) for name in set(labels)}
        default = invoke(serve.port, PAYLOAD_CSV.read_bytes())
        assert default.headers["content-type"].startswith("application/json")
        assert default.json() == labels


def test_management_api_is_not_on_the_serving_port(server):
    assert request(server.port, "GET", "/models").status == 404
    registered = request(server.port, "POST", "/models", b'{"model_name": "x", "url": "/"}',
                         {"Content-Type": "application/json"})
    assert registered.status in (404, 405)
