"""What the ``byoc deploy`` tests share: an image and a role as SageMaker would get them,
unique names, and job logs put into moto's CloudWatch Logs."""

from __future__ import annotations

import time
import uuid
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/byoc-test"
IMAGE = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/decision-trees@sha256:{'ab' * 32}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def put_job_log(logs: Any, group: str, job_name: str, host: str, lines: list[str]) -> None:
    """``lines`` as the stream SageMaker writes for ``host`` (``<job>/algo-1-<epoch>``)."""
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    stream = f"{job_name}/{host}-{int(time.time())}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": now + i, "message": line} for i, line in enumerate(lines)])
