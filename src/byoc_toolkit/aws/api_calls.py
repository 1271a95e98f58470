"""AWS API requests as data: built without AWS, printed as JSON by ``--dry-run``, sent by
``session.AwsApi`` otherwise."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class Service(enum.Enum):
    """The AWS services byoc calls, by their boto3 names."""

    SAGEMAKER = "sagemaker"
    APPLICATION_AUTOSCALING = "application-autoscaling"
    LOGS = "logs"
    ECR = "ecr"


@dataclass(frozen=True)
class ApiCall:
    """One request: the service, the operation as AWS names it, and its parameters."""

    service: Service
    operation: str
    params: Mapping[str, Any]
    #: The name of what the call acts on, for messages: ``dt-20250102-030405-678``.
    target: str

    def as_json(self) -> dict[str, Any]:
        return {"service": self.service.value, "operation": self.operation,
                "request": self.params}


def calls_json(calls: Iterable[ApiCall]) -> str:
    """The calls as a JSON array, as ``--dry-run`` prints them."""
    return json.dumps([call.as_json() for call in calls], indent=2)
