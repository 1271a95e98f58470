"""``byoc deploy transform``: batch transform of an S3 prefix with a model."""

from __future__ import annotations

import typing

import click

from ...aws.job_watch import TRANSFORM_JOB
from ...aws.models import SageMakerModel
from ...aws.naming import resource_name, timestamp
from ...aws.transform_jobs import AssembleWith, BatchStrategy, SplitType, TransformJob
from ..dev_options import one_line_errors
from .options import (
    DEFAULT_INSTANCE_TYPE,
    S3_URI,
    aws_options,
    environment_option,
    image_option,
    instance_count_option,
    instance_type_option,
    model_data_option,
    role_option,
    waiting_options,
)
from .running import image_name, start_job


@click.command()
@image_option
@role_option
@model_data_option
@click.option("--input", "input_s3", required=True, type=S3_URI,
              help="The S3 prefix whose objects are transformed.")
@click.option("--output", "output_s3", required=True, type=S3_URI,
              help="Where <object>.out files are written.")
@click.option("--content-type", metavar="TYPE", help="The input's media type (text/csv, ...).")
@click.option("--accept", metavar="TYPE", help="The media type the output is asked in.")
@click.option("--split-type", type=click.Choice(typing.get_args(SplitType)), default="None",
              show_default=True, help="How input objects are cut into records.")
@click.option("--assemble-with", type=click.Choice(typing.get_args(AssembleWith)),
              help="How output records are joined [default: Line when split by Line].")
@click.option("--batch-strategy", type=click.Choice(typing.get_args(BatchStrategy)),
              help="Records per request: one, or as many as fit --max-payload.")
@click.option("--max-payload", "max_payload_mb", type=click.IntRange(0, 100), metavar="MB",
              help="Largest request body (SageMaker's default: 6).")
@click.option("--concurrency", "max_concurrent", type=click.IntRange(min=1), metavar="N",
              help="Requests in flight per instance.")
@environment_option
@instance_type_option
@instance_count_option
@click.option("--name", metavar="JOB", help="Job name, also the model's "
                                            "[default: <image name>-<UTC time>].")
@waiting_options(default=False)
@aws_options
def transform(image: str, role_arn: str, model_data_url: str, input_s3: str, output_s3: str,
              content_type: str | None, accept: str | None, split_type: SplitType,
              assemble_with: AssembleWith | None, batch_strategy: BatchStrategy | None,
              max_payload_mb: int | None, max_concurrent: int | None,
              environment: dict[str, str], instance_type: str | None, instance_count: int,
              name: str | None, wait: bool, poll_seconds: float, dry_run: bool,
              region: str | None, profile: str | None) -> None:
    """Run a batch transform job: a model (named as the job) from the image and
    model.tar.gz, then the job over every object under --input. Prints the job name, and
    with --wait the output prefix."""
    with one_line_errors():
        job_name = name or resource_name(image_name(image), timestamp())
        model = SageMakerModel(job_name, image, model_data_url, role_arn, environment)
        job = TransformJob(job_name, model.name, input_s3, output_s3,
                           instance_type or DEFAULT_INSTANCE_TYPE, instance_count,
                           content_type, accept, split_type, assemble_with, batch_strategy,
                           max_payload_mb, max_concurrent)
        described = start_job([model.create_call(), job.create_call()], TRANSFORM_JOB,
                              job.name, dry_run=dry_run, wait=wait, poll_seconds=poll_seconds,
                              region=region, profile=profile)
        if described is not None:
            click.echo(output_s3)
