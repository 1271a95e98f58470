"""``byoc init``: a ready project to start from."""

from __future__ import annotations

from pathlib import Path

import click

from .dev_options import one_line_errors


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Write a ready project into DIRECTORY (new or empty): program.py with a @train_fn and
    a @predict_fn, requirements.txt, local_test/ with sample data and the three config files,
    tests that use byoc_toolkit.testing, and a README with the commands. The directory's
    name becomes the image name in the README. Prints the files written."""
    from ..scaffold import write_project

    with one_line_errors():
        written = write_project(directory)
    for path in written:
        click.echo(str(path))
