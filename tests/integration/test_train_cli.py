"""``byoc train`` as SageMaker runs it: a subprocess against an /opt/ml tree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import joblib
import pandas as pd
import pytest
from support.commands import BYOC, failure_text, run_byoc
from support.paths import EXAMPLE_PROGRAM, PROGRAMS

TYPED = str(PROGRAMS / "typed_hyperparameters.py")
DUMP = str(PROGRAMS / "environment_dump.py")


def write_config(root: Path, name: str, content) -> None:
    path = root / "input" / "config" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))


def test_example_trains_a_model_that_predicts_its_training_labels(opt_ml):
    result = run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=opt_ml)
    assert result.returncode == 0, result.stderr
    assert not (opt_ml / "output" / "failure").exists()
    model = joblib.load(opt_ml / "model" / "model.joblib")
    data = pd.read_csv(opt_ml / "input/data/training/iris.csv", header=None)
    accuracy = (model.predict(data.iloc[:, 1:].to_numpy()) == data[0].to_numpy()).mean()
    assert accuracy >= 0.9
    assert model.get_params()["max_leaf_nodes"] == 5
    assert "#byoc-metric train:accuracy=" in result.stdout


def test_program_from_environment_variable(opt_ml):
    result = run_byoc("train", root=opt_ml, env={"BYOC_PROGRAM": str(EXAMPLE_PROGRAM)})
    assert result.returncode == 0, result.stderr
    assert (opt_ml / "model" / "model.joblib").is_file()


HYPERPARAMETERS = {
    "epochs": 3, "rate": 0.5, "verbose": True, "criterion": "entropy", "layers": [16, 8],
    "tags": ["a", "b"], "options": {"k": 1}, "kernel": "rbf", "name": "hello world",
    "limit": None,
}


def test_both_hyperparameter_encodings_give_equal_typed_values(tmp_path):
    received = {}
    encodings = {"str": str, "sdk-json": json.dumps}
    for label, encode in encodings.items():
        root = tmp_path / label
        write_config(root, "hyperparameters.json",
                     {k: encode(v) for k, v in HYPERPARAMETERS.items()})
        result = run_byoc("train", "--program", TYPED, root=root)
        assert result.returncode == 0, result.stderr
        received[label] = json.loads((root / "output/data/received.json").read_text())
    assert received["str"] == received["sdk-json"]
    assert received["str"]["values"] == HYPERPARAMETERS
    assert received["str"]["types"] == {
        "epochs": "int", "rate": "float", "verbose": "bool", "criterion": "str",
        "layers": "list", "tags": "list", "options": "dict", "kernel": "str", "name": "str",
        "limit": "NoneType"}


def test_defaults_apply_and_sagemaker_names_are_accepted(tmp_path):
    write_config(tmp_path, "hyperparameters.json", {
        "epochs": "2", "sagemaker_program": '"train.py"', "sagemaker_region": '"us-east-1"',
        "sagemaker_container_log_level": "20", "_tuning_objective_metric": "loss"})
    result = run_byoc("train", "--program", TYPED, root=tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads((tmp_path / "output/data/received.json").read_text())["values"]
    assert values == {**HYPERPARAMETERS, "epochs": 2, "rate": 0.1, "verbose": False,
                      "criterion": "gini", "layers": [8], "tags": None, "options": {},
                      "kernel": "linear", "name": "x", "limit": 7}


@pytest.mark.parametrize("hyperparameters, first_line", [
    ({}, "epochs: required hyperparameter is missing (expected int)"),
    ({"epochs": "abc"}, "epochs: expected int, got 'abc'"),
    ({"epochs": "1", "criterion": "foo"},
     "criterion: expected one of 'gini', 'entropy', got 'foo'"),
    ({"epochs": "1", "kernel": '"poly"'}, "kernel: expected one of 'linear', 'rbf', got 'poly'"),
    ({"epochs": "1", "layers": "[1, 'x']"}, "layers: item 1: expected int, got 'x'"),
    ({"epochs": "1", "verbose": "maybe"}, "verbose: expected bool (true or false), got 'maybe'"),
    ({"epochs": "1", "epoch": "2"}, "epoch: unknown hyperparameter (did you mean 'epochs'?)"),
])
def test_bad_hyperparameters_fail_before_training(tmp_path, hyperparameters, first_line):
    write_config(tmp_path, "hyperparameters.json", hyperparameters)
    result = run_byoc("train", "--program", TYPED, root=tmp_path)
    assert result.returncode == 2
    assert failure_text(tmp_path).splitlines()[0].startswith(first_line)
    assert not (tmp_path / "output/data/received.json").exists()


@pytest.mark.parametrize("hyperparameters, first_line", [
    ({"epochs": "9" * 5000}, "epochs: cannot be read as int: Exceeds the limit (4300 digits)"),
    ({"epochs": "1\x00"}, "epochs: expected int, got '1\\x00'"),
    ({"epochs": "\ud800"}, "epochs: expected int, got '\\ud800'"),
    ({"epochs": "1", "layers": "[" * 100_000 + "]" * 100_000}, "layers: expected a list, got"),
    ({"epochs": "1", "options": '{"a":' * 990 + "1" + "}" * 990},
     "options: expected a dict (a JSON object), got"),
    ({"epochs": "1", "limit": "1e999999"}, "limit: expected int, got '1e999999'"),
    ({"epochs": "1", "a=b\x00": "1"}, "a=b\x00: unknown hyperparameter"),
])
def test_a_value_that_cannot_be_converted_for_any_reason_is_exit_2_naming_it(
        tmp_path, hyperparameters, first_line):
    write_config(tmp_path, "hyperparameters.json", hyperparameters)
    result = run_byoc("train", "--program", TYPED, root=tmp_path)
    assert result.returncode == 2, result.stderr
    assert failure_text(tmp_path).splitlines()[0].startswith(first_line)


def test_values_no_environment_can_hold_are_not_exported_and_still_arrive(tmp_path):
    write_config(tmp_path, "hyperparameters.json", {"epochs": "1", "name": "a\x00b",
                                                    "criterion": '"\\ud800"'})
    result = run_byoc("train", "--program", TYPED, root=tmp_path)
    assert result.returncode == 2  # criterion is not one of its Literal's values, said so
    assert failure_text(tmp_path).splitlines()[0].startswith("criterion: expected one of")
    write_config(tmp_path, "hyperparameters.json", {"epochs": "1", "name": "a\x00b"})
    result = run_byoc("train", "--program", TYPED, root=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "byoc: warning: 'SM_HP_NAME' is not exported: embedded null byte" in result.stderr
    received = json.loads((tmp_path / "output/data/received.json").read_text())
    assert received["values"]["name"] == "a\x00b"


def test_reading_hyperparameters_is_linear_in_their_number(tmp_path):
    seconds = {}
    for count in (27_500, 110_000):
        root = tmp_path / str(count)
        write_config(root, "hyperparameters.json", {f"key_{i}": str(i) for i in range(count)})
        started = time.monotonic()
        result = run_byoc("train", "--program", str(PROGRAMS / "counted_hyperparameters.py"),
                          root=root)
        seconds[count] = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        received = json.loads((root / "output/data/received.json").read_text())
        assert received == {"count": count, "variables": 1000, "hps": count}
    assert "SM_HP_* variables are exported for the first 1000 of 110000" in result.stderr
    # Quadratic (setenv per variable) took 97 s for 110,000 here: 16 times 27,500's time;
    # linear is 4 times. 10 leaves room for a loaded machine (6.4 seen with 4 builds running).
    assert seconds[110_000] < 30 and seconds[110_000] < 10 * seconds[27_500], seconds


def test_example_with_non_integer_max_leaf_nodes(opt_ml):
    write_config(opt_ml, "hyperparameters.json", {"max_leaf_nodes": "abc"})
    result = run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=opt_ml)
    assert result.returncode == 2
    assert failure_text(opt_ml).splitlines()[0] == "max_leaf_nodes: expected int, got 'abc'"
    assert not (opt_ml / "model" / "model.joblib").exists()


def test_missing_channel(opt_ml):
    write_config(opt_ml, "inputdataconfig.json", {"validation": {"TrainingInputMode": "File"}})
    result = run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=opt_ml)
    assert result.returncode == 2
    assert failure_text(opt_ml).splitlines()[0] == (
        "training: required channel is missing (channels given: validation)")


def test_empty_channel(opt_ml):
    (opt_ml / "input/data/training/iris.csv").unlink()
    result = run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=opt_ml)
    assert result.returncode == 2
    assert failure_text(opt_ml).splitlines()[0].startswith("training: channel is empty")


@pytest.mark.parametrize("file, content, first_line", [
    ("hyperparameters.json", "{not json", "hyperparameters.json: not valid JSON"),
    ("resourceconfig.json", {"current_host": "algo-1"}, "resourceconfig.json: hosts: required"),
    ("resourceconfig.json", {"current_host": "algo-9", "hosts": ["algo-1"]},
     "resourceconfig.json: current_host: 'algo-9' is not one of hosts"),
    ("inputdataconfig.json", {"training": {"TrainingInputMode": "Stream"}},
     "inputdataconfig.json: training.TrainingInputMode: expected one of File, FastFile, Pipe"),
])
def test_malformed_config_file_names_file_and_field(opt_ml, file, content, first_line):
    write_config(opt_ml, file, content)
    result = run_byoc("train", "--program", str(EXAMPLE_PROGRAM), root=opt_ml)
    assert result.returncode == 2
    assert failure_text(opt_ml).startswith(first_line)


def test_exception_in_user_code_reaches_the_failure_file(tmp_path):
    program = tmp_path / "broken.py"
    program.write_text("from byoc_toolkit import train_fn\n\n@train_fn\ndef train():\n"
                       "    raise RuntimeError('the data is cursed')\n")
    result = run_byoc("train", "--program", str(program), root=tmp_path / "root")
    assert result.returncode == 1
    text = failure_text(tmp_path / "root")
    assert text.splitlines()[0] == "RuntimeError: the data is cursed"
    assert "Traceback (most recent call last)" in text and "broken.py" in text


def test_failure_file_written_by_user_code_is_kept(tmp_path):
    program = tmp_path / "own_failure.py"
    program.write_text(
        "from byoc_toolkit import TrainingEnv, train_fn\n\n@train_fn\n"
        "def train(env: TrainingEnv):\n"
        "    env.failure_file.parent.mkdir(parents=True, exist_ok=True)\n"
        "    env.failure_file.write_text('my own reason')\n"
        "    raise ValueError('x')\n")
    result = run_byoc("train", "--program", str(program), root=tmp_path / "root")
    assert result.returncode == 1
    assert failure_text(tmp_path / "root") == "my own reason"
    assert "ValueError: x" in result.stderr


def test_long_reason_fits_the_first_1024_characters(tmp_path):
    program = tmp_path / "verbose.py"
    program.write_text("from byoc_toolkit import train_fn\n\n@train_fn\ndef train():\n"
                       "    raise ValueError('x' * 5000)\n")
    run_byoc("train", "--program", str(program), root=tmp_path / "root")
    text = failure_text(tmp_path / "root")
    reason = text.split("\n\n", 1)[0]
    assert len(reason) == 1024 and reason.endswith("...")
    assert "Traceback" in text[1024:]


def test_missing_program(tmp_path):
    result = run_byoc("train", root=tmp_path)
    assert result.returncode == 2
    assert failure_text(tmp_path).startswith("no program given: pass --program or set BYOC_PROGRAM")


def test_pipe_mode_channel_through_real_fifos(tmp_path):
    write_config(tmp_path, "inputdataconfig.json", {
        "stream": {"TrainingInputMode": "Pipe", "ContentType": "text/csv",
                   "S3DistributionType": "FullyReplicated", "RecordWrapperType": "None"}})
    data_dir = tmp_path / "input" / "data"
    data_dir.mkdir(parents=True)
    epochs = 3
    for epoch in range(epochs):
        os.mkfifo(data_dir / f"stream_{epoch}")

    def feed(epoch: int) -> None:
        with open(data_dir / f"stream_{epoch}", "wb") as fifo:  # blocks until read
            for row in range(1000 * (epoch + 1)):
                fifo.write(f"{epoch},{row}\n".encode())

    writers = [threading.Thread(target=feed, args=(e,), daemon=True) for e in range(epochs)]
    for writer in writers:
        writer.start()
    result = run_byoc("train", "--program", str(PROGRAMS / "pipe_reader.py"), root=tmp_path)
    assert result.returncode == 0, result.stderr
    for writer in writers:
        writer.join(timeout=10)
    seen = json.loads((tmp_path / "output/data/epochs.json").read_text())
    assert seen["mode"] == "Pipe"
    assert [e["lines"] for e in seen["epochs"]] == [1000, 2000, 3000]
    assert [e["first"] for e in seen["epochs"]] == ["0,0", "1,0", "2,0"]


def test_three_hosts_each_see_their_rank_and_the_same_master(tmp_path):
    hosts = ["algo-1", "algo-2", "algo-3"]
    for rank, host in enumerate(hosts):
        root = tmp_path / host
        write_config(root, "resourceconfig.json", {
            "current_host": host, "hosts": hosts, "current_group_name": "homogeneousCluster",
            "current_instance_type": "ml.m5.xlarge", "network_interface_name": "eth0",
            "instance_groups": [{"instance_group_name": "homogeneousCluster",
                                 "instance_type": "ml.m5.xlarge", "hosts": hosts}]})
        result = run_byoc("train", "--program", DUMP, root=root)
        assert result.returncode == 0, result.stderr
        seen = json.loads((root / "output/data/environment.json").read_text())
        assert (seen["rank"], seen["master"], seen["hosts"], seen["host_count"]) == (
            rank, "algo-1", hosts, 3)
        assert seen["sm_env"]["SM_CURRENT_HOST"] == host
        assert json.loads(seen["sm_env"]["SM_HOSTS"]) == hosts


def sagemaker_training_env_vars(root: Path, environ: dict[str, str]) -> dict[str, str]:
    """What sagemaker-training itself exports for the tree at ``root``."""
    code = ("import json; from sagemaker_training import environment; "
            "print(json.dumps(environment.Environment().to_env_vars()))")
    env = {**os.environ, **environ, "SAGEMAKER_BASE_DIR": str(root)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_sm_env_vars_equal_sagemaker_trainings(tmp_path):
    root = tmp_path / "opt_ml"
    write_config(root, "hyperparameters.json", {
        "epochs": "3", "learning-rate": "0.01", "model_id": '"resnet"', "use_amp": "true",
        "layers": "[1, 2]", "sagemaker_program": '"train.py"',
        "sagemaker_submit_directory": '"s3://bucket/source.tar.gz"',
        "sagemaker_container_log_level": "20", "sagemaker_job_name": '"job-1"',
        "sagemaker_region": '"us-east-1"', "sagemaker_mpi_enabled": "true"})
    write_config(root, "inputdataconfig.json", {
        "train": {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated",
                  "RecordWrapperType": "None"},
        "validation": {"ContentType": "text/csv", "TrainingInputMode": "File",
                       "S3DistributionType": "ShardedByS3Key", "RecordWrapperType": "None"}})
    write_config(root, "resourceconfig.json", {
        "current_host": "algo-2", "current_instance_type": "ml.p3.16xlarge",
        "current_group_name": "train1", "hosts": ["algo-1", "algo-2", "algo-3"],
        "instance_groups": [
            {"instance_group_name": "train1", "instance_type": "ml.p3.16xlarge",
             "hosts": ["algo-1", "algo-2"]},
            {"instance_group_name": "train2", "instance_type": "ml.p3.8xlarge",
             "hosts": ["algo-3"]}],
        "network_interface_name": "eth0"})
    for channel in ("train", "validation"):
        (root / "input/data" / channel).mkdir(parents=True)
        (root / "input/data" / channel / "part.csv").write_text("1,2\n")
    (root / "code").mkdir()  # sagemaker-training's import creates it; make both trees equal
    job = {"TRAINING_JOB_NAME": "job-1"}
    result = run_byoc("train", "--program", DUMP, root=root, env=job)
    assert result.returncode == 0, result.stderr
    ours = json.loads((root / "output/data/environment.json").read_text())["sm_env"]
    theirs = sagemaker_training_env_vars(root, job)
    assert set(ours) == set(theirs)
    for name in theirs:
        if name == "SM_TRAINING_ENV":
            assert json.loads(ours[name]) == json.loads(theirs[name])
        else:
            assert ours[name] == theirs[name], name
    assert ours["SM_HP_LEARNING-RATE"] == "0.01"
    assert json.loads(ours["SM_CHANNELS"]) == ["train", "validation"]


def start_training(root: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(root), "STOPPABLE_MODE": mode}
    process = subprocess.Popen([BYOC, "train", "--program", str(PROGRAMS / "stoppable.py")],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 30
    while not (root / "output/data/started").exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "training did not start"
        time.sleep(0.02)
    return process


def test_sigterm_raises_training_stopped_in_user_code(tmp_path):
    process = start_training(tmp_path, "raise")
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 143
    assert (tmp_path / "checkpoints/checkpoint.txt").read_text().startswith("step=")
    assert failure_text(tmp_path).startswith("TrainingStopped: SIGTERM received")
    assert not (tmp_path / "model/model.joblib").exists()


def test_sigterm_in_flag_mode_lets_user_code_finish(tmp_path):
    process = start_training(tmp_path, "flag")
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert (tmp_path / "checkpoints/checkpoint.txt").exists()
    assert joblib.load(tmp_path / "model/model.joblib")["steps"] > 0
    assert not (tmp_path / "output/failure").exists()


def test_checkpoint_dir_from_checkpointconfig(tmp_path):
    write_config(tmp_path, "checkpointconfig.json",
                 {"LocalPath": str(tmp_path / "ckpt"), "S3Uri": "s3://b/c"})
    result = run_byoc("train", "--program", DUMP, root=tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads((tmp_path / "output/data/environment.json").read_text())
    assert seen["checkpoint_dir"] == str(tmp_path / "ckpt")


def test_help_describes_exit_codes():
    result = subprocess.run([BYOC, "train", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "output/failure" in result.stdout


def test_a_saver_writes_the_returned_model_its_own_way(tmp_path):
    program = tmp_path / "own_format.py"
    program.write_text(
        "from byoc_toolkit import train_fn\n\n"
        "def save(model, model_dir):\n"
        "    (model_dir / 'weights.txt').write_text(repr(model))\n\n"
        "@train_fn(saver=save)\ndef train():\n    return [1, 2, 3]\n")
    root = tmp_path / "root"
    result = run_byoc("train", "--program", str(program), root=root)
    assert result.returncode == 0, result.stderr
    assert (root / "model" / "weights.txt").read_text() == "[1, 2, 3]"
    assert not (root / "model" / "model.joblib").exists()
