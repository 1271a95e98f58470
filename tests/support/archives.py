"""Hostile model archives, made in milliseconds."""

from __future__ import annotations

import gzip
import tarfile
from pathlib import Path

_MIB = 1 << 20


def tar_bomb(path: Path, gib: int = 4) -> Path:
    """A model.tar.gz of about ``gib`` MB holding one file of ``gib`` GiB of zeros.

    A gzip file may be several gzip members one after the other, so one compressed MiB of
    zeros, repeated, makes the stream without compressing gigabytes."""
    member = tarfile.TarInfo("weights.bin")
    member.size = gib << 30
    zeros = gzip.compress(bytes(_MIB), compresslevel=9)
    with path.open("wb") as out:
        out.write(gzip.compress(member.tobuf(tarfile.GNU_FORMAT)))
        for _ in range(gib << 10):
            out.write(zeros)
        out.write(gzip.compress(bytes(2 * tarfile.RECORDSIZE)))  # the end-of-archive blocks
    return path


def truncated(archive: Path, path: Path) -> Path:
    """``archive`` without its last quarter, as an interrupted download leaves it."""
    data = archive.read_bytes()
    path.write_bytes(data[:len(data) * 3 // 4])
    return path
