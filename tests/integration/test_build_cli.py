"""``byoc build`` as a subprocess: arguments and inputs it refuses before docker runs, and
the one Dockerfile it builds with. (Building the example is in integration/conftest.py.)"""

from __future__ import annotations

import re
import tarfile
import zipfile

import pytest
from support.commands import run_byoc
from support.docker import checkout_image, docker
from support.paths import EXAMPLE_DIR, REPO

from byoc_toolkit.container.build_context import dockerfile


def build(*args, **kwargs):
    return run_byoc("build", *args, **kwargs)


def assert_one_line_error(result, message, code=2):
    """Bad input exits 2 (nothing was started), a failure while running 1."""
    assert result.returncode == code
    assert result.stderr.strip() == f"Error: {message}"


def test_build_needs_a_tag():
    result = build(str(EXAMPLE_DIR))

    assert result.returncode == 2
    assert "Missing option '--tag'" in result.stderr


def test_build_refuses_a_missing_code_dir(tmp_path):
    result = build(str(tmp_path / "nowhere"), "--tag", "x")

    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_build_asks_for_the_program_when_it_cannot_tell(tmp_path):
    for name in ("one.py", "two.py"):
        (tmp_path / name).write_text("import byoc_toolkit\n")

    result = build(str(tmp_path), "--tag", "x")

    assert_one_line_error(result, f"cannot tell which file in {tmp_path} is the program "
                                  "(files importing byoc_toolkit: one.py, two.py); "
                                  "pass --program")


def test_build_refuses_a_program_that_is_not_there():
    result = build(str(EXAMPLE_DIR), "--tag", "x", "--program", "nope.py")

    assert_one_line_error(result, f"program 'nope.py' is not a file in {EXAMPLE_DIR}")


def test_build_without_docker_says_so():
    result = build(str(EXAMPLE_DIR), "--tag", "x", env={"PATH": "/nonexistent"})

    assert_one_line_error(result, "docker not found on PATH: install Docker and start "
                                  "its engine", code=1)


def test_there_is_one_dockerfile():
    assert (REPO / "docker" / "Dockerfile").resolve() == dockerfile()


def test_the_wheel_ships_the_dockerfile(toolkit_wheel):
    # byoc build from a pip install needs it: setup.cfg's [options.package_data].
    with zipfile.ZipFile(toolkit_wheel) as wheel:
        assert "byoc_toolkit/container/Dockerfile" in wheel.namelist()


def test_dockerfile_prints_the_generic_dockerfile():
    result = run_byoc("dockerfile")

    assert result.returncode == 0, result.stderr
    assert result.stdout == dockerfile().read_text()


def test_dockerfile_out_writes_a_file_and_never_replaces_one(tmp_path):
    out = tmp_path / "Dockerfile"

    written = run_byoc("dockerfile", "--out", str(out))
    again = run_byoc("dockerfile", "--out", str(out))

    assert written.returncode == 0, written.stderr
    assert out.read_text() == dockerfile().read_text()
    assert_one_line_error(again, f"{out} already exists; remove it or choose another --out")


@pytest.mark.docker
def test_no_cache_builds_every_layer_anew(base_image, tmp_path):
    # An image with no shell fails the Dockerfile's first RUN at once, after one COPY: enough
    # to see whether docker took that COPY from its cache.
    empty = checkout_image("no-shell:latest")
    with tarfile.open(tmp_path / "empty.tar", "w"):
        pass
    docker("import", str(tmp_path / "empty.tar"), empty)
    code = tmp_path / "code"
    code.mkdir()
    (code / "model.py").write_text("import byoc_toolkit\n")
    args = ["--tag", checkout_image("never-built"), "--base-image", empty]

    build(str(code), *args)
    cached = build(str(code), *args)
    fresh = build(str(code), *args, "--no-cache")

    assert cached.returncode == fresh.returncode == 1
    assert re.search(CACHE_HIT, cached.stderr)
    assert not re.search(CACHE_HIT, fresh.stderr)


#: How the classic builder and BuildKit each report a step taken from the cache.
CACHE_HIT = r"Using cache|CACHED"
