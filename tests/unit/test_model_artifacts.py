"""byoc_toolkit.model_artifacts.unpack_model refuses a model.tar.gz whose members would land outside
the target dir or exceed the archive limits, before writing anything, and reports a damaged
archive in one line."""

from __future__ import annotations

import io
import tarfile
import time

import pytest
from support.archives import tar_bomb, truncated

from byoc_toolkit.model_artifacts import ArchiveLimits, UnsafeArchiveError, unpack_model


def archive_with(path, *names):
    with tarfile.open(path, "w:gz") as tar:
        for name in names:
            data = b"model bytes"
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    return path


@pytest.mark.parametrize("name, reason", [
    ("../escaped.joblib", "contains '..'"),
    ("model/../../escaped.joblib", "contains '..'"),
    ("/tmp/escaped.joblib", "is an absolute path"),
])
def test_unsafe_member_refuses_the_whole_archive(tmp_path, name, reason):
    archive = archive_with(tmp_path / "model.tar.gz", "model.joblib", name)
    target = tmp_path / "deep" / "model"

    with pytest.raises(UnsafeArchiveError, match=f"member {name!r} {reason}"):
        unpack_model(archive, target)

    assert not target.exists()
    assert not (tmp_path / "escaped.joblib").exists()


def test_plain_members_are_unpacked(tmp_path):
    archive = archive_with(tmp_path / "model.tar.gz", "model.joblib", "extra/vocab.txt")

    unpacked = unpack_model(archive, tmp_path / "model")

    assert (unpacked / "model.joblib").read_bytes() == b"model bytes"
    assert (unpacked / "extra" / "vocab.txt").is_file()


def test_a_4_gib_tar_bomb_is_refused_before_anything_is_written(tmp_path):
    bomb = tar_bomb(tmp_path / "model.tar.gz")
    assert bomb.stat().st_size < 5 << 20
    target = tmp_path / "model"
    started = time.monotonic()
    with pytest.raises(UnsafeArchiveError) as caught:
        unpack_model(bomb, target, ArchiveLimits(max_bytes=1 << 30))
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        f"{bomb} unpacks to more than 1073741824 bytes (at member 'weights.bin'); the limit is "
        "BYOC_MAX_UNPACKED_MODEL_MB, by default half the free space on the disk it is "
        "unpacked to")
    assert not target.exists()


def test_too_many_members_are_refused(tmp_path):
    archive = archive_with(tmp_path / "model.tar.gz", *(f"part-{i}" for i in range(11)))
    with pytest.raises(UnsafeArchiveError, match="holds more than 10 members"):
        unpack_model(archive, tmp_path / "model", ArchiveLimits(max_members=10))
    assert unpack_model(archive, tmp_path / "model", ArchiveLimits(max_members=11)).is_dir()


def test_the_default_size_limit_is_half_the_free_space(tmp_path):
    import shutil

    limit = ArchiveLimits().bytes_for(tmp_path / "not" / "yet")
    assert abs(limit - shutil.disk_usage(tmp_path).free // 2) < 100 << 20


def test_a_truncated_archive_is_one_line_and_leaves_nothing(tmp_path):
    whole = archive_with(tmp_path / "whole.tar.gz", *(f"part-{i}" for i in range(200)))
    cut = truncated(whole, tmp_path / "model.tar.gz")
    target = tmp_path / "model"
    with pytest.raises(UnsafeArchiveError) as caught:
        unpack_model(cut, target)
    assert str(caught.value) == (f"{cut} is truncated: Compressed file ended before the "
                                 "end-of-stream marker was reached")
    assert not target.exists()
