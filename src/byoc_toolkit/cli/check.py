"""``byoc check``: an image against SageMaker's container contract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import BinaryIO

import click

from .dev_options import one_line_errors, pairs_option


@click.command()
@click.argument("image")
@click.option("--train-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="An /opt/ml tree (input/config, input/data) to train on [default for "
                   "byoc-toolkit images: data generated for the @train_fn].")
@click.option("--model", type=click.Path(exists=True, path_type=Path),
              metavar="DIR|FILE.tar.gz",
              help="The model to serve [default: what training wrote].")
@click.option("--payload", type=click.File("rb"),
              help="A request body the model accepts [default for byoc-toolkit images "
                   "trained on generated data: rows of that data].")
@click.option("--content-type", metavar="TYPE", help="The payload's Content-Type.")
@pairs_option("--env", "env", help="An environment variable for the containers, as "
              "CreateModel's or CreateTrainingJob's Environment.")
@click.option("--startup-timeout", type=click.FloatRange(1, 3600), default=240,
              metavar="SECONDS",
              show_default=True,
              help="Seconds /ping may take to answer 200 after start (SageMaker's "
                   "ContainerStartupHealthCheckTimeoutInSeconds).")
@click.option("--train-timeout", type=click.FloatRange(1), default=600, show_default=True,
              metavar="SECONDS",
              help="Seconds a training run may take.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check(image: str, train_dir: Path | None, model: Path | None,
          payload: BinaryIO | None, content_type: str | None,
          env: dict[str, str], startup_timeout: float, train_timeout: float,
          as_json: bool) -> None:
    """Check IMAGE, built by byoc or not, against SageMaker's container contract: the entry
    point and labels, training (exit code, model, failure file, SIGTERM) and serving
    (/ping, the port, connection and request times, a 6 MiB body, a read-only model dir,
    SIGTERM, multi-model API). One line per clause: PASS, FAIL or SKIP, what was measured,
    the rule and its documentation page. Exits 1 when a clause fails.

    Containers run with --network host on free ports.
    """
    from ..conformance.check import check_image
    from ..conformance.options import CheckOptions, Payload

    if (payload is None) != (content_type is None):
        raise click.UsageError("--payload and --content-type go together")
    body = None if payload is None or content_type is None else Payload(payload.read(),
                                                                          content_type)
    options = CheckOptions(image, train_dir=train_dir, model=model, payload=body, env=env,
                           startup_allowance=startup_timeout, training_limit=train_timeout)
    with one_line_errors():
        report = check_image(options)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        for line in report.lines():
            click.echo(line)
    sys.exit(0 if report.passed else 1)
