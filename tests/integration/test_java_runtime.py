"""The jlink-ed Java runtime of the image holds every module multi-model-server's front end
and byoc's plugin use, as jdeps (from the JDK that scripts/bootstrap installs) finds them in
their jars."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

from byoc_toolkit.serving.mms import plugin
from byoc_toolkit.serving.mms.config import mms_home
from byoc_toolkit.serving.mms.java_runtime import FRONTEND_MODULES


def modules_used(classes: str) -> set[str]:
    """The platform modules the classes in a jar or directory use, by jdeps."""
    jdeps = shutil.which("jdeps")
    assert jdeps, "jdeps not found: it comes with a JDK (scripts/bootstrap installs one)"
    done = subprocess.run([jdeps, "--ignore-missing-deps", "--print-module-deps", classes],
                          capture_output=True, text=True, timeout=600, check=True)
    return set(done.stdout.strip().split(","))


def test_frontend_modules_cover_what_jdeps_finds_in_the_jar(tmp_path):
    classes = tmp_path / "classes"
    with zipfile.ZipFile(mms_home() / "mms" / "frontend" / "model-server.jar") as jar:
        manifest = jar.read("META-INF/MANIFEST.MF").decode()
        jar.extractall(classes)
    # The jar bundles gson's module-info.class, which makes jdeps read all of it as the
    # module com.google.gson; the JVM puts it on the class path. Its META-INF/versions is
    # never read either: the manifest does not say Multi-Release.
    assert "Multi-Release" not in manifest
    (classes / "module-info.class").unlink()
    shutil.rmtree(classes / "META-INF" / "versions")

    needed = modules_used(str(classes))

    assert "java.base" in needed
    assert needed <= set(FRONTEND_MODULES), sorted(needed - set(FRONTEND_MODULES))


def test_frontend_modules_cover_byocs_plugin(tmp_path):
    needed = modules_used(str(plugin.build(tmp_path)))

    assert needed <= set(FRONTEND_MODULES), sorted(needed - set(FRONTEND_MODULES))
