"""The serving pipeline in-process (setup, decode, predict, encode; no JVM): statuses, error
messages, negotiation, batch record counts and custom codecs, each in milliseconds."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier
from support.apps import app_of
from support.bodies import npy_bytes
from support.paths import PAYLOAD_CSV, PROGRAMS
from support.poison import Poison, poison_bodies

from byoc_toolkit.program import load_program
from byoc_toolkit.serving.context import ResponseHeaders
from byoc_toolkit.serving.errors import ModelError
from byoc_toolkit.serving.inference import InferenceApp
from byoc_toolkit.serving.messages import Headers, InferenceRequest, InferenceResponse
from byoc_toolkit.serving.settings import ServingSettings

FEATURES = np.loadtxt(PAYLOAD_CSV, delimiter=",", ndmin=2)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A decision tree that tells the payload's rows apart, saved as byoc train saves it."""
    directory = tmp_path_factory.mktemp("model")
    labels = np.array(["setosa", "versicolor", "virginica"])[np.arange(len(FEATURES)) % 3]
    joblib.dump(DecisionTreeClassifier(random_state=0).fit(FEATURES, labels),
                directory / "model.joblib")
    return directory


@pytest.fixture(scope="module")
def labels(model_dir: Path) -> list[str]:
    return [str(label) for label in joblib.load(model_dir / "model.joblib").predict(FEATURES)]


def app_for(program: str, model_dir: Path, **settings: object) -> InferenceApp:
    return InferenceApp.setup(load_program(str(PROGRAMS / program)), model_dir,
                              ServingSettings(**settings))  # type: ignore[arg-type]


#: predict_fn's data annotations, by the name the tests give them.
ANNOTATIONS = {"none": None, "ndarray": np.ndarray, "DataFrame": pd.DataFrame, "list": list,
               "dict": dict, "bytes": bytes}


@pytest.fixture(scope="module")
def echo_apps(model_dir: Path) -> dict[str, InferenceApp]:
    return {name: app_of(lambda model, data: data, annotation, model_dir)
            for name, annotation in ANNOTATIONS.items()}


@pytest.fixture(scope="module")
def faulty(model_dir: Path) -> InferenceApp:
    return app_for("faulty_predictor.py", model_dir, max_payload_bytes=1024 * 1024)


def post(app: InferenceApp, body: bytes, content_type: str | None = "text/csv",
         accept: str | None = None, **headers: str) -> InferenceResponse:
    sent = Headers(headers)
    if content_type is not None:
        sent["Content-Type"] = content_type
    if accept is not None:
        sent["Accept"] = accept
    return app.handle(InferenceRequest(body, sent))


def test_csv_payload_gives_one_prediction_a_line(faulty: InferenceApp, labels: list[str]):
    response = post(faulty, PAYLOAD_CSV.read_bytes())
    assert (response.status, response.content_type) == (200, "text/csv")
    assert response.body.decode().splitlines() == labels


@pytest.mark.parametrize("body, content_type, accept, status, message", [
    (b"1,2,3,4\n", None, None, 415, "Content-Type header is missing"),
    (b"1,2,3,4\n", "image/png", None, 415, "unsupported Content-Type 'image/png'"),
    (b"1,2,3,4\n", "text/csv", "image/png", 406, "text/csv"),
    (b"a,b,c,d\n", "text/csv", None, 400, "row 1, field 1: 'a' is not a number"),
    (b"1,2,3,4\n1,2\n", "text/csv", None, 400, "row 2 has 2 fields, expected 4"),
    (b"[[1, 2, 3, 4]", "application/json", None, 400, "invalid JSON"),
    (b"not an array", "application/x-npy", None, 400, "npy"),
    (npy_bytes(np.array([{"a": 1}], dtype=object), allow_pickle=True), "application/x-npy", None,
     400, "pickle"),
    (b"", "text/csv", None, 400, "empty body"),
    (b"1,2\n" * 300_000, "text/csv", None, 413, "exceeds the limit of 1048576 bytes"),
    (b"999,1,1,1\n", "text/csv", None, 500, "predict_fn raised ValueError: feature 0 is 999"),
])
def test_errors_give_their_status_and_a_one_line_json_message(
        faulty: InferenceApp, labels: list[str], body: bytes, content_type: str | None,
        accept: str | None, status: int, message: str):
    response = post(faulty, body, content_type, accept)
    assert (response.status, response.content_type) == (status, "application/json")
    assert b"\n" not in response.body.strip()
    assert message.lower() in json.loads(response.body)["error"].lower()
    assert post(faulty, PAYLOAD_CSV.read_bytes()).body.decode().splitlines() == labels


def test_header_names_are_case_insensitive(faulty: InferenceApp, labels: list[str]):
    response = faulty.handle(InferenceRequest(PAYLOAD_CSV.read_bytes(), Headers(
        {"content-TYPE": "text/csv", "ACCEPT": "application/json"})))
    assert response.status == 200 and json.loads(response.body) == labels


@pytest.mark.parametrize("accept, content_type", [
    ("application/json;q=0.5, text/csv", "text/csv"),
    ("application/jsonlines, application/json;q=0.9", "application/jsonlines"),
    ("*/*", "text/csv"),
    ("image/png;q=1, application/*;q=0.8", "application/json"),
])
def test_accept_negotiation(faulty: InferenceApp, accept: str, content_type: str):
    response = post(faulty, b"5.1,3.5,1.4,0.2\n", accept=accept)
    assert (response.status, response.content_type) == (200, content_type)


def test_every_request_type_gives_the_same_classes(faulty: InferenceApp, labels: list[str]):
    rows = FEATURES.tolist()
    as_json = post(faulty, json.dumps(rows).encode(), "application/json", "application/json")
    assert json.loads(as_json.body) == labels
    as_lines = post(faulty, "".join(json.dumps(r) + "\n" for r in rows).encode(),
                    "application/jsonlines", "application/jsonlines")
    assert [json.loads(line) for line in as_lines.body.splitlines()] == labels
    as_npy = post(faulty, npy_bytes(FEATURES), "application/x-npy", "application/x-npy")
    assert np.load(io.BytesIO(as_npy.body), allow_pickle=False).tolist() == labels


def test_batch_gives_one_line_per_record_or_a_500_that_says_why(model_dir: Path,
                                                                 labels: list[str]):
    batch = app_for("faulty_predictor.py", model_dir, batch=True)
    assert post(batch, PAYLOAD_CSV.read_bytes() * 3).body.decode().splitlines() == labels * 3
    short = post(batch, b"888,1,1,1\n" + PAYLOAD_CSV.read_bytes())
    assert short.status == 500
    assert json.loads(short.body)["error"] == (
        "predict_fn returned 29 records for 30 input records; batch transform needs one "
        "output line per input line")


def test_custom_codecs_and_the_default_accept(model_dir: Path, labels: list[str]):
    app = app_for("custom_codecs.py", model_dir, default_accept="application/json")
    plain = "".join(" ".join(map(str, row)) + "\n" for row in FEATURES.tolist()).encode()
    counted = post(app, plain, "text/plain", "application/x-species-count")
    assert json.loads(counted.body) == {name: labels.count(name) for name in set(labels)}
    shouted = post(app, PAYLOAD_CSV.read_bytes(), accept="text/csv")
    assert shouted.body.decode().splitlines() == [label.upper() for label in labels]
    for accept in (None, "*/*"):
        default = post(app, PAYLOAD_CSV.read_bytes(), accept=accept)
        assert default.content_type == "application/json"
        assert json.loads(default.body) == labels
    refused = post(app, b"1 2", "text/markdown")
    assert refused.status == 415 and "text/plain" in json.loads(refused.body)["error"]


def test_model_predict_is_the_default(model_dir: Path, labels: list[str]):
    app = app_for("model_predict_only.py", model_dir)
    assert post(app, PAYLOAD_CSV.read_bytes()).body.decode().splitlines() == labels


def test_headers_keep_their_first_spelling_and_compare_without_case():
    headers = Headers([("Content-Type", "text/csv")])
    headers["content-type"] = "application/json"
    assert dict(headers) == {"Content-Type": "application/json"}
    assert headers["CONTENT-TYPE"] == "application/json" and "content-type" in headers


def test_inference_id_is_the_callers_or_one_made_up_per_request():
    sent = InferenceRequest(b"", Headers({"x-amzn-sagemaker-inference-id": "abc-1"}))
    assert sent.inference_id == "abc-1"
    made_up = InferenceRequest(b"")
    assert made_up.inference_id == made_up.inference_id != InferenceRequest(b"").inference_id


# The request context (issue 10): what predict_fn, decoders and encoders see, what they add.
@pytest.fixture(scope="module")
def contract(model_dir: Path) -> InferenceApp:
    return app_for("request_contract.py", model_dir)


def test_custom_attributes_round_trip(contract: InferenceApp, labels: list[str]):
    response = post(contract, PAYLOAD_CSV.read_bytes(), **{
        "X-Amzn-SageMaker-Custom-Attributes": "trace=abc,tenant=7",
        "X-Amzn-SageMaker-Inference-Id": "inference-1",
        "X-Amzn-SageMaker-Target-Model": "models/a.tar.gz"})
    assert response.status == 200 and response.body.decode().splitlines() == labels
    assert response.headers["x-amzn-sagemaker-custom-attributes"] == "seen=trace=abc,tenant=7"
    assert response.headers["X-Inference-Id"] == "inference-1"
    assert response.headers["X-Target-Model"] == "models/a.tar.gz"
    bare = post(contract, PAYLOAD_CSV.read_bytes())
    assert bare.headers["X-Amzn-SageMaker-Custom-Attributes"] == "seen=None"
    assert bare.headers["X-Target-Model"] == "none"
    assert len(bare.headers["X-Inference-Id"]) == 32  # made up for the request


@pytest.mark.parametrize("spelling", ["x-amzn-sagemaker-custom-attributes",
                                      "X-AMZN-SAGEMAKER-CUSTOM-ATTRIBUTES"])
def test_the_context_reads_headers_in_any_spelling(contract: InferenceApp, spelling: str):
    response = contract.handle(InferenceRequest(b"5.1,3.5,1.4,0.2", Headers({
        "content-type": "text/csv; charset=utf-8", "accept": "application/x-context",
        spelling: "a=1", "x-amzn-sagemaker-target-variant": "blue",
        "User-Agent": "tests"})))
    assert response.status == 200, response.body
    assert json.loads(response.body) == {
        "predictions": ["setosa"], "custom_attributes": "a=1",
        "inference_id": response.headers["X-Inference-Id"], "target_model": None,
        "target_variant": "blue", "content_type": "text/csv; charset=utf-8",
        "accept": "application/x-context", "user_agent": "tests"}


def test_decoders_may_take_the_context(contract: InferenceApp, labels: list[str]):
    plain = "".join(" ".join(map(str, row)) + "\n" for row in FEATURES.tolist()).encode()
    response = post(contract, plain, "text/x-context", "application/json")
    assert json.loads(response.body) == labels
    assert response.headers["X-Decoded-By"] == "read_rows"


def test_http_error_gives_its_status_logged_without_traceback(
        contract: InferenceApp, labels: list[str], caplog: pytest.LogCaptureFixture):
    with caplog.at_level("WARNING"):
        response = post(contract, b"422,1,1,1\n")
    assert (response.status, response.content_type) == (422, "application/json")
    assert response.body == b'{"error": "feature 0 is 422, which this model refuses"}'
    (record,) = caplog.records
    assert record.levelname == "WARNING" and record.exc_info is None
    assert record.getMessage() == ("predict_fn answered 422: feature 0 is 422, which this model "
                                   "refuses")
    assert post(contract, PAYLOAD_CSV.read_bytes()).body.decode().splitlines() == labels


@pytest.mark.parametrize("first, status, message", [
    (302, 500, "predict_fn raised ValueError: HTTPError status must be an int from 400 to 599, "
               "got 302"),
    (1025, 500, "X-Amzn-SageMaker-Custom-Attributes: 1025 characters, more than the 1024 "
                "SageMaker allows"),
    (13, 500, "response header X-Injected: 'ok\\r\\nSet-Cookie: stolen=1' is not a valid value; "
              "use visible US-ASCII characters, spaces and tabs"),
    (507, 507, "out of memory handling this request (a body of 10 bytes)"),
])
def test_what_the_handler_gets_wrong_is_a_status_with_one_line(
        contract: InferenceApp, labels: list[str], first: int, status: int, message: str):
    response = post(contract, f"{first},1,1,1\n".encode())
    assert response.status == status and json.loads(response.body) == {"error": message}
    assert "X-Injected" not in response.headers
    assert post(contract, PAYLOAD_CSV.read_bytes()).body.decode().splitlines() == labels


def test_response_headers_are_checked_as_they_are_set():
    headers = ResponseHeaders()
    headers["X-Model-Version"] = "3 (blue)"
    headers["X-Amzn-SageMaker-Custom-Attributes"] = "x" * 1024
    for name, value in [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked"),
                        ("X Space", "v"), ("X-Unicode", "é"), ("X-Newline", "a\nb"),
                        ("X-Amzn-SageMaker-Custom-Attributes", "x" * 1025)]:
        with pytest.raises(ModelError):
            headers[name] = value
    assert dict(headers) == {"X-Model-Version": "3 (blue)",
                             "X-Amzn-SageMaker-Custom-Attributes": "x" * 1024}


# Issue 11: no body, however malformed, gets anything but a 4xx with a one-line JSON error.
@pytest.mark.parametrize("poison", poison_bodies(), ids=lambda poison: poison.name)
def test_poison_bodies_get_a_4xx_in_milliseconds(
        poison: Poison, echo_apps: dict[str, InferenceApp], faulty: InferenceApp,
        labels: list[str]):
    decoding = [app for name, app in echo_apps.items() if name != "bytes"]  # bytes: not decoded
    for app in [faulty, *decoding]:
        started = time.perf_counter()
        response = post(app, poison.body, poison.content_type, "application/json")
        assert time.perf_counter() - started < 1
        assert 400 <= response.status < 500 and response.status == poison.status, response.body
        assert b"\n" not in response.body and set(json.loads(response.body)) == {"error"}
    assert post(faulty, PAYLOAD_CSV.read_bytes()).body.decode().splitlines() == labels
