"""The knowledge overview (/kennisoverzicht/): its lists, chart, table, JSON and CSV, the
terminal command, the theme and werkplaats pages, and the page in a browser and a
validator.

The expected sets are computed here from the fixture's own data (``WERKPLAATSEN``,
``ITEMS``), following the issue's definitions, not from wsdgen/plan/overview.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, require, serving
from bs4 import BeautifulSoup
from conftest import REPO, Run, page, write_site

from wsdgen.pipeline import BuildOptions, build

TODAY = dt.date(2026, 12, 6)
SINCE = dt.date(2025, 12, 7)  # the first day of the twelve months up to TODAY

REGIOS = {"noord-holland": "Noord-Holland", "zuid-holland": "Zuid-Holland", "limburg": "Limburg"}
THEMAS = {"armoede": "Armoede", "jeugd": "Jeugd", "wonen": "Wonen", "zorg": "Zorg"}

# slug: (title, regios, themas)
WERKPLAATSEN: dict[str, tuple[str, list[str], list[str]]] = {
    "amsterdam": ("Werkplaats Amsterdam", ["noord-holland"], ["armoede"]),
    "grens": ("Werkplaats Grens", ["noord-holland", "limburg"], []),  # two regions
    "rotterdam": ("Werkplaats Rotterdam", ["zuid-holland"], ["armoede"]),
    "stil": ("Werkplaats Stil", ["limburg"], []),
    "leeg": ("Werkplaats Leeg", ["zuid-holland"], []),
}

# (kind, slug, werkplaats, themas, datum or None, jaar or None, draft)
ITEMS: list[tuple[str, str, str, list[str], str | None, int | None, bool]] = [
    ("kenniscafes", "2026-03-01-jeugd", "amsterdam", ["jeugd"], "2026-03-01", None, False),
    ("kenniscafes", "2025-02-01-armoede", "amsterdam", ["armoede"], "2025-02-01", None, False),
    ("kenniscafes", "2020-05-05-oud", "stil", [], "2020-05-05", None, False),
    # A draft must not count: not for Jeugd's regions, not against Rotterdam's quiet.
    ("kenniscafes", "2026-10-01-concept", "rotterdam", ["jeugd"], "2026-10-01", None, True),
    # Announced, after TODAY: in its year, but not activity in the window.
    ("kenniscafes", "2027-01-20-straks", "stil", [], "2027-01-20", None, False),
    ("publicaties", "rapport", "rotterdam", ["armoede"], None, 2024, False),
    ("nieuws", "2026-06-01-nieuws", "grens", ["wonen"], "2026-06-01", None, False),
]

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus"]
MONTHS += ["september", "oktober", "november", "december"]


def files() -> dict[str, str]:
    out = {f"content/regios/{s}.md": f"---\ntitle: {t}\n---\n" for s, t in REGIOS.items()}
    for slug, title in THEMAS.items():
        out[f"content/themas/{slug}.md"] = f"---\ntitle: {title}\nsoort: themagroep\n---\n"
    for slug, (title, regios, themas) in WERKPLAATSEN.items():
        out[f"content/werkplaatsen/{slug}.md"] = (
            f"---\ntitle: {title}\nregios: [{', '.join(regios)}]\n"
            f"themas: [{', '.join(themas)}]\n---\nOver {title}.\n"
        )
    for kind, slug, owner, themas, datum, jaar, draft in ITEMS:
        lines = [f"title: Item {slug}", f"werkplaats: {owner}", f"themas: [{', '.join(themas)}]"]
        lines += [f"datum: {datum}"] if datum else []
        lines += [f"jaar: {jaar}", "soort: rapport"] if kind == "publicaties" else []
        lines += ["draft: true"] if draft else []
        out[f"content/{kind}/{slug}.md"] = "---\n" + "\n".join(lines) + "\n---\nVerslag.\n"
    return out


def shown_items() -> list[tuple[str, str, str, list[str], str | None, int | None, bool]]:
    return [item for item in ITEMS if not item[6]]


def item_day(datum: str | None, jaar: int | None) -> dt.date:
    return dt.date.fromisoformat(datum) if datum else dt.date(jaar or 1900, 1, 1)


def expected_theme_regions() -> dict[str, set[str]]:
    workers: dict[str, set[str]] = {slug: set() for slug in THEMAS}
    for slug, (_, _, themas) in WERKPLAATSEN.items():
        for thema in themas:
            workers[thema].add(slug)
    for _, _, owner, themas, *_ in shown_items():
        for thema in themas:
            workers[thema].add(owner)
    return {t: {r for w in ws for r in WERKPLAATSEN[w][1]} for t, ws in workers.items()}


def expected_one_region() -> dict[str, str]:
    """Theme title -> the one region's title."""
    return {
        THEMAS[t]: REGIOS[next(iter(regios))]
        for t, regios in expected_theme_regions().items()
        if len(regios) == 1
    }


def expected_quiet() -> set[str]:
    active = {
        owner
        for _, _, owner, _, datum, jaar, _ in shown_items()
        if SINCE <= item_day(datum, jaar) <= TODAY
    }
    return {WERKPLAATSEN[w][0] for w in WERKPLAATSEN if w not in active}


def expected_counts() -> dict[tuple[str, int], tuple[int, int, int]]:
    counts: dict[tuple[str, int], list[int]] = {}
    for kind, _, owner, _, datum, jaar, _ in shown_items():
        year = jaar if kind == "publicaties" and jaar else item_day(datum, jaar).year
        index = ["kenniscafes", "publicaties", "nieuws"].index(kind)
        counts.setdefault((WERKPLAATSEN[owner][0], year), [0, 0, 0])[index] += 1
    return {key: (a, b, c) for key, (a, b, c) in counts.items()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("overview") / "site", files())


@pytest.fixture(scope="module")
def out(site: Path) -> Path:
    target = site.parent / "public"
    result = build(BuildOptions(site_dir=site, out=str(target), today=TODAY, search_index=False))
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    return target


def section(soup: BeautifulSoup, anchor: str) -> Any:
    found = soup.find(id=anchor)
    assert found is not None and found.name == "section", anchor
    return found


def test_themes_in_one_region_match_the_content(out: Path) -> None:
    expected = expected_one_region()
    # The fixture holds each case: Armoede in two regions, Jeugd in one (the draft
    # from Rotterdam does not count), Wonen through a werkplaats in two regions.
    assert expected == {"Jeugd": "Noord-Holland"}
    items = section(page(out, "/kennisoverzicht/"), "themas-een-regio").select("li")
    found = {li.a.get_text(strip=True): li.select("a")[1].get_text(strip=True) for li in items}
    assert found == expected
    assert items[0].a["href"] == "/themas/jeugd/"
    assert "andere regio" in items[0].get_text().lower()


def test_quiet_werkplaatsen_match_the_content(out: Path) -> None:
    expected = expected_quiet()
    assert expected == {"Werkplaats Rotterdam", "Werkplaats Stil", "Werkplaats Leeg"}
    items = section(page(out, "/kennisoverzicht/"), "stille-werkplaatsen").select("li")
    found = {li.a.get_text(strip=True): li.get_text(" ", strip=True) for li in items}
    assert set(found) == expected
    # The last item: a date, a year for a publication without datum, or nothing yet.
    assert found["Werkplaats Stil"].endswith("laatste activiteit 5 mei 2020")
    assert found["Werkplaats Rotterdam"].endswith("laatste activiteit 2024")
    assert found["Werkplaats Leeg"].endswith("nog niets gepubliceerd")


def table_figures(table: Any) -> dict[tuple[str, int], tuple[int, int, int]]:
    rows = {}
    for tr in table.select("tbody tr"):
        cells = [c.get_text(strip=True) for c in tr.find_all(["th", "td"])]
        rows[(cells[0], int(cells[1]))] = (int(cells[2]), int(cells[3]), int(cells[4]))
        assert int(cells[5]) == sum(rows[(cells[0], int(cells[1]))])
    return rows


def test_the_table_holds_the_figures_and_sums(out: Path) -> None:
    part = section(page(out, "/kennisoverzicht/"), "per-jaar")
    table = part.find("table")
    assert table.caption.get_text(strip=True)
    assert all(th.get("scope") == "col" for th in table.select("thead th"))
    assert all(th.get("scope") == "row" for th in table.select("tbody th, tfoot th"))
    figures = table_figures(table)
    assert figures == expected_counts()
    foot = [int(td.get_text()) for td in table.select("tfoot td")]
    sums = [sum(v[i] for v in figures.values()) for i in range(3)]
    assert foot == [*sums, sum(sums)]


def test_the_chart_is_svg_with_title_desc_and_the_same_numbers(out: Path) -> None:
    part = section(page(out, "/kennisoverzicht/"), "per-jaar")
    svgs = part.select("svg")
    assert len(svgs) == len(WERKPLAATSEN)
    counts = expected_counts()
    years = sorted({year for _, year in counts})
    for svg in svgs:
        assert svg["role"] == "img" and svg.get("viewbox")
        title, desc = svg.find("title"), svg.find("desc")
        assert title.get_text(strip=True) and desc.get_text(strip=True)
        assert set(svg["aria-labelledby"].split()) == {title["id"], desc["id"]}
        name = title.get_text().removeprefix("Activiteit van ").removesuffix(" per jaar")
        numbers = [int(t.get_text()) for t in svg.select("text.heat-value")]
        wanted = [
            sum(counts.get((name, year), (0, 0, 0))) for year in range(years[0], years[-1] + 1)
        ]
        assert numbers == wanted, name
        assert all(f"{years[0] + i}: {n}" in desc.get_text() for i, n in enumerate(wanted))


def test_json_and_csv_match_the_page(out: Path) -> None:
    data = json.loads((out / "kennisoverzicht.json").read_text(encoding="utf-8"))
    titles = {w["slug"]: w["titel"] for w in data["werkplaatsen"]}
    assert {THEMAS[t] for t in data["themas_een_regio"]} == set(expected_one_region())
    assert {titles[w] for w in data["stille_werkplaatsen"]} == expected_quiet()
    from_json = {
        (w["titel"], y["jaar"]): (y["kenniscafes"], y["publicaties"], y["nieuws"])
        for w in data["werkplaatsen"]
        for y in w["per_jaar"]
        if y["totaal"]
    }
    table = section(page(out, "/kennisoverzicht/"), "per-jaar").find("table")
    assert from_json == table_figures(table) == expected_counts()
    grens = next(w for w in data["werkplaatsen"] if w["slug"] == "grens")
    assert grens["regios"] == ["noord-holland", "limburg"]
    wonen = next(t for t in data["themas"] if t["slug"] == "wonen")
    assert sorted(wonen["regios"]) == ["limburg", "noord-holland"] and not wonen["een_regio"]
    rows = list(csv.DictReader(io.StringIO((out / "kennisoverzicht.csv").read_text())))
    from_csv = {
        (titles[r["werkplaats"]], int(r["jaar"])): (
            int(r["kenniscafes"]),
            int(r["publicaties"]),
            int(r["nieuws"]),
        )
        for r in rows
        if int(r["totaal"])
    }
    assert from_csv == from_json


def test_theme_and_werkplaats_pages_show_the_same_facts(out: Path) -> None:
    regions = expected_theme_regions()
    armoede = page(out, "/themas/armoede/").select_one("p.reach")
    n = len(regions["armoede"])
    assert f"actief in {n} regio's en 2 werkplaatsen" in armoede.get_text(" ", strip=True)
    assert armoede.find("a", href="/kennisoverzicht/") is not None
    jeugd = page(out, "/themas/jeugd/").select_one("p.reach").get_text(" ", strip=True)
    assert "actief in 1 regio en 1 werkplaats" in jeugd
    amsterdam = page(out, "/werkplaatsen/amsterdam/")
    part = amsterdam.find(id="activiteit-kop").find_parent("section")
    assert "Laatste activiteit: 1 maart 2026" in part.get_text(" ", strip=True)
    assert part.select_one("svg title") is not None
    rows = {
        tr.th.get_text(strip=True): [td.get_text() for td in tr.find_all("td")]
        for tr in part.select("tbody tr")
    }
    assert rows == {"2025": ["1", "0", "0", "1"], "2026": ["1", "0", "0", "1"]}


def test_the_page_is_linked_and_the_old_matrix_url_still_works(out: Path) -> None:
    for path in ("/", "/themas/", "/werkplaatsen/"):
        assert page(out, path).select_one("main a[href='/kennisoverzicht/']"), path
    assert page(out, "/themas/").select_one("footer a[href='/kennisoverzicht/']")
    old = page(out, "/wie-werkt-waaraan/")
    assert old.find("a", href="/kennisoverzicht/#wie-werkt-waaraan") is not None
    assert section(page(out, "/kennisoverzicht/"), "wie-werkt-waaraan").select("li")
    assert section(page(out, "/kennisoverzicht/"), "kaart") is not None


def test_the_page_has_no_script_and_stays_small(out: Path) -> None:
    html = (out / "kennisoverzicht/index.html").read_bytes()
    assert b"<script" not in html
    assert len(html) < 100_000


def test_overzicht_prints_the_overview_in_dutch(site: Path, run: Callable[..., Run]) -> None:
    done = run("overzicht", "--site", str(site), "--today", TODAY.isoformat())
    assert done.code == 0, done.err
    text = done.out
    assert "Kennisoverzicht op 6 december 2026" in text
    assert "Thema's in één regio (1):" in text
    assert "  Jeugd: alleen in Noord-Holland (Werkplaats Amsterdam)" in text
    assert f"Stille werkplaatsen sinds 7 december 2025 ({len(expected_quiet())}):" in text
    assert "  Werkplaats Leeg: nog niets gepubliceerd" in text
    assert "  Werkplaats Stil: laatste activiteit 5 mei 2020" in text
    as_json = run("overzicht", "--site", str(site), "--today", TODAY.isoformat(), "--json")
    assert json.loads(as_json.out)["themas_een_regio"] == ["jeugd"]


# --- The real site's page in a browser and the validator. ---


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("overview-real") / "public"
    options = BuildOptions(site_dir=REPO, out=str(out), today=TODAY, search_index=False)
    assert build(options).exit_code == 0
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


PAGES = ["/kennisoverzicht/", "/werkplaatsen/zuid-holland-zuid/", "/themas/armoede/"]


@pytest.mark.parametrize("path", PAGES)
def test_overzicht_does_not_scroll_sideways_at_320_px(browser: Any, real: Path, path: str) -> None:
    from test_reflow import CLIPPED, TEXT_SPACING, WIDTHS

    with serving(real) as url:
        tab = browser.new_page(viewport={"width": 320, "height": 640})
        tab.goto(url + path)
        for extra in ("", TEXT_SPACING):
            if extra:
                tab.add_style_tag(content=extra)
            sizes = tab.evaluate(WIDTHS)
            assert sizes["scroll"] <= sizes["client"], (path, extra, sizes)
            assert tab.evaluate(CLIPPED) == [], path
        tab.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_overzicht_has_no_axe_violations(browser: Any, real: Path, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from test_quality import WCAG_TAGS

    with serving(real) as url:
        context = browser.new_context(viewport={"width": width, "height": 800})
        tab = context.new_page()
        tab.goto(url + "/kennisoverzicht/", wait_until="networkidle")
        results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = [
            (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
        ]
        context.close()
    assert violations == []


def test_overzicht_is_valid_html(real: Path) -> None:
    from test_quality import VNU_JAR

    java = shutil.which("java")
    require(java is not None and VNU_JAR.exists(), "Java and npm vnu-jar")
    pages = [real / "kennisoverzicht/index.html", real / "werkplaatsen/zuyd/index.html"]
    pages.append(real / "themas/armoede/index.html")
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", *map(str, pages)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[:3000]
