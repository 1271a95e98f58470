"""byoc_toolkit.model_artifacts.unpack_model refuses a model.tar.gz whose members would land outside
the target dir, before writing anything."""

from __future__ import annotations

import io
import tarfile

import pytest

from byoc_toolkit.model_artifacts import UnsafeArchiveError, unpack_model


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
