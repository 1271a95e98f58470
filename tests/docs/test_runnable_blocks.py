"""The docs' runnable blocks (```sh {.run}, ```python {.run}, ```python {.write title=...}),
run page by page from a fresh directory, with this checkout's environment on PATH. The
tutorial needs Docker and AWS (moto): tests/integration/test_docs_tutorial.py runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.doc_fences import (
    DOCS,
    Action,
    expected_outputs,
    fences,
    page_script,
    pages_with_runnable_blocks,
    run_page,
)

from byoc_toolkit.testing.ports import free_port

WITH_DOCKER_AND_AWS = {DOCS / "tutorial.md"}
PAGES = [page for page in pages_with_runnable_blocks() if page not in WITH_DOCKER_AND_AWS]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(DOCS).as_posix())
def test_the_page_runs(page: Path, tmp_path: Path) -> None:
    run = run_page(page, tmp_path, {"SAGEMAKER_BIND_TO_PORT": str(free_port())})
    assert run.returncode == 0, run.explain()
    for block, output in expected_outputs(page):
        assert run.output_of(block) == output.body + "\n", f"{block.where} printed otherwise"


def test_the_tutorial_and_the_guides_have_blocks_that_run() -> None:
    assert DOCS / "tutorial.md" in pages_with_runnable_blocks()
    assert PAGES, "no guide has a block that runs"


def test_blocks_are_read_with_their_attributes(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text('Text\n\n```sh {.run}\necho one\n```\n\n```python\nnot run\n```\n\n'
                    '- a list\n\n    ```python {.write title="x.py"}\n    print(2)\n    ```\n\n'
                    '````python {.run}\nfence = """\n```\n"""\n'
                    'import runpy; runpy.run_path("x.py")\n````\n')

    blocks = fences(page)

    assert [(b.line, b.lang, b.action) for b in blocks] == [
        (3, "sh", Action.RUN), (7, "python", None), (13, "python", Action.WRITE),
        (17, "python", Action.RUN)]
    assert blocks[2].body == 'print(2)'
    assert blocks[3].body == 'fence = """\n```\n"""\nimport runpy; runpy.run_path("x.py")'
    run = run_page(page, tmp_path)
    assert run.returncode == 0, run.explain()
    assert run.output_of(blocks[0]) == "one\n"
    assert run.output_of(blocks[3]) == "2\n"


def test_a_failing_block_stops_the_page_and_is_named(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```sh {.run}\nfalse\n```\n\n```sh {.run}\necho never\n```\n")

    run = run_page(page, tmp_path)

    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1].startswith(f"== {page}:1 (at ")
    assert "never" not in run.stdout
    assert page_script(page).count("set -euo pipefail") == 1


def test_a_server_left_running_is_stopped_with_the_page(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```sh {.run}\nsleep 600 &\necho $! > pid\n```\n")

    run = run_page(page, tmp_path, timeout=30)

    assert run.returncode == 0, run.explain()
    pid = int((tmp_path / "pid").read_text())
    assert not Path(f"/proc/{pid}").exists()
