"""``byoc build``: a code dir on the generic Dockerfile, built into an image; ``byoc
dockerfile``: that Dockerfile, to start a custom one from."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from ..errors import log
from .dev_options import BadInput, one_line_errors, pairs_option


@click.command()
@click.argument("code_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--tag", "-t", required=True, metavar="IMAGE",
              help="Name for the image, e.g. decision-trees:latest.")
@click.option("--program", "-p", metavar="FILE",
              help="The file in CODE_DIR with the decorated functions "
                   "[default: the one top-level .py file that imports byoc_toolkit].")
# The environment variables let a CI machine (or the docs' tests) set its base image, wheel
# and network once, so that the commands a reader types build there unchanged.
@click.option("--base-image", metavar="IMAGE", envvar="BYOC_BASE_IMAGE", show_envvar=True,
              help="A Debian-based image with python3 >= 3.10, e.g. python:3.13-slim "
                   "[default: python:3.11-slim-bookworm].")
@click.option("--wheel", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar="BYOC_BUILD_WHEEL", show_envvar=True,
              help="Install this byoc-toolkit wheel instead of the release from PyPI.")
@click.option("--network", metavar="MODE", envvar="BYOC_BUILD_NETWORK", show_envvar=True,
              help="Network for the build's RUN steps, e.g. host.")
@click.option("--no-cache", is_flag=True, help="Build every layer anew (docker build --no-cache).")
@pairs_option("--build-arg", "build_args", help="Another Dockerfile arg: RUN_AS or BYOC_TOOLKIT.")
def build(code_dir: Path, tag: str, program: str | None, base_image: str | None,
          wheel: Path | None, network: str | None, no_cache: bool,
          build_args: dict[str, str]) -> None:
    """Build an image of CODE_DIR: byoc-toolkit, a Java runtime for serving, CODE_DIR's
    requirements.txt, and CODE_DIR itself at /opt/program.

    Left out: .git, virtual environments, caches, tests/ and local_test/, and whatever
    CODE_DIR/.dockerignore names (its `!` lines bring defaults back). The image runs
    ``train`` and ``serve`` as SageMaker calls them. Prints the tag.
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
        docker.build(Path(context), dockerfile(), tag, args, network, no_cache)
    log(f"built {tag} in {time.monotonic() - started:.0f} s")
    click.echo(tag)


@click.command("dockerfile")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write it to this file (which must not exist) [default: stdout].")
def dockerfile_command(out: Path | None) -> None:
    """Print the generic Dockerfile that `byoc build` uses, to start a custom one from.

    Its header lists the build args; `byoc build` passes CODE_DIR and PROGRAM.
    """
    from ..container.build_context import dockerfile

    with one_line_errors():
        text = dockerfile().read_text()
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        with out.open("x") as file:
            file.write(text)
    except FileExistsError:
        raise BadInput(f"{out} already exists; remove it or choose another --out") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    log(f"wrote {out}")
