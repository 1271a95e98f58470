"""The built site: it builds with --strict, its reference covers every public name and every
``byoc`` command, and its tutorial renders in Chromium as a reader sees it."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest
from PIL import Image

import byoc_toolkit
import byoc_toolkit.testing as testing
from byoc_toolkit.cli.main import cli

#: CI (.ci/run sets BYOC_REQUIRE_DOCKER=1) fails without Chromium instead of skipping.
IN_CI = os.environ.get("BYOC_REQUIRE_DOCKER") == "1"
#: A full-width screenshot of a page of text: a blank or broken page compresses far below.
MIN_SCREENSHOT_BYTES = 20_000
#: Distinct colours in a rendered page of text, code and navigation (a blank page has 1).
MIN_COLOURS = 16
#: Material's default primary colour (indigo): its header means the theme's CSS was applied.
HEADER_COLOUR = (64, 81, 181)


def page_text(site: Path, page: str) -> str:
    return html.unescape((site / page / "index.html").read_text())


def test_every_public_name_is_in_the_api_reference(site: Path) -> None:
    api = page_text(site, "reference/api")
    ids = set(re.findall(r'id="(byoc_toolkit\.[\w.]+)"', api))
    missing = [name for name in byoc_toolkit.__all__ if f"byoc_toolkit.{name}" not in ids]
    # The testing kit imports its names on first use: each is documented where it lives.
    missing += [name for name in testing.__all__
                if not any(found.endswith(f".{name}") for found in ids)]
    assert not missing, f"not in the API reference: {missing}"


def commands(group: click.Group, prefix: str) -> list[str]:
    """Every command under ``group`` (``byoc deploy``'s are loaded only when asked for)."""
    context = click.Context(group)
    found = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        path = f"{prefix} {name}"
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(commands(command, path))
    return found


def test_every_byoc_command_is_in_the_cli_reference(site: Path) -> None:
    headings = {re.sub(r"<[^>]+>", "", heading).strip("¶ \n") for heading in
                re.findall(r"<h\d[^>]*>(.*?)</h\d>", page_text(site, "reference/cli"), re.S)}
    every = commands(cli, "byoc")
    missing = [command for command in every if command not in headings]
    assert len(every) > 15
    assert not missing, f"not in the CLI reference: {missing}"


@pytest.mark.skipif(shutil.which("chromium") is None and not IN_CI,
                    reason="no chromium (scripts/bootstrap installs Debian's)")
def test_the_tutorial_renders_in_chromium(site: Path, tmp_path: Path) -> None:
    screenshot = tmp_path / "tutorial.png"
    shot = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
         "--window-size=1280,2000", f"--screenshot={screenshot}",
         (site / "tutorial" / "index.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > MIN_SCREENSHOT_BYTES
    with Image.open(screenshot) as image:
        image.load()
        assert image.size == (1280, 2000)
        rgb = image.convert("RGB")
        assert rgb.getpixel((10, 10)) == HEADER_COLOUR, "the page has no Material header"
        colours = rgb.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) >= MIN_COLOURS, f"{len(colours or [])} colours"
    print(f"screenshot: {screenshot.stat().st_size} bytes, "
          f"{'more than 65536' if colours is None else len(colours)} colours")
