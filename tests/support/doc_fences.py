"""The docs' code blocks that are meant to run, run as a reader would run them.

A fence opts in with an attribute: ```` ```sh {.run} ```` is a shell block, ```` ```python
{.run} ```` a Python block, and ```` ```python {.write title="predict.py"} ```` a file the
reader saves under that name; a ```` ```text {.output} ```` block right after a runnable one
is what that block prints, compared by the tests. The runnable blocks of one page become one
bash script, in page order, as one terminal session: ``cd``, variables and background jobs
carry from one block to the next. Before each block the script prints a marker
(``== docs/page.md:LINE``) on stdout and stderr, so that a failure points at its block and a
test can read one block's output.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from support.paths import REPO

DOCS = REPO / "docs"
#: An opening fence: its indentation, backticks (or tildes), language and {attributes}.
_OPENING = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,}) *(?P<lang>[\w+-]*) *"
                      r"(?:\{(?P<attrs>[^}]*)\})? *$")
_ATTRIBUTE = re.compile(r'(?P<key>[\w-]+)="(?P<value>[^"]*)"|\.(?P<cls>[\w-]+)')
_HEREDOC_END = "BYOC_DOCS_FENCE_END"
_MARKER = "== "


class Action(Enum):
    RUN = "run"
    WRITE = "write"


@dataclass(frozen=True)
class Fence:
    page: Path
    #: The line of the opening fence, counted from 1.
    line: int
    lang: str
    action: Action | None
    attributes: dict[str, str]
    body: str
    #: A ``{.output}`` block: what the runnable block before it prints.
    is_output: bool = False

    @property
    def where(self) -> str:
        page = self.page.relative_to(REPO) if self.page.is_relative_to(REPO) else self.page
        return f"{page}:{self.line}"

    def script(self) -> str:
        """This block as bash: the block itself, Python fed to ``python``, or a file written."""
        body = self.body if self.body.endswith("\n") else self.body + "\n"
        if _HEREDOC_END in body:
            raise ValueError(f"{self.where}: a block may not contain {_HEREDOC_END}")
        if self.action is Action.WRITE:
            name = self.attributes.get("title")
            if not name:
                raise ValueError(f"{self.where}: a .write block needs title=\"FILE\"")
            return f"cat > {shlex.quote(name)} <<'{_HEREDOC_END}'\n{body}{_HEREDOC_END}\n"
        if self.lang in ("sh", "bash"):
            return body
        if self.lang == "python":
            return f"python - <<'{_HEREDOC_END}'\n{body}{_HEREDOC_END}\n"
        raise ValueError(f"{self.where}: cannot run a {self.lang or 'plain'} block")


def fences(page: Path) -> list[Fence]:
    """Every fenced block of ``page``, in order."""
    lines = page.read_text().split("\n")
    found = []
    index = 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        closing = re.compile(rf"^ {{0,{indent}}}{re.escape(fence[0])}{{{len(fence)},}} *$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        body = "\n".join(line[indent:] for line in lines[index + 1:end])
        attributes, classes = _attributes(opening["attrs"] or "")
        actions = [action for action in Action if action.value in classes]
        if len(actions) > 1:
            raise ValueError(f"{page}:{index + 1}: a block either runs or is written")
        found.append(Fence(page, index + 1, opening["lang"], actions[0] if actions else None,
                           attributes, body, "output" in classes))
        index = end + 1
    return found


def _attributes(text: str) -> tuple[dict[str, str], set[str]]:
    attributes, classes = {}, set()
    for match in _ATTRIBUTE.finditer(text):
        if match["cls"]:
            classes.add(match["cls"])
        else:
            attributes[match["key"]] = match["value"]
    return attributes, classes


def runnable(page: Path) -> list[Fence]:
    return [fence for fence in fences(page) if fence.action is not None]


def expected_outputs(page: Path) -> list[tuple[Fence, Fence]]:
    """(runnable block, the ``{.output}`` block after it) for each output block."""
    pairs, previous = [], None
    for fence in fences(page):
        if fence.is_output:
            if previous is None:
                raise ValueError(f"{fence.where}: an output block follows no runnable block")
            pairs.append((previous, fence))
        previous = fence if fence.action is Action.RUN else None
    return pairs


def pages_with_runnable_blocks() -> list[Path]:
    return sorted(page for page in DOCS.rglob("*.md") if runnable(page))


def page_script(page: Path) -> str:
    """The page's runnable blocks as one bash script that stops at the first failure."""
    parts = ["set -euo pipefail"]
    for fence in runnable(page):
        marker = shlex.quote(_MARKER + fence.where)
        # On stderr with the seconds since the page started: where the time goes.
        parts.append(f'echo {marker}; echo {marker} "(at ${{SECONDS}} s)" >&2')
        parts.append(fence.script())
    return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class PageRun:
    returncode: int
    stdout: str
    stderr: str

    def output_of(self, fence: Fence) -> str:
        """What ``fence`` printed on stdout."""
        blocks = self.stdout.split(_MARKER + fence.where + "\n", 1)
        if len(blocks) < 2:
            return ""
        page = fence.where.rsplit(":", 1)[0]
        end = blocks[1].find(f"\n{_MARKER}{page}:")
        return blocks[1] if end < 0 else blocks[1][:end + 1]

    def explain(self) -> str:
        """The last block's marker and the tail of both streams, for an assertion message."""
        return f"exit {self.returncode}\n--- stdout\n{self.stdout[-3000:]}\n" \
               f"--- stderr\n{self.stderr[-6000:]}"


def run_page(page: Path, directory: Path, env: dict[str, str] | None = None,
             timeout: float = 300) -> PageRun:
    """Run the page's blocks in ``directory`` (a fresh one: the reader's), with this
    interpreter's environment first on PATH. Whatever the blocks left running (a server
    started with ``&``) is stopped with the session when the script ends."""
    bin_dir = str(Path(sys.executable).parent)
    full_env = {key: value for key, value in os.environ.items()
                if not key.startswith(("BYOC_", "SAGEMAKER_", "PYTEST_"))}
    full_env.update(env or {})
    full_env["PATH"] = os.pathsep.join([bin_dir, full_env.get("PATH", os.defpath)])
    # Files, not pipes: a server left running in the background keeps a pipe open.
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(["bash", "-c", page_script(page)], cwd=directory,
                                   env=full_env, stdout=stdout, stderr=stderr, text=True,
                                   start_new_session=True)
        timed_out = ""
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = f"\n{page.name}: timed out after {timeout:.0f} s"
        finally:
            _stop_session(process)
        stdout.seek(0)
        stderr.seek(0)
        return PageRun(process.wait(), stdout.read(), stderr.read() + timed_out)


def _stop_session(process: subprocess.Popen[str], grace: float = 15) -> None:
    """SIGTERM to every process of the script's session, SIGKILL to what is left after
    ``grace`` seconds (byoc serve stops its JVM and workers within 15)."""
    if not _signal_session(process, signal.SIGTERM):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if not _signal_session(process, 0):
            return
    _signal_session(process, signal.SIGKILL)


def _signal_session(process: subprocess.Popen[str], signal_number: int) -> bool:
    """Send a signal to the session (0: none); False when no process of it is left."""
    process.poll()  # reaps the script itself, which would otherwise count as one
    try:
        os.killpg(process.pid, signal_number)
    except ProcessLookupError:
        return False
    return True
