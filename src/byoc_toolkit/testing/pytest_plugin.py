"""byoc-toolkit's pytest plugin (registered through the ``pytest11`` entry point, so it is
active wherever byoc-toolkit is installed): fixtures for an /opt/ml tree and endpoints."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

from .tree import TrainingTree

if TYPE_CHECKING:
    from .endpoints import Endpoint


class OpenEndpoint(Protocol):
    """The ``byoc_endpoint`` fixture: opens an endpoint that closes after the test."""

    def __call__(self, program: str | os.PathLike[str], model_dir: str | os.PathLike[str],
                 *, local: bool = False,
                 env: Mapping[str, str] | None = None) -> Endpoint: ...


@pytest.fixture
def byoc_tree(tmp_path: Path) -> TrainingTree:
    """An empty /opt/ml tree in ``tmp_path / "opt_ml"``: write its config files and
    channels with the TrainingTree methods, then pass ``root=byoc_tree.root`` to
    run_training."""
    return TrainingTree(tmp_path / "opt_ml")


@pytest.fixture
def byoc_endpoint() -> Iterator[OpenEndpoint]:
    """``byoc_endpoint(program, model_dir, local=False, env=None)``: an open endpoint,
    in-process (InProcessEndpoint) or, with ``local=True``, the real ``byoc serve``
    (LocalEndpoint); every one opened is closed after the test."""
    # Imported here: the serving pipeline loads numpy, and pytest loads this plugin in
    # every session.
    from .endpoints import InProcessEndpoint, LocalEndpoint

    opened: list[Endpoint] = []

    def open_endpoint(program: str | os.PathLike[str], model_dir: str | os.PathLike[str],
                      *, local: bool = False,
                      env: Mapping[str, str] | None = None) -> Endpoint:
        kind = LocalEndpoint if local else InProcessEndpoint
        endpoint = kind(program, model_dir, env=env)
        endpoint.open()
        opened.append(endpoint)
        return endpoint

    yield open_endpoint
    for endpoint in reversed(opened):
        endpoint.close()
