"""SageMaker real-time endpoints: the model, endpoint config and endpoint for a byoc image."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .session import aws_errors

FINAL_STATUSES = ("InService", "Failed")


@dataclass(frozen=True)
class EndpointDeployment:
    """One deployment: model and endpoint config are new (``<endpoint>-<suffix>``), so a
    deployment never changes what an existing endpoint serves."""

    endpoint_name: str
    suffix: str
    image: str
    model_data_url: str
    role_arn: str
    instance_type: str = "ml.m5.large"
    instance_count: int = 1
    environment: Mapping[str, str] = field(default_factory=dict)

    @property
    def model_name(self) -> str:
        return f"{self.endpoint_name}-{self.suffix}"

    # The config is named after the model it serves.
    config_name = model_name

    def model_request(self) -> dict[str, Any]:
        container: dict[str, Any] = {"Image": self.image, "ModelDataUrl": self.model_data_url}
        if self.environment:
            container["Environment"] = dict(self.environment)
        return {"ModelName": self.model_name, "PrimaryContainer": container,
                "ExecutionRoleArn": self.role_arn}

    def config_request(self) -> dict[str, Any]:
        variant = {"VariantName": "AllTraffic", "ModelName": self.model_name,
                   "InstanceType": self.instance_type,
                   "InitialInstanceCount": self.instance_count}
        return {"EndpointConfigName": self.config_name, "ProductionVariants": [variant]}

    def endpoint_request(self) -> dict[str, Any]:
        return {"EndpointName": self.endpoint_name, "EndpointConfigName": self.config_name}


def deploy_endpoint(sagemaker: Any, deployment: EndpointDeployment) -> None:
    """Create the model, the endpoint config and the endpoint, in that order."""
    with aws_errors(f"creating model {deployment.model_name}"):
        sagemaker.create_model(**deployment.model_request())
    with aws_errors(f"creating endpoint config {deployment.config_name}"):
        sagemaker.create_endpoint_config(**deployment.config_request())
    with aws_errors(f"creating endpoint {deployment.endpoint_name}"):
        sagemaker.create_endpoint(**deployment.endpoint_request())


def endpoint_status(sagemaker: Any, name: str) -> tuple[str, str | None]:
    """The endpoint's status and, when it failed, why."""
    with aws_errors(f"describing endpoint {name}"):
        described = sagemaker.describe_endpoint(EndpointName=name)
    return described["EndpointStatus"], described.get("FailureReason")
