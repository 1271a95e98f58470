"""SageMaker hyperparameter tuning: many training jobs of one definition, the tuner choosing
the values of some hyperparameters to maximize or minimize a metric."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InputError
from .api_calls import ApiCall, Service
from .training_jobs import TrainingDefinition
from .waiting import Status

Scaling = Literal["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"]
Strategy = Literal["Bayesian", "Random", "Hyperband", "Grid"]
Objective = Literal["Maximize", "Minimize"]

#: SageMaker's limit on the length of a tuning job's name.
MAX_NAME_LENGTH = 32


@dataclass(frozen=True)
class IntegerRange:
    name: str
    low: int
    high: int
    scaling: Scaling = "Auto"


@dataclass(frozen=True)
class ContinuousRange:
    name: str
    low: float
    high: float
    scaling: Scaling = "Auto"


@dataclass(frozen=True)
class CategoricalRange:
    name: str
    #: As the training job receives them: strings.
    values: tuple[str, ...]


ParameterRange = IntegerRange | ContinuousRange | CategoricalRange


def ranges_request(ranges: Sequence[ParameterRange]) -> dict[str, list[dict[str, Any]]]:
    """ParameterRanges: each range under its kind, bounds as strings as the API wants."""
    request: dict[str, list[dict[str, Any]]] = {}
    for r in ranges:
        if isinstance(r, CategoricalRange):
            request.setdefault("CategoricalParameterRanges", []).append(
                {"Name": r.name, "Values": list(r.values)})
        else:
            kind = ("IntegerParameterRanges" if isinstance(r, IntegerRange)
                    else "ContinuousParameterRanges")
            request.setdefault(kind, []).append({"Name": r.name, "MinValue": str(r.low),
                                  "MaxValue": str(r.high), "ScalingType": r.scaling})
    return request


@dataclass(frozen=True)
class TuningJob:
    name: str
    definition: TrainingDefinition
    ranges: tuple[ParameterRange, ...]
    objective_metric: str
    objective: Objective
    max_jobs: int
    parallel_jobs: int
    strategy: Strategy = "Bayesian"
    #: The hyperparameters every job gets as they are.
    static_hyperparameters: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.parallel_jobs > self.max_jobs:
            raise InputError(f"{self.parallel_jobs} parallel jobs is more than the "
                             f"{self.max_jobs} jobs in all")
        if self.strategy == "Grid" and any(
                not isinstance(r, CategoricalRange) for r in self.ranges):
            raise InputError("Grid search takes only lists of values (NAME=a,b,c)")

    def create_call(self) -> ApiCall:
        config = {"Strategy": self.strategy,
                  "HyperParameterTuningJobObjective": {"Type": self.objective,
                                                       "MetricName": self.objective_metric},
                  "ResourceLimits": {"MaxNumberOfTrainingJobs": self.max_jobs,
                                     "MaxParallelTrainingJobs": self.parallel_jobs},
                  "ParameterRanges": ranges_request(self.ranges)}
        definition = {**self.definition.request_fields(),
                      "StaticHyperParameters": dict(self.static_hyperparameters)}
        return ApiCall(Service.SAGEMAKER, "CreateHyperParameterTuningJob",
                       {"HyperParameterTuningJobName": self.name,
                        "HyperParameterTuningJobConfig": config,
                        "TrainingJobDefinition": definition}, self.name)


def describe_tuning_job_call(name: str) -> ApiCall:
    return ApiCall(Service.SAGEMAKER, "DescribeHyperParameterTuningJob",
                   {"HyperParameterTuningJobName": name}, name)


def tuning_status(described: Mapping[str, Any]) -> Status:
    counters = described.get("TrainingJobStatusCounters") or {}
    counts = ", ".join(f"{n} {label}" for label, n in (
        ("completed", counters.get("Completed", 0)),
        ("in progress", counters.get("InProgress", 0)),
        ("failed", counters.get("NonRetryableError", 0) + counters.get("RetryableError", 0)),
        ("stopped", counters.get("Stopped", 0))) if n)
    return described["HyperParameterTuningJobStatus"], f"jobs: {counts}" if counts else None


@dataclass(frozen=True)
class BestJob:
    name: str
    metric: str
    value: float
    hyperparameters: Mapping[str, str]


def best_job(described: Mapping[str, Any]) -> BestJob | None:
    """The training job with the best objective value so far, if there is one."""
    best = described.get("BestTrainingJob")
    objective = (best or {}).get("FinalHyperParameterTuningJobObjectiveMetric")
    if not best or not objective:
        return None
    return BestJob(best["TrainingJobName"], objective["MetricName"], objective["Value"],
                   best.get("TunedHyperParameters", {}))
