"""The request contract over HTTP through multi-model-server: SageMaker's headers reach the
request context and its response headers reach the caller, HTTPError's status comes back, a
CSV header row is read; on a multi-model endpoint the context names the target model. Every
other case runs in-process in tests/unit/serving."""

from __future__ import annotations

import http.client
import json
import shutil

import numpy as np
import pytest
from support.paths import PAYLOAD_CSV, PROGRAMS
from support.serving import invoke, request, serving

pytestmark = pytest.mark.java

PROGRAM = PROGRAMS / "request_contract.py"
ROW = b"5.1,3.5,1.4,0.2\n"


@pytest.fixture(scope="module")
def server(trained):
    with serving(PROGRAM, trained) as serve:
        yield serve


def sagemaker_headers(**extra: str) -> dict[str, str]:
    return {"Content-Type": "text/csv", "Accept": "application/x-context",
            "X-Amzn-SageMaker-Custom-Attributes": "trace=abc,tenant=7",
            "X-Amzn-SageMaker-Inference-Id": "inference-42",
            "X-Amzn-SageMaker-Target-Variant": "blue", **extra}


def test_custom_attributes_round_trip(server):
    reply = request(server.port, "POST", "/invocations", ROW, sagemaker_headers(
        Accept="text/csv"))
    assert reply.status == 200 and reply.body == b"setosa\n"
    assert reply.headers["x-amzn-sagemaker-custom-attributes"] == "seen=trace=abc,tenant=7"
    assert reply.headers["x-inference-id"] == "inference-42"


def test_the_context_sees_every_header_the_front_end_passes(server):
    reply = request(server.port, "POST", "/invocations", ROW, sagemaker_headers(
        **{"user-agent": "contract-test", "Content-Type": "text/csv; charset=utf-8"}))
    assert reply.status == 200, reply.body
    assert reply.json() == {
        "predictions": ["setosa"], "custom_attributes": "trace=abc,tenant=7",
        "inference_id": "inference-42", "target_model": None, "target_variant": "blue",
        "content_type": "text/csv; charset=utf-8", "accept": "application/x-context",
        "user_agent": "contract-test"}


def test_http_error_gives_its_status_and_the_next_request_is_served(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("POST", "/invocations", b"422,1,1,1\n", {"Content-Type": "text/csv"})
    answer = connection.getresponse()
    assert (answer.status, answer.reason) == (422, "Unprocessable Entity")
    connection.close()
    refused = invoke(server.port, b"422,1,1,1\n")
    assert refused.status == 422
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.body == b'{"error": "feature 0 is 422, which this model refuses"}'
    assert invoke(server.port, ROW).status == 200


def test_a_header_value_that_would_split_the_response_is_a_500(server):
    reply = invoke(server.port, b"13,1,1,1\n")
    assert reply.status == 500
    assert "set-cookie" not in reply.headers and "x-injected" not in reply.headers
    assert "is not a valid value" in reply.json()["error"]


def test_a_csv_header_row_when_the_content_type_says_so(server):
    body = b"sepal_length,sepal_width,petal_length,petal_width\n" + PAYLOAD_CSV.read_bytes()
    reply = invoke(server.port, body, "text/csv; header=present")
    assert reply.status == 200 and len(reply.body.splitlines()) == 29
    refused = invoke(server.port, body)
    assert refused.status == 400
    assert refused.json()["error"] == (
        "row 1, field 1: 'sepal_length' is not a number (a header row? send Content-Type: "
        "text/csv; header=present)")


def test_multi_model_context_names_the_target_model(tmp_path, trained):
    root = tmp_path / "opt_ml"
    shutil.copytree(trained / "model", root / "models" / "iris" / "model")
    with serving(PROGRAM, root, {"SAGEMAKER_MULTI_MODEL": "true"}) as serve:
        loaded = request(serve.port, "POST", "/models", json.dumps(
            {"model_name": "iris", "url": str(root / "models" / "iris" / "model")}).encode(),
            {"Content-Type": "application/json"})
        assert loaded.status == 200, loaded.body
        reply = request(serve.port, "POST", "/models/iris/invoke", ROW, sagemaker_headers(
            **{"X-Amzn-SageMaker-Target-Model": "prefix/iris.tar.gz"}))
        assert reply.status == 200, reply.body
        assert reply.json()["target_model"] == "prefix/iris.tar.gz"
        assert np.array_equal(reply.json()["predictions"], ["setosa"])
