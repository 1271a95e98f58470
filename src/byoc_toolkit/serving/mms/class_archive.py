"""A class-data archive of multi-model-server's front end, made once when the image is built.

At start-up the JVM loads, verifies and links some 3,000 classes of Netty, log4j2 and the front
end from the jar; with this archive it maps them ready-made instead (AppCDS). Measured in the
example image, bookworm's Java 17 and trixie's Java 21 alike: the JVM's CPU time from start to
the first good /invocations fell from about 2.2 s to 1.3 s.

The image's final stage runs ``byoc image class-archive ARCHIVE`` and sets
BYOC_FRONTEND_CLASS_ARCHIVE (settings.CLASS_ARCHIVE_ENV) to the same path; ``byoc serve`` then
passes it to the JVM. The archive holds only what the front end loads while it
starts and answers /ping (serving a model adds no measurable gain), and it is valid only for
the Java runtime and the model-server.jar it was made with: the JVM ignores it, with a
warning, when either changed.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from ...errors import ByocError
from ...testing.ports import free_port
from ..settings import ServingSettings
from . import config, plugin
from .config import FrontEnd, RunDir

START_LIMIT_SECONDS = 120.0
STOP_LIMIT_SECONDS = 60.0
POLL_SECONDS = 0.1


class ClassArchiveError(ByocError):
    """The front end did not start, or its JVM wrote no archive."""


def create(archive: Path) -> None:
    """Start the front end without a model on a free loopback port, ask /ping once and stop
    it: the JVM writes the classes it loaded to ``archive`` as it exits."""
    settings = dataclasses.replace(ServingSettings.from_env(), host="127.0.0.1",
                                   port=free_port(), workers=1, class_archive=None)
    run = RunDir(Path(tempfile.mkdtemp(prefix="byoc-class-archive-"))).create()
    output = run.root / "frontend.log"
    try:
        config.java_executable()  # no Java: that one line, before anything about the plugin
        # The same class path and main class as byoc serve's (the JVM checks the class path).
        frontend = FrontEnd.sized(settings, 1, plugin.locate())
        run.properties.write_text(config.properties(settings, run, frontend, None))
        run.log_config.write_text(config.log_config(settings))
        command = config.java_command(settings, run, frontend)
        command.insert(1, f"-XX:ArchiveClassesAtExit={archive}")
        with output.open("wb") as sink:
            process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
            try:
                _wait_for_ping(settings, process)
            finally:
                process.terminate()
                process.wait(STOP_LIMIT_SECONDS)
        if not archive.is_file():
            raise ClassArchiveError(f"the front end's JVM wrote no archive to {archive}; "
                                    f"its output ends: {_tail(output)}")
    finally:
        shutil.rmtree(run.root, ignore_errors=True)


def _wait_for_ping(settings: ServingSettings, process: subprocess.Popen[bytes]) -> None:
    url = f"http://{settings.local_address}:{settings.port}/ping"
    deadline = time.monotonic() + START_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ClassArchiveError(f"the front end exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # an answer all the same: the request path's classes are loaded
        except OSError:
            time.sleep(POLL_SECONDS)
    raise ClassArchiveError(f"the front end did not answer {url} within "
                            f"{START_LIMIT_SECONDS:g} s")


def _tail(path: Path) -> str:
    lines = path.read_text(errors="replace").strip().splitlines()
    return lines[-1] if lines else "(nothing)"

