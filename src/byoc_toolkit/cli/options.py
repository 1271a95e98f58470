"""Options shared by several ``byoc`` commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..program import PROGRAM_ENV

FC = TypeVar("FC", bound=Callable[..., Any])

program_option = click.option(
    "--program", "-p", envvar=PROGRAM_ENV, metavar="FILE.py|MODULE",
    help=f"The user's code: a .py file or an importable module [env: {PROGRAM_ENV}].")

root_option = click.option(
    "--root", envvar="SAGEMAKER_BASE_DIR", metavar="DIR",
    type=click.Path(file_okay=False, path_type=str),
    help="Root of the /opt/ml tree [env: SAGEMAKER_BASE_DIR; default: /opt/ml].")


def host_option(default: str, help: str) -> Callable[[FC], FC]:
    """``--host``: the address the server listens on."""

    def check(ctx: click.Context, param: click.Parameter, value: str) -> str:
        if ":" in value:
            raise click.BadParameter("multi-model-server listens on IPv4 addresses and host "
                                     "names only", ctx, param)
        return value

    return click.option("--host", default=default, show_default=True, metavar="ADDRESS",
                        callback=check, help=help)
