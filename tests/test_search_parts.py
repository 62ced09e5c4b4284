"""A large site's search index comes in parts: list pages (werkplaats, theme, region)
in the first, entries spread over the others by the hash of their path. Every indexed
page is in exactly one part, a page keeps its part from build to build, the search page
merges the parts (results and filters), and with --cache an edit re-indexes only the
parts whose pages changed."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from browsing import serving, wait_until
from conftest import REPO, SITES, TODAY
from test_reflow import browser  # noqa: F401 - shared fixture

from wsdgen.cache.bodycache import DiskCache
from wsdgen.pipeline import BuildOptions, BuildResult, build
from wsdgen.publish import search
from wsdgen.publish.search import MANIFEST, part_of, plan_parts

CAFE = "content/kenniscafes/2017-04-14-schulden.md"


pytestmark = pytest.mark.usefixtures("signed_cache")


def page(number: int, marked: bool = True) -> tuple[str, bytes]:
    body = b"<article data-pagefind-body>" if marked else b"<article>"
    return f"kenniscafes/cafe-{number}/index.html", body + f"tekst {number}".encode()


def made(site: Path, out: Path, cache: Path | None = None) -> BuildResult:
    options = BuildOptions(site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY))
    result = build(options, body_cache=DiskCache(cache) if cache else None)
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    return result


def bundles(out: Path) -> dict[str, dict[str, bytes]]:
    """Every bundle's files, by the bundle's folder (pagefind/ and pagefind/deel-N/)."""
    found: dict[str, dict[str, bytes]] = {}
    for entry in (out / "pagefind").rglob("pagefind-entry.json"):
        root = entry.parent
        found[root.relative_to(out).as_posix()] = {
            path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.relative_to(root).as_posix().startswith("deel-")
        }
    return found


def page_counts(out: Path) -> dict[str, int]:
    counts = {}
    for name, files in bundles(out).items():
        entry = json.loads(files["pagefind-entry.json"])
        counts[name] = sum(language["page_count"] for language in entry["languages"].values())
    return counts


def test_a_small_site_is_one_part() -> None:
    parts = plan_parts([page(n) for n in range(40)])
    assert [(part.number, len(part.files), part.bundle) for part in parts] == [(0, 40, "pagefind")]


def test_list_pages_form_the_first_part_and_entries_keep_their_part(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "PART_SIZE", 10)
    pages = [page(n) for n in range(45)] + [("themas/armoede/index.html", b"data-pagefind-body")]
    unmarked = [page(100, marked=False)]
    parts = plan_parts(pages + unmarked, lists={"themas/armoede/index.html"})
    assert parts[0].files == ("themas/armoede/index.html",)
    assert [part.bundle for part in parts[:2]] == ["pagefind", "pagefind/deel-1"]
    everything = [file for part in parts for file in part.files]
    assert sorted(everything) == sorted(file for file, _ in pages)  # once each, no unmarked
    assert all(part.files for part in parts)
    # Editing one entry changes its own part's fingerprint only.
    edited = [(f, d + b" bewerkt") if f == pages[7][0] else (f, d) for f, d in pages]
    again = plan_parts(edited, lists={"themas/armoede/index.html"})
    changed = [old.number for old, new in zip(parts, again, strict=True) if old != new]
    assert changed == [1 + part_of(pages[7][0], 5)]


def test_without_marked_pages_every_page_is_indexed() -> None:
    parts = plan_parts([page(n, marked=False) for n in range(3)])
    assert len(parts[0].files) == 3


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(SITES / "mini", target)
    return target


def test_a_site_in_parts_indexes_each_page_once(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PART_SIZE", 2)
    out = tmp_path / "public"
    result = made(site, out)
    marked = [r.file for r in result.rendered if b"data-pagefind-body" in r.data]
    manifest = json.loads((out / "pagefind" / MANIFEST).read_text(encoding="utf-8"))
    counts = page_counts(out)
    assert len(manifest["delen"]) >= 2
    assert sorted(counts) == ["pagefind"] + [f"pagefind/{d.rstrip('/')}" for d in manifest["delen"]]
    assert sum(counts.values()) == len(marked)
    assert not (out / search.WORK_FOLDER).exists()


def test_pagefind_starts_while_other_pages_are_still_being_written(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PART_SIZE", 2)
    seen: list[set[str]] = []
    real_run = search.run_pagefind

    def run_and_look(pages: Path, bundle: Path) -> None:
        folder = pages.parent.parent  # <new output>/.zoekdelen/deel-N
        written = (p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
        seen.append({name for name in written if not name.startswith(".")})
        real_run(pages, bundle)

    monkeypatch.setattr(search, "run_pagefind", run_and_look)
    out = tmp_path / "public"
    result = made(site, out)
    html = {r.file for r in result.rendered if r.file.endswith(".html")}
    marked = {r.file for r in result.rendered if b"data-pagefind-body" in r.data}
    assert len(seen) == len(page_counts(out)) >= 3
    # The first part went to Pagefind before the pages that are not indexed were made.
    assert "index.html" not in seen[0] and "agenda/index.html" not in seen[0]
    assert len(seen[0] & marked) < len(marked)
    assert seen[0] < html
    assert sum(page_counts(out).values()) == len(marked)


def test_a_site_template_that_unmarks_a_page_type_still_indexes_exactly_the_marked_pages(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overlap predicts that entry pages are indexed; a site's own template can
    say otherwise, and then the parts are planned from the written pages."""
    monkeypatch.setattr(search, "PART_SIZE", 2)
    theme = REPO / "wsdgen/theme/templates/kenniscafe.html"
    (site / "templates").mkdir(exist_ok=True)
    text = theme.read_text(encoding="utf-8")
    assert "data-pagefind-body" in text
    (site / "templates/kenniscafe.html").write_text(
        text.replace(" data-pagefind-body", ""), encoding="utf-8"
    )
    out = tmp_path / "public"
    result = made(site, out)
    marked = {r.file for r in result.rendered if b"data-pagefind-body" in r.data}
    assert marked and not any(file.startswith("kenniscafes/") for file in marked)
    held = set().union(*urls_by_bundle(out).values())
    assert held == {"/" + file.removesuffix("index.html") for file in marked}
    assert sum(page_counts(out).values()) == len(marked)
    assert not (out / search.WORK_FOLDER).exists()


def test_after_an_edit_only_the_changed_parts_are_indexed_again(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "PART_SIZE", 2)
    cache = tmp_path / "cache"
    made(site, tmp_path / "one", cache)
    path = site / CAFE
    path.write_text(path.read_text(encoding="utf-8") + "\nEen nieuwe zin.\n", encoding="utf-8")
    made(site, tmp_path / "two", cache)
    before, after = bundles(tmp_path / "one"), bundles(tmp_path / "two")
    assert before.keys() == after.keys()
    # Pagefind names its files differently on every run: equal bundles were reused.
    changed = sorted(name for name in before if before[name] != after[name])
    holds_cafe = [
        name
        for name, urls in urls_by_bundle(tmp_path / "two").items()
        if "/kenniscafes/2017-04-14-schulden/" in urls
    ]
    # The body is not on any list page, so only the cafe's own part is indexed again.
    assert changed == holds_cafe


def urls_by_bundle(out: Path) -> dict[str, set[str]]:
    """The page URLs each bundle holds, read from its fragments."""
    found: dict[str, set[str]] = {}
    for name in bundles(out):
        for fragment in (out / name / "fragment").glob("*.pf_fragment"):
            data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
            found.setdefault(name, set()).add(json.loads(data)["url"])
    return found


@pytest.fixture(scope="module")
def parted_site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PART_SIZE", 20)
        out = tmp_path_factory.mktemp("parts") / "public"
        made(REPO, out)
    held = urls_by_bundle(out)
    assert len(held) >= 4
    with serving(out) as url:
        yield url, held


def test_the_search_page_merges_results_and_filters_of_every_part(
    browser: Any,  # noqa: F811
    parted_site: tuple[str, dict[str, set[str]]],
) -> None:
    url, held = parted_site
    tab = browser.new_page()
    tab.goto(url + "/zoeken/?q=armoede")
    wait_until(
        tab,
        "() => document.querySelector('.pagefind-ui__result-link') !== null",
        "a search result for 'armoede'",
    )
    wait_until(
        tab,
        "() => document.querySelectorAll('.pagefind-ui__filter-name').length >= 4",
        "the four search filters",
    )
    while tab.locator(".pagefind-ui__button").count():
        shown = tab.locator(".pagefind-ui__result-link").count()
        tab.locator(".pagefind-ui__button").first.click()
        wait_until(
            tab,
            "shown => document.querySelectorAll('.pagefind-ui__result-link').length > shown",
            "more results after 'Meer resultaten laden'",
            arg=shown,
        )
    links = set(
        tab.locator(".pagefind-ui__result-link").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    )
    names = tab.locator(".pagefind-ui__filter-name").all_inner_texts()
    tab.close()
    assert {"soort", "werkplaats", "thema", "regio"} <= {n.strip().lower() for n in names}
    # The results come from several bundles, the first one's and merged ones'.
    sources = {name for name, urls in held.items() if links & urls}
    assert "pagefind" in sources and len(sources) >= 3
    # Every page that holds the word in its own text is found, whichever bundle has it.
    assert "/kenniscafes/2019-05-23-voorkomen-huisuitzettingen/" in links
