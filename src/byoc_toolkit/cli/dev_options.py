"""What the developer commands (build, push, deploy) share: NAME=VALUE options, the AWS
region and profile, and failures reported as one line."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from ..errors import ByocError, InputError
from .options import FC


def pairs_option(*decls: str, help: str,
                 value_type: click.ParamType[Any, Any] = click.STRING) -> Callable[[FC], FC]:
    """A repeatable ``NAME=VALUE`` option whose value is a dict of ``value_type`` values."""

    def parse(ctx: click.Context, param: click.Parameter,
              values: Sequence[str]) -> dict[str, Any]:
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


class BadInput(click.ClickException):
    """An InputError as click reports it: ``Error: <one line>``, exit status 2."""

    exit_code = InputError.exit_code


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Report byoc's errors as ``Error: <one line>``: exit status 2 for bad input, else 1."""
    try:
        yield
    except InputError as exc:
        raise BadInput(str(exc)) from None
    except ByocError as exc:
        raise click.ClickException(str(exc)) from None

