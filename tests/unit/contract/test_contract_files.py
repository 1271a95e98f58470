import json
import os
import threading

import pytest

from byoc_toolkit.contract import (
    ContractError,
    InputMode,
    Paths,
    load_training_env,
    read_channels,
    read_resource_config,
)


def write(root, name, content):
    path = root / "input" / "config" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))


def test_root_moves_with_sagemaker_base_dir(tmp_path):
    assert Paths.from_env(environ={}).root.as_posix() == "/opt/ml"
    paths = Paths.from_env(environ={"SAGEMAKER_BASE_DIR": str(tmp_path)})
    assert paths.model_dir == tmp_path / "model"
    assert paths.failure_file == tmp_path / "output" / "failure"
    assert paths.channel_dir("train") == tmp_path / "input" / "data" / "train"
    assert Paths.from_env(tmp_path / "x", {"SAGEMAKER_BASE_DIR": "/ignored"}).root == \
        tmp_path / "x"


def test_outside_sagemaker_there_is_one_local_host_and_directory_channels(tmp_path):
    (tmp_path / "input/data/train").mkdir(parents=True)
    (tmp_path / "input/data/train/a.csv").write_text("1\n")
    env = load_training_env(tmp_path)
    assert env.resources.hosts == ("algo-1",) and env.resources.rank == 0
    assert env.resources.is_master and not env.resources.is_distributed
    assert list(env.channels) == ["train"]
    assert env.channels["train"].input_mode is InputMode.FILE
    assert env.raw_hyperparameters == {}
    assert env.checkpoint_dir == tmp_path / "checkpoints"
    assert list(tmp_path.rglob("*")) == [tmp_path / "input", tmp_path / "input/data",
                                         tmp_path / "input/data/train",
                                         tmp_path / "input/data/train/a.csv"]


def test_three_host_ranks(tmp_path):
    hosts = ["algo-1", "algo-2", "algo-3"]
    for rank, host in enumerate(hosts):
        write(tmp_path, "resourceconfig.json", {"current_host": host, "hosts": hosts})
        config = read_resource_config(Paths(tmp_path))
        assert (config.rank, config.master_host, config.host_count) == (rank, "algo-1", 3)
        assert config.is_master == (rank == 0)


def test_heterogeneous_cluster_groups(tmp_path):
    write(tmp_path, "resourceconfig.json", {
        "current_host": "algo-3", "hosts": ["algo-1", "algo-2", "algo-3"],
        "current_group_name": "train2", "current_instance_type": "ml.p3.8xlarge",
        "instance_groups": [
            {"instance_group_name": "train1", "instance_type": "ml.p3.16xlarge",
             "hosts": ["algo-2", "algo-1"]},
            {"instance_group_name": "train2", "instance_type": "ml.p3.8xlarge",
             "hosts": ["algo-3"]}]})
    config = read_resource_config(Paths(tmp_path))
    assert config.current_group.hosts == ("algo-3",)
    assert [g.name for g in config.instance_groups] == ["train1", "train2"]
    assert config.rank == 2 and config.current_instance_type == "ml.p3.8xlarge"


@pytest.mark.parametrize("content, message", [
    ("", "resourceconfig.json: file is empty; expected a JSON object"),
    ("[]", "resourceconfig.json: expected a JSON object, got list"),
    ({"hosts": ["a"]}, "resourceconfig.json: current_host: required field is missing"),
    ({"current_host": "a", "hosts": "a"}, "resourceconfig.json: hosts: expected a list"),
    ({"current_host": "a", "hosts": []}, "resourceconfig.json: hosts: expected a non-empty"),
    ({"current_host": "a", "hosts": ["a"], "instance_groups": [{"hosts": ["a"]}]},
     "resourceconfig.json: instance_groups[0].instance_group_name: required field is missing"),
])
def test_resource_config_errors(tmp_path, content, message):
    write(tmp_path, "resourceconfig.json", content)
    with pytest.raises(ContractError) as info:
        read_resource_config(Paths(tmp_path))
    assert str(info.value).startswith(message)


def test_channel_metadata_and_files(tmp_path):
    write(tmp_path, "inputdataconfig.json", {
        "train": {"ContentType": "text/csv", "TrainingInputMode": "FastFile",
                  "S3DistributionType": "ShardedByS3Key", "RecordWrapperType": "None"},
        "stream": {"TrainingInputMode": "Pipe"}})
    data = tmp_path / "input/data/train"
    (data / "nested").mkdir(parents=True)
    (data / "b.csv").write_text("1")
    (data / "nested" / "a.csv").write_text("2")
    (data / ".hidden").write_text("3")
    channels = read_channels(Paths(tmp_path))
    train = channels["train"]
    assert (train.content_type, train.input_mode, train.s3_distribution_type) == (
        "text/csv", InputMode.FAST_FILE, "ShardedByS3Key")
    assert train.files() == [data / "b.csv", data / "nested" / "a.csv"]
    assert channels["stream"].is_pipe and not channels["stream"].is_empty()
    with pytest.raises(ContractError, match="Pipe channel"):
        channels["stream"].files()


def test_pipe_epochs_read_from_real_fifos(tmp_path):
    write(tmp_path, "inputdataconfig.json", {"s": {"TrainingInputMode": "Pipe"}})
    (tmp_path / "input/data").mkdir(parents=True)
    channel = read_channels(Paths(tmp_path))["s"]
    payloads = [b"first epoch\n" * 100, b"second\n" * 5000]

    def feed(epoch, payload):
        os.mkfifo(channel.pipe_path(epoch))
        with open(channel.pipe_path(epoch), "wb") as fifo:
            fifo.write(payload)

    writers = [threading.Thread(target=feed, args=(i, p)) for i, p in enumerate(payloads)]
    for writer in writers:
        writer.start()
    assert [stream.read() for stream in channel.epochs(2, timeout=10)] == payloads
    for writer in writers:
        writer.join()


def test_pipe_that_never_appears_times_out_clearly(tmp_path):
    write(tmp_path, "inputdataconfig.json", {"s": {"TrainingInputMode": "Pipe"}})
    channel = read_channels(Paths(tmp_path))["s"]
    with pytest.raises(ContractError, match=r"s_0 did not appear within 0.1 s"):
        channel.open_epoch(0, timeout=0.1)
