"""Shared helpers: build fixture sites in a temporary folder and parse the output."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from wsdgen.cli import main

SITES = Path(__file__).parent / "sites"
REPO = Path(__file__).parent.parent
TODAY = "2026-11-23"

# A Markdown body that keeps Python-Markdown busy far beyond the 3 s bound (about 20 s
# with Markdown 3.11; plain '[' * 20000 converts in 0.1 s since 3.11).
SLOW_MARKDOWN = "[a](" * 12000

MINIMAL_CONFIG = """\
title: Testsite
base_url: https://example.org/
security_contact: mailto:security@example.org
"""


def mini_with_image_folder(tmp_path: Path) -> Path:
    """A copy of the mini site with an (empty) assets/afbeeldingen/ for the media tests."""
    target = tmp_path / "site"
    shutil.copytree(SITES / "mini", target)
    (target / "assets/afbeeldingen").mkdir(parents=True)
    return target


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [
            line for line in self.err.splitlines() if ": error: " in line or ": warning: " in line
        ]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run the wsdgen command line in-process and capture exit code and output."""

    def invoke(*args: str) -> Run:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return invoke


TEST_CACHE_KEY = "sleutel-van-de-tests-" + "x" * 40


@pytest.fixture
def signed_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache key in the environment, as CI's secret gives one (--cache reuses)."""
    monkeypatch.setenv("WSDGEN_CACHE_KEY", TEST_CACHE_KEY)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh copy of tests/sites/mini that a test may change."""
    target = tmp_path / "mini"
    shutil.copytree(SITES / "mini", target)
    return target


def write_site(root: Path, files: dict[str, str], config: str = MINIMAL_CONFIG) -> Path:
    """Write a small site: config.yaml plus the given files (dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def with_template(site: Path, name: str, text: str) -> Path:
    """Write a site template (an override of the theme's when the name is the same)."""
    path = site / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def page(out: Path, site_path: str) -> BeautifulSoup:
    """Parse the HTML page published at a site path ('/themas/armoede/')."""
    file = out / site_path.lstrip("/")
    if site_path.endswith("/"):
        file = file / "index.html"
    return BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")


def section_links(soup: BeautifulSoup, heading_id: str) -> set[str]:
    """The hrefs of the entry titles inside the section labelled by a heading id."""
    heading = soup.find(id=heading_id)
    if heading is None:
        return set()
    section = heading.find_parent("section")
    return {a["href"] for a in section.select(".card-title a, .link-list a")}


def settled_names(folder: Path, seconds: float = 15) -> list[str]:
    """The names in a folder once the swapped-out output beside it is gone: a process
    of its own removes it after the build (output.remove_later)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        names = sorted(p.name for p in folder.iterdir())
        if not any(".old-" in name for name in names) or time.monotonic() > deadline:
            return names
        time.sleep(0.05)
