"""The SageMaker requests byoc deploy sends, built without AWS."""

from __future__ import annotations

import pytest
from support.paths import EXAMPLE_PROGRAM

from byoc_toolkit.aws.endpoints import EndpointDeployment
from byoc_toolkit.aws.training_jobs import TrainingJob
from byoc_toolkit.program import ProgramError
from byoc_toolkit.training.metrics import declared_metric_definitions, metric_definitions

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/dt@sha256:" + "0" * 64
ROLE = "arn:aws:iam::123456789012:role/byoc"


def test_training_job_request_sends_strings_and_the_environment():
    job = TrainingJob(name="dt-1", image=IMAGE, role_arn=ROLE, output_path="s3://b/out",
                      hyperparameters={"max_leaf_nodes": 5}, environment={"MODE": "test"},
                      channels={"training": "s3://b/iris/"},
                      metric_definitions=metric_definitions("train:accuracy"))

    request = job.request()

    assert request["HyperParameters"] == {"max_leaf_nodes": "5"}
    assert request["Environment"] == {"MODE": "test"}
    assert request["AlgorithmSpecification"] == {
        "TrainingImage": IMAGE, "TrainingInputMode": "File",
        "MetricDefinitions": metric_definitions("train:accuracy")}
    assert request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == (
        "s3://b/iris/")


def test_training_job_request_leaves_out_what_is_not_given():
    request = TrainingJob(name="dt-1", image=IMAGE, role_arn=ROLE,
                          output_path="s3://b/out").request()

    assert "Environment" not in request and "InputDataConfig" not in request
    assert "MetricDefinitions" not in request["AlgorithmSpecification"]


def test_metric_definitions_come_from_the_programs_train_fn():
    assert declared_metric_definitions(str(EXAMPLE_PROGRAM)) == metric_definitions(
        "train:accuracy")


def test_an_endpoint_deployment_names_model_and_config_after_the_endpoint():
    deployment = EndpointDeployment(
        endpoint_name="dt", suffix="20250102-030405", image=IMAGE,
        model_data_url="s3://b/model.tar.gz", role_arn=ROLE, environment={"A": "1"})

    assert deployment.model_request() == {
        "ModelName": "dt-20250102-030405", "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": "s3://b/model.tar.gz",
                             "Environment": {"A": "1"}}}
    assert deployment.config_request()["EndpointConfigName"] == "dt-20250102-030405"
    assert deployment.endpoint_request() == {"EndpointName": "dt",
                                             "EndpointConfigName": "dt-20250102-030405"}


def test_a_program_that_cannot_be_imported_is_one_error(tmp_path):
    program = tmp_path / "broken.py"
    program.write_text("import no_such_module_for_byoc\n")

    with pytest.raises(ProgramError, match="ModuleNotFoundError: No module named"):
        declared_metric_definitions(str(program))
