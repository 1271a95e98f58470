"""``byoc deploy endpoint|delete`` as subprocesses against moto in server mode: creating,
updating in place, the serverless, asynchronous, data capture and autoscaling options,
deleting, and the checks and --dry-run that create nothing."""

from __future__ import annotations

import json

import pytest
from support.commands import run_byoc
from support.deploy import IMAGE, ROLE_ARN, unique

MODEL_DATA = "s3://byoc-bucket/jobs/dt/output/model.tar.gz"
SCALING = {"ServiceNamespace": "sagemaker",
           "ScalableDimension": "sagemaker:variant:DesiredInstanceCount"}


def deploy_endpoint(name, *args, env):
    return run_byoc("deploy", "endpoint", "--image", IMAGE, "--role", ROLE_ARN,
                    "--model-data", MODEL_DATA, "--name", name, "--poll-seconds", "0", *args,
                    env=env)


def served_config(sagemaker, name):
    endpoint = sagemaker.describe_endpoint(EndpointName=name)
    return sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])


def test_an_existing_endpoint_is_updated_in_place(aws_env, moto_client, aws_requests):
    name = unique("dt-endpoint")
    created = deploy_endpoint(name, "--environment", "SAGEMAKER_MODEL_SERVER_WORKERS=2",
                              env=aws_env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == name
    assert aws_requests.operations().count("CreateEndpoint") == 1

    updated = deploy_endpoint(name, "--instance-type", "ml.c5.xlarge", "--instance-count", "2",
                              env=aws_env)

    assert updated.returncode == 0, updated.stderr
    assert aws_requests.operations().count("CreateEndpoint") == 1
    (update,) = aws_requests.bodies("UpdateEndpoint")
    sagemaker = moto_client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=name)
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == update["EndpointConfigName"]
    configs = sagemaker.list_endpoint_configs(NameContains=name)["EndpointConfigs"]
    assert len(configs) == 2
    (variant,) = served_config(sagemaker, name)["ProductionVariants"]
    assert (variant["InstanceType"], variant["InitialInstanceCount"]) == ("ml.c5.xlarge", 2)
    model = sagemaker.describe_model(ModelName=variant["ModelName"])
    assert model["ExecutionRoleArn"] == ROLE_ARN
    assert model["PrimaryContainer"]["Image"] == IMAGE
    assert model["PrimaryContainer"]["ModelDataUrl"] == MODEL_DATA
    assert f"endpoint {name}: Updating" in updated.stderr
    assert f"endpoint {name}: InService" in updated.stderr


def test_serverless_endpoints(aws_env, moto_client):
    name = unique("dt-serverless")
    result = deploy_endpoint(name, "--serverless-memory", "2048",
                             "--serverless-concurrency", "8", env=aws_env)

    assert result.returncode == 0, result.stderr
    (variant,) = served_config(moto_client("sagemaker"), name)["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 8}
    assert "InstanceType" not in variant


def test_asynchronous_endpoints_with_data_capture(aws_env, moto_client):
    name = unique("dt-async")
    result = deploy_endpoint(name, "--async-output", "s3://byoc-bucket/async/",
                             "--data-capture", "s3://byoc-bucket/capture/",
                             "--capture-percent", "20", env=aws_env)

    assert result.returncode == 0, result.stderr
    config = served_config(moto_client("sagemaker"), name)
    assert config["AsyncInferenceConfig"] == {
        "OutputConfig": {"S3OutputPath": "s3://byoc-bucket/async/"}}
    assert config["DataCaptureConfig"] == {
        "EnableCapture": True, "InitialSamplingPercentage": 20,
        "DestinationS3Uri": "s3://byoc-bucket/capture/",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}


def test_autoscaling_then_delete_removes_everything(aws_env, moto_client, aws_requests):
    name = unique("dt-scaled")
    resource = f"endpoint/{name}/variant/AllTraffic"
    created = deploy_endpoint(name, "--autoscale", "2:5", "--target-invocations", "120",
                              env=aws_env)
    assert created.returncode == 0, created.stderr
    scaling = moto_client("application-autoscaling")
    (target,) = scaling.describe_scalable_targets(ResourceIds=[resource],
                                                  **SCALING)["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 5)
    (policy,) = scaling.describe_scaling_policies(
        ServiceNamespace="sagemaker", ResourceId=resource)["ScalingPolicies"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["TargetTrackingScalingPolicyConfiguration"] == {
        "TargetValue": 120.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}
    sagemaker = moto_client("sagemaker")
    config = served_config(sagemaker, name)
    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 2
    model_name = config["ProductionVariants"][0]["ModelName"]

    planned = run_byoc("deploy", "delete", name, "--dry-run", env=aws_env)
    assert planned.returncode == 0, planned.stderr
    assert [c["operation"] for c in json.loads(planned.stdout)] == [
        "DeregisterScalableTarget", "DeleteEndpoint", "DeleteEndpointConfig", "DeleteModel"]
    sagemaker.describe_endpoint(EndpointName=name)

    declined = run_byoc("deploy", "delete", name, input="n\n", env=aws_env)
    assert declined.returncode == 1
    sagemaker.describe_endpoint(EndpointName=name)

    deleted = run_byoc("deploy", "delete", name, "--yes", env=aws_env)

    assert deleted.returncode == 0, deleted.stderr
    for describe in (lambda: sagemaker.describe_endpoint(EndpointName=name),
                     lambda: sagemaker.describe_endpoint_config(
                         EndpointConfigName=config["EndpointConfigName"]),
                     lambda: sagemaker.describe_model(ModelName=model_name)):
        with pytest.raises(sagemaker.exceptions.ClientError, match="Could not find"):
            describe()
    assert scaling.describe_scalable_targets(ResourceIds=[resource],
                                             **SCALING)["ScalableTargets"] == []


def test_dry_run_of_an_update_reads_but_creates_nothing(aws_env, moto_client, aws_requests):
    name = unique("dt-plan")
    assert deploy_endpoint(name, env=aws_env).returncode == 0
    aws_requests.start()

    result = deploy_endpoint(name, "--autoscale", "1:3", "--dry-run", env=aws_env)

    assert result.returncode == 0, result.stderr
    calls = json.loads(result.stdout)
    assert [c["operation"] for c in calls] == [
        "CreateModel", "CreateEndpointConfig", "UpdateEndpoint", "RegisterScalableTarget",
        "PutScalingPolicy"]
    assert calls[2]["request"] == {"EndpointName": name,
                                   "EndpointConfigName": calls[1]["request"][
                                       "EndpointConfigName"]}
    assert all(op.startswith("Describe") for op in aws_requests.operations())
    configs = moto_client("sagemaker").list_endpoint_configs(NameContains=name)
    assert len(configs["EndpointConfigs"]) == 1


@pytest.mark.parametrize("args, message", [
    (["--serverless-memory", "2048", "--instance-type", "ml.m5.large"],
     "--serverless-memory replaces --instance-type and --instance-count"),
    (["--serverless-memory", "2048", "--async-output", "s3://b/a/"],
     "Serverless Inference offers no asynchronous inference, data capture or autoscaling"),
    (["--autoscale", "1:2", "--instance-count", "4"],
     "instance count 4 is outside the autoscaling range 1:2"),
])
def test_endpoint_refuses_option_combinations_before_any_call(aws_env, aws_requests, args,
                                                              message):
    result = deploy_endpoint(unique("dt-bad"), *args, env=aws_env)

    assert result.returncode == 2
    assert message in result.stderr
    assert aws_requests.operations() == []


def test_deleting_a_missing_endpoint_is_refused(aws_env):
    result = run_byoc("deploy", "delete", unique("dt-none"), "--yes", env=aws_env)

    assert result.returncode == 2
    assert "there is no endpoint dt-none-" in result.stderr
