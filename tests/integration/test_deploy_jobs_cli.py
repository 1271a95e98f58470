"""``byoc deploy train|tune|transform`` as subprocesses against moto in server mode: the
requests as moto's describe calls return them (as recorded where moto drops a field), the
checks that refuse before any call, --dry-run, and --wait with the job's log."""

from __future__ import annotations

import json

import pytest
from support.commands import run_byoc
from support.deploy import IMAGE, ROLE_ARN, put_job_log, unique
from support.moto_sagemaker import JobState, script_training_job
from support.paths import EXAMPLE_PROGRAM, PROGRAMS

TRAINING_LOGS = "/aws/sagemaker/TrainingJobs"
#: Has the example's hyperparameters and metric, without its imports (seconds per run).
TUNABLE = PROGRAMS / "tunable.py"


def job_args(program=TUNABLE):
    return ("--image", IMAGE, "--role", ROLE_ARN, "--output", "s3://byoc-bucket/jobs",
            "--program", str(program), "--channel", "training=s3://byoc-bucket/iris/")


def deploy_train(name, *args, env, program=TUNABLE):
    return run_byoc("deploy", "train", *job_args(program), "--name", name, *args, env=env)


def test_train_sends_every_option(aws_env, moto_client, aws_requests):
    name = unique("dt-train")
    result = deploy_train(
        name, "--hp", "max_leaf_nodes=5", "--hp", "criterion=entropy",
        "--environment", "MODE=test", "--instance-type", "ml.c5.xlarge",
        "--instance-count", "2", "--max-run", "3600", "--spot", "--max-wait", "7200",
        "--checkpoint-s3", "s3://byoc-bucket/checkpoints/", "--keep-alive", "600",
        env=aws_env, program=EXAMPLE_PROGRAM)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == name
    job = moto_client("sagemaker").describe_training_job(TrainingJobName=name)
    assert job["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    assert job["RoleArn"] == ROLE_ARN
    assert job["HyperParameters"] == {"max_leaf_nodes": "5", "criterion": "entropy"}
    (channel,) = job["InputDataConfig"]
    assert channel["ChannelName"] == "training"
    assert channel["DataSource"]["S3DataSource"]["S3Uri"] == "s3://byoc-bucket/iris/"
    assert job["ResourceConfig"] == {"InstanceType": "ml.c5.xlarge", "InstanceCount": 2,
                                     "VolumeSizeInGB": 30, "KeepAlivePeriodInSeconds": 600}
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600,
                                        "MaxWaitTimeInSeconds": 7200}
    assert job["EnableManagedSpotTraining"] is True
    assert job["CheckpointConfig"] == {"S3Uri": "s3://byoc-bucket/checkpoints/",
                                       "LocalPath": "/opt/ml/checkpoints"}
    # moto keeps no Environment and replaces MetricDefinitions: as byoc sent them.
    (sent,) = aws_requests.bodies("CreateTrainingJob")
    assert sent["Environment"] == {"MODE": "test"}
    assert [m["Name"] for m in sent["AlgorithmSpecification"]["MetricDefinitions"]] == [
        "train:accuracy"]


def test_train_checks_the_hyperparameters_before_any_call(aws_env, aws_requests):
    result = deploy_train(unique("dt-bad"), "--hp", "max_leaf_node=5", "--hp", "criterion=hinge",
                          "--hp", "max_leaf_nodes=abc", env=aws_env, program=EXAMPLE_PROGRAM)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Error: max_leaf_nodes: expected int, got 'abc'",
        "criterion: expected one of 'gini', 'entropy', 'log_loss', got 'hinge'",
        "max_leaf_node: unknown hyperparameter (did you mean 'max_leaf_nodes'?); accepted: "
        "criterion, max_leaf_nodes"]
    assert aws_requests.operations() == []


def test_train_checks_the_channels_before_any_call(aws_env, aws_requests):
    result = run_byoc("deploy", "train", "--image", IMAGE, "--role", ROLE_ARN,
                      "--output", "s3://byoc-bucket/jobs", "--program", str(TUNABLE),
                      "--channel", "validation=s3://byoc-bucket/iris/", env=aws_env)

    assert result.returncode == 2
    assert "training: required channel is missing (channels given: validation)" in (
        result.stderr)
    assert aws_requests.operations() == []


@pytest.mark.parametrize("args, message", [
    (["--hp", "max_leaf_nodes"], "expected NAME=VALUE"),
    (["--channel", "training=/local/dir"], "expected an s3:// URI"),
    (["--spot"], "--spot needs --max-wait"),
])
def test_train_refuses_bad_options(aws_env, aws_requests, args, message):
    result = run_byoc("deploy", "train", "--image", IMAGE, "--role", ROLE_ARN,
                      "--output", "s3://byoc-bucket/jobs", *args, env=aws_env)

    assert result.returncode == 2
    assert message in result.stderr
    assert aws_requests.operations() == []


def test_train_dry_run_prints_the_request_and_sends_nothing(aws_env, aws_requests):
    name = unique("dt-dry")
    result = deploy_train(name, "--hp", "max_leaf_nodes=5", "--dry-run", env=aws_env)

    assert result.returncode == 0, result.stderr
    (call,) = json.loads(result.stdout)
    assert (call["service"], call["operation"]) == ("sagemaker", "CreateTrainingJob")
    assert call["request"]["TrainingJobName"] == name
    assert call["request"]["HyperParameters"] == {"max_leaf_nodes": "5"}
    assert aws_requests.operations() == []


def test_train_wait_shows_progress_each_hosts_log_and_the_metrics(aws_env, moto_client):
    name = unique("dt-wait")
    logs = moto_client("logs")
    put_job_log(logs, TRAINING_LOGS, name, "algo-1",
                ["fitting on 150 rows", "#byoc-metric train:accuracy=0.96 step=1",
                 "#byoc-metric train:accuracy=0.98 step=2"])
    put_job_log(logs, TRAINING_LOGS, name, "algo-2", ["fitting on 150 rows"])
    script_training_job(name, [JobState("InProgress", "Starting", "Launching instances"),
                               JobState("InProgress", "Training", "Training in progress"),
                               JobState("Completed", "Completed")])

    result = deploy_train(name, "--wait", "--poll-seconds", "0", env=aws_env)

    assert result.returncode == 0, result.stderr
    job_name, artifact = result.stdout.split()
    assert job_name == name
    assert artifact == f"s3://byoc-bucket/jobs/{name}/output/model.tar.gz"
    err = result.stderr
    assert f"training job {name}: InProgress (Starting: Launching instances) [0m0" in err
    assert f"training job {name}: InProgress (Training: Training in progress) [0m0" in err
    assert f"training job {name}: Completed [0m0" in err
    assert "[algo-1] fitting on 150 rows" in err and "[algo-2] fitting on 150 rows" in err
    assert "byoc: metric train:accuracy = 0.98 (algo-1, step 2)" in err
    assert err.count("fitting on 150 rows") == 2  # each line once, though read each poll


def test_a_failed_job_exits_non_zero_with_its_reason(aws_env, moto_client):
    name = unique("dt-fail")
    put_job_log(moto_client("logs"), TRAINING_LOGS, name, "algo-1",
                ["Traceback (most recent call last):", "ValueError: no rows"])
    reason = "AlgorithmError: ValueError: no rows"
    script_training_job(name, [JobState("InProgress", "Training"),
                               JobState("Failed", "Failed", failure_reason=reason)])

    result = deploy_train(name, "--wait", "--poll-seconds", "0", env=aws_env)

    assert result.returncode == 1
    assert result.stdout.strip() == name
    assert "[algo-1] ValueError: no rows" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: training job {name} ended Failed: {reason}")


TUNE_ARGS = ("--objective", "train:accuracy", "--maximize", "--max-jobs", "6",
             "--parallel", "2")


def test_tune_sends_ranges_read_from_the_signature(aws_env, moto_client, aws_requests):
    name = unique("dt-tune")
    result = run_byoc("deploy", "tune", *job_args(), *TUNE_ARGS, "--name", name,
                      "--range", "max_leaf_nodes=2:32:log", "--range", "criterion=gini,entropy",
                      "--environment", "MODE=tune", "--wait", "--poll-seconds", "0",
                      env=aws_env)

    assert result.returncode == 0, result.stderr
    tuning = moto_client("sagemaker").describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name)
    config = tuning["HyperParameterTuningJobConfig"]
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Maximize",
                                                          "MetricName": "train:accuracy"}
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 6,
                                        "MaxParallelTrainingJobs": 2}
    assert config["ParameterRanges"] == {
        "IntegerParameterRanges": [{"Name": "max_leaf_nodes", "MinValue": "2",
                                    "MaxValue": "32", "ScalingType": "Logarithmic"}],
        "CategoricalParameterRanges": [{"Name": "criterion", "Values": ["gini", "entropy"]}]}
    definition = tuning["TrainingJobDefinition"]
    assert definition["AlgorithmSpecification"]["MetricDefinitions"][0]["Name"] == (
        "train:accuracy")
    assert definition["StaticHyperParameters"] == {}
    (sent,) = aws_requests.bodies("CreateHyperParameterTuningJob")
    assert sent["TrainingJobDefinition"]["Environment"] == {"MODE": "tune"}
    # moto's tuning job has a made-up best job; byoc prints its name.
    assert result.stdout.split() == [name, tuning["BestTrainingJob"]["TrainingJobName"]]
    assert f"tuning job {name}: Completed" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--range", "max_leaf_node=2:8"],
     "max_leaf_node: unknown hyperparameter (did you mean 'max_leaf_nodes'?)"),
    (["--range", "max_leaf_nodes=2:8.5"], "--range max_leaf_nodes: expected int, got '8.5'"),
    (["--range", "criterion=gini,hinge"],
     "--range criterion: expected one of 'gini', 'entropy', 'log_loss', got 'hinge'"),
    (["--range", "criterion=gini", "--hp", "criterion=gini"],
     "criterion: given both as --hp and as --range"),
])
def test_tune_checks_the_ranges_before_any_call(aws_env, aws_requests, args, message):
    result = run_byoc("deploy", "tune", *job_args(), *TUNE_ARGS, *args, env=aws_env)

    assert result.returncode == 2
    assert message in result.stderr
    assert aws_requests.operations() == []


def test_tune_checks_the_objective(aws_env, aws_requests):
    result = run_byoc("deploy", "tune", *job_args(), "--objective", "train:acuracy",
                      "--minimize", "--max-jobs", "2", "--range", "criterion=gini,entropy",
                      env=aws_env)

    assert result.returncode == 2
    assert "--objective train:acuracy: not a metric the @train_fn declares (did you mean " \
           "'train:accuracy'?)" in result.stderr
    assert aws_requests.operations() == []


def test_transform_creates_the_model_and_the_job(aws_env, moto_client):
    name = unique("dt-batch")
    result = run_byoc(
        "deploy", "transform", "--image", IMAGE, "--role", ROLE_ARN, "--name", name,
        "--model-data", "s3://byoc-bucket/jobs/dt/output/model.tar.gz",
        "--input", "s3://byoc-bucket/batch-in/", "--output", "s3://byoc-bucket/batch-out/",
        "--content-type", "text/csv", "--accept", "application/json", "--split-type", "Line",
        "--batch-strategy", "MultiRecord", "--max-payload", "10", "--concurrency", "4",
        "--instance-count", "2", "--environment", "SAGEMAKER_MODEL_SERVER_WORKERS=2",
        "--wait", "--poll-seconds", "0", env=aws_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [name, "s3://byoc-bucket/batch-out/"]
    sagemaker = moto_client("sagemaker")
    job = sagemaker.describe_transform_job(TransformJobName=name)
    assert job["ModelName"] == name
    assert job["TransformInput"] == {
        "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                        "S3Uri": "s3://byoc-bucket/batch-in/"}},
        "ContentType": "text/csv", "SplitType": "Line"}
    assert job["TransformOutput"] == {"S3OutputPath": "s3://byoc-bucket/batch-out/",
                                      "Accept": "application/json", "AssembleWith": "Line"}
    assert job["TransformResources"] == {"InstanceType": "ml.m5.large", "InstanceCount": 2}
    assert (job["BatchStrategy"], job["MaxPayloadInMB"], job["MaxConcurrentTransforms"]) == (
        "MultiRecord", 10, 4)
    model = sagemaker.describe_model(ModelName=name)
    assert model["PrimaryContainer"]["Environment"] == {"SAGEMAKER_MODEL_SERVER_WORKERS": "2"}


def test_transform_refuses_a_payload_sagemaker_would_refuse(aws_env, aws_requests):
    result = run_byoc(
        "deploy", "transform", "--image", IMAGE, "--role", ROLE_ARN,
        "--model-data", "s3://byoc-bucket/model.tar.gz", "--input", "s3://byoc-bucket/in/",
        "--output", "s3://byoc-bucket/out/", "--max-payload", "50", "--concurrency", "4",
        env=aws_env)

    assert result.returncode == 2
    assert "max payload × concurrency is 200 MB; SageMaker allows at most 100" in (
        result.stderr)
    assert aws_requests.operations() == []
