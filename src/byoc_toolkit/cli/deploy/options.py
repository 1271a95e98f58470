"""Options the ``byoc deploy`` commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..dev_options import pairs_option, profile_option, region_option
from ..options import program_option

FC = TypeVar("FC", bound=Callable[..., Any])


class S3Uri(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.4
    name = "s3_uri"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        if not str(value).startswith("s3://"):
            self.fail(f"expected an s3:// URI, got {value!r}", param, ctx)
        return str(value)


S3_URI = S3Uri()
DEFAULT_INSTANCE_TYPE = "ml.m5.large"

image_option = click.option(
    "--image", required=True, metavar="URI",
    help="The image in ECR, best by digest as byoc push prints it.")
role_option = click.option(
    "--role", "role_arn", required=True, envvar="BYOC_ROLE_ARN", metavar="ARN",
    help="IAM role SageMaker assumes [env: BYOC_ROLE_ARN].")
model_data_option = click.option(
    "--model-data", "model_data_url", required=True, type=S3_URI,
    help="The model.tar.gz, e.g. as byoc deploy train --wait prints it.")
instance_type_option = click.option(
    "--instance-type", metavar="TYPE", help=f"[default: {DEFAULT_INSTANCE_TYPE}]")
instance_count_option = click.option(
    "--instance-count", type=click.IntRange(min=1), default=1, show_default=True,
    help="Instances (hosts) to run on.")
environment_option = pairs_option(
    "--environment", "--env", "environment", help="An environment variable for the container.")
dry_run_option = click.option(
    "--dry-run", is_flag=True,
    help="Print the API requests as JSON and send none (only reads are made, where the "
         "requests depend on what exists).")


def waiting_options(default: bool) -> Callable[[FC], FC]:
    """--wait/--no-wait (default ``default``) and --poll-seconds."""
    def apply(f: FC) -> FC:
        f = click.option("--poll-seconds", type=click.FloatRange(min=0), default=15.0,
                         show_default=True, help="How often --wait asks SageMaker.")(f)
        return click.option("--wait/--no-wait", default=default, show_default=True,
                            help="Wait until SageMaker is done, showing progress.")(f)
    return apply


def aws_options(f: FC) -> FC:
    """--dry-run, --region and --profile."""
    return dry_run_option(region_option(profile_option(f)))


def training_options(f: FC) -> FC:
    """What a training job and a tuning job's jobs share: --image, --program, --channel and
    what running.training_definition takes."""
    for option in reversed((
            image_option, program_option, role_option,
            click.option("--output", "output_path", required=True, type=S3_URI,
                         help="Where SageMaker writes <job>/output/model.tar.gz."),
            pairs_option("--channel", "channels", value_type=S3_URI,
                         help="A channel: NAME=s3://bucket/prefix/."),
            environment_option, instance_type_option, instance_count_option,
            click.option("--volume-gb", "volume_size_gb", type=click.IntRange(min=1),
                         default=30, show_default=True, help="Disk per instance."),
            click.option("--max-run", "max_run_seconds", type=click.IntRange(min=1),
                         default=24 * 3600, show_default=True, metavar="SECONDS",
                         help="SageMaker stops the job after this long."),
            click.option("--spot", is_flag=True,
                         help="Managed spot training (needs --max-wait)."),
            click.option("--max-wait", "max_wait_seconds", type=click.IntRange(min=1),
                         metavar="SECONDS", help="With --spot: waiting for spot capacity "
                         "plus running, at least --max-run."),
            click.option("--checkpoint-s3", type=S3_URI, metavar="S3_URI",
                         help="Kept in sync with /opt/ml/checkpoints (CheckpointConfig), so "
                              "an interrupted spot job resumes from it."))):
        f = option(f)
    return f
