"""The one record of dependencies (incremental/dependencies.py) answers "which pages show
entry X": every page whose bytes change when X's front matter changes is among the
pages the record says show X, and every page that changes when only X's text changes
is among those it says show X's body. Checked against clean builds of the mini site,
for every kenniscafé, publication and news item."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from conftest import SITES, TODAY

from wsdgen.incremental.rebuild import Rebuilder
from wsdgen.pipeline import BuildOptions, build

DATED = ("kenniscafes", "publicaties", "nieuws")


def clean_build(site: Path) -> dict[str, bytes]:
    options = BuildOptions(site_dir=site, today=dt.date.fromisoformat(TODAY), write=False)
    result = build(options)
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    return {page.file: page.data for page in result.rendered}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Rebuilder]:
    site = tmp_path_factory.mktemp("deps") / "site"
    shutil.copytree(SITES / "mini", site)
    rebuilder = Rebuilder(
        BuildOptions(site_dir=site, today=dt.date.fromisoformat(TODAY), write=False)
    )
    assert rebuilder.rebuild().exit_code == 0
    return site, rebuilder


def entry_files(site: Path) -> list[Path]:
    """The site's kenniscafés, publications and news items, drafts (not built) left out."""
    paths = [path for name in DATED for path in sorted((site / "content" / name).glob("*.md"))]
    return [path for path in paths if not re.search(r"(?m)^draft: *true", path.read_text())]


def changed_pages(site: Path, path: Path, edited: str) -> set[str]:
    before = clean_build(site)
    original = path.read_text(encoding="utf-8")
    path.write_text(edited, encoding="utf-8")
    try:
        after = clean_build(site)
    finally:
        path.write_text(original, encoding="utf-8")
    assert before.keys() == after.keys()
    return {file for file in before if before[file] != after[file]}


def test_the_mini_site_has_entries_of_every_dated_kind(recorded: tuple[Path, Rebuilder]) -> None:
    site, _ = recorded
    kinds = {path.parent.name for path in entry_files(site)}
    assert kinds == set(DATED)


def test_a_title_edit_changes_only_pages_the_record_says_show_the_entry(
    recorded: tuple[Path, Rebuilder],
) -> None:
    site, rebuilder = recorded
    record = rebuilder.dependencies
    for path in entry_files(site):
        key = (path.parent.name, path.stem)
        text = path.read_text(encoding="utf-8")
        edited, count = re.subn(r"(?m)^title: .*$", "title: Een heel andere titel", text, count=1)
        assert count == 1, path
        changed = changed_pages(site, path, edited)
        assert changed, path  # its own page at least
        assert changed <= record.showing(key), (path, sorted(changed - record.showing(key)))


def test_a_text_edit_changes_only_pages_the_record_says_show_the_body(
    recorded: tuple[Path, Rebuilder],
) -> None:
    site, rebuilder = recorded
    record = rebuilder.dependencies
    for path in entry_files(site):
        key = (path.parent.name, path.stem)
        text = path.read_text(encoding="utf-8")
        if not text.split("---", 2)[2].strip():
            continue  # an empty body: adding one shows elsewhere ("met verslag")
        changed = changed_pages(site, path, text + "\nEen zin die er nog niet stond.\n")
        assert changed, path
        assert changed <= set(record.showing_body([key])), path
