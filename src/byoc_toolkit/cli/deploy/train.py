"""``byoc deploy train``: a SageMaker training job."""

from __future__ import annotations

from typing import Any

import click

from ...aws.job_watch import TRAINING_JOB
from ...aws.naming import resource_name, timestamp
from ...aws.training_jobs import MAX_KEEP_ALIVE_SECONDS, TrainingJob
from ...errors import log
from ...training.metrics import metric_definitions
from ..dev_options import one_line_errors, pairs_option
from .options import aws_options, training_options, waiting_options
from .running import checked_train_fn, image_name, start_job, training_definition


@click.command()
@training_options
@pairs_option("--hp", "hyperparameters", help="A hyperparameter (sent as a string).")
@click.option("--keep-alive", "keep_alive_seconds", metavar="SECONDS",
              type=click.IntRange(0, MAX_KEEP_ALIVE_SECONDS),
              help="Keep the instances this long after the job (a warm pool, at most 3600) "
                   "for a next job with the same settings.")
@click.option("--name", metavar="JOB", help="Job name [default: <image name>-<UTC time>].")
@waiting_options(default=False)
@aws_options
def train(image: str, program: str | None, channels: dict[str, str],
          hyperparameters: dict[str, str], keep_alive_seconds: int | None, name: str | None,
          wait: bool, poll_seconds: float, dry_run: bool, region: str | None,
          profile: str | None, **training: Any) -> None:
    """Start a training job. With --program, the hyperparameters and channels are checked
    against its @train_fn first (as byoc train checks them) and its metrics become the
    job's MetricDefinitions. Prints the job name, and with --wait the model's S3 URI."""
    with one_line_errors():
        metrics: list[dict[str, str]] = []
        if program is not None:
            spec = checked_train_fn(program, hyperparameters, channels)
            metrics = metric_definitions(*spec.metrics)
        else:
            log("no --program: the hyperparameters and channels are not checked")
        definition = training_definition(image, channels, metrics, **training)
        job = TrainingJob(name or resource_name(image_name(image), timestamp()), definition,
                          hyperparameters, keep_alive_seconds)
        described = start_job([job.create_call()], TRAINING_JOB, job.name, dry_run=dry_run,
                              wait=wait, poll_seconds=poll_seconds, region=region,
                              profile=profile)
        if described is not None:
            click.echo(described["ModelArtifacts"]["S3ModelArtifacts"])
