"""The real site in a real browser and against real validators: axe, vnu, feeds, search.

These tests need Chromium (/usr/bin/chromium), Java and the vnu-jar npm package. CI
installs them (.ci/run) and a missing tool fails the run there; on a developer's
machine without them these tests are skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import icalendar
import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, require, serving, wait_until
from conftest import REPO, TODAY, page

VNU_JAR = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGE_TYPES = [
    "/",
    "/werkplaatsen/",
    "/werkplaatsen/zuid-holland-zuid/",
    "/themas/",
    "/themas/armoede/",
    "/regios/",
    "/regios/zuid-holland/",
    "/kenniscafes/",
    "/kenniscafes/2019-05-23-voorkomen-huisuitzettingen/",
    "/publicaties/",
    "/publicaties/broedplaatsen-voor-nieuwe-antwoorden/",
    "/nieuws/",
    "/nieuws/2017-09-26-conferentie-samen-leren-en-ontwikkelen/",
    "/over-ons/",
    "/toegankelijkheid/",
    "/zoeken/",
    "/wie-werkt-waaraan/",
    "/404.html",
]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wsdgen.pipeline import BuildOptions, build

    out = tmp_path_factory.mktemp("quality") / "public"
    options = BuildOptions(site_dir=REPO, out=str(out), today=dt.date.fromisoformat(TODAY))
    result = build(options)
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    return out


@pytest.fixture(scope="module")
def server(real: Path) -> Iterator[str]:
    with serving(real) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", PAGE_TYPES)
def test_no_axe_violations_wcag21_aa(browser, server: str, path: str, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(server + path, wait_until="networkidle")
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = [
        (v["id"], [node["target"] for node in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    context.close()
    assert violations == []
    # Nothing is loaded from another host.
    assert [url for url in requests if not url.startswith(server)] == []


def test_search_finds_the_kenniscafe_about_huisuitzettingen(browser, server: str) -> None:
    tab = browser.new_page()
    tab.goto(server + "/")
    tab.fill("#zoekterm", "huisuitzetting")
    tab.press("#zoekterm", "Enter")
    tab.wait_for_url("**/zoeken/?q=huisuitzetting")
    first = tab.locator(".pagefind-ui__result-link").first
    first.wait_for(timeout=15000)
    links = tab.locator(".pagefind-ui__result-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    tab.close()
    assert "/kenniscafes/2019-05-23-voorkomen-huisuitzettingen/" in links


def test_search_filters_are_offered(browser, server: str) -> None:
    tab = browser.new_page()
    tab.goto(server + "/zoeken/?q=armoede")
    wait_until(
        tab,
        "() => document.querySelector('.pagefind-ui__result-link') !== null",
        "a search result for 'armoede'",
    )
    # Pagefind fetches one file per filter and draws each filter when its file arrives,
    # which can be after the first result; wait for the filters before reading them.
    expected = {"soort", "werkplaats", "thema", "regio"}
    wait_until(
        tab,
        """expected => expected.every(name => [...document.querySelectorAll(
               '.pagefind-ui__filter-name')].some(el => el.textContent.trim()
               .toLowerCase() === name))""",
        f"the search filters {sorted(expected)}",
        arg=sorted(expected),
    )
    filters = tab.locator(".pagefind-ui__filter-name").all_inner_texts()
    tab.close()
    assert expected <= {f.strip().lower() for f in filters}


def test_html_is_valid_according_to_the_nu_html_checker(real: Path) -> None:
    java = shutil.which("java")
    require(java is not None and VNU_JAR.exists(), "Java and npm vnu-jar")
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only", str(real)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[:3000]


def test_atom_feeds_parse(real: Path) -> None:
    feeds = [real / "nieuws/atom.xml", *sorted((real / "themas").glob("*/atom.xml"))]
    assert len(feeds) > 10
    for feed_file in feeds:
        feed = feedparser.parse(feed_file.read_bytes())
        assert feed.bozo == 0, (feed_file, feed.get("bozo_exception"))
        for entry in feed.entries:
            assert urlsplit(entry.link).scheme == "https"
    news = feedparser.parse((real / "nieuws/atom.xml").read_bytes())
    assert len(news.entries) == len(list((REPO / "content/nieuws").glob("*.md")))
    dates = [entry.updated for entry in news.entries]
    assert dates == sorted(dates, reverse=True)


def test_news_feed_is_linked_from_every_page(real: Path) -> None:
    link = page(real, "/").find("link", rel="alternate", type="application/atom+xml")
    assert link["href"] == "/nieuws/atom.xml"


def test_ics_files_parse_with_stable_uids(real: Path) -> None:
    agenda = icalendar.Calendar.from_ical((real / "kenniscafes/agenda.ics").read_bytes())
    events = list(agenda.walk("VEVENT"))
    cafes = list((REPO / "content/kenniscafes").glob("*.md"))
    assert len(events) == len(cafes)
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    single = icalendar.Calendar.from_ical(
        (real / "kenniscafes/2019-05-23-voorkomen-huisuitzettingen/agenda.ics").read_bytes()
    )
    (event,) = single.walk("VEVENT")
    assert str(event["UID"]) in uids
    assert event.decoded("DTSTART") == dt.date(2019, 5, 23)
    for ics in (real / "werkplaatsen").glob("*/agenda.ics"):
        icalendar.Calendar.from_ical(ics.read_bytes())


@pytest.fixture(scope="module")
def sub_path_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real site built for https://host/wsd/ and served under /wsd/."""
    from wsdgen.pipeline import BuildOptions, build

    root = tmp_path_factory.mktemp("subpath")
    options = BuildOptions(
        site_dir=REPO,
        out=str(root / "wsd"),
        base_url="https://example.org/wsd/",
        today=dt.date.fromisoformat(TODAY),
    )
    assert build(options).exit_code == 0
    with serving(root) as url:
        yield url


def test_search_works_under_a_sub_path(browser, sub_path_server: str) -> None:
    tab = browser.new_page()
    failed: list[str] = []
    tab.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    tab.goto(sub_path_server + "/wsd/")
    tab.fill("#zoekterm", "huisuitzetting")
    tab.press("#zoekterm", "Enter")
    tab.wait_for_url("**/wsd/zoeken/?q=huisuitzetting")
    tab.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)
    links = tab.locator(".pagefind-ui__result-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    tab.goto(sub_path_server + links[0])
    title = tab.locator("h1").inner_text()
    tab.close()
    assert "/wsd/kenniscafes/2019-05-23-voorkomen-huisuitzettingen/" in links
    assert title
    assert failed == []
