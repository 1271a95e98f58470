"""The requests byoc deploy sends, built without AWS."""

from __future__ import annotations

import json

import pytest
from support.paths import EXAMPLE_PROGRAM

from byoc_toolkit.aws.api_calls import calls_json
from byoc_toolkit.aws.autoscaling import Autoscaling
from byoc_toolkit.aws.endpoints import (
    DataCapture,
    EndpointDeployment,
    EndpointParts,
    Instances,
    Serverless,
    deletion_calls,
)
from byoc_toolkit.aws.models import SageMakerModel
from byoc_toolkit.aws.training_jobs import Spot, TrainingDefinition, TrainingJob
from byoc_toolkit.aws.transform_jobs import TransformJob
from byoc_toolkit.aws.tuning_jobs import CategoricalRange, IntegerRange, TuningJob
from byoc_toolkit.errors import InputError
from byoc_toolkit.program import ProgramError, inspect_train_fn
from byoc_toolkit.training.metrics import metric_definitions

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/dt@sha256:" + "0" * 64
ROLE = "arn:aws:iam::123456789012:role/byoc"
DEFINITION = TrainingDefinition(image=IMAGE, role_arn=ROLE, output_path="s3://b/out",
                                instance_type="ml.m5.large")


def test_training_job_request_sends_strings_and_every_option():
    definition = TrainingDefinition(
        image=IMAGE, role_arn=ROLE, output_path="s3://b/out", instance_type="ml.m5.large",
        instance_count=2,
        max_run_seconds=3600, channels={"training": "s3://b/iris/"},
        environment={"MODE": "test"}, metric_definitions=metric_definitions("train:accuracy"),
        spot=Spot(7200), checkpoint_s3="s3://b/ck/")
    call = TrainingJob("dt-1", definition, {"max_leaf_nodes": "5"}, keep_alive_seconds=600)

    request = call.create_call().params

    assert (call.create_call().operation, request["TrainingJobName"]) == (
        "CreateTrainingJob", "dt-1")
    assert request["HyperParameters"] == {"max_leaf_nodes": "5"}
    assert request["Environment"] == {"MODE": "test"}
    assert request["AlgorithmSpecification"] == {
        "TrainingImage": IMAGE, "TrainingInputMode": "File",
        "MetricDefinitions": metric_definitions("train:accuracy")}
    assert request["ResourceConfig"] == {"InstanceType": "ml.m5.large", "InstanceCount": 2,
                                         "VolumeSizeInGB": 30, "KeepAlivePeriodInSeconds": 600}
    assert request["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600,
                                            "MaxWaitTimeInSeconds": 7200}
    assert request["EnableManagedSpotTraining"] is True
    assert request["CheckpointConfig"] == {"S3Uri": "s3://b/ck/",
                                           "LocalPath": "/opt/ml/checkpoints"}
    assert request["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == (
        "s3://b/iris/")


def test_spot_training_must_wait_at_least_as_long_as_it_runs():
    with pytest.raises(InputError, match=r"the maximum wait \(60 s\) is less than the "
                                         r"maximum run \(120 s\)"):
        TrainingDefinition(image=IMAGE, role_arn=ROLE, output_path="s3://b/out",
                           instance_type="ml.m5.large", max_run_seconds=120, spot=Spot(60))


def test_training_job_request_leaves_out_what_is_not_given():
    request = TrainingJob("dt-1", DEFINITION).create_call().params

    for absent in ("Environment", "InputDataConfig", "EnableManagedSpotTraining",
                   "CheckpointConfig"):
        assert absent not in request
    assert "MetricDefinitions" not in request["AlgorithmSpecification"]
    assert "KeepAlivePeriodInSeconds" not in request["ResourceConfig"]


def test_the_programs_train_fn_gives_the_metrics_and_a_broken_program_one_error(tmp_path):
    assert inspect_train_fn(str(EXAMPLE_PROGRAM)).metrics == ("train:accuracy",)
    program = tmp_path / "broken.py"
    program.write_text("import no_such_module_for_byoc\n")
    with pytest.raises(ProgramError, match="ModuleNotFoundError: No module named"):
        inspect_train_fn(str(program))


def deployment(**settings):
    model = SageMakerModel("dt-20250102-030405-678", IMAGE, "s3://b/model.tar.gz", ROLE,
                           {"A": "1"})
    return EndpointDeployment("dt", model, **{"capacity": Instances("ml.m5.large"),
                                              **settings})


def test_an_endpoint_deployment_names_model_and_config_after_the_endpoint():
    plan = deployment(capacity=Instances("ml.c5.xlarge", 2))

    assert plan.model.create_call().params == {
        "ModelName": "dt-20250102-030405-678", "ExecutionRoleArn": ROLE,
        "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": "s3://b/model.tar.gz",
                             "Environment": {"A": "1"}}}
    assert plan.config_call().params == {
        "EndpointConfigName": "dt-20250102-030405-678",
        "ProductionVariants": [{"VariantName": "AllTraffic",
                                "ModelName": "dt-20250102-030405-678",
                                "InstanceType": "ml.c5.xlarge", "InitialInstanceCount": 2}]}
    create, update = plan.endpoint_call(update=False), plan.endpoint_call(update=True)
    assert (create.operation, update.operation) == ("CreateEndpoint", "UpdateEndpoint")
    assert create.params == update.params == {"EndpointName": "dt",
                                              "EndpointConfigName": "dt-20250102-030405-678"}


def test_serverless_asynchronous_and_captured_configs():
    serverless = deployment(capacity=Serverless(3072, 10)).config_call().params
    assert serverless["ProductionVariants"][0]["ServerlessConfig"] == {
        "MemorySizeInMB": 3072, "MaxConcurrency": 10}
    assert "InstanceType" not in serverless["ProductionVariants"][0]

    both = deployment(async_output="s3://b/async/",
                      data_capture=DataCapture("s3://b/capture/", 25)).config_call().params
    assert both["AsyncInferenceConfig"] == {"OutputConfig": {"S3OutputPath": "s3://b/async/"}}
    assert both["DataCaptureConfig"]["InitialSamplingPercentage"] == 25
    assert both["DataCaptureConfig"]["DestinationS3Uri"] == "s3://b/capture/"


@pytest.mark.parametrize("settings, message", [
    ({"capacity": Serverless(2048), "data_capture": DataCapture("s3://b/c/", 100)},
     "Serverless Inference offers no asynchronous inference, data capture or autoscaling"),
    ({"capacity": Serverless(2048), "scaling": Autoscaling(1, 2, 70.0)},
     "Serverless Inference offers no"),
    ({"capacity": Instances("ml.m5.large", 3), "scaling": Autoscaling(1, 2, 70.0)},
     "instance count 3 is outside the autoscaling range 1:2"),
])
def test_deployments_sagemaker_would_refuse(settings, message):
    with pytest.raises(InputError, match=message):
        deployment(**settings)


def test_autoscaling_registers_the_variant_then_tracks_invocations():
    with pytest.raises(InputError, match="autoscaling 3:2: expected 1 <= MIN <= MAX"):
        Autoscaling(3, 2, 70.0)
    assert deployment(scaling=Autoscaling(1, 4, 70.0)).scaling_calls() == Autoscaling(
        1, 4, 70.0).calls("dt", "AllTraffic")

    register, policy = Autoscaling(1, 4, 70.0).calls("dt", "AllTraffic")

    assert register.params == {"ServiceNamespace": "sagemaker",
                               "ResourceId": "endpoint/dt/variant/AllTraffic",
                               "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
                               "MinCapacity": 1, "MaxCapacity": 4}
    assert policy.params["TargetTrackingScalingPolicyConfiguration"] == {
        "TargetValue": 70.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}}


def test_deletion_order_and_the_dry_run_json():
    calls = deletion_calls("dt", EndpointParts("dt-1", ("dt-1",), ("AllTraffic",)))

    printed = json.loads(calls_json(calls))
    assert [(c["service"], c["operation"]) for c in printed] == [
        ("sagemaker", "DeleteEndpoint"), ("sagemaker", "DeleteEndpointConfig"),
        ("sagemaker", "DeleteModel")]
    assert printed[2]["request"] == {"ModelName": "dt-1"}


def transform_job(**settings):
    return TransformJob("dt-t", "dt-t", "s3://b/in/", "s3://b/out/", "ml.m5.large", **settings)


def test_transform_job_request_and_sagemakers_payload_limits():
    request = transform_job(split_type="Line", content_type="text/csv",
                            batch_strategy="MultiRecord", max_payload_mb=25,
                            max_concurrent=4).create_call().params

    assert request["TransformInput"]["SplitType"] == "Line"
    assert request["TransformOutput"] == {"S3OutputPath": "s3://b/out/", "AssembleWith": "Line"}
    assert (request["MaxPayloadInMB"], request["MaxConcurrentTransforms"]) == (25, 4)
    unsplit = transform_job().create_call().params
    assert unsplit["TransformOutput"]["AssembleWith"] == "None"
    assert "BatchStrategy" not in unsplit and "ContentType" not in unsplit["TransformInput"]
    with pytest.raises(InputError, match="is 104 MB; SageMaker allows at most 100"):
        transform_job(max_payload_mb=26, max_concurrent=4)
    with pytest.raises(InputError, match="101 MB is not within 0..100"):
        transform_job(max_payload_mb=101)


def tuning_job(**settings):
    return TuningJob(**{"name": "dt-tune", "definition": DEFINITION,
                        "ranges": (IntegerRange("depth", 2, 8, "Logarithmic"),
                                   CategoricalRange("criterion", ("gini", "entropy"))),
                        "objective_metric": "train:accuracy", "objective": "Maximize",
                        "max_jobs": 4, "parallel_jobs": 2, **settings})


def test_tuning_job_request():
    request = tuning_job(static_hyperparameters={"seed": "1"}).create_call().params

    config = request["HyperParameterTuningJobConfig"]
    assert config["ParameterRanges"] == {
        "IntegerParameterRanges": [{"Name": "depth", "MinValue": "2", "MaxValue": "8",
                                    "ScalingType": "Logarithmic"}],
        "CategoricalParameterRanges": [{"Name": "criterion", "Values": ["gini", "entropy"]}]}
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 4,
                                        "MaxParallelTrainingJobs": 2}
    definition = request["TrainingJobDefinition"]
    assert definition["StaticHyperParameters"] == {"seed": "1"}
    assert definition["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    assert "HyperParameters" not in definition


def test_tuning_limits_sagemaker_would_refuse():
    with pytest.raises(InputError, match="5 parallel jobs is more than the 4 jobs in all"):
        tuning_job(parallel_jobs=5)
    with pytest.raises(InputError, match="Grid search takes only lists of values"):
        tuning_job(strategy="Grid")
