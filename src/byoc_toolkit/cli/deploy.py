"""``byoc deploy train|endpoint``: SageMaker training jobs and endpoints from a pushed image."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import click

from ..errors import log
from .dev_options import one_line_errors, pairs_option, profile_option, region_option
from .options import program_option


class S3Uri(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.4
    name = "s3_uri"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        if not str(value).startswith("s3://"):
            self.fail(f"expected an s3:// URI, got {value!r}", param, ctx)
        return str(value)


S3_URI = S3Uri()

image_option = click.option(
    "--image", required=True, metavar="URI",
    help="The image in ECR, best by digest as byoc push prints it.")
role_option = click.option(
    "--role", "role_arn", required=True, envvar="BYOC_ROLE_ARN", metavar="ARN",
    help="IAM role SageMaker assumes [env: BYOC_ROLE_ARN].")
instance_type_option = click.option(
    "--instance-type", default="ml.m5.large", show_default=True, metavar="TYPE")
instance_count_option = click.option(
    "--instance-count", type=click.IntRange(min=1), default=1, show_default=True)
environment_option = pairs_option(
    "--env", "environment", help="An environment variable for the container.")
wait_option = click.option(
    "--wait/--no-wait", default=False, help="Wait until SageMaker is done, showing progress.")
poll_option = click.option(
    "--poll-seconds", type=click.FloatRange(min=0), default=15.0, show_default=True,
    help="How often --wait asks SageMaker.")


@click.group()
def deploy() -> None:
    """Run an image on SageMaker: a training job, or a real-time endpoint."""


@deploy.command()
@image_option
@role_option
@click.option("--output", "output_path", required=True, type=S3_URI,
              help="Where SageMaker writes <job>/output/model.tar.gz.")
@pairs_option("--hp", "hyperparameters", help="A hyperparameter (sent as a string).")
@pairs_option("--channel", "channels", value_type=S3_URI,
              help="A channel: NAME=s3://bucket/prefix/.")
@environment_option
@program_option
@instance_type_option
@instance_count_option
@click.option("--volume-gb", "volume_size_gb", type=click.IntRange(min=1), default=30,
              show_default=True)
@click.option("--max-runtime", "max_runtime_seconds", type=click.IntRange(min=1),
              default=24 * 3600, show_default=True, metavar="SECONDS")
@click.option("--name", metavar="JOB", help="Job name [default: <image name>-<UTC time>].")
@wait_option
@poll_option
@region_option
@profile_option
def train(image: str, name: str | None, program: str | None, wait: bool,
          poll_seconds: float, region: str | None, profile: str | None,
          **job_settings: Any) -> None:
    """Start a training job. With --program, its @train_fn(metrics=[...]) become the job's
    MetricDefinitions. Prints the job name, and with --wait the model artifact's URI."""
    from ..aws.naming import resource_name, timestamp
    from ..aws.session import aws_client
    from ..aws.training_jobs import (
        FINAL_STATUSES,
        TrainingJob,
        create_training_job,
        describe_training_job,
        training_job_status,
    )

    with one_line_errors():
        job = TrainingJob(name=name or resource_name(_image_name(image), timestamp()),
                          image=image, metric_definitions=_declared_metrics(program),
                          **job_settings)
        sagemaker = aws_client("sagemaker", region, profile)
        log(f"created training job {create_training_job(sagemaker, job)}")
        click.echo(job.name)
        if wait:
            _wait(lambda: training_job_status(sagemaker, job.name), FINAL_STATUSES,
                  "Completed", f"training job {job.name}", poll_seconds)
            described = describe_training_job(sagemaker, job.name)
            click.echo(described["ModelArtifacts"]["S3ModelArtifacts"])


@deploy.command()
@image_option
@role_option
@click.option("--model-data", "model_data_url", required=True, type=S3_URI,
              help="The model.tar.gz, e.g. as byoc deploy train --wait prints it.")
@environment_option
@instance_type_option
@instance_count_option
@click.option("--name", metavar="ENDPOINT", help="Endpoint name [default: the image name].")
@wait_option
@poll_option
@region_option
@profile_option
def endpoint(image: str, name: str | None, wait: bool, poll_seconds: float,
             region: str | None, profile: str | None, **model_settings: Any) -> None:
    """Create a model and an endpoint config (both named <endpoint>-<UTC time>) and the
    endpoint serving them. Prints the endpoint name."""
    from ..aws.endpoints import (
        FINAL_STATUSES,
        EndpointDeployment,
        deploy_endpoint,
        endpoint_status,
    )
    from ..aws.naming import resource_name, timestamp
    from ..aws.session import aws_client

    with one_line_errors():
        deployment = EndpointDeployment(
            endpoint_name=resource_name(name or _image_name(image)), suffix=timestamp(),
            image=image, **model_settings)
        sagemaker = aws_client("sagemaker", region, profile)
        deploy_endpoint(sagemaker, deployment)
        log(f"created model and endpoint config {deployment.model_name}, "
                 f"and endpoint {deployment.endpoint_name}")
        click.echo(deployment.endpoint_name)
        if wait:
            _wait(lambda: endpoint_status(sagemaker, deployment.endpoint_name),
                  FINAL_STATUSES, "InService", f"endpoint {deployment.endpoint_name}",
                  poll_seconds)


def _declared_metrics(program: str | None) -> list[dict[str, str]]:
    from ..training.metrics import declared_metric_definitions

    return declared_metric_definitions(program) if program else []


def _image_name(image: str) -> str:
    from ..container.references import parse_reference

    return parse_reference(image).name


def _wait(poll: Callable[[], tuple[str, str | None]], final: Collection[str], success: str,
          what: str, interval: float) -> None:
    """Poll until a final status, showing each change; anything but ``success`` fails."""
    from ..aws.waiting import wait_for

    status, detail = wait_for(poll, final, lambda line: log(f"{what}: {line}"), interval)
    if status != success:
        raise click.ClickException(f"{what} ended {status}: {detail or 'no reason given'}")
