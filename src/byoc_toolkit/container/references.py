"""Docker image references: ``[registry/]repository[:tag][@digest]``."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError


class ImageReferenceError(InputError):
    """Not an image reference."""


@dataclass(frozen=True)
class ImageReference:
    registry: str | None
    repository: str
    #: ``latest`` when the reference names neither a tag nor a digest, as for docker.
    tag: str | None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The repository's last path component, e.g. ``decision-trees``."""
        return self.repository.rsplit("/", 1)[-1]


def parse_reference(reference: str) -> ImageReference:
    """Split an image reference into its parts."""
    rest, at, digest = reference.partition("@")
    first, slash, path = rest.partition("/")
    # As docker decides: a first component with a dot or a port, or localhost, is a host.
    registry = None
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, path
    repository, colon, tag = rest.rpartition(":")
    if not colon:
        repository, tag = rest, ("" if digest else "latest")
    if not repository or (colon and not tag) or (at and not digest):
        raise ImageReferenceError(f"{reference!r} is not an image reference")
    return ImageReference(registry, repository, tag or None, digest or None)
