"""Options shared by several ``byoc`` commands."""

from __future__ import annotations

import click

from ..program import PROGRAM_ENV

program_option = click.option(
    "--program", "-p", envvar=PROGRAM_ENV, metavar="FILE.py|MODULE",
    help=f"The user's code: a .py file or an importable module [env: {PROGRAM_ENV}].")

root_option = click.option(
    "--root", envvar="SAGEMAKER_BASE_DIR", metavar="DIR",
    type=click.Path(file_okay=False, path_type=str),
    help="Root of the /opt/ml tree [env: SAGEMAKER_BASE_DIR; default: /opt/ml].")
