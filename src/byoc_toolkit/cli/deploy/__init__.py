"""``byoc deploy``: SageMaker training, tuning and transform jobs and endpoints from a pushed
image. Each command checks what it can before any call, and ``--dry-run`` prints the
requests instead of sending them.

The commands are imported only when one of them runs: ``byoc train`` and ``byoc serve``, the
container's entry points, load the same ``byoc`` group and should not pay for them.
"""

from __future__ import annotations

from collections.abc import Callable

import click


def _train() -> click.Command:
    from .train import train

    return train


def _tune() -> click.Command:
    from .tune import tune

    return tune


def _endpoint() -> click.Command:
    from .endpoint import endpoint

    return endpoint


def _delete() -> click.Command:
    from .endpoint import delete

    return delete


def _transform() -> click.Command:
    from .transform import transform

    return transform


_COMMANDS: dict[str, Callable[[], click.Command]] = {
    "train": _train, "tune": _tune, "endpoint": _endpoint, "delete": _delete,
    "transform": _transform}


class _Deploy(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        load = _COMMANDS.get(cmd_name)
        return load() if load is not None else None


@click.group(cls=_Deploy)
def deploy() -> None:
    """Run an image on SageMaker: training and tuning jobs, endpoints, batch transform."""
