"""The environment-variable reference (docs/reference/environment.md) against the code: every
variable the source reads is in its table, and the table lists nothing the code no longer
reads."""

from __future__ import annotations

import re

from support.doc_fences import DOCS
from support.env_reads import reads

PAGE = DOCS / "reference" / "environment.md"
#: A table row's first cell: one or more `NAME`s.
_ROW = re.compile(r"^\| *(?P<names>`[A-Z0-9_]+`(?: *, *`[A-Z0-9_]+`)*) *\|")


def documented() -> set[str]:
    names = set()
    for line in PAGE.read_text().splitlines():
        row = _ROW.match(line)
        if row:
            names.update(re.findall(r"`([A-Z0-9_]+)`", row["names"]))
    return names


def test_every_variable_the_code_reads_is_in_the_table() -> None:
    table = documented()
    missing = sorted({f"{read.name} (read at {read.where})" for read in reads()
                      if read.name not in table})
    assert not missing, f"not in {PAGE.name}: " + ", ".join(missing)


def test_the_table_lists_only_variables_the_code_reads() -> None:
    stale = documented() - {read.name for read in reads()}
    assert not stale, f"{PAGE.name} lists variables no code reads: {sorted(stale)}"


def test_the_scan_finds_reads_of_each_kind() -> None:
    """The scan itself: a literal, a constant, a reader helper, a loop over a tuple,
    click's envvar= and a constant of sagemaker-training each give their variable."""
    where = {read.name: read.where for read in reads()}
    assert where["SAGEMAKER_BATCH"].startswith("src/byoc_toolkit/serving/settings.py")
    assert "BYOC_PROGRAM" in where and "TRAINING_JOB_NAME" in where
    assert where["WORLD_SIZE"].startswith("src/byoc_toolkit/contract/environment.py")
    assert "BYOC_NPROC_PER_NODE" in where and "BYOC_ROLE_ARN" in where
    assert "SAGEMAKER_PROGRAM" in where
