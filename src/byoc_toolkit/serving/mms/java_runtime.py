"""The Java runtime multi-model-server's front end runs on, cut from a JDK with jlink.

A Debian JRE package brings every module of the platform and its own dependencies (about
220 MB); the front end needs a few of them (about 60 MB with a class-data archive). The image's
builder stage runs ``byoc image java-runtime OUTPUT_DIR`` with the JDK of the base's Debian
release; the final image copies OUTPUT_DIR and sets JAVA_HOME to it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from ...errors import ByocError, InputError

#: ``jdeps --print-module-deps`` over the classes of multi-model-server 1.1.11's
#: model-server.jar (the front end and the Netty, log4j2, gson, commons and disruptor it
#: bundles; jdeps needs the bundled module-info.class removed first, see the test), which also
#: covers the plugin SDK. Several come from code paths byoc does not use (log4j2's JDBC, JMS
#: and script appenders, Netty's SCTP transport); they cost about 1 MB together and are kept so
#: that no configuration or error path meets a missing class. Transitive requirements
#: (java.logging, java.xml) come along by themselves.
FRONTEND_MODULES = (
    "java.base",
    "java.compiler",
    "java.desktop",  # java.beans, which log4j2's core uses everywhere
    "java.management",  # log4j2 registers its loggers as MBeans; disruptor reads MXBeans
    "java.naming",
    "java.rmi",
    "java.scripting",
    "java.sql",
    "jdk.sctp",
    "jdk.unsupported",  # sun.misc.Unsafe, for Netty's and the disruptor's fast paths
)
#: The base class-data archive for heaps of 32 GB and more (no compressed pointers): the
#: front end's heap stays far below that, so it would be 11 MB never read.
UNUSED_ARCHIVE = Path("lib/server/classes_nocoops.jsa")


class JavaRuntimeError(ByocError):
    """jlink failed."""


def jlink_executable() -> str:
    found = shutil.which("jlink")
    if found is None:
        raise InputError("jlink not found on PATH: it comes with a JDK "
                         "(Debian: default-jdk-headless)")
    return found


def compress_option(jlink: str) -> str:
    """jlink's strongest compression, as this JDK spells it (21 renamed level 2 zip-6)."""
    version = subprocess.run([jlink, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    match = re.match(r"(\d+)", version)
    if match is None:
        raise JavaRuntimeError(f"cannot read jlink's version from {version!r}")
    return "--compress=zip-6" if int(match.group(1)) >= 21 else "--compress=2"


def link(output: Path) -> None:
    """Write a Java runtime with FRONTEND_MODULES to ``output`` (which must not exist)."""
    if output.exists():
        raise InputError(f"{output} already exists")
    jlink = jlink_executable()
    command = [jlink, "--add-modules", ",".join(FRONTEND_MODULES),
               "--strip-debug", "--no-header-files", "--no-man-pages",
               compress_option(jlink), "--generate-cds-archive", "--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or [f"exit {done.returncode}"]
        raise JavaRuntimeError(f"jlink failed: {lines[-1]}")
    (output / UNUSED_ARCHIVE).unlink(missing_ok=True)

