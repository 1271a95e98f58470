"""``byoc build``: a code dir on the generic Dockerfile, built into an image."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from ..errors import log
from .dev_options import one_line_errors, pairs_option


@click.command()
@click.argument("code_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--tag", "-t", required=True, metavar="IMAGE",
              help="Name for the image, e.g. decision-trees:latest.")
@click.option("--program", "-p", metavar="FILE",
              help="The file in CODE_DIR with the decorated functions "
                   "[default: the one top-level .py file that imports byoc_toolkit].")
@click.option("--base-image", metavar="IMAGE",
              help="Debian bookworm with python3 [default: python:3.11-slim-bookworm].")
@click.option("--wheel", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Install this byoc-toolkit wheel instead of the release from PyPI.")
@click.option("--network", metavar="MODE", help="Network for the build's RUN steps, e.g. host.")
@pairs_option("--build-arg", "build_args",
              help="Another Dockerfile arg: RUN_AS, JRE_PACKAGE or BYOC_TOOLKIT.")
def build(code_dir: Path, tag: str, program: str | None, base_image: str | None,
          wheel: Path | None, network: str | None, build_args: dict[str, str]) -> None:
    """Build an image of CODE_DIR: byoc-toolkit, a JRE for serving, CODE_DIR's
    requirements.txt, and CODE_DIR itself (without caches and local_test/) at /opt/program.

    The image runs ``train`` and ``serve`` as SageMaker calls them. Prints the tag.
    """
    from ..container import docker
    from ..container.build_context import dockerfile, prepare_context

    started = time.monotonic()
    with one_line_errors(), tempfile.TemporaryDirectory(prefix="byoc-build-") as context:
        docker.executable()
        args = prepare_context(code_dir, program, wheel, Path(context))
        if base_image:
            args["BASE_IMAGE"] = base_image
        args.update(build_args)
        log(f"building {tag} from {code_dir} (program {args['PROGRAM']})")
        docker.build(Path(context), dockerfile(), tag, args, network)
    log(f"built {tag} in {time.monotonic() - started:.0f} s")
    click.echo(tag)
