"""What the ``byoc deploy`` commands do alike: check the program, send or print the calls,
and watch a job to its end."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import click

from ...aws.api_calls import ApiCall, calls_json
from ...aws.job_watch import JobKind, watch_job
from ...aws.session import AwsApi
from ...aws.training_jobs import Spot, TrainingDefinition
from ...container.references import parse_reference
from ...errors import InputError, log
from ...program import inspect_train_fn
from ...registry import TrainSpec
from ...training.parameters import check_inputs
from .options import DEFAULT_INSTANCE_TYPE


def image_name(image: str) -> str:
    """The image's name (``decision-trees``), the default base of the names byoc gives."""
    return parse_reference(image).name


def checked_train_fn(program: str, hyperparameters: Mapping[str, str],
                     channels: Collection[str], tuned: Collection[str] = ()) -> TrainSpec:
    """The program's @train_fn, once the job's hyperparameters and channels passed the
    checks ``byoc train`` makes (InvalidInputError otherwise: nothing is created)."""
    spec = inspect_train_fn(program)
    check_inputs(spec.parameters, hyperparameters, channels, tuned)
    return spec


def training_definition(image: str, channels: Mapping[str, str],
                        metric_definitions: Sequence[Mapping[str, str]], *, role_arn: str,
                        output_path: str, environment: Mapping[str, str],
                        instance_type: str | None, instance_count: int, volume_size_gb: int,
                        max_run_seconds: int, spot: bool, max_wait_seconds: int | None,
                        checkpoint_s3: str | None) -> TrainingDefinition:
    """The training options (options.training_options) as a TrainingDefinition."""
    if spot and max_wait_seconds is None:
        raise InputError("--spot needs --max-wait SECONDS (waiting for capacity plus "
                         "running; at least --max-run)")
    if max_wait_seconds is not None and not spot:
        raise InputError("--max-wait is for spot training: add --spot")
    return TrainingDefinition(
        image=image, role_arn=role_arn, output_path=output_path,
        instance_type=instance_type or DEFAULT_INSTANCE_TYPE, instance_count=instance_count,
        volume_size_gb=volume_size_gb, max_run_seconds=max_run_seconds, channels=channels,
        environment=environment, metric_definitions=metric_definitions,
        spot=Spot(max_wait_seconds) if max_wait_seconds is not None else None,
        checkpoint_s3=checkpoint_s3)


def print_calls(calls: Sequence[ApiCall]) -> None:
    """--dry-run: the requests on stdout, as JSON."""
    click.echo(calls_json(calls))
    log(f"dry run: {len(calls)} request(s) not sent")


def send_all(api: AwsApi, calls: Sequence[ApiCall]) -> None:
    for call in calls:
        api.send(call)
        log(f"{call.operation} {call.target}")


def watch(api: AwsApi, kind: JobKind, name: str, poll_seconds: float) -> Mapping[str, Any]:
    """Follow the job to its end, its log on stderr; its metrics, then its failure if it
    failed (a JobFailed); else its last description."""
    watched = watch_job(api, kind, name, poll_seconds, log,
                        lambda line: click.echo(line, err=True))
    for (source, metric_name), metric in sorted(watched.metrics.items()):
        step = f", step {metric.step}" if metric.step is not None else ""
        log(f"metric {metric_name} = {metric.value:g} ({source}{step})")
    failure = watched.failure(kind, name)
    if failure is not None:
        raise failure
    return watched.described


def start_job(calls: Sequence[ApiCall], kind: JobKind, name: str, *, dry_run: bool,
              wait: bool, poll_seconds: float, region: str | None,
              profile: str | None) -> Mapping[str, Any] | None:
    """Send the calls that start the job ``name`` and print its name, or with --dry-run
    print the calls instead; with --wait, follow the job to its end (see ``watch``) and
    return its last description."""
    if dry_run:
        print_calls(calls)
        return None
    api = AwsApi(region, profile)
    send_all(api, calls)
    click.echo(name)
    return watch(api, kind, name, poll_seconds) if wait else None
