"""byoc_toolkit.testing.run_training: the @train_fn run in-process as byoc train runs it."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pandas as pd
import pytest
from support.paths import EXAMPLE_PROGRAM, EXAMPLE_TEST_DIR, PROGRAMS

from byoc_toolkit.errors import ExitCode
from byoc_toolkit.testing import MetricValue, TrainingTree, run_training
from byoc_toolkit.training.metrics import metric_definitions

IRIS_DIR = EXAMPLE_TEST_DIR / "input" / "data" / "training"
IRIS = pd.read_csv(IRIS_DIR / "iris.csv", header=None)


def test_trains_the_example_on_a_dataframe_channel(tmp_path: Path) -> None:
    result = run_training(EXAMPLE_PROGRAM, hyperparameters={"max_leaf_nodes": 3},
                          channels={"training": IRIS}, root=tmp_path)

    assert result.exit_code is ExitCode.OK and result.succeeded
    assert result.failure is None
    assert (result.model_dir / "model.joblib").is_file()
    assert result.model_dir == tmp_path / "model"
    assert result.metrics == (MetricValue("train:accuracy", pytest.approx(0.96), None),)
    assert "byoc: training finished" in result.log


def test_a_failing_training_reports_exit_1_the_failure_and_the_metrics_before_it(
        tmp_path: Path) -> None:
    result = run_training(PROGRAMS / "failing_training.py", channels={"training": IRIS},
                          root=tmp_path)

    assert result.exit_code is ExitCode.FAILED and not result.succeeded
    assert result.failure is not None
    assert result.failure.startswith("RuntimeError: loss diverged at step 3 on 150 rows\n")
    assert "Traceback" in result.failure
    assert [(m.step, m.value) for m in result.metrics] == [(1, 1.0), (2, 0.5),
                                                          (3, pytest.approx(1 / 3))]
    assert result.metric_values("train:loss")[-1] == pytest.approx(1 / 3)


def test_invalid_hyperparameters_exit_2_with_one_line_each(tmp_path: Path) -> None:
    result = run_training(EXAMPLE_PROGRAM, channels={"training": IRIS_DIR}, root=tmp_path,
                          hyperparameters={"max_leaf_nodes": "abc", "criterion": "foo"})

    assert result.exit_code is ExitCode.BAD_INPUT
    assert result.failure == ("max_leaf_nodes: expected int, got 'abc'\n"
                              "criterion: expected one of 'gini', 'entropy', 'log_loss', "
                              "got 'foo'\n")
    assert not any(result.model_dir.iterdir())


@pytest.mark.parametrize("typed, as_sagemaker_writes", [
    ({"epochs": 3, "rate": 0.5, "verbose": True, "layers": [4, 2], "kernel": "rbf",
      "options": {"a": 1}, "tags": ["x", "y"], "limit": None},
     {"epochs": "3", "rate": "0.5", "verbose": "True", "layers": "[4, 2]", "kernel": "rbf",
      "options": "{'a': 1}", "tags": "['x', 'y']", "limit": "None"}),
])
def test_typed_values_and_sagemakers_strings_train_alike(tmp_path: Path, typed: dict,
                                                         as_sagemaker_writes: dict) -> None:
    received = []
    for name, hyperparameters in (("typed", typed), ("strings", as_sagemaker_writes)):
        result = run_training(PROGRAMS / "typed_hyperparameters.py", root=tmp_path / name,
                              hyperparameters=hyperparameters)
        assert result.succeeded, result.log
        received.append((result.output_data_dir / "received.json").read_text())

    assert received[0] == received[1]
    assert '"layers": [4, 2]' in received[0] and '"limit": null' in received[0]


def test_channels_from_a_directory_files_and_contents(tmp_path: Path) -> None:
    half = tmp_path / "half.csv"
    IRIS.iloc[::2].to_csv(half, header=False, index=False)
    other = tmp_path / "other.csv"
    IRIS.iloc[1::2].to_csv(other, header=False, index=False)

    for channels in ({"training": IRIS_DIR}, {"training": [half, other]},
                     {"training": {"a.csv": half.read_text(), "b.csv": other.read_bytes()}}):
        result = run_training(EXAMPLE_PROGRAM, channels=channels, root=tmp_path / "job")
        assert result.succeeded, result.log
        assert result.metric_values("train:accuracy") == [1.0]


def test_an_existing_tree_runs_as_it_is_and_starts_without_the_last_failure(
        tmp_path: Path) -> None:
    tree = TrainingTree(tmp_path / "opt_ml")
    tree.write_hyperparameters({"max_leaf_nodes": "not a number"})
    tree.add_channel("training", IRIS)
    assert run_training(EXAMPLE_PROGRAM, root=tree.root).exit_code is ExitCode.BAD_INPUT

    tree.write_hyperparameters({"max_leaf_nodes": 2})
    result = run_training(EXAMPLE_PROGRAM, root=tree.root)

    assert result.succeeded, result.log
    assert result.failure is None
    assert result.metric_values("train:accuracy") == [pytest.approx(0.66, abs=0.01)]


def test_the_example_test_dir_runs_without_being_written_to(tmp_path: Path) -> None:
    result = run_training(EXAMPLE_PROGRAM, root=tmp_path,
                          channels={"training": IRIS_DIR},
                          hyperparameters={"max_leaf_nodes": 5})
    assert result.succeeded
    assert not (EXAMPLE_TEST_DIR / "model").exists()


def test_the_environment_and_sigterm_handler_are_restored(tmp_path: Path) -> None:
    environment = dict(os.environ)
    handler = signal.getsignal(signal.SIGTERM)

    result = run_training(PROGRAMS / "environment_dump.py", root=tmp_path,
                          env={"TRAINING_JOB_NAME": "job-7"}, channels={"training": IRIS})

    assert result.succeeded, result.log
    sm_env = json.loads((result.output_data_dir / "environment.json").read_text())["sm_env"]
    assert sm_env["SM_MODEL_DIR"] == str(tmp_path / "model")
    assert json.loads(sm_env["SM_TRAINING_ENV"])["job_name"] == "job-7"
    assert dict(os.environ) == environment
    assert signal.getsignal(signal.SIGTERM) is handler


def test_metrics_are_what_sagemakers_metric_definitions_capture(tmp_path: Path) -> None:
    import re

    result = run_training(PROGRAMS / "failing_training.py", channels={"training": IRIS},
                          root=tmp_path)

    (definition,) = metric_definitions("train:loss")
    captured = [float(v) for v in re.findall(definition["Regex"], result.log)]
    assert captured == result.metric_values("train:loss")


def test_a_channel_that_is_neither_file_nor_directory_is_one_clear_error(
        tmp_path: Path) -> None:
    with pytest.raises(Exception, match="training: .*missing.csv is neither a file nor a "
                                        "directory"):
        run_training(EXAMPLE_PROGRAM, channels={"training": [tmp_path / "missing.csv"]},
                     root=tmp_path)


def test_it_runs_from_the_main_thread_only(tmp_path: Path) -> None:
    import threading

    from byoc_toolkit.errors import InputError

    raised: list[BaseException] = []

    def train() -> None:
        try:
            run_training(EXAMPLE_PROGRAM, channels={"training": IRIS}, root=tmp_path)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            raised.append(exc)

    thread = threading.Thread(target=train)
    thread.start()
    thread.join()

    assert len(raised) == 1 and isinstance(raised[0], InputError)
    assert "runs from the main thread" in str(raised[0])
