"""boto3 clients from the usual AWS configuration, and AWS failures as one-line errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import ByocError
from .api_calls import ApiCall, Service


class AwsError(ByocError):
    """An AWS call failed; the message is one line: what was being done, and why it failed."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        #: AWS's error code (``ValidationException``), when AWS answered.
        self.code = code


@contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Re-raise botocore's exceptions from the block as ``AwsError("<action>: <reason>")``."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code", "Error")
        raise AwsError(_one_line(f"{action}: {code}: {error.get('Message', '')}"),
                       code) from None
    except BotoCoreError as exc:
        raise AwsError(_one_line(f"{action}: {exc}")) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def aws_client(service: str, region: str | None = None, profile: str | None = None) -> Any:
    """A boto3 client for ``service``. Credentials, region and endpoint resolve as for the AWS
    CLI: the arguments, then AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL..., then ~/.aws."""
    import boto3

    # AWS_REGION comes before AWS_DEFAULT_REGION, as for the AWS CLI; boto3 reads only the
    # second.
    region = region or os.environ.get("AWS_REGION") or None
    with aws_errors("AWS configuration"):
        session = boto3.Session(region_name=region, profile_name=profile)
        if not session.region_name:
            raise AwsError("AWS configuration: no region; pass --region or set AWS_REGION")
        return session.client(service)


class AwsApi:
    """Sends ApiCalls, with one boto3 client per service made when first needed."""

    def __init__(self, region: str | None = None, profile: str | None = None) -> None:
        self._region = region
        self._profile = profile
        self._clients: dict[Service, Any] = {}

    def client(self, service: Service) -> Any:
        if service not in self._clients:
            self._clients[service] = aws_client(service.value, self._region, self._profile)
        return self._clients[service]

    def send(self, call: ApiCall) -> dict[str, Any]:
        """Make the call; its answer, or AwsError naming the operation and its target."""
        from botocore import xform_name

        # boto3 generates one method per operation, named by botocore's xform_name.
        method = getattr(self.client(call.service), xform_name(call.operation))
        with aws_errors(f"{call.operation} {call.target}"):
            answer: dict[str, Any] = method(**call.params)
        return answer
