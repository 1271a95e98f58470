"""Watching a SageMaker job until it ends: each change of status with the time waited, the
lines of its CloudWatch log as they arrive, and the metrics those lines carry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ByocError
from ..training.metrics import MetricValue, parse_metric
from .api_calls import ApiCall
from .job_logs import LogTail
from .session import AwsApi
from .training_jobs import describe_training_job_call, training_status
from .transform_jobs import describe_transform_job_call
from .tuning_jobs import describe_tuning_job_call, tuning_status
from .waiting import Status, wait_for


class JobFailed(ByocError):
    """The job ended other than Completed; the message says why, as SageMaker does."""


@dataclass(frozen=True)
class JobKind:
    """How to follow one kind of job."""

    noun: str
    describe: Callable[[str], ApiCall]
    #: The status and a detail worth showing, from the job's description.
    status: Callable[[Mapping[str, Any]], Status]
    final: frozenset[str]
    #: The CloudWatch log group of this kind of job, if it logs.
    log_group: str | None = None
    success: str = "Completed"


@dataclass
class Watched:
    """What watching a job saw."""

    described: Mapping[str, Any]
    #: The last value of each metric, by the host that logged it and the metric's name.
    metrics: dict[tuple[str, str], MetricValue] = field(default_factory=dict)

    def failure(self, kind: JobKind, name: str) -> JobFailed | None:
        status = kind.status(self.described)[0]
        if status == kind.success:
            return None
        reason = self.described.get("FailureReason") or "SageMaker gives no reason"
        return JobFailed(f"{kind.noun} {name} ended {status}: {reason}")


def watch_job(api: AwsApi, kind: JobKind, name: str, interval: float,
              report: Callable[[str], None], echo: Callable[[str], None]) -> Watched:
    """Poll the job every ``interval`` seconds until it ends. Status changes go to
    ``report``, log lines (``[algo-1] ...``) to ``echo``."""
    watched = Watched({})

    def poll() -> Status:
        watched.described = api.send(kind.describe(name))
        return kind.status(watched.described)

    follow = None
    if kind.log_group is not None:
        tail = LogTail(api, kind.log_group, name)

        def follow_log() -> None:
            # Read after each description, so at the end after the job ended.
            for line in tail.read():
                echo(f"[{line.source}] {line.message}")
                metric = parse_metric(line.message)
                if metric is not None:
                    watched.metrics[(line.source, metric.name)] = metric

        follow = follow_log
    wait_for(poll, kind.final, lambda line: report(f"{kind.noun} {name}: {line}"), interval,
             follow)
    return watched


#: How each kind of job ends; Completed is its only success.
FINAL_STATUSES = frozenset({"Completed", "Failed", "Stopped"})

TRAINING_JOB = JobKind("training job", describe_training_job_call, training_status,
                       FINAL_STATUSES, "/aws/sagemaker/TrainingJobs")
TRANSFORM_JOB = JobKind("transform job", describe_transform_job_call,
                        lambda described: (described["TransformJobStatus"], None),
                        FINAL_STATUSES, "/aws/sagemaker/TransformJobs")
TUNING_JOB = JobKind("tuning job", describe_tuning_job_call, tuning_status, FINAL_STATUSES)
