"""Which files of a code dir ``byoc build`` copies: byoc's defaults, then the code dir's
.dockerignore, with docker's pattern semantics."""

from __future__ import annotations

import pytest

from byoc_toolkit.container.ignore_rules import IgnoreRules, Pattern


def rules(*lines: str) -> IgnoreRules:
    return IgnoreRules(tuple(p for p in map(Pattern.parse, lines) if p is not None))


@pytest.mark.parametrize(("pattern", "path", "excluded"), [
    ("data", "data", True),
    ("data", "data/big.csv", True),  # a directory takes its contents along
    ("data", "sub/data", False),  # anchored at the code dir, unlike .gitignore
    ("/data/", "data/x", True),  # leading and trailing slashes change nothing
    ("*.csv", "a.csv", True),
    ("*.csv", "sub/a.csv", False),  # * never crosses a slash
    ("**/*.csv", "sub/deeper/a.csv", True),
    ("**/*.csv", "a.csv", True),  # ** matches no directory too
    ("docs/**", "docs/a/b.md", True),
    ("a?c", "abc", True),
    ("a?c", "a/c", False),
    ("model[0-9].bin", "model7.bin", True),
    ("model[0-9].bin", "modelx.bin", False),
    ("v1.0", "v1x0", False),  # a dot is a dot
    (r"weird\*name", "weird*name", True),
    (r"weird\*name", "weirdXname", False),
    ("./notes/../notes", "notes/todo.txt", True),  # cleaned as a path
])
def test_patterns_match_as_in_docker(pattern, path, excluded):
    assert rules(pattern).excluded(path) is excluded


def test_comments_and_blank_lines_are_not_patterns():
    assert rules("# data", "", "   ").patterns == ()


def test_the_last_matching_line_decides():
    ignore = rules("*.csv", "!keep.csv", "keep*")

    assert ignore.excluded("a.csv")
    assert ignore.excluded("keep.csv")
    assert not rules("*.csv", "!keep.csv").excluded("keep.csv")


@pytest.mark.parametrize("path", [
    ".git/HEAD", ".venv/bin/python", "tests/test_model.py", "local_test/payload.csv",
    "__pycache__/model.cpython-311.pyc", "pkg/__pycache__/x.pyc", "pkg/stale.pyc",
    "pkg/.pytest_cache/v", ".dockerignore",
])
def test_defaults_leave_out_what_no_image_needs(tmp_path, path):
    assert IgnoreRules.for_code_dir(tmp_path).excluded(path)


@pytest.mark.parametrize("path", ["model.py", "requirements.txt", "pkg/tests.py",
                                  "pkg/tests/helper.py", "data/train.csv"])
def test_defaults_keep_the_code(tmp_path, path):
    assert not IgnoreRules.for_code_dir(tmp_path).excluded(path)


def test_the_code_dirs_file_comes_after_the_defaults(tmp_path):
    (tmp_path / ".dockerignore").write_text("data\n!tests\n")
    ignore = IgnoreRules.for_code_dir(tmp_path)

    assert ignore.excluded("data/train.csv")
    assert not ignore.excluded("tests/test_model.py")


def test_copy_keeps_what_the_rules_keep(tmp_path):
    code = tmp_path / "code"
    for name in ("model.py", "data/big.bin", "data/keep/small.csv", "tests/test_x.py",
                 "pkg/__init__.py", "pkg/__pycache__/x.pyc", "empty/"):
        path = code / name
        if name.endswith("/"):
            path.mkdir(parents=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(name)
    (code / "link.py").symlink_to("model.py")
    (code / ".dockerignore").write_text("data\n!data/keep\n")

    IgnoreRules.for_code_dir(code).copy(code, tmp_path / "out")

    copied = sorted(p.relative_to(tmp_path / "out").as_posix()
                    for p in (tmp_path / "out").rglob("*"))
    assert copied == ["data", "data/keep", "data/keep/small.csv", "empty", "link.py",
                      "model.py", "pkg", "pkg/__init__.py"]
    assert (tmp_path / "out" / "link.py").readlink().as_posix() == "model.py"
    assert (tmp_path / "out" / "data/keep/small.csv").read_text() == "data/keep/small.csv"
