"""Where ``byoc serve`` finds the model: a directory, or a model.tar.gz it unpacks first."""

from __future__ import annotations

from pathlib import Path

from ..archive import unpack_model

ARCHIVE_NAME = "model.tar.gz"


def resolve_model_dir(source: Path, scratch: Path) -> Path:
    """A directory holding the model files. ``source`` may be that directory, a .tar.gz
    artifact, or a directory holding only model.tar.gz (an artifact copied in as is);
    archives are unpacked safely into ``scratch``."""
    if source.is_file():
        return unpack_model(source, scratch / "model")
    if not source.is_dir():
        raise FileNotFoundError(f"model not found: {source} is neither a directory nor a "
                                ".tar.gz file")
    entries = [p for p in source.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].name == ARCHIVE_NAME:
        return unpack_model(entries[0], scratch / "model")
    return source.resolve()
