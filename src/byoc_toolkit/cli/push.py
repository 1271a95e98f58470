"""``byoc push``: a local image into Amazon ECR."""

from __future__ import annotations

from collections.abc import Sequence

import click

from ..errors import ByocError, log
from .dev_options import one_line_errors, profile_option, region_option


@click.command()
@click.argument("image")
@click.option("--repository", metavar="NAME",
              help="ECR repository, created when missing [default: IMAGE's repository].")
@click.option("--registry", metavar="HOST[:PORT]", envvar="BYOC_PUSH_REGISTRY", show_envvar=True,
              help="Push through this registry (a mirror that copies into ECR) instead of "
                   "the account's ECR registry; the repository and the login still come from "
                   "ECR.")
@region_option
@profile_option
def push(image: str, repository: str | None, registry: str | None, region: str | None,
         profile: str | None) -> None:
    """Push the local IMAGE to Amazon ECR: create the repository when missing, log docker
    in with an ECR token, tag and push. Prints the image's ECR URI by digest, what byoc
    deploy takes (with --registry, the mirror's reference goes to stderr)."""
    from ..aws.ecr import ensure_repository, registry_login
    from ..aws.session import aws_client
    from ..container import docker
    from ..container.references import parse_reference
    from ..container.registries import resolve_error

    with one_line_errors():
        reference = parse_reference(image)
        if reference.tag is None:
            raise click.ClickException(f"{image} is a digest reference; push a tag")
        if not docker.image_exists(image):
            raise click.ClickException(f"no local image {image}; build it with byoc build")
        repository = repository or reference.repository
        ecr = aws_client("ecr", region, profile)
        login = registry_login(ecr)
        host = registry or login.registry
        unresolved = resolve_error(host)
        if unresolved is not None:
            hint = ("" if registry else "; to push through a registry this machine reaches, "
                    "pass --registry HOST[:PORT]")
            raise ByocError(f"{'registry' if registry else 'the ECR registry'} {host} does "
                            f"not resolve ({unresolved}){hint}")
        uri, created = ensure_repository(ecr, repository)
        log(f"{'created' if created else 'found'} ECR repository {uri}")
        docker.login(host, login.username, login.password)
        target = f"{host}/{repository}:{reference.tag}"
        docker.tag(image, target)
        log(f"pushing {target}")
        docker.push(target)
        digest = _digest(f"{host}/{repository}", docker.repo_digests(target))
    if registry:
        log(f"pushed {host}/{repository}@{digest} (through --registry)")
    click.echo(f"{uri}@{digest}")


def _digest(repository: str, references: Sequence[str]) -> str:
    """The ``sha256:...`` digest docker recorded for ``repository`` when pushing."""
    for reference in references:
        name, at, digest = reference.partition("@")
        if at and name == repository:
            return digest
    raise click.ClickException(f"docker reports no digest for {repository} after the push")
