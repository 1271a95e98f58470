"""What every ``byoc deploy`` command shares, as a subprocess: AWS failures and missing
configuration as one line, and --dry-run that needs no AWS at all where it reads nothing."""

from __future__ import annotations

import json

from support.commands import run_byoc
from support.deploy import IMAGE, ROLE_ARN


def test_aws_failures_are_one_line(aws_env):
    unreachable = {**aws_env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"}
    result = run_byoc("deploy", "endpoint", "--image", IMAGE, "--role", ROLE_ARN, "--name",
                      "dt", "--model-data", "s3://byoc-bucket/model.tar.gz", env=unreachable)

    assert result.returncode == 1
    assert result.stderr.startswith("Error: DescribeEndpoint dt: Could not connect to the "
                                    "endpoint URL")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_region_is_reported(aws_env):
    env = {**aws_env, "AWS_REGION": "", "AWS_DEFAULT_REGION": ""}
    result = run_byoc("deploy", "endpoint", "--image", IMAGE, "--role", ROLE_ARN,
                      "--model-data", "s3://byoc-bucket/model.tar.gz", env=env)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: AWS configuration: no region; pass --region or set AWS_REGION")


def test_dry_runs_of_jobs_need_no_aws(aws_env):
    offline = {**aws_env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_REGION": "",
               "AWS_DEFAULT_REGION": ""}
    result = run_byoc("deploy", "transform", "--image", IMAGE, "--role", ROLE_ARN,
                      "--model-data", "s3://byoc-bucket/model.tar.gz",
                      "--input", "s3://byoc-bucket/in/", "--output", "s3://byoc-bucket/out/",
                      "--name", "dt-batch", "--dry-run", env=offline)

    assert result.returncode == 0, result.stderr
    model, job = json.loads(result.stdout)
    assert (model["operation"], model["request"]["ModelName"]) == ("CreateModel", "dt-batch")
    assert (job["operation"], job["request"]["ModelName"]) == ("CreateTransformJob", "dt-batch")
