"""The ``byoc`` command: the container's entry point and the developer's tools."""

from __future__ import annotations

import click

from .build import build, dockerfile_command
from .check import check
from .deploy import deploy
from .image import image
from .init import init
from .local import local
from .push import push
from .serve import serve
from .train import train


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="byoc-toolkit")
def cli() -> None:
    """Build and run Amazon SageMaker bring-your-own containers.

    Inside the container SageMaker calls ``byoc train`` and ``byoc serve``.
    """


cli.add_command(train)
cli.add_command(serve)
cli.add_command(local)
cli.add_command(build)
cli.add_command(dockerfile_command)
cli.add_command(image)
cli.add_command(push)
cli.add_command(deploy)
cli.add_command(check)
cli.add_command(init)


def main() -> None:
    cli(prog_name="byoc")
