"""``byoc image java-runtime|class-archive``, the build steps the Dockerfile runs: what they
refuse, in one line. (Every image build in the suite runs them for real.)"""

from __future__ import annotations

import os

from support.commands import BYOC, run_byoc


def test_java_runtime_never_writes_into_an_existing_dir(tmp_path):
    result = run_byoc("image", "java-runtime", str(tmp_path))

    assert result.returncode == 2
    assert result.stderr == f"Error: {tmp_path} already exists\n"


def test_java_runtime_needs_a_jdk(tmp_path):
    result = run_byoc("image", "java-runtime", str(tmp_path / "java"),
                      env={"PATH": os.path.dirname(BYOC)})

    assert result.returncode == 2
    assert result.stderr == ("Error: jlink not found on PATH: it comes with a JDK "
                             "(Debian: default-jdk-headless)\n")


def test_class_archive_needs_a_java_runtime(tmp_path):
    result = run_byoc("image", "class-archive", str(tmp_path / "frontend.jsa"),
                      env={"PATH": os.path.dirname(BYOC), "JAVA_HOME": str(tmp_path)})

    assert result.returncode == 2
    assert result.stderr == (f"Error: JAVA_HOME is {tmp_path}, which has no bin/java: "
                             "multi-model-server needs a Java runtime >= 17\n")
    assert not (tmp_path / "frontend.jsa").exists()
