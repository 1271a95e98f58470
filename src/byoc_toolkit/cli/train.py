"""``byoc train``: what SageMaker runs as ``docker run IMAGE train``."""

from __future__ import annotations

import sys

import click

from .options import program_option, root_option


@click.command()
@program_option
@root_option
def train(program: str | None, root: str | None) -> None:
    """Run the program's @train_fn against the /opt/ml contract.

    On failure, writes the reason to output/failure and exits non-zero: 1 when the training
    code failed, 2 when the job's input or the program is unusable, 143 when stopped.
    """
    from ..training.runner import run_training

    sys.exit(run_training(program, root))
