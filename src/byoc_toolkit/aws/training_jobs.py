"""SageMaker training jobs for a byoc image: what a job and a tuning job's jobs share, and
the CreateTrainingJob request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from .api_calls import ApiCall, Service
from .waiting import Status

#: Where CheckpointConfig's S3 files appear in the container (the env-contract's default).
CHECKPOINT_DIR = "/opt/ml/checkpoints"
#: SageMaker keeps a warm pool for at most this long.
MAX_KEEP_ALIVE_SECONDS = 3600


@dataclass(frozen=True)
class Spot:
    """Managed spot training: the job may wait for capacity and be interrupted."""

    #: Waiting plus running, in seconds; at least the job's maximum run time.
    max_wait_seconds: int


@dataclass(frozen=True)
class TrainingDefinition:
    """Everything about a training job but its name and hyperparameters: what a job and
    every job of a tuning job share."""

    image: str
    role_arn: str
    output_path: str
    instance_type: str
    instance_count: int = 1
    volume_size_gb: int = 30
    max_run_seconds: int = 24 * 3600
    #: Channel name to S3 prefix; each appears under /opt/ml/input/data/<name> (File mode).
    channels: Mapping[str, str] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)
    metric_definitions: Sequence[Mapping[str, str]] = ()
    spot: Spot | None = None
    #: S3 prefix that SageMaker keeps in sync with /opt/ml/checkpoints.
    checkpoint_s3: str | None = None

    def __post_init__(self) -> None:
        if self.spot is not None and self.spot.max_wait_seconds < self.max_run_seconds:
            raise InputError(f"spot: the maximum wait ({self.spot.max_wait_seconds} s) is "
                             f"less than the maximum run ({self.max_run_seconds} s)")

    def request_fields(self) -> dict[str, Any]:
        """The fields CreateTrainingJob and a tuning job's TrainingJobDefinition share."""
        algorithm: dict[str, Any] = {"TrainingImage": self.image, "TrainingInputMode": "File"}
        if self.metric_definitions:
            algorithm["MetricDefinitions"] = [dict(m) for m in self.metric_definitions]
        stopping: dict[str, Any] = {"MaxRuntimeInSeconds": self.max_run_seconds}
        fields: dict[str, Any] = {
            "AlgorithmSpecification": algorithm,
            "RoleArn": self.role_arn,
            "OutputDataConfig": {"S3OutputPath": self.output_path},
            "ResourceConfig": {"InstanceType": self.instance_type,
                               "InstanceCount": self.instance_count,
                               "VolumeSizeInGB": self.volume_size_gb},
            "StoppingCondition": stopping,
        }
        if self.channels:
            fields["InputDataConfig"] = [_s3_channel(n, uri) for n, uri in self.channels.items()]
        if self.environment:
            fields["Environment"] = dict(self.environment)
        if self.spot is not None:
            fields["EnableManagedSpotTraining"] = True
            stopping["MaxWaitTimeInSeconds"] = self.spot.max_wait_seconds
        if self.checkpoint_s3 is not None:
            fields["CheckpointConfig"] = {"S3Uri": self.checkpoint_s3,
                                          "LocalPath": CHECKPOINT_DIR}
        return fields


def _s3_channel(name: str, uri: str) -> dict[str, Any]:
    return {"ChannelName": name,
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri,
                                            "S3DataDistributionType": "FullyReplicated"}}}


@dataclass(frozen=True)
class TrainingJob:
    name: str
    definition: TrainingDefinition
    #: Values are strings on the wire, whatever the training function's annotations say.
    hyperparameters: Mapping[str, str] = field(default_factory=dict)
    #: Warm pool: how long SageMaker keeps the instances for a matching next job.
    keep_alive_seconds: int | None = None

    def create_call(self) -> ApiCall:
        request = {"TrainingJobName": self.name, **self.definition.request_fields(),
                   "HyperParameters": {k: str(v) for k, v in self.hyperparameters.items()}}
        if self.keep_alive_seconds is not None:
            request["ResourceConfig"]["KeepAlivePeriodInSeconds"] = self.keep_alive_seconds
        return ApiCall(Service.SAGEMAKER, "CreateTrainingJob", request,
                       self.name)


def describe_training_job_call(name: str) -> ApiCall:
    return ApiCall(Service.SAGEMAKER, "DescribeTrainingJob", {"TrainingJobName": name},
                   name)


def training_status(described: Mapping[str, Any]) -> Status:
    status = described["TrainingJobStatus"]
    secondary = described.get("SecondaryStatus")
    transitions = described.get("SecondaryStatusTransitions") or [{}]
    message = transitions[-1].get("StatusMessage") if (
        transitions[-1].get("Status") == secondary) else None
    if secondary in (None, status):
        return status, message
    return status, f"{secondary}: {message}" if message else secondary
