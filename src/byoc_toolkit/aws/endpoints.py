"""SageMaker real-time endpoints: deploying a model (creating the endpoint, or updating it in
place), what an existing endpoint is made of, and deleting it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from .api_calls import ApiCall, Service
from .autoscaling import Autoscaling
from .models import SageMakerModel, delete_model_call
from .session import AwsApi, AwsError
from .waiting import Status, wait_for

#: The one production variant byoc deploys.
VARIANT = "AllTraffic"
IN_SERVICE = "InService"
#: SageMaker can only delete an endpoint in this status.
FAILED = "Failed"
#: Statuses an endpoint settles in: waiting stops there.
SETTLED = frozenset({IN_SERVICE, FAILED, "OutOfService", "UpdateRollbackFailed"})
#: Statuses in which SageMaker refuses UpdateEndpoint.
BUSY = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"})

#: The memory sizes Serverless Inference offers.
SERVERLESS_MEMORY_MB = (1024, 2048, 3072, 4096, 5120, 6144)
MAX_SERVERLESS_CONCURRENCY = 200
#: As the SageMaker Python SDK's ServerlessInferenceConfig.
DEFAULT_SERVERLESS_CONCURRENCY = 5


@dataclass(frozen=True)
class Instances:
    """Capacity as instances that run all the time."""

    instance_type: str
    count: int = 1


@dataclass(frozen=True)
class Serverless:
    """Capacity that Serverless Inference provides per request, scaling to zero."""

    memory_mb: int
    max_concurrency: int = DEFAULT_SERVERLESS_CONCURRENCY


Capacity = Instances | Serverless


@dataclass(frozen=True)
class DataCapture:
    """Requests and responses copied to S3, a percentage of them."""

    destination: str
    percent: int


@dataclass(frozen=True)
class EndpointDeployment:
    """One deployment of a model to an endpoint. The model and the endpoint config are new
    and share a name (``<endpoint>-<UTC time>``), so what the endpoint served stays as it
    was until SageMaker switches it over."""

    endpoint_name: str
    model: SageMakerModel
    capacity: Capacity
    #: Asynchronous inference: where the responses go.
    async_output: str | None = None
    data_capture: DataCapture | None = None
    scaling: Autoscaling | None = None

    def __post_init__(self) -> None:
        if isinstance(self.capacity, Serverless):
            if self.async_output or self.data_capture or self.scaling:
                raise InputError("Serverless Inference offers no asynchronous inference, "
                                 "data capture or autoscaling")
        elif self.scaling is not None and not (
                self.scaling.min_instances <= self.capacity.count
                <= self.scaling.max_instances):
            raise InputError(f"instance count {self.capacity.count} is outside the "
                             f"autoscaling range {self.scaling.min_instances}:"
                             f"{self.scaling.max_instances}")

    @property
    def config_name(self) -> str:
        return self.model.name

    def config_call(self) -> ApiCall:
        variant: dict[str, Any] = {"VariantName": VARIANT, "ModelName": self.model.name}
        if isinstance(self.capacity, Serverless):
            variant["ServerlessConfig"] = {"MemorySizeInMB": self.capacity.memory_mb,
                                           "MaxConcurrency": self.capacity.max_concurrency}
        else:
            variant["InstanceType"] = self.capacity.instance_type
            variant["InitialInstanceCount"] = self.capacity.count
        request: dict[str, Any] = {"EndpointConfigName": self.config_name,
                                   "ProductionVariants": [variant]}
        if self.async_output is not None:
            request["AsyncInferenceConfig"] = {"OutputConfig": {"S3OutputPath": self.async_output}}
        if self.data_capture is not None:
            request["DataCaptureConfig"] = {
                "EnableCapture": True,
                "InitialSamplingPercentage": self.data_capture.percent,
                "DestinationS3Uri": self.data_capture.destination,
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}
        return ApiCall(Service.SAGEMAKER, "CreateEndpointConfig", request,
                       self.config_name)

    def scaling_calls(self) -> list[ApiCall]:
        """What registers the scaling, once the endpoint is in service."""
        return self.scaling.calls(self.endpoint_name, VARIANT) if self.scaling else []

    def endpoint_call(self, update: bool) -> ApiCall:
        """CreateEndpoint, or UpdateEndpoint for an endpoint that exists."""
        return ApiCall(Service.SAGEMAKER, "UpdateEndpoint" if update else "CreateEndpoint",
                       {"EndpointName": self.endpoint_name,
                        "EndpointConfigName": self.config_name},
                       self.endpoint_name)


@dataclass(frozen=True)
class Endpoint:
    """An endpoint as DescribeEndpoint shows it."""

    name: str
    status: str
    config_name: str
    failure_reason: str | None = None


def describe_endpoint_call(name: str) -> ApiCall:
    return ApiCall(Service.SAGEMAKER, "DescribeEndpoint", {"EndpointName": name},
                   name)


def find_endpoint(api: AwsApi, name: str) -> Endpoint | None:
    """The endpoint called ``name``, or None if there is none."""
    try:
        answer = api.send(describe_endpoint_call(name))
    except AwsError as exc:
        # SageMaker answers a missing endpoint with a ValidationException.
        if exc.code == "ValidationException" and "Could not find" in str(exc):
            return None
        raise
    return Endpoint(answer["EndpointName"], answer["EndpointStatus"],
                    answer["EndpointConfigName"], answer.get("FailureReason"))


@dataclass(frozen=True)
class EndpointParts:
    """What an endpoint serves: its config, and the config's models and variants."""

    config_name: str
    model_names: tuple[str, ...]
    variants: tuple[str, ...]


def endpoint_parts(api: AwsApi, endpoint: Endpoint) -> EndpointParts:
    config = api.send(ApiCall(Service.SAGEMAKER, "DescribeEndpointConfig",
                              {"EndpointConfigName": endpoint.config_name},
                              endpoint.config_name))
    variants = config["ProductionVariants"]
    return EndpointParts(endpoint.config_name,
                         tuple(dict.fromkeys(v["ModelName"] for v in variants)),
                         tuple(v["VariantName"] for v in variants))


def deletion_calls(endpoint: str, parts: EndpointParts) -> list[ApiCall]:
    """Delete the endpoint, then its config and models (SageMaker allows both at once)."""
    return [ApiCall(Service.SAGEMAKER, "DeleteEndpoint", {"EndpointName": endpoint},
                    endpoint),
            ApiCall(Service.SAGEMAKER, "DeleteEndpointConfig",
                    {"EndpointConfigName": parts.config_name},
                    parts.config_name),
            *(delete_model_call(name) for name in parts.model_names)]


def wait_until_settled(api: AwsApi, name: str, interval: float,
                       report: Callable[[str], None]) -> Endpoint:
    """Poll the endpoint until its status settles (InService, Failed, ...), reporting each
    change; the endpoint as it then is."""
    seen: list[Endpoint] = []

    def poll() -> Status:
        found = find_endpoint(api, name)
        if found is None:
            raise AwsError(f"endpoint {name} disappeared while byoc waited for it")
        seen.append(found)
        return found.status, found.failure_reason

    wait_for(poll, SETTLED, report, interval)
    return seen[-1]
