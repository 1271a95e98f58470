"""``byoc serve --model ARCHIVE`` with hostile archives: a tar bomb is refused before it fills
the disk, a truncated archive is one line; both exit 2 before the front end starts."""

from __future__ import annotations

import os
import subprocess
import time

from support.archives import tar_bomb, truncated
from support.commands import BYOC
from support.paths import EXAMPLE_PROGRAM


def serve_archive(archive, tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SAGEMAKER_", "BYOC_"))}
    environ.update({"TMPDIR": str(scratch), "SAGEMAKER_BASE_DIR": str(tmp_path / "opt_ml"),
                    **env})
    return subprocess.run([BYOC, "serve", "--program", str(EXAMPLE_PROGRAM), "--model",
                           str(archive)], env=environ, capture_output=True, text=True,
                          timeout=60)


def written_bytes(directory) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def test_a_4_gib_tar_bomb_is_refused_before_it_fills_the_disk(tmp_path):
    bomb = tar_bomb(tmp_path / "model.tar.gz")
    started = time.monotonic()
    result = serve_archive(bomb, tmp_path, BYOC_MAX_UNPACKED_MODEL_MB="1024")
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"byoc: error: {bomb} unpacks to more than 1073741824 bytes (at member 'weights.bin'); "
        "the limit is BYOC_MAX_UNPACKED_MODEL_MB, by default half the free space on the disk "
        "it is unpacked to"]
    assert written_bytes(tmp_path / "tmp") < 1 << 20


def test_a_truncated_archive_is_one_line(tmp_path, trained):
    whole = tmp_path / "whole.tar.gz"
    subprocess.run(["tar", "-czf", str(whole), "-C", str(trained / "model"), "."], check=True)
    archive = truncated(whole, tmp_path / "model.tar.gz")
    result = serve_archive(archive, tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"byoc: error: {archive} is truncated: Compressed file ended before the end-of-stream "
        "marker was reached"]
