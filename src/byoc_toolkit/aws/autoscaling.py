"""Application Auto Scaling for an endpoint's variant: its instance count between a minimum
and a maximum, tracking invocations per instance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InputError
from .api_calls import ApiCall, Service
from .session import AwsApi

NAMESPACE = "sagemaker"
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
POLICY_NAME = "byoc-invocations-per-instance"
#: The predefined metric: invocations per minute per instance, averaged over the variant.
METRIC = "SageMakerVariantInvocationsPerInstance"


def resource_id(endpoint: str, variant: str) -> str:
    return f"endpoint/{endpoint}/variant/{variant}"


@dataclass(frozen=True)
class Autoscaling:
    min_instances: int
    max_instances: int
    #: Invocations per instance per minute that the policy keeps the variant at.
    target_invocations: float

    def __post_init__(self) -> None:
        if not 1 <= self.min_instances <= self.max_instances:
            raise InputError(f"autoscaling {self.min_instances}:{self.max_instances}: "
                             f"expected 1 <= MIN <= MAX")

    def calls(self, endpoint: str, variant: str) -> list[ApiCall]:
        """Register the variant as a scalable target, then attach the tracking policy."""
        target = {"ServiceNamespace": NAMESPACE, "ResourceId": resource_id(endpoint, variant),
                  "ScalableDimension": DIMENSION}
        policy = {"TargetValue": self.target_invocations,
                  "PredefinedMetricSpecification": {"PredefinedMetricType": METRIC}}
        return [
            ApiCall(Service.APPLICATION_AUTOSCALING, "RegisterScalableTarget",
                    {**target, "MinCapacity": self.min_instances,
                     "MaxCapacity": self.max_instances}, target["ResourceId"]),
            ApiCall(Service.APPLICATION_AUTOSCALING, "PutScalingPolicy",
                    {**target, "PolicyName": POLICY_NAME, "PolicyType": "TargetTrackingScaling",
                     "TargetTrackingScalingPolicyConfiguration": policy}, target["ResourceId"]),
        ]


def scaled_variants(api: AwsApi, endpoint: str, variants: Iterable[str]) -> list[str]:
    """Those of the endpoint's variants that are registered scalable targets."""
    ids = {resource_id(endpoint, v): v for v in variants}
    if not ids:
        return []
    answer = api.send(ApiCall(Service.APPLICATION_AUTOSCALING, "DescribeScalableTargets",
                              {"ServiceNamespace": NAMESPACE, "ResourceIds": list(ids),
                               "ScalableDimension": DIMENSION}, endpoint))
    return [ids[t["ResourceId"]] for t in answer["ScalableTargets"] if t["ResourceId"] in ids]


def deregister_call(endpoint: str, variant: str) -> ApiCall:
    """Remove the variant's scaling (its policies go with it)."""
    target = resource_id(endpoint, variant)
    return ApiCall(Service.APPLICATION_AUTOSCALING, "DeregisterScalableTarget",
                   {"ServiceNamespace": NAMESPACE, "ResourceId": target,
                    "ScalableDimension": DIMENSION}, target)
