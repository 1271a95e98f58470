"""``byoc deploy`` as a subprocess against moto's SageMaker in server mode."""

from __future__ import annotations

import uuid

import pytest
from support.commands import run_byoc
from support.paths import EXAMPLE_PROGRAM

ROLE_ARN = "arn:aws:iam::123456789012:role/byoc-test"
IMAGE = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/decision-trees@sha256:{'ab' * 32}"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# moto answers DescribeTrainingJob with MetricDefinitions of its own, so the ones --program
# adds are checked in tests/unit/test_aws_requests.py.
def test_deploy_train_creates_the_job_and_waits(aws_env, moto_client):
    name = _unique("dt-train")
    result = run_byoc(
        "deploy", "train", "--image", IMAGE, "--role", ROLE_ARN, "--name", name,
        "--output", "s3://byoc-bucket/jobs", "--channel", "training=s3://byoc-bucket/iris/",
        "--hp", "max_leaf_nodes=5", "--hp", "criterion=entropy", "--env", "MODE=test",
        "--program", str(EXAMPLE_PROGRAM), "--instance-type", "ml.c5.xlarge",
        "--wait", "--poll-seconds", "0", env=aws_env)

    assert result.returncode == 0, result.stderr
    job_name, artifacts = result.stdout.split()
    assert job_name == name
    assert artifacts.startswith("s3://byoc-bucket/jobs/") and artifacts.endswith(".tar.gz")
    assert f"training job {name}: Completed" in result.stderr
    job = moto_client("sagemaker").describe_training_job(TrainingJobName=name)
    assert job["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    assert job["RoleArn"] == ROLE_ARN
    assert job["HyperParameters"] == {"max_leaf_nodes": "5", "criterion": "entropy"}
    (channel,) = job["InputDataConfig"]
    assert channel["ChannelName"] == "training"
    assert channel["DataSource"]["S3DataSource"]["S3Uri"] == "s3://byoc-bucket/iris/"
    assert job["ResourceConfig"]["InstanceType"] == "ml.c5.xlarge"


def test_deploy_endpoint_creates_model_config_and_endpoint(aws_env, moto_client):
    name = _unique("dt-endpoint")
    model_data = "s3://byoc-bucket/jobs/dt/output/model.tar.gz"
    result = run_byoc(
        "deploy", "endpoint", "--image", IMAGE, "--role", ROLE_ARN, "--name", name,
        "--model-data", model_data, "--env", "SAGEMAKER_MODEL_SERVER_WORKERS=2",
        "--instance-count", "2", "--wait", "--poll-seconds", "0", env=aws_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == name
    sagemaker = moto_client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=name)
    assert endpoint["EndpointStatus"] == "InService"
    config = sagemaker.describe_endpoint_config(
        EndpointConfigName=endpoint["EndpointConfigName"])
    (variant,) = config["ProductionVariants"]
    assert variant["InitialInstanceCount"] == 2
    model = sagemaker.describe_model(ModelName=variant["ModelName"])
    assert model["ExecutionRoleArn"] == ROLE_ARN
    assert model["PrimaryContainer"]["Image"] == IMAGE
    assert model["PrimaryContainer"]["ModelDataUrl"] == model_data
    assert model["PrimaryContainer"]["Environment"] == {"SAGEMAKER_MODEL_SERVER_WORKERS": "2"}


@pytest.mark.parametrize("args, message", [
    (["--hp", "max_leaf_nodes"], "expected NAME=VALUE"),
    (["--channel", "training=/local/dir"], "expected an s3:// URI"),
    (["--hp", "a=1", "--hp", "a=2"], "a given twice"),
])
def test_deploy_train_refuses_bad_arguments(aws_env, args, message):
    result = run_byoc("deploy", "train", "--image", IMAGE, "--role", ROLE_ARN,
                      "--output", "s3://byoc-bucket/jobs", *args, env=aws_env)

    assert result.returncode == 2
    assert message in result.stderr


def test_aws_failures_are_one_line(aws_env):
    unreachable = {**aws_env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
    result = run_byoc("deploy", "endpoint", "--image", IMAGE, "--role", ROLE_ARN,
                      "--model-data", "s3://byoc-bucket/model.tar.gz", env=unreachable)

    assert result.returncode == 1
    assert result.stderr.startswith("Error: creating model ")
    assert "Could not connect to the endpoint URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_region_is_reported(aws_env):
    env = {**aws_env, "AWS_REGION": "", "AWS_DEFAULT_REGION": ""}
    result = run_byoc("deploy", "endpoint", "--image", IMAGE, "--role", ROLE_ARN,
                      "--model-data", "s3://byoc-bucket/model.tar.gz", env=env)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: AWS configuration: no region; pass --region or set AWS_REGION")
