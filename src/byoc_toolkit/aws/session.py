"""boto3 clients from the usual AWS configuration, and AWS failures as one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import ByocError


class AwsError(ByocError):
    """An AWS call failed; the message is one line: what was being done, and why it failed."""


@contextmanager
def aws_errors(action: str) -> Iterator[None]:
    """Re-raise botocore's exceptions from the block as ``AwsError("<action>: <reason>")``."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        reason = f"{error.get('Code', 'Error')}: {error.get('Message', '')}"
        raise AwsError(_one_line(f"{action}: {reason}")) from None
    except BotoCoreError as exc:
        raise AwsError(_one_line(f"{action}: {exc}")) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def aws_client(service: str, region: str | None = None, profile: str | None = None) -> Any:
    """A boto3 client for ``service``. Credentials, region and endpoint resolve as for the AWS
    CLI: the arguments, then AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL..., then ~/.aws."""
    import boto3

    with aws_errors("AWS configuration"):
        session = boto3.Session(region_name=region, profile_name=profile)
        if not session.region_name:
            raise AwsError("AWS configuration: no region; pass --region or set AWS_REGION")
        return session.client(service)
