"""Which files of a code dir go into the image: byoc's defaults, then the code dir's own
.dockerignore, read and matched as docker reads a build context's .dockerignore.

Patterns are paths relative to the code dir (a leading ``/`` changes nothing); ``*`` and ``?``
never match ``/``, ``**`` matches any number of directories, ``[...]`` a character class, and
``\\`` escapes; a pattern that matches a directory excludes everything in it. The last pattern
that matches decides, and ``!`` turns a pattern into an exception, so a user's ``!tests``
brings back what a default left out. (As moby/patternmatcher; ``**foo`` without a slash is
read as ``**/foo``.)
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = ".dockerignore"
#: What no image needs: version control, virtual environments, caches, tests and the local
#: harness (local_test/: scripts, sample data, models).
DEFAULT_PATTERNS = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", IGNORE_FILE,
    "**/__pycache__", "**/*.pyc", "**/.pytest_cache", "**/.mypy_cache", "**/.ruff_cache",
    "**/.ipynb_checkpoints", "tests", "local_test",
)
#: Regular-expression characters that stand for themselves in a pattern.
_LITERAL = frozenset(".+()|{}$^")


@dataclass(frozen=True)
class Pattern:
    text: str  # cleaned, without the leading "!"
    exception: bool
    regex: re.Pattern[str]

    @classmethod
    def parse(cls, line: str) -> Pattern | None:
        """A .dockerignore line as docker cleans it; None for blanks and comments."""
        if line.startswith("#"):
            return None
        line = line.strip()
        exception = line.startswith("!")
        if exception:
            line = line[1:].strip()
        if not line:
            return None
        text = posixpath.normpath(line).lstrip("/") or "."
        return cls(text, exception, re.compile(_regex(text)))

    def matches(self, path: str) -> bool:
        """Whether the pattern matches ``path`` or one of the directories above it."""
        parts = path.split("/")
        return any(self.regex.match("/".join(parts[:i])) for i in range(len(parts), 0, -1))


def _regex(pattern: str) -> str:
    out, i = ["^"], 0
    while i < len(pattern):
        ch = pattern[i]
        i += 1
        if ch == "*" and pattern[i:i + 1] == "*":
            i += 1
            if pattern[i:i + 1] == "/":
                i += 1
            out.append(".*" if i == len(pattern) else "(.*/)?")
        elif ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\":
            if i < len(pattern):
                out.append(re.escape(pattern[i]))
                i += 1
            else:
                out.append(r"\\")
        elif ch in _LITERAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    out.append("$")
    return "".join(out)


@dataclass(frozen=True)
class IgnoreRules:
    patterns: Sequence[Pattern]

    @classmethod
    def for_code_dir(cls, code_dir: Path) -> IgnoreRules:
        """The defaults, then ``code_dir/.dockerignore`` if there is one."""
        source = code_dir / IGNORE_FILE
        lines = [*DEFAULT_PATTERNS, *(source.read_text().splitlines()
                                      if source.is_file() else ())]
        return cls(tuple(p for p in map(Pattern.parse, lines) if p is not None))

    def excluded(self, path: str) -> bool:
        """Whether ``path`` (relative, with ``/``) stays out of the image."""
        excluded = False
        for pattern in self.patterns:
            # Only a pattern that would change the verdict needs matching.
            if pattern.exception == excluded and pattern.matches(path):
                excluded = not pattern.exception
        return excluded

    def may_hold_kept_files(self, directory: str) -> bool:
        """Whether an excluded ``directory`` must still be searched: an exception names a
        path inside it."""
        return any(p.exception and (p.text + "/").startswith(directory + "/")
                   for p in self.patterns)

    def kept(self, root: Path) -> Iterable[tuple[str, bool]]:
        """Every directory, file and symlink under ``root`` that goes into the image: its
        relative path, and whether it is a directory to create (a symlink never is)."""
        for top, dirs, files in os.walk(root):
            base = Path(top).relative_to(root).as_posix()
            prefix = "" if base == "." else base + "/"
            dirs[:] = sorted(d for d in dirs if not self.excluded(prefix + d)
                             or self.may_hold_kept_files(prefix + d))
            links = {d for d in dirs if (Path(top) / d).is_symlink()}
            dirs[:] = [d for d in dirs if d not in links]
            for name in sorted([*dirs, *links, *files]):
                if not self.excluded(prefix + name):
                    yield prefix + name, name in dirs

    def copy(self, source: Path, target: Path) -> None:
        """Copy what is kept from ``source`` into ``target`` (symlinks as links)."""
        for relative, is_dir in self.kept(source):
            destination = target / relative
            if is_dir:
                destination.mkdir(parents=True, exist_ok=True)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / relative, destination, follow_symlinks=False)
