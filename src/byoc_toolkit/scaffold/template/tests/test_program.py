"""Tests of program.py with byoc-toolkit's testing kit; run them with `pytest`."""

import shutil
from pathlib import Path

import pytest

from byoc_toolkit.testing import TrainingResult, run_training

PROJECT = Path(__file__).resolve().parents[1]
PROGRAM = PROJECT / "program.py"
TRAINING_DATA = PROJECT / "local_test" / "test_dir" / "input" / "data" / "training"
PAYLOAD = (PROJECT / "local_test" / "payload.csv").read_bytes()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainingResult:
    result = run_training(PROGRAM, hyperparameters={"regularization": 0.5},
                          channels={"training": TRAINING_DATA},
                          root=tmp_path_factory.mktemp("opt_ml"))
    assert result.succeeded, result.log
    return result


def test_training_saves_the_model_and_logs_its_accuracy(trained: TrainingResult) -> None:
    assert (trained.model_dir / "model.joblib").is_file()
    assert trained.metric_values("train:accuracy")[0] > 0.8


def test_an_invalid_hyperparameter_fails_with_the_reason(tmp_path: Path) -> None:
    result = run_training(PROGRAM, hyperparameters={"regularization": "strong"},
                          channels={"training": TRAINING_DATA}, root=tmp_path)
    assert result.exit_code == 2
    assert result.failure is not None
    assert result.failure.startswith("regularization: expected float, got 'strong'")


def test_predicts_a_label_per_row(byoc_endpoint, trained: TrainingResult) -> None:
    endpoint = byoc_endpoint(PROGRAM, trained.model_dir)
    response = endpoint.invoke(PAYLOAD, content_type="text/csv", accept="application/json")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert len(response.json()) == PAYLOAD.count(b"\n")


def test_a_malformed_request_gets_a_400_that_says_why(byoc_endpoint,
                                                        trained: TrainingResult) -> None:
    endpoint = byoc_endpoint(PROGRAM, trained.model_dir)
    response = endpoint.invoke(b"1.0,2.0,oops,4.0\n", content_type="text/csv")
    assert response.status == 400
    assert "not a number" in response.json()["error"]


@pytest.mark.skipif(shutil.which("java") is None,
                    reason="byoc serve needs a Java runtime (multi-model-server)")
def test_the_real_server_answers_the_same(byoc_endpoint, trained: TrainingResult) -> None:
    endpoint = byoc_endpoint(PROGRAM, trained.model_dir, local=True)
    response = endpoint.invoke(PAYLOAD, content_type="text/csv")
    assert response.status == 200
    assert response.text.count("\n") == PAYLOAD.count(b"\n")
