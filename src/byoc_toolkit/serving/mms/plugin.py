"""byoc's plugin for multi-model-server's front end: Java sources shipped in ``java/``, compiled
against the installed model-server.jar (which holds the plugins SDK) into one jar.

It serves GET /ping (200 only while a worker can answer; multi-model-server's own /ping says
200 as soon as its port is open) and GET /execution-parameters, and its main class puts
byoc's handlers on every connection: an idle-connection timeout, requests with both
Content-Length and Transfer-Encoding refused, and the front end's own errors as the one-line
``{"error": ...}`` body that byoc's worker gives.

``byoc serve`` uses the jar in BYOC_MMS_PLUGINS_DIR when that is set (the Dockerfile builds it
there), else builds it once into a per-user cache when ``javac`` exists, else runs without
it. Honest readiness and health never depend on it (see supervisor.py).

    python -m byoc_toolkit.serving.mms.plugin OUTPUT_DIR    # prints the jar's path
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ...errors import InputError, log
from . import config

PLUGINS_DIR_ENV = "BYOC_MMS_PLUGINS_DIR"
JAR_NAME = "byoc-mms-plugin.jar"
SOURCES = Path(__file__).with_name("java")
#: The plugin uses nothing newer; the images run Java 17 or 21.
JAVA_RELEASE = "11"
COMPILE_TIMEOUT_SECONDS = 300


class PluginBuildError(InputError):
    """The plugin's sources do not compile against the installed multi-model-server."""


def locate() -> Path | None:
    """The plugin jar to run with, or None (after logging what is then missing)."""
    configured = os.environ.get(PLUGINS_DIR_ENV)
    if configured:
        jar = Path(configured) / JAR_NAME
        if not jar.is_file():
            raise InputError(f"{PLUGINS_DIR_ENV}={configured}: no {JAR_NAME} there; build it "
                             f"with: python -m byoc_toolkit.serving.mms.plugin {configured}")
        return jar
    javac = _javac()
    if javac is None:
        log("multi-model-server runs without byoc's plugin (no javac to build it, and "
            f"{PLUGINS_DIR_ENV} is not set): GET /execution-parameters is not served, the "
            "front end's own errors keep its format, and byoc serve exits when no worker "
            "can answer instead of answering /ping with 503")
        return None
    cached = _cache_dir() / _fingerprint() / JAR_NAME
    if not cached.is_file():
        log(f"building byoc's multi-model-server plugin into {cached.parent} (once)")
        build(cached.parent, javac)
    return cached


def build(output_dir: Path, javac: str | None = None) -> Path:
    """Compile the plugin into ``output_dir/byoc-mms-plugin.jar``; returns its path."""
    javac = javac or _javac()
    if javac is None:
        raise InputError("javac not found: building the plugin needs a JDK (on PATH or in "
                         "JAVA_HOME)")
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="byoc-plugin-") as scratch:
        classes = Path(scratch) / "classes"
        sources = sorted(str(p) for p in SOURCES.rglob("*.java"))
        done = subprocess.run(
            [javac, "--release", JAVA_RELEASE, "-nowarn", "-cp", str(config.mms_jar()),
             "-d", str(classes), *sources],
            capture_output=True, text=True, timeout=COMPILE_TIMEOUT_SECONDS)
        if done.returncode != 0:
            raise PluginBuildError(f"the plugin does not compile against "
                                   f"{config.mms_jar()}:\n{done.stderr.strip()}")
        partial = Path(scratch) / JAR_NAME
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as jar:
            for path in sorted(classes.rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
            for path in sorted((SOURCES / "META-INF").rglob("*")):
                if path.is_file():
                    jar.write(path, path.relative_to(SOURCES).as_posix())
        target = output_dir / JAR_NAME
        # Another byoc serve may build the same jar at the same time: whole files only.
        shutil.copy(partial, output_dir / f".{JAR_NAME}.{os.getpid()}")
        os.replace(output_dir / f".{JAR_NAME}.{os.getpid()}", target)
    return target


def _javac() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(Path(java_home) / "bin" / "javac", os.X_OK):
        return str(Path(java_home) / "bin" / "javac")
    return shutil.which("javac")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "byoc-toolkit" / "mms-plugin"


def _fingerprint() -> str:
    """Changes with the plugin's sources and with the multi-model-server it compiles for."""
    digest = hashlib.sha256()
    for path in sorted(SOURCES.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(SOURCES).as_posix().encode())
            digest.update(path.read_bytes())
    jar = config.mms_jar().stat()
    digest.update(f"{config.mms_jar()}:{jar.st_size}:{jar.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python -m byoc_toolkit.serving.mms.plugin OUTPUT_DIR")
    try:
        print(build(Path(args[0])))
    except InputError as exc:
        sys.exit(f"byoc: error: {exc}")


if __name__ == "__main__":
    main()
