"""The serving pipeline in-process (setup, decode, predict, encode; no JVM): statuses, error
messages, negotiation, batch record counts and custom codecs, each in milliseconds."""

from __future__ import annotations

import io
import json
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier
from support.paths import PAYLOAD_CSV, PROGRAMS

from byoc_toolkit.program import load_program
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


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


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
    (npy_bytes(np.array([{"a": 1}], dtype=object)), "application/x-npy", None, 400, "pickle"),
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
