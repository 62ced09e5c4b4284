"""Long pages have structure: an "Op deze pagina" list with counts, long lists per year
(newest open), no card that repeats the page's own werkplaats, no agenda buttons where
there is nothing to put in an agenda."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, SITES, TODAY, page

from wsdgen.pipeline import BuildOptions, build

ZHZ = "/werkplaatsen/zuid-holland-zuid/"
ZHZ_TITLE = "Werkplaats Sociaal Domein Zuid-Holland Zuid"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("structure") / "public"
    options = BuildOptions(site_dir=REPO, out=str(out), today=dt.date.fromisoformat(TODAY))
    assert build(options).exit_code == 0
    return out


@pytest.fixture(scope="module")
def nothing_planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("later") / "public"
    options = BuildOptions(site_dir=SITES / "mini", out=str(out), today=dt.date(2031, 1, 1))
    assert build(options).exit_code == 0
    return out


def cards_in(section: BeautifulSoup) -> int:
    return len(section.select(".card"))


def on_this_page(soup: BeautifulSoup) -> list[tuple[str, str]]:
    nav = soup.find("nav", attrs={"aria-labelledby": "op-deze-pagina-kop"})
    assert nav is not None
    return [(a["href"], li.get_text(" ", strip=True)) for li in nav.select("li") for a in [li.a]]


@pytest.mark.parametrize(
    "path", [ZHZ, "/themas/verbondenheid-en-veerkracht/", "/regios/zuid-holland/"]
)
def test_long_pages_start_with_their_sections_and_true_counts(real: Path, path: str) -> None:
    soup = page(real, path)
    entries = on_this_page(soup)
    assert len(entries) >= 3
    # The list comes before the first section it points to.
    nav = soup.find(id="op-deze-pagina-kop")
    first_target = soup.find(id=entries[0][0].removeprefix("#"))
    assert nav.find_all_next(id=first_target["id"])
    for href, text in entries:
        target = soup.find(id=href.removeprefix("#"))
        assert target is not None, href
        if text.endswith(")"):
            count = int(text.rsplit("(", 1)[1].rstrip(")"))
            section = target.find_parent("section")
            listed = cards_in(section) or len(section.select("li"))
            assert listed == count, (path, text)


def test_long_lists_are_grouped_by_year_newest_open(real: Path) -> None:
    soup = page(real, ZHZ)
    past = soup.find(id="geweest-kop").find_parent("section")
    groups = past.find_all("details", recursive=False)
    years = [int(d.summary.get_text().split()[0]) for d in groups]
    assert len(groups) >= 2
    assert years == sorted(years, reverse=True)
    assert [d.has_attr("open") for d in groups] == [True] + [False] * (len(groups) - 1)
    for group in groups:
        shown = int(group.summary.get_text().split("(")[1].rstrip(")"))
        assert shown == cards_in(group)
        for time in group.select(".card-date time"):
            assert time["datetime"].startswith(group.summary.get_text().split()[0])


def test_cards_on_a_werkplaats_page_do_not_repeat_it(real: Path) -> None:
    soup = page(real, ZHZ)
    metas = [m.get_text(" ", strip=True) for m in soup.select("main .card-meta")]
    assert metas, "the page has cards"
    assert not [m for m in metas if ZHZ_TITLE in m]
    # On a theme page the same cards do name their werkplaats.
    theme = page(real, "/themas/verbondenheid-en-veerkracht/")
    assert any(ZHZ_TITLE in m.get_text() for m in theme.select("main .card-meta"))


def test_a_past_kenniscafe_offers_no_agenda_button(real: Path) -> None:
    soup = page(real, "/kenniscafes/2019-05-23-voorkomen-huisuitzettingen/")
    assert soup.select("main a[href$='agenda.ics']") == []


def test_no_agenda_buttons_above_an_empty_agenda(nothing_planned: Path) -> None:
    soup = page(nothing_planned, "/kenniscafes/")
    agenda = soup.find(id="komend-kop").find_parent("section")
    assert agenda.select(".button") == []
    assert cards_in(agenda) == 0
    text = agenda.get_text(" ", strip=True)
    assert "Er staan op dit moment geen kenniscafés gepland" in text
    # Nothing before the agenda offers to put it in a calendar.
    before = agenda.find_all_previous("a", href=lambda h: bool(h and h.endswith(".ics")))
    assert before == []
    werkplaats = page(nothing_planned, "/werkplaatsen/amsterdam/")
    assert werkplaats.select("main a[href$='agenda.ics']") == []


def test_readers_are_addressed_as_u(real: Path) -> None:
    """The guide says the site uses "u"; the templates' own text must keep to it."""
    import re

    for path in ("/", "/kenniscafes/", "/zoeken/", "/wie-werkt-waaraan/", ZHZ):
        soup = page(real, path)
        for tag in soup.select("main .prose, main article"):
            tag.decompose()  # editors' texts may use an impersonal "je"
        text = soup.get_text(" ", strip=True)
        assert not re.search(r"\b(je|jouw|jij)\b", text, re.IGNORECASE), path
