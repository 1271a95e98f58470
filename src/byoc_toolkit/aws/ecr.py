"""Amazon ECR: the repository an image is pushed to, and the login for ``docker login``."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .session import aws_errors


@dataclass(frozen=True)
class RegistryLogin:
    registry: str
    username: str
    password: str = field(repr=False)


def ensure_repository(ecr: Any, name: str) -> tuple[str, bool]:
    """The URI of repository ``name``, created when missing; and whether it was created."""
    with aws_errors(f"ECR repository {name}"):
        try:
            found = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
            return found["repositoryUri"], False
        except ecr.exceptions.RepositoryNotFoundException:
            created = ecr.create_repository(repositoryName=name)["repository"]
            return created["repositoryUri"], True


def registry_login(ecr: Any) -> RegistryLogin:
    """The account's registry host and a 12-hour password, from GetAuthorizationToken."""
    with aws_errors("ECR authorization token"):
        data = ecr.get_authorization_token()["authorizationData"][0]
    username, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    return RegistryLogin(urlsplit(data["proxyEndpoint"]).netloc, username, password)
