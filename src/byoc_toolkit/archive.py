"""model.tar.gz: packing a model dir as SageMaker does, and unpacking one safely."""

from __future__ import annotations

import os
import tarfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath


class UnsafeArchiveError(ValueError):
    """A member would land outside the target directory, or is not a plain file or dir."""


def pack_model(model_dirs: Path | Sequence[Path], archive: Path) -> Path:
    """Write the contents of the model dir(s) to ``archive`` (gzip tar, paths relative to
    each dir), as SageMaker uploads /opt/ml/model: with several hosts, all of them into one
    archive (a later host's file of the same name wins)."""
    dirs = [model_dirs] if isinstance(model_dirs, Path) else list(model_dirs)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        for directory in dirs:
            for entry in sorted(directory.iterdir()):
                tar.add(entry, arcname=entry.name)
    return archive


def _check_member(member: tarfile.TarInfo, target: Path) -> None:
    name = member.name
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith(("/", "\\")):
        raise UnsafeArchiveError(f"member {name!r} is an absolute path")
    if ".." in path.parts:
        raise UnsafeArchiveError(f"member {name!r} contains '..'")
    if member.issym() or member.islnk():
        link = PurePosixPath(member.linkname)
        base = path.parent if member.issym() else PurePosixPath()
        resolved = os.path.normpath(target / base / link)
        if link.is_absolute() or not _inside(Path(resolved), target):
            raise UnsafeArchiveError(
                f"member {name!r} links to {member.linkname!r}, outside the model dir")
    elif not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"member {name!r} is not a regular file or directory")


# Where the stdlib has extraction filters, "data" checks the same again (defence in depth).
_EXTRACT_FILTER = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _inside(path: Path, root: Path) -> bool:
    root = Path(os.path.normpath(root))
    return path == root or root in path.parents


def unpack_model(archive: Path, target: Path) -> Path:
    """Extract ``archive`` into ``target``, refusing the whole archive (before writing
    anything) when a member is absolute, contains ``..``, is a device or FIFO, or is a link
    that leaves ``target``."""
    target = Path(os.path.abspath(target))
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member, target)
            target.mkdir(parents=True, exist_ok=True)
            for member in members:
                tar.extract(member, target, set_attrs=False, **_EXTRACT_FILTER)
    except tarfile.TarError as exc:
        raise UnsafeArchiveError(f"{archive} is not a readable tar archive: {exc}") from None
    return target
