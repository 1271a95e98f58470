"""The model artifact, from training to serving: what ``@train_fn`` returns is saved into the
model dir, SageMaker uploads that dir as model.tar.gz, and serving unpacks it and loads the
model (with ``@model_fn``, or joblib's model.joblib by default).

Both halves use this module; neither imports the other for it.
"""

from __future__ import annotations

import lzma
import os
import shutil
import tarfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .errors import ByocError, InputError
from .serving.workers import WorkerInfo

if TYPE_CHECKING:
    from .registry import LoaderSpec

#: The file a returned model is saved to, and the one serving loads by default.
MODEL_FILE_NAME = "model.joblib"
#: How SageMaker uploads /opt/ml/model, and how it hands a model to an endpoint.
MODEL_ARCHIVE_NAME = "model.tar.gz"
#: How SageMaker uploads /opt/ml/output/data.
OUTPUT_ARCHIVE_NAME = "output.tar.gz"

#: ``saver(model, model_dir)`` writes the model's files itself (``@train_fn(saver=...)``).
Saver = Callable[[Any, Path], Any]


class UnsafeArchiveError(InputError):
    """An archive that cannot be unpacked safely: a member would land outside the target
    directory or is not a plain file or directory, the archive unpacks to more than its
    ArchiveLimits allow, or the file is not a readable tar archive (truncated, corrupt)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """How much a model archive may unpack to; checked against the members' headers before
    anything is written."""

    #: Largest total size of the members, in bytes; None: half the free space on the disk
    #: it is unpacked to (on SageMaker, the instance's storage volume).
    max_bytes: int | None = None
    #: Most members (files, directories, links).
    max_members: int = 100_000

    def bytes_for(self, target: Path) -> int:
        """The size limit for unpacking into ``target``."""
        if self.max_bytes is not None:
            return self.max_bytes
        existing = next(p for p in (target, *target.parents) if p.exists())
        return shutil.disk_usage(existing).free // 2


class ModelLoadError(ByocError):
    """The model directory holds nothing the loader can use."""


def save_model(model: Any, model_dir: Path, saver: Saver | None = None) -> Path | None:
    """Save ``model``: with ``saver(model, model_dir)`` if given, else joblib into
    model.joblib. None saves nothing (the training function wrote its own files).
    Returns what was written: the model file, the model dir (saver), or None."""
    if model is None:
        return None
    model_dir.mkdir(parents=True, exist_ok=True)
    if saver is not None:
        saver(model, model_dir)
        return model_dir
    import joblib

    target = model_dir / MODEL_FILE_NAME
    joblib.dump(model, target)
    return target


def load_model(model_dir: Path, loader: LoaderSpec | None,
               worker: WorkerInfo | None = None) -> Any:
    """The model in ``model_dir``: the program's ``@model_fn``, else model.joblib. A
    ``@model_fn`` that takes a worker receives ``worker`` (worker 0 of 1 when not given)."""
    if not model_dir.is_dir():
        raise ModelLoadError(f"model dir {model_dir} does not exist")
    if loader is not None and loader.takes_worker:
        return loader.func(model_dir, worker or WorkerInfo(0, 1))
    if loader is not None:
        return loader.func(model_dir)
    path = model_dir / MODEL_FILE_NAME
    if not path.is_file():
        found = ", ".join(sorted(p.name for p in model_dir.iterdir())[:10]) or "nothing"
        raise ModelLoadError(
            f"no {MODEL_FILE_NAME} in {model_dir} (found: {found}); return the model from "
            "@train_fn or register a @model_fn that loads it")
    import joblib

    return joblib.load(path)


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


def unpack_model(archive: Path, target: Path, limits: ArchiveLimits = ArchiveLimits()) -> Path:
    """Extract ``archive`` into ``target``, refusing the whole archive (before writing
    anything) when a member is absolute, contains ``..``, is a device or FIFO, or is a link
    that leaves ``target``, or when the members exceed ``limits``. Whatever goes wrong (a
    truncated or corrupt archive, a full disk) is an UnsafeArchiveError of one line, and
    nothing is left in ``target``."""
    target = Path(os.path.abspath(target))
    max_bytes = limits.bytes_for(target)
    created = not target.exists()
    try:
        with tarfile.open(archive, "r:*") as tar:
            members, total = [], 0
            for member in tar:  # reads each header; a member's data only to skip over it
                _check_member(member, target)
                members.append(member)
                total += member.size
                if len(members) > limits.max_members:
                    raise UnsafeArchiveError(
                        f"{archive} holds more than {limits.max_members} members "
                        "(BYOC_MAX_MODEL_FILES)")
                if total > max_bytes:
                    raise UnsafeArchiveError(
                        f"{archive} unpacks to more than {max_bytes} bytes (at member "
                        f"{member.name!r}); the limit is BYOC_MAX_UNPACKED_MODEL_MB, by "
                        f"default half the free space on the disk it is unpacked to")
            target.mkdir(parents=True, exist_ok=True)
            for member in members:
                tar.extract(member, target, set_attrs=False, **_EXTRACT_FILTER)
    except UnsafeArchiveError:
        raise
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        reason = "is truncated" if isinstance(exc, EOFError) else "cannot be unpacked"
        raise UnsafeArchiveError(f"{archive} {reason}: {exc}") from None
    return target


def resolve_model_dir(source: Path, scratch: Path,
                      limits: ArchiveLimits = ArchiveLimits()) -> Path:
    """A directory holding the model files. ``source`` may be that directory, a .tar.gz
    artifact, or a directory holding only model.tar.gz (an artifact copied in as is);
    archives are unpacked safely, within ``limits``, into ``scratch``."""
    if source.is_file():
        return unpack_model(source, scratch / "model", limits)
    if not source.is_dir():
        raise InputError(f"model not found: {source} is neither a directory nor a "
                         ".tar.gz file")
    entries = [p for p in source.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].name == MODEL_ARCHIVE_NAME:
        return unpack_model(entries[0], scratch / "model", limits)
    return source.resolve()


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
_EXTRACT_FILTER: dict[str, Any] = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _inside(path: Path, root: Path) -> bool:
    root = Path(os.path.normpath(root))
    return path == root or root in path.parents
