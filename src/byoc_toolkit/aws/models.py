"""SageMaker models: an image and its model.tar.gz, as endpoints and transform jobs use them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .api_calls import ApiCall, Service


@dataclass(frozen=True)
class SageMakerModel:
    name: str
    image: str
    model_data_url: str
    role_arn: str
    #: CreateModel's Environment: the serving settings (SAGEMAKER_MODEL_SERVER_WORKERS, ...).
    environment: Mapping[str, str] = field(default_factory=dict)

    def create_call(self) -> ApiCall:
        container: dict[str, object] = {"Image": self.image, "ModelDataUrl": self.model_data_url}
        if self.environment:
            container["Environment"] = dict(self.environment)
        return ApiCall(Service.SAGEMAKER, "CreateModel",
                       {"ModelName": self.name, "PrimaryContainer": container,
                        "ExecutionRoleArn": self.role_arn}, self.name)


def delete_model_call(name: str) -> ApiCall:
    return ApiCall(Service.SAGEMAKER, "DeleteModel", {"ModelName": name}, name)
