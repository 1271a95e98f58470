"""``byoc image``: the steps of an image build that need byoc-toolkit itself, run by the
generic Dockerfile and usable in custom ones."""

from __future__ import annotations

from pathlib import Path

import click

from .dev_options import one_line_errors


@click.group()
def image() -> None:
    """Steps of an image build (the generic Dockerfile runs them; see `byoc dockerfile`)."""


@image.command("java-runtime")
@click.argument("output", type=click.Path(file_okay=False, path_type=Path))
def java_runtime(output: Path) -> None:
    """Write to OUTPUT a Java runtime with only the modules multi-model-server's front end
    needs (jlink, from the JDK on PATH); point JAVA_HOME at it."""
    from ..serving.mms.java_runtime import link

    with one_line_errors():
        link(output)


@image.command("class-archive")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def class_archive(archive: Path) -> None:
    """Start the front end once and write its class-data archive to ARCHIVE; set
    BYOC_FRONTEND_CLASS_ARCHIVE to it so that `byoc serve` starts faster. Run it where the
    image's Java runtime and byoc-toolkit are installed, as in the final image."""
    from ..serving.mms.class_archive import create

    with one_line_errors():
        create(archive)
