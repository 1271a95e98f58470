"""``byoc deploy tune``: a hyperparameter tuning job over a @train_fn's hyperparameters."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import click

from ...aws.job_watch import TUNING_JOB
from ...aws.naming import resource_name, timestamp
from ...aws.tuning_jobs import MAX_NAME_LENGTH, Strategy, TuningJob, best_job
from ...aws.tuning_ranges import parse_range
from ...errors import InputError, log
from ...training.metrics import metric_definitions
from ...training.parameters import Role
from ..dev_options import one_line_errors, pairs_option
from .options import aws_options, training_options, waiting_options
from .running import checked_train_fn, image_name, start_job, training_definition


@click.command()
@training_options
@click.option("--objective", required=True, metavar="METRIC",
              help="The metric to optimize: one of @train_fn(metrics=[...]).")
@click.option("--maximize/--minimize", "maximize", default=None,
              help="Whether a higher or a lower --objective is better (one is required).")
@pairs_option("--range", "ranges", help="A tuned hyperparameter: NAME=LO:HI or "
              "NAME=LO:HI:log (int or float), or NAME=a,b,c (any type).")
@pairs_option("--hp", "hyperparameters", help="A hyperparameter every job gets as it is.")
@click.option("--max-jobs", type=click.IntRange(min=1), required=True,
              help="Training jobs in all.")
@click.option("--parallel", "parallel_jobs", type=click.IntRange(min=1), default=1,
              show_default=True, help="Training jobs at a time.")
@click.option("--strategy", type=click.Choice(typing.get_args(Strategy)), default="Bayesian",
              show_default=True)
@click.option("--name", metavar="JOB",
              help="Tuning job name, at most 32 characters [default: <image name>-<UTC time>].")
@waiting_options(default=False)
@aws_options
def tune(image: str, program: str | None, channels: dict[str, str], objective: str,
         maximize: bool | None, ranges: dict[str, str], hyperparameters: dict[str, str],
         max_jobs: int, parallel_jobs: int, strategy: Strategy, name: str | None, wait: bool,
         poll_seconds: float, dry_run: bool, region: str | None, profile: str | None,
         **training: Any) -> None:
    """Start a hyperparameter tuning job. The ranges are checked against the --program's
    @train_fn signature (names, types, Literal and Enum choices), the other hyperparameters
    and the channels as byoc train checks them, the objective against its declared metrics.
    Prints the job name, and with --wait the best training job's name."""
    with one_line_errors():
        if program is None:
            raise InputError("byoc deploy tune needs --program: its @train_fn checks the "
                             "ranges and declares the objective metric")
        if maximize is None:
            raise InputError("give --maximize or --minimize")
        if not ranges:
            raise InputError("give at least one --range")
        both = sorted(set(ranges) & set(hyperparameters))
        if both:
            raise InputError(f"{', '.join(both)}: given both as --hp and as --range")
        spec = checked_train_fn(program, hyperparameters, channels, tuned=ranges)
        _check_objective(objective, spec.metrics)
        by_name = {p.name: p for p in spec.parameters if p.role is Role.HYPERPARAMETER}
        parsed = tuple(parse_range(n, text, by_name.get(n.replace("-", "_")))
                       for n, text in ranges.items())
        definition = training_definition(image, channels, metric_definitions(*spec.metrics),
                                         **training)
        job_name = name or resource_name(image_name(image), timestamp(), MAX_NAME_LENGTH)
        job = TuningJob(job_name, definition, parsed, objective,
                        "Maximize" if maximize else "Minimize", max_jobs, parallel_jobs,
                        strategy, hyperparameters)
        described = start_job([job.create_call()], TUNING_JOB, job.name, dry_run=dry_run,
                              wait=wait, poll_seconds=poll_seconds, region=region,
                              profile=profile)
        best = best_job(described) if described is not None else None
        if best is not None:
            log(f"best: {best.metric} = {best.value:g} with {_listed(best.hyperparameters)}")
            click.echo(best.name)


def _check_objective(objective: str, declared: Sequence[str]) -> None:
    if objective in declared:
        return
    close = difflib.get_close_matches(objective, declared, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listed = ", ".join(declared) or "none: list them in @train_fn(metrics=[...])"
    raise InputError(f"--objective {objective}: not a metric the @train_fn declares{hint}; "
                     f"declared: {listed}")


def _listed(values: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "no tuned values"
