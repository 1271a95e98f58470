"""``byoc push``: a local image into Amazon ECR."""

from __future__ import annotations

from collections.abc import Sequence

import click

from ..errors import log
from .dev_options import one_line_errors, profile_option, region_option


@click.command()
@click.argument("image")
@click.option("--repository", metavar="NAME",
              help="ECR repository, created when missing [default: IMAGE's repository].")
@click.option("--registry", metavar="HOST[:PORT]",
              help="Push to this registry instead of the account's ECR registry; the "
                   "repository and the login still come from ECR (for mirrors and tests).")
@region_option
@profile_option
def push(image: str, repository: str | None, registry: str | None, region: str | None,
         profile: str | None) -> None:
    """Push the local IMAGE to Amazon ECR: create the repository when missing, log docker
    in with an ECR token, tag and push. Prints the pushed image by digest, the reference to
    deploy."""
    from ..aws.ecr import ensure_repository, registry_login
    from ..aws.session import aws_client
    from ..container import docker
    from ..container.references import parse_reference

    with one_line_errors():
        reference = parse_reference(image)
        if reference.tag is None:
            raise click.ClickException(f"{image} is a digest reference; push a tag")
        if not docker.image_exists(image):
            raise click.ClickException(f"no local image {image}; build it with byoc build")
        repository = repository or reference.repository
        ecr = aws_client("ecr", region, profile)
        uri, created = ensure_repository(ecr, repository)
        log(f"{'created' if created else 'found'} ECR repository {uri}")
        login = registry_login(ecr)
        host = registry or login.registry
        docker.login(host, login.username, login.password)
        target = f"{host}/{repository}:{reference.tag}"
        docker.tag(image, target)
        log(f"pushing {target}")
        docker.push(target)
        pushed = _by_digest(f"{host}/{repository}", docker.repo_digests(target))
    log(f"pushed {target}")
    click.echo(pushed)


def _by_digest(repository: str, digests: Sequence[str]) -> str:
    for reference in digests:
        if reference.startswith(f"{repository}@"):
            return reference
    raise click.ClickException(f"docker reports no digest for {repository} after the push")
