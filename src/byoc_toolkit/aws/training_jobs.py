"""SageMaker training jobs: the CreateTrainingJob request for a byoc image, and its status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .session import aws_errors

FINAL_STATUSES = ("Completed", "Failed", "Stopped")


@dataclass(frozen=True)
class TrainingJob:
    name: str
    image: str
    role_arn: str
    output_path: str
    instance_type: str = "ml.m5.large"
    instance_count: int = 1
    volume_size_gb: int = 30
    max_runtime_seconds: int = 24 * 3600
    #: Values are strings on the wire, whatever the training function's annotations say.
    hyperparameters: Mapping[str, str] = field(default_factory=dict)
    #: Channel name to S3 prefix; each appears under /opt/ml/input/data/<name> (File mode).
    channels: Mapping[str, str] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)
    metric_definitions: Sequence[Mapping[str, str]] = ()

    def request(self) -> dict[str, Any]:
        """The keyword arguments of ``sagemaker.create_training_job``."""
        algorithm: dict[str, Any] = {"TrainingImage": self.image, "TrainingInputMode": "File"}
        if self.metric_definitions:
            algorithm["MetricDefinitions"] = [dict(m) for m in self.metric_definitions]
        request: dict[str, Any] = {
            "TrainingJobName": self.name,
            "AlgorithmSpecification": algorithm,
            "RoleArn": self.role_arn,
            "HyperParameters": {k: str(v) for k, v in self.hyperparameters.items()},
            "OutputDataConfig": {"S3OutputPath": self.output_path},
            "ResourceConfig": {"InstanceType": self.instance_type,
                               "InstanceCount": self.instance_count,
                               "VolumeSizeInGB": self.volume_size_gb},
            "StoppingCondition": {"MaxRuntimeInSeconds": self.max_runtime_seconds},
        }
        if self.channels:
            request["InputDataConfig"] = [_s3_channel(n, uri) for n, uri in self.channels.items()]
        if self.environment:
            request["Environment"] = dict(self.environment)
        return request


def _s3_channel(name: str, uri: str) -> dict[str, Any]:
    return {"ChannelName": name,
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri,
                                            "S3DataDistributionType": "FullyReplicated"}}}


def create_training_job(sagemaker: Any, job: TrainingJob) -> str:
    """Start ``job``; return its ARN."""
    with aws_errors(f"creating training job {job.name}"):
        arn: str = sagemaker.create_training_job(**job.request())["TrainingJobArn"]
    return arn


def describe_training_job(sagemaker: Any, name: str) -> dict[str, Any]:
    with aws_errors(f"describing training job {name}"):
        described: dict[str, Any] = sagemaker.describe_training_job(TrainingJobName=name)
    return described


def training_job_status(sagemaker: Any, name: str) -> tuple[str, str | None]:
    """The job's status and, while running, its secondary status (or why it failed)."""
    described = describe_training_job(sagemaker, name)
    return (described["TrainingJobStatus"],
            described.get("FailureReason") or described.get("SecondaryStatus"))
