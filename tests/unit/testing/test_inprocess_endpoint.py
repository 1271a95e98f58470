"""byoc_toolkit.testing.InProcessEndpoint: the serving pipeline in-process, as the server
answers, whatever the spelling of the headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.paths import EXAMPLE_PROGRAM, PAYLOAD_CSV, PROGRAMS

from byoc_toolkit.model_artifacts import pack_model
from byoc_toolkit.testing import EndpointError, InProcessEndpoint, TrainingResult

PAYLOAD = PAYLOAD_CSV.read_bytes()
ROWS = PAYLOAD.count(b"\n")


@pytest.fixture
def endpoint(trained_example: TrainingResult):
    with InProcessEndpoint(EXAMPLE_PROGRAM, trained_example.model_dir) as opened:
        yield opened


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/csv", "Accept": "application/json"},
    {"content-type": "text/csv", "accept": "application/json"},
    {"CONTENT-TYPE": "text/csv", "aCcEpT": "application/json"},
])
def test_header_names_in_any_case(endpoint: InProcessEndpoint, headers: dict) -> None:
    response = endpoint.invoke(PAYLOAD, headers=headers)

    assert response.status == 200, response.text
    assert response.headers["content-type"] == response.headers["Content-Type"] \
        == "application/json"
    assert len(response.json()) == ROWS


def test_content_type_and_accept_arguments_replace_the_headers(
        endpoint: InProcessEndpoint) -> None:
    response = endpoint.invoke(PAYLOAD.decode(), content_type="text/csv", accept="text/csv",
                               headers={"content-type": "application/json",
                                        "ACCEPT": "application/json"})

    assert response.status == 200
    assert response.content_type == "text/csv"
    assert response.text.splitlines()[0] == "setosa"
    assert len(response.text.splitlines()) == ROWS


@pytest.mark.parametrize("body, headers, status, message", [
    (PAYLOAD, {}, 415, "Content-Type header is missing"),
    (PAYLOAD, {"Content-Type": "image/png"}, 415, "unsupported Content-Type 'image/png'"),
    (PAYLOAD, {"Content-Type": "text/csv", "Accept": "image/png"}, 406, "image/png"),
    (b"1,2,3,4\n5,6\n", {"content-type": "text/csv"}, 400, "row 2 has 2 fields, expected 4"),
    (b"1,2\n", {"content-type": "text/csv"}, 500, "predict_fn raised ValueError"),
])
def test_errors_are_the_servers(endpoint: InProcessEndpoint, body: bytes, headers: dict,
                                status: int, message: str) -> None:
    response = endpoint.invoke(body, headers=headers)

    assert response.status == status
    assert response.headers["CONTENT-TYPE"] == "application/json"
    assert message in response.json()["error"]


def test_user_code_errors_and_the_next_request(trained_example: TrainingResult) -> None:
    with InProcessEndpoint(PROGRAMS / "faulty_predictor.py", trained_example.model_dir) as endpoint:
        failed = endpoint.invoke(b"999,1,1,1\n", content_type="text/csv")
        served = endpoint.invoke(PAYLOAD, content_type="text/csv")

    assert failed.status == 500
    assert failed.json() == {"error": "predict_fn raised ValueError: feature 0 is 999, "
                                      "which this model refuses"}
    assert served.status == 200


def test_a_model_archive_and_the_endpoint_environment(trained_example: TrainingResult,
                                                      tmp_path: Path) -> None:
    archive = pack_model(trained_example.model_dir, tmp_path / "model.tar.gz")
    settings = {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "application/jsonlines"}
    with InProcessEndpoint(EXAMPLE_PROGRAM, archive, env=settings) as endpoint:
        response = endpoint.invoke(PAYLOAD, content_type="text/csv")

    assert response.status == 200
    assert response.content_type == "application/jsonlines"
    assert response.text.splitlines()[0] == '"setosa"'


def test_a_model_that_fails_to_load_raises_on_open(trained_example: TrainingResult) -> None:
    endpoint = InProcessEndpoint(PROGRAMS / "unloadable_model.py", trained_example.model_dir)
    with pytest.raises(RuntimeError, match="cannot load the model from .*: weights are corrupt"):
        endpoint.open()


def test_requests_need_an_open_endpoint(trained_example: TrainingResult) -> None:
    endpoint = InProcessEndpoint(EXAMPLE_PROGRAM, trained_example.model_dir)

    with pytest.raises(EndpointError, match="not open"):
        endpoint.invoke(PAYLOAD, content_type="text/csv")
    with endpoint:
        assert endpoint.ping().status == 200
    with pytest.raises(EndpointError, match="not open"):
        endpoint.ping()


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/csv", "X-Amzn-SageMaker-Custom-Attributes": "trace=7",
     "X-Amzn-SageMaker-Inference-Id": "id-1"},
    {"content-type": "text/csv", "x-amzn-sagemaker-custom-attributes": "trace=7",
     "x-amzn-sagemaker-inference-id": "id-1"},
])
def test_the_request_context_in_process(trained_example: TrainingResult,
                                        headers: dict) -> None:
    with InProcessEndpoint(PROGRAMS / "request_contract.py",
                           trained_example.model_dir) as endpoint:
        response = endpoint.invoke(b"5.1,3.5,1.4,0.2\n", headers=headers,
                                   accept="application/x-context")
        refused = endpoint.invoke(b"422,1,1,1\n", content_type="text/csv")

    assert response.status == 200, response.text
    assert response.json()["custom_attributes"] == "trace=7"
    assert response.json()["inference_id"] == "id-1"
    assert response.headers["x-amzn-sagemaker-custom-attributes"] == "seen=trace=7"
    assert response.headers["X-INFERENCE-ID"] == "id-1"
    assert (refused.status, refused.json()) == (
        422, {"error": "feature 0 is 422, which this model refuses"})
