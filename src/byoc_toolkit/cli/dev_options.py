"""What the developer commands (build, push, deploy) share: NAME=VALUE options, the AWS
region and profile, and failures reported as one line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from ..aws.session import AwsError
from ..container.build_context import BuildInputError
from ..container.docker import DockerError
from ..container.references import ImageReferenceError
from ..program import ProgramError


def pairs_option(*decls: str, help: str, value_type: click.ParamType = click.STRING) -> Any:
    """A repeatable ``NAME=VALUE`` option whose value is a dict of ``value_type`` values."""

    def parse(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> dict:
        pairs: dict[str, Any] = {}
        for value in values:
            name, equals, text = value.partition("=")
            if not equals or not name:
                raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", ctx, param)
            if name in pairs:
                raise click.BadParameter(f"{name} given twice", ctx, param)
            pairs[name] = value_type.convert(text, param, ctx)
        return pairs

    return click.option(*decls, multiple=True, metavar="NAME=VALUE", callback=parse,
                        help=f"{help} Repeatable.")


region_option = click.option(
    "--region", metavar="REGION",
    help="AWS region [default: AWS_REGION, AWS_DEFAULT_REGION or the profile's region].")

profile_option = click.option(
    "--profile", metavar="NAME", help="AWS profile [default: AWS_PROFILE, else 'default'].")


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Report the failures a developer can act on as ``Error: <one line>``, exit status 1."""
    try:
        yield
    except (AwsError, BuildInputError, DockerError, ImageReferenceError, ProgramError) as exc:
        raise click.ClickException(str(exc)) from None


def progress(message: str) -> None:
    """A progress line on stderr; stdout carries only results."""
    click.echo(f"byoc: {message}", err=True)
